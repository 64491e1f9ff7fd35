"""relend's version, read from the installed package's metadata (no heavy import)."""

from __future__ import annotations

from importlib import metadata


def relend_version() -> str:
    """The installed relend version, or ``0+unknown`` when run from a source tree."""
    try:
        return metadata.version("relend")
    except metadata.PackageNotFoundError:
        return "0+unknown"
