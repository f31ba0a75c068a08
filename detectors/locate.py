"""Where an event happens, kept apart from who acts in it.

A place name is a `Mention`; the words around it decide what it says: "in
Almaty" locates, "talks with Turkey" names a partner, "the Russian-Turkish
deal" a relation, "Russian police" an actor who acts at home. Those word lists
live in `data/locate.yaml`. A sentence's locations come with a strength (the
surest evidence decides), and a sentence that names no place falls back on
where the document as a whole is.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import NamedTuple

import yaml

from detectors.gazetteer import country_place
from detectors.gazetteer import place_names as gazetteer_names
from detectors.matcher import MatcherBuilder, Span, TermSyntaxError
from detectors.tokens import Tokens, comma_pieces, dateline_end, normalise
from detectors.types import Place


def _word_lists() -> dict[str, tuple[str, ...]]:
    text = resources.files("detectors").joinpath("data/locate.yaml").read_text(encoding="utf-8")
    data: dict[str, list[str]] = yaml.safe_load(text)
    for key, words in data.items():
        if not all(isinstance(w, str) for w in words):  # YAML reads a bare `no` as False
            raise TypeError(f"data/locate.yaml: {key}: every entry must be a string")
    return {key: tuple(words) for key, words in data.items()}


_WORDS = _word_lists()
_LOCATIVE = frozenset(_WORDS["locative"])
_BLOCKERS = frozenset(_WORDS["blockers"])
_ORIGIN = frozenset(_WORDS["origin"])
_MEASURED_FROM = frozenset(_WORDS["measured_from"])
_CITED = frozenset(_WORDS["cited"])
_ARTICLES = frozenset(_WORDS["articles"])
_NOT_ORIGIN = frozenset(_WORDS["not_origin"])
_PLACE_NOUNS = _WORDS["place_nouns"]
_DISTRICT_NOUNS = _WORDS["district_nouns"]
_BORDER_NOUNS = _WORDS["border_nouns"]
_COMPASS = tuple(_WORDS["compass"])
_BORDER_COMPOUNDS = tuple(_WORDS["border_compounds"])
_PAIR_NOUNS = _WORDS["pair_nouns"]
_CLOCK_BEFORE = frozenset(_WORDS["clock_before"])
_CLOCK_AFTER = frozenset(_WORDS["clock_after"])
_TIME_OF_DAY = re.compile(r"\d{1,2}(?:[.,]\d{2})?")
_AUTHORITY_NOUNS = _WORDS["authority_nouns"]
_SIDE_ACTOR_NOUNS = _WORDS["side_actor_nouns"]
_INSTITUTION_NOUNS = _WORDS["institution_nouns"]
_TOPIC_NOUNS = _WORDS["topic_nouns"]
_TOPIC_DESTINATION = frozenset(_WORDS["topic_destination"])
_PARTNER = frozenset(_WORDS["partner"])
_BORDER_BETWEEN = frozenset(_WORDS["border_between"])
_NEAR = tuple(tuple(p.split()) for p in _WORDS["near"])
_NEIGHBOUR_NOUNS = frozenset(_WORDS["neighbour_nouns"])
_RELATIVES = frozenset(_WORDS["relatives"])
_SPEECH_VERBS = tuple(_WORDS["speech_verbs"])
_SOURCE_NOUNS = tuple(_WORDS["source_nouns"])
_SIDE_NOUNS = frozenset(_WORDS["side_nouns"])
_CONJUNCTIONS = frozenset(_WORDS["conjunctions"])
_CONJUNCTION_STARTS = frozenset(c.split()[0] for c in _CONJUNCTIONS)
_MODIFIER_WORDS = frozenset(_WORDS["modifier_words"])
_SUBORDINATORS: dict[str, list[tuple[str, ...]]] = {}
for _phrase in _WORDS["subordinators"]:
    _SUBORDINATORS.setdefault(_phrase.split()[0], []).append(tuple(_phrase.split()))


class PlaceRef(NamedTuple):
    """What a gazetteer name says: a country, as a place or as an actor's adjective."""

    code: str
    kind: str  # place | adj | leader
    place: Place | None = None  # the country, region or city a `place` name names


