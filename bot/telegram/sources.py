"""Turn the app's own records into what the bot shows: rules, stories, feed health.

Pure conversions for the composition root, so `BotServices` can be filled in a few lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from bot.feeds.health import FeedHealth
from bot.stories.types import Story
from bot.telegram.types import RuleInfo, StatusReport, StorySummary


class _Rule(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def titles(self) -> Mapping[str, str]: ...


def rule_infos(rules: Iterable[_Rule]) -> tuple[RuleInfo, ...]:
    """`RuleSet.rules` (compiled rules with their titles per language) → RuleInfo."""
    return tuple(RuleInfo(r.id, dict(r.titles)) for r in rules)


def story_summary(story: Story) -> StorySummary:
    return StorySummary(
        story_id=story.id, title=story.title, url=story.url, rule=story.rule,
        countries=story.countries, updated=story.last, outlets=max(1, len(story.sources)),
        breaking=story.breaking,
    )


def status_report(
    feeds: Sequence[FeedHealth], *, outbox_depth: int, alerts_24h: int,
    last_poll: datetime | None = None, outbox_pending: int | None = None,
) -> StatusReport:
    """Feed health rows (`bot.feeds.health.feed_health`) and delivery figures → /status."""
    return StatusReport(
        feeds_total=len(feeds),
        feeds_ok=sum(1 for f in feeds if f.status == "ok"),
        failing=tuple(f.feed_id for f in feeds if f.status == "failing"),
        dead=tuple(f.feed_id for f in feeds if f.status == "dead"),
        outbox_depth=outbox_depth, alerts_24h=alerts_24h, last_poll=last_poll,
        outbox_pending=outbox_pending,
    )
