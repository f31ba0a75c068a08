"""Cutting display text: an ellipsis, a word boundary when near, limits that hold."""

from __future__ import annotations

import pytest

from bot.text import ELLIPSIS, clip, clip_lines, utf16_len


def test_text_that_fits_is_untouched() -> None:
    assert clip("Police detain 300", 17) == "Police detain 300"


def test_cut_at_a_word_near_the_limit() -> None:
    cut = clip("Police detain protesters in Almaty", 30)
    assert cut == "Police detain protesters in" + ELLIPSIS


def test_a_long_word_is_cut_through() -> None:
    assert clip("Antidisestablishmentarianism", 10) == "Antidises" + ELLIPSIS


def test_trailing_punctuation_goes_before_the_ellipsis() -> None:
    assert clip("Curfew in Bishkek, troops on streets", 19) == "Curfew in Bishkek" + ELLIPSIS


@pytest.mark.parametrize("limit", range(1, 30))
def test_utf16_limit_holds_and_never_splits_an_emoji(limit: int) -> None:
    text = "🇰🇿 Казахстан: 🚨 войска в Алматы"
    out = clip(text, limit, measure=utf16_len)
    assert utf16_len(out) <= limit
    out.encode("utf-8")  # a split surrogate pair would not encode


def test_lines_stop_at_the_limit_and_say_how_many_are_left() -> None:
    lines = [f"rules/r{n}.yaml:{n}: terms: bad term" for n in range(50)]
    out = clip_lines(lines, 200)
    assert len(out) <= 200 and out.endswith("more")
    kept = out.splitlines()[:-1]
    assert kept == lines[: len(kept)] and out.splitlines()[-1] == f"… and {50 - len(kept)} more"


def test_one_overlong_line_is_clipped() -> None:
    out = clip_lines(["x" * 500, "y"], 100)
    assert len(out) <= 100 and out.endswith("… and 1 more")
    assert clip_lines(["x" * 500], 100) == "x" * 99 + ELLIPSIS


def test_surrogate_pairs_stay_whole() -> None:
    assert clip("😀😀😀", 4, measure=utf16_len) == "😀…"
    assert clip("short", 10, measure=utf16_len) == "short"
