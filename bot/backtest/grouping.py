"""Backtest hits grouped by story, with the live story decisions, offline and in memory.

This is the one place that knows how stories are decided (`bot.stories.decisions`), so
it follows any change there in one edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.backtest.types import Hit, StoryGroup
from bot.config.settings import StorySettings
from bot.stories.decisions import choose, create, make_report, merge
from bot.stories.types import Story
from bot.types import AlertKind


def group_by_story(hits: Sequence[Hit], settings: StorySettings
                   ) -> tuple[tuple[Hit, ...], tuple[StoryGroup, ...]]:
    """Each hit with the id of the story it joins, and the stories, newest first. Hits
    are taken in publication order, each one decided as if it had just been polled."""
    order = sorted(range(len(hits)), key=lambda i: (
        hits[i].item.entry.published or hits[i].item.seen, hits[i].item.seen))
    stories: dict[str, Story] = {}
    members: dict[str, list[int]] = {}
    updates: dict[str, int] = {}
    story_of: dict[int, str] = {}
    # As live: one report per article with all its rules (its hits share one story).
    by_item: dict[str, list[int]] = {}
    for i in order:
        by_item.setdefault(hits[i].item.id, []).append(i)
    for idxs in by_item.values():
        hit = hits[idxs[0]]
        report = make_report(hit.item.entry, [hits[i].detection for i in idxs],
                             now=hit.item.seen)
        picked = choose(report, list(stories.values()), settings)
        if picked is None:
            outcome = create(report, now=hit.item.seen)
        else:
            outcome = merge(picked[0], report, settings, now=hit.item.seen)
        story = outcome.story
        stories[story.id] = story
        members.setdefault(story.id, []).extend(idxs)
        updates[story.id] = updates.get(story.id, 0) + sum(
            1 for a in outcome.alerts if a.kind is AlertKind.UPDATE)
        story_of.update(dict.fromkeys(idxs, story.id))
    placed = tuple(replace(h, story=story_of[i]) for i, h in enumerate(hits))
    groups = [
        StoryGroup(
            id=s.id, rule=s.rule, title=s.title, url=s.url, countries=s.countries,
            figures=dict(s.figures), first=s.first, last=s.last, sources=s.sources,
            hits=tuple(placed[i] for i in members[s.id]), updates=updates[s.id],
            breaking=s.breaking)
        for s in stories.values()
    ]
    groups.sort(key=lambda g: g.last, reverse=True)
    return placed, tuple(groups)
