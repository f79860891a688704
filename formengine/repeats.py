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
from collections.abc import Callable
from dataclasses import replace

from core.formatting import display_digits
from core.i18n import _, pgettext, use_language
from formengine.model import Choice, Form, Kind, Labels, Question, Repeat, pick_label
from formengine.xpath import REFERENCE, ExpressionError, evaluate_string, to_number

MAX_INSTANCES = 30  # no household roster in a chat goes beyond this
ADD_ANOTHER = "add_another"  # Question.meta of the "Add another?" questions
YES_NO_LIST = "__musharaka_add_another"
_INSTANCE = re.compile(r"^(?P<base>.+?)(?P<n>(?:__[0-9]+)+)$")
_KEPT = "${\x00"  # a reference the renaming leaves alone (no field name holds NUL)
_INDEXED = re.compile(r"indexed-repeat\s*\(\s*\$\{[^}\s]+\}")
POSITION = re.compile(r"position\s*\(\s*\.\.\s*\)")


def copy_name(name: str, instance: int | str) -> str:
    """'age', 2 -> 'age__2'; a suffix '__2__1' (a repeat inside a repeat) is added as it is."""
    suffix = instance if isinstance(instance, str) else f"__{instance}"
    return f"{name}{suffix}"


def split_name(name: str) -> tuple[str, tuple[int, ...]] | None:
    """'age__2' -> ('age', (2,)), 'job__2__1' -> ('job', (2, 1)); None for other names."""
    found = _INSTANCE.match(name)
    if not found:
        return None
    return found["base"], tuple(int(n) for n in found["n"][2:].split("__"))


def add_name(repeat: str, instance: int | str) -> str:
    suffix = instance if isinstance(instance, str) else f"__{instance}"
    return f"{repeat}__add{suffix}"


def instance_count(
    form: Form,
    repeat: Repeat,
    answers: dict[str, str],
    suffix: str = "",
    renames: dict[str, str] | None = None,
) -> int:
    """How many instances of ``repeat`` the answers ask for (inside the parent instance
    ``suffix``, whose names ``renames`` gives)."""
    if not repeat.count:
        count = 1
        while (
            count < MAX_INSTANCES
            and answers.get(add_name(repeat.name, f"{suffix}__{count}")) == "yes"
        ):
            count += 1
        return count
    expression = _rewrite(repeat.count, renames or {}, 0)
    try:
        number = to_number(
            evaluate_string(
                expression, _with_calculations(form, expression, answers, renames or {})
            )
        )
    except ExpressionError:
        return 0
    if math.isnan(number) or number < 1:
        return 0
    return min(int(number), MAX_INSTANCES)


def _with_calculations(
    form: Form, expression: str, answers: dict[str, str], renames: dict[str, str]
) -> dict[str, str]:
    """The answers, with the calculations that ``expression`` reads (and those they read):
    pyxform turns ``repeat_count = count-selected(${items})`` into a calculate of its own
    (``prices_count``; inside an outer repeat, one per instance), which no answer holds."""
    by_name = {q.name: q for q in form.questions if q.kind == Kind.CALCULATE}
    copies = {copy: name for name, copy in renames.items()}
    values = dict(answers)

    def add(text: str, depth: int) -> None:
        for ref in REFERENCE.findall(text):
            question = by_name.get(copies.get(ref, ref))
            if question is None or depth > 10 or bool(question.repeat) != (ref in copies):
                continue  # an answer, or every instance's value of a repeat's calculation
            calculation = _rewrite(question.calculation, renames, 0)
            add(calculation, depth + 1)
            try:
                values[ref] = evaluate_string(calculation, values)
            except ExpressionError:
                values[ref] = ""

    add(expression, 0)
    return values


def chain(form: Form, repeat: str) -> list[Repeat]:
    """The repeats around a question, outermost first."""
    by_name = {r.name: r for r in form.repeats}
    found: list[Repeat] = []
    while repeat and repeat in by_name and len(found) < 5:
        found.insert(0, by_name[repeat])
        repeat = by_name[repeat].parent
    return found


def expand(form: Form, answers: dict[str, str], language: str) -> Form:
    """``form`` with each repeat's questions copied once per instance."""
    if not form.repeats:
        return form
    chains = {q.name: chain(form, q.repeat) for q in form.questions}
    questions = _walk(form, list(form.questions), chains, answers, language, 0, "", {}, ())
    choices = dict(form.choices)
    with use_language(language):
        choices[YES_NO_LIST] = (
            Choice("yes", {"": pgettext("repeat", "Yes, add another")}),
            Choice("no", {"": pgettext("repeat", "No, go on")}),
        )
    return replace(form, questions=tuple(questions), choices=choices)


def _walk(
    form: Form,
    questions: list[Question],
    chains: dict[str, list[Repeat]],
    answers: dict[str, str],
    language: str,
    depth: int,
    suffix: str,
    renames: dict[str, str],
    where: tuple[tuple[Repeat, int, Labels], ...],
) -> list[Question]:
    out: list[Question] = []
    index = 0
    while index < len(questions):
        question = questions[index]
        around = chains[question.name]
        if len(around) <= depth:
            out.append(_copy(question, where, renames) if where else question)
            index += 1
            continue
        repeat = around[depth]
        end = index
        while end < len(questions) and repeat in chains[questions[end].name][depth : depth + 1]:
            end += 1
        block = questions[index:end]
        count = instance_count(form, repeat, answers, suffix, renames)
        for n in range(1, count + 1):
            inner = f"{suffix}__{n}"
            named = {**renames, **{q.name: copy_name(q.name, inner) for q in block}}
            label = {
                code: _rewrite(text, renames, 0)  # "Job of ${m_name}": this member's name
                for code, text in _instance_label(repeat, n, count, language).items()
            }
            out += _walk(
                form, block, chains, answers, language, depth + 1, inner, named,
                (*where, (repeat, n, label)),
            )  # fmt: skip
            if not repeat.count:
                out.append(_add_question(repeat, inner, language, where, renames))
        index = end
    return out


