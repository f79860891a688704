"""What a question shows: the choices its choice_filter leaves, and labels with their
``${field}`` references filled in with the answers."""

from __future__ import annotations

import logging
import re

from formengine.filters import keep, simple_terms
from formengine.model import Choice, Question
from formengine.runtime.state import _State
from formengine.xpath import REFERENCE, ExpressionError, evaluate_boolean, selected_values

log = logging.getLogger("formengine.runtime")  # one logger for the whole runtime


class _Display(_State):
    """The choices and labels of an interview's questions."""

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


def _instance_suffixes(name: str) -> list[str]:
    """'works__2__1' -> ['__2__1', '__2']: the instance a repeat's copy sits in, innermost
    first."""
    from formengine.repeats import split_name

    found = split_name(name)
    if found is None:
        return []
    numbers = found[1]
    return ["".join(f"__{n}" for n in numbers[:k]) for k in range(len(numbers), 0, -1)]
