"""An interview's state (the form, the answers, the clock) and the values every expression
sees: calculations, defaults and metadata worked out, non-relevant questions blanked, as
ODK does; whether a question is relevant and whether it is required."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from formengine.model import Choice, Form, Kind, Question
from formengine.runtime.formats import odk_datetime
from formengine.xpath import (
    REFERENCE,
    Environment,
    ExpressionError,
    choice_instance,
    evaluate_boolean,
    evaluate_string,
)

log = logging.getLogger("formengine.runtime")  # one logger for the whole runtime


@dataclass
class _State:
    """What a pass through a form holds, and the values its expressions see."""

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
