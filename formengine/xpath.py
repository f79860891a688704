"""XPath as ODK forms write it: elementpath's XPath 1.0 parser plus the ODK functions.

XLSForm expressions (``relevant``, ``constraint``, ``calculation``, ``choice_filter``)
are XPath 1.0 with JavaRosa's extensions. They are first read into tokens with XPath 1.0's
own lexical rules (:func:`tokens`: ``and (`` after an operand is the operator, a field
called ``div`` is a name, ``${a}-1`` is a subtraction), then parsed with elementpath's
:class:`~elementpath.XPath1Parser`, extended here with:

* the ODK function library (see README, Surveys: every function and how it computes):
  selects, ``if``/``coalesce``, ODK math and trigonometry, ``round`` with digits, node-set
  ``max``/``min``/``sum``/``join``, dates and ``format-date``, ``uuid``, checklists,
  ``jr:choice-name`` and ``current()``;
* paths after a call (``current()/../district``), which elementpath's XPath 1.0 parser
  refuses though XPath 1.0 allows them;
* JavaRosa's number rules: an empty answer is NaN (so ``${age} > 18`` is simply false
  while age is unanswered, instead of an error), and dates count as days since
  1970-01-01, so ``. <= today()`` and ``int((today() - ${dob}) div 365.25)`` work.

``${name}`` references are turned into XPath variables (``$name``) whose values are the
answers as ODK stores them (strings: ``"tap well"`` for a select_multiple, ``"2026-11-24"``
for a date); ``.`` is the answer being checked. Relative paths (``../fav_color``, which
pyxform writes for ``or_other``) resolve on an instance built from the answers when the
caller says which question the expression belongs to (``here``, ``paths``).
"""

from __future__ import annotations

import copy
import itertools
import math
import re
import secrets
import string
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, ClassVar

from elementpath import XPath1Parser, XPathContext, get_node_tree
from elementpath.datatypes import UntypedAtomic
from elementpath.exceptions import ElementPathError
from elementpath.xpath_nodes import XPathNode
from elementpath.xpath_tokens import XPathToken

REFERENCE = re.compile(r"\$\{([^}\s]+)\}")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
EPOCH = date(1970, 1, 1)
JR_NAMESPACE = "http://openrosa.org/javarosa"

