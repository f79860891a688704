"""Repeat groups in a chat: the form a resident is walked through, with each repeat's
questions copied once per instance ("Member 2 of 5").

A repeat with a ``repeat_count`` (a number, or ``${hh_size}``) gets that many instances; an
open one gets one, then an "Add another?" question after each instance (answering yes adds
the next). Copies are named ``name__N`` and their expressions rewritten so that ``${sibling}``
is the same instance's answer and ``position(..)`` its number; outside the repeat,
``${name}`` is every instance's answer (``count()``, ``sum()``, ``max()``, ``join()``...).
Everything else — Back, skip logic, the review, changing an answer — then works on the
expanded form as on any other. Storage keeps the copies' names; exports turn them into
KoBo's one sheet per repeat (``_index``, ``_parent_index``).
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

from bot.forms.model import Choice, Form, Kind, Labels, Question, Repeat
from bot.forms.xpath import REFERENCE, ExpressionError, evaluate_string, to_number
from bot.i18n import _, pgettext, use_language

MAX_INSTANCES = 30  # no household roster in a chat goes beyond this
ADD_ANOTHER = "add_another"  # Question.meta of the "Add another?" questions
YES_NO_LIST = "__musharaka_add_another"
_INSTANCE = re.compile(r"^(?P<base>.+)__(?P<n>[0-9]+)$")
_KEPT = "${\x00"  # a reference the renaming leaves alone (no field name holds NUL)
_INDEXED = re.compile(r"indexed-repeat\s*\(\s*\$\{[^}\s]+\}")
POSITION = re.compile(r"position\s*\(\s*\.\.\s*\)")


def copy_name(name: str, instance: int) -> str:
    return f"{name}__{instance}"


def split_name(name: str) -> tuple[str, int] | None:
    """'age__2' -> ('age', 2); None for a name that is not an instance's copy."""
    found = _INSTANCE.match(name)
    return (found["base"], int(found["n"])) if found else None


def add_name(repeat: str, instance: int) -> str:
    return f"{repeat}__add__{instance}"


def instance_count(form: Form, repeat: Repeat, answers: dict[str, str]) -> int:
    """How many instances of ``repeat`` the answers ask for."""
    if not repeat.count:
        count = 1
        while count < MAX_INSTANCES and answers.get(add_name(repeat.name, count)) == "yes":
            count += 1
        return count
    try:
        number = to_number(evaluate_string(repeat.count, answers))
    except ExpressionError:
        return 0
    if math.isnan(number) or number < 1:
        return 0
    return min(int(number), MAX_INSTANCES)


def expand(form: Form, answers: dict[str, str], language: str) -> Form:
    """``form`` with each repeat's questions copied once per instance."""
    if not form.repeats:
        return form
    by_repeat = {r.name: r for r in form.repeats}
    members = {r.name: [q.name for q in form.questions if q.repeat == r.name] for r in form.repeats}
    questions: list[Question] = []
    done: set[str] = set()
    for question in form.questions:
        if not question.repeat:
            questions.append(question)
            continue
        if question.repeat in done:
            continue
        done.add(question.repeat)
        repeat = by_repeat[question.repeat]
        count = instance_count(form, repeat, answers)
        block = [q for q in form.questions if q.repeat == repeat.name]
        for n in range(1, count + 1):
            heading = _instance_label(repeat, n, count, language)
            renames = {name: copy_name(name, n) for name in members[repeat.name]}
            for original in block:
                questions.append(_copy(original, repeat, n, renames, heading))
            if not repeat.count:
                questions.append(_add_question(repeat, n, language))
    choices = dict(form.choices)
    with use_language(language):
        choices[YES_NO_LIST] = (
            Choice("yes", {"": pgettext("repeat", "Yes, add another")}),
            Choice("no", {"": pgettext("repeat", "No, go on")}),
        )
    return replace(form, questions=tuple(questions), choices=choices)


def _instance_label(repeat: Repeat, n: int, count: int, language: str) -> Labels:
    with use_language(language):
        labels: Labels = {}
        for code, text in (repeat.label or {"": repeat.name}).items():
            if repeat.count:
                labels[code] = _("{label} {n} of {total}").format(label=text, n=n, total=count)
            else:
                labels[code] = f"{text} {n}"  # no words to translate: "Visit 2"
        return labels


def _add_question(repeat: Repeat, n: int, language: str) -> Question:
    with use_language(language):
        labels = {
            code: _("{label}: add another?").format(label=text)
            for code, text in (repeat.label or {"": repeat.name}).items()
        }
    return Question(
        name=add_name(repeat.name, n),
        path=f"{repeat.path}__add__{n}",
        kind=Kind.SELECT_ONE,
        label=labels,
        required="true()",
        choice_list=YES_NO_LIST,
        meta=ADD_ANOTHER,
        repeat=repeat.name,
    )


def _rewrite(expression: str, renames: dict[str, str], n: int) -> str:
    if not expression:
        return expression

    def rename(found: re.Match[str]) -> str:
        name = found.group(1)
        return "${" + renames[name] + "}" if name in renames else found.group(0)

    # indexed-repeat(${age}, ${member}, position(..) - 1): the first argument is every
    # instance's answer, even inside the repeat.
    kept = _INDEXED.sub(lambda m: m.group(0).replace("${", _KEPT), expression)
    return POSITION.sub(str(n), REFERENCE.sub(rename, kept)).replace(_KEPT, "${")


def _copy(
    question: Question, repeat: Repeat, n: int, renames: dict[str, str], heading: Labels
) -> Question:
    prefix = repeat.path
    path = question.path
    if path == prefix or path.startswith(prefix + "/"):
        path = f"{prefix}__{n}{path[len(prefix) :]}"
    owners = tuple(
        f"{prefix}__{n}{owner[len(prefix) :]}"
        if owner == prefix or owner.startswith(prefix + "/")
        else owner
        for owner in question.relevant_from
    )

    def labels(texts: Labels) -> Labels:
        return {code: _rewrite(text, renames, n) for code, text in texts.items()}

    return replace(
        question,
        name=renames[question.name],
        path=path,
        label=labels(question.label),
        hint=labels(question.hint),
        relevant=tuple(_rewrite(e, renames, n) for e in question.relevant),
        relevant_from=owners,
        required=_rewrite(question.required, renames, n),
        constraint=_rewrite(question.constraint, renames, n),
        choice_filter=_rewrite(question.choice_filter, renames, n),
        calculation=_rewrite(question.calculation, renames, n),
        groups=(*question.groups, heading),
        field_list="",
    )


def repeat_values(form: Form, values: dict[str, str]) -> dict[str, list[str]]:
    """Outside a repeat, ``${name}`` of a repeat question: every instance's value."""
    lists: dict[str, list[str]] = {}
    for question in form.questions:
        if question.repeat and question.meta != ADD_ANOTHER:
            found = split_name(question.name)
            if found is not None:
                lists.setdefault(found[0], []).append(values.get(question.name, ""))
    return lists
