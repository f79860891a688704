"""Walking through a form with one respondent's answers: what to ask next, what to accept.

Pure logic (no chat, no database): the survey conversation keeps the answers in its
session state and asks this module which question comes next, which one Back goes to,
which choices a choice_filter leaves, and whether a typed or pressed answer is valid.

Answers are kept the way ODK keeps them — strings: ``"tap well"`` for a select_multiple,
``"health water roads"`` (in order) for a rank, ``"35.1676 8.8365 0 0"`` for a geopoint,
``"2026-11-24"`` for a date, ``"14:30:00.000+01:00"`` for a time,
``"2026-11-24T14:30:00.000+01:00"`` for a dateTime, ``"lat lon 0 0;lat lon 0 0"`` for a
geotrace (a geoshape ends on its first point), the Telegram file id for a photo.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from core.textinput import clean_text, normalize_digits, parse_decimal, parse_int
from formengine.filters import keep, simple_terms
from formengine.model import ANSWERED_KINDS, LINE_KINDS, Choice, Form, Kind, Labels, Question
from formengine.xpath import (
    REFERENCE,
    Environment,
    ExpressionError,
    choice_instance,
    evaluate_boolean,
    evaluate_string,
    selected_values,
)

log = logging.getLogger(__name__)

TEXT_MAX_CHARS = 2000
BARCODE_MAX_CHARS = 500
# A range with at most this many values is answered with buttons (else a typed number).
RANGE_BUTTONS_MAX = 11
# Fewest points of a line and of an area (a geoshape's closing point not counted).
LINE_MIN_POINTS = {Kind.GEOTRACE: 2, Kind.GEOSHAPE: 3}
LINE_MAX_POINTS = 200


@dataclass(frozen=True)
class Problem:
    """Why an answer was refused. ``code`` picks the bot's own message; ``message`` is the
    form's (constraint_message, required_message) when it has one."""

    code: str
    message: Labels = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Run:
    """One respondent's pass through a form."""

    form: Form
    answers: dict[str, str]
    environment: Environment = field(default_factory=Environment)
    language: str = "ar"
    meta: dict[str, str] = field(default_factory=dict)  # start, end, username...
    zone: tzinfo = UTC  # the programme's time zone: times and dateTimes carry its offset
    # For a form with repeats: the form for these answers (formengine.repeats.expand), made
    # again whenever an answer changes (a count, an "Add another?").
    expander: Callable[[dict[str, str]], Form] | None = None
    _values: dict[str, str] | None = field(default=None, init=False, repr=False)
    _instances: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _choices: dict[str, list[Choice]] = field(default_factory=dict, init=False, repr=False)

    # --- the values every expression sees ------------------------------------------------
    def set(self, name: str, value: str) -> None:
        self.answers[name] = value
        self._values = None
        self._choices = {}
        if self.expander is not None:
            self.form = self.expander(self.answers)

    def values(self) -> dict[str, str]:
        """Answers, calculations and metadata, with non-relevant questions blanked (as ODK)."""
        if self._values is not None:
            return self._values
        values: dict[str, str] = {q.name: self.answers.get(q.name, "") for q in self.form.questions}
        self._values = values  # visible to expressions while we fill it in, in form order
        for question in self.form.questions:
            if not self._relevant(question, values):
                values[question.name] = ""
            elif question.kind == Kind.CALCULATE:
                if _ONCE.match(question.calculation) and self.answers.get(question.name):
                    continue  # once(): the first value stays, whatever changed since
                values[question.name] = self._safe_string(question, question.calculation, values)
                if _ONCE.match(question.calculation) and values[question.name]:
                    self.answers[question.name] = values[question.name]
            elif question.kind == Kind.HIDDEN:
                values[question.name] = question.default
            elif question.kind == Kind.META:
                values[question.name] = self.meta_value(question)
        if self.form.repeats:
            self._repeat_lists(values)
        return values

    def _repeat_lists(self, values: dict[str, str]) -> None:
        """Outside a repeat, ``${age}`` is every instance's age: calculations that read a
        repeat's answers are worked out again once all instances are known."""
        from formengine.repeats import repeat_values

        lists = repeat_values(self.form, values)
        values.update(lists)  # type: ignore[arg-type]  # lists, as the expressions expect
        for question in self.form.questions:
            if (
                question.kind == Kind.CALCULATE
                and any(ref in lists for ref in REFERENCE.findall(question.calculation))
                and self._relevant(question, values)
            ):
                values[question.name] = self._safe_string(question, question.calculation, values)

    def meta_value(self, question: Question) -> str:
        if question.meta == "today":
            return self.environment.today.isoformat()
        if question.meta in ("start", "end"):
            # As ODK writes them: local time with its offset, to the millisecond.
            moment = self.meta.get(question.meta, "")
            try:
                return odk_datetime(datetime.fromisoformat(moment).astimezone(self.zone))
            except ValueError:
                return moment
        if question.meta == "deviceid":
            return "telegram"
        if question.meta == "username":
            # A pseudonym of the Telegram account (keyed hash, one per form), never its id.
            return self.meta.get("username", "")
        return ""  # phone number, email...: never taken from Telegram

    def _relevant(self, question: Question, values: Mapping[str, str]) -> bool:
        owners = question.relevant_from
        for index, expression in enumerate(question.relevant):
            group = owners[index] if index < len(owners) else ""
            try:
                if not evaluate_boolean(expression, values, **self._where(question, group)):
                    return False
            except ExpressionError:
                log.warning("relevant of %s failed; asking it", question.name, exc_info=True)
        return True

    def _where(self, question: Question, group: str = "") -> dict[str, Any]:
        """What an expression of ``question`` sees besides the answers: the clock, and where
        it sits in the form, so that ``..``, ``.`` and ``current()`` resolve as in ODK (from
        ``group``, a group path, for that group's relevant)."""
        return {
            "environment": self.environment,
            "here": group or question.name,
            "paths": self.form.paths,
            "instances": self.instance,
        }

    def instance(self, list_name: str) -> Any:
        """``instance('list')``: a choice list, or a file attached to the form (which wins,
        as in pyxform's XForm), with its labels in the resident's language."""
        if list_name not in self._instances:
            items = self.form.choices.get(self.form.instances.get(list_name, list_name))
            self._instances[list_name] = (
                None if items is None else _instance_of(items, self.language)
            )
        return self._instances[list_name]

    def _safe_string(self, question: Question, expression: str, values: Mapping[str, str]) -> str:
        try:
            return evaluate_string(expression, values, **self._where(question))
        except ExpressionError:
            log.warning("calculation %r failed", expression, exc_info=True)
            return ""

    def is_relevant(self, question: Question) -> bool:
        return self._relevant(question, self.values())

    def is_required(self, question: Question) -> bool:
        if not question.required or question.kind in (Kind.NOTE,):
            return False
        if question.required == "true()":
            return True
        try:
            return evaluate_boolean(question.required, self.values(), **self._where(question))
        except ExpressionError:
            return True

    # --- moving around --------------------------------------------------------------------
    def relevant_questions(self) -> list[Question]:
        values = self.values()
        return [q for q in self.form.questions if q.asked and self._relevant(q, values)]

    def next_after(self, name: str | None) -> Question | None:
        """The next relevant question after ``name`` (from the start when None)."""
        order = [q.name for q in self.form.questions]
        start = order.index(name) + 1 if name in order else 0
        values = self.values()
        for question in self.form.questions[start:]:
            if question.asked and self._relevant(question, values):
                return question
        return None

    def previous_before(self, name: str) -> Question | None:
        """The previous *relevant* question (Back skips what skip logic left out)."""
        order = [q.name for q in self.form.questions]
        if name not in order:
            return None
        values = self.values()
        for question in reversed(self.form.questions[: order.index(name)]):
            if question.asked and self._relevant(question, values):
                return question
        return None

    def progress(self, question: Question) -> tuple[int, int]:
        """(position, total) among the relevant questions that take an answer."""
        counted = [q for q in self.relevant_questions() if q.kind in ANSWERED_KINDS]
        names = [q.name for q in counted]
        if question.name in names:
            return names.index(question.name) + 1, len(names)
        before = [
            q for q in counted if self.form.questions.index(q) < self.form.questions.index(question)
        ]
        return len(before), len(names)

    def first_gap(self) -> tuple[Question, Problem] | None:
        """The first relevant question whose answer is missing or no longer valid."""
        for question in self.relevant_questions():
            if question.kind in (Kind.NOTE, Kind.ACKNOWLEDGE) and not self.is_required(question):
                continue
            problem = self.check(question, self.answers.get(question.name, ""))
            if problem is not None:
                return question, problem
        return None

    # --- choices ------------------------------------------------------------------------
    def choices_for(self, question: Question) -> list[Choice]:
        """The choices a choice_filter leaves (worked out once per answers given)."""
        if question.name not in self._choices:
            self._choices[question.name] = self._filtered(question)
        return list(self._choices[question.name])

    def _filtered(self, question: Question) -> list[Choice]:
        choices = list(self.form.choices_of(question))
        if not question.choice_filter:
            return choices
        values = self.values()
        kept = []
        terms = simple_terms(question.choice_filter)
        for choice in choices:
            if terms is not None:
                fast = keep(choice, terms, values, choice.text(self.language))
                if fast is not None:
                    if fast:
                        kept.append(choice)
                    continue
            item = {"name": choice.name, "label": choice.text(self.language), **choice.columns}
            try:
                if evaluate_boolean(
                    question.choice_filter, values, item=item, **self._where(question)
                ):
                    kept.append(choice)
            except ExpressionError:
                log.warning("choice_filter of %s failed", question.name, exc_info=True)
                kept.append(choice)
        return kept

    def choice_label(self, field_name: str, value: str) -> str:
        return self.form.choice_label(field_name, value, self.language)

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

    # --- labels -------------------------------------------------------------------------
    def render(self, text: str, question: Question | None = None, typed: str | None = None) -> str:
        """A label with its ``${field}`` references replaced by the answers given. For a
        choice label of ``question`` in a repeat instance, ``${sibling}`` is that instance's
        answer (choices are not copied per instance, as questions are); ``typed``: the
        question's answer being checked, not yet kept."""
        values = self.values()
        if question is not None and typed is not None:
            values = {**values, question.name: typed}
        suffixes = _instance_suffixes(question.name) if question is not None else []

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            name = next((f"{name}{s}" for s in suffixes if f"{name}{s}" in values), name)
            value = values.get(name, "")
            if isinstance(value, list):  # a repeat's answers, outside the repeat
                return ", ".join(str(v) for v in value if v)
            if self.form.has(name) and self.form.question(name).has_choices:
                return ", ".join(self.choice_label(name, v) for v in selected_values(value))
            return value

        return REFERENCE.sub(replace, text)

    def stored_answers(self) -> list[tuple[Question, str]]:
        """What a submission keeps: relevant answered questions, calculations and metadata."""
        values = self.values()
        kept = []
        for question in self.form.questions:
            value = values.get(question.name, "")
            if question.kind in (Kind.NOTE, Kind.ACKNOWLEDGE) and not value:
                continue
            if question.meta == "add_another":
                continue  # "Add another?" is how the chat asks, not an answer
            if value == "":
                continue
            kept.append((question, value))
        return kept


