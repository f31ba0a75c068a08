"""Text → sentences → clauses → normalised tokens and their stems.

Terms and documents go through the same functions, so a term matches a token
exactly when their normal forms agree. Stems come from Snowball (PyStemmer),
chosen by the token's script and the document language; Russian term words are
also expanded to every inflected form of their lexeme with pymorphy3 at compile
time, so "задержать" matches "задержаны" and "задержали".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import Stemmer

# Numbers keep their digit groups ("2,030", "8 000"); words are letter runs, so
# hyphens and apostrophes split ("Nur-Sultan" → nur sultan, "didn't" → didn t).
_TOKEN = re.compile(
    r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?![\d])|\d+(?:[.,]\d+)?|[^\W\d_]+"
)
_SENTENCE_END = re.compile(
    r"(?<=[.!?…])\s+(?=[«\"“'(]?[A-ZА-ЯЁ\d])|(?<=[.!?…][\"»”’)])\s+(?=[«\"“'(]?[A-ZА-ЯЁ\d])|\n+"
)
# A clause ends at ; : or a dash, or before a contrasting conjunction.
_CLAUSE_END = re.compile(
    r"[;:]|\s[—–]\s|,\s*(?=(?:but|while|whereas|although|though|however|а|но|однако|хотя)\b)"
    r"|\s(?=(?:but|however|однако)\s)",
    re.IGNORECASE,
)
_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")

# ISO 639-1 → Snowball algorithm; a language missing here is matched unstemmed.
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian",
    "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
    "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian",
    "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "fa": "persian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "es": "spanish",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}
_LATIN_DEFAULT = "en"
_CYRILLIC_DEFAULT = "ru"


def normalise(word: str) -> str:
    word = word.lower().replace("ё", "е")
    if not word.isascii() and word[0] < "\u0250":
        # Latin letters lose their accents ("Bogotá" → bogota); Cyrillic "й" is kept
        word = "".join(
            c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)
        )
    return word


def guess_language(text: str) -> str:
    sample = text[:600].lower()
    cyr = len(_CYRILLIC.findall(sample))
    latin = len(_LATIN.findall(sample))
    return "ru" if cyr > latin else "en"


@functools.cache
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    algo = SNOWBALL.get(language)
    return Stemmer.Stemmer(algo) if algo else None


def stem_words(words: list[str], language: str) -> list[str]:
    """Stems of normalised words: Cyrillic words with Russian, others with `language`."""
    if not words:
        return words
    latin_lang = language if language not in ("ru", "uk", "be", "kk", "ky", "tg") else "en"
    out = list(words)
    cyr_idx = [i for i, w in enumerate(words) if "а" <= w[0] <= "я"]
    cyr_set = set(cyr_idx)
    lat_idx = [i for i in range(len(words)) if i not in cyr_set]
    for idx, lang in ((cyr_idx, _CYRILLIC_DEFAULT), (lat_idx, latin_lang)):
        if not idx:
            continue
        stemmer = _stemmer(lang) or (_stemmer(_LATIN_DEFAULT) if lang == latin_lang else None)
        if stemmer is None:
            continue
        stems = stemmer.stemWords([words[i] for i in idx])
        for i, s in zip(idx, stems, strict=True):
            out[i] = s
    return out


def tokenize(text: str) -> list[str]:
    return [normalise(t) for t in _TOKEN.findall(text)]


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def split_clauses(sentence: str) -> list[str]:
    return [c for c in _CLAUSE_END.split(sentence) if c and c.strip()]


def is_number(token: str) -> bool:
    return token[0].isdigit()


@dataclass(frozen=True, slots=True)
class Tokens:
    """A document as parallel token arrays, plus sentence and clause boundaries."""

    words: tuple[str, ...]  # normalised surface forms
    stems: tuple[str, ...]
    sentence_of: tuple[int, ...]  # token → sentence index
    clause_of: tuple[int, ...]  # token → clause index (global)
    sentences: tuple[str, ...]  # original sentence text
    sentence_start: tuple[int, ...]  # sentence → first token
    zone: tuple[int, ...]  # sentence → 0 title, 1 lead, 2 body


def analyse(title: str, text: str, language: str) -> Tokens:
    words: list[str] = []
    sentence_of: list[int] = []
    clause_of: list[int] = []
    sentences: list[str] = []
    starts: list[int] = []
    zones: list[int] = []
    clause = 0
    body = split_sentences(text)
    parts: Iterable[tuple[int, str]] = [
        *((0, s) for s in split_sentences(title)),
        *((1 if i == 0 else 2, s) for i, s in enumerate(body)),
    ]
    for zone, sentence in parts:
        s_idx = len(sentences)
        sentences.append(sentence)
        starts.append(len(words))
        zones.append(zone)
        for piece in split_clauses(sentence):
            toks = tokenize(piece)
            words.extend(toks)
            sentence_of.extend([s_idx] * len(toks))
            clause_of.extend([clause] * len(toks))
            clause += 1
    stems = stem_words(words, language)
    return Tokens(
        words=tuple(words), stems=tuple(stems), sentence_of=tuple(sentence_of),
        clause_of=tuple(clause_of), sentences=tuple(sentences), sentence_start=tuple(starts),
        zone=tuple(zones),
    )


@functools.cache
def morph_analyzer() -> object | None:
    try:
        import pymorphy3  # type: ignore[import-untyped,unused-ignore]
    except ImportError:  # pragma: no cover - pymorphy3 is a dependency
        return None
    analyzer: object = pymorphy3.MorphAnalyzer()
    return analyzer


@functools.cache
def russian_forms(word: str) -> frozenset[str]:
    """Every inflected form of the word's most likely lexeme (normalised), with itself."""
    morph = morph_analyzer()
    forms = {word}
    if morph is None or not ("а" <= word[0] <= "я"):
        return frozenset(forms)
    parses = morph.parse(word)  # type: ignore[attr-defined]
    for parse in parses[:1]:
        forms.update(normalise(f.word) for f in parse.lexeme)
    return frozenset(forms)
