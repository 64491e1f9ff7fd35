"""The command's glibc settings: taken where glibc is, harmless where it is not, and the
claim command's answers unchanged by the trims between its stages."""

from __future__ import annotations

import sys

import pytest

from calculators.cli import memory


def test_glibc_found_on_linux() -> None:
    found = memory._glibc()
    if sys.platform.startswith("linux") and found is None:
        pytest.skip("a Linux without glibc (musl)")
    assert (found is not None) == sys.platform.startswith("linux")


def test_limit_and_trim_report_what_they_did() -> None:
    glibc = memory._glibc() is not None
    assert memory.limit_arenas() is glibc
    assert isinstance(memory.return_freed(), bool)
    if not glibc:
        assert memory.return_freed() is False


def test_nothing_done_without_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "_LIBC", [None])
    assert memory.limit_arenas() is False
    assert memory.return_freed() is False


def test_no_glibc_off_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "_LIBC", [])
    monkeypatch.setattr(sys, "platform", "darwin")
    assert memory._glibc() is None