_ONCE = re.compile(r"^\s*once\s*\(")
_TREES: dict[tuple[int, str], tuple[tuple[Choice, ...], Any]] = {}
TREES_KEPT = 32


def _instance_of(items: tuple[Choice, ...], language: str) -> Any:
    """A list as a node tree, kept across turns: a form version's lists never change, and an
    attached file may have thousands of rows."""
    key = (id(items), language)
    kept = _TREES.get(key)
    if kept is not None and kept[0] is items:
        return kept[1]
    tree = choice_instance({"name": c.name, "label": c.text(language), **c.columns} for c in items)
    if len(_TREES) >= TREES_KEPT:
        _TREES.pop(next(iter(_TREES)))
    _TREES[key] = (items, tree)
    return tree


def _instance_suffixes(name: str) -> list[str]:
    """'works__2__1' -> ['__2__1', '__2']: the instance a repeat's copy sits in, innermost
    first."""
    from formengine.repeats import split_name

    found = split_name(name)
    if found is None:
        return []
    numbers = found[1]
    return ["".join(f"__{n}" for n in numbers[:k]) for k in range(len(numbers), 0, -1)]


def _fold(text: str) -> str:
    return " ".join(normalize_digits(text).casefold().split())


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


_DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})$"),
)


def parse_date(text: str) -> date | None:
    """'2026-11-24', '24/11/2026', '٢٤/١١/٢٠٢٦', '24.11.2026' -> a date (day before month,
    as Tunisia, the Maghreb and France write it)."""
    cleaned = normalize_digits(text).strip().replace(" ", "")
    for pattern in _DATE_PATTERNS:
        match = pattern.match(cleaned)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None


