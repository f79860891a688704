"""The answers a new interview starts with: the questions' defaults."""

from __future__ import annotations

from datetime import datetime

from formengine.model import Form, Kind
from formengine.runtime.formats import odk_datetime
from formengine.xpath import Environment, ExpressionError, evaluate_string


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
