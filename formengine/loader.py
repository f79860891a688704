"""Reading an XLSForm (as KoBoToolbox / ODK users write them) into a :class:`Form`.

pyxform does the parsing (its own checks included); we then refuse, with the row
number, anything a chat cannot run — and any attached file (CSV, XML, GeoJSON) that was
not given or cannot be read (formengine.form_files) — so that a form's author learns it at
import time and no resident ever meets it halfway through a survey.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from core.config import SUPPORTED_LANGUAGES
from core.i18n import _, pgettext, use_language
from formengine import form_files
from formengine.attachments import EXTENSIONS
from formengine.markup import plain_text
from formengine.model import (
    DEFAULT_ROLES,
    TELEGRAM_DOWNLOAD_MAX,
    Choice,
    Form,
    Kind,
    Labels,
    Question,
    Repeat,
    form_slug,
)
from formengine.repeats import POSITION
from formengine.xpath import (
    UNSUPPORTED_FUNCTIONS,
    ExpressionError,
    compile_expression,
    functions_called,
    known_function,
    references,
    tokens,
)

# The name we give pyxform's temporary copy: pyxform falls back to the file's name when the
# settings sheet has no form_id, and we must know that happened (see _Builder.settings).
NO_FORM_ID = "musharaka-no-form-id"
# What a workbook's first bytes say it is (its name may say otherwise).
XLSX_MAGIC = b"PK\x03\x04"  # a zip: Office Open XML
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file: Excel 97-2003
THANKS_SETTING = "musharaka:thanks"
VOICE_SETTING = "musharaka:voice"  # bind::musharaka:voice = yes: a text may be spoken
# pyxform's own rows in a table-list group (xls2json.py): a note that carries the group's
# label, and a select with appearance 'label' that only draws the choices as a header.
TABLE_LABEL_NOTE = "generated_table_list_label_"

# pyxform's JSON type -> our kind.
KINDS = {
    "select one": Kind.SELECT_ONE,
    "select all that apply": Kind.SELECT_MULTIPLE,
    "rank": Kind.RANK,
    "integer": Kind.INTEGER,
    "decimal": Kind.DECIMAL,
    "range": Kind.RANGE,
    "text": Kind.TEXT,
    "date": Kind.DATE,
    "time": Kind.TIME,
    "datetime": Kind.DATETIME,
    "dateTime": Kind.DATETIME,
    "barcode": Kind.BARCODE,
    "note": Kind.NOTE,
    "acknowledge": Kind.ACKNOWLEDGE,
    "trigger": Kind.ACKNOWLEDGE,
    "geopoint": Kind.GEOPOINT,
    "geotrace": Kind.GEOTRACE,
    "geoshape": Kind.GEOSHAPE,
    "photo": Kind.IMAGE,
    "image": Kind.IMAGE,
    "audio": Kind.AUDIO,
    "video": Kind.VIDEO,
    "file": Kind.FILE,
    "calculate": Kind.CALCULATE,
    "hidden": Kind.HIDDEN,
}
META_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "start-geopoint",
}
# select_one_external: a select_one whose choices are on the external_choices sheet (which
# pyxform writes to itemsets.csv for ODK Collect), filtered by its choice_filter.
EXTERNAL_SELECT = "select_one_external"
EXTERNAL_KEY = "external_choices:"  # our choices key of such a list, apart from the choices sheet
# A loop (begin loop over LIST) is a group per choice of LIST, each holding the loop's
# questions (pyxform's XForm: /data/loop/choice/question, labels with %(label)s filled in).
# Question names repeat from one choice to the next, so each copy gets its own name inside the
# bot (loop_choice_question) and keeps the original as its element in the instance.
LOOP_ELEMENT = "__element__"
# Survey-sheet types we refuse, with the reason shown to the form's author.
UNSUPPORTED_TYPES = {
    "background-audio": "a chat cannot record in the background; remove the row, or ask an "
    "audio question the resident answers with a voice note",
    "osm": "OpenStreetMap questions are not supported; ask a geopoint, or a select_one of the "
    "features",
    "start-geopoint": "a chat cannot take a location silently; ask a geopoint question",
    "background-geopoint": "a chat cannot follow a location in the background; ask a geopoint "
    "question",
}


def _signature(entry: dict[str, Any]) -> tuple[Any, ...]:
    control, bind = entry.get("control") or {}, entry.get("bind") or {}
    return (
        control.get("tag"),
        control.get("mediatype"),
        bind.get("type"),
        bind.get("readonly"),
        bind.get("jr:preload"),
        bind.get("jr:preloadParams"),
    )


def _type_aliases() -> dict[str, str]:
    """The old and KoBo spellings pyxform accepts (``gps``, ``phone number``, ``q int``,
    ``add date prompt``...) -> the type they stand for in KINDS, META_TYPES or
    UNSUPPORTED_TYPES. pyxform names select types itself (``select one from X`` arrives as
    ``select one``); other aliases reach its JSON under their own name, with the XForm
    definition in pyxform's question type dictionary: an alias is the canonical type
    whose definition it shares."""
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    canonical = [*KINDS, *sorted(META_TYPES), *UNSUPPORTED_TYPES]
    by_signature: dict[tuple[Any, ...], str] = {}
    for name in canonical:
        entry = QUESTION_TYPE_DICT.get(name)
        if entry is not None:
            by_signature.setdefault(_signature(entry), name)
    aliases: dict[str, str] = {}
    for name, entry in QUESTION_TYPE_DICT.items():
        if name in KINDS or name in META_TYPES or name in UNSUPPORTED_TYPES:
            continue
        if (entry.get("control") or {}).get("tag") in ("select1", "select"):
            continue  # pyxform itself turns select spellings into "select one" / "... apply"
        if name.startswith("uri:") and name[4:] in META_TYPES:
            aliases[name] = name[4:]  # uri:username, uri:email...: the same metadata
            continue
        target = by_signature.get(_signature(entry))
        if target is not None and target != name:
            aliases[name] = "datetime" if target == "dateTime" else target
    aliases["select one external"] = EXTERNAL_SELECT  # not a text, whatever it shares
    return aliases


TYPE_ALIASES = _type_aliases()
LANGUAGE_NAMES = {
    "arabic": "ar",
    "العربية": "ar",
    "عربي": "ar",
    "english": "en",
    "anglais": "en",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
}
_LANGUAGE_CODE = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?\s*\)\s*$")
_PYXFORM_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_RANK_LIMIT = re.compile(r"count-selected\(\s*\.\s*\)\s*(<=|<|=|>=|>)\s*(\d+)")
# What pyxform writes for `select_one X or_other`, in English only: shown to residents in
# their own language instead.
OR_OTHER_CHOICE = ("other", "Other")
OR_OTHER_LABEL = "Specify other."
# The relevant expressions around a question, each with the path of the group it belongs to
# (relative paths in a group's relevant start from the group, as in ODK).
Relevants = tuple[tuple[str, str], ...]
TRUE_WORDS = {"yes", "true", "true()", "1", "oui", "نعم"}
FALSE_WORDS = {"", "no", "false", "false()", "0", "non", "لا"}


@dataclass(frozen=True)
class FormProblem:
    row: int | None  # survey-sheet row (None: the workbook or the settings)
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}" if self.row else self.message


class FormError(ValueError):
    """The form cannot be run by this bot; ``problems`` say where and why."""

    def __init__(self, problems: Iterable[FormProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def language_code(key: str, default: str = "") -> str:
    """'Arabic (ar)' -> 'ar', 'Français' -> 'fr', 'default' -> the form's default."""
    key = key.strip()
    if key in ("", "default"):
        return default
    match = _LANGUAGE_CODE.search(key)
    if match:
        return match.group(1).lower()
    return LANGUAGE_NAMES.get(key.lower(), key)


