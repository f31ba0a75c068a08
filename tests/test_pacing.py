"""The pacer on virtual time: the limits hold for all traffic, replies go first (#13)."""

from __future__ import annotations

import asyncio

from bot.config.settings import RateLimits
from bot.delivery.pacing import Lane, Pacer
from tests.virtualtime import VirtualTime

LIMITS = RateLimits(overall=30, private=1, group=20)


async def test_issue_13_overall_limit_holds_for_the_sum_of_all_lanes() -> None:
    vt = VirtualTime()
    pacer = Pacer(lambda: LIMITS, vt)
    times: list[float] = []

    async def send(chat: int, lane: Lane) -> None:
        await pacer.wait_turn(str(chat), False, lane)
        times.append(vt.now())

    async with vt:
        await asyncio.gather(*(send(c, Lane.BROADCAST) for c in range(200)),
                             *(send(1000 + c, Lane.REPLY) for c in range(100)))
    assert len(times) == 300
    # In any one second, at most 30 (+ the small burst of 3 a bucket starts with).
    for start in times:
        assert sum(start <= t < start + 1 for t in times) <= 33
    assert times[-1] >= (300 - 3) / 30 - 0.01


async def test_issue_13_a_reply_goes_before_a_broadcast_already_waiting() -> None:
    vt = VirtualTime()
    pacer = Pacer(lambda: LIMITS, vt)
    order: list[str] = []

    async def send(name: str, chat: int, lane: Lane) -> None:
        await pacer.wait_turn(str(chat), False, lane)
        order.append(name)

    async with vt:
        broadcast = [asyncio.create_task(send(f"b{c}", c, Lane.BROADCAST)) for c in range(60)]
        await vt.sleep(0.5)  # the broadcast is under way, most of it waiting
        reply = asyncio.create_task(send("reply", 999, Lane.REPLY))
        notice = asyncio.create_task(send("notice", 998, Lane.NOTICE))
        await asyncio.gather(*broadcast, reply, notice)
    sent_before = order.index("reply")
    assert sent_before <= 3 + 0.5 * 30 + 1  # at once, not after the 60 broadcasts
    assert order.index("notice") == sent_before + 1


async def test_issue_13_per_chat_and_group_intervals_and_a_pause_on_virtual_time() -> None:
    vt = VirtualTime()
    pacer = Pacer(lambda: LIMITS, vt)
    private: list[float] = []
    group: list[float] = []

    async def to(chat: str, is_group: bool, out: list[float]) -> None:
        await pacer.wait_turn(chat, is_group, Lane.REPLY)
        out.append(vt.now())

    async with vt:
        for _ in range(3):
            await to("5", False, private)
        for _ in range(3):
            await to("-7", True, group)
        pacer.pause("5", 10)
        await to("5", False, private)
    assert private[:3] == [0.0, 1.0, 2.0]
    assert [round(t - group[0], 6) for t in group] == [0.0, 3.0, 6.0]  # 20/min
    assert private[3] >= 12.0  # paused 10 s from t=2 (virtual), later than the group sends


async def test_issue_13_a_pause_without_a_chat_stops_every_request() -> None:
    vt = VirtualTime()
    pacer = Pacer(lambda: LIMITS, vt)
    async with vt:
        pacer.pause(None, 5)
        await pacer.wait_turn("1", False, Lane.REPLY)
        assert vt.now() >= 5


async def test_issue_13_limits_follow_a_reload() -> None:
    limits = [LIMITS]
    pacer = Pacer(lambda: limits[0], VirtualTime())
    assert pacer.interval(is_group=False) == 1.0
    limits[0] = RateLimits(overall=10, private=0.5, group=6)
    assert pacer.interval(is_group=False) == 2.0 and pacer.interval(is_group=True) == 10.0
