"""Telegram's errors classified: each Bot API exception becomes one kind of failure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.delivery.telegram_errors import FailureKind, classify


def test_typed_errors_carry_their_data() -> None:
    wait = classify(RetryAfter(timedelta(seconds=7)))
    assert (wait.kind, wait.retry_after) == (FailureKind.RETRY_AFTER, 7.0)
    moved = classify(ChatMigrated(-1005100000000001))
    assert (moved.kind, moved.new_chat) == (FailureKind.MIGRATED, -1005100000000001)
    blocked = classify(Forbidden("Forbidden: bot was blocked by the user"))
    assert blocked.kind is FailureKind.FORBIDDEN and "blocked" in blocked.message
    assert not blocked.bad_request


@pytest.mark.parametrize(("description", "kind"), [
    ("Bad Request: can't parse entities: Unsupported start tag \"p\" at byte offset 0",
     FailureKind.BAD_HTML),
    ("Bad Request: message is not modified: specified new message content and reply "
     "markup are exactly the same", FailureKind.NOT_MODIFIED),
    ("Bad Request: replied message not found", FailureKind.REPLY_GONE),
    ("Bad Request: message to be replied not found", FailureKind.REPLY_GONE),
    ("Bad Request: message to edit not found", FailureKind.EDIT_GONE),
    ("Bad Request: message can't be edited", FailureKind.EDIT_GONE),
    ("Bad Request: message is too long", FailureKind.TOO_LONG),
    ("Bad Request: chat not found", FailureKind.CHAT_GONE),
        ("Bad Request: wrong parameter action in request", FailureKind.REFUSED),
])
def test_a_bad_request_is_told_apart_by_its_description(description: str,
                                                         kind: FailureKind) -> None:
    failure = classify(BadRequest(description))
    assert failure.kind is kind and failure.bad_request
    assert failure.message == BadRequest(description).message


def test_network_errors_are_transient_and_the_rest_other() -> None:
    assert classify(TimedOut()).kind is FailureKind.NETWORK
    assert classify(NetworkError("Connection refused")).kind is FailureKind.NETWORK
    other = classify(TelegramError("Conflict: terminated by other getUpdates request"))
    assert other.kind is FailureKind.OTHER and not other.bad_request
    assert other.message.startswith("Conflict")
