"""The web app: the pages and the HTTP API under them.

FastAPI (on Starlette) serves both, with Jinja2 templates; :class:`~._guard.Guard`
stands in front of every request. Claims and audits run as the command line in a child
process (:mod:`._runs`); deadlines, policy, the facility and the incentive are computed
in the server by the functions the command line calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from calendars import CalendarError

from .._errors import RelendInputError
from .._i18n import using_language
from ._common import LANG_COOKIE, labeller, page_language
from ._forms import audit_argv, claim_argv
from ._guard import CSRF_FIELD, Guard, csrf_ok, csrf_token
from ._runs import Run, Runs
from ._words import refusal, words

__all__ = ["create_app"]

HERE = Path(__file__).parent
_KINDS = {"claims": "claim", "audits": "audit"}


def _error(status: int, message: str, exit_code: int = 2) -> JSONResponse:
    return JSONResponse({"error": message, "exit_code": exit_code}, status_code=status)


def create_app(
    token: str, *, max_upload_mb: int = 200, keep_minutes: float = 60.0, book: str | None = None
) -> Any:
    """The relend web app (an ASGI application) for ``token``.

    Parameters
    ----------
    token : str
        Every request needs it (see :mod:`._guard`).
    max_upload_mb : int, default 200
        The largest request body accepted.
    keep_minutes : float, default 60
        How long a finished run's results are kept.
    book : str, optional
        A book to show (``/book``): a path or URL as ``relend book --book`` takes.
    """
    runs = Runs(keep_seconds=keep_minutes * 60)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            runs.close()

    app = FastAPI(
        title="relend",
        summary="PBoC relending claims, audits, deadlines and policy over HTTP",
        description=(
            "Every request needs the server's token: `Authorization: Bearer TOKEN`. "
            "A bad input is a 4xx JSON body `{error, exit_code}` with the command line's "
            "one-line message and exit status."
        ),
        lifespan=lifespan,
        docs_url=None,  # the interactive docs load scripts from a CDN
        redoc_url=None,
    )
    app.state.runs = runs
    app.state.book = book
    app.state.token = token
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.state.templates = templates

    @app.exception_handler(RelendInputError)
    @app.exception_handler(CalendarError)
    async def _input_error(request: Request, exc: Exception) -> Response:
        return _error(400, str(exc))

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = page_language(request)
        with using_language(lang):
            response = templates.TemplateResponse(
                request,
                name,
                {
                    "w": words(),
                    "lang": lang,
                    "csrf": csrf_token(token),
                    "csrf_field": CSRF_FIELD,
                    "path": request.url.path,
                    "has_book": book is not None,
                    "label": labeller(lang),
                    **context,
                },
                status_code=status,
            )
        if request.query_params.get("lang") in ("zh", "en"):
            response.set_cookie(
                LANG_COOKIE, page_language(request), httponly=True, samesite="strict"
            )
        return response

    app.state.render = render

    # ----------------------------------------------------------------- the API

    async def start(request: Request, kind: str) -> Response:
        form = await request.form()
        if not csrf_ok(request.scope, _field(form, CSRF_FIELD)):
            return _error(403, refusal("csrf"))
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        files = {k: v for k, v in form.items() if not isinstance(v, str)}
        asked = fields.get("lang")
        lang = asked if asked in ("zh", "en") else page_language(request)
        assert lang is not None
        run = runs.new(kind)
        try:
            with using_language(lang):
                argv = (claim_argv if kind == "claims" else audit_argv)(run, fields, files)
        except RelendInputError as exc:
            runs.delete(run)
            return _error(400, str(exc))
        finally:
            await form.close()
        runs.start(run, argv, lang)
        return JSONResponse(
            {"id": run.id, "status": run.status, "url": f"/api/{kind}/{run.id}"},
            status_code=202,
        )

    def run_state(run: Run, kind: str) -> dict[str, Any]:
        state: dict[str, Any] = {"id": run.id, "status": run.status, "progress": run.progress()}
        if run.status == "done":
            state["summary"] = run.summary
            state["exit_code"] = run.exit_code
            state["files"] = {n: f"/api/{kind}/{run.id}/files/{n}" for n in run.files()}
        elif run.status == "failed":
            state["error"] = run.error
            state["exit_code"] = run.exit_code
        return state

    for kind in ("claims", "audits"):
        _api_routes(app, kind, start, run_state, runs)

    @app.get("/api/deadline", tags=["deadlines"])
    async def deadline(period: str, calendar: str = "prc") -> dict[str, Any]:
        """The object ``relend deadline PERIOD --calendar CALENDAR --json`` prints."""
        from calendars import deadline_for

        return deadline_for(period, calendar).as_dict()

    @app.get("/api/policy/{program}", tags=["policy"])
    async def policy(program: str, request: Request, version: str | None = None) -> Any:
        """The object ``relend policy show PROGRAM [--version V] --json`` prints."""
        from ..engine.result import relend_version
        from ..policy.table import policy_table

        table = policy_table(None)
        with using_language(request.query_params.get("lang", "en")):
            found = table.program(program)
            versions = (table.version(program, version),) if version else found.versions
            return {
                "policy_source": table.source(relend_version()),
                "versions": [v.summary() for v in versions],
            }

    from ._pages import add_pages

    add_pages(app)
    return Guard(app, token, max_upload_mb * 1024 * 1024, _refusal_words)


def _field(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _refusal_words(scope: Any, key: str) -> str:
    request = Request(scope)
    with using_language(page_language(request)):
        return refusal(key)


def _multipart_schema(kind: str) -> dict[str, Any]:
    """The documented fields of ``POST /api/claims`` or ``/api/audits``."""
    from ..engine.program import registered

    lists = sorted({x.name for p in registered().values() for x in p.lists})
    props: dict[str, Any] = {
        "program": {"type": "string", "enum": list(registered())},
        "period": {"type": "string", "example": "2022Q2"},
        "lender": {"type": "string", "example": "ICBC"},
        "lang": {"type": "string", "enum": ["zh", "en"]},
        "sheet": {"type": "string"},
        "ledger": {"type": "string", "format": "binary"},
        "policy": {"type": "string", "format": "binary"},
        **{name: {"type": "string", "format": "binary"} for name in lists},
    }
    required = ["program", "period", "lender", "ledger"]
    if kind == "audits":
        props["submitted"] = {"type": "string", "format": "binary"}
        props["tolerance_fen"] = {"type": "integer", "minimum": 0, "maximum": 100}
        required.append("submitted")
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": props, "required": required}
                }
            },
        }
    }


def _api_routes(app: FastAPI, kind: str, start: Any, run_state: Any, runs: Runs) -> None:
    command = _KINDS[kind]

    async def post(request: Request) -> Response:
        return await start(request, kind)

    async def get(run_id: str) -> Response:
        run = runs.get(kind, run_id)
        if run is None:
            return _error(404, refusal("not_found"))
        return JSONResponse(run_state(run, kind))

    async def file(run_id: str, name: str) -> Response:
        run = runs.get(kind, run_id)
        if run is None:
            return _error(404, refusal("not_found"))
        if name not in run.files():
            return _error(404, refusal("file"))
        return FileResponse(run.out / name, filename=name)

    async def delete(run_id: str) -> Response:
        run = runs.get(kind, run_id)
        if run is None:
            return _error(404, refusal("not_found"))
        runs.delete(run)
        return Response(status_code=204)

    app.add_api_route(
        f"/api/{kind}",
        post,
        methods=["POST"],
        status_code=202,
        tags=[kind],
        summary=f"Start a {command} (multipart form); 202 with the run's id",
        openapi_extra=_multipart_schema(kind),
    )
    app.add_api_route(
        f"/api/{kind}/{{run_id}}",
        get,
        methods=["GET"],
        tags=[kind],
        summary=f"The {command}'s status, progress, summary and files",
    )
    app.add_api_route(
        f"/api/{kind}/{{run_id}}/files/{{name}}",
        file,
        methods=["GET"],
        tags=[kind],
        summary=f"A file the {command} wrote",
    )
    app.add_api_route(
        f"/api/{kind}/{{run_id}}",
        delete,
        methods=["DELETE"],
        tags=[kind],
        status_code=204,
        summary=f"Remove the {command} and its files",
    )


def today() -> dt.date:
    return dt.date.today()
