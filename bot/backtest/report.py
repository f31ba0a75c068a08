"""A backtest result as JSON records (`--json`, the studio's API) and as plain text.

JSON Lines, one record per line, each with a `type`:
- `summary`: the period, entries read, rules tried and compared, totals, seconds;
- `story`: one story (rule, countries, figures, outlets, first/last, its hits' entries);
- `hit`: one rule firing on one entry, with `change` new|same|- and its story;
- `lost`: an installed rule's hit that the given rules no longer make;
- `count`: hits, stories, new and lost per `rule` or per `country`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from bot.archive.types import ArchivedEntry
from bot.backtest.types import BacktestResult, Change, Count, Hit, StoryGroup
from bot.times import iso
from bot.types import detection_json


def _when(value: datetime | None) -> str | None:
    return iso(value) if value is not None else None


def entry_json(item: ArchivedEntry) -> dict[str, Any]:
    e = item.entry
    return {"id": item.id, "feed": e.feed_id, "source": e.source or e.feed_id,
            "title": e.title, "url": e.url, "language": e.language,
            "published": _when(e.published), "seen": _when(item.seen)}


def hit_json(hit: Hit) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "lost" if hit.change is Change.LOST else "hit",
        "change": hit.change.value, "entry": entry_json(hit.item),
        "event": detection_json(hit.detection),
    }
    if hit.story:
        out["story"] = hit.story
    if hit.explanation is not None:
        out["explain"] = hit.explanation.to_dict()
    return out


def story_json(group: StoryGroup) -> dict[str, Any]:
    return {
        "type": "story", "story": group.id, "rule": group.rule, "title": group.title,
        "url": group.url, "countries": list(group.countries), "figures": group.figures,
        "first": _when(group.first), "last": _when(group.last),
        "sources": list(group.sources), "reports": len(group.hits),
        "updates": group.updates, "breaking": group.breaking,
        "entries": [h.item.id for h in group.hits],
    }


def count_json(by: str, count: Count) -> dict[str, Any]:
    return {"type": "count", "by": by, "key": count.key, "hits": count.hits,
            "stories": count.stories, "new": count.new, "lost": count.lost}


def summary_json(result: BacktestResult) -> dict[str, Any]:
    return {
        "type": "summary", "since": _when(result.since), "until": _when(result.until),
        "entries": result.entries, "rules": list(result.rules),
        "compared": list(result.compared), "hits": len(result.hits),
        "stories": len(result.stories), "new": len(result.new), "lost": len(result.lost),
        "seconds": result.seconds,
    }


def records(result: BacktestResult) -> Iterator[dict[str, Any]]:
    """Every record of a result, summary first, in the order `--json` prints them."""
    yield summary_json(result)
    for group in result.stories:
        yield story_json(group)
        for hit in group.hits:
            yield hit_json(hit)
    for hit in result.lost:
        yield hit_json(hit)
    for count in result.by_rule:
        yield count_json("rule", count)
    for count in result.by_country:
        yield count_json("country", count)


# -- plain text ------------------------------------------------------------------------

def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "-"


def _figures(figures: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in figures.items())


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    table = [header, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    return ["  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                             for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()
            for r in table]


def _hit_line(hit: Hit, mark: str) -> str:
    e = hit.item.entry
    where = ",".join(hit.detection.countries) or "-"
    line = f"  {mark} {_day(e.published or hit.item.seen)}  {e.source or e.feed_id}: {e.title}"
    line += f"  [{hit.detection.rule} {where}]"
    return line + (f"  {e.url}" if e.url else "")


def _reasons(hit: Hit) -> list[str]:
    ex = hit.explanation
    if ex is None:
        return []
    out = [f"      {r}" for r in ex.reasons]
    for s in ex.sentences:
        if s.matched:
            groups = "; ".join(f"{g}: {', '.join(w)}" for g, w in s.groups.items())
            out.append(f"      matched ({s.zone}): {groups}")
        out.extend(f"      {why}" for why in s.failed)
    return out


def render_text(result: BacktestResult, *, explain: bool = False) -> str:
    """What `eventwatch backtest` prints without --json."""
    since = _day(result.since) if result.since else "the start of the archive"
    lines = [f"Backtest of {', '.join(result.rules) or 'no rules'} over {result.entries:,} "
             f"archived entries, {since} to {_day(result.until)} UTC "
             f"({result.seconds:.1f} s)."]
    if result.compared:
        lines.append(f"Compared with the installed {', '.join(result.compared)}: "
                     f"{len(result.new)} new hit(s), {len(result.lost)} lost.")
    lines.append("")
    lines.append(f"{len(result.stories)} stor{'y' if len(result.stories) == 1 else 'ies'}, "
                 f"{len(result.hits)} hit(s), newest first:" if result.stories
                 else "Nothing would have fired.")
    for group in result.stories:
        extra = f"; {_figures(group.figures)}" if group.figures else ""
        tags = " BREAKING" if group.breaking else ""
        lines.append(f"* [{group.rule}] {','.join(group.countries) or '-'}: {group.title}"
                     f"  ({len(group.sources)} outlet(s), {len(group.hits)} report(s)"
                     f"{extra}){tags}")
        for hit in group.hits:
            mark = "+" if hit.change is Change.NEW else " "
            lines.append(_hit_line(hit, mark))
            if explain:
                lines.extend(_reasons(hit))
    if result.lost:
        lines += ["", f"Lost: {len(result.lost)} hit(s) the installed rules make and these "
                      "do not:"]
        for hit in result.lost:
            lines.append(_hit_line(hit, "-"))
            if explain:
                lines.extend(_reasons(hit))
    for title, counts in (("rule", result.by_rule), ("country", result.by_country)):
        if counts:
            lines += ["", f"By {title}:"]
            lines += _table((title.upper(), "HITS", "STORIES", "NEW", "LOST"), [
                (c.key, str(c.hits), str(c.stories), str(c.new), str(c.lost)) for c in counts])
    return "\n".join(lines) + "\n"
