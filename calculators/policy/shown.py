"""A policy figure's value as a person reads it, in the current language: ratios and
rates in percent, rate steps with the day each starts, lists joined, the cadence in
words, an open end as such (``relend policy show`` and the web app's policy page)."""

from __future__ import annotations

from collections.abc import Mapping

from .._i18n import _, language
from .._money import percent_text
from .checks import FIGURE_KINDS, shown_in_percent
from .model import Figure

CADENCE_ZH: Mapping[str, str] = {"quarterly": "按季度", "monthly": "按月"}
"""The cadences in Chinese words (the code itself in English)."""


def figure_text(name: str, figure: Figure[object]) -> str:
    """Figure ``name``'s value in words; an unknown one says it is refused."""
    if figure.unknown:
        return _("UNKNOWN (refused)")
    shown = figure.value_text()
    comma = "、" if language() == "zh" else ", "
    if isinstance(shown, list):
        return comma.join(
            _("{rate} from {start}").format(rate=percent_text(s["rate"]), start=s["from"])
            if isinstance(s, dict)
            else str(s)
            for s in shown
        )
    if shown is None:
        return _("open")
    if shown_in_percent(name):
        return percent_text(shown)
    if FIGURE_KINDS.get(name) == "cadence" and language() == "zh":
        return CADENCE_ZH.get(str(shown), str(shown))
    return str(shown)
