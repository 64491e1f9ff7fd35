"""The ``relend`` command line: :func:`main` and its parser, one module per subcommand."""

from __future__ import annotations

from .app import build_parser, main

__all__ = ["build_parser", "main"]
