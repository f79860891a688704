"""Values as JavaRosa sees them: an answer is a string, an empty one is NaN as a number,
and a date counts as days since 1970-01-01."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from elementpath.datatypes import UntypedAtomic
from elementpath.xpath_nodes import XPathNode

REFERENCE = re.compile(r"\$\{([^}\s]+)\}")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
EPOCH = date(1970, 1, 1)


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated."""


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


_XML_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")


def _xml_name(name: str) -> bool:
    return bool(_XML_NAME.match(name))
