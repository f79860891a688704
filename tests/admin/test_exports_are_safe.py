"""A file downloaded from the admin module never runs what a resident typed."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from admin.exports import csv_bytes, xlsx_bytes

TYPED = ['=HYPERLINK("http://evil.example","click")', "+1+2", "-3+4", "@SUM(A1)", "\tx", "عادي"]


def test_csv_cells_typed_by_residents_cannot_start_a_formula() -> None:
    data = csv_bytes(["needs"], [[value] for value in TYPED] + [[-5], [2.5]])
    assert data.startswith("\ufeff".encode())  # Excel then reads the Arabic as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    cells = [row[0] for row in rows[1:]]
    assert cells[:5] == ["'" + value for value in TYPED[:5]]
    assert cells[5] == "عادي"
    assert cells[6:] == ["-5", "2.5"]  # numbers stay numbers


def test_xlsx_cells_typed_by_residents_are_text_not_formulas() -> None:
    data = xlsx_bytes([("الاحتياجات", ["needs", "count"], [[v, 1] for v in TYPED])], rtl=True)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert sheet.sheet_view.rightToLeft
    values = [(cell.value, cell.data_type) for cell in sheet["A"][1:]]
    assert values[0] == (TYPED[0], "s")
    assert all(data_type == "s" for _, data_type in values)
    assert [cell.value for cell in sheet["B"][1:]] == [1] * len(TYPED)