# Functions we know real forms use but cannot run in a chat (reported at import time).
UNSUPPORTED_FUNCTIONS = {
    "random": "random() gives each resident a different form; not supported (for an id, "
    "use once(uuid()))",
    "digest": "digest() is not supported; compute the hash after exporting",
    "base64-decode": "base64-decode() is not supported; write the text itself",
    "jr:itext": "jr:itext() looks up the XForm's translations by id; pyxform writes it only "
    "in the XForm (labels of filtered choices), and the bot reads those labels from the "
    "choices sheet; use jr:choice-name() in an expression",
}


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated."""


# --- values as JavaRosa sees them ---------------------------------------------------------


def _plain(value: Any) -> Any:
    """An atomic value or node as a Python value (strings for answers)."""
    if isinstance(value, list):
        return _plain(value[0]) if value else ""
    if isinstance(value, XPathNode):
        return value.compat_string_value
    if isinstance(value, UntypedAtomic):
        return value.value
    if value is None:
        return ""
    return value


def to_number(value: Any) -> float:
    """JavaRosa's number(): '' and text are NaN, dates are days since 1970-01-01."""
    value = _plain(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float | Decimal):
        return float(value)
    text = str(value).strip()
    if not text:
        return math.nan
    if _DATE.match(text):
        try:
            return float((date.fromisoformat(text) - EPOCH).days)
        except ValueError:
            return math.nan
    if _DATETIME.match(text):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return math.nan
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return (moment - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() / 86400
    try:
        return float(text)
    except ValueError:
        return math.nan


def to_string(value: Any) -> str:
    """JavaRosa's string(), except that NaN (an incomplete calculation) is ''."""
    value = _plain(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | Decimal | int):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return ""
        if number == int(number) and abs(number) < 1e15:
            return str(int(number))
        return repr(number) if isinstance(value, float) else format(value, "f")
    return str(value)


def to_boolean(value: Any) -> bool:
    value = _plain(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return not math.isnan(float(value)) and float(value) != 0
    return bool(str(value))


def selected_values(value: Any) -> list[str]:
    """The choices of a select_multiple/rank answer ('tap well' -> ['tap', 'well'])."""
    return to_string(value).split()


def _days_to_date(days: float) -> date:
    return EPOCH + timedelta(days=math.floor(days))


# --- the parser ---------------------------------------------------------------------------


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


# --- ODK functions ----------------------------------------------------------------------


@dataclass
class Environment:
    """What an evaluation can see besides the answers (clock, choice labels)."""

    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # jr:choice-name(value, '${field}'): the label of a choice in the user's language.
    choice_label: Callable[[str, str], str] = lambda field_name, value: value


def _args(self: XPathToken, context: Any) -> list[Any]:
    values = []
    for index in range(len(self)):
        values.append(_operand(self[index], context))
    return values


def _all_items(self: XPathToken, context: Any) -> list[Any]:
    """Every argument, a node-set counting as each of its nodes (max, min, sum, join...)."""
    values: list[Any] = []
    for index in range(len(self)):
        results = self[index].select(copy.copy(context))
        values.extend(_plain(item) for item in results)
    return values


_ENVIRONMENT: ContextVar[Environment | None] = ContextVar("odk_environment", default=None)
# What current() stands for: the question's own node, even inside a choice_filter.
_CURRENT: ContextVar[Any] = ContextVar("odk_current", default=None)
# instance('list'): the form's choice lists, as ODK's secondary instances.
_INSTANCES: ContextVar[Callable[[str], Any] | None] = ContextVar("odk_instances", default=None)


def _environment(context: Any) -> Environment:
    return _ENVIRONMENT.get() or Environment()


ODK_FUNCTIONS: set[str] = set()


def _register(
    name: str, nargs: Any, prefix: str | None = None, *, nodesets: bool = False
) -> Callable[..., Any]:
    """An ODK function; with ``nodesets`` a node-set argument is spread into its values."""
    ODK_FUNCTIONS.add(f"{prefix}:{name}" if prefix else name)
    arguments = _all_items if nodesets else _args

    def bind(func: Callable[..., Any]) -> Callable[..., Any]:
        def evaluate(self: XPathToken, context: Any = None) -> Any:
            return func(context, *arguments(self, context))

        if prefix is None and name in OdkXPathParser.symbol_table:
            # An XPath 1.0 function ODK extends (round/2): our own subclass, so that
            # elementpath's XPath 1.0 parser itself is left untouched.
            base = OdkXPathParser.symbol_table[name]
            OdkXPathParser.symbol_table[name] = type(
                f"Odk{base.__name__}",
                (base,),
                {"evaluate": evaluate, "nargs": nargs, "__module__": __name__},
            )
        else:
            token_class = OdkXPathParser.function(name, prefix=prefix, nargs=nargs)
            token_class.evaluate = evaluate  # type: ignore[method-assign]
        return func

    return bind


@_register("selected", 2)
def _selected(context: Any, values: Any, choice: Any) -> bool:
    return to_string(choice).strip() in selected_values(values)


@_register("count-selected", 1)
def _count_selected(context: Any, values: Any) -> int:
    return len(selected_values(values))


@_register("selected-at", 2)
def _selected_at(context: Any, values: Any, index: Any) -> str:
    chosen = selected_values(values)
    position = to_number(index)
    if math.isnan(position) or not 0 <= int(position) < len(chosen):
        return ""
    return chosen[int(position)]


@_register("choice-name", 2, prefix="jr")
def _choice_name(context: Any, value: Any, reference: Any) -> str:
    match = REFERENCE.search(to_string(reference)) or re.search(
        r"([^/\s$]+)\s*$", to_string(reference)
    )
    field_name = match.group(1) if match else ""
    return _environment(context).choice_label(field_name, to_string(value))


@_register("regex", 2)
def _regex(context: Any, value: Any, pattern: Any) -> bool:
    try:
        return re.search(to_string(pattern), to_string(value)) is not None
    except re.error as exc:
        raise ExpressionError(f"invalid regular expression {to_string(pattern)!r}: {exc}") from exc


@_register("if", 3)
def _if(context: Any, condition: Any, then: Any, otherwise: Any) -> Any:
    return then if to_boolean(condition) else otherwise


@_register("coalesce", 2)
def _coalesce(context: Any, first: Any, second: Any) -> Any:
    return first if to_string(first) != "" else second


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


@_register("today", 0)
def _today(context: Any) -> str:
    return _environment(context).today.isoformat()


@_register("now", 0)
def _now(context: Any) -> str:
    return _environment(context).now.isoformat(timespec="seconds")


@_register("date", 1)
def _date(context: Any, value: Any) -> str:
    text = to_string(value).strip()
    if _DATE.match(text):
        return text
    number = to_number(value)
    if math.isnan(number):
        return ""
    try:
        return _days_to_date(number).isoformat()
    except OverflowError:
        return ""


@_register("decimal-date-time", 1)
def _decimal_date_time(context: Any, value: Any) -> float:
    return to_number(value)


_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
_FORMAT_CODES = {
    "%Y": "%Y",
    "%y": "%y",
    "%m": "%m",
    "%n": "{month}",
    "%b": "%b",
    "%d": "%d",
    "%e": "{day}",
    "%a": "%a",
    "%H": "%H",
    "%M": "%M",
    "%S": "%S",
    "%h": "{hour}",
    "%3": "{milliseconds:03d}",
}


@_register("format-date-time", 2)
@_register("format-date", 2)
def _format_date(context: Any, value: Any, pattern: Any) -> str:
    number = to_number(value)
    if math.isnan(number):
        return ""
    moment = datetime(1970, 1, 1) + timedelta(days=number)
    written = to_string(value).strip()
    zone = _environment(context).now.tzinfo
    if zone is not None and _DATETIME.match(written) and _OFFSET.search(written):
        # A moment is shown in the programme's local time (the clock's zone), as JavaRosa
        # shows it in the phone's; a date alone stays that day.
        moment = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=number)).astimezone(zone)
    text = to_string(pattern)
    out = []
    index = 0
    while index < len(text):
        code = text[index : index + 2]
        if code in _FORMAT_CODES:
            piece = _FORMAT_CODES[code]
            out.append(
                moment.strftime(piece).format(
                    month=moment.month,
                    day=moment.day,
                    hour=moment.hour,
                    milliseconds=moment.microsecond // 1000,
                )
            )
            index += 2
        else:
            out.append(text[index])
            index += 1
    return "".join(out)


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?")


