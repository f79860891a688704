"""What the builder keeps while it reads pyxform's JSON (questions, choices, repeats,
languages, problems) and the helpers every part of it uses: rows, problems, labels and
choice lists."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.config import SUPPORTED_LANGUAGES
from core.i18n import pgettext, use_language
from formengine.loader.refusals import FormProblem
from formengine.loader.vocabulary import OR_OTHER_CHOICE, language_code
from formengine.loader.workbook import SheetScan
from formengine.markup import plain_text
from formengine.model import Choice, Labels, Question, Repeat


class _State:
    """What the builder keeps, and the helpers its parts share."""

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

    def _choices_of(self, question: Question) -> tuple[Choice, ...]:
        return self.choices.get(question.choice_list, ())


def _in_every_language(labels: Labels, translated: Callable[[], str]) -> Labels:
    """pyxform's English-only text for or_other, in each language the bot speaks."""
    out = dict(labels)
    for language in SUPPORTED_LANGUAGES:
        with use_language(language):
            out[language] = translated()
    return out
