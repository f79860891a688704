"""Reading one question of pyxform's JSON: its type (aliases, metadata, external selects,
refused types), its columns, and the limits of ranks, ranges and files."""

from __future__ import annotations

import re
from typing import Any

from core.i18n import _
from formengine.attachments import EXTENSIONS
from formengine.loader.state import _in_every_language, _State
from formengine.loader.vocabulary import (
    EXTERNAL_KEY,
    EXTERNAL_SELECT,
    FALSE_WORDS,
    KINDS,
    LOOP_ELEMENT,
    META_TYPES,
    OR_OTHER_LABEL,
    TRUE_WORDS,
    TYPE_ALIASES,
    UNSUPPORTED_TYPES,
    VOICE_SETTING,
    Relevants,
)
from formengine.model import TELEGRAM_DOWNLOAD_MAX, Kind, Labels, Question

_RANK_LIMIT = re.compile(r"count-selected\(\s*\.\s*\)\s*(<=|<|=|>=|>)\s*(\d+)")


class _Questions(_State):
    """The builder's reading of one question."""

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

    def required(self, name: str, value: str) -> str:
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return "true()"
        if word in FALSE_WORDS:
            return ""
        return value.strip()  # an expression: required only when it holds

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
