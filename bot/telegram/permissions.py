"""Who may change a chat's settings: bot admins, a group's admins, nobody in a channel.

In a private chat the user owns the settings. In a group only its admins may change them;
an anonymous admin writes as the group itself, and a bot admin (`telegram.admins`) may act
anywhere. A group admin is asked of Telegram (getChatMember) and the answer is cached for a
while, so a burst of button presses costs one request, not one each.
"""

from __future__ import annotations

import logging
import time as monotonic_clock
from collections.abc import Callable

from telegram import Bot, Chat, ChatMember, Message, User
from telegram.constants import ChatType
from telegram.error import TelegramError

log = logging.getLogger(__name__)

_CAN_CHANGE = {ChatMember.OWNER, ChatMember.ADMINISTRATOR}


class Permissions:
    """Bot admins from the config, group admins from Telegram (cached `cache_ttl` seconds)."""

    def __init__(self, admins: Callable[[], frozenset[int]], *, cache_ttl: float = 60.0) -> None:
        self._admins = admins
        self._ttl = cache_ttl
        self._cache: dict[tuple[int, int], tuple[bool, float]] = {}

    def is_bot_admin(self, user: User | None) -> bool:
        return user is not None and user.id in self._admins()

    async def may_change(
        self, bot: Bot, chat: Chat, user: User | None, message: Message | None = None
    ) -> bool:
        """May this user change this chat's settings? In groups: its admins only."""
        if chat.type == ChatType.PRIVATE:
            return True
        if chat.type == ChatType.CHANNEL:
            return False  # channels are destinations from settings, not command sources
        if message is not None and message.sender_chat is not None:
            # An anonymous group admin writes as the group itself.
            return message.sender_chat.id == chat.id
        if user is None:
            return False
        if self.is_bot_admin(user):
            return True
        key = (chat.id, user.id)
        now = monotonic_clock.monotonic()
        cached = self._cache.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            member = await bot.get_chat_member(chat.id, user.id)
        except TelegramError as exc:
            log.warning("getChatMember failed", extra={"chat": chat.id, "user": user.id,
                                                       "error": str(exc)})
            return False
        allowed = member.status in _CAN_CHANGE
        if len(self._cache) > 10_000:  # keep the cache bounded
            self._cache = {k: v for k, v in self._cache.items() if v[1] > now}
        self._cache[key] = (allowed, now + self._ttl)
        return allowed
