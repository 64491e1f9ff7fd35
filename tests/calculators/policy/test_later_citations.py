"""The citations of notices found after the policy compilation: the words quoted and
the addresses given are those of the sources page.

The sources page (``shared/sources/later-notices.md``) is copied into
``tests/sources/later-notices.md`` so that these tests run where ``shared`` is absent;
when it is present the copy must equal it. A clause quoted from one of the notices
below (not marked ``(paraphrase)`` and not a parenthesized remark) must be on the page,
spaces aside, and every address in the notice's ``read_at`` must be one the page gives.
"""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.paths import ROOT

POLICIES = ROOT / "calculators" / "policies"
COPY = ROOT / "tests" / "sources" / "later-notices.md"
SHARED = ROOT.parent / "shared" / "sources" / "later-notices.md"

# the notices cited from the page's 2026-12 section and its tools not yet carried, by
# the policy file they are in
LATER = {
    "housing.toml": ("housing2024b",),
    "transport.toml": ("yinfa2023_32",),
    "coal.toml": ("coal2023",),
    "equipment.toml": ("equipment2022text",),
    "carbon.toml": ("lenders2023",),
    "elderly_care.toml": ("widening2022",),
    "buyback.toml": ("buyback2024", "buyback2024apply", "buyback2025"),
    "consumption.toml": ("consumption2025",),
}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _page() -> str:
    return _squash(COPY.read_text(encoding="utf-8"))


def _sources(data: dict) -> list[tuple[str, dict]]:
    out = []
    for version in data["versions"]:
        for name, figure in version.items():
            if not isinstance(figure, dict):
                continue
            out.append((f"{version['id']}.{name}", figure["source"]))
            if isinstance(figure.get("value"), list):
                out += [(f"{version['id']}.{name}[{i}]", s["source"])
                        for i, s in enumerate(figure["value"]) if isinstance(s, dict)]  # fmt: skip
    return out


def quoted(clause: str) -> bool:
    """Whether a clause quotes the notice (not a paraphrase, not a remark in brackets)."""
    return "(paraphrase)" not in clause and not clause.startswith(("(", "（"))


@pytest.mark.skipif(not SHARED.exists(), reason="the sources page is not beside the repo")
def test_the_copy_is_the_sources_page() -> None:
    assert COPY.read_bytes() == SHARED.read_bytes()


@pytest.mark.parametrize("name", sorted(LATER))
def test_quoted_words_are_on_the_sources_page(name: str) -> None:
    data = tomllib.loads((POLICIES / name).read_text(encoding="utf-8"))
    page = _page()
    checked = 0
    for where, source in _sources(data):
        if source["notice"] in LATER[name] and quoted(source["clause"]):
            assert _squash(source["clause"]) in page, f"{name}:{where}: {source['clause']!r}"
            checked += 1
    assert checked or name in ("housing.toml", "carbon.toml"), name


@pytest.mark.parametrize("name", sorted(LATER))
def test_addresses_are_those_of_the_sources_page(name: str) -> None:
    data = tomllib.loads((POLICIES / name).read_text(encoding="utf-8"))
    page = COPY.read_text(encoding="utf-8")
    for key in LATER[name]:
        notice = data["notices"][key]
        for place in re.split(r"[;；]", notice["read_at"]):
            address = place.strip().split(" ")[0].split("（")[0]
            if "/" in address:
                assert address in page, f"{name}: notices.{key}.read_at {address!r}"


def test_a_quote_not_on_the_page_would_be_caught() -> None:
    page = _page()
    assert _squash("可展期2次，每次展期期限1年") in page
    assert _squash("可展期3次，每次展期期限1年") not in page
    assert quoted("可视情况展期") and not quoted("the PBoC lends 100% (paraphrase)")
