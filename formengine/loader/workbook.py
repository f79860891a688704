"""The workbook, before pyxform: what kind of file it is, the survey sheet's rows (pyxform's
JSON has no row numbers) and the types refused there, pyxform's own reading, and the
external_choices sheet."""

from __future__ import annotations

import io
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formengine.loader.refusals import FormError, FormProblem
from formengine.loader.vocabulary import EXTERNAL_SELECT, TYPE_ALIASES, UNSUPPORTED_TYPES

# The name we give pyxform's temporary copy: pyxform falls back to the file's name when the
# settings sheet has no form_id, and we must know that happened (see _Builder.settings).
NO_FORM_ID = "musharaka-no-form-id"
# What a workbook's first bytes say it is (its name may say otherwise).
XLSX_MAGIC = b"PK\x03\x04"  # a zip: Office Open XML
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file: Excel 97-2003
_PYXFORM_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")


@dataclass
class SheetScan:
    """What the survey sheet says row by row (pyxform's JSON has no row numbers)."""

    rows_by_name: dict[str, int] = field(default_factory=dict)
    problems: list[FormProblem] = field(default_factory=list)


def workbook_format(data: bytes) -> str | None:
    """'.xlsx' or '.xls' from the file's first bytes (None: neither)."""
    if data.startswith(XLSX_MAGIC):
        return ".xlsx"
    if data.startswith(XLS_MAGIC):
        return ".xls"
    return None


def survey_sheet_name(names: list[str]) -> str | None:
    """The sheet pyxform reads as the survey: the one called 'survey', or a workbook's only
    sheet when its name is none of XLSForm's ('Sheet1' of a form typed in a new workbook)."""
    from pyxform.constants import SUPPORTED_SHEET_NAMES

    found = next((n for n in names if n.strip().lower() == "survey"), None)
    if found is None and len(names) == 1 and names[0].lower() not in SUPPORTED_SHEET_NAMES:
        return names[0]
    return found


def _survey_rows(data: bytes, kind: str) -> tuple[bool, list[list[Any]]]:
    """(has a survey sheet, its rows) of an .xlsx or .xls workbook."""
    if kind == ".xls":
        import xlrd

        book = xlrd.open_workbook(file_contents=data, on_demand=True)
        try:
            name = survey_sheet_name(book.sheet_names())
            if name is None:
                return False, []
            sheet = book.sheet_by_name(name)
            return True, [sheet.row_values(n) for n in range(sheet.nrows)]
        finally:
            book.release_resources()
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        name = survey_sheet_name(workbook.sheetnames)
        if name is None:
            return False, []
        return True, [list(row) for row in workbook[name].iter_rows(values_only=True)]
    finally:
        workbook.close()


def scan_survey_sheet(data: bytes, kind: str = ".xlsx") -> SheetScan:
    scan = SheetScan()
    try:
        has_survey, rows = _survey_rows(data, kind)
    except Exception as exc:  # openpyxl and xlrd raise many kinds for a broken workbook
        scan.problems.append(FormProblem(None, f"this is not a readable {kind} file ({exc})"))
        return scan
    if not has_survey:
        scan.problems.append(FormProblem(None, "the workbook has no 'survey' sheet"))
        return scan
    header = [str(c or "").strip().lower() for c in (rows[0] if rows else ())]
    if "type" not in header or "name" not in header:
        scan.problems.append(
            FormProblem(1, "the survey sheet needs 'type' and 'name' columns in its first row")
        )
        return scan
    type_at, name_at = header.index("type"), header.index("name")
    for number, cells in enumerate(rows[1:], start=2):
        kind_text = str(cells[type_at] or "").strip() if type_at < len(cells) else ""
        name = str(cells[name_at] or "").strip() if name_at < len(cells) else ""
        if name and name not in scan.rows_by_name:
            scan.rows_by_name[name] = number
        base = re.sub(r"\s+", " ", kind_text.lower()).split(" ")[0] if kind_text else ""
        full = re.sub(r"\s+", " ", kind_text.lower())
        reason = UNSUPPORTED_TYPES.get(full) or UNSUPPORTED_TYPES.get(base)
        if reason:
            scan.problems.append(FormProblem(number, f"type {kind_text!r} ({name}): {reason}"))
    return scan


def _pyxform_json(data: bytes, suffix: str) -> tuple[dict[str, Any], list[str]]:
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import parse_file_to_json

    warnings: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{NO_FORM_ID}{suffix}"
        path.write_bytes(data)
        try:
            parsed = parse_file_to_json(str(path), warnings=warnings)
        except PyXFormError as exc:
            text = str(exc)
            match = _PYXFORM_ROW.search(text)
            row = int(match.group(1)) if match else None
            message = _PYXFORM_ROW.sub("", text).strip()
            raise FormError([FormProblem(row, message)]) from exc
        except Exception as exc:  # a broken workbook: pyxform lets openpyxl's errors through
            raise FormError([FormProblem(None, f"pyxform could not read the form: {exc}")]) from exc
    return parsed, warnings


def _uses_external_choices(children: list[dict[str, Any]]) -> bool:
    return any(
        TYPE_ALIASES.get(str(child.get("type")), "") == EXTERNAL_SELECT
        or _uses_external_choices(child.get("children") or [])
        for child in children
    )


def external_choice_lists(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """The external_choices sheet (read by pyxform's own workbook reader), by list name, each
    row as a choices-sheet row of pyxform's JSON: name, label (per language), other columns."""
    from pyxform.xls2json_backends import get_xlsform

    lists: dict[str, list[dict[str, Any]]] = {}
    for row in get_xlsform(data).external_choices or ():
        item: dict[str, Any] = {}
        list_name = ""
        for key, value in row.items():
            column, _, language = str(key).strip().partition("::")
            column = re.sub(r"[\s_]+", "_", column.strip().lower())
            if column == "list_name":
                list_name = str(value).strip()
            elif column == "label" and language:
                item.setdefault("label", {})[language.strip()] = str(value)
            elif column != "label" or not isinstance(item.get("label"), dict):
                item[column] = str(value).strip() if column == "name" else str(value)
        if list_name and item.get("name"):
            lists.setdefault(list_name, []).append(item)
    return lists
