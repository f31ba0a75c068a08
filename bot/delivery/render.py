"""Render alerts and digests for Telegram (HTML parse mode) and for the console (plain text).

Everything that comes from feeds is escaped. A message is built as a list of
segments (text + style) and truncated on its *plain* text before any markup is
added, so truncation never cuts a tag or an entity. Telegram counts the text
after entity parsing in UTF-16 code units (an emoji counts 2): so do we.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from bot.delivery.countries import label as country_label
from bot.delivery.countries import name as country_name
from bot.text import clip, utf16_len
from bot.types import Alert, AlertKind, Change, ChangeKind
from bot.urls import is_http_url

MAX_MESSAGE = 4096  # Telegram's limit, in UTF-16 code units after entity parsing
MAX_SUMMARY = 400
MAX_SOURCES_SHOWN = 5

RuleTitle = Callable[[str, str], str]  # (rule id, language) → the rule's title

# How many UTF-16 units each segment may lose, in order: the summary first, then the headline.
_SHRINK_ORDER = ("summary", "title", "sources", "figures", "rule")

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "breaking": "BREAKING",
        "update": "Update",
        "also": "Also reported by",
        "digest_hourly": "Hourly digest",
        "digest_daily": "Daily digest",
        "digest": "Digest",
        "stories": "stories",
        "elsewhere": "Elsewhere",
        "continued": "continued",
        "new_event": "new",
        "new_location": "new location",
        "severity": "severity",
    },
    "ru": {
        "breaking": "СРОЧНО",
        "update": "Обновление",
        "also": "Также сообщают",
        "digest_hourly": "Сводка за час",
        "digest_daily": "Сводка за день",
        "digest": "Сводка",
        "stories": "сюжетов",
        "elsewhere": "Другие страны",
        "continued": "продолжение",
        "new_event": "новое",
        "new_location": "новое место",
        "severity": "уровень",
    },
}

# Labels of the figures detectors extract, by language; unknown ones show their key.
_FIGURES: dict[str, dict[str, str]] = {
    "en": {},
    "ru": {
        "detained": "задержаны", "arrested": "арестованы", "killed": "погибли",
        "dead": "погибли", "deaths": "погибли", "injured": "ранены", "wounded": "ранены",
        "evacuated": "эвакуированы", "missing": "пропали без вести",
        "displaced": "вынуждены покинуть дома", "protesters": "протестующие",
        "participants": "участники", "hospitalized": "госпитализированы",
        "affected": "пострадали", "magnitude": "магнитуда",
    },
}


def labels(language: str) -> Mapping[str, str]:
    return _LABELS.get(language, _LABELS["en"])


def rule_label(rule: str) -> str:
    """A readable stand-in when no rule title is known: "mass_detentions" → "Mass detentions"."""
    return rule.replace("_", " ").replace("-", " ").capitalize()


def figure_label(key: str, language: str) -> str:
    return _FIGURES.get(language, {}).get(key) or key.replace("_", " ")


def format_number(value: int) -> str:
    return f"{value:,}"


def format_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


# -- segments ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Segment:
    """A run of plain text with one style; `href` makes it a link, `name` makes it shrinkable."""

    text: str
    style: str = ""  # "", "b", "i"
    href: str | None = None
    name: str = ""


def safe_href(url: str | None) -> str | None:
    """`url` if it may be a link target: only http(s). A `javascript:`, `file:` or
    `tg:` link from a feed would be a trap for the reader, so it is not linked."""
    return url.strip() if is_http_url(url) else None


def _to_html(segments: Iterable[Segment]) -> str:
    out: list[str] = []
    for s in segments:
        text = html.escape(s.text, quote=False)
        if s.style:
            text = f"<{s.style}>{text}</{s.style}>"
        href = safe_href(s.href)
        if href:
            text = f'<a href="{html.escape(href, quote=True)}">{text}</a>'
        out.append(text)
    return "".join(out)


def _to_plain(segments: Iterable[Segment]) -> str:
    out: list[str] = []
    for s in segments:
        out.append(s.text)
        href = safe_href(s.href)
        if href and href != s.text:
            out.append(f" — {href}")
    return "".join(out)


def _fit(segments: list[Segment], limit: int, measure: type[_Measure]) -> list[Segment]:
    """Shrink the named segments, in `_SHRINK_ORDER`, until the message fits `limit`."""
    segs = list(segments)
    for name in _SHRINK_ORDER:
        over = measure.size(segs) - limit
        if over <= 0:
            return segs
        for i, s in enumerate(segs):
            if s.name == name and over > 0:
                keep = max(utf16_len(s.text) - over, 0)
                new = clip(s.text, keep, measure=utf16_len) if keep else ""
                over -= utf16_len(s.text) - utf16_len(new)
                segs[i] = Segment(new, s.style, s.href, s.name)
    # Still too long (absurd inputs): drop trailing segments whole, never cutting markup.
    while segs and measure.size(segs) > limit:
        segs.pop()
    return segs


class _Measure:
    @staticmethod
    def size(segments: Sequence[Segment]) -> int:
        return utf16_len(_to_plain_html(segments).strip())


def _to_plain_html(segments: Sequence[Segment]) -> str:
    """What Telegram counts for the HTML rendering: the text without markup."""
    return "".join(s.text for s in segments)


class _PlainMeasure(_Measure):
    @staticmethod
    def size(segments: Sequence[Segment]) -> int:
        return utf16_len(_to_plain(segments).strip())


class _BothMeasure(_Measure):
    @staticmethod
    def size(segments: Sequence[Segment]) -> int:
        return max(_Measure.size(segments), _PlainMeasure.size(segments))


@dataclass(frozen=True, slots=True)
class Rendered:
    """One message in both forms: `html` for parse_mode=HTML, `text` for plain sends."""

    html: str
    text: str
    preview_url: str | None = None
    alert_ids: tuple[str, ...] = ()  # for a digest part: the alerts it carries


def render_segments(segments: list[Segment], *, limit: int = MAX_MESSAGE,
                    preview_url: str | None = None) -> Rendered:
    html_segs = _fit(segments, limit, _Measure)
    plain_segs = _fit(segments, limit, _PlainMeasure)
    return Rendered(_to_html(html_segs).strip(), _to_plain(plain_segs).strip(),
                    safe_href(preview_url))


# -- alerts --------------------------------------------------------------------------------

def sources_line(sources: Sequence[str], language: str) -> str:
    shown = [s for s in sources if s][:MAX_SOURCES_SHOWN]
    more = len([s for s in sources if s]) - len(shown)
    text = ", ".join(shown)
    if more > 0:
        text += f" (+{more})"
    return text


def locations(countries: Sequence[str], language: str) -> str:
    return ", ".join(country_label(c, language) for c in countries)


def alert_segments(alert: Alert, *, language: str = "en", rule_title: str | None = None,
                   include_breaking: bool = True,
                   rule_titles: Mapping[str, str] | None = None) -> list[Segment]:
    lab = labels(language)
    segs: list[Segment] = []
    if alert.breaking and include_breaking:
        segs += [Segment("🔴 "), Segment(lab["breaking"], "b"), Segment("\n")]
    if alert.kind is AlertKind.UPDATE:
        segs.append(Segment(f"{lab['update']}: ", "b"))
    titles = dict(rule_titles or {})
    if rule_title:
        titles[alert.rule] = rule_title
    # One line per event type of the article: one message, however many rules it matched.
    for rule, countries in (alert.events or {alert.rule: alert.countries}).items():
        segs.append(Segment(titles.get(rule) or rule_label(rule), "b", name="rule"))
        if countries:
            segs.append(Segment(" · " + locations(countries, language)))
        segs.append(Segment("\n"))
    if alert.kind is AlertKind.UPDATE and alert.changes:
        news = "; ".join(change_text(c, language, titles) for c in alert.changes)
        segs += [Segment("📈 "), Segment(news, "i", name="figures"), Segment("\n")]
    segs.append(Segment(alert.title.strip(), "b", name="title"))
    summary = clip(" ".join(alert.summary.split()), MAX_SUMMARY, measure=utf16_len)
    if summary:
        segs += [Segment("\n\n"), Segment(summary, name="summary")]
    if alert.figures:
        figures = " · ".join(f"{figure_label(k, language)}: {format_number(v)}"
                             for k, v in alert.figures.items())
        segs += [Segment("\n\n📊 "), Segment(figures, name="figures")]
    source = alert.source.strip() or _host(alert.url)
    tail: list[Segment] = []
    if source and alert.url:
        tail.append(Segment(source, href=alert.url))
    elif source:
        tail.append(Segment(source))
    elif alert.url:
        tail.append(Segment(alert.url, href=alert.url))
    when = format_time(alert.published)
    if when:
        if tail:
            tail.append(Segment(" · "))
        tail.append(Segment(when, "i"))
    if tail:
        segs += [Segment("\n\n🔗 "), *tail]
    also = sources_line(alert.sources, language)
    if also:
        segs += [Segment("\n"), Segment(f"{lab['also']}: ", "i"),
                 Segment(also, "i", name="sources")]
    return segs


def change_text(change: Change, language: str, rule_titles: Mapping[str, str]) -> str:
    """What an update brings, in the reader's language: "detained: 8,000 → 12,000"."""
    lab = labels(language)
    if change.kind is ChangeKind.EVENT:
        return f"{lab['new_event']}: {rule_titles.get(change.key) or rule_label(change.key)}"
    if change.kind is ChangeKind.LOCATION:
        return f"{lab['new_location']}: {locations(change.countries, language)}"
    if change.kind is ChangeKind.FIGURE and isinstance(change.old, int) and isinstance(
            change.new, int):
        return (f"{figure_label(change.key, language)}: {format_number(change.old)} → "
                f"{format_number(change.new)}")
    if change.kind is ChangeKind.SEVERITY:
        return f"{lab['severity']}: {change.old} → {change.new}"
    return str(change)


