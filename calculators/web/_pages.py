"""The pages: forms in Chinese first, each doing what its subcommand does."""

from __future__ import annotations

import calendar as month_grid
import csv
import datetime as dt
import json
import warnings
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from calendars import CALENDAR_NAMES, CalendarError, Month, Quarter, deadline_for, get_calendar

from .._errors import RelendInputError
from .._i18n import using_language
from ._guard import CSRF_FIELD, csrf_ok
from ._runs import Run
from ._words import refusal

__all__ = ["add_pages"]

HERE = Path(__file__).parent
PAGE_ROWS = 50


def _programs(request: Request) -> list[dict[str, Any]]:
    """The registry's programs, their names and lists, in the page's language."""
    from ._common import page_language

    with using_language(page_language(request)):
        return _programs_now()


def _programs_now() -> list[dict[str, Any]]:
    from ..engine.labels import list_help as _list_help
    from ..engine.program import registered

    return [
        {
            "id": p.id,
            "name": p.name_zh,
            "name_en": p.name_en,
            "lists": [
                {
                    "name": x.name,
                    "option": x.option,
                    "required": x.required,
                    "help": _list_help(x.name, x.help),
                }
                for x in p.lists
            ],
        }
        for p in registered().values()
    ]


def _lenders() -> list[dict[str, str]]:
    from ..policy.lenders import LENDERS

    return [{"code": x.code, "name": x.name} for x in LENDERS]


def _reason_chart(run: Run, label: Any) -> dict[str, Any]:
    """Loans and principal by reason code, from the run's loans.csv (two columns read)."""
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    path = run.out / "loans.csv"
    if not path.is_file():
        return {"reasons": [], "loans": [], "principal_yuan": []}
    table = pcsv.read_csv(
        path,
        convert_options=pcsv.ConvertOptions(
            include_columns=["reason", "principal_fen"],
            column_types={"reason": "string", "principal_fen": "int64"},
        ),
    )
    grouped = table.group_by("reason").aggregate([("principal_fen", "sum"), ("reason", "count")])
    rows = sorted(
        zip(
            grouped["reason"].to_pylist(),
            grouped["reason_count"].to_pylist(),
            pc.fill_null(grouped["principal_fen_sum"], 0).to_pylist(),
            strict=True,
        ),
        key=lambda r: (-r[1], r[0]),
    )
    return {
        "reasons": [f"{label(r[0])}<br>{r[0]}" if label(r[0]) != r[0] else r[0] for r in rows],
        "loans": [r[1] for r in rows],
        "principal_yuan": [r[2] / 100 for r in rows],  # a chart's bar heights only
    }


