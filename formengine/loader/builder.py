"""From pyxform's JSON to our :class:`Form`, and the whole reading of an XLSForm."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from formengine import form_files
from formengine.loader.checks import _Checks
from formengine.loader.groups import _Groups
from formengine.loader.refusals import FormError, FormProblem, _dedupe
from formengine.loader.settings import _Settings
from formengine.loader.workbook import (
    SheetScan,
    _pyxform_json,
    _uses_external_choices,
    external_choice_lists,
    scan_survey_sheet,
    workbook_format,
)
from formengine.model import Form, Kind


class _Builder(_Groups, _Checks, _Settings):
    """Reads pyxform's JSON into questions, choices, repeats and settings, collecting every
    problem on the way (form_files.attach gives it the attached files)."""


def form_from_pyxform(
    parsed: dict[str, Any],
    scan: SheetScan | None = None,
    pyxform_warnings: list[str] | None = None,
    *,
    filename: str = "form.xlsx",
    media: Mapping[str, bytes] | None = None,
    external_choices: Mapping[str, list[dict[str, Any]]] | None = None,
) -> Form:
    builder = _Builder(
        parsed,
        scan or SheetScan(),
        pyxform_warnings or [],
        filename=filename,
        external_choices=external_choices,
    )
    builder.walk(parsed.get("children") or [], (), (), ())
    form_files.attach(builder, media)
    builder.take_closing_note()
    builder.check_expressions()
    settings = builder.settings()
    if not any(q.asked and q.kind != Kind.NOTE for q in builder.questions):
        builder.problems.append(FormProblem(None, "the form asks no question"))
    if builder.problems:
        raise FormError(_dedupe(builder.problems))
    languages = tuple(code for code in builder.languages if code)
    return Form(
        default_language=builder.default_language or (languages[0] if languages else ""),
        languages=languages,
        questions=tuple(builder.questions),
        choices=builder.choices,
        warnings=tuple(builder.warnings),
        thanks=builder.thanks,
        repeats=tuple(builder.repeats),
        instances=builder.instances,
        media=builder.media,
        **settings,
    )


def load_xlsform(
    source: str | Path | bytes,
    filename: str = "form.xlsx",
    media: Mapping[str, bytes] | None = None,
) -> Form:
    """Read an XLSForm (.xlsx or .xls) into a :class:`Form`; raises :class:`FormError`.
    ``media`` gives the files the form attaches, by name (it is asked only for those)."""
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        filename = path.name
        data = path.read_bytes()
    suffix = Path(filename).suffix.lower() or ".xlsx"
    if suffix not in (".xlsx", ".xls"):
        raise FormError([FormProblem(None, f"{filename}: an XLSForm is an .xlsx or .xls file")])
    # The content decides, not the name: an Excel 97-2003 body saved as .xlsx is common.
    kind = workbook_format(data) or suffix
    scan = scan_survey_sheet(data, kind)
    if any(p.row is None for p in scan.problems):
        raise FormError(scan.problems)
    try:
        parsed, warnings = _pyxform_json(data, kind)
    except FormError as exc:
        # Our own row-numbered reasons first (pyxform may stop at the same row, less clearly).
        raise FormError(_dedupe(scan.problems + exc.problems)) from exc
    if kind != suffix:
        warnings.append(f"{filename} is an {kind} workbook despite its name; it was read as one")
    external = (
        external_choice_lists(data) if _uses_external_choices(parsed.get("children") or []) else {}
    )
    return form_from_pyxform(
        parsed, scan, warnings, filename=filename, media=media, external_choices=external
    )
