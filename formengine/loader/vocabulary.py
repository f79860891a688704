"""The words of an XLSForm as this loader reads them: question types (with the old and
KoBo spellings pyxform accepts, and those we refuse), language names, yes and no, and our
own settings and columns."""

from __future__ import annotations

import re
from typing import Any

from formengine.model import Kind

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
# What pyxform writes for `select_one X or_other`, in English only: shown to residents in
# their own language instead.
OR_OTHER_CHOICE = ("other", "Other")
OR_OTHER_LABEL = "Specify other."
# The relevant expressions around a question, each with the path of the group it belongs to
# (relative paths in a group's relevant start from the group, as in ODK).
Relevants = tuple[tuple[str, str], ...]
TRUE_WORDS = {"yes", "true", "true()", "1", "oui", "نعم"}
FALSE_WORDS = {"", "no", "false", "false()", "0", "non", "لا"}


def language_code(key: str, default: str = "") -> str:
    """'Arabic (ar)' -> 'ar', 'Français' -> 'fr', 'default' -> the form's default."""
    key = key.strip()
    if key in ("", "default"):
        return default
    match = _LANGUAGE_CODE.search(key)
    if match:
        return match.group(1).lower()
    return LANGUAGE_NAMES.get(key.lower(), key)
