"""The parser: elementpath's XPath 1.0 parser with JavaRosa's number rules on its operators
(an empty answer is NaN, ``=`` compares text as text) and paths after a function call."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

from elementpath import XPath1Parser
from elementpath.xpath_tokens import XPathToken

from formengine.xpath.values import _plain, to_boolean, to_number, to_string

JR_NAMESPACE = "http://openrosa.org/javarosa"


class OdkXPathParser(XPath1Parser):
    """XPath 1.0 with the ODK (JavaRosa) function library and number rules."""

    DEFAULT_NAMESPACES: ClassVar[dict[str, str]] = {
        **XPath1Parser.DEFAULT_NAMESPACES,
        "jr": JR_NAMESPACE,
    }


_COMPARE = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _operand(token: XPathToken, context: Any) -> Any:
    """One side of an operator: the first item of a node-set, or the atomic value."""
    results = list(token.select(copy.copy(context)))
    if not results:
        return None  # an empty node-set
    return _plain(results[0])


def _compare(self: XPathToken, context: Any = None) -> bool:
    left, right = _operand(self[0], context), _operand(self[1], context)
    if left is None or right is None:
        return False  # comparisons with an empty node-set are false in XPath 1.0
    symbol = self.symbol
    compare = _COMPARE[symbol]
    if isinstance(left, bool) or isinstance(right, bool):
        return bool(compare(to_boolean(left), to_boolean(right)))
    if symbol in ("=", "!=") and not (
        isinstance(left, int | float | Decimal) or isinstance(right, int | float | Decimal)
    ):
        return bool(compare(to_string(left), to_string(right)))
    a, b = to_number(left), to_number(right)
    if math.isnan(a) or math.isnan(b):
        return symbol == "!="
    return bool(compare(a, b))


def _arithmetic(operation: Callable[[float, float], float]) -> Callable[..., Any]:
    def evaluate(self: XPathToken, context: Any = None) -> Any:
        if len(self) == 1:  # unary minus / plus
            value = to_number(_operand(self[0], context))
            return -value if self.symbol == "-" else value
        a, b = to_number(_operand(self[0], context)), to_number(_operand(self[1], context))
        try:
            return operation(a, b)
        except (ZeroDivisionError, OverflowError, ValueError):
            return math.nan

    return evaluate


def _div(a: float, b: float) -> float:
    if b == 0:
        if math.isnan(a) or a == 0:
            return math.nan
        return math.inf if a > 0 else -math.inf
    return a / b


def _mod(a: float, b: float) -> float:
    if b == 0:
        return math.nan
    return math.fmod(a, b)


def _replace_operator(symbol: str, evaluate: Callable[..., Any]) -> None:
    base = OdkXPathParser.symbol_table[symbol]
    original = base.evaluate

    def patched(self: XPathToken, context: Any = None) -> Any:
        if symbol == "*" and len(self) != 2:
            return original(self, context)  # the '*' wildcard, not a multiplication
        return evaluate(self, context)

    OdkXPathParser.symbol_table[symbol] = type(
        f"Odk{base.__name__}", (base,), {"evaluate": patched, "__module__": __name__}
    )


for _symbol in _COMPARE:
    _replace_operator(_symbol, _compare)
_replace_operator("+", _arithmetic(lambda a, b: a + b))
_replace_operator("-", _arithmetic(lambda a, b: a - b))
_replace_operator("*", _arithmetic(lambda a, b: a * b))
_replace_operator("div", _arithmetic(_div))
_replace_operator("mod", _arithmetic(_mod))


def _allow_paths_after_calls(symbol: str) -> None:
    """XPath 1.0 allows a path after a function call or a parenthesis (``current()/../x``,
    ``(a | b)/c``: FilterExpr '/' RelativeLocationPath); elementpath's XPath 1.0 parser
    does not."""
    base = OdkXPathParser.symbol_table[symbol]
    original = base.led

    def led(self: XPathToken, left: XPathToken) -> XPathToken:
        if left.label == "function" or left.symbol == "(":
            parser = self.parser
            if parser.next_token.label not in parser.PATH_STEP_LABELS:
                parser.expected_next(*parser.PATH_STEP_SYMBOLS)
            self[:] = left, parser.expression(75)
            return self
        return original(self, left)

    OdkXPathParser.symbol_table[symbol] = type(
        f"Odk{base.__name__}", (base,), {"led": led, "__module__": __name__}
    )


_allow_paths_after_calls("/")
_allow_paths_after_calls("//")
