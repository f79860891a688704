"""ODK functions on selects, text and answers: ``selected``, ``jr:choice-name``, ``regex``,
``if``, ``coalesce``, ``substr``, ``once``, ``uuid``, ``join``, ``concat``, checklists..."""

from __future__ import annotations

import math
import re
import secrets
import string
import uuid
from typing import Any

from formengine.xpath.library import _environment, _register
from formengine.xpath.values import (
    REFERENCE,
    ExpressionError,
    selected_values,
    to_boolean,
    to_number,
    to_string,
)


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
