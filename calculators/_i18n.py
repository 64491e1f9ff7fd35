"""The messages of :mod:`calculators` in the user's language.

``_`` marks and translates the messages of the library (errors, warnings, notes);
``cli_`` those of the command line (help texts, printed summaries), kept in their own
catalog. Both follow the one language setting of :mod:`calendars._language`; the codes
(statuses, reasons, JSON keys) are never translated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from calendars._i18n import LANGUAGES, Catalog, language, os_reason
from calendars._language import language_from_environment, set_language, using_language

__all__ = [
    "LANGUAGES",
    "N_",
    "Catalog",
    "Label",
    "_",
    "cli_",
    "cli_n",
    "language",
    "language_from_environment",
    "n_",
    "os_reason",
    "set_language",
    "using_language",
]

LOCALE_DIR = Path(__file__).parent / "locale"

_library = Catalog("calculators", LOCALE_DIR)
_cli = Catalog("cli", LOCALE_DIR)


def _(message: str) -> str:
    """A library message in the current language."""
    return _library.gettext(message)


def N_(message: str) -> str:
    """Mark a message made before the language is known (a module constant) for the
    catalog; it is translated where it is shown, with :func:`_`."""
    return message


def n_(singular: str, plural: str, count: int) -> str:
    """A library message's singular or plural form for ``count``."""
    return _library.ngettext(singular, plural, count)


def cli_(message: str) -> str:
    """A command-line message in the current language."""
    return _cli.gettext(message)


def cli_n(singular: str, plural: str, count: int) -> str:
    """A command-line message's singular or plural form for ``count``."""
    return _cli.ngettext(singular, plural, count)


@dataclass(frozen=True)
class Label:
    """A code's or a field's label in Simplified Chinese and in English."""

    zh: str
    en: str