def parse_time(text: str) -> time | None:
    """'14:30', '14h30', '٢:٣٠' -> a time."""
    cleaned = normalize_digits(text).strip().lower().replace(" ", "")
    match = re.match(r"^(\d{1,2})(?:[:hH.](\d{2}))?$", cleaned)
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


_DATE_TIME_SPLIT = re.compile(
    r"^(?P<day>\S+?)(?:[T\s,]+|\s*-\s+)(?P<time>\d{1,2}(?:[:hH.]\d{2})?)$"
)


def parse_datetime(text: str, zone: tzinfo = UTC) -> datetime | None:
    """'24/11/2026 14:30', '2026-11-24T14:30', '٢٤/١١/٢٠٢٦ ١٤:٣٠' -> a moment in ``zone``."""
    cleaned = " ".join(normalize_digits(text).split())
    match = _DATE_TIME_SPLIT.match(cleaned)
    if not match:
        return None
    day, moment = parse_date(match["day"]), parse_time(match["time"])
    if day is None or moment is None:
        return None
    return datetime.combine(day, moment, zone)


def odk_time(moment: time, day: date, zone: tzinfo = UTC) -> str:
    """ODK's time: '14:30:00.000+01:00' (the offset the zone has on ``day``)."""
    return datetime.combine(day, moment, zone).isoformat(timespec="milliseconds").split("T")[1]


