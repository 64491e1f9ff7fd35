"""The installed version of the ``relend`` distribution this package ships in."""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("relend")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
