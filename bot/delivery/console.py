"""The console sink: without a Telegram token, print each alert instead of sending it.

It consumes the same outbox as the Telegram sender, through the same consumer-group
loop, and records each alert as delivered to one pseudo-chat ("console"), so an alert
is printed once even across restarts and processes. Digests are printed too.
"""

from __future__ import annotations

import sys
from typing import IO

from bot.delivery.consumer import OutboxConsumer
from bot.delivery.outbox import Outbox, OutboxEntry
from bot.delivery.render import Rendered, RuleTitle, render_for
from bot.ops.metrics import Metrics
from bot.times import Clock, utc_now
from bot.types import AlertKind


class ConsoleSink(OutboxConsumer):
    """Without a Telegram token: print each alert's plain rendering, once."""

    CHAT = "console"

    def __init__(self, outbox: Outbox, *, stream: IO[str] | None = None, language: str = "en",
                 rule_title: RuleTitle | None = None, consumer: str | None = None,
                 claim_idle: float = 60.0, clock: Clock = utc_now,
                 metrics: Metrics | None = None) -> None:
        # One at a time: a console reader expects alerts in the order they were queued.
        super().__init__(outbox, consumer=consumer, claim_idle=claim_idle, max_in_flight=1,
                         clock=clock, metrics=metrics)
        self.stream = stream
        self.language = language
        self.rule_title = rule_title

    def _write(self, text: str) -> None:
        out = self.stream or sys.stdout
        out.write(text + "\n" + "─" * 40 + "\n")
        out.flush()

    async def handle(self, entry: OutboxEntry) -> bool:
        alert = entry.alert
        assert alert is not None
        if self.CHAT in await self.outbox.deliveries(alert.id):
            return True
        if alert.kind is AlertKind.SOURCES:
            self._write(f"[{alert.story_id}] {alert.title}: also reported by "
                        + ", ".join(alert.sources))
        else:
            self._write(render_for(alert, self.language, self.rule_title).text)
        await self.outbox.record_delivery(alert.id, self.CHAT, "printed")
        self.count_sent("console", alert)
        return True

    async def send_rendered(self, chat: int, rendered: Rendered, *, is_group: bool = False,
                            thread_id: int | None = None) -> int | None:
        self._write(f"[digest for {chat}]\n{rendered.text}")
        return 0
