"""The ways into a survey: the menu's first entry (the needs survey, or a choice when more
surveys are open), /surveys, its buttons (``g:sv:<form_id>``, kept in old messages) and the
survey's invitation link (``/start survey_<form>[_<district>]``).

A resident who opens the survey they were answering continues where they stopped; opening
another one keeps the first one's draft (in the session profile) for later.
"""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.keyboards import rows
from bot.features.core.menu import show_menu
from bot.features.surveys.actions import OPEN_SURVEY
from bot.features.surveys.turn import DRAFTS_KEY, NAME
from core.i18n import _
from formengine.store import NEEDS_SURVEY, ensure_shipped_form
from storage import reference, surveys


async def open_survey(
    ctx: Context, form_id: str, *, district: str | None = None, campaign: str = ""
) -> None:
    """Start (or continue) a survey from the menu, a deep link or a button."""
    flow = ctx.session.flow if ctx.session.flow and ctx.session.flow.name == NAME else None
    flow = flow or ctx.session.parked.get(NAME)
    draft = flow.data.get("d") if flow is not None else None
    if draft and draft.get("form") == form_id and draft.get("mode") != "done":
        await ctx.start(NAME)  # resumes at the same question
        return
    if draft and draft.get("mode") != "done":
        # Another survey is in progress: keep its draft for later.
        ctx.session.profile.setdefault(DRAFTS_KEY, {})[draft["form"]] = draft
    await ctx.start(NAME, restart=True, form_id=form_id, district=district, campaign=campaign)


async def needs_survey_entry(ctx: Context) -> None:
    """The menu's first entry: the needs survey (or a choice, if more surveys are open)."""
    async with ctx.reader() as s:
        others = [f for f in await surveys.active_form_ids(s) if f != NEEDS_SURVEY]
    if not others:
        await open_survey(ctx, NEEDS_SURVEY)
        return
    await surveys_command(ctx)


async def surveys_command(ctx: Context) -> None:
    """/surveys: the surveys open now."""
    await ensure_shipped_form(ctx.db, NEEDS_SURVEY)
    async with ctx.reader() as s:
        forms = await surveys.list_forms(s)
    if not forms:
        ctx.say(_("There is no survey open at the moment. Thank you for your interest!"))
        return
    forms.sort(key=lambda f: (f.form_id != NEEDS_SURVEY, f.form_id))
    buttons = [OPEN_SURVEY.global_button(ctx, survey_title(f), form_id=f.form_id) for f in forms]
    ctx.say(_("Which survey would you like to answer?"), rows(buttons, 1))


async def survey_opened(ctx: Context, form_id: str) -> None:
    """A survey's button (in any old message): the form must exist and be open."""
    async with ctx.reader() as s:
        stored = await surveys.get_form(s, form_id)
    if stored is None or not stored.active:
        ctx.toast(_("This survey is closed."))
        return
    await open_survey(ctx, form_id)


def survey_title(stored: surveys.StoredForm) -> str:
    if stored.form_id == NEEDS_SURVEY:
        return _("Needs survey: tell us what your district needs")
    return stored.title or stored.form_id


async def survey_deep_link(ctx: Context, rest: str) -> None:
    """``/start survey_<form>_<district>``: form ids and districts may contain '_'."""
    await ensure_shipped_form(ctx.db, NEEDS_SURVEY)
    async with ctx.reader() as s:
        known_forms = await surveys.form_ids(s)
        districts = {d.code for d in await reference.list_districts(s)}
    form_id, district = resolve_link(rest, known_forms, districts)
    if form_id is None:
        ctx.say(_("This survey link is not valid any more. Here is the menu instead."))
        await show_menu(ctx)
        return
    async with ctx.reader() as s:
        stored = await surveys.get_form(s, form_id)
    if stored is None or not stored.active:
        ctx.say(_("This survey is closed. Thank you for your interest!"))
        return
    await open_survey(ctx, form_id, district=district, campaign=f"survey_{rest}"[:64])


def resolve_link(
    rest: str, form_ids: list[str], districts: set[str]
) -> tuple[str | None, str | None]:
    """'needs_survey_kasserine_north' -> ('needs_survey', 'kasserine_north').

    The longest known form id that the link starts with wins; what follows must be a
    known district code (otherwise the survey opens without a district)."""
    for form_id in sorted(form_ids, key=len, reverse=True):
        if rest == form_id:
            return form_id, None
        if rest.startswith(form_id + "_"):
            tail = rest[len(form_id) + 1 :]
            return form_id, tail if tail in districts else None
    return None, None