@_register("decimal-time", 1)
def _decimal_time(context: Any, value: Any) -> float:
    """A time of day as a fraction of the day ('12:00' -> 0.5)."""
    match = _TIME.match(to_string(value).strip())
    if match is None:
        return math.nan
    hours, minutes, seconds = int(match[1]), int(match[2]), float(match[3] or 0)
    if hours > 23 or minutes > 59 or seconds >= 60:
        return math.nan
    return (hours * 3600 + minutes * 60 + seconds) / 86400


@_register("substr", (2, 3))
def _substr(context: Any, value: Any, start: Any, end: Any = None) -> str:
    text = to_string(value)
    first = to_number(start)
    if math.isnan(first):
        return ""
    if end is None:
        return text[int(first) :]
    last = to_number(end)
    return "" if math.isnan(last) else text[int(first) : int(last)]


@_register("ends-with", 2)
def _ends_with(context: Any, value: Any, suffix: Any) -> bool:
    return to_string(value).endswith(to_string(suffix))


@_register("boolean-from-string", 1)
def _boolean_from_string(context: Any, value: Any) -> bool:
    return to_string(value).strip().lower() in ("true", "1")


@_register("current", 0)
def _current(context: Any) -> Any:
    return _CURRENT.get()


@_register("instance", 1)
def _instance_function(context: Any, name: Any) -> Any:
    lookup = _INSTANCES.get()
    found = lookup(to_string(name)) if lookup is not None else None
    return found if found is not None else []  # an unknown instance: an empty node-set


@_register("pulldata", 4)
def _pulldata(context: Any, name: Any, column: Any, key_column: Any, key: Any) -> str:
    """pulldata('file', 'col', 'keycol', key): the column of the first row of an attached
    CSV whose key column is ``key`` ('' when none), as JavaRosa reads it."""
    lookup = _INSTANCES.get()
    tree = lookup(to_string(name)) if lookup is not None else None
    if tree is None:
        return ""
    item = _row_index(tree, to_string(key_column)).get(to_string(key))
    return "" if item is None else (item.findtext(to_string(column)) or "")


