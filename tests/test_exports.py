"""The public surface of both packages: ``__all__`` is what each offers, sorted, and
every name in it imports; the names of the flat layout import for one release with a
warning naming the new path (in the manner of httpx's ``test_exported_members``)."""

from __future__ import annotations

import importlib
import sys
import warnings
from types import ModuleType

import pytest

import calculators
import calendars


def _offered(package: ModuleType) -> set[str]:
    """The public names a package holds that are not modules it happens to have loaded,
    and not ``annotations`` (a ``__future__`` feature, not an export)."""
    return {
        name
        for name, value in vars(package).items()
        if not name.startswith("_") and not isinstance(value, ModuleType) and name != "annotations"
    }


@pytest.mark.parametrize("package", [calculators, calendars], ids=lambda p: p.__name__)
def test_all_is_what_the_package_offers(package: ModuleType) -> None:
    exported = set(package.__all__)
    assert len(exported) == len(package.__all__), "a name listed twice"
    lazy = set(getattr(package, "_LAZY", {}))  # loaded on first use (PEP 562)
    modules = {name for name in exported if isinstance(getattr(package, name), ModuleType)}
    assert _offered(package) | lazy | modules | {"__version__"} == exported


@pytest.mark.parametrize("package", [calculators, calendars], ids=lambda p: p.__name__)
def test_all_is_sorted(package: ModuleType) -> None:
    """In ruff's order (RUF022): constants, classes, then functions and modules."""

    def key(name: str) -> tuple[int, str]:
        kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
        return kind, name

    assert list(package.__all__) == sorted(package.__all__, key=key)


@pytest.mark.parametrize("package", [calculators, calendars], ids=lambda p: p.__name__)
def test_every_exported_name_imports(package: ModuleType) -> None:
    for name in package.__all__:
        assert getattr(package, name) is not None, name


def test_the_version_is_the_installed_distributions() -> None:
    from importlib import metadata

    try:
        installed = metadata.version("relend")
    except metadata.PackageNotFoundError:  # pragma: no cover - a source tree
        installed = "0+unknown"
    assert calculators.__version__ == calendars.__version__ == installed


OLD_MODULES = {
    "calculators.tech_relending": "calculators.programs.tech",
    "calculators.transport_relending": "calculators.programs.transport",
    "calculators.carbon_reduction": "calculators.programs.carbon",
    "calculators.housing_relending": "calculators.programs.housing",
    "calculators.elderly_care": "calculators.programs.elderly_care",
    "calculators.equipment": "calculators.programs.equipment",
    "calculators.coal": "calculators.programs.coal",
    "calculators.buyback": "calculators.programs.buyback",
    "calculators.consumption": "calculators.programs.consumption",
    "calculators.audit": "calculators.tools.audit",
    "calculators.facility": "calculators.tools.facility",
    "calculators.microloan_incentive": "calculators.tools.incentive",
    "calculators.npl_tolerance": "calculators.tools.npl",
}


@pytest.mark.parametrize(("old", "new"), OLD_MODULES.items())
def test_an_old_module_path_imports_with_a_warning_naming_the_new(old: str, new: str) -> None:
    with pytest.warns(DeprecationWarning, match=f"{old} is deprecated .*; use {new}$"):
        module = importlib.import_module(old)
    current = importlib.import_module(new)
    for name in current.__all__:
        assert getattr(module, name) is getattr(current, name), name


@pytest.mark.parametrize(("old", "new"), OLD_MODULES.items())
def test_an_old_module_as_an_attribute_warns_too(
    old: str, new: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as in a fresh process: the old path not imported yet
    monkeypatch.delattr(calculators, old.rpartition(".")[2], raising=False)
    monkeypatch.delitem(sys.modules, old, raising=False)
    with pytest.warns(DeprecationWarning, match=f"use {new}$"):
        found = getattr(calculators, old.rpartition(".")[2])
    assert found.__name__ in (old, new)


@pytest.mark.parametrize(
    ("package", "name", "replacement"),
    [
        (calculators, "policy_for", "calculators.policies_for_period"),
        (calculators, "policy_for_period", "calculators.policies_for_period"),
        (calendars, "china", 'calendars.get_calendar\\("prc"\\)'),
        (calendars, "sse", 'calendars.get_calendar\\("sse"\\)'),
        (calendars, "application_deadline", "calendars.deadline_for"),
    ],
)
def test_an_old_name_imports_with_a_warning(
    package: ModuleType, name: str, replacement: str
) -> None:
    with pytest.warns(DeprecationWarning, match=f"use {replacement}$"):
        found = getattr(package, name)
    assert callable(found)


def test_old_calendar_shortcuts_give_what_their_replacements_give() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        china, deadline = calendars.china, calendars.application_deadline
    assert china() is calendars.get_calendar("prc") or china() == calendars.get_calendar("prc")
    assert deadline("2022Q2") == calendars.deadline_for("2022Q2").date


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        calculators.no_such_name  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        calendars.no_such_name  # noqa: B018
