"""The pages' token: `Authorization: Bearer TOKEN`, or the session cookie that the login
form sets after it was given the token once.

The cookie holds an HMAC of the token, not the token, so it can't be replayed as a
Bearer header elsewhere, and changing EVENTWATCH_WEB_TOKEN ends every session. It is
HttpOnly and SameSite=Strict (no other site can make a browser send it), and a POST
that brings the cookie must come from the same origin. The token is never taken from a
URL: URLs end up in logs and browser history. Every comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

COOKIE = "eventwatch_session"
SESSION_DAYS = 7
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def session_value(token: str) -> str:
    return hmac.new(token.encode(), b"eventwatch web session v1", hashlib.sha256).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def bearer_ok(request: web.Request, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return scheme.lower() == "bearer" and same_secret(value.strip(), token)


def cookie_ok(request: web.Request, token: str) -> bool:
    value = request.cookies.get(COOKIE)
    return value is not None and same_secret(value, session_value(token))


def same_origin(request: web.Request) -> bool:
    """A browser's POST names its origin; it must be this server."""
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.host


def authorized(request: web.Request, token: str) -> bool:
    if bearer_ok(request, token):
        return True
    if not cookie_ok(request, token):
        return False
    return request.method in ("GET", "HEAD") or same_origin(request)


def set_session(response: web.StreamResponse, request: web.Request, token: str) -> None:
    response.set_cookie(COOKIE, session_value(token), max_age=SESSION_DAYS * 86400,
                        path="/", httponly=True, samesite="Strict", secure=request.secure)


def end_session(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/")


def local_target(value: str | None) -> str:
    """Where to go after logging in: a path on this server only (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/studio"
    return value
