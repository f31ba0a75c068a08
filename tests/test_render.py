"""Rendering: escaping, Telegram's 4096 UTF-16 limit, languages, digests."""

from __future__ import annotations

import json
import random

from bot.delivery.render import MAX_MESSAGE, render_alert, render_digest, render_for
from bot.text import utf16_len
from bot.types import AlertKind, Change, ChangeKind, decode_alert, encode_alert
from tests.alerts import make_alert
from tests.fakebotapi import parse_html


def test_alert_has_every_part_and_escapes_feed_text() -> None:
    alert = make_alert(title="<script>alert(1)</script> & co", source='Bad "<Outlet>"',
                       summary="a < b && c > d", url='https://x.example/?q="1"&r=<2>')
    r = render_alert(alert, rule_title="Mass detentions")
    plain = parse_html(r.html)  # Telegram's own check: tags, attributes, entities
    assert "<script>" not in r.html and "&lt;script&gt;" in r.html
    assert 'href="https://x.example/?q=&quot;1&quot;&amp;r=&lt;2&gt;"' in r.html
    for part in ("Mass detentions", "🇰🇿 Kazakhstan", "<script>alert(1)</script> & co",
                 "a < b && c > d", "detained: 8,000", 'Bad "<Outlet>"', "2026-01-05 08:30 UTC"):
        assert part in plain
        assert part in r.text
    assert "https://x.example/" in r.text  # the plain form spells the link out
    assert r.preview_url == alert.url


def test_labels_follow_the_subscriber_language_summary_does_not() -> None:
    alert = make_alert(kind=AlertKind.UPDATE, breaking=True, countries=("RU", "BY"),
                       sources=("A", "B", "C", "D", "E", "F", "G"))
    r = render_alert(alert, language="ru", rule_title="Массовые задержания")
    plain = parse_html(r.html)
    assert "СРОЧНО" in plain and "Обновление:" in plain
    assert "🇷🇺 Россия, 🇧🇾 Беларусь" in plain
    assert "задержаны: 8,000" in plain
    assert "Также сообщают: A, B, C, D, E (+2)" in plain
    assert "Police detained hundreds" in plain  # the summary stays in the article's language
    en = parse_html(render_alert(alert).html)
    assert "BREAKING" in en and "Update:" in en and "Also reported by: A, B, C, D, E (+2)" in en


UPDATE_CHANGES = (
    Change(ChangeKind.EVENT, "state_of_emergency"),
    Change(ChangeKind.FIGURE, "detained", 8000, 12000),
    Change(ChangeKind.LOCATION, countries=("KG",)),
)


def test_an_update_says_what_is_new_in_the_readers_language_issue12() -> None:
    alert = make_alert(kind=AlertKind.UPDATE, changes=UPDATE_CHANGES,
                       events={"mass_detentions": ("KZ", "KG"), "state_of_emergency": ("KZ",)})
    en = parse_html(render_alert(alert, rule_titles={"state_of_emergency": "Emergencies"}).html)
    assert "📈 new: Emergencies; detained: 8,000 → 12,000; new location: 🇰🇬 Kyrgyzstan" in en
    ru = parse_html(render_alert(alert, language="ru").html)
    assert "📈 новое: State of emergency; задержаны: 8,000 → 12,000; новое место: 🇰🇬" in ru
    # a reader who follows only detentions is not told of a new event type they don't follow
    only = parse_html(render_for(alert, "en", None, rules={"mass_detentions"}).html)
    assert "📈 detained: 8,000 → 12,000; new location: 🇰🇬 Kyrgyzstan" in only
    assert "State of emergency" not in only
    # a first alert has nothing "new" to list
    assert "📈" not in parse_html(render_alert(make_alert(changes=UPDATE_CHANGES)).html)


def test_changes_survive_the_outbox_and_old_queued_ones_still_render_issue12() -> None:
    alert = make_alert(kind=AlertKind.UPDATE, changes=UPDATE_CHANGES)
    assert decode_alert(encode_alert(alert)) == alert
    # an update queued before changes were data carried their English text
    raw = json.loads(encode_alert(alert))
    raw["changes"] = ["detained: 1 → 2"]
    old = decode_alert(json.dumps(raw))
    assert old.changes == (Change(ChangeKind.NOTE, "detained: 1 → 2"),)
    assert "📈 detained: 1 → 2" in parse_html(render_alert(old).html)


def test_summary_is_capped_at_400() -> None:
    r = render_alert(make_alert(summary="word " * 300))
    summary = next(p for p in r.text.split("\n\n") if p.startswith("word"))
    assert utf16_len(summary) <= 400 and summary.endswith("…")


def test_never_over_4096_utf16_units_and_never_cut_markup() -> None:
    rng = random.Random(6)
    alphabet = "ab <>&\"'😀🇰🇿 жз\n&amp;<b>"
    for _ in range(60):
        title = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6000)))
        summary = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3000)))
        sources = tuple("".join(rng.choice(alphabet) for _ in range(50)) for _ in range(9))
        r = render_alert(make_alert(title=title, summary=summary, sources=sources,
                                    source="😀" * rng.randint(0, 3000)))
        plain = parse_html(r.html)
        assert utf16_len(plain.strip()) <= MAX_MESSAGE
        assert utf16_len(r.text) <= MAX_MESSAGE
        assert "\ud83d" not in r.text  # no lone surrogate half


def test_digest_groups_by_country_and_type_and_splits_at_4096() -> None:
    alerts = [make_alert(id=f"a{i}", story_id=f"s{i}", countries=(("KZ", "RU", "BY")[i % 3],),
                         rule=("protest", "mass_detentions")[i % 2],
                         title=f"Story {i} " + "x" * 120 + " <&>")
              for i in range(150)]
    parts = render_digest(alerts, language="ru", mode="daily",
                          rule_titles={"protest": "Протест", "mass_detentions": "Задержания"})
    assert len(parts) > 2
    carried: list[str] = []
    for part in parts:
        assert utf16_len(parse_html(part.html).strip()) <= MAX_MESSAGE
        assert utf16_len(part.text) <= MAX_MESSAGE
        assert part.html.count("<b>") == part.html.count("</b>")
        carried += part.alert_ids
    assert sorted(carried) == sorted(a.id for a in alerts)  # each alert exactly once
    first = parse_html(parts[0].html)
    assert first.startswith("🗞 Сводка за день · 150")
    assert "🇧🇾 Беларусь" in first
    kz = [p for p in parts if "Казахстан" in parse_html(p.html)]
    assert kz and "Протест" in parse_html(kz[0].html)
    assert render_digest([]) == []


def test_only_http_links_become_hrefs() -> None:
    bad = ("file:///etc/passwd", "javascript:alert(1)", "tg://resolve?domain=x",
           "data:text/html,hi", "ftp://x.example/a", "//x.example/a", "https://")
    for url in bad:
        for source in ("Example News", ""):
            alert = make_alert(url=url, source=source)
            r = render_alert(alert)
            assert "href" not in r.html, (url, r.html)
            assert r.preview_url is None
            parse_html(r.html)
        digest = render_digest([make_alert(url=url)])
        assert "href" not in digest[0].html
    for url in ("https://x.example/a", "HTTP://x.example/b"):
        r = render_alert(make_alert(url=url))
        assert f'href="{url}"' in r.html and r.preview_url == url
