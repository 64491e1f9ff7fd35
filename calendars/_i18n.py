"""The language of relend's messages: English unless Simplified Chinese is asked for.

Every sentence a user reads (an error, a warning, a help text, a printed summary) is
looked up, when it is shown, in a GNU gettext catalog of the package that says it:
``calendars/locale/zh/LC_MESSAGES/calendars.mo`` for this package,
``calculators/locale/zh/LC_MESSAGES/*.mo`` for :mod:`calculators`. The catalogs are
made from their ``.po`` files with Babel (``pybabel compile``); the English text is
the message id, so a missing translation shows the English, never nothing.

Codes stay codes: reason codes, statuses, JSON keys and file names are stable English
identifiers in every language.

The language is one setting for the process, English by default; it is set in
:mod:`calendars._language` (``set_language``, ``using_language``,
``language_from_environment``), which stands above this module and
:mod:`calendars._errors` (its refusal of an unknown language is a ``CalendarError``,
whose message this module translates).
"""

from __future__ import annotations

import errno
import gettext
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "zh")
"""Languages relend speaks: ``en`` (the message ids themselves) and ``zh`` (Simplified
Chinese)."""

_current = ["en"]


def language() -> str:
    """The language messages are given in now: ``en`` or ``zh``."""
    return _current[0]


def switch_language(lang: str) -> None:
    """Make ``lang`` the language now, unchecked: :func:`calendars._language.set_language`
    checks it first."""
    _current[0] = lang


class Catalog:
    """The translations of one package's messages.

    Parameters
    ----------
    domain : str
        The catalog's name: ``<localedir>/<lang>/LC_MESSAGES/<domain>.mo``.
    localedir : pathlib.Path
        The package's ``locale`` folder.
    """

    def __init__(self, domain: str, localedir: Path) -> None:
        self.domain = domain
        self.localedir = localedir

    def gettext(self, message: str) -> str:
        """``message`` in the current language (itself in English or when untranslated)."""
        lang = language()
        if lang == "en":
            return message
        return _translations(self.domain, str(self.localedir), lang).gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The singular or plural form of a message for ``count``, in the current language."""
        lang = language()
        if lang == "en":
            return singular if count == 1 else plural
        return _translations(self.domain, str(self.localedir), lang).ngettext(
            singular, plural, count
        )


@cache
def _translations(domain: str, localedir: str, lang: str) -> gettext.NullTranslations:
    return gettext.translation(domain, localedir, languages=[lang], fallback=True)


_catalog = Catalog("calendars", Path(__file__).parent / "locale")


def _(message: str) -> str:
    """A message of :mod:`calendars` in the current language (marked for extraction)."""
    return _catalog.gettext(message)


def _os_reasons() -> dict[int, str]:
    # the operating system's own words (glibc's), for the translator to find
    return {
        errno.ENOENT: _("No such file or directory"),
        errno.EACCES: _("Permission denied"),
        errno.EPERM: _("Operation not permitted"),
        errno.EISDIR: _("Is a directory"),
        errno.ENOTDIR: _("Not a directory"),
        errno.ENOSPC: _("No space left on device"),
        errno.EROFS: _("Read-only file system"),
        errno.EEXIST: _("File exists"),
    }


def os_reason(exc: OSError) -> str:
    """Why an operation on a file failed, in the current language.

    Notes
    -----
    In English it is the operating system's own ``strerror`` (or the exception's class
    name), exactly as before; in Chinese the usual causes (no such file, permission
    denied, disk full, ...) are translated by ``errno`` and any other is left as the
    system says it.
    """
    text = exc.strerror or type(exc).__name__
    if language() == "en" or exc.errno is None:
        return text
    return _os_reasons().get(exc.errno, text)
