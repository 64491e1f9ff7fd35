"""The ``holidays`` package's calendar of mainland China, loaded without the package's
other countries.

``holidays.China`` is a lazy entry: its first use imports ``holidays.countries``, and
with it the modules of every country the package knows (some 300, about 0.1 s, a
German school calendar among them), of which the calendars need one. This module loads
the package's own ``countries/china.py`` alone, under a private name, and gives its
class; the days it gives are the package's (the tests compare them with
``holidays.China`` year by year).
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from typing import Any

import holidays
from holidays.registry import EntityLoader

_MODULE = "holidays.countries.china"


def china() -> Any:
    """The class (or callable) that gives ``holidays.China(years=...)``'s holidays.

    ``holidays.China`` itself wherever it is no longer the package's untouched lazy
    entry (replaced, already loaded, or the package's countries already imported), or
    where the package is laid out otherwise; else the class of the package's
    ``countries/china.py``, loaded alone.
    """
    entry = holidays.China
    if (
        not isinstance(entry, EntityLoader)
        or entry.entity is not None
        or entry.module_name != _MODULE
        or _MODULE in sys.modules
    ):
        return entry
    loaded = _china_alone(entry.entity_name)
    return entry if loaded is None else loaded


@cache
def _china_alone(name: str) -> Any:
    """The class ``name`` of the package's ``countries/china.py``, executed alone under a
    private module name; None where that file is not there or cannot be loaded so."""
    path = Path(holidays.__file__).with_name("countries") / "china.py"
    spec = importlib.util.spec_from_file_location("calendars._holidays_china", path)
    if not path.is_file() or spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ImportError:
        return None
    return getattr(module, name, None)
