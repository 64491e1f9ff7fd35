"""``relend serve`` as a bank's IT starts it: the address with its token, the app behind
it, and Ctrl-C stopping it with every run's files removed."""

from __future__ import annotations

import glob
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.paths import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_prints_its_address_answers_and_stops_clean(tmp_path) -> None:
    port, token = _free_port(), "serve-token-0123456789abc"
    # the server's temporary folders go here, where nothing else makes any
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8", "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "calculators.cli", "serve", "--no-browser", "--port", str(port),
         "--token", token, "--lang", "en"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert f"http://localhost:{port}/?token={token}" in line
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/deadline?period=2022Q2",
            headers={"Authorization": f"Bearer {token}"},
        )
        for _ in range(100):
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    assert json.loads(answer.read())["deadline"] == "2022-07-11"
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not answer")
        made = glob.glob(str(tmp_path / "relend-web-*"))
        assert len(made) == 1  # the runs' folder
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert not any(Path(p).exists() for p in made)


def test_serve_refuses_a_bad_port_in_one_line(capsys) -> None:
    from calculators.cli import main

    assert main(["serve", "--no-browser", "--port", "99999"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "99999" in err
