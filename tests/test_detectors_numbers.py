"""Quantities: digits with separators, multipliers, number words, vague amounts."""

from __future__ import annotations

import pytest

from detectors.numbers import find_quantities
from detectors.tokens import tokenize


def _values(text: str) -> list[tuple[int, bool]]:
    return [(q.value, q.approximate) for q in find_quantities(tuple(tokenize(text)))]


@pytest.mark.parametrize("text,expected", [
    ("2,030 troops", [(2030, False)]),
    ("almost 8,000 people", [(8000, True)]),
    ("более 1000 человек", [(1000, True)]),
    ("около 8 тыс. человек", [(8000, True)]),
    ("6,7 тыс. человек", [(6700, False)]),
    ("1 500 protesters", [(1500, False)]),
    ("hundreds of people", [(200, True)]),
    ("сотни человек", [(200, True)]),
    ("dozens of activists", [(24, True)]),
    ("десятки активистов", [(20, True)]),
    ("thousands of protesters", [(2000, True)]),
    ("two dozen people", [(24, False)]),
    ("sixteen soldiers", [(16, False)]),
    ("more than 18 тысяч", [(18000, True)]),
    ("in 2020 200 people", [(200, False)]),
    ("a 25-year-old man", []),
    ("28-летняя жительница", []),
    ("on August 13 police", []),
    ("20 декабря", []),
])
def test_quantities(text: str, expected: list[tuple[int, bool]]) -> None:
    assert _values(text) == expected
