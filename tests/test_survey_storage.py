"""Forms, submissions and answers in the database (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from formengine.store import SHIPPED, import_xlsform, load_form
from storage import surveys
from storage.db import Database
from storage.surveys import NewSubmission, SubmitOutcome, SurveyAnswer, SurveySubmission

NEEDS = SHIPPED["needs_survey"]


def needs_answers(district: str = "thala", top: str = "water_sanitation health") -> list:
    return [
        ("district", "select_one", district),
        ("age_group", "select_one", "25_34"),
        ("gender", "select_one", "female"),
        ("top_sectors", "rank", top),
        ("specific_needs", "text", "لا يوجد ماء صالح للشرب في الدوار"),
        ("volunteer", "select_one", "yes"),
    ]


async def stored_needs_form(db: Database) -> surveys.StoredForm:
    async with db.transaction() as s:
        live, outcome = await import_xlsform(s, NEEDS)
    assert outcome == surveys.ImportOutcome.CREATED
    return live.stored


def submission(form: surveys.StoredForm, respondent: int | None, **kwargs: object) -> NewSubmission:
    values: dict[str, object] = {
        "uuid": str(uuid.uuid4()),
        "form_pk": form.pk,
        "version_pk": form.version_pk,
        "round": form.round,
        "respondent_id": respondent,
        "one_per_resident": True,
        "answers": needs_answers(),
        "district_code": "thala",
        "gender": "female",
        "age_group": "25_34",
    }
    values.update(kwargs)
    return NewSubmission(**values)  # type: ignore[arg-type]


async def test_importing_the_same_file_twice_changes_nothing(any_db: Database) -> None:
    form = await stored_needs_form(any_db)
    assert form.round == "2026" and form.version == "2026112401"
    async with any_db.transaction() as s:
        again, outcome = await import_xlsform(s, NEEDS)
    assert outcome == surveys.ImportOutcome.UNCHANGED
    assert again.stored.version_pk == form.version_pk
    async with any_db.transaction() as s:
        _live, outcome = await import_xlsform(s, NEEDS, round_override="2027")
    async with any_db.reader() as s:
        live = await load_form(s, "needs_survey")
    assert live is not None and live.round == "2027"
    assert live.form.question("top_sectors").max_ranked == 3


async def test_a_submission_is_stored_once_with_one_row_per_ranked_choice(any_db: Database) -> None:
    form = await stored_needs_form(any_db)
    new = submission(form, 501)
    async with any_db.transaction() as s:
        outcome, submission_id = await surveys.submit(s, new)
    assert outcome == SubmitOutcome.STORED and submission_id
    async with any_db.transaction() as s:  # the same Submit press delivered again
        outcome, again = await surveys.submit(s, new)
    assert outcome == SubmitOutcome.ALREADY_STORED and again == submission_id
    async with any_db.reader() as s:
        rows = (
            await s.execute(
                select(SurveyAnswer.position, SurveyAnswer.value)
                .where(
                    SurveyAnswer.submission_id == submission_id,
                    SurveyAnswer.question == "top_sectors",
                )
                .order_by(SurveyAnswer.position)
            )
        ).all()
        assert [tuple(r) for r in rows] == [(1, "water_sanitation"), (2, "health")]
        answers = await surveys.submission_answers(s, submission_id)
        assert answers["top_sectors"] == "water_sanitation health"
        assert await s.scalar(select(func.count()).select_from(SurveySubmission)) == 1


async def test_one_response_per_resident_per_round_is_enforced_by_the_database(
    any_db: Database,
) -> None:
    form = await stored_needs_form(any_db)
    async with any_db.transaction() as s:
        assert (await surveys.submit(s, submission(form, 77)))[0] == SubmitOutcome.STORED
    async with any_db.transaction() as s:
        outcome, _ = await surveys.submit(s, submission(form, 77))
    assert outcome == SubmitOutcome.ALREADY_ANSWERED
    # Even a write that skips the Python check is refused by the unique constraint.
    with pytest.raises(IntegrityError):
        async with any_db.transaction() as s:
            s.add(
                SurveySubmission(
                    uuid=str(uuid.uuid4()),
                    form_pk=form.pk,
                    version_pk=form.version_pk,
                    round=form.round,
                    respondent_id=77,
                    one_per_round_key=await surveys.round_marker(s, form.pk, form.round, 77),
                )
            )
    # A new round, or another resident, is fine.
    async with any_db.transaction() as s:
        assert (await surveys.submit(s, submission(form, 77, round="2027")))[0] == (
            SubmitOutcome.STORED
        )
        assert (await surveys.submit(s, submission(form, 78)))[0] == SubmitOutcome.STORED


async def test_forms_that_allow_several_answers_keep_them_all(any_db: Database) -> None:
    form = await stored_needs_form(any_db)
    async with any_db.transaction() as s:
        for _ in range(3):
            outcome, _id = await surveys.submit(s, submission(form, 90, one_per_resident=False))
            assert outcome == SubmitOutcome.STORED


async def test_a_negative_answer_position_is_refused_by_the_database(any_db: Database) -> None:
    form = await stored_needs_form(any_db)
    async with any_db.transaction() as s:
        _outcome, submission_id = await surveys.submit(s, submission(form, 5))
    with pytest.raises(IntegrityError):
        async with any_db.transaction() as s:
            s.add(
                SurveyAnswer(
                    submission_id=submission_id, question="x", kind="text", position=-1, value="v"
                )
            )


async def test_mydata_shows_and_delete_erases_identifying_answers_but_keeps_counts(
    any_db: Database,
) -> None:
    form = await stored_needs_form(any_db)
    async with any_db.transaction() as s:
        await surveys.submit(s, submission(form, 4242, campaign="survey_needs_survey_thala"))
    async with any_db.reader() as s:
        mine = await surveys.export_personal_data(s, 4242)
    [entry] = mine["survey_submissions"]
    assert entry["answers"]["specific_needs"] == "لا يوجد ماء صالح للشرب في الدوار"
    assert entry["campaign"] == "survey_needs_survey_thala"

    async with any_db.transaction() as s:
        await surveys.erase_personal_data(s, 4242)
    async with any_db.reader() as s:
        assert (await surveys.export_personal_data(s, 4242))["survey_submissions"] == []
        row = await s.scalar(select(SurveySubmission))
        assert row is not None and row.respondent_id is None and row.campaign == ""
        answers = await surveys.submission_answers(s, row.id)
    assert "specific_needs" not in answers
    assert answers["top_sectors"] == "water_sanitation health"
    # Erasing is no way to be counted twice: the same account is refused in this round
    # (the kept marker identifies nobody), and welcome in the next one.
    async with any_db.transaction() as s:
        assert (await surveys.submit(s, submission(form, 4242)))[0] == (
            SubmitOutcome.ALREADY_ANSWERED
        )
        assert (await surveys.submit(s, submission(form, 4242, round="2027")))[0] == (
            SubmitOutcome.STORED
        )


async def test_a_changed_file_under_a_used_version_number_is_refused(any_db: Database) -> None:
    form = await stored_needs_form(any_db)
    async with any_db.transaction() as s:
        await surveys.submit(s, submission(form, 1))
    changed = surveys.FormToImport("needs_survey", form.version, "t", "2026", '{"changed": 1}')
    with pytest.raises(surveys.VersionConflict, match="raise 'version'"):
        async with any_db.transaction() as s:
            await surveys.import_form(s, changed)