def _instance_label(repeat: Repeat, n: int, count: int, language: str) -> Labels:
    with use_language(language):
        labels: Labels = {}
        for code, text in (repeat.label or {"": repeat.name}).items():
            if repeat.count:
                labels[code] = _("{label} {n} of {total}").format(label=text, n=n, total=count)
            else:
                # no words to translate: "Visit 2" (in the reader's digits)
                labels[code] = f"{text} {display_digits(str(n), language)}"
        return labels


def _add_question(
    repeat: Repeat,
    suffix: str,
    language: str,
    where: tuple[tuple[Repeat, int, Labels], ...],
    renames: dict[str, str],
) -> Question:
    with use_language(language):
        labels = {
            code: _rewrite(_("{label}: add another?").format(label=text), renames, 0)
            for code, text in (repeat.label or {"": repeat.name}).items()
        }
    question = Question(
        name=add_name(repeat.name, suffix),
        path=f"{repeat.path}__add{suffix}",
        kind=Kind.SELECT_ONE,
        label=labels,
        required="true()",
        choice_list=YES_NO_LIST,
        meta=ADD_ANOTHER,
        repeat=repeat.name,
        relevant=tuple(_rewrite(e, renames, 0) for e in repeat.relevant),
        relevant_from=repeat.relevant_from,
        groups=tuple(label for _r, _n, label in where),
    )
    return question


def _rewrite(expression: str, renames: dict[str, str], n: int) -> str:
    """${field} -> the instance's copy; position(..) -> ``n`` (0: left as it is)."""
    if not expression:
        return expression

    def rename(found: re.Match[str]) -> str:
        name = found.group(1)
        return "${" + renames[name] + "}" if name in renames else found.group(0)

    # indexed-repeat(${age}, ${member}, position(..) - 1): the first argument is every
    # instance's answer, even inside the repeat.
    kept = _INDEXED.sub(lambda m: m.group(0).replace("${", _KEPT), expression)
    renamed = REFERENCE.sub(rename, kept).replace(_KEPT, "${")
    return POSITION.sub(str(n), renamed) if n else renamed


def _copy(
    question: Question, where: tuple[tuple[Repeat, int, Labels], ...], renames: dict[str, str]
) -> Question:
    """A question of a repeat instance (``where``: each repeat around it, outermost first,
    with the instance's number and heading)."""
    n = where[-1][1]

    def moved(path: str) -> str:
        for repeat, number, _label in reversed(where):  # innermost first
            prefix = repeat.path
            if path == prefix or path.startswith(prefix + "/"):
                path = f"{prefix}__{number}{path[len(prefix) :]}"
        return path

    def labels(texts: Labels) -> Labels:
        return {code: _rewrite(text, renames, n) for code, text in texts.items()}

    return replace(
        question,
        name=renames[question.name],
        path=moved(question.path),
        label=labels(question.label),
        hint=labels(question.hint),
        constraint_message=labels(question.constraint_message),
        required_message=labels(question.required_message),
        relevant=tuple(_rewrite(e, renames, n) for e in question.relevant),
        relevant_from=tuple(moved(owner) if owner else owner for owner in question.relevant_from),
        required=_rewrite(question.required, renames, n),
        constraint=_rewrite(question.constraint, renames, n),
        choice_filter=_rewrite(question.choice_filter, renames, n),
        calculation=_rewrite(question.calculation, renames, n),
        groups=(*question.groups, *_instance_headings(question, where, labels)),
        field_list="",
    )


def _instance_headings(
    question: Question,
    where: tuple[tuple[Repeat, int, Labels], ...],
    labels: Callable[[Labels], Labels],
) -> list[Labels]:
    """Each instance's heading ("Member 2 of 3"); a group inside the innermost repeat adds
    its own label ("Member 2 of 3 · Work of ${nm}"), which the instance's heading would
    otherwise hide. ``question.groups`` has one label per group of its path."""
    headings = [label for _r, _n, label in where]
    inner = question.path[len(where[-1][0].path) + 1 :].split("/")[:-1]
    own = next((g for g in reversed(question.groups[len(question.groups) - len(inner) :]) if g),
               None) if inner else None  # fmt: skip
    if own:
        group = labels(own)
        headings[-1] = {
            code: f"{text} · {pick_label(group, code)}" for code, text in headings[-1].items()
        }
    return headings


def repeat_values(form: Form, values: dict[str, str]) -> dict[str, list[str]]:
    """Outside a repeat, ``${name}`` of a repeat question: every instance's value; inside
    an outer instance, ``${name}__2`` of an inner repeat's question: that instance's ones."""
    lists: dict[str, list[str]] = {}
    for question in form.questions:
        if question.repeat and question.meta != ADD_ANOTHER:
            found = split_name(question.name)
            if found is not None:
                base, numbers = found
                value = values.get(question.name, "")
                lists.setdefault(base, []).append(value)
                for depth in range(1, len(numbers)):
                    prefix = "".join(f"__{k}" for k in numbers[:depth])
                    lists.setdefault(f"{base}{prefix}", []).append(value)
    return lists
