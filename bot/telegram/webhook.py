"""Telegram updates by webhook: a small aiohttp endpoint feeding PTB's update queue.

PTB's own `Updater.start_webhook` needs tornado (the `webhooks` extra); eventwatch
already serves HTTP with aiohttp, so it takes PTB's documented "custom webhook" route:
register the URL with `setWebhook` (with a secret token), check the
`X-Telegram-Bot-Api-Secret-Token` header on every POST, and put the update on
`Application.update_queue`. Exactly one process receives a webhook URL, so this keeps
"one process answers Telegram" true by construction.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.config.settings import WebhookSettings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # an update is a few KB; refuse anything silly


class WebhookServer:
    def __init__(self, application: Application,  # type: ignore[type-arg]
                 settings: WebhookSettings, secret: str) -> None:
        if not secret:
            raise ValueError("telegram.webhook needs EVENTWATCH_TELEGRAM_WEBHOOK_SECRET")
        self.application = application
        self.settings = settings
        self.secret = secret
        self.path = urlsplit(settings.url).path or "/"
        self.port = settings.port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.path, self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.listen, self.settings.port)
        await site.start()
        server: Any = site._server
        self.port = int(server.sockets[0].getsockname()[1])
        # Set it after we listen, so the first push finds us.
        await self.application.bot.set_webhook(
            url=self.settings.url, secret_token=self.secret,
            allowed_updates=Update.ALL_TYPES)
        log.info("telegram webhook listening", extra={
            "listen": self.settings.listen, "port": self.port, "path": self.path})

    async def stop(self) -> None:
        # The webhook stays registered: Telegram keeps updates until we are back.
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook call without the right secret token refused",
                        extra={"remote": request.remote})
            return web.Response(status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, self.application.bot)
        except Exception:
            log.warning("webhook call with a body that is not an update", exc_info=True)
            return web.Response(status=400)
        await self.application.update_queue.put(update)
        return web.Response(status=200)
