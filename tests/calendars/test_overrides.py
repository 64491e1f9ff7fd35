from __future__ import annotations

import datetime as dt
import json
import warnings

import pytest

from calendars import OverrideFileError, deadline_for, get_calendar, load_overrides


def _write(tmp_path, payload) -> str:
    path = tmp_path / "override.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_override_pins_a_year_for_that_calendar_only(tmp_path) -> None:
    # a made-up 2027 schedule: 11 January off, Sunday 17 January a make-up working day
    path = _write(
        tmp_path,
        {
            "year": 2027,
            "source": "test schedule",
            "holidays": ["2027-01-11"],
            "working_days": ["2027-01-17"],
        },
    )
    pinned = get_calendar("prc", overrides=path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = deadline_for("2026Q4", pinned)
    assert result.date == dt.date(2027, 1, 12)
    assert result.calendar_status == "override"
    assert pinned.is_business_day(dt.date(2027, 1, 17))
    assert pinned.source(2027) == "test schedule"
    # the shared default calendar is untouched
    with pytest.warns(UserWarning):
        assert deadline_for("2026Q4").date == dt.date(2027, 1, 11)


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"year": 2027, "holidays": []}, "source"),
        ({"year": "x", "source": "s"}, "year"),
        ({"year": 2027, "source": "s", "holidays": ["2028-01-01"]}, "2027"),
        ({"year": 2027, "source": "s", "holidays": ["not a date"]}, "ISO date"),
        ({"year": 2027, "source": "s", "working_days": ["2027-01-11"]}, "Saturdays"),
        ([1, 2], "JSON object"),
    ],
)
def test_malformed_override_files_are_refused(tmp_path, payload, fragment) -> None:
    with pytest.raises(OverrideFileError, match=fragment):
        load_overrides(_write(tmp_path, payload))


def test_unreadable_override_file(tmp_path) -> None:
    with pytest.raises(OverrideFileError, match="readable JSON"):
        load_overrides(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(OverrideFileError, match="readable JSON"):
        load_overrides(bad)
