"""Walking through a form with one respondent's answers: what to ask next, what to accept.

Pure logic (no chat, no database): the survey conversation keeps the answers in its
session state and asks this package which question comes next, which one Back goes to,
which choices a choice_filter leaves, and whether a typed or pressed answer is valid.

Answers are kept the way ODK keeps them — strings: ``"tap well"`` for a select_multiple,
``"health water roads"`` (in order) for a rank, ``"35.1676 8.8365 0 0"`` for a geopoint,
``"2026-11-24"`` for a date, ``"14:30:00.000+01:00"`` for a time,
``"2026-11-24T14:30:00.000+01:00"`` for a dateTime, ``"lat lon 0 0;lat lon 0 0"`` for a
geotrace (a geoshape ends on its first point), the Telegram file id for a photo.

:class:`Run` (``run``: moving through the form) is built up from ``state`` (the answers and
the values expressions see, relevance, required), ``display`` (choices left by a
choice_filter, labels filled in) and ``checks`` (reading typed answers, checking answers);
``formats`` reads and writes dates, times and locations; ``defaults`` starts an interview.
"""

from __future__ import annotations

from formengine.runtime.checks import (
    BARCODE_MAX_CHARS,
    RANGE_BUTTONS_MAX,
    TEXT_MAX_CHARS,
    Problem,
)
from formengine.runtime.defaults import initial_answers
from formengine.runtime.formats import (
    LINE_MAX_POINTS,
    LINE_MIN_POINTS,
    geopoint,
    line_points,
    line_value,
    now_iso,
    odk_datetime,
    odk_time,
    parse_date,
    parse_datetime,
    parse_point,
    parse_time,
)
from formengine.runtime.run import Run
from formengine.runtime.state import TREES_KEPT

__all__ = [
    "BARCODE_MAX_CHARS",
    "LINE_MAX_POINTS",
    "LINE_MIN_POINTS",
    "RANGE_BUTTONS_MAX",
    "TEXT_MAX_CHARS",
    "TREES_KEPT",
    "Problem",
    "Run",
    "geopoint",
    "initial_answers",
    "line_points",
    "line_value",
    "now_iso",
    "odk_datetime",
    "odk_time",
    "parse_date",
    "parse_datetime",
    "parse_point",
    "parse_time",
]
