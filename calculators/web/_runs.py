"""Claims and audits run for the web app: each in its own process and its own folder.

A run is the command line itself (``relend claim ... --out DIR --json``) started as a
child process, so that its ``summary``, its files byte for byte, its one-line error and
its exit status are the command line's. Its id is unguessable; its folder holds the
uploads (under names relend chooses, never the browser's) and the outputs, and is
removed when the run expires or is deleted, and at shutdown.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Run", "Runs"]

# the progress a run reports (see calculators._progress): each step's share of the bar
_STEPS = (("reading", 0.0, 0.35), ("classifying", 0.35, 0.6), ("writing", 0.6, 1.0))


@dataclass
class Run:
    """One claim or audit: its folder, its process and, once done, what it printed."""

    id: str
    kind: str  # "claims" or "audits"
    folder: Path
    argv: list[str]
    status: str = "queued"
    exit_code: int | None = None
    summary: dict[str, Any] | None = None
    error: str | None = None
    started: float = field(default_factory=time.time)
    ended: float | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def out(self) -> Path:
        return self.folder / "out"

    def progress(self) -> float:
        """From 0 to 1: the step the run is in and how far through it."""
        if self.status == "done" or self.status == "failed":
            return 1.0
        if self.status == "queued":
            return 0.0
        try:
            last = (self.folder / "progress").read_text(encoding="utf-8").splitlines()[-1]
            step = json.loads(last)
        except (OSError, IndexError, ValueError):
            return 0.02
        for name, start, end in _STEPS:
            if step.get("step") == name:
                total = step.get("total") or 0
                done = min(step.get("done", 0), total) if total else 0
                return round(start + (end - start) * (done / total if total else 0), 3)
        return 0.02

    def files(self) -> list[str]:
        """The output files the run wrote (summary.json, loans.csv, claim.xlsx, ...)."""
        if self.status != "done" or not self.out.is_dir():
            return []
        listed = [f["name"] for f in (self.summary or {}).get("files", [])]
        return [n for n in ("summary.json", *listed) if (self.out / n).is_file()]


class Runs:
    """Every run of the server, in a temporary folder of its own.

    Parameters
    ----------
    keep_seconds : float
        How long a run that ended is kept (its folder, its results).
    """

    def __init__(self, keep_seconds: float = 3600.0) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="relend-web-"))
        self.keep_seconds = keep_seconds
        self._runs: dict[str, Run] = {}
        self._lock = threading.Lock()

    def new(self, kind: str) -> Run:
        """A run with its own folder, not started."""
        run_id = secrets.token_urlsafe(24)
        folder = self.root / run_id
        folder.mkdir(mode=0o700)
        (folder / "in").mkdir()
        run = Run(run_id, kind, folder, [])
        with self._lock:
            self._runs[run_id] = run
        return run

    def get(self, kind: str, run_id: str) -> Run | None:
        """The run of that kind with that id (None: no such run, or another kind's)."""
        self.expire()
        with self._lock:
            run = self._runs.get(run_id)
        return run if run is not None and run.kind == kind else None

    def start(self, run: Run, argv: list[str], lang: str) -> None:
        """Run ``relend ARGV --out OUT --json --quiet --lang LANG`` in a child process."""
        run.argv = [*argv, "--out", str(run.out), "--json", "--quiet", "--lang", lang]
        env = {**os.environ, "RELEND_PROGRESS_FILE": str(run.folder / "progress")}
        # the child runs the relend this server runs, wherever it was imported from
        here = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
        env.pop("RELEND_BOOK", None)
        run.process = subprocess.Popen(
            [sys.executable, "-m", "calculators.cli", *run.argv],
            stdout=(run.folder / "stdout").open("wb"),
            stderr=(run.folder / "stderr").open("wb"),
            stdin=subprocess.DEVNULL,
            cwd=run.folder / "in",
            env=env,
        )
        run.status = "running"
        threading.Thread(target=self._wait, args=(run,), daemon=True).start()

    def _wait(self, run: Run) -> None:
        assert run.process is not None
        code = run.process.wait()
        run.exit_code = code
        try:
            out = (run.folder / "stdout").read_bytes().decode("utf-8", "replace")
            err = (run.folder / "stderr").read_bytes().decode("utf-8", "replace")
        except OSError:  # the run was deleted while it went
            run.status, run.ended = "failed", time.time()
            return
        if code in (0, 3, 4) and out.strip():
            try:
                run.summary = json.loads(out)
            except ValueError:
                run.summary = None
        if run.summary is not None:
            run.status = "done"
        else:
            run.status = "failed"
            run.error = _one_line(err) or f"exit status {code}"
        run.ended = time.time()

    def delete(self, run: Run) -> None:
        """Stop the run if it is going, and remove its folder."""
        if run.process is not None and run.process.poll() is None:
            run.process.kill()
            run.process.wait()
        with self._lock:
            self._runs.pop(run.id, None)
        shutil.rmtree(run.folder, ignore_errors=True)

    def expire(self) -> None:
        """Remove the runs that ended longer than ``keep_seconds`` ago."""
        now = time.time()
        with self._lock:
            old = [
                r
                for r in self._runs.values()
                if r.ended is not None and now - r.ended > self.keep_seconds
            ]
        for run in old:
            self.delete(run)

    def close(self) -> None:
        """Stop every run and remove every folder (at shutdown)."""
        with self._lock:
            runs = list(self._runs.values())
        for run in runs:
            self.delete(run)
        shutil.rmtree(self.root, ignore_errors=True)


def _one_line(stderr: str) -> str:
    """The command line's error line, without its ``relend: error:`` prefix."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        for prefix in ("relend: error: ", "relend：错误：", "relend: 错误："):
            if line.startswith(prefix):
                return line[len(prefix) :]
    return lines[-1] if lines else ""
