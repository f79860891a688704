"""ODK's number functions: ``int``, ``round`` with digits, ``pow``, logarithms,
trigonometry, and ``max``/``min``/``sum`` over node-sets."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from formengine.xpath.library import _register
from formengine.xpath.values import to_number


@_register("int", 1)
def _int(context: Any, value: Any) -> float:
    number = to_number(value)
    if math.isnan(number) or math.isinf(number):
        return number
    return float(math.trunc(number))


@_register("round", (1, 2))
def _round(context: Any, value: Any, digits: Any = 0) -> float:
    number, places = to_number(value), to_number(digits)
    if math.isnan(number) or math.isnan(places) or math.isinf(number):
        return number if math.isinf(number) else math.nan
    if places == 0:
        return float(math.floor(number + 0.5))  # XPath 1.0: halves go up (round(-2.5) = -2)
    # round(x, n): JavaRosa's BigDecimal HALF_UP on the written digits (2.345 -> 2.35).
    exponent = Decimal(1).scaleb(-int(places))
    return float(Decimal(repr(number)).quantize(exponent, rounding=ROUND_HALF_UP))


@_register("pow", 2)
def _pow(context: Any, base: Any, exponent: Any) -> float:
    try:
        return float(math.pow(to_number(base), to_number(exponent)))
    except (OverflowError, ValueError):
        return math.nan


@_register("abs", 1)
def _abs(context: Any, value: Any) -> float:
    return abs(to_number(value))


@_register("log", 1)
def _log(context: Any, value: Any) -> float:
    number = to_number(value)
    return math.log(number) if number > 0 else math.nan


@_register("log10", 1)
def _log10(context: Any, value: Any) -> float:
    number = to_number(value)
    return math.log10(number) if number > 0 else math.nan


@_register("exp", 1)
def _exp(context: Any, value: Any) -> float:
    try:
        return math.exp(to_number(value))
    except OverflowError:
        return math.inf


@_register("sqrt", 1)
def _sqrt(context: Any, value: Any) -> float:
    number = to_number(value)
    return math.sqrt(number) if number >= 0 else math.nan


def _math(name: str, operation: Callable[..., float], nargs: int = 1) -> None:
    def func(context: Any, *values: Any) -> float:
        try:
            return float(operation(*(to_number(v) for v in values)))
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan

    _register(name, nargs)(func)


for _name, _operation in (
    ("sin", math.sin),
    ("cos", math.cos),
    ("tan", math.tan),
    ("asin", math.asin),
    ("acos", math.acos),
    ("atan", math.atan),
    ("exp10", lambda x: math.pow(10, x)),
):
    _math(_name, _operation)
_math("atan2", math.atan2, 2)
_math("pi", lambda: math.pi, 0)


@_register("max", (1, None), nodesets=True)
def _max(context: Any, *values: Any) -> float:
    numbers = [to_number(v) for v in values]
    return math.nan if not numbers or any(math.isnan(n) for n in numbers) else max(numbers)


@_register("min", (1, None), nodesets=True)
def _min(context: Any, *values: Any) -> float:
    numbers = [to_number(v) for v in values]
    return math.nan if not numbers or any(math.isnan(n) for n in numbers) else min(numbers)


@_register("sum", 1, nodesets=True)
def _sum(context: Any, *values: Any) -> float:
    return float(sum(to_number(v) for v in values))
