"""What the web app's modules share: the page's language, the labels beside codes, and
where plotly's browser script is."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from fastapi import Request

__all__ = ["LANG_COOKIE", "labeller", "page_language", "plotly_script"]

LANG_COOKIE = "relend_lang"


def page_language(request: Request) -> str:
    """``?lang=``, else the language cookie, else the browser's first of zh or en, else
    Chinese."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in ("zh", "en"):
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()
        if code.startswith("zh"):
            return "zh"
        if code.startswith("en"):
            return "en"
    return "zh"


def plotly_script() -> Path | None:
    """plotly.js as shipped inside the plotly wheel (never a CDN)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


def labeller(lang: str) -> Any:
    """``label(code)``: a reason's or an audit class's label in the page's language."""
    from ..engine.labels import AUDIT_CLASS_LABELS, FIGURE_LABELS, LIST_LABELS, REASON_LABELS, label

    tables = {"class": AUDIT_CLASS_LABELS, "figure": FIGURE_LABELS, "list": LIST_LABELS}

    def labelled(code: str, table: str = "reason") -> str:
        return label(tables.get(table, REASON_LABELS), code, lang)

    return labelled
