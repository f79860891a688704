"""Writing XLSForms in tests, the way a programme officer fills the spreadsheet."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

Row = dict[str, Any]


def _sheet(workbook: Workbook, title: str, rows: Sequence[Row], first: bool = False) -> None:
    sheet = workbook.active if first else workbook.create_sheet(title)
    assert sheet is not None
    sheet.title = title
    header: list[str] = []
    for row in rows:
        for key in row:
            if key not in header:
                header.append(key)
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(key, "") for key in header])


def xlsform_bytes(
    survey: Sequence[Row], choices: Sequence[Row] = (), settings: Row | None = None
) -> bytes:
    workbook = Workbook()
    _sheet(workbook, "survey", survey, first=True)
    if choices:
        _sheet(workbook, "choices", choices)
    if settings:
        _sheet(workbook, "settings", [settings])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls_bytes(
    survey: Sequence[Row], choices: Sequence[Row] = (), settings: Row | None = None
) -> bytes:
    """The same workbook in the old Excel 97-2003 format (.xls), as older tools save it."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    for title, rows in (("survey", survey), ("choices", choices), ("settings", [settings])):
        if not rows or rows == [None]:
            continue
        sheet = workbook.add_sheet(title)
        header: list[str] = []
        for row in rows:
            for key in row or {}:
                if key not in header:
                    header.append(key)
        for column, key in enumerate(header):
            sheet.write(0, column, key)
        for number, row in enumerate(rows, start=1):
            for column, key in enumerate(header):
                sheet.write(number, column, (row or {}).get(key, ""))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsform(
    path: Path, survey: Sequence[Row], choices: Sequence[Row] = (), settings: Row | None = None
) -> Path:
    path.write_bytes(xlsform_bytes(survey, choices, settings))
    return path


def choice_rows(
    list_name: str, *items: tuple[str, str] | tuple[str, str, dict[str, str]]
) -> list[Row]:
    """('name', 'English label'[, {extra columns}]) -> choices-sheet rows."""
    rows = []
    for item in items:
        row: Row = {"list_name": list_name, "name": item[0], "label": item[1]}
        if len(item) > 2:
            row.update(item[2])  # type: ignore[misc]
        rows.append(row)
    return rows
