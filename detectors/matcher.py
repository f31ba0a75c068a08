"""One Aho-Corasick automaton for every term of every rule, guard and place name.

A document is scanned once, whatever the number of terms. The automaton runs
over one string that holds the token stems (each after \\x1f) followed by the
surface forms (each after \\x1d):

* a phrase of plain words matches the stems exactly: ``\\x1fstem1\\x1fstem2\\x1f``
  (Russian words bring the stems of every form of their lexeme);
* a ``=word`` or a word of a language without a stemmer matches its surface form
  exactly: ``\\x1dword\\x1d``;
* a ``prefix*`` word matches the start of a surface form: ``\\x1dprefix``.

A hit's token is the number of separators before it (`str.count`, in C).

Phrases that mix these kinds are assembled from their words' hits on consecutive
tokens. Each term carries labels (rule groups, guard cues, places); labels of
rule groups are resolved lazily, so 300 rules that share vocabulary cost little
more than 3. `re:` terms run through google-re2, which matches in linear time,
so no user pattern can blow up.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import ahocorasick
import re2

from detectors.tokens import (
    SNOWBALL,
    Tokens,
    is_russian_verb,
    normalise,
    russian_forms,
    stem_words,
    tokenize,
)

Span = tuple[int, int]  # token start, token end (exclusive)

_STEM = 0
_SURFACE = 1
_PREFIX = 2
_MAX_EXPANSION = 400  # stem combinations of one phrase before it is assembled instead
_STEM_SEP = "\x1f"
_SURFACE_SEP = "\x1d"  # tokens never hold control characters; numbers may hold spaces


class TermSyntaxError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Scan:
    """The hits of one document: spans per term, and per eager label (guards, places)."""

    terms: dict[int, list[Span]]
    eager: dict[int, list[Span]]


@dataclass(frozen=True, slots=True)
class Matcher:
    automaton: object  # ahocorasick.Automaton (untyped)
    # a mixed phrase's first word → (term, the other words as (kind, forms))
    first: Mapping[int, tuple[tuple[int, tuple[tuple[int, frozenset[str]], ...]], ...]]
    label_terms: Mapping[int, frozenset[int]]
    eager_labels: Mapping[int, tuple[int, ...]]  # term → its eager labels
    regexes: tuple[tuple[object, int], ...]  # (re2 pattern, term)
    empty: bool

    def scan(self, toks: Tokens) -> Scan:
        terms: dict[int, list[Span]] = defaultdict(list)
        n = len(toks.words)
        if n and not self.empty:
            self._scan_automaton(toks, terms)
        if self.regexes:
            self._scan_regexes(toks, terms)
        eager: dict[int, list[Span]] = defaultdict(list)
        eager_labels = self.eager_labels
        for term, spans in terms.items():
            for label in eager_labels.get(term, ()):
                eager[label].extend(spans)
        return Scan(terms, eager)

    def spans(self, scan: Scan, label: int) -> list[Span]:
        """Spans of one (lazy) label, in document order."""
        found = self.label_terms.get(label, frozenset()).intersection(scan.terms)
        if not found:
            return []
        if len(found) == 1:
            return scan.terms[next(iter(found))]
        return sorted(sp for t in found for sp in scan.terms[t])

    def _scan_automaton(self, toks: Tokens, terms: dict[int, list[Span]]) -> None:
        stems, words = toks.stems, toks.words
        n = len(words)
        base = len(stems) + sum(map(len, stems)) + 1  # where the surface forms start
        text = (_STEM_SEP + _STEM_SEP.join(stems) + _STEM_SEP
                + _SURFACE_SEP + _SURFACE_SEP.join(words) + _SURFACE_SEP)
        count = text.count
        sentence_of = toks.sentence_of
        pending: list[tuple[int, int]] = []
        # hits come roughly in text order: count separators on from the previous hit's
        # start in the same part of the text (0: stems, 1: surface forms), not from the
        # part's beginning every time
        origin, seps = (0, base), (_STEM_SEP, _SURFACE_SEP)
        at, tok_at = [0, base], [0, 0]
        for end, (ids, length, width, part_keys) in self.automaton.iter(text):  # type: ignore[attr-defined]
            start = end - length + 1  # the separator in front of the hit's first token
            part = start >= base
            if start < at[part]:  # an earlier hit than the last: count from the part's start
                at[part], tok_at[part] = origin[part], 0
            tok = tok_at[part] = tok_at[part] + count(seps[part], at[part], start)
            at[part] = start
            stop = tok + width
            if width > 1 and (stop > n or sentence_of[stop - 1] != sentence_of[tok]):
                continue  # a phrase never crosses a sentence boundary
            span = (tok, stop)
            for term in ids:
                terms[term].append(span)
            for key in part_keys:
                pending.append((tok, key))
        if not pending:
            return
        first = self.first
        for tok, key in pending:
            for term, rest in first.get(key, ()):
                stop = tok + 1 + len(rest)
                if stop > n or sentence_of[stop - 1] != sentence_of[tok]:
                    continue
                if all(_word_at(kind, forms, stems[t], words[t])
                       for t, (kind, forms) in enumerate(rest, start=tok + 1)):
                    terms[term].append((tok, stop))

    def _scan_regexes(self, toks: Tokens, terms: dict[int, list[Span]]) -> None:
        for s_idx, sentence in enumerate(toks.sentences):
            lowered = normalise(sentence)
            first_tok = toks.sentence_start[s_idx]
            for pattern, term in self.regexes:
                for m in pattern.finditer(lowered):  # type: ignore[attr-defined]
                    start = first_tok + len(tokenize(lowered[: m.start()]))
                    width = max(1, len(tokenize(m.group(0))))
                    terms[term].append((start, start + width))


def _word_at(kind: int, forms: frozenset[str], stem: str, word: str) -> bool:
    if kind == _STEM:
        return stem in forms
    if kind == _SURFACE:
        return word in forms
    return any(word.startswith(p) for p in forms)


@dataclass(frozen=True, slots=True)
class _Word:
    kind: int
    patterns: tuple[str, ...]  # the word's own pattern(s), with separators stripped


@dataclass
class MatcherBuilder:
    """Collects terms (with labels) and builds the one automaton."""

    _terms: dict[tuple[object, ...], int] = field(default_factory=dict)
    _labels: list[set[int]] = field(default_factory=list)
    _words: list[tuple[_Word, ...]] = field(default_factory=list)  # term → its words
    _regexes: dict[str, int] = field(default_factory=dict)
    _compiled: dict[str, object] = field(default_factory=dict)

    def _word(self, word: str, wildcard: bool, language: str, exact: bool) -> _Word:
        if wildcard:
            return _Word(_PREFIX, (word,))
        is_cyrillic = "а" <= word[0] <= "я"
        if exact or (language not in SNOWBALL and not is_cyrillic):
            return _Word(_SURFACE, (word,))
        forms = russian_forms(word) if is_cyrillic else frozenset({word})
        if is_cyrillic and is_russian_verb(word):
            # verbs match their exact past and present forms: a stem would also match
            # the future ("отправит" shares the stem of "отправить") and announce a plan
            return _Word(_SURFACE, tuple(sorted(forms)))
        return _Word(_STEM, tuple(sorted(set(stem_words(sorted(forms), language)))))

    def add(self, term: str, language: str, label: int) -> int:
        """Add one term under `label`; return its id. Raise TermSyntaxError if invalid."""
        if term.startswith("re:"):
            return self._add_regex(term[3:], label)
        words: list[_Word] = []
        for raw in term.split():
            exact = raw.startswith("=")  # `=word`: this surface form only, no stemming
            piece = raw.removeprefix("=")
            wildcard = piece.endswith("*")
            if exact and wildcard:
                raise TermSyntaxError(f"{raw!r}: '=' and '*' exclude each other")
            if "*" in piece.rstrip("*"):
                raise TermSyntaxError("'*' is only allowed at the end of a word")
            tokens = tokenize(piece.rstrip("*"))
            if not tokens:
                raise TermSyntaxError(f"no word in {piece!r}")
            for i, token in enumerate(tokens):
                last = i == len(tokens) - 1
                if wildcard and last and len(token) < 3:
                    raise TermSyntaxError(f"prefix {token!r}* is too short (3 letters at least)")
                words.append(self._word(token, wildcard and last, language, exact))
        key = tuple(words)
        term_id = self._terms.get(key)
        if term_id is None:
            term_id = self._terms[key] = len(self._labels)
            self._labels.append(set())
            self._words.append(key)
        self._labels[term_id].add(label)
        return term_id

    def _add_regex(self, pattern: str, label: int) -> int:
        term_id = self._regexes.get(pattern)
        if term_id is None:
            try:
                self._compiled[pattern] = re2.compile(pattern)
            except re2.error as exc:
                raise TermSyntaxError(f"bad regular expression: {exc}") from exc
            term_id = self._regexes[pattern] = len(self._labels)
            self._labels.append(set())
            self._words.append(())
        self._labels[term_id].add(label)
        return term_id

    def build(self, eager: frozenset[int] = frozenset()) -> Matcher:
        """`eager` labels (guards, places) are resolved on every scan; others lazily."""
        patterns: dict[str, tuple[list[int], int, int, set[int]]] = {}
        word_keys: dict[tuple[int, str], int] = {}
        first: dict[int, list[tuple[int, tuple[tuple[int, frozenset[str]], ...]]]] = (
            defaultdict(list)
        )

        def add_pattern(text: str, term: int | None, width: int, key: int | None) -> None:
            entry = patterns.setdefault(text, ([], len(text), width, set()))
            if term is not None and term not in entry[0]:
                entry[0].append(term)
            if key is not None:
                entry[3].add(key)

        def pattern_of(kind: int, parts: tuple[str, ...]) -> str:
            if kind == _STEM:
                return _STEM_SEP + _STEM_SEP.join(parts) + _STEM_SEP
            if kind == _SURFACE:
                return _SURFACE_SEP + _SURFACE_SEP.join(parts) + _SURFACE_SEP
            return _SURFACE_SEP + parts[0]

        for term, words in enumerate(self._words):
            if not words:
                continue  # a regex
            kinds = {w.kind for w in words}
            combos = 1
            for w in words:
                combos *= len(w.patterns)
            whole = len(kinds) == 1 and (
                (kinds == {_STEM} and combos <= _MAX_EXPANSION)
                or kinds == {_SURFACE} or len(words) == 1
            )
            if whole:
                for parts in itertools.product(*(w.patterns for w in words)):
                    add_pattern(pattern_of(words[0].kind, parts), term, len(words), None)
                continue
            # a mixed phrase: the automaton reports its first word, the others are
            # compared on the following tokens
            head = words[0]
            key = word_keys.setdefault((head.kind, "\x00".join(head.patterns)), len(word_keys))
            for p in head.patterns:
                add_pattern(pattern_of(head.kind, (p,)), None, 1, key)
            rest = tuple((w.kind, frozenset(w.patterns)) for w in words[1:])
            first[key].append((term, rest))

        automaton = ahocorasick.Automaton()
        for text, (ids, length, width, keys) in patterns.items():
            automaton.add_word(text, (tuple(ids), length, width, tuple(sorted(keys))))
        if patterns:
            automaton.make_automaton()
        label_terms: dict[int, set[int]] = defaultdict(set)
        eager_labels: dict[int, tuple[int, ...]] = {}
        for term, labels in enumerate(self._labels):
            for label in labels:
                label_terms[label].add(term)
            mine = tuple(sorted(label for label in labels if label in eager))
            if mine:
                eager_labels[term] = mine
        return Matcher(
            automaton=automaton,
            first={k: tuple(v) for k, v in first.items()},
            label_terms={k: frozenset(v) for k, v in label_terms.items()},
            eager_labels=eager_labels,
            regexes=tuple((self._compiled[p], t) for p, t in self._regexes.items()),
            empty=not patterns,
        )