class Mention(NamedTuple):  # a tuple: built for every place name of every document
    start: int
    end: int
    code: str
    kind: str  # place | adj | leader
    locative: bool  # after "in", "to", "в", "на"…
    blocked: bool = False  # after "with", "from", "из": a partner or origin, not the place
    place: Place | None = None
    # the other side of a border ("к границе Белгородской области", "the Ukrainian border"):
    # not even the document's last resort
    aside: bool = False
    head: int = -1  # the start of the first name of its list ("in Kazakhstan, Kyrgyzstan and …")
    filed: bool = False  # in the lead's dateline: where the report was filed


PlaceName = tuple[int, int, PlaceRef]  # token start, end, what the name says


def add_places(builder: MatcherBuilder, new_label: Callable[[], int]) -> dict[int, PlaceRef]:
    """Add the gazetteer's names to an automaton, one label per place reference; the
    labels and what each says, for `place_names`."""
    places: dict[int, PlaceRef] = {}
    labels: dict[PlaceRef, int] = {}
    for name in gazetteer_names():
        key = PlaceRef(name.code, name.kind, name.place)
        if key not in labels:
            labels[key] = new_label()
            places[labels[key]] = key
        try:
            builder.add(name.term, name.language, labels[key])
        except TermSyntaxError:  # generated names with odd characters: skip them
            continue
    return places


def place_names(spans: dict[int, list[Span]], places: Mapping[int, PlaceRef]) -> list[PlaceName]:
    """The place names of a document, in order, from the scan's hits of the gazetteer's
    labels; of overlapping names, one."""
    found: list[PlaceName] = []
    for label, label_spans in spans.items():
        ref = places.get(label)
        if ref is not None:
            for s, e in label_spans:
                found.append((s, e, ref))
    # longest match wins: "Saudi Arabia" over "Arabia", "Нур-Султан" over "Султан"; of two
    # names of one span the place wins ("Минск" is the city, not the adjective "минск*")
    found.sort(key=lambda m: (m[0], -(m[1] - m[0]), m[2].kind != "place"))
    out: list[PlaceName] = []
    last_end = -1
    for name in found:
        if name[0] < last_end:
            continue
        last_end = name[1]
        out.append(name)
    return out


def name_codes(names: Iterable[PlaceName]) -> set[str]:
    """Every country the place names refer to: each possible location of an event."""
    return {ref.code for _, _, ref in names}


def _district_of(words: Sequence[str], e: int, starts: set[int]) -> bool:
    """Whether a district noun at `e` has its parent place's name right after it."""
    return e < len(words) and words[e].startswith(_DISTRICT_NOUNS) and (
        e + 1 in starts or (e + 2 in starts and words[e + 1] == "of"))


