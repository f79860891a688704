"""Giving a form being imported the files it attaches (formengine.attachments): which rows
need which file, refusing at import — with the row — a file that is missing or unreadable,
and turning each file into the choices and instances the runtime reads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from core.i18n import _
from formengine import attachments
from formengine.attachments import AttachmentError, Itemset, Search
from formengine.model import Question

if TYPE_CHECKING:
    from formengine.loader.builder import _Builder

EXTERNAL_TYPES = ("csv-external", "xml-external")


def _default_refs(filename: str) -> tuple[str, str]:
    if filename.lower().endswith(".geojson"):
        return "id", "title"
    return "name", "label"


def _uses(expression: str, ident: str) -> bool:
    quoted = rf"""\s*\(\s*['"]{re.escape(ident)}['"]"""
    return bool(re.search(rf"\b(?:instance|pulldata){quoted}", expression))


def _expressions(question: Question) -> list[str]:
    return [
        *question.relevant,
        question.constraint,
        question.calculation,
        question.choice_filter,
        question.required,
        question.default,
    ]


def _external_rows(children: list[dict[str, Any]]) -> list[str]:
    """Names of the csv-external / xml-external rows, wherever they are."""
    found = []
    for child in children:
        if child.get("type") in EXTERNAL_TYPES:
            found.append(str(child.get("name", "")))
        found += _external_rows(child.get("children") or [])
    return found


def attach(builder: _Builder, media: Mapping[str, bytes] | None) -> None:
    """Read the files ``builder``'s form needs from ``media`` (file name -> bytes)."""
    parsed = builder.parsed
    maybe, surely = attachments.may_need_files(parsed)
    if not maybe:
        return
    try:
        needs = attachments.xform_needs(parsed)
    except Exception as exc:  # pyxform raises many kinds on forms it cannot write
        if surely:
            builder.problems.append(_problem(None, f"pyxform could not make the XForm: {exc}"))
        return
    searches: dict[str, Search] = {}
    for question in builder.questions:
        spec = attachments.search_appearance(question.appearance) if question.has_choices else None
        if isinstance(spec, str):
            builder.problem(question.name, spec)
        elif spec is not None:
            searches[question.name] = spec
    wanted = dict(needs.files)  # instance id -> file name
    for spec in searches.values():
        wanted.setdefault(spec.file, spec.filename)
    externals = set(_external_rows(parsed.get("children") or []))
    rows: dict[str, list[dict[str, str]]] = {}
    for ident, filename in wanted.items():
        users = [
            q.name
            for q in builder.questions
            if q.choice_list == filename
            or (q.name in searches and searches[q.name].file == ident)
            or any(_uses(e, ident) for e in _expressions(q) if e)
        ] + [name for name in externals if name == ident]
        read = _read(builder, filename, media, users or [ident])
        if read is None:
            builder.unread.update((filename, ident))
            continue
        rows[filename] = read
        value, label = _default_refs(filename)
        builder.choices[filename] = attachments.to_choices(read, value, label, builder.language_of)
        builder.instances[ident] = filename
        builder.media[filename] = attachments.digest(_bytes(media, filename))
    for index, question in enumerate(builder.questions):
        updated = question
        itemset = needs.itemsets.get(question.path)
        if itemset is not None and question.choice_list in rows:
            updated = _mapped(builder, question, itemset, rows[question.choice_list])
        spec = searches.get(question.name)
        if spec is not None and spec.filename in rows:
            updated = _searched(builder, question, spec, rows[spec.filename])
        builder.questions[index] = updated


def _bytes(media: Mapping[str, bytes] | None, filename: str) -> bytes:
    return (media.get(filename) if media is not None else None) or b""


def _read(
    builder: _Builder, filename: str, media: Mapping[str, bytes] | None, users: list[str]
) -> list[dict[str, str]] | None:
    data = media.get(filename) if media is not None else None
    if data is None:
        for name in users:
            builder.problem(
                name,
                _(
                    "needs the attached file {file}, which was not given: import the form "
                    "with --media {file} (or --media FOLDER)"
                ).format(file=filename),
            )
        return None
    if PurePosixPath(filename).suffix.lower() not in attachments.EXTENSIONS:
        builder.problem(
            users[0],
            _("{file}: only CSV, XML and GeoJSON files can be attached").format(file=filename),
        )
        return None
    try:
        return attachments.read_rows(filename, data)
    except AttachmentError as exc:
        for name in users:
            builder.problem(name, str(exc))
        return None


def _missing_column(builder: _Builder, question: Question, filename: str, column: str) -> None:
    builder.problem(
        question.name,
        _("{file} has no column “{column}”, which this question reads").format(
            file=filename, column=column
        ),
    )


def _mapped(
    builder: _Builder, question: Question, itemset: Itemset, rows: list[dict[str, str]]
) -> Question:
    """select_one_from_file with value= / label= parameters: its own reading of the file."""
    filename = question.choice_list
    header = set(rows[0]) if rows else set()
    if rows and itemset.value not in header:
        _missing_column(builder, question, filename, itemset.value)
    labelled = any(k == itemset.label or k.startswith(f"{itemset.label}::") for k in header)
    if rows and not labelled:
        _missing_column(builder, question, filename, itemset.label)
    if (itemset.value, itemset.label) == _default_refs(filename):
        return question
    key = f"{filename}?value={itemset.value}&label={itemset.label}"
    builder.choices[key] = attachments.to_choices(
        rows, itemset.value, itemset.label, builder.language_of
    )
    return replace(question, choice_list=key)


def _searched(
    builder: _Builder, question: Question, spec: Search, rows: list[dict[str, str]]
) -> Question:
    """search('file', ...): the choices sheet's one row names the value and label columns."""
    sheet = (builder.parsed.get("choices") or {}).get(question.choice_list) or []
    if not sheet:
        builder.problem(
            question.name, _("search() needs a row on the choices sheet naming the columns")
        )
        return question
    value = str(sheet[0].get("name") or "name")
    labels = builder.labels(sheet[0].get("label")) or {"": "label"}
    header = set(rows[0]) if rows else set()
    wanted = [value, *(c.strip() for text in labels.values() for c in text.split(","))]
    wanted += [column for _mode, column, _value in spec.filters]
    for column in dict.fromkeys(wanted):
        if rows and column not in header:
            _missing_column(builder, question, spec.filename, column)
    key = f"{spec.filename}?search={question.choice_list}"
    builder.choices[key] = attachments.to_choices(rows, value, labels, builder.language_of)
    combined = " and ".join(f"({e})" for e in (question.choice_filter, spec.choice_filter()) if e)
    return replace(question, choice_list=key, choice_filter=combined)


def _problem(row: int | None, message: str) -> Any:
    from formengine.loader import FormProblem

    return FormProblem(row, message)
