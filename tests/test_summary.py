"""Extractive summaries: lead + evidence, no repetition, ≤ 400 characters, same language."""

from __future__ import annotations

from bot.stories.summary import summarise
from detectors.tokens import split_sentences
from tests.conftest import REFERENCE_ARTICLE

REFERENCE = REFERENCE_ARTICLE.read_text(encoding="utf-8")
DETAINED = "The Ministry of Internal Affairs of Kazakhstan reported the detention of almost 8,000 people."  # noqa: E501
EMERGENCY = "Currently, a state of emergency has been imposed throughout the country."


def test_sentences_keep_abbreviations_initials_and_quotes() -> None:
    text = ("Mr. Tokayev met V. Putin on Jan. 10. “It was timely,” he said. Then U.S. officials "
            "spoke.\nВ г. Алматы задержаны 200 человек. Это т.е. много.")
    assert split_sentences(text) == [
        "Mr. Tokayev met V. Putin on Jan. 10.",
        "“It was timely,” he said.",
        "Then U.S. officials spoke.",
        "В г. Алматы задержаны 200 человек.",
        "Это т.е. много.",
    ]


def test_reference_summary_is_lead_plus_evidence() -> None:
    s = summarise("Putin: troops sent to Kazakhstan", REFERENCE, [DETAINED, EMERGENCY])
    assert len(s) <= 400
    assert s.startswith("The situation in Kazakhstan is an “aggression of international terrorism")
    assert DETAINED in s and EMERGENCY in s
    assert "Bohdan Marusyak" not in s  # the byline is not a sentence of the story


def test_no_repetition_of_headline_or_of_each_other() -> None:
    text = ("Police detained 180 people in Yerevan. Police detained 180 people in Yerevan on "
            "Tuesday. The protesters demand the prime minister resign.")
    s = summarise("Police detained 180 people in Yerevan", text,
                  ["Police detained 180 people in Yerevan on Tuesday."])
    assert s == "The protesters demand the prime minister resign."


def test_limit_and_sentence_count() -> None:
    long_text = " ".join(f"Sentence number {i} says something different about topic {i}."
                         for i in range(20))
    s = summarise("Title", long_text, limit=120)
    assert len(s) <= 120 and len(split_sentences(s)) <= 3
    assert len(summarise("T", "word " * 200, limit=100)) <= 100


def test_russian_stays_russian() -> None:
    text = ("В Махачкале полиция задержала более 100 участников акции против мобилизации, "
            "сообщает ОВД-Инфо. На видео видно, как женщины спорят с полицейскими.")
    s = summarise("Задержания в Махачкале", text, [])
    assert s == text


def test_teaser_without_text_falls_back_to_title() -> None:
    assert summarise("Only a headline here", "") == "Only a headline here"
