"""Numbers typed on Arabic keyboards are read like any others; nonsense is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.textinput import clean_text, normalize_digits, parse_decimal, parse_int


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("34", 34),
        ("٣٤", 34),
        ("۳۴", 34),
        (" ٣٤ ", 34),
        ("\u200f٣٤", 34),
        ("-5", -5),
        ("1 000", 1000),
    ],
)
def test_integers_in_any_digit_script(typed: str, value: int) -> None:
    assert parse_int(typed) == value


@pytest.mark.parametrize("typed", ["", "abc", "٣٤ سنة", "3.5", "1e9", "🙂", "9" * 40])
def test_not_integers(typed: str) -> None:
    assert parse_int(typed) is None


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("2.5", "2.5"),
        ("2,5", "2.5"),
        ("٢٫٥", "2.5"),
        ("٢,٥", "2.5"),
        ("7", "7"),
        (".5", "0.5"),
    ],
)
def test_decimals(typed: str, value: str) -> None:
    assert parse_decimal(typed) == Decimal(value)


def test_decimals_refuse_words() -> None:
    assert parse_decimal("two") is None
    assert parse_decimal("1,000,000") is None


def test_clean_text_limits_length_and_strips_marks() -> None:
    assert clean_text("  مرحبا\u200f ", 10) == "مرحبا"
    assert clean_text("x" * 11, 10) is None
    assert clean_text("   ", 10) is None
    assert normalize_digits("هاتفي ٠٥٥١٢٣") == "هاتفي 055123"
