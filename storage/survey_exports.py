"""Submissions as CSV and XLSX, with the column names KoBoToolbox exports use.

Columns, in the form's order:

* ``group/subgroup/question`` — the answer as ODK stores it (choice names; a
  select_multiple or rank as space-separated names, a rank in order);
* ``group/question/choice`` — one column per choice of a select_multiple (1 when ticked,
  0 when not, blank when the question was not answered) and of a rank (the rank given,
  blank when not ranked);
* ``_group/question_latitude``, ``_longitude``, ``_altitude``, ``_precision`` after a
  geopoint, as KoBo splits it; a geotrace or geoshape stays one ``lat lon alt acc;...`` cell;
  a time and a dateTime as ODK writes them (``14:30:00.000+01:00``);
* then ``_id``, ``_uuid``, ``_submission_time``, ``__version__``, ``_round``,
  ``_campaign``, ``_index`` as KoBo does (round and campaign are ours).

Values that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return, and not a plain number) are written with a leading
apostrophe in CSV; in XLSX every text cell is stored as text, never as a formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cells import xlsx_text
from storage.surveys import SurveyAnswer, SurveyForm, SurveyFormVersion, SurveySubmission

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# Kinds whose answers are never exported as columns (shown in the form, not answers).
NOT_EXPORTED = {"note"}
GEOPOINT_PARTS = ("latitude", "longitude", "altitude", "precision")
META_COLUMNS = (
    "_id",
    "_uuid",
    "_submission_time",
    "__version__",
    "_round",
    "_campaign",
    "_index",
)


class ExportError(ValueError):
    pass


@dataclass(frozen=True)
class Column:
    name: str  # the header, e.g. "household/water/tap"
    question: str  # the question name it comes from ("" for meta columns)
    kind: str
    choice: str = ""  # for split select_multiple / rank columns
    part: int | None = None  # for a geopoint's split columns: which number of the four


@dataclass(frozen=True)
class SurveyTable:
    form_id: str  # for a repeat's table: the repeat's name
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    # KoBo's one sheet per repeat: a row per instance, with _index and _parent_index.
    repeats: tuple[SurveyTable, ...] = ()

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]


REPEAT_META_COLUMNS = (
    "_index",
    "_parent_table_name",
    "_parent_index",
    "_submission__id",
    "_submission__uuid",
)
_INSTANCE = re.compile(r"^(?P<base>.+?)(?P<n>(?:__[0-9]+)+)$")


def _from_file(list_name: str) -> bool:
    """Choices read from an attached file (villages.csv): one column, as KoBo exports them
    (a column per choice would be hundreds)."""
    return list_name.split("?")[0].lower().endswith((".csv", ".xml", ".geojson"))


def _columns(definition: dict[str, Any], repeat: str = "") -> list[Column]:
    """The columns of the main sheet (repeat ""), or of one repeat's sheet."""
    columns: list[Column] = []
    choices = definition.get("choices", {})
    for question in definition.get("questions", []):
        kind = question["kind"]
        if kind in NOT_EXPORTED or (question.get("repeat") or "") != repeat:
            continue
        path = question.get("path") or question["name"]
        columns.append(Column(path, question["name"], kind))
        if kind == "geopoint":
            for n, part in enumerate(GEOPOINT_PARTS):
                columns.append(Column(f"_{path}_{part}", question["name"], kind, part=n))
        list_name = str(question.get("choice_list") or "")
        if kind in ("select_multiple", "rank") and not _from_file(list_name):
            for choice in choices.get(list_name, []):
                columns.append(
                    Column(f"{path}/{choice['name']}", question["name"], kind, choice["name"])
                )
    return columns


