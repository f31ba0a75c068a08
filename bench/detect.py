"""Throughput of the rule engine on one core, against a naive keyword baseline.

    python bench/detect.py [--docs 600] [--repeat 3] [--against REV]

Corpus: ~2 KB articles (2,000 bytes of UTF-8, so a Russian one holds about half as
many characters as an English one) in English and Russian, built deterministically from the
labelled regression cases in tests/data/cases, written texts and real excerpts
alike (plus the reference article when ../shared/samples is present), so that it
reads like real wire copy and holds both positives and hard negatives.

Figures:
* reference rules (3) through the compiled engine, entries/s;
* naive baseline: one `re.search` per rule term per entry (what a keyword bot
  does), entries/s, and the ratio engine/baseline;
* scaling: 300 generated rule variants against the 3 reference rules (ratio). Every
  variant is a reference rule with its own extra terms in every group and its own
  severity; the main figure gives them one country each (3 event types x 100
  countries, a realistic large rule set), the worst case gives 100 copies of each
  rule broad scopes (watch list, all, CSTO...), so that on an event-dense article
  about 100 of them fire and each builds its own detection.

Rates are entries per second of CPU time of this one process (best of --repeat); compile
times are CPU seconds too (the first compile includes building the gazetteer).

--against REV (any git revision: main, HEAD~3, a tag, a commit) measures that revision too,
in the same run on the same machine: its tree is extracted with `git archive` into a
temporary directory (removed afterwards), and a child process runs this script's
measurement with that tree's `detectors` and `config/rules` on the same corpus (written to
a file). A table then gives every figure for this tree and for REV, and this/REV: for
times below 1 means this tree is faster, for rates above 1. The naive baseline runs the
same regexes on both sides (when the rule terms did not change), so its ratio shows the
noise of the measurement. REV needs the same `detectors` API (compile_rules, RuleFile,
Document) and its dependencies installed in this environment.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from revisions import resolve, tree_of

if TYPE_CHECKING:
    from detectors import RuleFile, RuleSet

ROOT = Path(__file__).resolve().parent.parent  # the corpus, and the code unless --code

CSTO = ("AM", "BY", "KZ", "KG", "RU", "TJ")
TARGET_BYTES = 2000


@dataclass(frozen=True, slots=True)
class Article:
    """A corpus entry, plain so that it can go to a child process (--against)."""

    title: str
    text: str
    language: str


Corpus = tuple[str, list[Article]]


def glue(pool: list[str], rng: random.Random, first: str | None = None) -> str:
    """`first`, then texts from `pool`, one per paragraph, to about TARGET_BYTES of UTF-8."""
    parts = [first] if first is not None else []
    while sum(len(p.encode()) + 1 for p in parts) < TARGET_BYTES:
        parts.append(rng.choice(pool))
    return clip("\n".join(parts))


def clip(text: str) -> str:
    return text.encode()[: TARGET_BYTES + 200].decode(errors="ignore")


DEV = ROOT.parent / "shared" / "eval" / "events-dev.jsonl"


def news_corpus(n: int, seed: int = 4) -> list[Article]:
    """~2 KB articles glued from the shared development set's real news texts (read at
    bench time, never copied): mostly no event, as in a real feed."""
    records = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line]
    by_lang: dict[str, list[dict[str, str]]] = {}
    for rec in records:
        by_lang.setdefault(rec["language"], []).append(rec)
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        lang = "en" if i % 2 == 0 else "ru"
        pool = by_lang[lang]
        first = rng.choice(pool)
        text = glue([r["text"] for r in pool], rng, first=first["text"])
        docs.append(Article(title=first["title"], text=text, language=lang))
    return docs


def corpus(n: int, seed: int = 4) -> list[Article]:
    """~2 KB articles glued from the regression cases: event-dense, a worst case."""
    cases = [json.loads(line) for p in sorted((ROOT / "tests" / "data" / "cases").rglob("*.jsonl"))
             for line in p.read_text(encoding="utf-8").splitlines() if line]
    sample = ROOT / "tests" / "data" / "kazakhstan-csto-2022-01-10.txt"
    by_lang: dict[str, list[str]] = {"en": [], "ru": []}
    for case in cases:
        by_lang.setdefault(case["language"], []).append(case["text"])
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        lang = "en" if i % 2 == 0 else "ru"
        pool = by_lang[lang]
        if lang == "en" and sample.exists() and i % 50 == 0:
            text = clip(sample.read_text(encoding="utf-8"))
        else:
            text = glue(pool, rng)
        title = rng.choice(cases)["title"] if i % 3 else ""
        docs.append(Article(title=title, text=text, language=lang))
    return docs


def load_specs(code: Path = ROOT) -> list[tuple[str, RuleFile]]:
    from detectors import RuleFile

    return [
        (str(p), RuleFile.model_validate(yaml.safe_load(p.read_text(encoding="utf-8"))))
        for p in sorted((code / "config" / "rules").glob("*.yaml"))
    ]


PER_COUNTRY = [
    "AM", "BY", "KZ", "KG", "RU", "TJ", "UA", "AZ", "GE", "UZ", "TM", "MD", "SY", "IQ", "TR", "IR",
    "IL", "PS", "LB", "AF", "PK", "IN", "BD", "CN", "MM", "TH", "US", "GB", "FR", "DE", "PL", "NL",
    "EG", "LY", "SD", "ET", "NG", "KE", "SO", "ML", "HT", "VE", "SA", "YE", "JO", "LT", "LV", "EE",
    "FI", "RO", "BG", "RS", "HU", "CZ", "SK", "AT", "IT", "ES", "PT", "GR", "CY", "DZ", "MA", "TN",
    "NE", "TD", "CM", "CF", "CD", "UG", "RW", "BI", "TZ", "MZ", "ZW", "ZA", "AO", "CI", "GN", "SN",
    "BF", "MX", "CO", "PE", "BO", "EC", "CL", "AR", "BR", "NI", "HN", "GT", "SV", "CU", "PH", "ID",
    "MY", "KH", "LA", "VN",
]
BROAD = ["watch", "all", "csto", ["KZ"], ["RU", "BY"], ["AM", "TJ", "KG"]]


def variants(specs: list[tuple[str, RuleFile]], count: int, scopes: Sequence[object]
             ) -> list[tuple[str, RuleFile]]:
    """`count` distinct rules derived from the reference ones: each variant gets its own
    extra terms in every group, its own scope (from `scopes`, in turn) and severity."""
    from detectors import RuleFile

    base = [rule for _, f in specs for rule in f.rules]
    severities = ["low", "medium", "high", "critical"]
    rules = []
    for k in range(count):
        rule = base[k % len(base)].model_dump(by_alias=True, exclude_defaults=False)
        rule["id"] = f"{rule['id']}-v{k}"
        rule["examples"] = {"match": [], "no_match": []}
        rule["countries"] = scopes[(k // len(base)) % len(scopes)]
        rule["severity"] = severities[k % len(severities)]
        for g, by_lang in rule["terms"].items():
            for lang, terms in by_lang.items():
                by_lang[lang] = [*terms, f"variant{k}{g}{lang}", f"extra{k} phrase{k}"]
        rules.append(rule)
    return [("variants.yaml", RuleFile.model_validate({"rules": rules}))]


def naive_baseline(specs: list[tuple[str, RuleFile]]) -> list[re.Pattern[str]]:
    """One case-insensitive regex per term, as a keyword filter would do."""
    patterns = []
    for _, rule_file in specs:
        for rule in rule_file.rules:
            for by_lang in rule.terms.values():
                for terms in by_lang.values():
                    for term in terms:
                        if term.startswith("re:"):
                            patterns.append(re.compile(term[3:], re.IGNORECASE))
                            continue
                        words = []
                        for w in term.split():
                            w = w.removeprefix("=")
                            words.append(re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*")
                                                                      else r"\w{0,4}"))
                        patterns.append(re.compile(r"\b" + r"\W+".join(words) + r"\b",
                                                   re.IGNORECASE))
    return patterns


def run_engine(rules: RuleSet, docs: list[Any]) -> int:
    found = 0
    for doc in docs:
        found += len(rules.detect(doc))
    return found


def run_naive(patterns: list[re.Pattern[str]], docs: list[Any]) -> int:
    found = 0
    for doc in docs:
        text = doc.title + "\n" + doc.text
        for pattern in patterns:
            if pattern.search(text):
                found += 1
    return found


def rate(fn: Callable[[list[Any]], int], docs: list[Any], repeat: int) -> float:
    # CPU time of this process: one core's throughput, robust to other load on the box
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn(docs)
        best = min(best, time.process_time() - start)
    return len(docs) / best


def measure(code: Path, corpora: list[Corpus], repeat: int,
            say: Callable[[str], None] = print) -> dict[str, float]:
    """Every figure of the benchmark for the `detectors` and `config/rules` of `code`."""
    sys.path.insert(0, str(code))
    detectors = importlib.import_module("detectors")
    if not Path(str(detectors.__file__)).resolve().is_relative_to(code.resolve()):
        raise SystemExit(f"imported {detectors.__file__}, not the one in {code}")
    compile_rules, document = detectors.compile_rules, detectors.Document

    specs = load_specs(code)
    start = time.process_time()  # the first compile builds the gazetteer too
    reference = compile_rules(specs, watch=CSTO)
    compile_3 = time.process_time() - start
    start = time.process_time()
    many = compile_rules(variants(specs, 300, PER_COUNTRY), watch=CSTO)
    compile_300 = time.process_time() - start
    broad = compile_rules(variants(specs, 300, BROAD), watch=CSTO)
    patterns = naive_baseline(specs)
    figures = {"compile, 3 rules (s)": compile_3, "compile, 300 rules (s)": compile_300}

    say(f"compile: 3 rules {compile_3:.2f} s, 300 rules {compile_300:.2f} s; "
        f"naive baseline: {len(patterns)} regexes")
    for name, articles in corpora:
        docs = [document(title=a.title, text=a.text, language=a.language) for a in articles]
        size = sum(len((d.title + d.text).encode()) for d in docs) / len(docs)
        chars = {lang: sum(len(d.title) + len(d.text) for d in docs if d.language == lang)
                 / max(1, sum(d.language == lang for d in docs)) for lang in ("en", "ru")}
        run_engine(reference, docs[:50])  # warm the stem cache
        run_engine(many, docs[:50])
        run_engine(broad, docs[:50])
        engine = rate(lambda d: run_engine(reference, d), docs, repeat)
        naive = rate(lambda d: run_naive(patterns, d), docs, repeat)
        scaled = rate(lambda d: run_engine(many, d), docs, repeat)
        worst = rate(lambda d: run_engine(broad, d), docs, repeat)
        detections = run_engine(reference, docs)
        short = name.split(" ")[0]
        figures |= {f"{short}: engine, 3 rules (entries/s)": engine,
                    f"{short}: naive baseline (entries/s)": naive,
                    f"{short}: engine, 300 rules (entries/s)": scaled,
                    f"{short}: 300 broad rules (entries/s)": worst,
                    f"{short}: detections, 3 rules": detections}
        say(f"\n== corpus {name}: {len(docs)} articles (en+ru), {size:.0f} bytes on average "
            f"({chars['en']:.0f} characters in English, {chars['ru']:.0f} in Russian), "
            f"{detections} detections with the reference rules")
        say(f"engine, 3 reference rules:  {engine:8.0f} entries/s   (target >= 2000)")
        say(f"naive baseline:             {naive:8.0f} entries/s   "
            f"engine/naive = {engine / naive:.1f}x")
        say(f"engine, 300 rules (3 types x 100 countries): {scaled:8.0f} entries/s   "
            f"slowdown 300 vs 3 = {engine / scaled:.2f}x (target <= 3x)")
        say(f"engine, 300 rules (100 broad copies of each): {worst:7.0f} entries/s   "
            f"slowdown 300 vs 3 = {engine / worst:.2f}x (worst case: they all fire)")
    return figures


def measure_revision(commit: str, corpora: list[Corpus], repeat: int) -> dict[str, float]:
    """The figures of `commit`, measured by a child process in a temporary copy of its
    tree (git archive), removed afterwards."""
    with tree_of(commit) as tree:
        corpus_file = tree.parent / "corpus.json"
        corpus_file.write_text(json.dumps(
            [[name, [dataclasses.asdict(a) for a in docs]] for name, docs in corpora]),
            encoding="utf-8")
        child = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--code", str(tree),
             "--corpus", str(corpus_file), "--repeat", str(repeat)],
            capture_output=True, text=True, cwd=tree.parent)
        if child.returncode != 0:
            raise SystemExit(f"measuring {commit} failed:\n{child.stderr}")
    figures: dict[str, float] = json.loads(child.stdout.splitlines()[-1])
    return figures


def compare(rev: str, commit: str, ours: dict[str, float], theirs: dict[str, float]) -> None:
    label = f"{rev} ({commit})" if rev != commit else rev
    width = max(len(k) for k in ours)
    print(f"\n== this tree against {label}: same corpus, same machine, one after the other")
    print(f"{'figure':<{width}}  {'this':>9}  {rev[:9]:>9}  this/{rev[:12]}")
    for key, value in ours.items():
        other = theirs.get(key)
        if other is None:
            continue
        ratio = f"{value / other:.2f}x" if other else "-"
        fmt = ".2f" if key.startswith("compile") else ".0f"
        print(f"{key:<{width}}  {value:>9{fmt}}  {other:>9{fmt}}  {ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", metavar="REV",
                        help="also measure git revision REV on the same corpus (see above)")
    # the child process of --against: the code to measure, and the corpus to measure it on
    parser.add_argument("--code", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.corpus is not None:  # a child: figures as one JSON line, nothing else
        raw = json.loads(args.corpus.read_text(encoding="utf-8"))
        given = [(name, [Article(**a) for a in docs]) for name, docs in raw]
        print(json.dumps(measure(args.code, given, args.repeat, say=lambda _: None)))
        return 0
    commit = resolve(args.against) if args.against else None
    corpora: list[Corpus] = [("event-dense (regression cases)", corpus(args.docs))]
    if DEV.exists():
        corpora.insert(0, ("news (shared dev texts)", news_corpus(args.docs)))
    figures = measure(args.code, corpora, args.repeat)
    if commit is not None:
        compare(args.against, commit, figures, measure_revision(commit, corpora, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
