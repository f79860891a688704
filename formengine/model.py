"""A survey as the bot runs it: typed questions, choice lists and labels in several languages.

Built from an XLSForm by :mod:`formengine.loader`, stored as JSON with each form version
(:meth:`Form.to_json` / :meth:`Form.from_json`), and walked through by
:mod:`formengine.runtime`.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

MODEL_VERSION = 1

# A form's id in the database, in commands and in deep links: Telegram's /start parameter
# takes at most 64 characters of A-Z a-z 0-9 _ -, and the link is survey_<form>_<district>.
FORM_ID_MAX = 40
START_PARAMETER_MAX = 64
LINK_PREFIX = "survey_"
_LINK_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
LINK_SAFE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Column conventions (overridable in the settings sheet, see README): the answers that
# describe a respondent and feed the priority figures.
DEFAULT_ROLES = {
    "district": "district",
    "gender": "gender",
    "age_group": "age_group",
    "volunteer": "volunteer",
}


class Kind(StrEnum):
    SELECT_ONE = "select_one"
    SELECT_MULTIPLE = "select_multiple"
    RANK = "rank"
    INTEGER = "integer"
    DECIMAL = "decimal"
    RANGE = "range"
    TEXT = "text"
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"
    BARCODE = "barcode"  # typed: a chat cannot scan
    NOTE = "note"
    ACKNOWLEDGE = "acknowledge"
    GEOPOINT = "geopoint"
    GEOTRACE = "geotrace"  # shared locations, ended with Done (2 points at least)
    GEOSHAPE = "geoshape"  # the same, closed (3 points at least)
    IMAGE = "image"
    AUDIO = "audio"  # a voice note or an audio file
    VIDEO = "video"  # a video or a round video message
    FILE = "file"  # a document
    CALCULATE = "calculate"
    HIDDEN = "hidden"
    META = "meta"  # start, end, today, deviceid...: filled by the bot, never asked


ASKED_KINDS = frozenset(
    {
        Kind.SELECT_ONE,
        Kind.SELECT_MULTIPLE,
        Kind.RANK,
        Kind.INTEGER,
        Kind.DECIMAL,
        Kind.RANGE,
        Kind.TEXT,
        Kind.DATE,
        Kind.TIME,
        Kind.DATETIME,
        Kind.BARCODE,
        Kind.NOTE,
        Kind.ACKNOWLEDGE,
        Kind.GEOPOINT,
        Kind.GEOTRACE,
        Kind.GEOSHAPE,
        Kind.IMAGE,
        Kind.AUDIO,
        Kind.VIDEO,
        Kind.FILE,
    }
)
CHOICE_KINDS = frozenset({Kind.SELECT_ONE, Kind.SELECT_MULTIPLE, Kind.RANK})
# Questions answered with a file the resident sends (kept in the file store at submission).
MEDIA_KINDS = frozenset({Kind.IMAGE, Kind.AUDIO, Kind.VIDEO, Kind.FILE})
# What a bot may download from Telegram's Bot API (larger files cannot be fetched).
TELEGRAM_DOWNLOAD_MAX = 20 * 1024 * 1024
# Questions answered with several shared locations (ODK: "lat lon alt acc;lat lon alt acc").
LINE_KINDS = frozenset({Kind.GEOTRACE, Kind.GEOSHAPE})
# Questions that count in the "3/12" progress (notes are read, not answered).
ANSWERED_KINDS = ASKED_KINDS - {Kind.NOTE}


Labels = dict[str, str]  # language code ("ar", "en", "fr"; "" when the form has none) -> text


def form_slug(form_id: str) -> str:
    """The link-safe id of a form: 'Household survey (2026)' -> 'Household_survey_2026'.

    pyxform and KoBo accept any text as form_id; a deep link takes only A-Z a-z 0-9 _ -.
    Accents are dropped (é -> e), anything else becomes '_'; a form_id with no Latin letter
    or digit at all, or a long one, gets a short hash so two such forms stay apart. The
    same form_id always gives the same slug, so a new version lands behind the same link."""
    text = form_id.strip()
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _LINK_UNSAFE.sub("_", folded).strip("_-")
    if slug == text and len(slug) <= FORM_ID_MAX:
        return slug
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    if not slug:
        return f"form_{digest}"
    if len(slug) > FORM_ID_MAX:
        return f"{slug[: FORM_ID_MAX - 9].rstrip('_-')}_{digest}"
    return slug


def start_parameter(form_id: str, district: str = "") -> str | None:
    """What follows ``?start=`` in a survey link, or None when Telegram would refuse it."""
    parameter = f"{LINK_PREFIX}{form_id}" + (f"_{district}" if district else "")
    return parameter if LINK_SAFE.match(parameter) else None


def pick_label(labels: Labels, language: str, fallback: str = "") -> str:
    """The label in ``language``, else the form's default, else any one, else ``fallback``."""
    if not labels:
        return fallback
    for key in (language, "", "default", "en", "ar", "fr"):
        text = labels.get(key)
        if text:
            return text
    return next((t for t in labels.values() if t), fallback)


