"""Reading an XLSForm (as KoBoToolbox / ODK users write them) into a :class:`Form`.

pyxform does the parsing (its own checks included); we then refuse, with the row
number, anything a chat cannot run — and any attached file (CSV, XML, GeoJSON) that was
not given or cannot be read (formengine.form_files) — so that a form's author learns it at
import time and no resident ever meets it halfway through a survey.

``load_xlsform`` (in ``builder``) reads the workbook (``workbook``: the file's kind, the
survey sheet's rows, pyxform's JSON) and builds the form from pyxform's JSON: the builder
walks the groups, repeats and loops (``groups``), reads each question (``questions``) into
what it keeps (``state``), checks the expressions (``checks``) and reads the settings
(``settings``). ``vocabulary`` holds the XLSForm words it knows; ``refusals`` what the
author is told (``FormError``, each ``FormProblem`` with its row).
"""

from __future__ import annotations

from formengine.loader.builder import form_from_pyxform, load_xlsform
from formengine.loader.refusals import FormError, FormProblem
from formengine.loader.vocabulary import (
    EXTERNAL_KEY,
    EXTERNAL_SELECT,
    FALSE_WORDS,
    KINDS,
    LANGUAGE_NAMES,
    LOOP_ELEMENT,
    META_TYPES,
    OR_OTHER_CHOICE,
    OR_OTHER_LABEL,
    TABLE_LABEL_NOTE,
    THANKS_SETTING,
    TRUE_WORDS,
    TYPE_ALIASES,
    UNSUPPORTED_TYPES,
    VOICE_SETTING,
    Relevants,
    language_code,
)
from formengine.loader.workbook import (
    NO_FORM_ID,
    XLS_MAGIC,
    XLSX_MAGIC,
    SheetScan,
    external_choice_lists,
    scan_survey_sheet,
    survey_sheet_name,
    workbook_format,
)

__all__ = [
    "EXTERNAL_KEY",
    "EXTERNAL_SELECT",
    "FALSE_WORDS",
    "KINDS",
    "LANGUAGE_NAMES",
    "LOOP_ELEMENT",
    "META_TYPES",
    "NO_FORM_ID",
    "OR_OTHER_CHOICE",
    "OR_OTHER_LABEL",
    "TABLE_LABEL_NOTE",
    "THANKS_SETTING",
    "TRUE_WORDS",
    "TYPE_ALIASES",
    "UNSUPPORTED_TYPES",
    "VOICE_SETTING",
    "XLSX_MAGIC",
    "XLS_MAGIC",
    "FormError",
    "FormProblem",
    "Relevants",
    "SheetScan",
    "external_choice_lists",
    "form_from_pyxform",
    "language_code",
    "load_xlsform",
    "scan_survey_sheet",
    "survey_sheet_name",
    "workbook_format",
]
