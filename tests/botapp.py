"""The Telegram Application as the command tests run it: the rules it offers, the countries
it watches, and polling started the way run_polling starts it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from bot.telegram.app import BotApp
from bot.telegram.types import RuleInfo

RULES = (
    RuleInfo("mass-detention", {"en": "Mass detentions", "ru": "Массовые задержания"}),
    RuleInfo("protest", {"en": "Protests", "ru": "Протесты"}),
    RuleInfo("internet-shutdown", {"en": "Internet shutdowns", "ru": "Отключения интернета"}),
)
WATCH = ("AM", "BY", "KZ", "KG", "RU", "TJ")


@contextlib.asynccontextmanager
async def polling(app: BotApp) -> AsyncIterator[None]:
    """Run the Application as run_polling does (post_init after initialize), quickly."""
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=1))
    try:
        yield
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
