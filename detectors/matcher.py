"""One Aho-Corasick automaton for every term of every rule, guard and place name.

A document is scanned once, whatever the number of terms. The automaton runs
over one string that holds the token stems (separated by \\x1f) followed by the
surface forms (separated by spaces):

* a plain word matches a stem exactly: ``\\x1fstem\\x1f``;
* a ``prefix*`` word matches the start of a surface form: `` prefix``;
* a ``=word`` or a word of a language without a stemmer matches its surface
  form exactly: `` word ``.

The automaton reports single words; phrases are assembled from consecutive
token hits. Every term carries labels (rule groups, guard cues, places), and a
scan returns the token spans per label. `re:` terms run through google-re2,
which matches in linear time, so no user pattern can blow up.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick
import re2

from detectors.tokens import SNOWBALL, Tokens, normalise, russian_forms, stem_words, tokenize

Span = tuple[int, int]  # token start, token end (exclusive)

_STEM = 0
_PREFIX = 1
_SURFACE = 2


class TermSyntaxError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Matcher:
    automaton: object  # ahocorasick.Automaton (untyped)
    first: dict[int, tuple[tuple[int, tuple[int, ...]], ...]]  # first word key → (term, rest)
    term_labels: tuple[tuple[int, ...], ...]
    regexes: tuple[tuple[object, tuple[int, ...]], ...]  # (re2 pattern, labels)
    empty: bool

    def scan(self, toks: Tokens) -> dict[int, list[Span]]:
        """Token spans per label, in document order."""
        out: dict[int, list[Span]] = defaultdict(list)
        n = len(toks.words)
        if n and not self.empty:
            stem_part = "\x1f" + "\x1f".join(toks.stems) + "\x1f"
            base = len(stem_part) + 1
            text = stem_part + "\x1e " + " ".join(toks.words) + " "
            stem_starts = list(itertools.accumulate((len(s) + 1 for s in toks.stems), initial=1))
            word_starts = list(
                itertools.accumulate((len(w) + 1 for w in toks.words), initial=base + 1)
            )
            tok_keys: dict[int, set[int]] = defaultdict(set)
            hits: list[tuple[int, int]] = []
            for end, (kind, keys, length) in self.automaton.iter(text):  # type: ignore[attr-defined]
                start = end - length + 2  # first character of the token
                if kind == _STEM:
                    tok = bisect.bisect_right(stem_starts, start) - 1
                else:
                    tok = bisect.bisect_right(word_starts, start) - 1
                if 0 <= tok < n:
                    for key in keys:
                        if key not in tok_keys[tok]:
                            tok_keys[tok].add(key)
                            hits.append((tok, key))
            first = self.first
            labels = self.term_labels
            for tok, key in hits:
                for term, rest in first.get(key, ()):
                    if all(rest[j] in tok_keys.get(tok + 1 + j, ()) for j in range(len(rest))):
                        # phrases never cross a sentence boundary
                        end_tok = tok + len(rest) + 1
                        if rest and toks.sentence_of[end_tok - 1] != toks.sentence_of[tok]:
                            continue
                        for label in labels[term]:
                            out[label].append((tok, end_tok))
        if self.regexes:
            self._scan_regexes(toks, out)
        for spans in out.values():
            spans.sort()
        return out

    def _scan_regexes(self, toks: Tokens, out: dict[int, list[Span]]) -> None:
        for s_idx, sentence in enumerate(toks.sentences):
            lowered = normalise(sentence)
            first_tok = toks.sentence_start[s_idx]
            for pattern, labels in self.regexes:
                for m in pattern.finditer(lowered):  # type: ignore[attr-defined]
                    start = first_tok + len(tokenize(lowered[: m.start()]))
                    width = max(1, len(tokenize(m.group(0))))
                    for label in labels:
                        out[label].append((start, start + width))


@dataclass
class MatcherBuilder:
    """Collects terms (with labels) and builds the one automaton."""

    _keys: dict[tuple[int, str], int] = field(default_factory=dict)
    _patterns: dict[str, tuple[int, list[int]]] = field(default_factory=dict)
    _terms: dict[tuple[int, ...], int] = field(default_factory=dict)
    _term_labels: list[list[int]] = field(default_factory=list)
    _regexes: dict[str, tuple[object, list[int]]] = field(default_factory=dict)

    def _key(self, kind: int, value: str, patterns: Iterable[str]) -> int:
        key = self._keys.get((kind, value))
        if key is None:
            key = self._keys[(kind, value)] = len(self._keys)
            for pattern in patterns:
                entry = self._patterns.setdefault(pattern, (kind, []))
                entry[1].append(key)
        return key

    def _word_key(self, word: str, wildcard: bool, language: str, exact: bool = False) -> int:
        if wildcard:
            return self._key(_PREFIX, word, [" " + word])
        is_cyrillic = "а" <= word[0] <= "я"
        if exact or (language not in SNOWBALL and not is_cyrillic):
            return self._key(_SURFACE, word, [" " + word + " "])
        forms = russian_forms(word) if is_cyrillic else frozenset({word})
        stems = sorted(set(stem_words(sorted(forms), language)))
        value = language + ":" + word
        return self._key(_STEM, value, ["\x1f" + s + "\x1f" for s in stems])

    def add(self, term: str, language: str, label: int) -> None:
        """Add one term; raise TermSyntaxError if it cannot be compiled."""
        if term.startswith("re:"):
            self._add_regex(term[3:], label)
            return
        keys: list[int] = []
        for raw in term.split():
            exact = raw.startswith("=")  # `=word`: this surface form only, no stemming
            piece = raw.removeprefix("=")
            wildcard = piece.endswith("*")
            if exact and wildcard:
                raise TermSyntaxError(f"{raw!r}: '=' and '*' exclude each other")
            words = tokenize(piece.rstrip("*"))
            if not words:
                raise TermSyntaxError(f"no word in {piece!r}")
            if "*" in piece.rstrip("*"):
                raise TermSyntaxError("'*' is only allowed at the end of a word")
            for i, word in enumerate(words):
                last = i == len(words) - 1
                if wildcard and last and len(word) < 3:
                    raise TermSyntaxError(f"prefix {word!r}* is too short (3 letters at least)")
                keys.append(self._word_key(word, wildcard and last, language, exact))
        key_tuple = tuple(keys)
        term_id = self._terms.get(key_tuple)
        if term_id is None:
            term_id = self._terms[key_tuple] = len(self._term_labels)
            self._term_labels.append([])
        if label not in self._term_labels[term_id]:
            self._term_labels[term_id].append(label)

    def _add_regex(self, pattern: str, label: int) -> None:
        entry = self._regexes.get(pattern)
        if entry is None:
            try:
                compiled = re2.compile(pattern)
            except re2.error as exc:
                raise TermSyntaxError(f"bad regular expression: {exc}") from exc
            entry = self._regexes[pattern] = (compiled, [])
        if label not in entry[1]:
            entry[1].append(label)

    def build(self) -> Matcher:
        automaton = ahocorasick.Automaton()
        for pattern, (kind, pattern_keys) in self._patterns.items():
            automaton.add_word(pattern, (kind, tuple(pattern_keys), len(pattern)))
        if self._patterns:
            automaton.make_automaton()
        first: dict[int, list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
        for keys, term_id in self._terms.items():
            first[keys[0]].append((term_id, keys[1:]))
        return Matcher(
            automaton=automaton,
            first={k: tuple(v) for k, v in first.items()},
            term_labels=tuple(tuple(labels) for labels in self._term_labels),
            regexes=tuple((p, tuple(labels)) for p, labels in self._regexes.values()),
            empty=not self._patterns,
        )
