"""Setting the language of relend's messages (see :mod:`calendars._i18n`).

This module stands above :mod:`calendars._i18n` (the catalogs and the language now)
and :mod:`calendars._errors` (the errors, whose messages are translated): refusing a
language relend does not speak needs both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from ._errors import CalendarError
from ._i18n import LANGUAGES, _, language, switch_language

__all__ = ["language_from_environment", "set_language", "using_language"]


def set_language(lang: str) -> None:
    """Give every later message in ``lang`` (``en`` or ``zh``).

    Raises
    ------
    calendars.CalendarError
        For a language relend does not speak.
    """
    if lang not in LANGUAGES:
        raise CalendarError("lang", lang, _("one of {names}").format(names=", ".join(LANGUAGES)))
    switch_language(lang)


@contextmanager
def using_language(lang: str) -> Iterator[None]:
    """Give messages in ``lang`` inside the ``with`` block, then as before."""
    before = language()
    set_language(lang)
    try:
        yield
    finally:
        switch_language(before)


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """``zh`` when the locale asks for Chinese messages, else ``en``.

    Notes
    -----
    As GNU gettext decides: the locale for messages is the first of ``LC_ALL``,
    ``LC_MESSAGES`` and ``LANG`` that is set and not empty (POSIX's order). Unless that
    locale is ``C`` or ``POSIX`` (``C.UTF-8`` included), ``LANGUAGE``, a list such as
    ``zh_CN:en``, comes first: its first entry relend speaks decides. A value starting
    with ``zh`` (``zh_CN.UTF-8``, ``zh_TW``, ``zh``) gives Chinese, any other
    (``en_US.UTF-8``, ``C``) English.
    """
    env = os.environ if environ is None else environ
    locale = next((env[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(name)), "C")
    plain = locale in ("C", "POSIX") or locale.startswith("C.")
    if not plain:
        for entry in env.get("LANGUAGE", "").split(":"):
            if entry.lower().startswith(("zh", "en")):
                return "zh" if entry.lower().startswith("zh") else "en"
    return "zh" if locale.lower().startswith("zh") else "en"
