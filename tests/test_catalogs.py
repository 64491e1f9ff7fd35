"""The message catalogs: every marked message translated, every shipped .mo up to date."""

from __future__ import annotations

import pytest

from calendars._errors import CalendarError
from calendars._i18n import language
from calendars._language import language_from_environment, set_language, using_language
from tests.catalogs import problems


def test_every_marked_message_is_translated_and_compiled() -> None:
    assert problems() == []


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.Big5"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C"}, "en"),
        # LC_ALL overrides LANG, both ways; an empty LC_ALL does not count
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "C"}, "zh"),
        ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        # LANGUAGE, a list, comes first unless the locale is C (as GNU gettext has it)
        ({"LANGUAGE": "zh_CN:en", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LANGUAGE": "fr:en", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LANGUAGE": "fr", "LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANGUAGE": "en", "LC_ALL": "zh_CN.UTF-8"}, "en"),
        ({"LANGUAGE": "zh_CN", "LANG": "C.UTF-8"}, "en"),
        ({"LANGUAGE": "zh_CN", "LANG": "POSIX"}, "en"),
        ({"LANGUAGE": "zh_CN"}, "en"),
    ],
)
def test_language_from_environment(environ: dict[str, str], expected: str) -> None:
    assert language_from_environment(environ) == expected


def test_using_language_restores_and_refuses_unknown() -> None:
    assert language() == "en"
    with using_language("zh"):
        assert language() == "zh"
    assert language() == "en"
    with pytest.raises(CalendarError, match="'fr'"):
        set_language("fr")
    assert language() == "en"