def _invalid_page(run: Run, page: int) -> tuple[list[dict[str, Any]], int]:
    """One page of the invalid rows: line, loan id, reason, detail; and the page count."""
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    from ..readers.columns import canonical_name

    path = run.out / "loans.csv"
    if not path.is_file():
        return [], 0
    with path.open(encoding="utf-8-sig", newline="") as f:
        header: list[str] = next(iter(csv.reader(f)), [])
    loan_column = next((c for c in header if canonical_name(c) == "loan_id"), header[0])
    table = pcsv.read_csv(
        path,
        convert_options=pcsv.ConvertOptions(
            include_columns=[loan_column, "status", "reason", "detail"],
            column_types={c: "string" for c in (loan_column, "status", "reason", "detail")},
        ),
    )
    rows = pc.indices_nonzero(pc.equal(table["status"], "invalid")).to_pylist()
    pages = max(1, -(-len(rows) // PAGE_ROWS))
    shown = rows[(page - 1) * PAGE_ROWS : page * PAGE_ROWS]
    offset = int((run.summary or {}).get("input_format", {}).get("header_row", 1) or 1) + 1
    out = []
    for k in shown:
        out.append(
            {
                "line": k + offset,
                "loan_id": table[loan_column][k].as_py() or "",
                "reason": table["reason"][k].as_py(),
                "detail": table["detail"][k].as_py() or "",
            }
        )
    return out, pages


def _differences_page(run: Run, page: int) -> tuple[list[dict[str, Any]], int]:
    """One page of an audit's rows, differences first (as audit.csv orders them)."""
    import pyarrow.csv as pcsv

    path = run.out / "audit.csv"
    if not path.is_file():
        return [], 0
    table = pcsv.read_csv(
        path,
        convert_options=pcsv.ConvertOptions(column_types={"loan_id": "string", "detail": "string"}),
    )
    pages = max(1, -(-table.num_rows // PAGE_ROWS))
    part = table.slice((page - 1) * PAGE_ROWS, PAGE_ROWS).to_pylist()
    return part, pages


def _year_calendar(year: int, name: str) -> dict[str, Any]:
    """Each month of ``year``: weeks of days, each marked holiday, make-up working day or
    application deadline (of the quarters and months whose deadline falls on it)."""
    cal = get_calendar(name)
    due: dict[dt.date, list[str]] = {}
    periods: list[Quarter | Month] = [
        *(Quarter(year - 1, 4), *(Quarter(year, q) for q in (1, 2, 3))),
        Month(year - 1, 12),
        *(Month(year, m) for m in range(1, 12)),
    ]
    for period in periods:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            deadline = deadline_for(period, cal)
        due.setdefault(deadline.date, []).append(str(period))
    months = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for month in range(1, 13):
            weeks = []
            for week in month_grid.Calendar().monthdatescalendar(year, month):
                days: list[dict[str, Any] | None] = []
                for day in week:
                    if day.month != month:
                        days.append(None)
                        continue
                    open_day = cal.is_business_day(day)
                    weekend = day.weekday() >= 5
                    days.append(
                        {
                            "day": day.day,
                            "iso": day.isoformat(),
                            "holiday": not open_day and not weekend,
                            "makeup": open_day and weekend,
                            "weekend": weekend,
                            "due": due.get(day, []),
                        }
                    )
                weeks.append(days)
            months.append({"month": month, "weeks": weeks})
    return {"months": months, "status": cal.year_status(year), "source": cal.source(year)}


def _calendar_titles(request: Request) -> dict[str, str]:
    """Each calendar's name in the page's language (中国内地工作日历 for prc)."""
    from calendars._calendar import calendar_title

    from ._common import page_language

    with using_language(page_language(request)):
        return {name: calendar_title(name) for name in CALENDAR_NAMES}


def add_pages(app: FastAPI) -> None:
    """The pages' routes on ``app``."""
    render = app.state.render
    runs = app.state.runs

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        lang = request.query_params.get("lang")
        return RedirectResponse("/claim" + (f"?lang={lang}" if lang else ""), status_code=303)

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        from ._common import plotly_script

        if name == "plotly.min.js":
            found = plotly_script()
            return FileResponse(found) if found else Response(status_code=404)
        path = HERE / "static" / name
        if name not in ("relend.css", "relend.js") or not path.is_file():
            return Response(status_code=404)
        return FileResponse(path)

    def form_page(kind: str) -> Any:
        async def page(request: Request) -> Response:
            return render(
                request, "run_form.html", kind=kind, programs=_programs(request), lenders=_lenders()
            )

        async def post(request: Request) -> Response:
            form = await request.form()
            if not csrf_ok(request.scope, form.get(CSRF_FIELD)):  # type: ignore[arg-type]
                await form.close()
                return render(request, "message.html", message=refusal("csrf"), status=403)
            from ._forms import audit_argv, claim_argv

            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            files = {k: v for k, v in form.items() if not isinstance(v, str)}
            run = runs.new(kind + "s")
            from ._common import page_language

            lang = page_language(request)
            try:
                with using_language(lang):
                    argv = (claim_argv if kind == "claim" else audit_argv)(run, fields, files)
            except RelendInputError as exc:
                runs.delete(run)
                return render(
                    request,
                    "run_form.html",
                    kind=kind,
                    programs=_programs(request),
                    lenders=_lenders(),
                    error=str(exc),
                    given=fields,
                )
            finally:
                await form.close()
            runs.start(run, argv, lang)
            return RedirectResponse(f"/{kind}s/{run.id}", status_code=303)

        return page, post

    for kind in ("claim", "audit"):
        get_page, post_page = form_page(kind)
        app.add_api_route(f"/{kind}", get_page, methods=["GET"], include_in_schema=False)
        app.add_api_route(f"/{kind}", post_page, methods=["POST"], include_in_schema=False)

    async def run_page(request: Request, kind: str, run_id: str) -> Response:
        run = runs.get(kind, run_id)
        if run is None:
            return render(request, "message.html", message=refusal("not_found"), status=404)
        page = max(
            1,
            int(request.query_params.get("page", "1") or 1)
            if request.query_params.get("page", "1").isdigit()
            else 1,
        )
        context: dict[str, Any] = {"run": run, "kind": kind, "page": page}
        if run.status == "done":
            if kind == "claims":
                from ._common import labeller, page_language

                chart = _reason_chart(run, labeller(page_language(request)))
                context["chart"] = json.dumps(chart, ensure_ascii=False)
                context["rows"], context["pages"] = _invalid_page(run, page)
            else:
                context["rows"], context["pages"] = _differences_page(run, page)
        return render(request, "run.html", **context)

    @app.get("/claims/{run_id}", include_in_schema=False)
    async def claim_run(request: Request, run_id: str) -> Response:
        return await run_page(request, "claims", run_id)

    @app.get("/audits/{run_id}", include_in_schema=False)
    async def audit_run(request: Request, run_id: str) -> Response:
        return await run_page(request, "audits", run_id)

    @app.get("/deadlines", include_in_schema=False)
    async def deadlines(request: Request) -> Response:
        year_text = request.query_params.get("year", "")
        year = int(year_text) if year_text.isdigit() else dt.date.today().year
        name = request.query_params.get("calendar", "prc")
        if name not in CALENDAR_NAMES:
            name = "prc"
        shown = {"year": year, "calendar": name, "names": CALENDAR_NAMES,
                 "titles": _calendar_titles(request)}  # fmt: skip
        try:
            grid = _year_calendar(year, name)
        except CalendarError as exc:
            return render(request, "deadlines.html", error=str(exc), **shown)
        return render(request, "deadlines.html", grid=grid, **shown)

    @app.get("/policy", include_in_schema=False)
    async def policy(request: Request) -> Response:
        from ..policy.shown import figure_text
        from ..policy.table import policy_table
        from ._common import page_language

        table = policy_table(None)
        program = request.query_params.get("program") or next(iter(table.programs))
        with using_language(page_language(request)):
            try:
                versions = []
                for version in table.program(program).versions:
                    shown = version.summary()
                    for name, figure in version.figures.items():
                        shown["figures"][name]["shown"] = figure_text(name, figure)
                    versions.append(shown)
            except RelendInputError as exc:
                return render(request, "message.html", message=str(exc), status=400)
        programs = [
            {"id": code, "name": found.name_zh or code, "name_en": found.name_en or code}
            for code, found in table.programs.items()
        ]
        return render(request, "policy.html", programs=programs, program=program, versions=versions)

    @app.get("/facility", include_in_schema=False)
    async def facility_page(request: Request) -> Response:
        q = request.query_params
        context: dict[str, Any] = {"programs": _programs(request), "given": dict(q)}
        if q.get("amount"):
            from .._money import yuan_to_fen
            from ..tools import facility
            from ._common import page_language

            with using_language(page_language(request)):
                try:
                    day = dt.date.fromisoformat(q.get("drawdown", ""))
                    ext = int(q.get("extensions") or 0)
                    context["result"] = facility.schedule(
                        q.get("program", ""), yuan_to_fen(q["amount"], "amount"), day, ext
                    ).summary()
                except (RelendInputError, CalendarError) as exc:
                    context["error"] = str(exc)
                except ValueError:
                    from .._errors import ParameterError
                    from .._i18n import cli_

                    context["error"] = str(
                        ParameterError(
                            "drawdown", q.get("drawdown", ""), cli_("a date written YYYY-MM-DD")
                        )
                    )
        return render(request, "facility.html", **context)

    @app.get("/incentive", include_in_schema=False)
    async def incentive_page(request: Request) -> Response:
        q = request.query_params
        context: dict[str, Any] = {"given": dict(q)}
        if q.get("quarter"):
            from .._money import yuan_to_fen
            from ..tools import incentive
            from ._common import page_language

            with using_language(page_language(request)):
                try:
                    context["result"] = incentive.incentive(
                        q["quarter"],
                        yuan_to_fen(q.get("previous_balance", ""), "previous_balance"),
                        yuan_to_fen(q.get("current_balance", ""), "current_balance"),
                    ).summary()
                except (RelendInputError, CalendarError) as exc:
                    context["error"] = str(exc)
        return render(request, "incentive.html", **context)

    @app.get("/book", include_in_schema=False)
    async def book_page(request: Request) -> Response:
        if app.state.book is None:
            return render(request, "book.html", view=None)
        from ..book import Book
        from ._common import page_language

        today = dt.date.today()
        with (
            using_language(page_language(request)),
            Book(app.state.book) as book,
            warnings.catch_warnings(record=True) as caught,
        ):
            warnings.simplefilter("always")
            view = book.show(today).as_dict()
            ladder = book.schedule(today.replace(day=1), today.replace(year=today.year + 2))
        notes = sorted({str(w.message) for w in caught})
        ladder_rows = [
            {k: (int(v) if k.endswith("_fen") else v) for k, v in r.items()}
            for r in ladder.to_dict("records")
        ]
        return render(request, "book.html", view=view, ladder=ladder_rows, notes=notes)
