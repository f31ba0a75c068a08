"""Telegram's errors, classified once: what a Bot API exception means for our message.

PTB raises typed errors for some cases (`RetryAfter`, `Forbidden`, `ChatMigrated`,
`NetworkError`), but a 400 (`BadRequest`) covers many that call for different actions,
told apart only by Telegram's description. `classify` turns any `TelegramError` into a
small `Failure` value; `policy.decide` turns that into the one action every way out to
Telegram takes, never from the exception or its text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

# PTB 22 warns on every read of RetryAfter.retry_after unless it may return a timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "1")


class FailureKind(Enum):
    RETRY_AFTER = "retry_after"    # 429: this chat must wait `retry_after` seconds
    FORBIDDEN = "forbidden"        # 403: blocked, kicked, or the chat is gone
    MIGRATED = "migrated"          # the group became a supergroup: `new_chat`
    NOT_MODIFIED = "not_modified"  # an edit to the text the message already has
    BAD_HTML = "bad_html"          # our HTML was refused: the plain form may pass
    TOO_LONG = "too_long"          # the message is too long: the plain form may pass
    REPLY_GONE = "reply_gone"      # the message to reply to is deleted
    EDIT_GONE = "edit_gone"        # the message to edit is deleted or can't be edited
    CHAT_GONE = "chat_gone"        # "chat not found": the chat is deleted or never was
    REFUSED = "refused"            # any other 400: this message will never pass
    NETWORK = "network"            # timeouts, connection errors, 5xx: transient
    OTHER = "other"                # any other Telegram error


# Every 400, whatever it says.
_BAD_REQUESTS = frozenset({FailureKind.NOT_MODIFIED, FailureKind.BAD_HTML,
                           FailureKind.TOO_LONG, FailureKind.REPLY_GONE,
                           FailureKind.EDIT_GONE, FailureKind.CHAT_GONE,
                           FailureKind.REFUSED})

# A 400's description → its kind; the first phrase found wins.
_BAD_REQUEST_PHRASES = (
    (("can't parse entities",), FailureKind.BAD_HTML),
    (("not modified",), FailureKind.NOT_MODIFIED),
    (("replied message not found", "message to be replied"), FailureKind.REPLY_GONE),
    (("message to edit not found", "can't be edited"), FailureKind.EDIT_GONE),
    (("too long",), FailureKind.TOO_LONG),
    (("chat not found",), FailureKind.CHAT_GONE),
)


@dataclass(frozen=True, slots=True)
class Failure:
    """What one Bot API error means: its kind, Telegram's description, and its data."""

    kind: FailureKind
    message: str
    retry_after: float = 0.0  # RETRY_AFTER: the seconds Telegram asked for (not capped)
    new_chat: int = 0  # MIGRATED: the supergroup's chat id

    @property
    def bad_request(self) -> bool:
        return self.kind in _BAD_REQUESTS


def retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def classify(exc: TelegramError) -> Failure:
    if isinstance(exc, RetryAfter):
        return Failure(FailureKind.RETRY_AFTER, exc.message, retry_after=retry_seconds(exc))
    if isinstance(exc, Forbidden):
        return Failure(FailureKind.FORBIDDEN, exc.message)
    if isinstance(exc, ChatMigrated):
        return Failure(FailureKind.MIGRATED, exc.message, new_chat=int(exc.new_chat_id))
    if isinstance(exc, BadRequest):  # a NetworkError too: test it first
        text = exc.message.lower()
        for phrases, kind in _BAD_REQUEST_PHRASES:
            if any(p in text for p in phrases):
                return Failure(kind, exc.message)
        return Failure(FailureKind.REFUSED, exc.message)
    if isinstance(exc, NetworkError):  # includes TimedOut and 5xx
        return Failure(FailureKind.NETWORK, str(exc))
    return Failure(FailureKind.OTHER, str(exc))