def find_mentions(toks: Tokens, names: Sequence[PlaceName],
                  pieces: dict[int, tuple[int, ...]] | None = None) -> list[Mention]:
    """What each place name says, from the words around it (`place_names` gives them)."""
    out: list[Mention] = []
    in_list: set[int] = set()  # indexes in `out` of the names of a list of places
    if pieces is None:
        pieces = {}  # sentence → where its comma-parted pieces start
    words = toks.words
    name_starts = {s for s, _, _ in names}
    dateline = dateline_end(toks) if names else 0
    for s, e, (code, kind, place) in names:
        if e <= dateline and toks.zone[toks.sentence_of[s]] == 1:
            # "MONS, Belgium, April 10 NATO unveiled…": where it was filed; the place only
            # when nothing else is named
            out.append(Mention(s, e, code, kind, False, True, place, filed=True))
            continue
        if (kind == "adj" or (place is not None and place.level == "city")) and (
                _district_of(words, e, name_starts)):
            # "в Московском районе Минска": a district of the name after it, never the place
            out.append(Mention(s, e, code, kind, False, True, place, True))
            continue
        if kind == "adj" and e < len(words) and words[e].startswith(_PLACE_NOUNS):
            kind = "place"  # "the Kazakh capital": the country, at least
            place = country_place(code)
        sent = toks.sentence_of[s]
        locative = False
        blocked = False
        aside = False
        # "in Lebanon, Kazakhstan's ministry said": a preposition before another name is its own;
        # one of another comma-parted piece governs none ("несмотря на усилия прекратить огонь,
        # таджикская сторона …")
        floor = max(toks.sentence_start[sent], s - 4, out[-1].end if out else 0)
        piece = -1  # where the name's comma-parted piece starts, once needed
        for j in range(s - 1, floor - 1, -1):
            if toks.clause_of[j] != toks.clause_of[s] or words[j] in _RELATIVES:
                break  # "to Lebanon | Kazakhstan News": another clause's preposition
            if piece < 0 and j + 1 < s and (words[j] in _BLOCKERS or words[j] in _LOCATIVE
                                             or words[j] in _BORDER_BETWEEN):
                starts = piece_starts(toks, pieces, sent)
                piece = starts[bisect_right(starts, s) - 1]
                floor = max(floor, piece)
                if j < piece:
                    break
            if words[j] in _BORDER_BETWEEN and j + 1 == s and j > 0 and (
                    words[j - 1].startswith(_BORDER_NOUNS)):
                # "the border between Tajikistan and Afghanistan": where it runs, and the
                # place of the event when the border is ("to the border between …")
                locative = any(w in _LOCATIVE for w in words[max(floor, j - 3):j - 1])
                break
            if words[j] in _BLOCKERS or words[j] in _LOCATIVE:
                if j > 0 and words[j - 1].startswith(_TOPIC_NOUNS) and any(
                        w in _TOPIC_DESTINATION for w in words[max(floor, j - 3):j - 1]):
                    locative = True  # "sent to the war in Ukraine": where they go
                elif words[j] in _BLOCKERS:
                    # "со стороны Таджикистана": that side, not an origin
                    blocked = not (j + 2 == s and words[j + 1] in _SIDE_NOUNS)
                elif j > 0 and (words[j - 1].startswith(_TOPIC_NOUNS) or words[j - 1] in _CITED):
                    # "the war in Ukraine": the topic; "со ссылкой на Кыргызстан": the source
                    blocked = True
                elif _origin_before(words, max(toks.sentence_start[sent],
                                               out[-1].end if out else 0, j - 4), j - 1):
                    # "из учебного центра в Тюмени", "from the military base in Gyumri": where
                    # they came from (the name's own four words back may not reach "from")
                    blocked = True
                else:
                    locative = True
                break
        k = s - 1 if s and words[s - 1] in _ARTICLES else s  # "the border of the X region"
        before = words[k - 2:k] if k >= 2 else words[:k]
        if before and (before[-1].startswith(_BORDER_NOUNS) or (
                len(before) == 2 and before[-1] == "of" and before[0].startswith(_BORDER_NOUNS))
        ) and not (e < len(words) and words[e] in _PARTNER):
            # "к границе Киргизии", "the border of Armenia": the other side; but "на границу
            # Армении с Турцией" is Armenia's own border
            blocked = aside = True
        if kind == "place" and (place is None or place.level == "country") and any(
                tuple(words[s - len(p):s]) == p for p in _NEAR if s >= len(p)):
            # "deployed troops near Ukraine": the other side of the border, as above
            blocked = aside = True
            locative = False
        if len(before) == 2 and before[-1] in ("of", "on") and before[0].startswith(_TOPIC_NOUNS):
            blocked = True  # "the invasion of Ukraine", "the war on Ukraine": the topic
        if before and before[-1] in _CLOCK_BEFORE and (before[-1] != "по" or (
                len(before) == 2 and _TIME_OF_DAY.fullmatch(before[0]))):
            blocked = aside = True  # "с 20:00 (17.00 по Минску)", "по времени Астаны": a clock
        if (before and before[-1].startswith(_INSTITUTION_NOUNS)) or (
                len(before) == 2 and before[-1] == "of"
                and before[0].startswith(_INSTITUTION_NOUNS)):
            blocked = True  # "МИД России", "the embassy of Russia": who acts, not where
        # "on Ukraine's eastern border": the possessive and a side of it skipped
        after_name = e + (e < len(words) and words[e] == "s")
        after_name += after_name < len(words) and words[after_name].startswith(_COMPASS)
        if after_name > e and after_name < len(words) and words[after_name].startswith(
                _BORDER_NOUNS) and not (after_name + 1 < len(words) and words[
                    after_name + 1].startswith(_AUTHORITY_NOUNS + _BORDER_COMPOUNDS)):
            blocked = aside = True  # the far side's border, as "the Ukrainian border"
        if e < len(words) and words[e].startswith(_BORDER_NOUNS + _PAIR_NOUNS) and not (
            e + 1 < len(words) and words[e + 1].startswith(_AUTHORITY_NOUNS)
        ):  # but "Tajik border guards" are Tajik
            blocked = True
            # the other side of a border, or a clock ("Kyiv time"): never even the last resort
            aside = words[e].startswith(_BORDER_NOUNS) or words[e] in _CLOCK_AFTER
        after = words[e:e + 3]
        if after and after[0] == "s":
            after = after[1:]  # "Kyrgyzstan's"
        if e < len(words) and words[e] in _MODIFIER_WORDS:
            blocked = True  # "the Russia-led alliance", "Russian-endorsed": who acts
        listed = _listed(toks, out[-1], s, e, len(out) - 1 in in_list) if out else None
        head = -1
        # after a comma that ends no list a name starts a phrase of its own
        subject = (s == 0 or toks.clause_of[s - 1] != toks.clause_of[s]
                   or words[s - 1] in ("the", "a") or listed is False)
        last = e + 1 >= len(words) or toks.sentence_of[e + 1] != toks.sentence_of[s]
        if kind == "place" and (subject or last) and after and (
                after[0].startswith(_SPEECH_VERBS) or any(
                w.startswith(_SOURCE_NOUNS) for w in after[:2]) or (
                listed is False and any(w.startswith(_SPEECH_VERBS) for w in words[e:e + 4]))):
            # the speaker or its outlet, as the subject: "Kyrgyzstan said its neighbour…",
            # "A Tajikistan government news portal said…", "…, Moscow said." (not "в МВД
            # Белоруссии сообщили"), "…, Kyrgyzstan's border service said."
            blocked = True
        if kind == "place" and e + 1 < len(words) and words[e] == "s" and words[e + 1].startswith(
                _TOPIC_NOUNS):
            blocked = True  # "Russia's invasion": the topic, not the place
        if (out and s - out[-1].end == 2 and words[out[-1].end] == "s"
                and words[s - 1] in _NEIGHBOUR_NOUNS
                and not locative and not blocked):
            # "deployed to Ukraine's neighbour Belarus": the name after the neighbour noun
            # takes the preposition; the one before only says whose neighbour it is
            locative = out[-1].locative
            out[-1] = out[-1]._replace(blocked=True)
        if (out and s - out[-1].end == 1 and words[out[-1].end] == "s" and out[-1].blocked
                and not locative):
            # "the border with Russia's Belgorod region": the region is what its country is
            blocked, aside = True, out[-1].aside
        if listed and kind == "place" and out[-1].kind == "place":
            in_list.update((len(out) - 1, len(out)))
            # "in Kazakhstan, Kyrgyzstan and Tajikistan", "from Russia, Belarus and Armenia":
            # every name of a list takes the preposition of its first
            locative, blocked = out[-1].locative, out[-1].blocked
            head = _head(out[-1])
        elif (listed is None and out and out[-1].end == s and out[-1].code != code
                and toks.clause_of[out[-1].start] == toks.clause_of[s]
                # a region or city names no relation: "в Тавушской области российские военные"
                and (out[-1].place is None or out[-1].place.level == "country")):
            if e < len(words) and words[e].startswith(_BORDER_NOUNS):
                # "to the Tajik-Afghan border", "у российско-украинской границы": the border
                # zone is in both countries
                first = out[-1]
                out[-1] = first._replace(kind="place", blocked=False,
                                         place=country_place(first.code))
                out.append(Mention(s, e, code, "place", first.locative, False,
                                   country_place(code)))
                continue
            # "the Russia-Turkey deal": a pair of countries names a relation, not a place
            out[-1] = out[-1]._replace(blocked=True)
            blocked = True
        out.append(Mention(s, e, code, kind, locative, blocked, place, aside, head))
    return out