@dataclass(frozen=True)
class Choice:
    name: str
    label: Labels
    # Extra columns of the choices sheet (what a choice_filter tests, e.g. district=a).
    columns: dict[str, str] = field(default_factory=dict)

    def text(self, language: str) -> str:
        return pick_label(self.label, language, self.name)


@dataclass(frozen=True)
class Question:
    name: str
    path: str  # group/subgroup/name, as KoBo names export columns
    kind: Kind
    row: int = 0  # row on the survey sheet, for messages to the form's author
    label: Labels = field(default_factory=dict)
    hint: Labels = field(default_factory=dict)
    required: str = ""  # "" (optional), "true()" or an XPath expression
    required_message: Labels = field(default_factory=dict)
    # This question's relevant and those of every group around it: all must hold.
    relevant: tuple[str, ...] = ()
    # For each relevant, the group it belongs to ("group/sub"), "" for the question's own.
    relevant_from: tuple[str, ...] = ()
    constraint: str = ""
    constraint_message: Labels = field(default_factory=dict)
    choice_list: str = ""
    choice_filter: str = ""
    calculation: str = ""
    default: str = ""
    appearance: str = ""
    meta: str = ""  # for META: which value (start, end, today, deviceid, ...)
    groups: tuple[Labels, ...] = ()  # labels of the enclosing groups, outermost first
    # The repeat the question belongs to (its name), "" outside repeats. In a running
    # survey each instance has its own copy, named name__N (formengine.repeats).
    repeat: str = ""
    # The innermost field-list group around the question (its path), "" when none: the
    # questions of a field-list screen are asked one at a time, its label shown once.
    field_list: str = ""
    # The header of a table (table-list, or a 'label' row before 'list-nolabel' rows),
    # shown once above the table's first question.
    heading: Labels = field(default_factory=dict)
    # The form's closing note: read after sending (Form.thanks), never asked before.
    closing: bool = False
    # Rank: how many choices a respondent ranks at most / at least.
    max_ranked: int | None = None
    min_ranked: int = 1
    # Range: bounds and step.
    range_start: float | None = None
    range_end: float | None = None
    range_step: float | None = None
    # audio, video, file: the largest size accepted (bytes; the form's max-size, in MB) and
    # the accepted types (body::accept: '.pdf', 'application/pdf', 'image/*').
    max_size: int | None = None
    accept: tuple[str, ...] = ()
    # text: a voice note may answer it instead (bind::musharaka:voice = yes).
    voice: bool = False

    @property
    def asked(self) -> bool:
        return self.kind in ASKED_KINDS and not self.closing

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS

    def text(self, language: str) -> str:
        return pick_label(self.label, language, self.name)