# --- the workbook, before pyxform -------------------------------------------------------


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


# --- from pyxform's JSON to our model --------------------------------------------------------


class _Builder:
    def __init__(
        self,
        parsed: dict[str, Any],
        scan: SheetScan,
        pyxform_warnings: list[str],
        *,
        filename: str = "form.xlsx",
        external_choices: Mapping[str, list[dict[str, Any]]] | None = None,
    ):
        self.parsed = parsed
        self.external_choices = external_choices or {}
        self.filename = filename
        self.heading: Labels = {}  # a table's header, waiting for the table's first question
        self.field_list = ""  # the path of the field-list group being walked
        self.repeat = ""  # the repeat being walked
        self.repeats: list[Repeat] = []
        self.thanks: Labels = {}
        self.scan = scan
        self.problems: list[FormProblem] = list(scan.problems)
        self.scan_rows = {p.row for p in scan.problems if p.row is not None}
        self.warnings: list[str] = list(pyxform_warnings)
        self.default_language = language_code(str(parsed.get("default_language") or ""), "")
        self.languages: dict[str, None] = {}
        self.questions: list[Question] = []
        self.choices: dict[str, tuple[Choice, ...]] = {}
        # Attached files (formengine.form_files): instance id -> choices key, file -> SHA-256,
        # and the files that were missing or unreadable (already reported).
        self.instances: dict[str, str] = {}
        self.media: dict[str, str] = {}
        self.unread: set[str] = set()
        self.names: set[str] = set()  # the questions' names so far (answers are kept by name)

    def language_of(self, key: str) -> str:
        return language_code(key, self.default_language)

    def row(self, name: str) -> int | None:
        return self.scan.rows_by_name.get(name)

    def problem(self, name: str, message: str) -> None:
        row = self.row(name)
        if row is not None and row in self.scan_rows:
            return  # the sheet scan already said what is wrong with this row
        self.problems.append(FormProblem(row, f"{name}: {message}"))

    def labels(self, value: Any) -> Labels:
        if value is None or value == "":
            return {}
        if isinstance(value, dict):
            out: Labels = {}
            for key, text in value.items():
                code = language_code(str(key), self.default_language)
                if text is None or str(text) == "":
                    continue
                self.languages.setdefault(code, None)
                out[code] = plain_text(str(text))
            return out
        self.languages.setdefault(self.default_language, None)
        return {self.default_language: plain_text(str(value))}

    # --- the tree -----------------------------------------------------------------------
    def walk(
        self,
        children: list[dict[str, Any]],
        path: tuple[str, ...],
        relevant: Relevants,
        groups: tuple[Labels, ...],
    ) -> None:
        for child in children:
            kind = str(child.get("type", ""))
            name = str(child.get("name", ""))
            bind = child.get("bind") or {}
            appearance = str((child.get("control") or {}).get("appearance") or "").split()
            if kind == "group":
                if name == "meta" and (child.get("control") or {}).get("bodyless"):
                    continue  # instanceID / instanceName: we keep our own uuid
                own = str(bind.get("relevant") or "").strip()
                group_path = (*path, name)
                outer_list = self.field_list
                if "field-list" in appearance:
                    self.field_list = "/".join(group_path)
                self.walk(
                    child.get("children") or [],
                    group_path,
                    relevant + (((own, "/".join(group_path)),) if own else ()),
                    (*groups, self.labels(child.get("label"))),
                )
                self.heading = {}  # a header never reaches past its table
                self.field_list = outer_list
            elif (kind == "note" and name.startswith(TABLE_LABEL_NOTE)) or (
                kind in ("select one", "select all that apply") and "label" in appearance
            ):
                # A table's header (pyxform's generated note with the group's label, its
                # reserved_name_for_field_list_labels_N row, or an author's 'label' row):
                # nothing to answer. Its text, if any, heads the table's first question.
                self.heading = self.heading_labels(child) or self.heading
            elif kind == "repeat":
                self.repeat_group(child, path, relevant, groups)
            elif kind == "loop":
                self.loop(child, path, relevant, groups)
            elif kind in form_files.EXTERNAL_TYPES:
                continue  # a csv-external / xml-external file: read by form_files.attach
            else:
                self.typed(self.named_apart(child, path), kind, path, relevant, groups)

    def named_apart(self, child: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
        """pyxform lets two groups hold questions of one name (household/age, head/age; no
        ${age} may then read them): the second gets its own name inside the bot (head_age),
        its element in the instance keeping the name the sheet gives."""
        name = str(child.get("name", ""))
        apart = "_".join((*path[-1:], name))
        unique, n = name, 1
        while unique in self.names:
            n += 1
            unique = apart if n == 2 else f"{apart}_{n}"
        self.names.add(unique)
        if unique == name:
            return child
        return {**child, "name": unique, LOOP_ELEMENT: child.get(LOOP_ELEMENT) or name}

    def loop(
        self,
        child: dict[str, Any],
        path: tuple[str, ...],
        relevant: Relevants,
        groups: tuple[Labels, ...],
    ) -> None:
        """A loop as the groups pyxform writes for it: one per choice ('none' left out)."""
        from pyxform.builder import SurveyElementBuilder

        name = str(child.get("name", ""))

        def copy(element: dict[str, Any], column: dict[str, Any]) -> dict[str, Any]:
            done = SurveyElementBuilder._name_and_label_substitutions(element, column)
            if done.get("type") in ("group", "repeat", "loop"):
                return {**done, "children": [copy(c, column) for c in done.get("children") or []]}
            original = str(element.get(LOOP_ELEMENT) or element.get("name", ""))
            unique = f"{name}_{column['name']}_{done.get('name', '')}"
            return {**done, "name": unique, LOOP_ELEMENT: original}

        sections = []
        for column in child.get("columns") or []:
            if column.get("name") == "none":
                continue
            try:
                children = [copy(c, column) for c in child.get("children") or []]
            except (KeyError, ValueError, TypeError) as exc:
                message = _("a label of the loop cannot take the choice's label ({error})")
                self.problem(name, message.format(error=exc))
                return
            sections.append({**column, "type": "group", "children": children})
        group = {k: v for k, v in child.items() if k not in ("columns", "children")}
        self.walk([{**group, "type": "group", "children": sections}], path, relevant, groups)

    def repeat_group(
        self,
        child: dict[str, Any],
        path: tuple[str, ...],
        relevant: Relevants,
        groups: tuple[Labels, ...],
    ) -> None:
        name = str(child.get("name", ""))
        parent = next((r for r in self.repeats if r.name == self.repeat), None)
        if parent is not None and parent.parent:
            self.problem(
                name,
                "a repeat inside a repeat inside a repeat is not supported in a chat; ask the "
                "innermost questions as fixed questions, or make them a separate form",
            )
            return
        control = child.get("control") or {}
        count = str(control.get("jr:count") or "").strip()
        own = str((child.get("bind") or {}).get("relevant") or "").strip()
        repeat_path = (*path, name)
        around = relevant + (((own, "/".join(repeat_path)),) if own else ())
        self.repeats.append(
            Repeat(
                name,
                "/".join(repeat_path),
                self.row(name) or 0,
                self.labels(child.get("label")),
                count,
                parent=self.repeat,
                relevant=tuple(e for e, _owner in around),
                relevant_from=tuple(o for _e, o in around),
            )
        )
        outer, self.repeat = self.repeat, name
        try:
            self.walk(child.get("children") or [], repeat_path, around, groups)
        finally:
            self.repeat = outer
        if count:
            for ref in references(count):
                if not any(q.name == ref for q in self.questions):
                    self.problem(
                        name, f"repeat_count refers to ${{{ref}}}, not a question before it"
                    )

    def typed(
        self,
        child: dict[str, Any],
        kind: str,
        path: tuple[str, ...],
        relevant: Relevants,
        groups: tuple[Labels, ...],
    ) -> None:
        name = str(child.get("name", ""))
        alias = TYPE_ALIASES.get(kind)
        if alias is not None and kind not in KINDS and kind not in META_TYPES:
            child = self.with_alias_definition(child, kind)
            kind = alias
        element = str(child.get(LOOP_ELEMENT) or name)
        if kind in META_TYPES:
            self.questions.append(
                Question(
                    name,
                    "/".join((*path, element)),
                    Kind.META,
                    self.row(element) or 0,
                    meta=kind,
                    repeat=self.repeat,
                )
            )
        elif kind in KINDS:
            self.question(child, KINDS[kind], path, relevant, groups)
        elif kind == EXTERNAL_SELECT:
            key = EXTERNAL_KEY + str(child.get("itemset") or child.get("query") or "")
            self.choice_list(key, self.external_choices.get(key[len(EXTERNAL_KEY) :], []))
            child = {**child, "itemset": key, "list_name": key}
            self.question(child, Kind.SELECT_ONE, path, relevant, groups)
        elif kind in UNSUPPORTED_TYPES:
            self.problem(name, f"type {child.get('type')!r}: {UNSUPPORTED_TYPES[kind]}")
        else:
            self.problem(name, f"question type {kind!r} is not supported")

    def with_alias_definition(self, child: dict[str, Any], kind: str) -> dict[str, Any]:
        """An alias may bring its own constraint and hint (``phone number``: digits only;
        ``percentage``: 0 to 100), which the row's own columns override."""
        from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

        entry = QUESTION_TYPE_DICT.get(kind) or {}
        bind = {**(entry.get("bind") or {}), **(child.get("bind") or {})}
        bind.pop("type", None)
        merged = {**child, "bind": bind}
        if entry.get("hint") and not child.get("hint"):
            merged["hint"] = entry["hint"]
        return merged

    def question(
        self,
        child: dict[str, Any],
        kind: Kind,
        path: tuple[str, ...],
        relevant: Relevants,
        groups: tuple[Labels, ...],
    ) -> None:
        name = str(child["name"])
        bind = child.get("bind") or {}
        own_relevant = str(bind.get("relevant") or "").strip()
        constraint = str(bind.get("constraint") or "").strip()
        kind = self.read_only_kind(name, kind, child)
        extra: dict[str, Any] = {}
        if kind in (Kind.SELECT_ONE, Kind.SELECT_MULTIPLE, Kind.RANK):
            list_name = str(child.get("itemset") or child.get("list_name") or "")
            if not list_name.endswith(EXTENSIONS):  # a file's choices: form_files.attach
                self.choice_list(list_name, child.get("choices"))
            extra["choice_list"] = list_name
            extra["choice_filter"] = str(child.get("choice_filter") or "").strip()
        if kind == Kind.RANK:
            extra.update(self.rank_limits(name, child, constraint))
        if kind == Kind.RANGE:
            extra.update(self.range_bounds(name, child.get("parameters") or {}))
        if kind in (Kind.AUDIO, Kind.VIDEO, Kind.FILE, Kind.IMAGE):
            extra.update(self.file_limits(name, child))
        voice = str(bind.get(VOICE_SETTING) or "").strip().lower()
        if voice in TRUE_WORDS:
            if kind != Kind.TEXT:
                self.problem(name, f"{VOICE_SETTING} is for text questions")
            else:
                extra["voice"] = True
        elif voice not in FALSE_WORDS:
            self.problem(name, f"{VOICE_SETTING} must be yes or no, not {voice!r}")
        if child.get("media"):
            self.warnings.append(f"{name}: images and audio in labels are not shown in the chat")
        label = self.labels(child.get("label"))
        if child.get("label") == OR_OTHER_LABEL and own_relevant.startswith("selected(../"):
            label = _in_every_language(label, lambda: _("Specify other."))
        heading, self.heading = self.heading, {}
        element = str(child.get(LOOP_ELEMENT) or name)
        question = Question(
            name=name,
            path="/".join((*path, element)),
            kind=kind,
            row=self.row(element) or 0,
            label=label,
            hint=self.labels(child.get("hint")),
            required=self.required(name, str(bind.get("required") or "")),
            required_message=self.labels(bind.get("jr:requiredMsg")),
            relevant=tuple(e for e, _owner in relevant) + ((own_relevant,) if own_relevant else ()),
            relevant_from=tuple(o for _e, o in relevant) + (("",) if own_relevant else ()),
            constraint=constraint,
            constraint_message=self.labels(bind.get("jr:constraintMsg")),
            calculation=str(bind.get("calculate") or "").strip(),
            default=str(child.get("default") or ""),
            appearance=str((child.get("control") or {}).get("appearance") or ""),
            groups=groups,
            repeat=self.repeat,
            field_list=self.field_list,
            heading=heading,
            **extra,
        )
        if kind == Kind.CALCULATE and not question.calculation:
            self.problem(name, "a calculate row needs a calculation")
        self.questions.append(question)

    def read_only_kind(self, name: str, kind: Kind, child: dict[str, Any]) -> Kind:
        """A ``read_only`` question is shown by Collect, never edited: with a calculation it
        is worked out as a calculate (stored and exported), with a default kept as a hidden
        value, else shown as a note. Asking the resident to type it would be wrong."""
        bind = child.get("bind") or {}
        if kind == Kind.NOTE or str(bind.get("readonly") or "").strip().lower() not in TRUE_WORDS:
            return kind
        if str(bind.get("calculate") or "").strip():
            self.warnings.append(f"{name}: read-only: worked out from its calculation, not asked")
            return Kind.CALCULATE
        if str(child.get("default") or ""):
            self.warnings.append(f"{name}: read-only: keeps its default, not asked")
            return Kind.HIDDEN
        self.warnings.append(f"{name}: read-only: shown as a note")
        return Kind.NOTE

    def heading_labels(self, child: dict[str, Any]) -> Labels:
        label, hint = self.labels(child.get("label")), self.labels(child.get("hint"))
        return {
            code: "\n".join(filter(None, (label.get(code), hint.get(code))))
            for code in {**label, **hint}
        }

    def take_closing_note(self) -> None:
        """The thank-you a resident reads after sending: the settings' musharaka:thanks, or
        the form's last question when it is a note shown to everyone (it then closes the
        survey instead of being shown before the review)."""
        self.thanks = self.labels(self.parsed.get(THANKS_SETTING))
        if self.thanks:
            return
        asked = [q for q in self.questions if q.asked]
        last = asked[-1] if asked else None
        if last is not None and last.kind == Kind.NOTE and last.label and not last.relevant:
            self.questions[self.questions.index(last)] = replace(last, closing=True)
            self.thanks = dict(last.label)

    def required(self, name: str, value: str) -> str:
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return "true()"
        if word in FALSE_WORDS:
            return ""
        return value.strip()  # an expression: required only when it holds

    def choice_list(self, list_name: str, inline: Any) -> None:
        if list_name in self.choices:
            return
        raw = inline or (self.parsed.get("choices") or {}).get(list_name) or []
        items = []
        for raw_choice in raw:
            columns = {
                str(k): str(v)
                for k, v in raw_choice.items()
                if k not in ("name", "label", "media", "image") and not isinstance(v, dict)
            }
            name, labels = str(raw_choice["name"]), self.labels(raw_choice.get("label"))
            if (name, set(labels.values())) == (OR_OTHER_CHOICE[0], {OR_OTHER_CHOICE[1]}):
                labels = _in_every_language(labels, lambda: pgettext("or_other", "Other"))
            items.append(Choice(name, labels, columns))
        self.choices[list_name] = tuple(items)

    def rank_limits(self, name: str, child: dict[str, Any], constraint: str) -> dict[str, Any]:
        """How many to rank: the 'max_ranked' column, or count-selected(.) in the constraint."""
        limits: dict[str, Any] = {}
        explicit = str(child.get("max_ranked") or "").strip()
        if explicit:
            if not explicit.isdigit() or int(explicit) < 1:
                self.problem(name, f"max_ranked must be a whole number of 1 or more: {explicit!r}")
            else:
                limits["max_ranked"] = int(explicit)
        for operator, number in _RANK_LIMIT.findall(constraint):
            value = int(number)
            if operator in ("<=", "=") and "max_ranked" not in limits:
                limits["max_ranked"] = value
            if operator == "<" and "max_ranked" not in limits:
                limits["max_ranked"] = value - 1
            if operator in (">=", "="):
                limits["min_ranked"] = value
            if operator == ">":
                limits["min_ranked"] = value + 1
        return limits

    def range_bounds(self, name: str, parameters: dict[str, Any]) -> dict[str, Any]:
        bounds: dict[str, Any] = {}
        for key, default in (("start", 1.0), ("end", 10.0), ("step", 1.0)):
            try:
                bounds[f"range_{key}"] = float(parameters.get(key, default))
            except (TypeError, ValueError):
                self.problem(name, f"range parameter {key} is not a number")
        return bounds

    def file_limits(self, name: str, child: dict[str, Any]) -> dict[str, Any]:
        """max-size (in MB, from parameters) and body::accept of a media question."""
        limits: dict[str, Any] = {}
        parameters = child.get("parameters") or {}
        if isinstance(parameters, str):  # pyxform leaves the parameters of some types as text
            parameters = dict(
                part.split("=", 1) for part in parameters.replace(";", " ").split() if "=" in part
            )
        raw = str(parameters.get("max-size") or "").strip()
        if raw:
            try:
                megabytes = float(raw)
            except ValueError:
                megabytes = -1.0
            if not 0 < megabytes <= 1024:
                self.problem(name, f"max-size must be a number of megabytes, not {raw!r}")
            else:
                limits["max_size"] = int(megabytes * 1024 * 1024)
                if limits["max_size"] > TELEGRAM_DOWNLOAD_MAX:
                    self.warnings.append(
                        f"{name}: max-size {raw} MB is more than a bot may fetch from "
                        "Telegram; files over 20 MB are refused"
                    )
        accept = str((child.get("control") or {}).get("accept") or "").strip()
        if accept:
            limits["accept"] = tuple(
                part.strip().lower() for part in accept.split(",") if part.strip()
            )
        return limits

    # --- checks ---------------------------------------------------------------------------
    def check_expressions(self) -> None:
        # A repeat's name is a field too: indexed-repeat(${age}, ${members}, 2).
        names = {q.name for q in self.questions} | {r.name for r in self.repeats}
        checked: set[tuple[str, str]] = set()
        for question in self.questions:
            expressions = [("relevant", e) for e in question.relevant] + [
                ("constraint", question.constraint),
                ("calculation", question.calculation),
                ("choice_filter", question.choice_filter),
                ("required", question.required if question.required != "true()" else ""),
            ]
            for column, expression in expressions:
                if expression and (column, expression) not in checked:
                    checked.add((column, expression))
                    self.check_expression(question, column, expression, names)
            for labels in (question.label, question.hint, question.constraint_message):
                for text in labels.values():
                    for ref in references(text):
                        if ref not in names:
                            self.problem(question.name, f"the label refers to ${{{ref}}}, unknown")
            for labels in (question.heading,):
                for text in labels.values():
                    for ref in references(text):
                        if ref not in names:
                            self.problem(question.name, f"the label refers to ${{{ref}}}, unknown")
            if (
                question.has_choices
                and not self._choices_of(question)
                and question.choice_list.split("?")[0] not in self.unread
            ):
                self.problem(question.name, f"the choice list {question.choice_list!r} is empty")
            if question.kind == Kind.RANK and question.max_ranked is not None:
                count = len(self._choices_of(question))
                if question.max_ranked > count:
                    self.problem(
                        question.name,
                        f"asks to rank {question.max_ranked} of only {count} choices",
                    )
                if question.min_ranked > question.max_ranked:
                    self.problem(question.name, "needs more ranked choices than it allows")

        for text in self.thanks.values():
            for ref in references(text):
                if ref not in names:
                    self.problems.append(
                        FormProblem(None, f"the closing text refers to ${{{ref}}}, unknown")
                    )

    def _choices_of(self, question: Question) -> tuple[Choice, ...]:
        return self.choices.get(question.choice_list, ())

    def check_expression(
        self, question: Question, column: str, expression: str, names: set[str]
    ) -> None:
        for ref in references(expression):
            if ref not in names:
                self.problem(question.name, f"{column} refers to ${{{ref}}}, which is not a field")
        function_problems = False
        for function in functions_called(expression):
            if function in UNSUPPORTED_FUNCTIONS:
                self.problem(question.name, f"{column}: {UNSUPPORTED_FUNCTIONS[function]}")
                function_problems = True
            elif not known_function(function):
                self.problem(question.name, f"{column}: unknown function {function}()")
                function_problems = True
        for list_name in self.instances_used(question, column, expression):
            if list_name not in self.instances and list_name not in self.unread:
                self.choice_list(list_name, None)  # ODK's secondary instance: the choices sheet
        if function_problems:
            return  # the parser would only repeat it, less clearly
        if question.repeat:
            # position(..) is the instance's number: the chat writes it in (formengine.repeats).
            expression = POSITION.sub("1", expression)
        try:
            compile_expression(expression)
        except ExpressionError as exc:
            self.problem(question.name, f"{column} is not a valid expression: {exc}")

    def instances_used(self, question: Question, column: str, expression: str) -> list[str]:
        """The choice lists ``instance('list')`` reads; other instances are refused."""
        try:
            found = tokens(expression)
        except ExpressionError:
            return []
        lists = self.parsed.get("choices") or {}
        used = []
        for index, token in enumerate(found):
            if token.kind != "function" or token.text != "instance":
                continue
            argument = found[index + 2] if index + 3 < len(found) else None
            if (
                argument is None
                or argument.kind != "literal"
                or found[index + 3].text != ")"
                or argument.text[1:-1] not in {*lists, *self.instances, *self.unread}
            ):
                shown = argument.text if argument is not None else ""
                self.problem(
                    question.name,
                    f"{column}: instance({shown}) is neither a list of the choices sheet "
                    "nor a file attached to the form",
                )
            else:
                used.append(argument.text[1:-1])
        return used

    def settings(self) -> dict[str, Any]:
        parsed = self.parsed
        # As pyxform does: the settings' form_id, else the name of the file the author gave
        # (never our temporary copy's), taken as it is; links use its slug.
        id_string = str(parsed.get("id_string") or "").strip()
        declared = id_string not in ("", NO_FORM_ID)
        if not declared:
            id_string = Path(self.filename).stem.strip() or "form"
        form_id = form_slug(id_string)
        if form_id != id_string:
            origin = "form_id" if declared else "the file name"
            self.warnings.append(
                f"{origin} {id_string!r} is {form_id!r} in links and commands "
                "(a Telegram link takes only letters, digits, _ and -)"
            )
        title = str(parsed.get("title") or "").strip()
        if title in ("", NO_FORM_ID):
            title = id_string
        roles = dict(DEFAULT_ROLES)
        for role in DEFAULT_ROLES:
            override = str(parsed.get(f"{role}_field") or "").strip()
            if override:
                roles[role] = override
        one_per = str(parsed.get("one_per_resident") or "").strip().lower()
        if one_per not in TRUE_WORDS | FALSE_WORDS:
            self.problems.append(
                FormProblem(None, f"one_per_resident must be yes or no, not {one_per!r}")
            )
        ranks = [q for q in self.questions if q.kind == Kind.RANK]
        priority = str(parsed.get("priority_field") or "").strip() or (
            ranks[0].name if ranks else ""
        )
        if priority and not any(q.name == priority for q in ranks):
            self.problems.append(
                FormProblem(None, f"priority_field {priority!r} is not a rank question")
            )
        for role, name in roles.items():
            if role in {k for k in DEFAULT_ROLES} and parsed.get(f"{role}_field"):
                if not any(q.name == name for q in self.questions):
                    self.problems.append(
                        FormProblem(None, f"{role}_field {name!r} is not a question of the form")
                    )
        return {
            "form_id": form_id,
            "id_string": id_string,
            "id_declared": declared,
            # The XForm's primary instance element (the settings' name, pyxform's "data").
            "instance_name": str(parsed.get("name") or "data").strip() or "data",
            "title": title,
            "version": str(parsed.get("version") or "1"),
            "xform_version": str(parsed.get("version") or ""),
            "one_per_resident": one_per in TRUE_WORDS,
            "round": str(parsed.get("round") or "").strip(),
            "roles": roles,
            "priority_question": priority,
        }


def _in_every_language(labels: Labels, translated: Callable[[], str]) -> Labels:
    """pyxform's English-only text for or_other, in each language the bot speaks."""
    out = dict(labels)
    for language in SUPPORTED_LANGUAGES:
        with use_language(language):
            out[language] = translated()
    return out


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


def _dedupe(problems: list[FormProblem]) -> list[FormProblem]:
    seen: dict[tuple[int | None, str], FormProblem] = {}
    for problem in problems:
        seen.setdefault((problem.row, problem.message), problem)
    return sorted(seen.values(), key=lambda p: (p.row or 0, p.message))


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
