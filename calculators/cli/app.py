"""The ``relend`` command line: a thin layer over the calculators.

Every subcommand is ``main(argv)``-testable and returns its exit status:

0 done; 3 done, but some input rows were invalid (outputs still written);
4 (audit) differences found; 2 nothing computed because of the user's input (an ``--out``
that cannot be written included), with one line on stderr; 1 an internal error;
130 interrupted (Ctrl-C) and 143 terminated (SIGTERM), with no partial file left under
``--out``; 141 stdout closed before everything was printed (``relend ... | head``, or
``>&-``: every command has something to print). stdout or stderr that cannot be written
(a full disk) ends the run with 2, never a traceback (see :class:`_Stream`).

Every sentence it prints is marked ``cli_()`` and looked up in the ``cli`` gettext
catalog (``calculators/locale/zh/LC_MESSAGES/cli.po``), argparse's own words included:
Simplified Chinese with ``--lang zh`` or a ``zh_*`` locale, else English. Codes, JSON
keys and file names are the same in both languages.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import Any, NoReturn

from calendars import CALENDAR_NAMES, CalendarError, ProvisionalCalendarWarning

from .._errors import RelendInputError
from .._i18n import LANGUAGES, cli_, language, language_from_environment, os_reason, set_language
from .._version import relend_version
from ..book._commands import add_book_parser
from ..web._commands import add_serve_parser
from . import audit, claim, deadline, demo, facility, incentive, npl, policy
from .memory import limit_arenas
from .options import _add_lang_option, _epilog, _exit_codes, _programs_help
from .text import (
    EXIT_CLOSED_STDOUT,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    _argparse_in_language,
    _fail,
    _joined,
    _Parser,
    _UsageError,
    _warning_line,
)

# the subcommands' modules, each adding its parser in this order (then book and serve)
_COMMANDS = (demo, deadline, claim, facility, incentive, npl, policy, audit)


def build_parser() -> argparse.ArgumentParser:
    """The ``relend`` argument parser, its help in the current language."""
    parser = _Parser(
        prog="relend",
        description=cli_(
            "Exact PBoC relending claims, deadlines and cash flows from loan ledgers."
        ),
        epilog=_epilog(_programs_help(), _exit_codes()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"relend {relend_version()}",
        help=cli_("show program's version number and exit"),
    )  # fmt: skip
    _add_lang_option(parser, None)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    for module in _COMMANDS:
        module.add(sub)
    add_book_parser(
        sub, add_lang=lambda p: _add_lang_option(p, argparse.SUPPRESS), exit_codes=_exit_codes()
    )
    add_serve_parser(sub, exit_codes=_exit_codes())
    for command in sub.choices.values():
        # accepted after the subcommand too; read before parsing (see _language_asked)
        _add_lang_option(command, argparse.SUPPRESS)
    return parser


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where it lands so that it takes the Ctrl-C path out."""


def _on_sigterm(signum: int, frame: FrameType | None) -> NoReturn:
    raise _Terminated


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into :class:`_Terminated` for the block, then restore the handler.

    Handlers can only be set in the main thread; elsewhere the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


_ARROW_POOL: list[Any] = []  # the pool to give back, once the run swapped it
_DECAY_MS = 100  # how long jemalloc keeps freed pages before handing them back


@contextlib.contextmanager
def _returning_memory() -> Iterator[None]:
    """Allocate Arrow's memory from its jemalloc pool for the block, where the build has
    one and ``ARROW_DEFAULT_MEMORY_POOL`` does not choose another; then restore the pool.

    Notes
    -----
    A run allocates and frees a block's worth of text many times over (the ledger read a
    block at a time, its columns classified and written a block at a time). Arrow's
    default mimalloc pool keeps the freed pages resident for reuse, and with them the
    process's peak grew to about 2.3 times the ledger's size at 10M rows; jemalloc hands
    them back to the system after its decay, which brought the peak under 2 times the
    ledger (``benchmarks/README.md``). Arrays allocated before are freed by their own
    pool, so the swap is safe at any time. The decay is shortened from Arrow's second
    to :data:`_DECAY_MS`: the classification's blocks free their Arrow temporaries
    faster than a second, and the command's peak at 2M rows fell from about 690 MiB to
    610 MiB for no measurable time; with no decay at all it fell a little further
    (580 MiB), but faulting the pages back in cost about 0.5 s.

    pyarrow is loaded by commands that read a file of rows only: where it is not loaded
    yet the swap waits for :func:`_arrow_pool`, which such a command calls once its
    words are parsed, so that a command that reads no ledger does not load it.
    """
    outer = list(_ARROW_POOL)
    _ARROW_POOL.clear()
    if "pyarrow" in sys.modules:
        _arrow_pool()
    try:
        yield
    finally:
        if _ARROW_POOL:
            import pyarrow as pa

            pa.set_memory_pool(_ARROW_POOL[0])
        _ARROW_POOL[:] = outer


