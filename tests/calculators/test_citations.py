"""Citations checked against the policy source text itself.

The seed (``../shared/sources/000_c7122a08e790f720.txt`` beside the repository) is
extracted from a PDF: a phrase may break across lines and carry stray spaces, so text
is compared with all whitespace removed. Skipped when the sources are not there.
"""

from __future__ import annotations

import inspect
import re
import unicodedata
from types import ModuleType

import pytest

from calculators.programs import tech as tech_relending
from calculators.programs import transport as _categories
from calculators.programs import transport as transport_relending
from calculators.tools import facility
from calculators.tools import incentive as microloan_incentive
from calculators.tools import npl as npl_tolerance
from calendars import _deadline
from tests.paths import ROOT

SEED = "000_c7122a08e790f720.txt"
# the repository's parent holds shared/; a git worktree sits one level deeper
FOLDERS = (ROOT / ".." / "shared" / "sources", ROOT / ".." / ".." / "shared" / "sources")

# notice -> (title as the seed prints it, first and last line of the notice)
NOTICES = {
    "npl": ("中国银保监会办公厅关于进一步做好受疫情影响困难行业企业等金融服务的通知", 7, 365),
    "tech": ("中国人民银行 科技部 工业和信息化部关于设立科技创新再贷款的通知", 714, 789),
    "transport": ("中国人民银行 交通运输部关于设立交通物流专项再贷款有关事宜的通知", 790, 880),
    "microloan": (
        "中国人民银行乌鲁木齐中心支行办公室转发关于加大普惠小微贷款支持工具支持力度的通知",
        881, 911,
    ),
}  # fmt: skip
MODULES: dict[ModuleType, tuple[str, ...]] = {
    _categories: ("transport",),
    transport_relending: ("transport",),
    tech_relending: ("tech",),
    npl_tolerance: ("npl",),
    microloan_incentive: ("microloan",),
    facility: ("tech", "transport"),
    _deadline: ("tech", "transport"),
}
# "seed 765-767" in the docstrings, "the 2022 policy compilation, lines 765-767" in texts
RANGE = re.compile(r"(?:seed|compilation(?: of [^,]*)?, lines)\s+(\d+)(?:-(\d+))?")


@pytest.fixture(scope="module")
def seed() -> list[str]:
    for folder in FOLDERS:
        path = folder / SEED
        if path.is_file():
            return path.read_text(encoding="utf-8").splitlines()
    pytest.skip("policy sources (../shared/sources) not found beside the repository")


def _flat(text: str) -> str:
    return "".join(text.split())


def _lines(seed: list[str], first: int, last: int) -> str:
    return _flat("".join(seed[first - 1 : last]))


def _on(seed: list[str], phrase: str, first: int, last: int) -> bool:
    return _flat(phrase) in _lines(seed, first, last)


def _tight(seed: list[str], phrase: str, first: int, last: int) -> bool:
    """On lines first-last, and on no shorter range of them (blank lines aside)."""
    inner = [n for n in range(first, last + 1) if seed[n - 1].strip()]
    return (
        _on(seed, phrase, first, last)
        and not _on(seed, phrase, inner[1] if len(inner) > 1 else last + 1, last)
        and not _on(seed, phrase, first, inner[-2] if len(inner) > 1 else first - 1)
    )


def _ranges(text: str) -> list[tuple[int, int]]:
    return [(int(a), int(b or a)) for a, b in RANGE.findall(text)]


def test_the_notice_spans_are_right(seed) -> None:
    for title, first, last in NOTICES.values():
        assert seed[first - 1].strip().startswith("◎")
        assert _flat(title) in _lines(seed, first, first + 3), title
        assert seed[last - 1].strip(), last  # the notice's last line
        assert seed[last].strip().startswith("◎"), last  # the next notice's first


@pytest.mark.parametrize("module", list(MODULES), ids=lambda m: m.__name__)
def test_each_module_names_its_notices_and_cites_inside_them(seed, module) -> None:
    notices = [NOTICES[name] for name in MODULES[module]]
    doc = _flat(module.__doc__ or "")
    for title, _, _ in notices:
        assert _flat(title) in doc, title
    source = inspect.getsource(module)
    cited = _ranges(source)
    assert cited
    for first, last in cited:
        assert first <= last
        assert any(lo <= first and last <= hi for _, lo, hi in notices), (first, last)