@lru_cache(maxsize=64)
def _row_index(tree: Any, key_column: str) -> dict[str, ET.Element]:
    """The rows of an instance by one column (the first row wins, as in JavaRosa)."""
    index: dict[str, ET.Element] = {}
    for item in tree.document.getroot():
        index.setdefault(item.findtext(key_column) or "", item)
    return index


def choice_instance(items: Iterable[Mapping[str, str]]) -> Any:
    """A choice list as ODK's secondary instance: ``instance('list')/root/item[name = 'x']``
    with ``name``, ``label`` and the list's other columns as children of each item."""
    root = ET.Element("root")
    for row in items:
        item = ET.SubElement(root, "item")
        for key, text in row.items():
            child = ET.SubElement(item, key if _xml_name(key) else "_")
            child.text = text
    return get_node_tree(ET.ElementTree(root))


@_register("once", 1)
def _once(context: Any, value: Any) -> Any:
    return value


@_register("uuid", (0, 1))
def _uuid(context: Any, length: Any = None) -> str:
    if length is None:
        return str(uuid.uuid4())
    size = to_number(length)
    if math.isnan(size) or size < 1:
        return ""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(min(int(size), 1000)))


@_register("count-non-empty", 1, nodesets=True)
def _count_non_empty(context: Any, *values: Any) -> int:
    return sum(1 for value in values if to_string(value) != "")


@_register("join", (1, None), nodesets=True)
def _join(context: Any, separator: Any, *values: Any) -> str:
    # JavaRosa joins every value, empty ones included: join(', ', 'a', '') is 'a, '.
    return to_string(separator).join(to_string(v) for v in values)


@_register("concat", (0, None), nodesets=True)
def _concat(context: Any, *values: Any) -> str:
    return "".join(to_string(v) for v in values)


EARTH_RADIUS_METERS = 6_378_100  # JavaRosa's GeoUtils


def _geo_points(values: Iterable[Any]) -> list[tuple[float, float]] | None:
    """'lat lon alt acc;lat lon ...' (a geotrace or geoshape), or several geopoints."""
    points = []
    for value in values:
        for part in to_string(value).split(";"):
            numbers = part.split()
            if not numbers:
                continue
            try:
                lat, lon = float(numbers[0]), float(numbers[1])
            except (IndexError, ValueError):
                return None
            points.append((lat, lon))
    return points


@_register("area", 1, nodesets=True)
def _area(context: Any, *values: Any) -> float:
    """A geoshape's area in square metres, on a sphere (JavaRosa's formula)."""
    points = _geo_points(values)
    if points is None:
        return math.nan
    if len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    if len(points) < 3:
        return 0.0
    total = 0.0
    for index, (lat, _lon) in enumerate(points):
        after = points[(index + 1) % len(points)][1]
        before = points[index - 1][1]
        total += math.radians(after - before) * math.sin(math.radians(lat))
    return abs(total * EARTH_RADIUS_METERS**2 / 2)


@_register("distance", (1, None), nodesets=True)
def _distance(context: Any, *values: Any) -> float:
    """The length in metres of a geotrace or geoshape, or of the line through geopoints."""
    points = _geo_points(values)
    if points is None:
        return math.nan
    length = 0.0
    for (lat1, lon1), (lat2, lon2) in itertools.pairwise(points):
        phi1, phi2 = math.radians(lat1), math.radians(lat2)
        dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
        h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
        length += 2 * EARTH_RADIUS_METERS * math.asin(min(1.0, math.sqrt(h)))
    return length


def _indexed_repeat(self: XPathToken, context: Any = None) -> Any:
    """indexed-repeat(${field}, ${repeat}, n): the field's answer in instance n (from 1).
    Outside its repeat ``${field}`` is every instance's answer (formengine.repeats)."""
    answers = [_plain(item) for item in self[0].select(copy.copy(context))]
    number = to_number(_operand(self[2], context))
    if math.isnan(number) or not 1 <= number <= len(answers):
        return ""
    return answers[int(number) - 1]


