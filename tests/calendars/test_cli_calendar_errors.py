"""Calendar mistakes on the command line: exit 2 and one line naming the value."""

from __future__ import annotations

import json

import pytest

from calculators.cli import main


def _write(tmp_path, payload) -> str:
    path = tmp_path / "override.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line]
    assert len(lines) == 1, err
    assert lines[0].startswith("relend: error: ")
    return lines[0]


def test_malformed_override_file(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["deadline", "2026Q4", "--override", str(bad)]) == 2
    line = _one_error_line(capsys)
    assert "bad.json" in line and "readable JSON override file" in line


@pytest.mark.parametrize(
    ("payload", "fragments"),
    [
        ({"year": 2061, "source": "s"}, ["override.year=2061", "2001-2060"]),
        ({"year": 2000, "source": "s"}, ["override.year=2000", "2001-2060"]),
        (
            {"year": 2027, "source": "s", "holidays": ["2027-12-31"]},
            ["'2027-12-31'", "2026-12-24 to 2027-12-23"],
        ),
        (
            [{"year": 2027, "source": "a"}, {"year": 2027, "source": "b"}],
            ["each year at most once"],
        ),
    ],
)
def test_override_outside_what_is_accepted(tmp_path, capsys, payload, fragments) -> None:
    assert main(["deadline", "2026Q4", "--override", _write(tmp_path, payload)]) == 2
    line = _one_error_line(capsys)
    for fragment in fragments:
        assert fragment in line


def test_deadline_past_the_calendar_bounds(capsys) -> None:
    # 2060Q4 falls due on 10 January 2061, after the last covered day 2060-12-31
    assert main(["deadline", "2060Q4"]) == 2
    line = _one_error_line(capsys)
    assert "2061-01-10" in line and "2060-12-31" in line