def _arrow_pool() -> None:
    """Swap Arrow's pool for jemalloc (see :func:`_returning_memory`), once per run."""
    if _ARROW_POOL:
        return
    import pyarrow as pa

    previous = pa.default_memory_pool()
    chosen = os.environ.get("ARROW_DEFAULT_MEMORY_POOL")
    try:
        pool = None if chosen else pa.jemalloc_memory_pool()
    except NotImplementedError:  # a build without jemalloc (Windows): keep the default
        pool = None
    if pool is not None:
        pa.jemalloc_set_decay_ms(_DECAY_MS)
        pa.set_memory_pool(pool)
    _ARROW_POOL.append(previous)


def _interrupted(exc: KeyboardInterrupt) -> int:
    if isinstance(exc, _Terminated):
        print(cli_("relend: terminated (SIGTERM); no partial output left"), file=sys.stderr)
        return EXIT_TERMINATED
    print(cli_("relend: interrupted; no partial output left"), file=sys.stderr)
    return EXIT_INTERRUPTED


def _closed_stdout() -> int:
    """The reader of stdout went away (``relend ... | head``): stop quietly.

    Python's own recipe: point stdout at the null device so that flushing what is
    still buffered at exit does not fail a second time.
    """
    with contextlib.suppress(AttributeError, OSError, ValueError):
        descriptor = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, descriptor)
        os.close(null)
    return EXIT_CLOSED_STDOUT


class _OutputError(Exception):
    """stdout could not be written (a full disk, an I/O error): the run stops with 2.

    Not an :class:`OSError`, so that no handler of file errors on the way takes it.
    """

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


