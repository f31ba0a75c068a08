"""What to do about a Bot API error: one decision for every way out to Telegram.

Alerts, digests, admin notices, the dead-feed notice, command replies and button answers
all ask `decide(error)` and act on the `Action` it returns, so a 400 "chat not found" is
never taken for bad HTML on one path and a 429 never stalls other chats on another. Pure:
no I/O, no clock; the caller owns the waiting (`retry_delay` gives the backoff).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum

from telegram.error import TelegramError

from bot.backoff import backoff
from bot.delivery.telegram_errors import Failure, FailureKind, classify

JITTER = 0.5  # up to half of each backoff is taken off, so retries don't come in lockstep


class Do(Enum):
    WAIT = "wait"  # 429: pause this chat `delay` s, then the same request again
    RETRY = "retry"  # network or 5xx: the same request after a backoff with jitter
    GIVE_UP_LATER = "give_up_later"  # unknown error: retried a few times, then dropped
    UNSUBSCRIBE = "unsubscribe"  # 403, or the chat is gone: deactivate, keep settings
    MIGRATE = "migrate"  # the group became a supergroup: move to `new_chat`, resend
    PLAIN = "plain"  # bad HTML or too long: resend the plain form (once)
    DONE = "done"  # "not modified": the message already says this
    NO_REPLY = "no_reply"  # the message to reply to is gone: send without replying
    NOTHING_TO_EDIT = "nothing_to_edit"  # the message to edit is gone
    REFUSED = "refused"  # any other 400: this request will never pass


@dataclass(frozen=True, slots=True)
class Action:
    do: Do
    failure: Failure
    delay: float = 0.0  # WAIT: the seconds Telegram asked for (the caller caps it)
    new_chat: int = 0  # MIGRATE

    @property
    def message(self) -> str:
        return self.failure.message


_BY_KIND = {
    FailureKind.FORBIDDEN: Do.UNSUBSCRIBE,
    FailureKind.CHAT_GONE: Do.UNSUBSCRIBE,
    FailureKind.NOT_MODIFIED: Do.DONE,
    FailureKind.BAD_HTML: Do.PLAIN,
    FailureKind.TOO_LONG: Do.PLAIN,
    FailureKind.REPLY_GONE: Do.NO_REPLY,
    FailureKind.EDIT_GONE: Do.NOTHING_TO_EDIT,
    FailureKind.REFUSED: Do.REFUSED,
    FailureKind.NETWORK: Do.RETRY,
    FailureKind.OTHER: Do.GIVE_UP_LATER,
}


def decide(error: TelegramError) -> Action:
    """The one classification of a Bot API error into what to do about it."""
    failure = classify(error)
    if failure.kind is FailureKind.RETRY_AFTER:
        return Action(Do.WAIT, failure, delay=failure.retry_after)
    if failure.kind is FailureKind.MIGRATED:
        return Action(Do.MIGRATE, failure, new_chat=failure.new_chat)
    return Action(_BY_KIND[failure.kind], failure)


def retry_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None
                ) -> float:
    """The wait before retry number `attempt` (from 1) of a RETRY or GIVE_UP_LATER."""
    return backoff(attempt - 1, base, cap, jitter=JITTER, rng=rng)
