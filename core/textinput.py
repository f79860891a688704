"""Reading what people type on their phones: digits in any script, numbers, short text."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

import phonenumbers

# Arabic-Indic (٠-٩) and Extended Arabic-Indic / Persian (۰-۹) digits, plus separators.
_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})
_DIGITS.update({ord("٫"): ".", ord("٬"): ",", ord("،"): ","})
_INVISIBLE = re.compile(r"[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]")
# Control characters (keeping tab and line breaks) and lone UTF-16 surrogates: invisible,
# never meant, and fatal further on (an XLSX refuses them, a surrogate cannot be encoded).
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def normalize_digits(text: str) -> str:
    """'٣٤' -> '34', '٢٫٥' -> '2.5'; also drops bidi marks that phones insert."""
    return _INVISIBLE.sub("", text).translate(_DIGITS)


def parse_int(text: str) -> int | None:
    """An integer typed in any digit script, or None. '  ٣٤ ' -> 34, '-5' -> -5."""
    cleaned = normalize_digits(text).strip().replace(" ", "")
    if not re.fullmatch(r"[+-]?\d{1,15}", cleaned):
        return None
    return int(cleaned)


def parse_decimal(text: str) -> Decimal | None:
    """A decimal number: '2.5', '2,5', '٢٫٥' -> Decimal('2.5')."""
    cleaned = normalize_digits(text).strip().replace(" ", "")
    if re.fullmatch(r"[+-]?\d{1,15},\d+", cleaned):
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d{1,15}(\.\d*)?|\.\d+)", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def clean_text(text: str, max_chars: int) -> str | None:
    """Free text trimmed and normalised (NFC); None when empty or longer than max_chars."""
    cleaned = unicodedata.normalize("NFC", _UNWANTED.sub("", _INVISIBLE.sub("", text))).strip()
    if not cleaned or len(cleaned) > max_chars:
        return None
    return cleaned


NAME_MIN_CHARS = 3
NAME_MAX_CHARS = 100
_PHONE_SEPARATORS = re.compile(r"[\s\-().\u00a0/]")


def read_name(text: str) -> str | None:
    """A person's full name as typed, or None when it cannot be one (digits, too short/long)."""
    name = clean_text(text, NAME_MAX_CHARS)
    if name is None or len(name) < NAME_MIN_CHARS:
        return None
    if not any(ch.isalpha() for ch in name) or any(ch.isdigit() for ch in normalize_digits(name)):
        return None
    return re.sub(r"\s+", " ", name)


def normalize_phone(text: str, region: str) -> str | None:
    """'98 123 456', '٩٨١٢٣٤٥٦', '00216 98123456', '+216 98-123-456' -> '+21698123456'."""
    raw = _PHONE_SEPARATORS.sub("", normalize_digits(text).strip())
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if not re.fullmatch(r"\+?\d{6,15}", raw):
        return None
    for candidate in (raw, "+" + raw) if not raw.startswith("+") else (raw,):
        try:
            number = phonenumbers.parse(candidate, region.upper())
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None