@dataclass(frozen=True)
class Repeat:
    """A `begin repeat` group: asked once per member, visit... (formengine.repeats)."""

    name: str
    path: str
    row: int = 0
    label: Labels = field(default_factory=dict)
    count: str = ""  # repeat_count: a number or an expression; "" asks "Add another?"
    parent: str = ""  # the repeat around this one (one level of nesting)
    # The repeat's own relevant and those of the groups around it, with their owners.
    relevant: tuple[str, ...] = ()
    relevant_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    form_id: str
    title: str
    version: str
    default_language: str
    languages: tuple[str, ...]
    questions: tuple[Question, ...]
    choices: dict[str, tuple[Choice, ...]]
    one_per_resident: bool = False
    round: str = ""
    roles: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ROLES))
    priority_question: str = ""  # the rank question priorities are computed from
    warnings: tuple[str, ...] = ()
    # The form_id as the settings sheet (or, without one, the file name) gives it; form_id
    # above is its link-safe slug. id_declared: it came from the settings sheet.
    id_string: str = ""
    id_declared: bool = True
    # What a resident reads after sending: the settings' musharaka:thanks, or the form's
    # closing note; empty: the bot's own words.
    thanks: Labels = field(default_factory=dict)
    repeats: tuple[Repeat, ...] = ()
    # Files attached to the form (formengine.attachments): instance('id') and pulldata('id')
    # read the rows kept in ``choices`` under the key given here; media names each file
    # with its SHA-256, as imported.
    instances: dict[str, str] = field(default_factory=dict)
    media: dict[str, str] = field(default_factory=dict)
    # The root element of the form's XML instances (pyxform: the settings' name, or "data").
    instance_name: str = "data"
    # The version attribute of the XForm pyxform writes: the settings' version, "" when it
    # has none (``version`` above is then "1", the bot's own numbering); None in
    # definitions stored before this was kept (their ``version`` is the settings' one).
    xform_version: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {q.name: q for q in self.questions})
        object.__setattr__(self, "_paths", {q.name: q.path for q in self.questions})

    # --- lookups ------------------------------------------------------------------
    def question(self, name: str) -> Question:
        return self._by_name[name]  # type: ignore[attr-defined]

    def has(self, name: str) -> bool:
        return name in self._by_name  # type: ignore[attr-defined]

    @property
    def paths(self) -> dict[str, str]:
        """Where each field sits in the instance (``group/name``), for relative paths."""
        return self._paths  # type: ignore[attr-defined]

    @property
    def asked(self) -> list[Question]:
        return [q for q in self.questions if q.asked]

    def choices_of(self, question: Question) -> tuple[Choice, ...]:
        return self.choices.get(question.choice_list, ())

    def choice(self, question: Question, name: str) -> Choice | None:
        return next((c for c in self.choices_of(question) if c.name == name), None)

    def choice_label(self, field_name: str, value: str, language: str) -> str:
        """jr:choice-name: the label of ``value`` in the list of field ``field_name``."""
        if not self.has(field_name):
            return value
        found = self.choice(self.question(field_name), value)
        return found.text(language) if found else value

    def role_question(self, role: str) -> Question | None:
        """The question playing a role (district, gender, age_group, volunteer), if any."""
        name = self.roles.get(role, "")
        return self.question(name) if name and self.has(name) else None

    @property
    def round_label(self) -> str:
        return self.round or self.version

    # --- storage ------------------------------------------------------------------
    def to_json(self) -> str:
        data = asdict(self)
        data["model"] = MODEL_VERSION
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> Form:
        data: dict[str, Any] = json.loads(raw)
        data.pop("model", None)
        questions = tuple(
            Question(
                **{
                    **q,
                    "kind": Kind(q["kind"]),
                    "relevant": tuple(q.get("relevant") or ()),
                    "relevant_from": tuple(q.get("relevant_from") or ()),
                    "groups": tuple(q.get("groups") or ()),
                    "accept": tuple(q.get("accept") or ()),
                }
            )
            for q in data.pop("questions")
        )
        choices = {
            name: tuple(Choice(**c) for c in items) for name, items in data.pop("choices").items()
        }
        return cls(
            **{
                **data,
                "languages": tuple(data.get("languages") or ()),
                "warnings": tuple(data.get("warnings") or ()),
                "repeats": tuple(
                    Repeat(
                        **{
                            **r,
                            "relevant": tuple(r.get("relevant") or ()),
                            "relevant_from": tuple(r.get("relevant_from") or ()),
                        }
                    )
                    for r in data.get("repeats") or ()
                ),
            },
            questions=questions,
            choices=choices,
        )