def render_alert(alert: Alert, *, language: str = "en", rule_title: str | None = None,
                 limit: int = MAX_MESSAGE,
                 rule_titles: Mapping[str, str] | None = None) -> Rendered:
    """The message for one alert, in the subscriber's language (the summary keeps its own)."""
    segs = alert_segments(alert, language=language, rule_title=rule_title,
                          rule_titles=rule_titles)
    return render_segments(segs, limit=limit, preview_url=alert.url)



def followed(alert: Alert, rules: Collection[str] | None) -> Alert:
    """The alert as a reader who follows only `rules` sees it: only those event types.

    An article may carry several types (one message per article); a subscriber who
    follows some of them is told about those. Every rule (None), or none in common
    (a channel, an alert queued before issue 12), shows the alert whole."""
    if rules is None or not alert.events:
        return alert
    events = {r: c for r, c in alert.events.items() if r in rules}
    if not events or len(events) == len(alert.events):
        return alert
    changes = tuple(c for c in alert.changes if c.kind is not ChangeKind.EVENT or c.key in rules)
    return replace(alert, events=events, rule=next(iter(events)), changes=changes)


def render_for(alert: Alert, language: str, rule_title: RuleTitle | None,
               rules: Collection[str] | None = None) -> Rendered:
    """`render_alert` with the rules' titles in the reader's language, when they are known,
    and only the event types the reader follows (`followed`)."""
    alert = followed(alert, rules)
    titles = {r: rule_title(r, language) for r in alert.rules} if rule_title else {}
    return render_alert(alert, language=language, rule_titles=titles)