ODK_FUNCTIONS.add("indexed-repeat")
OdkXPathParser.function("indexed-repeat", nargs=(3, 5)).evaluate = _indexed_repeat  # type: ignore[method-assign]


@_register("sum", 1, nodesets=True)
def _sum(context: Any, *values: Any) -> float:
    return float(sum(to_number(v) for v in values))


@_register("checklist", (3, None), nodesets=True)
def _checklist(context: Any, minimum: Any, maximum: Any, *values: Any) -> bool:
    count = sum(1 for v in values if to_boolean(v))
    low, high = to_number(minimum), to_number(maximum)
    return (low < 0 or count >= low) and (high < 0 or count <= high)


@_register("weighted-checklist", (4, None), nodesets=True)
def _weighted_checklist(context: Any, minimum: Any, maximum: Any, *pairs: Any) -> bool:
    total = sum(
        to_number(pairs[i + 1]) for i in range(0, len(pairs) - 1, 2) if to_boolean(pairs[i])
    )
    low, high = to_number(minimum), to_number(maximum)
    return (low < 0 or total >= low) and (high < 0 or total <= high)


OdkXPathParser.build()


# --- compiling and evaluating -------------------------------------------------------------


def references(expression: str) -> list[str]:
    """The ``${name}`` references of an expression, in order, without repeats."""
    return list(dict.fromkeys(REFERENCE.findall(expression)))


@lru_cache(maxsize=4096)
def _referenced(expression: str) -> tuple[str, ...]:
    return tuple(references(expression))


# --- reading an expression: XPath 1.0's lexical structure ---------------------------------
#
# An expression is read into tokens the way XPath 1.0 section 3.7 says, so that ``and (``,
# ``or(``, ``div (`` are operators and a field called ``div`` is a name: a name is an
# operator when a token comes before it that is not ``@ :: ( [ ,`` or an operator; it is a
# function (or a node type) when ``(`` follows it; an axis when ``::`` follows it.


@dataclass(frozen=True)
class Token:
    kind: str  # reference literal number variable operator function nodetype axis name punct
    text: str
    start: int

    @property
    def is_operator(self) -> bool:
        return self.kind == "operator"


OPERATOR_NAMES = frozenset({"and", "or", "div", "mod"})
NODE_TYPES = frozenset({"comment", "text", "processing-instruction", "node"})
_NCNAME = r"[^\W\d][\w.-]*"
_LEXEME = re.compile(
    r"""
    (?P<reference>\$\{[^}]*\})
  | (?P<literal>"[^"]*"|'[^']*')
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<punct>\.\.|::|[.()\[\]@,])
  | (?P<wrong><>|==|&&|\|\||!(?!=))
  | (?P<symbol>!=|<=|>=|//|[<>=/|+\-*])
  | (?P<variable>\$(?:NCNAME:)?NCNAME)
  | (?P<name>NCNAME:\*|NCNAME(?::NCNAME)?)
    """.replace("NCNAME", _NCNAME),
    re.VERBOSE,
)
_BEFORE_NAME_TEST = frozenset({"@", "::", "(", "[", ","})
_WRONG = {
    "<>": "'<>' is not XPath: write !=",
    "==": "'==' is not XPath: write =",
    "&&": "'&&' is not XPath: write and",
    "||": "'||' is not XPath: write or",
    "!": "'!' is not XPath: write not(...)",
}


def tokens(expression: str) -> list[Token]:
    """The tokens of an expression (raises :class:`ExpressionError` on a lexical error)."""
    out: list[Token] = []
    index, size = 0, len(expression)
    while index < size:
        if expression[index].isspace():
            index += 1
            continue
        match = _LEXEME.match(expression, index)
        if match is None:
            if expression[index] in "'\"":
                raise ExpressionError(f"a string opened at character {index + 1} is not closed")
            raise ExpressionError(f"unexpected {expression[index]!r} at character {index + 1}")
        kind, text = match.lastgroup or "", match.group()
        if kind == "wrong":
            raise ExpressionError(_WRONG[text])
        glued = _GLUED_OPERATOR.match(text) if kind == "name" else None
        if glued and _after_operand(out):
            # '${a} div2': JavaRosa reads the operator and then the number, as ODK Validate does
            out.append(Token("operator", glued.group(1), index))
            index += len(glued.group(1))
            continue
        if kind in ("symbol", "name"):
            kind = _classify(kind, text, out, expression, match.end())
        out.append(Token(kind, text, index))
        index = match.end()
    return out