def piece_starts(toks: Tokens, cache: dict[int, tuple[int, ...]],
                 sentence: int) -> tuple[int, ...]:
    """Where the sentence's comma-parted pieces start (`comma_pieces`), worked out once."""
    starts = cache.get(sentence)
    if starts is None:
        starts = cache[sentence] = comma_pieces(toks, sentence)
    return starts


def _anchor_pieces(starts: tuple[int, ...], anchors: Sequence[Span]) -> set[int]:
    """The comma-parted pieces that hold matched words."""
    return {bisect_right(starts, s) for s, _ in anchors}


def _head(m: Mention) -> int:
    """Where a name's list starts: the names of a list share their first one's piece."""
    return m.start if m.head < 0 else m.head


def _acting_side(words: Sequence[str], e: int) -> bool:
    """ "таджикская сторона [продолжает стягивать]": a side that acts, not one that speaks."""
    return (e + 1 < len(words) and words[e].startswith(_SIDE_ACTOR_NOUNS)
            and not words[e + 1].startswith(_SPEECH_VERBS))


def _before_article(words: Sequence[str], start: int) -> str:
    """The word before a name, "the" skipped."""
    k = start - 1
    if k >= 0 and words[k] in _ARTICLES:
        k -= 1
    return words[k] if k >= 0 else ""


