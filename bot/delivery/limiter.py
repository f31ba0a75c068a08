"""The bot's replies within the limits: every request python-telegram-bot makes, paced.

`PacedLimiter` is PTB's rate-limiter hook (`ApplicationBuilder.rate_limiter`): command
replies, button answers, edits and keyboards all pass through it. It waits for the
chat's slot and the overall limit in the `Pacer` shared with the alerts, in the REPLY
lane (before a broadcast), so the limits hold for the sum of all traffic. On a 429 it
pauses that chat, waits its turn and sends again; network errors are retried with
backoff and jitter (`policy.decide`). A reply that cannot go out within
`telegram.reply_deadline` is logged and counted, never silently lost.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import TelegramError
from telegram.ext import BaseRateLimiter

from bot.delivery.pacing import Lane, Pacer
from bot.delivery.policy import Do, decide, retry_delay
from bot.ops.metrics import Metrics

log = logging.getLogger(__name__)

# Requests that send nothing to a chat: not paced (getUpdates long-polls).
UNPACED = frozenset({
    "getUpdates", "getMe", "getChat", "getChatMember", "getChatAdministrators",
    "getWebhookInfo", "setWebhook", "deleteWebhook", "getMyCommands", "logOut", "close",
})
BACKOFF, MAX_BACKOFF = 0.5, 30.0


def is_group_chat(chat: str) -> bool:
    """Groups, supergroups and channels have negative ids (or an @username)."""
    return chat.startswith(("-", "@"))


class PacedLimiter(BaseRateLimiter[None]):
    """Paces and retries every PTB request through the shared `Pacer`."""

    def __init__(self, pacer: Pacer, *, deadline: Callable[[], float],
                 max_retry_after: Callable[[], float] = lambda: 3600.0,
                 metrics: Metrics | None = None) -> None:
        self.pacer = pacer
        self.deadline = deadline
        self.max_retry_after = max_retry_after
        self.metrics = metrics

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint in UNPACED:
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        # A callback answer or a command menu is no message in a chat: overall limit only.
        chat = str(chat_id) if chat_id is not None else None
        is_group = chat is not None and is_group_chat(chat)
        ticker = self.pacer.ticker
        started, attempt = ticker.now(), 0
        while True:
            await self.pacer.wait_turn(chat, is_group, Lane.REPLY)
            try:
                with (self.pacer.sending(chat, is_group) if chat is not None
                      else contextlib.nullcontext()):
                    return await callback(*args, **kwargs)
            except TelegramError as exc:
                action = decide(exc)
                if action.do is Do.WAIT:
                    wait = min(action.delay, self.max_retry_after())
                    self.pacer.pause(chat, wait)
                    if self.metrics is not None:
                        self.metrics.telegram_429.inc()
                elif action.do is Do.RETRY:
                    attempt += 1
                    wait = retry_delay(attempt, BACKOFF, MAX_BACKOFF)
                else:
                    raise  # the handler's business: blocked, bad request, …
                late = ticker.now() - started + wait
                if late > self.deadline():
                    log.error("reply given up: not sent within telegram.reply_deadline",
                              extra={"chat": chat, "method": endpoint,
                                     "seconds": round(late, 1), "error": action.message})
                    if self.metrics is not None:
                        self.metrics.telegram_replies_lost.inc()
                    raise
                log.info("reply delayed by Telegram; sending again", extra={
                    "chat": chat, "method": endpoint, "wait": round(wait, 2),
                    "error": action.message})
                if action.do is Do.RETRY:
                    await ticker.sleep(wait)  # a 429's wait is the chat's pause in the pacer
