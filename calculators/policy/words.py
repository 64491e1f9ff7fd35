"""The policy data's texts as users read them: the words meant for its maintainers left
out, the punctuation beside Chinese words full-width, a text or its Chinese twin in the
current language.

Every English text of the data that is prose (a clause in words, an assumption, a
notice's note, a title with English words, a descriptive value) has its reviewed
Simplified Chinese twin beside it, ``<name>_zh`` (``clause_zh``, ``assumption_zh``,
``value_zh`` ...); the texts are shown in the current language, and a text without a
twin (a user's own policy file) is shown in its English.
"""

from __future__ import annotations

import re

from .._i18n import N_, language


def in_language(english: str, chinese: str) -> str:
    """``chinese`` when messages are in Chinese and it is given, else ``english``; in
    words for users (:func:`for_users`)."""
    return chinese_punctuation(for_users(chinese if chinese and language() == "zh" else english))


COMPILATION = N_("the 2022 policy compilation of the Kashgar positive and negative lists")
"""The policy compilation (``seed`` in the data) by its title, for users."""

# Words of the data meant for its maintainers (the file that grades the sources, the
# grades, the compilation's file name "seed") and what a user reads instead; a safety
# net for texts of the data that still carry them.
_MAINTAINERS_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\s*[（(][^（）()]*later-notices\.md[^（）()]*[）)]", ""),
        (r"shared/sources/later-notices\.md(?=，)", "relend 整理的后续通知汇总表"),
        (r",\s*graded [CSU]\b", ""),
        (r"\s*\(grades? [CSU]\)", ""),
        (r"\bthe row is graded [CSU]; ", ""),
        (r"\bthe page graded [CSU]\b", "the page read first"),
        (r"，?评级 ?[CSU](?=（)", ""),
        (r"（评级 ?[CSU]）", ""),
        (r"该行评级为 ?[CSU]；", ""),
        (r"评级为 ?[CSU] 的页面", "首个查阅页面"),
        (r"政策汇编 ?seed ?第", "政策汇编第"),
        (r"\bseed ?第", "政策汇编第"),
        (r"\b(?:in )?the seed, lines", "in the 2022 policy compilation, lines"),
        (r"\(seed (\d)", r"(the 2022 policy compilation, lines \1"),
        (r"\bthe seed\b", "the 2022 policy compilation"),
        (r"\bseed (?=\d)", "the 2022 policy compilation, lines "),
        (r"\bunconfirmed \(U\)", "unconfirmed"),
        (r"未经证实（U）", "未经证实"),
        (r"\s*\(U\)", " (unconfirmed)"),
        (r"（U）", "（未经证实）"),
        (r"\s*\([CS]\)|（[CS]）", ""),
        (r"(?<=\d) x (?=\d)", " × "),
    )
)


_GRADING_FILE = re.compile(r"(?:shared/sources/)?later-notices\.md")
_MAINTAINERS_MARKS = re.compile(r"seed|later-notices|grade|评级|\([CSU]\)|（[CSU]）|\d x \d")


def for_users(text: str) -> str:
    """``text`` of the policy data without the words meant for its maintainers: the
    grading file and its grades left out, the compilation named by its title."""
    if not text or not _MAINTAINERS_MARKS.search(text):
        return text
    for pattern, replacement in _MAINTAINERS_WORDS:
        text = pattern.sub(replacement, text)
    table = (
        "relend 整理的后续通知汇总表" if language() == "zh" else "relend's table of later notices"
    )
    return _GRADING_FILE.sub(table, text)


_CJK = "\u4e00-\u9fff"
_HALF_WIDTH_PUNCTUATION: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (rf"\(([^()]*[{_CJK}][^()]*)\)", "（\\1）"),  # (遇节假日顺延)
        (rf"(?<=[{_CJK}]) ?\(([^()]*)\)", "（\\1）"),  # 答记者问 (2022-05-05)
        (rf"(?<=[{_CJK}）]) ?: ?", "："),
        (rf"(?<=[{_CJK}）]) ?; ?", "；"),
        (rf"(?<=[{_CJK}）]) ?, ?(?=[{_CJK}])", "，"),
    )
)


def chinese_punctuation(text: str) -> str:
    """In Chinese, the punctuation beside Chinese words in its full-width form: the
    compilation prints 10 日(遇节假日顺延), a Chinese sentence writes 10 日（遇节假日顺延）."""
    if language() != "zh" or not text:
        return text
    for pattern, replacement in _HALF_WIDTH_PUNCTUATION:
        text = pattern.sub(replacement, text)
    return text