def _origin_before(words: Sequence[str], lo: int, hi: int) -> bool:
    """Does an origin ("from", "из", not "из-за") stand among words lo:hi, with no other
    preposition after it ("из аэропорта в Иреване | на границу": "на" is a new phrase)?"""
    for k in range(hi - 1, lo - 1, -1):
        if words[k] in _ORIGIN and words[k + 1] not in _NOT_ORIGIN:
            return True
        if words[k] in _LOCATIVE or words[k] in _BLOCKERS:
            return False
    return False


def _listed(toks: Tokens, previous: Mention, s: int, e: int, chained: bool) -> bool | None:
    """Does the name at tokens s:e follow `previous` in a list of places ("Kazakhstan,
    Kyrgyzstan and …", "Armenia and Belarus")? False when a comma parts them without a list
    that goes on ("in Lebanon, Kazakhstan's ministry said"), None when nothing does (a pair
    that names a relation, "Russia-Turkey") or they are not neighbours. `chained`: the
    previous name is in a list already ("Poland, Lithuania, Ukraine")."""
    words = toks.words
    if toks.clause_of[previous.start] != toks.clause_of[s]:
        return None
    gap = words[previous.end:s]
    if gap:
        return True if " ".join(gap) in _CONJUNCTIONS else None
    text = normalise(toks.sentences[toks.sentence_of[s]])
    comma = rf"(?<!\w){re.escape(words[s - 1])}\s*,\s*"
    name = r"\W*".join(re.escape(w) for w in words[s:e])
    if re.search(comma + name, text) is None:
        return None
    # the list goes on after this name (a conjunction or another comma), or before it
    if chained:
        return True
    if e < len(words) and toks.sentence_of[e] == toks.sentence_of[s] and (
            words[e] in _CONJUNCTION_STARTS):
        return True
    return re.search(comma + name + r"\s*,", text) is not None