_GLUED_OPERATOR = re.compile(r"(and|or|div|mod)(?=\d)")


def _after_operand(before: list[Token]) -> bool:
    previous = before[-1] if before else None
    return previous is not None and not (
        previous.is_operator or (previous.kind == "punct" and previous.text in _BEFORE_NAME_TEST)
    )


def _classify(kind: str, text: str, before: list[Token], expression: str, end: int) -> str:
    after_operand = _after_operand(before)
    if kind == "symbol":
        # '*' after an operand multiplies; otherwise it is the name test "any element".
        return "name" if text == "*" and not after_operand else "operator"
    if after_operand and text in OPERATOR_NAMES:
        return "operator"
    rest = expression[end:].lstrip()
    if rest.startswith("("):
        return "nodetype" if text in NODE_TYPES else "function"
    if rest.startswith("::"):
        return "axis"
    return "name"


def functions_called(expression: str) -> list[str]:
    """Names of the functions an expression calls, in order, without repeats."""
    try:
        found = [t.text for t in tokens(expression) if t.kind == "function"]
    except ExpressionError:
        return []  # compile_expression says what is wrong
    return list(dict.fromkeys(found))


@lru_cache(maxsize=4096)
def walks_instance(expression: str) -> bool:
    """Whether an expression walks the form's instance (``..``, names, ``current()``), beyond
    ``${name}`` references and ``.``."""
    try:
        found = tokens(expression)
    except ExpressionError:
        return False
    return any(
        t.kind in ("name", "axis", "nodetype")
        or (t.kind == "punct" and t.text in ("..", "@"))
        or (t.kind == "operator" and t.text in ("/", "//"))
        or (t.kind == "function" and t.text == "current")
        for t in found
    )


def to_xpath(expression: str) -> str:
    """``${name}`` -> ``$name``: XPath variables that hold the answers. A space keeps the
    variable apart from what follows (``${a}-1`` is ``$a - 1``, not the variable ``a-1``).
    Raises :class:`ExpressionError` on what XPath cannot read (``<>``, an open string)."""
    out, position = [], 0
    for token in tokens(expression):
        out.append(expression[position : token.start])
        if token.kind == "reference":
            out.append(" $" + _variable(token.text[2:-1]) + " ")
        elif token.kind == "operator" and token.text in OPERATOR_NAMES:
            out.append(f" {token.text} ")  # '18and${b}': XPath's own reader needs the spaces
        else:
            out.append(token.text)
        position = token.start + len(token.text)
    out.append(expression[position:])
    return "".join(out)


def _variable(name: str) -> str:
    return name.replace(":", "__")


_XPATH1_FUNCTIONS = {
    "last", "position", "count", "id", "local-name", "namespace-uri", "name", "string",
    "concat", "starts-with", "contains", "substring-before", "substring-after", "substring",
    "string-length", "normalize-space", "translate", "boolean", "not", "true", "false", "lang",
    "number", "sum", "floor", "ceiling", "round",
}  # fmt: skip


def known_function(name: str) -> bool:
    """Whether expressions may call ``name`` (XPath 1.0 or one of the ODK functions here)."""
    return name in _XPATH1_FUNCTIONS or name in ODK_FUNCTIONS


@lru_cache(maxsize=4096)
def compile_expression(expression: str) -> XPathToken:
    """The parsed expression (cached: forms are evaluated again at every answer)."""
    parser = OdkXPathParser(namespaces={"jr": JR_NAMESPACE})
    source = to_xpath(expression)
    try:
        return parser.parse(source)
    except ElementPathError as exc:
        raise ExpressionError(str(exc)) from exc


