"""Accepting an answer: reading what people type into the value ODK stores, and checking
any answer (required, a choice offered, a rank's count, a range's bounds and step, a
line's points, the form's constraint), with the reason when it is refused."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from core.textinput import clean_text, parse_decimal, parse_int
from formengine.model import LINE_KINDS, Kind, Labels, Question
from formengine.runtime.display import _Display
from formengine.runtime.formats import (
    LINE_MIN_POINTS,
    _decimal_text,
    _fold,
    line_points,
    odk_datetime,
    odk_time,
    parse_date,
    parse_datetime,
    parse_point,
    parse_time,
)
from formengine.xpath import ExpressionError, evaluate_boolean, selected_values

log = logging.getLogger("formengine.runtime")  # one logger for the whole runtime

TEXT_MAX_CHARS = 2000
BARCODE_MAX_CHARS = 500
# A range with at most this many values is answered with buttons (else a typed number).
RANGE_BUTTONS_MAX = 11


@dataclass(frozen=True)
class Problem:
    """Why an answer was refused. ``code`` picks the bot's own message; ``message`` is the
    form's (constraint_message, required_message) when it has one."""

    code: str
    message: Labels = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)


class _Checks(_Display):
    """Reading and checking an interview's answers."""

    # --- checking answers -------------------------------------------------------------------
    def check(self, question: Question, value: str) -> Problem | None:
        """Why ``value`` cannot be this question's answer, or None when it can."""
        if value == "":
            if self.is_required(question):
                return Problem("required", self._rendered(question.required_message, question))
            return None
        problem = self._check_shape(question, value)
        if problem is not None:
            return problem
        if question.constraint:
            values = dict(self.values())
            values[question.name] = value
            try:
                ok = evaluate_boolean(
                    question.constraint, values, current=value, **self._where(question)
                )
            except ExpressionError:
                log.warning("constraint of %s failed; accepting", question.name, exc_info=True)
                ok = True
            if not ok:
                message = question.constraint_message
                return Problem("constraint", self._rendered(message, question, value))
        return None

    def _rendered(self, message: Labels, question: Question, typed: str | None = None) -> Labels:
        """The form's message with its ``${field}`` references filled in (pyxform writes
        them as <output/> in the XForm, which Collect shows with the answers)."""
        return {code: self.render(text, question, typed) for code, text in message.items()}

    def _check_shape(self, question: Question, value: str) -> Problem | None:
        kind = question.kind
        if kind in (Kind.SELECT_ONE, Kind.SELECT_MULTIPLE, Kind.RANK):
            allowed = {c.name for c in self.choices_for(question)}
            chosen = selected_values(value) if kind != Kind.SELECT_ONE else [value]
            if (
                not chosen
                or any(c not in allowed for c in chosen)
                or len(set(chosen)) != len(chosen)
            ):
                return Problem("not_a_choice")
            if kind == Kind.RANK:
                most = question.max_ranked or len(allowed)
                least = min(question.min_ranked, most)
                if len(chosen) > most:
                    return Problem("too_many", params={"most": most})
                if len(chosen) < least:
                    return Problem("too_few", params={"least": least})
        if kind == Kind.RANGE:
            try:
                number = Decimal(value)
            except InvalidOperation:
                return Problem("not_a_number")
            low, high = question.range_start or 0.0, question.range_end or 0.0
            if not number.is_finite() or not min(low, high) <= number <= max(low, high):
                return Problem("out_of_range", params={"low": low, "high": high})
            step = Decimal(str(question.range_step or 0))
            if step and (number - Decimal(str(low))) % step != 0:
                return Problem("off_step", params={"low": low, "step": float(step)})
        if kind in LINE_KINDS:
            points = line_points(value, closed=kind == Kind.GEOSHAPE)
            least = LINE_MIN_POINTS[kind]
            if points is None:
                return Problem("not_a_location")
            if len(points) < least:
                return Problem("too_few_points", params={"least": least})
        return None

    def range_values(self, question: Question) -> list[str]:
        """Every value of a short range, for buttons ([] when it is typed instead)."""
        low, high = question.range_start or 0.0, question.range_end or 0.0
        step = abs(question.range_step or 0.0)
        if not step:
            return []
        count = int(abs(high - low) // step) + 1
        if count > RANGE_BUTTONS_MAX:
            return []
        sign = 1 if high >= low else -1
        start, delta = Decimal(str(low)), Decimal(str(step)) * sign
        return [_decimal_text(start + delta * n) for n in range(count)]

    # --- reading what people type ------------------------------------------------------------
    def parse(self, question: Question, text: str) -> str | Problem:
        """A typed answer as the value to store, or why it cannot be read."""
        kind = question.kind
        if kind == Kind.INTEGER:
            number = parse_int(text)
            if number is None:
                decimal = parse_decimal(text)
                if decimal is not None:
                    return Problem("not_whole")
                return Problem("not_a_number")
            return str(number)
        if kind == Kind.DECIMAL:
            value = parse_decimal(text)
            if value is None:
                return Problem("not_a_number")
            return _decimal_text(value)
        if kind == Kind.RANGE:
            value = parse_decimal(text)
            if value is None:
                return Problem("not_a_number")
            return _decimal_text(value)
        if kind == Kind.TEXT:
            cleaned = clean_text(text, TEXT_MAX_CHARS)
            if cleaned is None:
                if text.strip():
                    return Problem("too_long", params={"most": TEXT_MAX_CHARS})
                return Problem("empty")
            return cleaned
        if kind == Kind.BARCODE:
            cleaned = clean_text(text, BARCODE_MAX_CHARS)
            if cleaned is None:
                if text.strip():
                    return Problem("too_long", params={"most": BARCODE_MAX_CHARS})
                return Problem("empty")
            return " ".join(cleaned.split())
        if kind == Kind.DATE:
            day = parse_date(text)
            return day.isoformat() if day else Problem("not_a_date")
        if kind == Kind.TIME:
            moment = parse_time(text)
            if moment is None:
                return Problem("not_a_time")
            return odk_time(moment, self.environment.today, self.zone)
        if kind == Kind.DATETIME:
            stamp = parse_datetime(text, self.zone)
            return odk_datetime(stamp) if stamp else Problem("not_a_datetime")
        if kind == Kind.GEOPOINT or kind in LINE_KINDS:
            point = parse_point(text)  # one point of a line: the conversation adds it
            return point if point else Problem("not_a_location")
        if kind == Kind.SELECT_ONE:
            typed = _fold(text)
            for choice in self.choices_for(question):
                if typed in (_fold(choice.text(self.language)), _fold(choice.name)):
                    return choice.name
            return Problem("use_buttons")
        return Problem("use_buttons")
