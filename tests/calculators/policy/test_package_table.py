"""The package's policy table reads a program's file when the program is first asked
for: a claim of one program parses one file, and every file still answers."""

from __future__ import annotations

import pytest

from calculators._errors import PolicyFileError
from calculators.policy import table as _table

PROGRAM_FILES = ["buyback", "carbon", "coal", "consumption", "elderly_care", "equipment",
                 "housing", "microloan", "tech", "transport"]  # fmt: skip


@pytest.fixture
def fresh_table():
    _table._package_table.cache_clear()
    yield _table.PolicyTable.package()
    _table._package_table.cache_clear()


def test_one_program_asked_for_reads_its_file_alone(fresh_table) -> None:
    assert list(fresh_table.programs) == PROGRAM_FILES  # known by name, none read yet
    assert fresh_table.programs._read == {}
    assert fresh_table.program("tech").versions[0].version == "tech-2022"
    assert list(fresh_table.programs._read) == ["tech"]


def test_every_file_read_names_its_own_program(fresh_table) -> None:
    assert [fresh_table.programs[code].program for code in PROGRAM_FILES] == PROGRAM_FILES


def test_a_file_naming_another_program_is_refused(fresh_table, monkeypatch) -> None:
    sources = fresh_table.programs._sources
    monkeypatch.setitem(sources, "carbon", ("carbon.toml", sources["tech"][1]))
    with pytest.raises(PolicyFileError, match=r"carbon\.toml: program\.id"):
        fresh_table.programs["carbon"]
