"""`eventwatch same-story`: judge pairs of articles with the live merging decision.

Operators tune `stories.similarity`, `figure_tolerance` and the windows on their own
labelled pairs. Input, one JSON object per line:

    {"id": "p1", "a": {"title", "text", "language"?, "url"?, "published"?}, "b": {...}}

Output, one line per pair: {"id", "same_story": bool, "score": float, "reason": str}.

The judgement is `bot.stories.decisions.judge`, the function that merges live reports:
each article becomes a report as live (every rule it matches, its headline+lead
embedding), the first founds a story and the second is judged against it: within
`stories.window`, facts that must agree (event type, country, the finest place both
name, falling figures, years), then the fitted model over meaning, wording, dates and
time (`bot.stories.judge`). An article without a date is judged as if published with
the other, and its time says nothing. `score` is the judge's probability (0 when the
window or a fact decided).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, Protocol

from pydantic import ValidationError

from bot.cli.detect import Article
from bot.config.settings import StorySettings
from bot.feeds.types import is_date_only
from bot.stories.decisions import create, judge, make_report
from bot.stories.embed import Embedder, embedding_text, shared_embedder
from bot.stories.types import Report, Story, Verdict
from bot.types import Entry
from detectors.types import Detection, Document

if TYPE_CHECKING:
    from bot.config.loader import Config

log = logging.getLogger(__name__)

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class Detector(Protocol):
    def detect(self, doc: Document) -> tuple[Detection, ...]: ...


def document(data: Any) -> Document:
    """One side of a pair: the same article fields as `eventwatch detect` reads."""
    if not isinstance(data, dict):
        raise ValueError("expected an object with title and text")
    try:
        article = Article.model_validate(data)
    except ValidationError as exc:
        raise ValueError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                   for e in exc.errors(include_url=False))) from exc
    if not (article.title or article.text):
        raise ValueError("title and text must not both be empty")
    return article.document()


def _entry(doc: Document, side: str, published: datetime, day_only: bool) -> Entry:
    return Entry(feed_id=side, key=side, url=doc.url, title=doc.title, text=doc.text,
                 published=published, language=doc.language, content_hash="", source=side,
                 day_only=day_only)


def founded(
    a: Document,
    b: Document,
    *,
    detections: tuple[Sequence[Detection], Sequence[Detection]] = ((), ()),
    vectors: tuple[bytes, bytes] = (b"", b""),
    day_only: tuple[bool, bool] = (False, False),
) -> tuple[Story, Report]:
    """The story report `a` founds live, and report `b` as it would arrive."""
    # Undated articles are judged as if published together: the window can't apply.
    pa = a.published or b.published or _EPOCH
    pb = b.published or pa
    now = max(pa, pb)
    ea = _entry(a, "a", pa, day_only[0] and a.published is not None)
    eb = _entry(b, "b", pb, day_only[1] and b.published is not None)
    story = create(make_report(ea, detections[0], now=now, vector=vectors[0],
                               undated=a.published is None), now=now).story
    return story, make_report(eb, detections[1], now=now, vector=vectors[1],
                              undated=b.published is None)


def judge_documents(
    a: Document,
    b: Document,
    settings: StorySettings,
    *,
    detections: tuple[Sequence[Detection], Sequence[Detection]] = ((), ()),
    vectors: tuple[bytes, bytes] = (b"", b""),
    day_only: tuple[bool, bool] = (False, False),
) -> Verdict:
    """Would a live report `b` join the story that report `a` founded? Given what the
    detectors found in each and their embeddings (bench/stories.py reuses them)."""
    story, report = founded(a, b, detections=detections, vectors=vectors, day_only=day_only)
    return judge(report, story, settings)


def same_story(
    a: Document,
    b: Document,
    settings: StorySettings,
    detector: Detector | None = None,
    embedder: Embedder | None = None,
    *,
    day_only: tuple[bool, bool] = (False, False),
) -> Verdict:
    """As live: one report per article with every rule it matched, embedded."""
    da = detector.detect(a) if detector is not None else ()
    db = detector.detect(b) if detector is not None else ()
    vectors = (b"", b"")
    if embedder is not None:
        va, vb = embedder.embed([embedding_text(a.title, a.text), embedding_text(b.title, b.text)])
        vectors = (va, vb)
    return judge_documents(a, b, settings, detections=(da, db), vectors=vectors,
                           day_only=day_only)


def run(
    lines: Iterable[str],
    out: IO[str],
    err: IO[str],
    settings: StorySettings,
    detector: Detector | None = None,
    embedder: Embedder | None = None,
) -> int:
    """The command's body: 0 when every line was judged, 1 when any line was bad."""
    status = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            pair = json.loads(line)
            if not isinstance(pair, dict) or "a" not in pair or "b" not in pair:
                raise ValueError('expected {"id", "a": {...}, "b": {...}}')
            pid = pair.get("id", str(number))
            day_only = (is_date_only(pair["a"].get("published")),
                        is_date_only(pair["b"].get("published")))
            verdict = same_story(document(pair["a"]), document(pair["b"]), settings, detector,
                                 embedder, day_only=day_only)
        except (ValueError, TypeError) as exc:
            err.write(f"line {number}: {exc}\n")
            status = 1
            continue
        out.write(json.dumps({
            "id": pid,
            "same_story": verdict.same,
            "score": round(verdict.score, 4),
            "reason": verdict.reason,
        }, ensure_ascii=False) + "\n")
    out.flush()
    return status


def run_same_story(config: Config, stdin: Iterable[str], stdout: IO[str], stderr: IO[str]) -> int:
    """`eventwatch same-story [--config DIR]`: the config's rules and story settings."""
    return run(stdin, stdout, stderr, config.settings.stories, config.rules, shared_embedder())