def _quotes_after_citations(source: str) -> list[tuple[str, int, int]]:
    """Every ``seed A-B: "words"``, and every ``seed A-B (words)`` whose parenthesis
    holds only the notice's words (no Latin letters: those are explanations)."""
    found = [
        (words, int(first), int(last or first))
        for first, last, words in re.findall(r'seed\s+(\d+)(?:-(\d+))?:\s*"([^"]+)"', source)
    ]
    for match in re.finditer(r"seed (\d+)(?:-(\d+))? \(([^()]*)\)", source):
        words = match.group(3).replace('"\n', "").replace('\n        "', "")
        if re.search(r"[A-Za-z]", words):
            continue  # an explanation, not a quotation
        for part in re.split(r";|\.\.\.", words):
            if part.strip():
                first = int(match.group(1))
                found.append((part.strip(), first, int(match.group(2) or first)))
    return found


@pytest.mark.parametrize("module", list(MODULES), ids=lambda m: m.__name__)
def test_words_quoted_beside_a_citation_are_on_its_lines(seed, module) -> None:
    for words, first, last in _quotes_after_citations(inspect.getsource(module)):
        assert _on(seed, words, first, last), (words, first, last)


def test_transport_category_names_are_on_their_lines(seed) -> None:
    notice = _categories.TRANSPORT_CATEGORIES
    for code, source in _categories.CATEGORY_SOURCES.items():
        if not _ranges(source):  # the five kinds added in 2023: not in the seed
            assert "关于进一步做好交通物流领域金融支持与服务的通知" in source, code
            continue
        first, last = _ranges(source)[0]
        if code in ("logistics_sme", "express_sme"):  # relend's halves of the next
            assert _tight(seed, notice["logistics_express_sme"], first, last), code
        else:
            assert _tight(seed, notice[code], first, last), (code, first, last)
        for also_first, also_last in _ranges(source)[1:]:
            text = unicodedata.normalize("NFKC", _lines(seed, also_first, also_last))
            name = unicodedata.normalize("NFKC", notice[code])
            assert name in text, (code, also_first, also_last)
    # the umbrella term the notice defines by its five kinds (seed 806-814)
    assert _on(seed, "道路货物运输经营者（含道路普通货物运输企业", 808, 810)
    assert _on(seed, "中小微物流配送(含快递)企业", 820, 822)  # half-width


def test_npl_articles_are_on_their_lines(seed) -> None:
    source = npl_tolerance.SOURCE
    named = re.search(r"articles (.+?) \(", source)
    assert named
    numbers = re.split(r", | and ", named.group(1))
    lines = re.findall(r"(\d+)-(\d+)", source.split("lines", 1)[1])
    assert numbers == ["十七", "十八", "二十七", "二十八"]
    for article, (first, last) in zip(numbers, lines, strict=True):
        assert seed[int(first) - 1].strip().startswith(f"（{article}）"), article
        # the article ends on the cited last line: the next non-blank line starts another
        following = next(line for line in seed[int(last) :] if line.strip()).strip()
        assert following.startswith(("（", "四、", "五、", "七、", "八、")), (article, following)
    for name in npl_tolerance.INDUSTRIES.values():
        assert _on(seed, name, 175, 179)
    assert _on(seed, "交通运输等行业的不良贷款容忍度，幅度不超过 3 个百分点", 177, 179)


def test_npl_relief_terms_quote_their_articles(seed) -> None:
    for terms in npl_tolerance.RELIEF_TERMS.values():
        for label in terms.values():
            cited = _ranges(label)
            if not cited:
                continue  # "not_applicable"
            (first, last) = cited[0]
            article = re.search(r"article (二十[七八]);", label)
            assert article and seed[first - 1].strip().startswith(f"（{article.group(1)}）")
            quote = max(re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+", label), key=len)
            assert len(quote) > 20 and _on(seed, quote, first, last), (quote, first, last)


def test_deadline_clause_is_cited_where_it_is(seed) -> None:
    doc = _deadline.__doc__ or ""
    cited = _ranges(doc)
    assert cited == [(769, 771), (851, 853)]
    for first, last in cited:
        text = unicodedata.normalize("NFKC", _lines(seed, first, last))
        assert "于次季度第一个月10日(遇节假日顺延)前" in text
