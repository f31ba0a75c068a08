"""The pages' routes, all behind the token, added to the metrics server's app.

    /                 → /studio
    /login, /logout   the login form (sets the session cookie), and its end
    /studio           the rule studio (and its /api/…, see `bot.web.studio`)
    /stories, /feeds, /chart
    /static/…         the page's own CSS and JS (package data: no outside asset; public,
                      as the login form needs them)

Any other request without the token gets 401: a page answers with the login form, the API
with JSON. /metrics and /healthz are not affected.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from importlib import resources

from aiohttp import web

from bot.web.auth import (
    Handler,
    authorized,
    end_session,
    local_target,
    same_origin,
    same_secret,
    set_session,
)
from bot.web.chart import ChartPage
from bot.web.feeds import feeds_page
from bot.web.render import HEADERS, json_response, page
from bot.web.stories import stories_page
from bot.web.studio import Studio
from bot.web.types import WebServices

log = logging.getLogger(__name__)
STATIC = {"style.css": "text/css", "studio.js": "text/javascript"}


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={**HEADERS, "Location": location})


class WebPages:
    def __init__(self, services: WebServices) -> None:
        if not services.token:
            raise ValueError("the web pages need a token")
        self.services = services
        self.studio = Studio(services)
        self.chart = ChartPage(services)

    def guard(self, handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(request: web.Request) -> web.StreamResponse:
            if authorized(request, self.services.token):
                return await handler(request)
            if request.path.startswith("/api/"):
                response = json_response({"error": "unauthorized: send the token"}, status=401)
            else:
                response = page("login.html", status=401, nav="",
                                target=local_target(request.path_qs), failed=False)
            response.headers["WWW-Authenticate"] = 'Bearer realm="eventwatch"'
            return response

        return checked

    def install(self, app: web.Application) -> None:
        s, g = self.services, self.guard

        def bound(view: Callable[[WebServices, web.Request], Awaitable[web.Response]]
                  ) -> Handler:
            return g(functools.partial(view, s))

        app.router.add_get("/", g(self.index))
        app.router.add_get("/login", self.login_form)
        app.router.add_post("/login", self.login)
        app.router.add_post("/logout", self.logout)
        app.router.add_get("/static/{name}", self.static)  # our CSS and JS, no data
        app.router.add_get("/studio", g(self.studio.page))
        app.router.add_get("/stories", bound(stories_page))
        app.router.add_get("/feeds", bound(feeds_page))
        app.router.add_get("/chart", g(self.chart.page))
        app.router.add_post("/api/validate", g(self.studio.validate))
        app.router.add_post("/api/explain", g(self.studio.explain))
        app.router.add_post("/api/backtest", g(self.studio.backtest))
        app.router.add_get("/api/backtest/{id}", g(self.studio.backtest_page))
        app.router.add_get("/api/archive", g(self.studio.archive_list))
        app.router.add_get("/api/archive/{id}", g(self.studio.archive_entry))
        app.router.add_get("/api/rulefiles", g(self.studio.rule_files))
        app.router.add_get("/api/rulefile", g(self.studio.rule_file))

    async def index(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/studio")

    async def login_form(self, request: web.Request) -> web.Response:
        return page("login.html", nav="", target=local_target(request.query.get("next")),
                    failed=False)

    async def login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        target = local_target(str(form.get("next", "")))
        token = str(form.get("token", ""))
        if not same_origin(request) or not same_secret(token, self.services.token):
            log.warning("web login refused", extra={"remote": request.remote})
            return page("login.html", status=401, nav="", target=target, failed=True)
        response = _see_other(target)
        set_session(response, request, self.services.token)
        return response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        response = _see_other("/login")
        end_session(response)
        return response

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in STATIC:  # a fixed list: no path is ever built from the request
            raise web.HTTPNotFound()
        body = resources.files("bot.web").joinpath("static", name).read_bytes()
        return web.Response(body=body, content_type=STATIC[name], headers=HEADERS)