def odk_datetime(moment: datetime) -> str:
    """ODK's dateTime: '2026-11-24T14:30:00.000+01:00'."""
    return moment.isoformat(timespec="milliseconds")


def line_points(value: str, *, closed: bool = False) -> list[str] | None:
    """The points of a geotrace/geoshape answer (a shape's closing point dropped), or None."""
    points = [p.strip() for p in value.split(";") if p.strip()]
    for point in points:
        parts = point.split()
        if len(parts) != 4:
            return None
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            return None
        if geopoint(lat, lon) is None:
            return None
    if closed and len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    if len(points) > LINE_MAX_POINTS:
        return None
    return points


def line_value(points: list[str], *, closed: bool = False) -> str:
    """Points as ODK stores a geotrace (and a geoshape, ending on its first point)."""
    if closed and points and points[0] != points[-1]:
        points = [*points, points[0]]
    return ";".join(points)


def parse_point(text: str) -> str | None:
    """'35.1676, 8.8365' typed by hand -> '35.1676 8.8365 0 0' (ODK geopoint)."""
    cleaned = normalize_digits(text).strip()
    parts = [p for p in re.split(r"[\s,;]+", cleaned) if p]
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    return geopoint(lat, lon)


def geopoint(latitude: float, longitude: float) -> str | None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or math.isnan(latitude + longitude):
        return None
    return f"{latitude:.6f} {longitude:.6f} 0 0"


def now_iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def initial_answers(form: Form, environment: Environment) -> dict[str, str]:
    """The answers a new interview starts with, as ODK's first load sets the defaults
    (outside repeats): a fixed default as it is, an expression (``today()``, ``now()``,
    ``concat('TN-', uuid(6))``) worked out once, now. A default that reads other answers
    (``${x}``) gives nothing: no answer exists yet."""
    from pyxform.utils import default_is_dynamic

    answers: dict[str, str] = {}
    for question in form.questions:
        default = question.default
        if question.repeat or not question.asked or not default or "${" in default:
            continue
        pyxform_type = "dateTime" if question.kind == Kind.DATETIME else question.kind.value
        if not default_is_dynamic(default, pyxform_type):
            answers[question.name] = default
            continue
        try:
            value = evaluate_string(default, {}, environment=environment)
        except ExpressionError:
            continue
        if question.kind == Kind.DATETIME and value:
            try:
                value = odk_datetime(datetime.fromisoformat(value))
            except ValueError:
                continue
        if value:
            answers[question.name] = value
    return answers
