"""Who may talk to the workbench: one ASGI guard in front of every route.

A server on 127.0.0.1 is still reachable by any web page the editor opens
(a form posting to it, DNS rebinding). So, as Jupyter and Datasette do:

- the start URL carries a random token; opening it sets a session cookie
  (HttpOnly, SameSite=Strict, named after the port) and redirects to the
  same page without the token;
- every request needs that cookie, and a Host header naming exactly the
  bound address (`127.0.0.1:PORT`), which a rebound DNS name never does;
- every POST carries the CSRF token in its form, and an Origin header, when
  the browser sends one, naming the bound address. The guard reads and checks
  the form itself and hands it to the handler parsed (`request.state.form`),
  so no route can forget the check;
- every response forbids framing, remote scripts, styles and images, and
  caching.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ("CSRF_FIELD", "Guard", "Secrets")

CSRF_FIELD = "csrf_token"
"""The form field every POST carries."""
MAX_FORM = 4 * 1024 * 1024
"""Largest form accepted, in bytes (a slot's text is far smaller)."""
HEADERS: Mapping[str, str] = {
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


@dataclass(frozen=True, slots=True)
class Secrets:
    """The random values of one server run."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    """In the start URL, printed in the terminal."""
    session: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    """The session cookie's value."""
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    """In every form."""


class Guard:
    """ASGI middleware: token login, session cookie, Host check, CSRF; see the module."""

    def __init__(self, app: ASGIApp, *, keys: Secrets, host: str, port: int) -> None:
        self.app = app
        self.keys = keys
        self.address = f"{host}:{port}"
        self.cookie = f"translator_session_{port}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_headers(send)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await _plain(send, 403, refusal)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if "token" in query:
            await self._login(scope, send, query)
            return
        if scope["method"] == "POST":
            form = await _read_form(receive)
            if form is None or not _same(form.get(CSRF_FIELD, ""), self.keys.csrf):
                await _plain(send, 403, "Forbidden: missing or wrong CSRF token; reload the page.")
                return
            scope.setdefault("state", {})["form"] = form
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope, headers: Mapping[str, str]) -> str | None:
        if headers.get("host") != self.address:
            return f"Forbidden: this server answers only to http://{self.address}/."
        if scope["method"] == "POST" and headers.get("origin", self.origin) != self.origin:
            return "Forbidden: a form from another site."
        if scope["method"] not in ("GET", "HEAD", "POST"):
            return "Forbidden: method not allowed."
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if "token" in query:
            ok = _same(query["token"], self.keys.token)
            return None if ok else "Forbidden: wrong token; use the URL printed in the terminal."
        jar = SimpleCookie(headers.get("cookie", ""))
        morsel = jar.get(self.cookie)
        if morsel is None or not _same(morsel.value, self.keys.session):
            return (
                "Forbidden: no session. Open the URL with ?token=… that `translator review "
                "--serve` printed in the terminal."
            )
        return None

    @property
    def origin(self) -> str:
        """The only Origin a POST may come from."""
        return f"http://{self.address}"

    async def _login(self, scope: Scope, send: Send, query: dict[str, str]) -> None:
        rest = urlencode({k: v for k, v in query.items() if k != "token"})
        location = scope["path"] + (f"?{rest}" if rest else "")
        cookie = f"{self.cookie}={self.keys.session}; Path=/; HttpOnly; SameSite=Strict"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [(b"location", location.encode()), (b"set-cookie", cookie.encode())],
            }
        )
        await send({"type": "http.response.body", "body": b""})


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _with_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in HEADERS.items():
                headers[name] = value
        await send(message)

    return wrapped


async def _read_form(receive: Receive) -> dict[str, str] | None:
    """The urlencoded form of a POST (None when too large or not text)."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > MAX_FORM:
            return None
        if not message.get("more_body", False):
            break
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return None


async def _plain(send: Send, status: int, text: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": text.encode()})
