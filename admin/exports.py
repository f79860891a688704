"""CSV and XLSX downloads that a spreadsheet opens safely.

A cell a resident typed could start with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage
return) and be run as a formula when a staff member opens the file ("CSV injection").
CSV cells are therefore prefixed with an apostrophe, and XLSX cells are always stored
as text, never as formulas. CSV files start with a UTF-8 byte-order mark so that Excel
reads Arabic correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response

from storage.cells import xlsx_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | date | datetime | None


def safe_text(value: str) -> str:
    """Text that a spreadsheet shows as typed instead of evaluating it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


Sheet = tuple[str, Sequence[str], Iterable[Sequence[Any]]]  # title, header, rows


def xlsx_bytes(sheets: Sequence[Sheet], *, rtl: bool = False) -> bytes:
    """A workbook with one sheet per (title, header, rows); text never becomes a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(title))
        sheet.sheet_view.rightToLeft = rtl
        sheet.append([xlsx_text(str(h)) for h in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_xlsx_value(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.data_type == "f":
                    cell.data_type = "s"  # text typed by someone, not a formula
        for column in sheet.columns:
            longest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, longest + 2))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        return xlsx_text(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones: local time is given
    return value


def _sheet_title(title: str) -> str:
    cleaned = "".join(c for c in xlsx_text(title) if c not in "[]:*?/\\")
    return (cleaned or "Sheet")[:31]


def download(content: bytes, filename: str, media_type: str) -> Response:
    """A file download; the name may be Arabic (RFC 5987 filename*)."""
    ascii_name = filename.encode("ascii", "ignore").decode() or "export"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )
