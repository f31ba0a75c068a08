"""What a group of Telegram handlers is bound to: one constructor for commands and buttons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.telegram.permissions import Permissions
from bot.telegram.types import BotServices
from bot.telegram.views import Views


class BoundHandlers:
    """The services, permission checks, views and clock every handler method uses."""

    def __init__(
        self, services: BotServices, permissions: Permissions, views: Views,
        clock: Callable[[], datetime],
    ) -> None:
        self.services = services
        self.permissions = permissions
        self.views = views
        self._clock = clock