def evaluate(
    expression: str,
    values: Mapping[str, str],
    *,
    current: str | None = None,
    item: Mapping[str, str] | None = None,
    environment: Environment | None = None,
    here: str | None = None,
    paths: Mapping[str, str] | None = None,
    instances: Callable[[str], Any] | None = None,
) -> Any:
    """Evaluate an ODK expression.

    ``values`` are the answers by field name (missing names count as unanswered);
    ``current`` is the value ``.`` stands for (a constraint's answer); ``item`` is the
    choice row a ``choice_filter`` is tested against (its columns are child elements).

    ``here`` names the question the expression belongs to (or the path of a group, for a
    group's relevant) and ``paths`` where each field sits in the form (``group/name``):
    with them, relative paths resolve as in ODK, on an instance built from the answers —
    ``../fav_color`` (what pyxform writes for ``or_other``), ``.`` (this question),
    ``current()`` (this question, also inside a choice_filter, where ``.`` is the choice).
    ``instances`` gives ``instance('list')`` its node tree (see :func:`choice_instance`).
    """
    token = compile_expression(expression)
    instance: Any = None  # the form's instance as a node tree, when the expression walks it
    here_node: Any = None
    if here is not None and paths and walks_instance(expression):
        texts = tuple(
            current if name == here and current is not None else values.get(name, "") or ""
            for name in paths
        )
        instance, nodes = _instance_nodes(tuple(paths.items()), texts)
        here_node = nodes.get(("question", here)) or nodes.get(("group", here))
    # Only the answers the expression refers to: elementpath checks every variable given.
    variables: dict[str, Any] = {}
    for name in _referenced(expression):
        value = values.get(name)
        if isinstance(value, list):  # a repeat's question seen from outside: every instance
            variables[_variable(name)] = [str(v) for v in value]
        else:
            variables[_variable(name)] = "" if value is None else str(value)
    if item is not None:
        root = ET.Element("item")
        for key, text in item.items():
            child = ET.SubElement(root, key if _xml_name(key) else "_")
            child.text = text
        context = XPathContext(root, variables=variables)
        current_node = here_node if here_node is not None else context.root
    elif here_node is not None:
        context = XPathContext(instance, item=here_node, variables=variables)
        current_node = here_node
    else:
        root = ET.Element("value")
        root.text = current if current is not None else values.get(here or "", "") or ""
        context = XPathContext(root, variables=variables)
        current_node = context.root
    reset = _ENVIRONMENT.set(environment or Environment())
    reset_current = _CURRENT.set(current_node)
    reset_instances = _INSTANCES.set(instances)
    try:
        result = token.evaluate(context)
    except ElementPathError as exc:
        raise ExpressionError(str(exc)) from exc
    finally:
        _INSTANCES.reset(reset_instances)
        _CURRENT.reset(reset_current)
        _ENVIRONMENT.reset(reset)
    return _plain(result) if isinstance(result, list | XPathNode | UntypedAtomic) else result


@lru_cache(maxsize=64)
def _instance_nodes(
    paths: tuple[tuple[str, str], ...], texts: tuple[str, ...]
) -> tuple[Any, dict[tuple[str, str], Any]]:
    """The form's instance as ODK keeps it (``<data><group><name>answer</name>...``), as a
    node tree, with the node of each question and group. Cached: a step of a survey
    evaluates many expressions on the same answers."""
    root = ET.Element("data")
    groups: dict[str, ET.Element] = {"": root}
    elements: dict[tuple[str, str], ET.Element] = {}
    for (name, path), text in zip(paths, texts, strict=True):
        parent_path, _, leaf = path.rpartition("/")
        parent = groups.get(parent_path)
        if parent is None:
            parent = root
            walked = ""
            for part in parent_path.split("/"):
                walked = f"{walked}/{part}" if walked else part
                if walked not in groups:
                    groups[walked] = ET.SubElement(parent, part)
                    elements[("group", walked)] = groups[walked]
                parent = groups[walked]
        element = ET.SubElement(parent, leaf or name)
        element.text = text
        elements[("question", name)] = element
    tree = get_node_tree(root)
    by_element = {node.elem: node for node in tree.iter_descendants() if hasattr(node, "elem")}
    return tree, {key: by_element[element] for key, element in elements.items()}


def evaluate_boolean(expression: str, values: Mapping[str, str], **kwargs: Any) -> bool:
    return to_boolean(evaluate(expression, values, **kwargs))


def evaluate_string(expression: str, values: Mapping[str, str], **kwargs: Any) -> str:
    return to_string(evaluate(expression, values, **kwargs))


_XML_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")


def _xml_name(name: str) -> bool:
    return bool(_XML_NAME.match(name))
