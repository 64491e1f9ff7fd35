"""What every request passes before the app sees it: the token, the CSRF check of form
posts, the upload cap, and headers that keep the pages to relend's own host.

- The token: ``Authorization: Bearer T``, or the ``relend_token`` cookie that a first
  visit with ``?token=T`` sets (``HttpOnly``, ``SameSite=Strict``); else 401.
- A post carried by the cookie (a browser's form) must also carry the page's CSRF token
  (a keyed digest of the token, in a hidden field or the ``X-CSRF-Token`` header) and,
  where the browser sends one, an ``Origin`` of this host; else 403. A post carrying the
  token in ``Authorization`` is not a browser's and needs none.
- A body above the cap is refused with 413 before it is stored: at once when its
  ``Content-Length`` says so, else as soon as the bytes received pass it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

__all__ = ["COOKIE", "CSRF_FIELD", "Guard", "csrf_ok", "csrf_token"]

COOKIE = "relend_token"
CSRF_FIELD = "csrf"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# nothing from another host: scripts, styles, fonts and images are relend's own
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


def csrf_token(token: str) -> str:
    """The CSRF token of the pages served under ``token``."""
    return hmac.new(token.encode(), b"relend csrf", hashlib.sha256).hexdigest()


class Guard:
    """ASGI middleware: the token, CSRF, the upload cap and the security headers.

    Parameters
    ----------
    app : ASGI application
    token : str
    max_body : int
        The largest request body accepted, in bytes.
    messages : callable
        ``messages(lang, key)``: the refusal's words in the request's language.
    """

    def __init__(
        self, app: ASGIApp, token: str, max_body: int, messages: Callable[[Scope, str], str]
    ) -> None:
        self.app = app
        self.token = token
        self.csrf = csrf_token(token)
        self.max_body = max_body
        self.messages = messages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header: as if none
            cookies = SimpleCookie()
        bearer = headers.get("authorization", "")
        by_bearer = bearer.startswith("Bearer ") and _same(bearer[7:].strip(), self.token)
        by_cookie = COOKIE in cookies and _same(cookies[COOKIE].value, self.token)
        if not by_bearer and not by_cookie and _same(query.get("token", ""), self.token):
            await self._set_cookie(scope, query, send)
            return
        if not (by_bearer or by_cookie):
            await self._refuse(scope, send, 401, "token")
            return
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and not by_bearer:
            origin = headers.get("origin")
            if origin is not None and origin.split("://", 1)[-1] != headers.get("host"):
                await self._refuse(scope, send, 403, "origin")
                return
            if not _same(headers.get("x-csrf-token", ""), self.csrf):
                # the form's hidden field is read by the route that reads the form
                scope["relend.csrf_pending"] = self.csrf
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            await self._refuse(scope, send, 413, "too_large")
            return
        await self._pass(scope, receive, send)

    async def _pass(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        too_large = False
        refused = False

        async def counted() -> Message:
            nonlocal received, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    # the app stops reading as if the client had gone; its answer is
                    # replaced by the 413 below
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def headed(message: Message) -> None:
            nonlocal refused
            if too_large:
                if not refused:
                    refused = True
                    await self._refuse(scope, send, 413, "too_large")
                return
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        try:
            await self.app(scope, counted, headed)
        except Exception:
            if not too_large:
                raise
        if too_large and not refused:
            await self._refuse(scope, send, 413, "too_large")

    async def _set_cookie(self, scope: Scope, query: dict[str, str], send: Send) -> None:
        """A first visit with ``?token=``: the cookie, and the same page without it."""
        rest = urlencode({k: v for k, v in query.items() if k != "token"})
        location = scope.get("path", "/") + (f"?{rest}" if rest else "")
        cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", location.encode()),
                    (b"set-cookie", cookie.encode()),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    async def _refuse(self, scope: Scope, send: Send, status: int, key: str) -> None:
        text = self.messages(scope, key)
        if scope.get("path", "").startswith("/api/") or "html" not in _accept(scope):
            body = json.dumps({"error": text, "exit_code": 2}, ensure_ascii=False).encode()
            kind = b"application/json"
        else:
            body = (
                f"<!doctype html><meta charset=utf-8><title>relend</title><p>{text}</p>"
            ).encode()
            kind = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", kind),
                    (b"content-length", str(len(body)).encode()),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def csrf_ok(scope: Scope, given: str | None) -> bool:
    """Whether a post that the browser's cookie carried brings the page's CSRF token
    (a post with the bearer token, or the header, needs none)."""
    expected = scope.get("relend.csrf_pending")
    return expected is None or (given is not None and _same(given, expected))


def _same(given: str, expected: str) -> bool:
    return secrets.compare_digest(given.encode(), expected.encode())


def _accept(scope: Scope) -> str:
    for key, value in scope["headers"]:
        if key.lower() == b"accept":
            return str(value.decode("latin-1"))
    return ""
