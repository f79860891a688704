"""A fast path for the choice_filters cascades write — ``district = ${district}``,
``level = 'district' and parent = ${governorate}`` — over long attached lists: compared
directly on each choice's columns, as XPath compares two strings, instead of evaluating
the expression once per choice (300 villages, or thousands)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from formengine.model import Choice

_TERM = re.compile(
    r"""^\s*\(?\s*([A-Za-z_][\w.-]*)\s*=\s*(\$\{[^}\s]+\}|'[^']*'|"[^"]*")\s*\)?\s*$"""
)


@lru_cache(maxsize=512)
def simple_terms(expression: str) -> tuple[tuple[str, str, bool], ...] | None:
    """``col = ${x} and col2 = 'v'`` as (column, field or text, is a field) terms; None when
    the filter is anything else (it is then evaluated as XPath)."""
    parts = re.split(r"\s+and\s+", expression.strip().removeprefix("(").removesuffix(")"))
    terms = []
    for part in parts:
        match = _TERM.match(part)
        if match is None:
            return None
        column, value = match.groups()
        if value.startswith("${"):
            terms.append((column, value[2:-1], True))
        else:
            terms.append((column, value[1:-1], False))
    return tuple(terms)


def keep(
    choice: Choice,
    terms: tuple[tuple[str, str, bool], ...],
    values: Mapping[str, object],
    label: str,
) -> bool | None:
    """Whether the choice passes the terms; None when a value is not plain text (a repeat's
    list of answers: left to XPath)."""
    for column, wanted, is_field in terms:
        have: str | None
        if column == "name":
            have = choice.name
        elif column == "label":
            have = label
        else:
            have = choice.columns.get(column)
            if have is None:
                return False  # an empty node-set: '=' is false
        target = values.get(wanted, "") if is_field else wanted
        if not isinstance(target, str):
            return None
        if have != target:
            return False
    return True