@dataclass(slots=True)
class Locations:
    """The locations of one document's sentences and events (per document, not shared;
    the mentions and the document's main location are worked out once, when first needed)."""

    toks: Tokens
    names: list[PlaceName]
    _mentions: list[Mention] | None = None
    _main: tuple[tuple[str, ...], tuple[Place, ...]] | None = None
    _pieces: dict[int, tuple[int, ...]] = field(default_factory=dict)  # sentence → piece starts

    def _starts(self, sentence: int) -> tuple[int, ...]:
        return piece_starts(self.toks, self._pieces, sentence)

    @property
    def codes(self) -> set[str]:
        return name_codes(self.names)

    @property
    def mentions(self) -> list[Mention]:
        # worked out when first asked: most entries match no rule and never need them
        if self._mentions is None:
            self._mentions = find_mentions(self.toks, self.names, self._pieces)
        return self._mentions

    def of_sentence(self, sentence: int) -> tuple[str, ...]:
        return self.located(sentence)[0]

    def located(self, sentence: int) -> tuple[tuple[str, ...], int]:
        """The sentence's locations and how sure they are: 3 after "in"/"в", 2 a bare
        place name, 1 a demonym before "police"/"authorities", 0 none."""
        chosen, strength = self._chosen(sentence)
        return tuple(dict.fromkeys(m.code for m in chosen)), strength

    def _chosen(self, sentence: int,
                anchors: Sequence[Span] = ()) -> tuple[list[Mention], int]:
        mentions = [m for m in self.mentions
                    if self.toks.sentence_of[m.start] == sentence and not m.blocked]
        chosen = [m for m in mentions if m.kind == "place" and m.locative]
        strength = 3
        if anchors and chosen:
            chosen = _own_piece(self._starts(sentence), chosen, mentions, anchors)
        if anchors and len({m.code for m in chosen}) > 1:
            chosen = _nearest(self.toks.words, self._starts(sentence), chosen, anchors)
        if not chosen:
            chosen = [m for m in mentions if m.kind == "place"]
            strength = 2
            if anchors and len({m.code for m in chosen}) > 1:
                chosen = _in_pieces(self._starts(sentence), chosen, anchors)
        if not chosen:
            strength = 1
            words = self.toks.words
            # forces massed at the far side's border ("Russian troops near the Ukrainian
            # frontier") are on their own side: the actor's
            # (not a distance from it: "the city, 50km north of the Ukrainian border")
            at_border = any(m.aside and _before_article(words, m.start) not in _MEASURED_FROM
                            for m in self.mentions
                            if self.toks.sentence_of[m.start] == sentence)
            chosen = [
                m for m in mentions
                if m.kind == "leader" or (m.kind == "adj" and (at_border or any(
                    words[j].startswith(_AUTHORITY_NOUNS)
                    for j in range(m.end, min(m.end + 3, len(words)))
                ) or _acting_side(words, m.end)))
            ]
        return chosen, strength if chosen else 0

    def main(self) -> tuple[str, ...]:
        """Where the document as a whole is: title, then lead, then the most named place."""
        return self._main_places()[0]

    def _main_places(self) -> tuple[tuple[str, ...], tuple[Place, ...]]:
        if self._main is not None:
            return self._main
        toks = self.toks
        result: tuple[str, ...] = ()
        places: tuple[Place, ...] = ()
        for zone in (0, 1):
            for sent, z in enumerate(toks.zone):
                if z == zone and not result:
                    chosen, _ = self._chosen(sent)
                    result = tuple(dict.fromkeys(m.code for m in chosen))
                    places = finest(m.place or country_place(m.code) for m in chosen)
        if not result:
            counts: Counter[str] = Counter()
            # partners ("border with Turkey") count only when nothing else is named; the
            # other side of a border ("к границе Белгородской области") never: forces massing
            # at a border are on their own side of it
            # a dateline counts as a named place here ("MINSK (Reuters) - Police detained…")
            free = ([m for m in self.mentions if m.filed or not (m.blocked or m.aside)]
                    or [m for m in self.mentions if not m.aside])
            for m in free:
                if m.kind == "place" or m.filed:
                    counts[m.code] += 2 if m.locative else 1
            if not counts:
                for m in free:
                    counts[m.code] += 1
            if counts:
                top = counts.most_common(1)[0][1]
                result = tuple(c for c, n in counts.most_common() if n == top)[:2]
                places = tuple(country_place(c) for c in result)
        self._main = result, places
        return self._main

    def of_event(self, matched: Mapping[int, object],
                 anchors: Mapping[int, Sequence[Span]] | None = None) -> Located:
        """Where the matched sentences place the event, and who else is named (actors).
        `anchors` are the hits that matched in each sentence: of several places "in"/"to"
        of one sentence, the event is at those nearest them."""
        toks = self.toks
        located: list[str] = []
        places: list[Place] = []
        # the surest evidence decides: "in Iran" beats "the Russian Foreign Ministry"
        best = 0
        for sent in sorted(matched):
            chosen, strength = self._chosen(sent, anchors.get(sent, ()) if anchors else ())
            if chosen:
                locs = tuple(dict.fromkeys(m.code for m in chosen))
                found = finest(m.place or country_place(m.code) for m in chosen)
            else:
                (locs, found), strength = self._main_places(), 0
            # a named place of one sentence ("Armenia and Karabakh declared a mobilisation")
            # holds beside "in Azerbaijan" of another: each sentence names its own event
            level = min(strength, 2)
            if level > best:
                best, located, places = level, [], []
            if level == best:
                located.extend(locs)
                places.extend(found)
        located = list(dict.fromkeys(located))
        actors = [m.code for m in self.mentions
                  if toks.sentence_of[m.start] in matched and m.code not in located]
        return Located(tuple(located), tuple(dict.fromkeys(actors)), finest(places))


