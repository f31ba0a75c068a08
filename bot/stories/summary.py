"""Extractive summaries: the lead plus the evidence sentences, in the article's language.

A summary is 1–3 whole sentences of the article, at most `limit` characters. It never
repeats itself: a sentence that says what an earlier one (or the headline) already
says is skipped. Nothing is translated or generated, so it stays in the article's
language and every word of it is the outlet's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.text import clip
from detectors.tokens import split_sentences

LIMIT = 400
MAX_SENTENCES = 3
# A sentence this much like one already chosen (or the headline) adds nothing.
_REPEAT = 0.6
# A lead longer than this crowds out the evidence; the evidence goes first then.
_LONG_LEAD = 220

_WORD = re.compile(r"\w+", re.UNICODE)


def _words(sentence: str) -> frozenset[str]:
    return frozenset(w[:6] for w in _WORD.findall(sentence.lower()) if len(w) > 2)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _is_byline(sentence: str) -> bool:
    # "Bohdan Marusyak": a short line of capitalised words with no full stop.
    words = sentence.split()
    return (
        len(words) <= 4
        and not sentence.endswith((".", "!", "?", "…", "\"", "”", "»"))
        and all(w[:1].isupper() for w in words)
    )


def summarise(
    title: str,
    text: str,
    evidence: Iterable[str] = (),
    *,
    limit: int = LIMIT,
    max_sentences: int = MAX_SENTENCES,
) -> str:
    """1–3 sentences of `text`: its lead and the evidence, in document order, ≤ `limit`."""
    body = [s for s in split_sentences(text) if not _is_byline(s)]
    evidence_list = [" ".join(e.split()) for e in evidence if e.strip()]
    if not body:
        body = evidence_list
    if not body:
        return clip(" ".join(title.split()), limit)
    lead = body[0]
    picked = _pick(title, lead, evidence_list, body, limit, max_sentences)
    if not picked and evidence_list:
        # Lead and evidence only repeat the headline: the sentences after them may not.
        picked = _pick(title, lead, (), body, limit, max_sentences)
    if not picked:
        # Even one sentence is too long: show the start of the most useful one.
        first = evidence_list[0] if evidence_list and len(lead) > _LONG_LEAD else lead
        return clip(first, limit)
    order = {s: i for i, s in enumerate(body)}
    picked.sort(key=lambda s: order.get(s, len(body)))
    return " ".join(picked)


def _pick(
    title: str,
    lead: str,
    evidence: Sequence[str],
    body: Sequence[str],
    limit: int,
    max_sentences: int,
) -> list[str]:
    # The evidence is what the alert is about; the lead gives context. A long lead
    # goes after the evidence so that it can't push the evidence out.
    wanted = [lead, *evidence] if len(lead) <= _LONG_LEAD else [*evidence, lead]
    if len(wanted) == 1:
        # No evidence: the lead, then the sentences that follow it.
        wanted.extend(body[1:])
    headline = _words(title)
    seen: list[frozenset[str]] = []
    picked: list[str] = []
    size = 0
    for sentence in wanted:
        if len(picked) >= max_sentences:
            break
        if sentence in picked:
            continue
        words = _words(sentence)
        # A sentence repeats the headline when most of *its* words are in it.
        if words and len(words & headline) / len(words) >= _REPEAT:
            continue
        if any(_overlap(words, other) >= _REPEAT for other in seen):
            continue
        extra = len(sentence) + (1 if picked else 0)
        if size + extra > limit:
            continue
        picked.append(sentence)
        seen.append(words)
        size += extra
    return picked