async def survey_table(
    session: AsyncSession, form_id: str, *, round_label: str | None = None
) -> SurveyTable:
    """Every submission of a form (optionally one round), one row each."""
    form_pk = await session.scalar(select(SurveyForm.id).where(SurveyForm.form_id == form_id))
    if form_pk is None:
        raise ExportError(f"no form {form_id!r}")
    versions = (
        await session.execute(
            select(SurveyFormVersion.id, SurveyFormVersion.version, SurveyFormVersion.definition)
            .where(SurveyFormVersion.form_pk == form_pk)
            .order_by(SurveyFormVersion.id)
        )
    ).all()
    if not versions:
        raise ExportError(f"form {form_id!r} has no version")
    version_names = {pk: name for pk, name, _definition in versions}
    # The newest version gives the column order; questions only older versions had follow.
    columns = _columns(json.loads(versions[-1][2]))
    known = {c.name for c in columns}
    for _pk, _name, definition in reversed(versions[:-1]):
        for column in _columns(json.loads(definition)):
            if column.name not in known:
                columns.append(column)
                known.add(column.name)

    query = select(SurveySubmission).where(SurveySubmission.form_pk == form_pk)
    if round_label is not None:
        query = query.where(SurveySubmission.round == round_label)
    submissions = list(await session.scalars(query.order_by(SurveySubmission.id)))
    answers: dict[int, dict[str, list[tuple[int, str, float | None]]]] = {}
    if submissions:
        ids = [s.id for s in submissions]
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start : chunk_start + 500]
            result = await session.execute(
                select(
                    SurveyAnswer.submission_id,
                    SurveyAnswer.question,
                    SurveyAnswer.position,
                    SurveyAnswer.value,
                    SurveyAnswer.number,
                ).where(SurveyAnswer.submission_id.in_(chunk))
            )
            for submission_id, question, position, value, number in result:
                answers.setdefault(submission_id, {}).setdefault(question, []).append(
                    (position, value, number)
                )

    rows = []
    for index, submission in enumerate(submissions, start=1):
        given = answers.get(submission.id, {})
        row: list[Any] = []
        for column in columns:
            row.append(_cell(column, given.get(column.question)))
        row += [
            submission.id,
            submission.uuid,
            submission.submitted_at.strftime("%Y-%m-%dT%H:%M:%S"),
            version_names.get(submission.version_pk, ""),
            submission.round,
            submission.campaign,
            index,
        ]
        rows.append(tuple(row))
    meta = [Column(name, "", "meta") for name in META_COLUMNS]
    newest = json.loads(versions[-1][2])
    indexes: dict[str, dict[tuple[int, tuple[int, ...]], int]] = {}
    repeats = []
    for repeat in newest.get("repeats") or ():  # outer repeats come before inner ones
        parent = str(repeat.get("parent") or "")
        repeats.append(
            _repeat_table(
                parent or form_id,
                repeat["name"],
                _columns(newest, repeat["name"]),
                submissions,
                answers,
                indexes.get(parent),
                indexes.setdefault(repeat["name"], {}),
            )
        )
    return SurveyTable(form_id, tuple(columns + meta), tuple(rows), tuple(repeats))


def _repeat_table(
    parent_name: str,
    repeat: str,
    columns: list[Column],
    submissions: list[SurveySubmission],
    answers: dict[int, dict[str, list[tuple[int, str, float | None]]]],
    parent_rows: dict[tuple[int, tuple[int, ...]], int] | None,
    own_rows: dict[tuple[int, tuple[int, ...]], int],
) -> SurveyTable:
    """One row per instance of ``repeat`` (answers stored as name__N, or name__N__M inside
    an outer repeat's instance N), KoBo's way: _parent_index is the submission's row, or
    the outer instance's row in its own sheet."""
    names = {c.question for c in columns}
    rows = []
    index = 0
    for number, submission in enumerate(submissions, start=1):
        given = answers.get(submission.id, {})
        instances = sorted(
            {
                tuple(int(n) for n in found["n"][2:].split("__"))
                for key in given
                if (found := _INSTANCE.match(key)) and found["base"] in names
            }
        )
        for numbers in instances:
            if parent_rows is None:
                parent_index: int | None = number
            else:
                parent_index = parent_rows.get((submission.id, numbers[:-1]))
            index += 1
            own_rows[(submission.id, numbers)] = index
            suffix = "".join(f"__{n}" for n in numbers)
            row: list[Any] = [_cell(c, given.get(f"{c.question}{suffix}")) for c in columns]
            row += [index, parent_name, parent_index, submission.id, submission.uuid]
            rows.append(tuple(row))
    meta = [Column(name, "", "meta") for name in REPEAT_META_COLUMNS]
    return SurveyTable(repeat, tuple(columns + meta), tuple(rows))


def repeat_csvs(table: SurveyTable) -> dict[str, bytes]:
    """Each repeat's sheet as its own CSV (KoBo's CSV export of a form with repeats)."""
    return {repeat.form_id: to_csv(repeat) for repeat in table.repeats}


def _cell(column: Column, given: list[tuple[int, str, float | None]] | None) -> Any:
    if not given:
        return None
    ordered = sorted(given)
    if column.choice:
        for position, value, _number in ordered:
            if value == column.choice:
                return position if column.kind == "rank" else 1
        return None if column.kind == "rank" else 0
    if column.kind in ("select_multiple", "rank"):
        return " ".join(value for _position, value, _number in ordered)
    if column.part is not None:
        parts = ordered[0][1].split()
        try:
            return float(parts[column.part])
        except (IndexError, ValueError):
            return None
    _position, value, number = ordered[0]
    if number is not None:
        whole = column.kind == "integer" or (
            column.kind in ("range", "decimal") and number.is_integer()
        )  # a decimal typed 850 reads 850, as typed, not 850.0
        return int(number) if whole else number
    return value


def neutralise(value: Any) -> Any:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def to_csv(table: SurveyTable) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel shows Arabic correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: SurveyTable) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()
    for part in (table, *table.repeats):
        title = xlsx_text(part.form_id)[:31] or "data"
        while title in used:
            title = title[:28] + f"_{len(used)}"
        used.add(title)
        _write_sheet(workbook.create_sheet(title), part, bold)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(sheet: Any, table: SurveyTable, bold: Any) -> None:
    from openpyxl.cell import WriteOnlyCell

    header = []
    for name in table.header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.data_type = "s"
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                value = xlsx_text(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text: "=1+1" is not a formula
            cells.append(cell)
        sheet.append(cells)