def _host(url: str | None) -> str:
    if not url:
        return ""
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0].removeprefix("www.")


# -- digests -------------------------------------------------------------------------------

def digest_blocks(alerts: Sequence[Alert], *, language: str = "en",
                  rule_titles: Mapping[str, str] | None = None
                  ) -> list[tuple[list[Segment], str, int]]:
    """One block per line: (segments, alert id, level 0 country / 1 event type / 2 item)."""
    lab = labels(language)
    titles = rule_titles or {}
    by_country: dict[str, dict[str, list[Alert]]] = {}
    for a in alerts:
        country = a.countries[0] if a.countries else ""
        by_country.setdefault(country, {}).setdefault(a.rule, []).append(a)
    blocks: list[tuple[list[Segment], str, int]] = []
    for country in sorted(by_country, key=lambda c: (c == "", country_name(c, language) if c
                                                     else "")):
        header = country_label(country, language) if country else lab["elsewhere"]
        blocks.append(([Segment("\n"), Segment(header, "b")], "", 0))
        for rule in sorted(by_country[country], key=lambda r: titles.get(r, r)):
            blocks.append(([Segment(titles.get(rule) or rule_label(rule), "i")], "", 1))
            for a in by_country[country][rule]:
                item = [Segment("• "), Segment(a.title.strip(), name="title")]
                if a.breaking:
                    item.insert(1, Segment("🔴 "))
                source = a.source.strip() or _host(a.url)
                if source:
                    item += [Segment(" — "), Segment(source, href=a.url)]
                blocks.append((item, a.id, 2))
    return blocks


def render_digest(alerts: Sequence[Alert], *, language: str = "en", mode: str = "",
                  rule_titles: Mapping[str, str] | None = None,
                  limit: int = MAX_MESSAGE) -> list[Rendered]:
    """The digest as messages of at most `limit` units each, split between lines only."""
    if not alerts:
        return []
    lab = labels(language)
    title = lab.get(f"digest_{mode}", lab["digest"])
    head = [Segment(f"🗞 {title}", "b"), Segment(f" · {len(alerts)} {lab['stories']}")]
    cont = [Segment(f"🗞 {title}", "b"), Segment(f" ({lab['continued']})")]
    blocks = digest_blocks(alerts, language=language, rule_titles=rule_titles)
    # One packing for both forms, measured by the longer one, so they split alike.
    chunks = _pack(head, cont, blocks, limit, _BothMeasure)
    return [Rendered(_to_html(c).strip(), _to_plain(c).strip(), None, ids) for c, ids in chunks]


def _pack(head: list[Segment], cont: list[Segment],
          blocks: list[tuple[list[Segment], str, int]], limit: int,
          measure: type[_Measure]) -> list[tuple[list[Segment], tuple[str, ...]]]:
    chunks: list[tuple[list[Segment], tuple[str, ...]]] = []
    current = list(head)
    ids: list[str] = []
    has_items = False
    headers: list[list[Segment]] = [[], []]  # the country and event type being listed
    for block, alert_id, level in blocks:
        if level < 2:
            headers[level] = block
            if level == 0:
                headers[1] = []
        line = [Segment("\n"), *block] if current else list(block)
        if measure.size([*current, *line]) > limit:
            if has_items:
                chunks.append((current, tuple(ids)))
            # A new part repeats the headers its first line belongs under.
            current, ids = list(cont), []
            for header in headers[: min(level, 2)]:
                if header:
                    current += [Segment("\n"), *header]
            line = _fit([Segment("\n"), *block], limit - measure.size(current) - 1, measure)
        current += line
        has_items = True
        if alert_id:
            ids.append(alert_id)
    if has_items:
        chunks.append((current, tuple(ids)))
    return chunks