class _Stream:
    """``sys.stdout`` or ``sys.stderr`` while relend runs, keeping the system's failures
    from becoming a traceback.

    stdout: a closed descriptor (``relend ... >&-``, where Python sets ``sys.stdout``
    to None) is reported as a closed pipe (exit status 141); any other failure to write
    (``> /dev/full``) raises :class:`_OutputError` (exit status 2). stderr: a closed
    descriptor drops the messages, as ``2> /dev/null`` would; a failure to write is
    recorded in :attr:`failed`, the messages after it are dropped and the run goes on,
    to end with exit status 2.
    """

    def __init__(self, stream: Any, name: str) -> None:
        self.stream = stream
        self.name = name
        self.failed: OSError | None = None

    def _fail(self, error: OSError) -> None:
        self.failed = error
        if self.name == "stdout":
            raise _OutputError(error) from None

    def write(self, text: str) -> int:
        if self.stream is None:
            if self.name == "stdout":
                raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))
            return len(text)
        if self.failed is not None:
            return len(text)
        try:
            written = self.stream.write(text)
        except BrokenPipeError as error:
            if self.name == "stdout":
                raise
            self.failed = error
        except OSError as error:
            self._fail(error)
        else:
            return len(text) if written is None else int(written)
        return len(text)

    def flush(self) -> None:
        if self.stream is None or self.failed is not None:
            return
        try:
            self.stream.flush()
        except BrokenPipeError as error:
            if self.name == "stdout":
                raise
            self.failed = error
        except OSError as error:
            self._fail(error)

    def isatty(self) -> bool:
        return self.stream is not None and self.failed is None and bool(self.stream.isatty())

    def fileno(self) -> int:
        if self.stream is None:
            raise io.UnsupportedOperation("fileno")
        return int(self.stream.fileno())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _silence(stream: Any) -> None:
    """Point a stream that failed at the null device, so that flushing what it still
    buffers (at exit) does not fail again with a traceback."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        descriptor = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, descriptor)
        os.close(null)


@contextlib.contextmanager
def _guarded_streams() -> Iterator[tuple[_Stream, _Stream]]:
    """Run the block with :class:`_Stream` in place of ``sys.stdout`` and ``sys.stderr``,
    then put the streams back (silenced if they failed)."""
    out, err = _Stream(sys.stdout, "stdout"), _Stream(sys.stderr, "stderr")
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err  # type: ignore[assignment]
    try:
        yield out, err
    finally:
        sys.stdout, sys.stderr = saved
        for stream in (out, err):
            if stream.failed is not None:
                _silence(stream.stream)


def _output_failed(error: OSError) -> int:
    """stdout could not be written: one line on stderr (if it can be written), exit 2."""
    return _fail(
        cli_("the output could not be written to stdout: {reason}").format(reason=os_reason(error))
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``relend`` with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Besides the statuses of the module docstring: 130 after Ctrl-C, 143 after SIGTERM
    (both leave no partial file under ``--out``), 141 when stdout was closed early, 2
    when stdout or stderr could not be written (a full disk), in place of 0, 3 or 4.

    Messages are in the language of ``--lang`` (anywhere in ``argv``), else of the
    locale (:func:`calculators._i18n.language_from_environment`), else English; the
    language in force before the call is back when it returns.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    with _guarded_streams() as (_out, err):
        status = _main(words)
    if err.failed is not None and status not in _KEPT_ON_STDERR_FAILURE:
        return EXIT_INPUT  # a message or a warning was lost: not a clean run
    return status


def _main(words: list[str]) -> int:
    before = language()
    try:
        asked = _language_asked(words)
        if asked is not None and asked not in LANGUAGES:
            set_language(language_from_environment())
            return _fail(
                cli_("--lang {value} is not a language relend speaks; use zh (中文) or en "
                     "(English)").format(value=repr(asked))
            )  # fmt: skip
        set_language(asked or language_from_environment())
        with _sigterm_as_interrupt(), _argparse_in_language(), _returning_memory():
            return _run(words)
    except KeyboardInterrupt as exc:  # one that landed outside _run's own handling
        return _interrupted(exc)
    finally:
        set_language(before)


# statuses that say more than "stderr could not be written" and are kept when it could not
_KEPT_ON_STDERR_FAILURE = (EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_CLOSED_STDOUT, EXIT_TERMINATED)
_LANG_OPTIONS = ("--la", "--lan", "--lang")  # argparse takes an option's unique prefix


def _language_asked(words: Sequence[str]) -> str | None:
    """The value of the last ``--lang`` in ``words`` (``--lang zh``, ``--lang=zh``), or
    None.

    Read before the parser is built, because the help texts are put in the language as
    the parser is made. A ``--lang`` with no value is left for argparse to report.
    """
    found = None
    for at, word in enumerate(words):
        if word == "--":
            break
        name, equals, value = word.partition("=")
        if name not in _LANG_OPTIONS:
            continue
        if equals:
            found = value
        elif at + 1 < len(words):
            found = words[at + 1]
    return found


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ProvisionalCalendarWarning)
        try:
            args = parser.parse_args(argv)
            if getattr(args, "calendar", "prc") not in CALENDAR_NAMES:
                raise _UsageError(
                    cli_("--calendar {value} is not known; use one of {names}").format(
                        value=repr(args.calendar), names=_joined(CALENDAR_NAMES)
                    )
                )
            if _reads_rows(args):
                _arrow_pool()
                limit_arenas()
            status = args.handler(args)
        except SystemExit as exc:  # --help and --version
            status = int(exc.code or 0)
        except _UsageError as exc:
            status = _fail(str(exc))
        except (RelendInputError, CalendarError) as exc:
            status = _fail(str(exc))
        except KeyboardInterrupt as exc:
            status = _interrupted(exc)
        except BrokenPipeError:
            status = _closed_stdout()
        except _OutputError as exc:
            status = _output_failed(exc.error)
        except Exception as exc:  # the one place an unexpected error becomes a line
            print(
                cli_("relend: internal error, a fault in relend itself, not in the input "
                     "(please report it with the command that caused it); Python's own "
                     "words: {kind}: {message}").format(kind=type(exc).__name__, message=exc),
                file=sys.stderr,
            )  # fmt: skip
            status = EXIT_INTERNAL
    try:
        sys.stdout.flush()  # a closed pipe or a full disk shows here, not at exit
    except BrokenPipeError:
        status = _closed_stdout()
    except _OutputError as exc:
        status = _output_failed(exc.error)
    own = [str(w.message) for w in caught if issubclass(w.category, ProvisionalCalendarWarning)]
    for message in dict.fromkeys(own):
        print(_warning_line(message), file=sys.stderr)
    others = [w for w in caught if not issubclass(w.category, ProvisionalCalendarWarning)]
    for kind, message in dict.fromkeys((w.category.__name__, str(w.message)) for w in others):
        print(
            cli_("relend: warning from a library relend uses, in its own words: {kind}: "
                 "{message}").format(kind=kind, message=message),
            file=sys.stderr,
        )  # fmt: skip
    return status


_READ_ROWS = ("claim", "audit", "npl", "demo", "book")


def _reads_rows(args: argparse.Namespace) -> bool:
    """Whether the command reads a file of rows (a ledger, a submission, a claim's
    folder) with Arrow: the others (deadline, policy, facility, incentive with figures
    typed, serve, whose runs are child processes) do not load it."""
    if args.command == "incentive":
        return bool(getattr(args, "balances", None))
    return args.command in _READ_ROWS


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
