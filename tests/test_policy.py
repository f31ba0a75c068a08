"""`policy.decide`: one classification of every Bot API error, for every path (#13)."""

from __future__ import annotations

import random
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

from bot.delivery.policy import Do, decide, retry_delay


@pytest.mark.parametrize(("error", "do"), [
    (RetryAfter(timedelta(seconds=7)), Do.WAIT),
    (Forbidden("Forbidden: bot was blocked by the user"), Do.UNSUBSCRIBE),
    (Forbidden("Forbidden: user is deactivated"), Do.UNSUBSCRIBE),
    (BadRequest("Bad Request: chat not found"), Do.UNSUBSCRIBE),
    (ChatMigrated(-1005100000000001), Do.MIGRATE),
    (BadRequest("Bad Request: message is not modified: specified new message content"),
     Do.DONE),
    (BadRequest("Bad Request: can't parse entities: Unsupported start tag \"p\""), Do.PLAIN),
    (BadRequest("Bad Request: message is too long"), Do.PLAIN),
    (BadRequest("Bad Request: message to be replied not found"), Do.NO_REPLY),
    (BadRequest("Bad Request: message to edit not found"), Do.NOTHING_TO_EDIT),
    (BadRequest("Bad Request: wrong parameter action in request"), Do.REFUSED),
    (NetworkError("Bad Gateway"), Do.RETRY),
    (TimedOut(), Do.RETRY),
    (TelegramError("Conflict: terminated by other getUpdates request"), Do.GIVE_UP_LATER),
])
def test_issue_13_every_error_has_one_action(error: TelegramError, do: Do) -> None:
    assert decide(error).do is do


def test_issue_13_the_action_carries_the_wait_and_the_new_chat() -> None:
    assert decide(RetryAfter(timedelta(seconds=7))).delay == 7
    assert decide(ChatMigrated(-1005100000000001)).new_chat == -1005100000000001


def test_issue_13_retries_back_off_with_jitter_to_a_cap() -> None:
    rng = random.Random(1)
    delays = [retry_delay(n, 0.5, 30, rng) for n in range(1, 12)]
    assert all(0.25 <= d <= 30 for d in delays)
    assert delays[-1] >= 15  # at the cap, less at most half of it
    assert len({round(d, 6) for d in delays}) == len(delays)  # jittered, not in lockstep
