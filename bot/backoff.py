"""Exponential backoff with jitter: the one formula every retry loop uses."""

from __future__ import annotations

import random

MAX_DOUBLINGS = 32  # 2**32 × any base is past every cap; also keeps the float finite


def backoff(attempt: int, base: float, cap: float, *, jitter: float = 0.0,
            rng: random.Random | None = None) -> float:
    """`base`·2^attempt seconds, at most `cap`; attempt 0 (or less) waits `base`.

    With `jitter`, a random share of up to that fraction is taken off (0.5: between half
    and all of the delay), so that many clients failing at once don't retry in lockstep.
    """
    delay = min(cap, base * 2 ** min(max(attempt, 0), MAX_DOUBLINGS))
    if jitter:
        delay *= 1 - jitter * (rng or random).random()
    return float(delay)
