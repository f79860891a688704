"""Surveys: forms, their versions, submissions and answers (one row per answer).
``from storage import surveys; surveys.submit(...)`` is the area's API; the modules hold the
tables (``models``), the question kinds storage tells apart (``vocabulary``), forms and
their versions (``forms``), one response per resident per round (``rounds``), submissions
and their answers (``submissions``) and a person's data (``personal_data``).

A select_multiple or rank answer is one row per chosen choice (``position`` 1, 2, 3...:
the order picked for a rank), so SQL can count and weigh them directly; a number also
keeps its numeric value in ``number``.

Integrity lives in the database:

* a submission's ``uuid`` is unique, so a re-delivered or retried "Submit" stores it once;
* ``(form, round, one_per_round_key)`` is unique, and ``one_per_round_key`` holds a keyed
  hash of the respondent's Telegram id (``round_marker``) only when the form says "one
  response per resident per round" (NULL otherwise; NULLs never collide) — so nobody
  answers such a round twice, even when two workers race or after erasing their data;
* one answer row per (submission, question, position).
"""

from __future__ import annotations

from storage.surveys.forms import (
    FormToImport,
    ImportOutcome,
    StoredForm,
    VersionConflict,
    active_form_ids,
    form_ids,
    form_pk,
    get_definition,
    get_form,
    import_form,
    list_forms,
    set_active,
    set_round,
    source_digests,
)
from storage.surveys.models import (
    CAMPAIGN_MAX,
    ROUND_MAX,
    SurveyAnswer,
    SurveyForm,
    SurveyFormVersion,
    SurveySubmission,
)
from storage.surveys.personal_data import (
    erase_personal_data,
    export_personal_data,
    file_prefix,
    file_prefixes,
)
from storage.surveys.rounds import has_answered, round_marker
from storage.surveys.submissions import (
    NewSubmission,
    SubmitOutcome,
    answer_rows,
    count_submissions,
    submission_answers,
    submit,
)
from storage.surveys.vocabulary import IDENTIFYING_KINDS, MULTI_KINDS, NUMERIC_KINDS

__all__ = [
    "CAMPAIGN_MAX",
    "IDENTIFYING_KINDS",
    "MULTI_KINDS",
    "NUMERIC_KINDS",
    "ROUND_MAX",
    "FormToImport",
    "ImportOutcome",
    "NewSubmission",
    "StoredForm",
    "SubmitOutcome",
    "SurveyAnswer",
    "SurveyForm",
    "SurveyFormVersion",
    "SurveySubmission",
    "VersionConflict",
    "active_form_ids",
    "answer_rows",
    "count_submissions",
    "erase_personal_data",
    "export_personal_data",
    "file_prefix",
    "file_prefixes",
    "form_ids",
    "form_pk",
    "get_definition",
    "get_form",
    "has_answered",
    "import_form",
    "list_forms",
    "round_marker",
    "set_active",
    "set_round",
    "source_digests",
    "submission_answers",
    "submit",
]
