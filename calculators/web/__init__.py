"""relend in a browser: the claim, the audit, the deadline calendar, the policy, the
facility and the incentive, and an HTTP API under the pages (``relend serve``).

The app runs on FastAPI (Starlette), Jinja2 and uvicorn, with plotly's browser script;
:func:`create_app` builds it for a token.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(token: str, **options: Any) -> Any:
    """The web app (an ASGI application); see :func:`calculators.web._app.create_app`."""
    from ._app import create_app as made

    return made(token, **options)