def _apart(words: Sequence[str], a: int, b: int) -> bool:
    """Does a subordinating word stand between tokens a and b ("… in Russia after Putin
    sent troops …")?"""
    lo, hi = min(a, b), max(a, b)
    return any(tuple(words[j:j + len(p)]) == p
               for j in range(lo, hi) for p in _SUBORDINATORS.get(words[j], ()))


def _own_piece(starts: tuple[int, ...], chosen: list[Mention], mentions: list[Mention],
               anchors: Sequence[Span]) -> list[Mention]:
    """A place "in"/"to" of another comma-parted piece of the sentence is not where the
    matched words' event is when their own piece starts with a place, its subject: "Россия
    не собирается вводить войска в Афганистан, Таджикистан мобилизует 20000 солдат"
    mobilises in Tajikistan."""
    if len(starts) < 2:
        return chosen
    pieces = _anchor_pieces(starts, anchors)
    if any(bisect_right(starts, _head(m)) in pieces for m in chosen):
        return chosen
    bare = [m for m in mentions  # the subject: the piece starts with it
            if m.kind == "place" and _head(m) in starts
            and bisect_right(starts, _head(m)) in pieces]
    return bare or chosen


def _in_pieces(starts: tuple[int, ...], chosen: list[Mention],
               anchors: Sequence[Span]) -> list[Mention]:
    """Of the names, those of the matched words' own comma-parted pieces: "Несмотря на
    то, что Бишкек и Душанбе договорились, Таджикистан перебросил к границе танки"."""
    if len(starts) < 2:
        return chosen
    pieces = _anchor_pieces(starts, anchors)
    return [m for m in chosen if bisect_right(starts, _head(m)) in pieces] or chosen


def _nearest(words: Sequence[str], starts: tuple[int, ...], chosen: list[Mention],
             anchors: Sequence[Span]) -> list[Mention]:
    """The places of the matched words' own clause: "detained … in Russia after Putin sent
    troops to invade Ukraine" sends the troops to Ukraine and detains in Russia. A place
    that a subordinating word parts from every matched word belongs to the other clause;
    so does one in a comma-parted piece of the sentence that holds none of them ("отправляют
    в Луганскую область, — объяснила уполномоченный в Свердловской области")."""
    own = [m for m in chosen
           if any(not _apart(words, m.start, s) for s, _ in anchors)] or chosen
    return own if len({m.code for m in own}) < 2 else _in_pieces(starts, own, anchors)


class Located(NamedTuple):
    countries: tuple[str, ...]  # where the event happens
    actors: tuple[str, ...]  # other countries named in its sentences
    places: tuple[Place, ...]  # the finest places named where it happens


def finest(places: Iterable[Place]) -> tuple[Place, ...]:
    """Each place once, without a country or region when a place inside it is named too
    (a city inside a region can't be known from names alone, so both stay)."""
    unique = list(dict.fromkeys(places))
    finer = {p.country for p in unique if p.level != "country"}
    return tuple(p for p in unique if p.level != "country" or p.country not in finer)
