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
