"""Normalisation, shingles, MinHash bands and the text score."""

from __future__ import annotations

from bot.stories.similarity import (
    BANDS,
    fingerprint,
    jaccard,
    normalise,
    numbers,
    pack_tokens,
    unpack_tokens,
    words,
)

AGENCY = (
    "Police in Belarus detained about 3,000 people overnight as protests broke out in Minsk and "
    "other cities after President Alexander Lukashenko claimed a landslide election victory, the "
    "interior ministry said on Monday. Security forces used stun grenades and water cannon."
)
REWRITE = (
    "About 3,000 people were detained in Belarus overnight as protesters clashed with riot police "
    "in Minsk and other cities after Alexander Lukashenko claimed victory in Sunday's presidential "
    "election, the interior ministry said. Police fired stun grenades and rubber bullets."
)
LOOKALIKE = (
    "Police in Georgia detained about 40 people on Tuesday as opposition supporters blocked "
    "Rustaveli Avenue in the capital Tbilisi, demanding the resignation of the government."
)


def test_normalise_joins_digit_groups_and_folds_yo() -> None:
    assert normalise("2,030 troops, 8 000 people, ЁЛКА") == "2030 troops, 8000 people, елка"


def test_words_stem_each_script_with_its_own_stemmer() -> None:
    assert words("detained detentions") == ["detain", "detent"]
    assert words("задержали задержания в Казахстане") == ["задержа", "задержан", "казахстан"]


def test_numbers_are_counts_not_dates_or_years() -> None:
    assert numbers("Belarus detains 2,000", "Около 3 тысяч человек, 10 августа 2020 года.") == {
        2000, 3000}
    assert numbers("Emergency until October 21", "In 2022, 1.5 million people.") == {1_500_000}
    assert numbers("Five killed", "") == frozenset()
    assert numbers("2,030 troops and 250 units", "") == {2030, 250}


def test_rewrite_scores_above_lookalike() -> None:
    a = fingerprint("Belarus police detain 3,000 after protests over disputed election", AGENCY)
    b = fingerprint("Thousands detained as Lukashenko's disputed win sparks clashes", REWRITE)
    c = fingerprint("Georgian police detain 40 as opposition protest blocks Tbilisi", LOOKALIKE)
    assert jaccard(a.tokens, b.tokens) >= 0.3
    assert jaccard(a.tokens, c.tokens) < 0.3
    assert a.numbers & b.numbers == {3000} and not a.numbers & c.numbers


def test_syndicated_copy_shares_lsh_bands() -> None:
    a = fingerprint("Belarus police detain 3,000 after protests", AGENCY)
    b = fingerprint("Belarus: about 3,000 detained in post-election protests", AGENCY + " Updated.")
    assert len(a.bands()) == BANDS
    assert set(a.bands()) & set(b.bands())
    same = fingerprint("Belarus police detain 3,000 after protests", AGENCY)
    assert same == a  # deterministic across calls (and processes: fixed seed and hashes)


def test_tokens_round_trip_through_bytes() -> None:
    fp = fingerprint("t", AGENCY)
    assert unpack_tokens(pack_tokens(fp.tokens)) == fp.tokens
    assert fingerprint("", "").bands() == ()
