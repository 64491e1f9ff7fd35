"""``relend serve``: the web app on this machine or an intranet server.

The parser is built without importing the web stack; the handler imports it when it
runs. The server listens on 127.0.0.1 unless ``--host`` says otherwise, prints its
address with the token, opens the browser unless ``--no-browser``, and on Ctrl-C stops,
removing every run's files.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import sys
from collections.abc import Callable
from typing import Any

from .._errors import ParameterError
from .._i18n import cli_

__all__ = ["add_serve_parser"]


def add_serve_parser(sub: Any, *, exit_codes: str) -> None:
    """Add ``serve`` to ``relend``'s subparsers ``sub``."""
    serve = sub.add_parser(
        "serve",
        help=cli_("the web app: claims, audits, deadlines and policy in a browser"),
        description=cli_(
            "Serve relend's pages and HTTP API. Every request needs the token printed at "
            "start (the browser opened with it keeps it in a cookie); other programs send "
            "Authorization: Bearer TOKEN."
        ),
        epilog=exit_codes,
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help=cli_("address to listen on (default 127.0.0.1: this machine only)"),
    )
    serve.add_argument("--port", default="8321", help=cli_("port (default 8321)"))
    serve.add_argument("--token", help=cli_("the token requests need (default: a new random one)"))
    serve.add_argument(
        "--max-upload-mb",
        default="200",
        metavar="N",
        help=cli_("the largest upload accepted, in MB (default 200)"),
    )
    serve.add_argument(
        "--book", metavar=cli_("PATH_OR_URL"), help=cli_("a book to show on the book page")
    )
    serve.add_argument("--no-browser", action="store_true", help=cli_("do not open a browser"))
    serve.set_defaults(handler=_serve)


def _whole(text: str, option: str, low: int, high: int) -> int:
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise ParameterError(
            option, text, cli_("a whole number from {low} to {high}").format(low=low, high=high)
        )
    return int(text)


def _serve(args: argparse.Namespace, opener: Callable[[str], Any] | None = None) -> int:
    port = _whole(args.port, "--port", 1, 65535)
    cap = _whole(args.max_upload_mb, "--max-upload-mb", 1, 100_000)
    token = args.token or secrets.token_urlsafe(24)
    if len(token) < 16:
        raise ParameterError("--token", "…", cli_("a token of at least 16 characters"))
    try:
        import uvicorn

        from ._app import create_app
    except ImportError as exc:
        raise ParameterError(
            "serve",
            str(exc.name),
            cli_("the web app's libraries, installed with relend: pip install relend again"),
        ) from None
    app = create_app(token, max_upload_mb=cap, book=args.book)
    shown = "localhost" if args.host in ("127.0.0.1", "::1", "localhost") else args.host
    address = f"http://{shown}:{port}/?token={token}"
    print(cli_("relend serves on {address} (Ctrl-C stops it)").format(address=address), flush=True)
    config = uvicorn.Config(
        app, host=args.host, port=port, log_level="warning", lifespan="on", server_header=False
    )
    server = uvicorn.Server(config)
    if not args.no_browser:
        import threading
        import webbrowser

        open_page = opener or webbrowser.open
        threading.Timer(1.0, open_page, args=(address,)).start()
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    print(cli_("relend stopped; the runs' files are removed"), file=sys.stderr)
    return 0
