"""A survey (any imported XLSForm) as a Telegram conversation.

One question per message, with its progress ("3/12"), Back (to the previous *relevant*
question), Skip for optional questions, a review of every answer before submitting
(any answer can be changed, then the review comes back), and resume: a resident who
leaves — /menu, another flow, a restart — continues at the same question with every
answer kept. Drafts of other surveys started meanwhile are kept too (in the session
profile), so switching between two surveys loses nothing.

The answers live in the session (``ctx.state``) until "Submit"; then one transaction
stores the submission, keyed by a uuid chosen when the survey started, so a retried or
re-delivered "Submit" stores it once.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.conversations import survey_search
from bot.engine import payloads
from bot.engine.context import Context
from bot.engine.conversation import Conversation
from bot.engine.events import ATTACHMENTS, UNREADABLE, Event, EventKind
from bot.engine.keyboards import auto_rows, rows
from bot.engine.messenger import DeliveryError
from bot.engine.registry import Command, MenuEntry, Registry
from bot.engine.replies import Button, KeyboardButton
from core.formatting import display_digits, format_day, format_number
from core.i18n import N_, _, ngettext
from formengine import media
from formengine.model import (
    ANSWERED_KINDS,
    LINE_KINDS,
    MEDIA_KINDS,
    TELEGRAM_DOWNLOAD_MAX,
    Form,
    Kind,
    Question,
    pick_label,
)
from formengine.repeats import expand
from formengine.runtime import (
    LINE_MAX_POINTS,
    LINE_MIN_POINTS,
    Problem,
    Run,
    geopoint,
    initial_answers,
    line_points,
    line_value,
    now_iso,
)
from formengine.store import (
    NEEDS_SURVEY,
    LiveForm,
    ensure_shipped_form,
    remember_version,
    version_in_use,
)
from formengine.xpath import Environment, selected_values
from storage import files, people, reference, surveys, throttles

log = logging.getLogger(__name__)

NAME = "survey"
DRAFTS_KEY = "survey_drafts"  # in the session profile: drafts of surveys not on screen
CHOICES_PER_PAGE = 24  # beyond ~30 buttons a phone screen is a wall; page them
REVIEW = "__review__"
# A label that carries its own number: "1. Name", "١) الاسم", "Q3: Age", "B2.1 - Water".
OWN_NUMBER = re.compile(
    r"^\s*(?P<number>(?:(?:[A-Z]{1,3}|q|س)\s?)?[0-9٠-٩۰-۹]+(?:[.\-][0-9٠-٩۰-۹]+)*)\s*[.)\]:\-–—]"
)


def own_number(label: str) -> str | None:
    """The number a label starts with ('Q3' for 'Q3. Age'), or None."""
    found = OWN_NUMBER.match(label)
    return found.group("number") if found else None


# --- entry points --------------------------------------------------------------------------


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
        forms = [f for f in await surveys.list_forms(s) if f.form_id != NEEDS_SURVEY]
    if not forms:
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
    buttons = [ctx.global_button(survey_title(ctx, f), "sv", f.form_id) for f in forms]
    ctx.say(_("Which survey would you like to answer?"), rows(buttons, 1))


async def survey_button(ctx: Context, args: tuple[str, ...]) -> None:
    """``g:sv:<form_id>`` — the args may be forged: the form must exist and be open."""
    form_id = args[0] if args else ""
    async with ctx.reader() as s:
        stored = await surveys.get_form(s, form_id)
    if stored is None or not stored.active:
        ctx.toast(_("This survey is closed."))
        return
    await open_survey(ctx, form_id)


def survey_title(ctx: Context, stored: surveys.StoredForm) -> str:
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
        from bot.features.core.menu import show_menu

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


# --- messages ---------------------------------------------------------------------------------

PROBLEM_MESSAGES = {
    "required": N_("This question needs an answer."),
    "constraint": N_("This answer is not accepted here. Please check it and try again."),
    "not_a_number": N_("Please type a number, for example 12."),
    "not_whole": N_("Please type a whole number, without decimals."),
    "empty": N_("Please type your answer."),
    "not_a_date": N_("Please type a date as day/month/year, for example 24/11/2026."),
    "not_a_time": N_("Please type a time as hours:minutes, for example 14:30."),
    "not_a_datetime": N_(
        "Please type a date and a time as day/month/year hours:minutes, "
        "for example 24/11/2026 14:30."
    ),
    "not_a_location": N_(
        "Please press “Send my location” below, or type the latitude and longitude, "
        "for example 35.17, 8.83."
    ),
    "not_a_choice": N_("Please choose one of the options shown."),
    "use_buttons": N_("Please answer with the buttons below."),
    "type_letters": N_("Please type the first letters of your answer."),
    "need_audio": N_("Please send a voice note (hold the 🎤 button) or an audio file."),
    "need_video": N_("Please send a video, or a round video message."),
    "need_file": N_("Please send a file (📎, then “File”)."),
}
# Questions answered with a file sent as an attachment (photos, also kept, arrive as photos:
# MEDIA_KINDS are all the questions whose files are kept in the file store).
FILE_KINDS = frozenset({Kind.AUDIO, Kind.VIDEO, Kind.FILE})


def problem_text(problem: Problem, language: str) -> str:
    own = pick_label(problem.message, language)
    if own:
        return own
    if problem.code == "too_long":
        return _("That is too long: please keep it under {most} characters.").format(
            most=problem.params["most"]
        )
    if problem.code == "too_many":
        most = int(problem.params["most"])
        return ngettext(
            "You can pick at most {most} choice.", "You can pick at most {most} choices.", most
        ).format(most=most)
    if problem.code == "too_few":
        least = int(problem.params["least"])
        return ngettext(
            "Please pick at least {least} choice.", "Please pick at least {least} choices.", least
        ).format(least=least)
    if problem.code == "too_few_points":
        least = int(problem.params["least"])
        return ngettext(
            "Please share at least {least} point.", "Please share at least {least} points.", least
        ).format(least=least)
    if problem.code == "off_step":
        return _("Please pick a number in steps of {step} from {low}.").format(
            step=_number(problem.params["step"]), low=_number(problem.params["low"])
        )
    if problem.code == "too_many_points":
        return _("That is the most points this answer can take; please press “Done”.")
    if problem.code == "wrong_type":
        return _("This type of file is not accepted here. Accepted: {types}.").format(
            types=problem.params["types"]
        )
    if problem.code == "too_big":
        return _("This file is too big ({size} MB). Please send one of at most {most} MB.").format(
            size=_megabytes(problem.params["size"]), most=_megabytes(problem.params["most"])
        )
    if problem.code == "out_of_range":
        return _("Please type a number from {low} to {high}.").format(
            low=_number(problem.params["low"]), high=_number(problem.params["high"])
        )
    return _(PROBLEM_MESSAGES.get(problem.code, PROBLEM_MESSAGES["constraint"]))


def _megabytes(size: int) -> str:
    return _number(round(size / (1024 * 1024), 1))


def _number(value: float) -> str:
    """A range's bound or step as the reader writes digits ('5', '٥', '2.5', '٢.٥')."""
    return display_digits(str(int(value)) if float(value).is_integer() else str(value))


def instruction(question: Question, run: Run, pending: list[str]) -> str:
    kind = question.kind
    if kind == Kind.INTEGER:
        return _("Type a whole number.")
    if kind == Kind.RANGE:
        low, high = _number(question.range_start or 0), _number(question.range_end or 0)
        if run.range_values(question):
            return _("Press a number from {low} to {high}, or type it.").format(low=low, high=high)
        if (question.range_step or 1) != 1:
            return _("Type a number from {low} to {high}, in steps of {step}.").format(
                low=low, high=high, step=_number(question.range_step or 1)
            )
        return _("Type a number from {low} to {high}.").format(low=low, high=high)
    if kind == Kind.DECIMAL:
        return _("Type a number.")
    if kind == Kind.TEXT:
        if question.voice:
            return _("Type your answer, or send a voice note (hold the 🎤 button).")
        return _("Type your answer.")
    if kind == Kind.DATE:
        return _("Type a date as day/month/year, for example 24/11/2026.")
    if kind == Kind.TIME:
        return _("Type a time, for example 14:30.")
    if kind == Kind.DATETIME:
        return _(
            "Type a date and a time as day/month/year hours:minutes, for example 24/11/2026 14:30."
        )
    if kind == Kind.BARCODE:
        return _("Type the code written under the barcode.")
    if kind in LINE_KINDS:
        least = LINE_MIN_POINTS[kind]
        if kind == Kind.GEOSHAPE:
            return ngettext(
                "Walk around the area and share your location at each corner "
                "(“Send my location” below, or type latitude and longitude), then press "
                "“Done”. At least {least} point.",
                "Walk around the area and share your location at each corner "
                "(“Send my location” below, or type latitude and longitude), then press "
                "“Done”. At least {least} points.",
                least,
            ).format(least=least)
        return ngettext(
            "Share your location at each point along the way (“Send my location” below, "
            "or type latitude and longitude), then press “Done”. At least {least} point.",
            "Share your location at each point along the way (“Send my location” below, "
            "or type latitude and longitude), then press “Done”. At least {least} points.",
            least,
        ).format(least=least)
    if kind == Kind.GEOPOINT:
        return _("Press “Send my location” below, or type the latitude and longitude.")
    if kind == Kind.IMAGE:
        return _("Send a photo.")
    if kind in FILE_KINDS:
        how = {
            Kind.AUDIO: _("Send a voice note (hold the 🎤 button) or an audio file."),
            Kind.VIDEO: _("Send a video, or a round video message."),
            Kind.FILE: _("Send a file (📎, then “File”)."),
        }[kind]
        most = min(question.max_size or TELEGRAM_DOWNLOAD_MAX, TELEGRAM_DOWNLOAD_MAX)
        limits = _("At most {most} MB.").format(most=_megabytes(most))
        if question.accept:
            limits += " " + _("Accepted: {types}.").format(types=", ".join(question.accept))
        return f"{how}\n{limits}"
    if kind == Kind.SELECT_MULTIPLE:
        return _("Tick every answer that applies, then press “Done”.")
    if kind == Kind.RANK:
        most = question.max_ranked or len(run.choices_for(question))
        step = len(pending) + 1
        if step > most:
            return _("Press “Done” to confirm your order.")
        return _("Pick your choice number {n} of {most}.").format(n=step, most=most)
    return ""


# --- the conversation ----------------------------------------------------------------------


def environment(ctx: Context, form: Form) -> Environment:
    """What the form's expressions see besides the answers: the bot's clock, in the
    programme's time zone, and the choice labels in the resident's language."""
    zone = ZoneInfo(ctx.services.settings.timezone)
    now = ctx.services.clock.now().astimezone(zone)
    return Environment(
        today=now.date(),
        now=now,  # now() is local time, as on the resident's phone
        choice_label=lambda name, value: form.choice_label(name, value, ctx.lang),
    )


class Turn:
    """One event's view of the survey: the draft, its form and the evaluation run."""

    def __init__(self, ctx: Context, draft: dict[str, Any], form: Form) -> None:
        self.ctx = ctx
        self.draft = draft
        self.base = form  # as imported; self.form has each repeat's instances
        language = ctx.lang
        now = ctx.services.clock.now()
        zone = ZoneInfo(ctx.services.settings.timezone)
        self.run = Run(
            expand(form, draft["answers"], language),
            draft["answers"],
            environment(ctx, form),
            ctx.lang,
            meta={
                "start": draft.get("started", ""),
                "end": now_iso(now),
                "username": str(draft.get("username") or ""),
            },
            zone=zone,
            expander=(lambda answers: expand(form, answers, language)) if form.repeats else None,
        )

    @property
    def lang(self) -> str:
        return self.ctx.lang

    @property
    def form(self) -> Form:
        """The form as this resident's answers make it (repeats expanded)."""
        return self.run.form

    @property
    def current(self) -> Question | None:
        name = self.draft.get("current") or ""
        return self.form.question(name) if name and self.form.has(name) else None

    @property
    def pending(self) -> list[str]:
        return list(self.draft.get("pending") or [])

    def set_pending(self, values: list[str]) -> None:
        self.draft["pending"] = values

    # --- showing a question ----------------------------------------------------------
    def ask(self, question: Question, *, notice: str = "", edit: bool = False) -> None:
        """Draw ``question`` (as a new message, or in place of the pressed one)."""
        ctx, run = self.ctx, self.run
        seen = self.draft.setdefault("seen", [])
        if question.name not in seen:
            seen.append(question.name)
        if self.draft.get("current") != question.name:
            self.draft["current"] = question.name
            self.draft["page"] = 0
            survey_search.set_query(self, "")
            existing = self.draft["answers"].get(question.name, "")
            self.set_pending(selected_values(existing) if question.has_choices else [])
        lines = []
        if notice:
            lines += [notice, ""]
        if question.kind in ANSWERED_KINDS:
            position, total = run.progress(question)
            lines.append(display_digits(f"{position}/{total}", self.lang))
        group = next((pick_label(g, self.lang) for g in reversed(question.groups) if g), "")
        if group and question.field_list:
            # One screen in ODK, one question at a time here: its label heads the first.
            previous = run.previous_before(question.name)
            if previous is not None and previous.field_list == question.field_list:
                group = ""
        if group:
            lines.append(f"— {run.render(group)} —")
        heading = pick_label(question.heading, self.lang)
        if heading:  # a table's header, above its first question only
            lines += [run.render(heading), ""]
        lines.append(run.render(question.text(self.lang)))
        hint = pick_label(question.hint, self.lang)
        if hint:
            lines += ["", run.render(hint)]
        lines += self._choice_lines(question)
        searched = survey_search.searchable(self, question)
        how = survey_search.instruction(self, question) if searched else ""
        how = how or instruction(question, run, self.pending)
        if how:
            lines += ["", how]
        existing = self.draft["answers"].get(question.name, "")
        if existing and (searched or not question.has_choices) and question.kind != Kind.NOTE:
            lines += ["", _("Your answer so far: {answer}").format(answer=self.show(question))]
        if not run.is_required(question) and question.kind not in (Kind.NOTE, Kind.ACKNOWLEDGE):
            lines.append(_("(optional)"))
        text = "\n".join(lines)
        buttons = self._buttons(question, searched)
        if question.kind == Kind.GEOPOINT or question.kind in LINE_KINDS:
            # Telegram shows either inline buttons or a reply keyboard on one message.
            ctx.say(text, keyboard=[[KeyboardButton(_("📍 Send my location"), request="location")]])
            if buttons:
                ctx.say(_("Or:"), buttons)
        elif edit:
            ctx.edit(text, buttons)
        else:
            ctx.say(text, buttons)

    def _choice_lines(self, question: Question) -> list[str]:
        if question.kind != Kind.RANK or not self.pending:
            return []
        lines = ["", _("Your order so far:")]
        for n, name in enumerate(self.pending, start=1):
            lines.append(
                f"{format_number(n, self.lang)}. {self.run.choice_label(question.name, name)}"
            )
        return lines

    def _buttons(self, question: Question, searched: bool | None = None) -> list[list[Button]]:
        """The question's buttons; ``searched``: whether its list is typed-to-search, when the
        caller already knows (it is worked out from the filtered choices)."""
        ctx, run = self.ctx, self.run
        if searched is None:
            searched = survey_search.searchable(self, question)
        layout: list[list[Button]] = []
        everything = list(self.form.choices_of(question))
        index_of = {c.name: i for i, c in enumerate(everything)}
        if question.has_choices:
            shown = run.choices_for(question)
            pending = self.pending
            if question.kind == Kind.RANK:
                most = question.max_ranked or len(shown)
                shown = [c for c in shown if c.name not in pending] if len(pending) < most else []
            page = int(self.draft.get("page") or 0)
            pages = max(1, -(-len(shown) // CHOICES_PER_PAGE))
            page = min(page, pages - 1)
            matches = survey_search.offered(self, question, shown)
            if matches is not None:  # a long list, searched by typing
                shown, pages = matches, 1
            elif len(shown) > CHOICES_PER_PAGE + 6:
                shown = shown[page * CHOICES_PER_PAGE : (page + 1) * CHOICES_PER_PAGE]
            else:
                pages = 1
            current = self.draft["answers"].get(question.name, "")
            buttons = []
            for choice in shown:
                label = choice.text(self.lang)
                if "${" in label:
                    label = run.render(label, question)  # a choice may name answers
                if question.kind == Kind.SELECT_MULTIPLE and choice.name in pending:
                    label = f"✅ {label}"
                elif question.kind == Kind.SELECT_ONE and choice.name == current:
                    label = f"• {label}"
                action = {Kind.SELECT_ONE: "a", Kind.SELECT_MULTIPLE: "t", Kind.RANK: "r"}
                buttons.append(ctx.button(label, action[question.kind], index_of[choice.name]))
            layout += auto_rows(buttons) if buttons else []
            if survey_search.query(self):
                layout.append([ctx.button(survey_search.again_label(), "sq")])
            if pages > 1:
                paging = []
                if page > 0:
                    paging.append(ctx.button(_("◀ Previous options"), "pg", page - 1))
                if page < pages - 1:
                    paging.append(ctx.button(_("More options ▶"), "pg", page + 1))
                layout.append(paging)
            tools = []
            if question.kind == Kind.RANK and pending:
                tools.append(ctx.button(_("↩ Undo"), "u"))
            if question.kind in (Kind.SELECT_MULTIPLE, Kind.RANK):
                tools.append(ctx.button(_("Done ✔"), "ok"))
            if tools:
                layout.append(tools)
        elif question.kind == Kind.RANGE and run.range_values(question):
            current = self.draft["answers"].get(question.name, "")
            buttons = [
                ctx.button(
                    display_digits(f"• {value}" if value == current else value, self.lang), "rg", n
                )
                for n, value in enumerate(run.range_values(question))
            ]
            layout += rows(buttons, 6)
        elif question.kind in LINE_KINDS and self.pending:
            layout.append([ctx.button(_("↩ Undo"), "u"), ctx.button(_("Done ✔"), "ok")])
        elif question.kind == Kind.NOTE:
            layout.append([ctx.button(_("Continue ▶"), "nx")])
        elif question.kind == Kind.ACKNOWLEDGE:
            layout.append([ctx.button(_("OK"), "ack")])
        existing = self.draft["answers"].get(question.name, "")
        nav = []
        if self.draft.get("mode") == "edit":
            nav.append(ctx.button(_("Back to the review"), "rv"))
        elif run.previous_before(question.name) is not None:
            nav.append(ctx.button(_("◀ Back"), "back"))
        if (
            existing
            and (not question.has_choices or searched)
            and question.kind
            not in (
                Kind.NOTE,
                Kind.ACKNOWLEDGE,
            )
        ):
            nav.append(ctx.button(_("Keep this answer"), "keep"))
        if not run.is_required(question) and question.kind not in (Kind.NOTE, Kind.ACKNOWLEDGE):
            nav.append(ctx.button(_("Skip ⏭"), "skip"))
        if nav:
            layout.append(nav)
        return layout

    # --- showing answers ------------------------------------------------------------
    def show(self, question: Question, value: str | None = None) -> str:
        """An answer as the resident reads it."""
        value = self.draft["answers"].get(question.name, "") if value is None else value
        if value == "":
            return _("(skipped)")
        kind = question.kind
        if kind == Kind.SELECT_ONE:
            return self.run.render(self.run.choice_label(question.name, value), question)
        if kind == Kind.SELECT_MULTIPLE:
            separator = "، " if self.lang == "ar" else ", "
            return separator.join(
                self.run.render(self.run.choice_label(question.name, v), question)
                for v in selected_values(value)
            )
        if kind == Kind.RANK:
            return "  ".join(
                f"{format_number(n, self.lang)}. "
                f"{self.run.render(self.run.choice_label(question.name, v), question)}"
                for n, v in enumerate(selected_values(value), start=1)
            )
        if kind == Kind.DATE:
            try:
                return format_day(datetime.fromisoformat(value).date(), self.lang)
            except ValueError:
                return value
        if kind == Kind.GEOPOINT:
            lat, lon = value.split()[:2]
            return f"{float(lat):.5f}, {float(lon):.5f}"
        if kind == Kind.TIME:
            return value[:5]
        if kind == Kind.DATETIME:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
            clock = display_digits(moment.strftime("%H:%M"), self.lang)
            return f"{format_day(moment.date(), self.lang)} {clock}"
        if kind in LINE_KINDS:
            count = len(line_points(value, closed=kind == Kind.GEOSHAPE) or ())
            return ngettext("{n} point", "{n} points", count).format(n=count)
        if kind == Kind.IMAGE:
            return _("(photo received)")
        if kind == Kind.AUDIO or (
            question.voice
            and ((self.draft.get("files") or {}).get(question.name) or {}).get("answer") == value
        ):
            return _("(recording received)")
        if kind == Kind.VIDEO:
            return _("(video received)")
        if kind == Kind.FILE:
            sent = (self.draft.get("files") or {}).get(question.name) or {}
            return _("(file received: {name})").format(name=sent.get("file_name") or value)
        if kind == Kind.ACKNOWLEDGE:
            return _("OK")
        return value

    def add_point(self, question: Question, point: str) -> None:
        """One more shared point of a geotrace/geoshape (the answer is kept at “Done”)."""
        pending = self.pending
        if len(pending) >= LINE_MAX_POINTS:
            self.ask(question, notice=problem_text(Problem("too_many_points"), self.lang))
            return
        pending.append(point)
        self.set_pending(pending)
        self.ctx.say(self.points_text(question), self._buttons(question))

    def points_text(self, question: Question) -> str:
        count, least = len(self.pending), LINE_MIN_POINTS[question.kind]
        lines = [_("Point {n} received.").format(n=count)]
        if count < least:
            lines.append(
                ngettext(
                    "Share {more} more point.", "Share {more} more points.", least - count
                ).format(more=least - count)
            )
        else:
            lines.append(_("Share the next point, or press “Done” when you have finished."))
        return "\n".join(lines)

    def review_items(self) -> list[Question]:
        return [
            q
            for q in self.run.relevant_questions()
            if q.kind in ANSWERED_KINDS and q.kind != Kind.ACKNOWLEDGE
        ]

    def welcome(self) -> str:
        """The words that head a survey's first question (rebuilt from the draft rather than
        kept in the session)."""
        parts = [
            _(
                "Thank you for taking part! You can go back at any time, and check "
                "every answer before sending."
            )
        ]
        district_question = self.form.role_question("district")
        if district_question is not None and district_question.name in self.draft["prefilled"]:
            parts.append(
                _("District: {district} (from your link; you can change it at the end).").format(
                    district=self.show(district_question)
                )
            )
        parts.append(_("You can stop with /menu and come back later: your answers are kept."))
        return "\n\n".join(parts)

    def summary(self) -> list[str]:
        lines = []
        for n, question in enumerate(self.review_items(), start=1):
            label = self.run.render(question.text(self.lang))
            if question.repeat and question.groups:  # which member, visit...
                label = f"{self.run.render(pick_label(question.groups[-1], self.lang))} · {label}"
            numbered = label if own_number(label) else f"{format_number(n, self.lang)}. {label}"
            lines.append(f"{numbered}\n   ➜ {self.show(question)}")
        return lines

    def item_numbers(self) -> list[str]:
        """What the review numbers each answer (a label's own number when it has one)."""
        numbers = []
        for n, question in enumerate(self.review_items(), start=1):
            label = self.run.render(question.text(self.lang))
            numbers.append(own_number(label) or format_number(n, self.lang))
        return numbers

    def review(self, *, notice: str = "", edit: bool = False) -> None:
        self.draft["mode"] = "review"
        self.draft["current"] = REVIEW
        lines = [notice, ""] if notice else []
        lines.append(_("Please check your answers:"))
        lines.append("")
        lines += self.summary()
        lines += ["", _("Send them, or change an answer first.")]
        buttons = [
            [self.ctx.button(_("✅ Send my answers"), "submit")],
            [self.ctx.button(_("✏️ Change an answer"), "pe")],
        ]
        if edit:
            self.ctx.edit("\n".join(lines), buttons)
        else:
            self.ctx.say("\n".join(lines), buttons, remove_keyboard=False)

    def pick_edit(self) -> None:
        numbers = self.item_numbers()
        buttons = [self.ctx.button(shown, "e", n) for n, shown in enumerate(numbers, start=1)]
        layout = rows(buttons, 6) if buttons else []
        layout.append([self.ctx.button(_("Back to the review"), "rv")])
        self.ctx.edit(_("Which answer would you like to change? Press its number."), layout)

    # --- moving on -----------------------------------------------------------------
    def after_answer(self, question: Question) -> None:
        """Go on from ``question``: the next relevant one, or back to the review."""
        if self.draft.get("mode") == "edit":
            # A changed answer may open questions never shown yet: ask them, then review.
            seen = set(self.draft.get("seen") or ())
            unseen = next((q for q in self.run.relevant_questions() if q.name not in seen), None)
            gap = self.run.first_gap()
            if unseen is not None and (gap is None or self._before(unseen, gap[0])):
                self.ask(unseen)
            elif gap is not None:
                self.ask(gap[0], notice=problem_text(gap[1], self.lang))
            else:
                self.review()
            return
        following = self.run.next_after(question.name)
        prefilled = set(self.draft.get("prefilled") or ())
        while following is not None and following.name in prefilled:
            following = self.run.next_after(following.name)  # answered by the link
        if following is not None:
            self.ask(following)
            return
        gap = self.run.first_gap()
        if gap is not None:
            self.ask(gap[0], notice=problem_text(gap[1], self.lang))
        else:
            self.review()

    def _before(self, first: Question, second: Question) -> bool:
        order = [q.name for q in self.form.questions]
        return order.index(first.name) <= order.index(second.name)

    def accept(self, question: Question, value: str, *, pressed: bool) -> bool:
        """Check and keep an answer; on a problem, say why and ask again. True if kept."""
        problem = self.run.check(question, value)
        if problem is not None:
            if pressed:
                self.ctx.toast(problem_text(problem, self.lang), alert=True)
                self.ask(question, notice=problem_text(problem, self.lang), edit=True)
            else:
                self.ask(question, notice=problem_text(problem, self.lang))
            return False
        self.run.set(question.name, value)
        self.set_pending([])
        label = self.run.render(question.text(self.lang))
        intro = self.draft.pop("intro", None)
        if isinstance(intro, list):  # a survey begun before the welcome was derived
            intro = intro[0]
        if intro == question.name:
            label = f"{self.welcome()}\n\n{label}"
        if pressed:
            self.ctx.edit(f"{label}\n➜ {self.show(question)}")
        return True


class SurveyConversation(Conversation):
    name = NAME
    resumable = True

    async def begin(self, ctx: Context, **kwargs: Any) -> None:
        form_id = str(kwargs.get("form_id") or NEEDS_SURVEY)
        live = await ensure_shipped_form(ctx.db, form_id)
        if live is None or not live.stored.active:
            ctx.finish()
            ctx.say(_("This survey is closed. Thank you for your interest!"))
            return
        if live.form.one_per_resident and await self._already_answered(ctx, live):
            ctx.finish()
            self._already_answered_message(ctx, live)
            return
        saved = (ctx.session.profile.get(DRAFTS_KEY) or {}).pop(form_id, None)
        if saved and saved.get("version") and saved.get("round") == live.round:
            ctx.state["d"] = saved
            await self.resume(ctx)
            return
        remember_version(ctx.db, live.stored.version_pk, live.form)
        draft = self._new_draft(ctx, live, kwargs)
        if any(q.kind == Kind.META and q.meta == "username" for q in live.form.questions):
            async with ctx.transaction() as s:  # the key is made on first use
                marker = await throttles.person_marker(
                    s, f"survey-username:{live.form_id}", ctx.user_id
                )
            draft["username"] = f"telegram:{marker[:16]}"
        ctx.state["d"] = draft
        ctx.step = "ask"
        turn = Turn(ctx, draft, live.form)
        first = turn.run.next_after(None)
        while first is not None and first.name in draft["prefilled"]:
            first = turn.run.next_after(first.name)
        # One message, not two: the welcome heads the first question (and stays above it
        # when its answer is shown), so the resident's phone gets one notification.
        if first is None:
            turn.review(notice=turn.welcome())
        else:
            draft["intro"] = first.name  # the question the welcome heads, until answered
            turn.ask(first, notice=turn.welcome())

    def _new_draft(self, ctx: Context, live: LiveForm, kwargs: dict[str, Any]) -> dict[str, Any]:
        form = live.form
        answers = initial_answers(form, environment(ctx, form))  # not in repeats: not yet
        prefilled = []
        district = kwargs.get("district")
        district_question = form.role_question("district")
        if district and district_question and form.choice(district_question, str(district)):
            answers[district_question.name] = str(district)
            prefilled.append(district_question.name)
        return {
            "prefilled": prefilled,
            "seen": list(prefilled),
            "form": form.form_id,
            "version": live.stored.version_pk,
            "round": live.round,
            "one_per": form.one_per_resident,
            "answers": answers,
            "current": "",
            "mode": "ask",
            "pending": [],
            "page": 0,
            "uuid": str(uuid.uuid4()),
            "started": now_iso(ctx.services.clock.now()),
            "campaign": str(kwargs.get("campaign") or "")[:64],
        }

    async def _already_answered(self, ctx: Context, live: LiveForm) -> bool:
        async with ctx.reader() as s:
            return await surveys.has_answered(s, live.stored.pk, live.round, ctx.user_id)

    def _already_answered_message(self, ctx: Context, live: LiveForm) -> None:
        ctx.say(
            _(
                "You have already answered this survey for this round. Thank you! "
                "Each resident answers once, so that every voice counts the same."
            ),
            self._priorities_button(ctx, live.form_id),
        )

    def _priorities_button(self, ctx: Context, form_id: str) -> list[list[Button]] | None:
        if form_id != NEEDS_SURVEY:
            return None
        return [[ctx.global_button(_("See my district's priorities"), "sp", form_id)]]

    async def _turn(self, ctx: Context) -> Turn | None:
        draft = ctx.state.get("d")
        if not draft:
            return None
        form = await version_in_use(ctx.db, int(draft["version"]))
        if form is None:  # the form was deleted under the resident
            ctx.finish()
            ctx.say(_("This survey is closed. Thank you for your interest!"))
            return None
        return Turn(ctx, draft, form)

    async def resume(self, ctx: Context) -> None:
        turn = await self._turn(ctx)
        if turn is None:
            return
        ctx.say(_("Welcome back! Let us continue where you stopped."))
        current = turn.current
        if turn.draft.get("mode") in ("review", "pick") or current is None:
            if current is None and turn.draft.get("mode") == "ask":
                first = turn.run.next_after(None)
                if first is not None:
                    turn.ask(first)
                    return
            turn.review()
            return
        turn.ask(current)  # the same question: choices ticked so far stay ticked

    async def on_cancel(self, ctx: Context) -> None:
        ctx.say(_("Your unsent survey answers were deleted."))

    # --- typed answers, locations, photos ------------------------------------------------
    async def on_message(self, ctx: Context) -> None:
        turn = await self._turn(ctx)
        if turn is None:
            return
        question = turn.current
        if question is None or turn.draft.get("mode") in ("review", "pick"):
            turn.review(notice=_("Please use the buttons to send or change your answers."))
            return
        event = ctx.event
        value: str | Problem
        if question.kind in FILE_KINDS and event.kind != EventKind.TEXT:
            value = self._file_answer(turn, question, event)
        elif question.voice and event.kind in (EventKind.VOICE, EventKind.AUDIO):
            value = self._file_answer(turn, question, event)  # spoken instead of typed
        elif question.kind == Kind.IMAGE and (
            event.kind == EventKind.PHOTO
            or (event.kind == EventKind.DOCUMENT and event.mime_type.startswith("image/"))
        ):
            value = self._photo_answer(turn, question, event)  # also one sent as a file
        elif event.kind in UNREADABLE:
            value = Problem("unreadable")
        elif question.kind in LINE_KINDS and event.kind in (EventKind.LOCATION, EventKind.TEXT):
            if event.kind == EventKind.LOCATION:
                point = geopoint(event.latitude or 0.0, event.longitude or 0.0)
            else:
                parsed = turn.run.parse(question, event.text)
                point = parsed if isinstance(parsed, str) else None
            if point is None:
                turn.ask(question, notice=problem_text(Problem("not_a_location"), ctx.lang))
            else:
                turn.add_point(question, point)
            return
        elif event.kind == EventKind.LOCATION:
            if question.kind != Kind.GEOPOINT:
                value = Problem("use_buttons" if question.has_choices else "unexpected")
            else:
                point = geopoint(event.latitude or 0.0, event.longitude or 0.0)
                value = point if point else Problem("not_a_location")
        elif event.kind == EventKind.PHOTO:
            value = Problem("unexpected")
        elif event.kind == EventKind.CONTACT:
            value = Problem("unexpected")
        elif question.kind in (Kind.IMAGE,):
            value = Problem("need_photo")
        elif question.kind in FILE_KINDS:
            value = Problem(f"need_{question.kind.value}")
        elif survey_search.searchable(turn, question):
            survey_search.typed(turn, question, event.text)  # the first letters of a choice
            return
        elif question.kind in (Kind.NOTE, Kind.ACKNOWLEDGE, Kind.SELECT_MULTIPLE, Kind.RANK):
            value = Problem("use_buttons")
        else:
            value = turn.run.parse(question, event.text)
        if isinstance(value, Problem):
            if value.code == "use_buttons" and survey_search.searchable(turn, question):
                value = Problem("type_letters")  # a long list is answered by typing
            turn.ask(question, notice=self._typed_problem(value, ctx.lang))
            return
        if turn.accept(question, value, pressed=False):
            if question.kind == Kind.GEOPOINT:
                ctx.say(_("Location received, thank you."), remove_keyboard=True)
            turn.after_answer(question)

    def _file_answer(self, turn: Turn, question: Question, event: Event) -> str | Problem:
        """A voice note, audio, video or document as the answer (its ODK file name)."""
        if event.kind not in ATTACHMENTS:
            return Problem(f"need_{question.kind.value}")
        attachment = media.Attachment(
            event.kind.value,
            event.file_id or event.voice_file_id,
            event.file_size,
            event.mime_type,
            event.file_name,
        )
        return self._kept_answer(turn, question, attachment)

    def _photo_answer(self, turn: Turn, question: Question, event: Event) -> str | Problem:
        """A photo (Telegram sends it as JPEG), or an image sent as a file, as the answer."""
        if event.kind == EventKind.PHOTO:
            attachment = media.Attachment("photo", event.photo_file_id)
        else:
            attachment = media.Attachment(
                "document", event.file_id, event.file_size, event.mime_type, event.file_name
            )
        return self._kept_answer(turn, question, attachment)

    def _kept_answer(
        self, turn: Turn, question: Question, attachment: media.Attachment
    ) -> str | Problem:
        """The answer's file name; the file is fetched into the file store at Send."""
        problem = media.problem(question, attachment)
        if problem is not None:
            return problem
        name = media.answer_name(question, attachment)
        turn.draft.setdefault("files", {})[question.name] = {
            "answer": name,
            "file_id": attachment.file_id,
            "content_type": attachment.content_type,
            "file_name": (attachment.file_name or "")[:200],
        }
        return name

    def _typed_problem(self, problem: Problem, language: str) -> str:
        if problem.code == "unreadable":
            return _("I cannot read stickers, voice notes or videos here.")
        if problem.code == "unexpected":
            return _("That is not what this question asks for.")
        if problem.code == "need_photo":
            return _("Please send a photo (with the 📎 button).")
        return problem_text(problem, language)

    # --- buttons -----------------------------------------------------------------------
    async def on_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        turn = await self._turn(ctx)
        if turn is None:
            return
        mode = turn.draft.get("mode")
        if action == "submit" and mode == "review":
            await self._submit(ctx, turn)
            return
        if action == "pe" and mode == "review":
            turn.draft["mode"] = "pick"
            turn.pick_edit()
            return
        if action == "e" and mode == "pick":
            items = turn.review_items()
            number = _index(args)
            if number is None or not 1 <= number <= len(items):
                await super().on_button(ctx, action, args)
                return
            turn.draft["mode"] = "edit"
            ctx.edit(_("Changing answer {n}.").format(n=number))
            turn.draft["current"] = ""
            turn.ask(items[number - 1])
            return
        if action == "rv" and mode in ("pick", "edit"):
            ctx.edit(_("Back to the review."))
            turn.review()
            return
        question = turn.current
        if question is None or mode not in ("ask", "edit"):
            await super().on_button(ctx, action, args)
            return
        await self._question_button(ctx, turn, question, action, args)

    async def _question_button(
        self, ctx: Context, turn: Turn, question: Question, action: str, args: tuple[str, ...]
    ) -> None:
        run = turn.run
        everything = list(turn.form.choices_of(question))
        index = _index(args)
        choice = everything[index] if index is not None and 0 <= index < len(everything) else None
        if action == "back" and turn.draft.get("mode") == "ask":
            previous = run.previous_before(question.name)
            if previous is None:
                ctx.toast(_("This is the first question."))
                return
            ctx.edit(run.render(question.text(turn.lang)))
            turn.ask(previous)
        elif action == "skip" and not run.is_required(question):
            run.set(question.name, "")
            turn.set_pending([])
            ctx.edit(f"{run.render(question.text(turn.lang))}\n➜ {_('(skipped)')}")
            turn.after_answer(question)
        elif action == "keep":
            value = turn.draft["answers"].get(question.name, "")
            if turn.accept(question, value, pressed=True):
                turn.after_answer(question)
        elif action in ("nx", "ack") and question.kind in (Kind.NOTE, Kind.ACKNOWLEDGE):
            if question.kind == Kind.ACKNOWLEDGE:
                if not turn.accept(question, "OK", pressed=True):
                    return
            else:
                ctx.edit(run.render(question.text(turn.lang)))
            turn.after_answer(question)
        elif action == "rg" and question.kind == Kind.RANGE and index is not None:
            values = run.range_values(question)
            if not 0 <= index < len(values):
                await super().on_button(ctx, action, args)
                return
            if turn.accept(question, values[index], pressed=True):
                turn.after_answer(question)
        elif action == "u" and question.kind in LINE_KINDS:
            turn.set_pending(turn.pending[:-1])
            if turn.pending:
                ctx.edit(turn.points_text(question), turn._buttons(question))
            else:
                ctx.edit(_("No point shared yet."), turn._buttons(question))
        elif action == "ok" and question.kind in LINE_KINDS:
            value = line_value(turn.pending, closed=question.kind == Kind.GEOSHAPE)
            if turn.accept(question, value, pressed=True):
                ctx.say(_("Locations received, thank you."), remove_keyboard=True)
                turn.after_answer(question)
        elif action == "sq" and question.has_choices:
            survey_search.set_query(turn, "")
            turn.ask(question, edit=True)
        elif action == "pg" and question.has_choices and index is not None:
            turn.draft["page"] = max(0, index)
            turn.ask(question, edit=True)
        elif action == "a" and question.kind == Kind.SELECT_ONE and choice is not None:
            if turn.accept(question, choice.name, pressed=True):
                turn.after_answer(question)
        elif action == "t" and question.kind == Kind.SELECT_MULTIPLE and choice is not None:
            if choice.name not in {c.name for c in run.choices_for(question)}:
                ctx.toast(problem_text(Problem("not_a_choice"), turn.lang))
                return
            pending = turn.pending
            pending = (
                [p for p in pending if p != choice.name]
                if choice.name in pending
                else [
                    *pending,
                    choice.name,
                ]
            )
            turn.set_pending(pending)
            turn.ask(question, edit=True)
        elif action == "r" and question.kind == Kind.RANK and choice is not None:
            await self._rank_pick(ctx, turn, question, choice.name)
        elif action == "u" and question.kind == Kind.RANK:
            turn.set_pending(turn.pending[:-1])
            turn.ask(question, edit=True)
        elif action == "ok" and question.kind in (Kind.SELECT_MULTIPLE, Kind.RANK):
            ordered = _ordered(turn, question)
            if turn.accept(question, " ".join(ordered), pressed=True):
                turn.after_answer(question)
        else:
            await super().on_button(ctx, action, args)

    async def _rank_pick(self, ctx: Context, turn: Turn, question: Question, name: str) -> None:
        run = turn.run
        pending = turn.pending
        allowed = {c.name for c in run.choices_for(question)}
        most = question.max_ranked or len(allowed)
        if name not in allowed or name in pending:
            ctx.toast(problem_text(Problem("not_a_choice"), turn.lang))
            return
        if len(pending) >= most:
            ctx.toast(problem_text(Problem("too_many", params={"most": most}), turn.lang))
            return
        pending.append(name)
        turn.set_pending(pending)
        if len(pending) == most or len(pending) == len(allowed):
            # The last place is filled: the ranking is complete.
            if turn.accept(question, " ".join(pending), pressed=True):
                turn.after_answer(question)
            return
        turn.ask(question, edit=True)

    # --- submitting ---------------------------------------------------------------------
    async def _submit(self, ctx: Context, turn: Turn) -> None:
        gap = turn.run.first_gap()
        if gap is not None:
            turn.draft["mode"] = "ask"
            turn.ask(gap[0], notice=problem_text(gap[1], turn.lang))
            return
        if not await self._keep_files(ctx, turn):
            return
        draft, form = turn.draft, turn.form
        values = turn.run.values()

        def role(name: str) -> str | None:
            question = form.role_question(name)
            return (values.get(question.name) or None) if question else None

        district = role("district")
        new = surveys.NewSubmission(
            uuid=draft["uuid"],
            form_pk=0,
            version_pk=int(draft["version"]),
            round=str(draft.get("round") or ""),
            respondent_id=ctx.user_id,
            one_per_resident=bool(draft.get("one_per")),
            answers=[(q.name, q.kind.value, v) for q, v in turn.run.stored_answers()],
            district_code=district,
            gender=role("gender"),
            age_group=role("age_group"),
            campaign=str(draft.get("campaign") or ""),
            language=ctx.lang,
            started_at=_moment(draft.get("started")),
            submitted_at=ctx.services.clock.now(),
        )
        async with ctx.transaction() as s:
            stored = await surveys.get_form(s, form.form_id)
            if stored is None:
                outcome = None
            else:
                new = _with_form(new, stored.pk)
                outcome, _id = await surveys.submit(s, new)
                await people.ensure_user(
                    s, ctx.user_id, first_name=ctx.event.first_name, username=ctx.event.username
                )
                if district and outcome == surveys.SubmitOutcome.STORED:
                    await _remember_district(s, ctx.user_id, district)
        ctx.finish()
        if outcome is None:
            ctx.edit(_("This survey is closed. Thank you for your interest!"))
            return
        if outcome == surveys.SubmitOutcome.ALREADY_ANSWERED:
            ctx.edit("\n".join(turn.summary()))
            ctx.say(
                _(
                    "You have already answered this survey for this round. Thank you! "
                    "Each resident answers once, so that every voice counts the same."
                ),
                self._priorities_button(ctx, form.form_id),
            )
            return
        ctx.edit("\n".join([*turn.summary(), "", _("✔ Sent.")]))
        ctx.say(self._thanks(turn), self._priorities_button(ctx, form.form_id))
        if role("volunteer") == "yes":
            if "volunteer" in ctx.engine.registry.conversations:
                await ctx.start("volunteer", district=district)
            else:
                ctx.say(
                    _(
                        "Thank you for offering to volunteer! The programme's staff will "
                        "contact you here."
                    )
                )

    async def _keep_files(self, ctx: Context, turn: Turn) -> bool:
        """Fetch the files answered from Telegram into the file store, beside the submission
        (same keys on a retried Send). False, with a translated answer, when one fails."""
        store = ctx.services.files
        _name_old_photos(turn)
        sent = turn.draft.get("files") or {}
        wanted = [
            (question, value, sent.get(question.name) or {})
            for question, value in turn.run.stored_answers()
            if question.kind in MEDIA_KINDS or (question.voice and question.name in sent)
        ]
        if not wanted:
            return True
        download = getattr(ctx.services.messenger, "download", None)
        if store is None or download is None:
            log.warning("no file store or channel to fetch files; keeping the names only")
            return True
        prefix = surveys.file_prefix(turn.form.form_id, str(turn.draft["uuid"]))
        for question, value, meta in wanted:
            if meta.get("answer") != value or not meta.get("file_id"):
                continue  # a default or an answer from a link: no file to fetch
            try:
                data = await download(str(meta["file_id"]))
                await store.put(f"{prefix}/{value}", data, str(meta.get("content_type") or ""))
            except (DeliveryError, OSError, ValueError):
                log.warning("could not keep the file of %s", question.name, exc_info=True)
                ctx.toast(_("Your file could not be saved just now. Please press Send again."))
                turn.review(
                    notice=_("Your file could not be saved just now. Please press Send again."),
                    edit=True,
                )
                return False
        return True

    def _thanks(self, turn: Turn) -> str:
        """The form's own closing words, else ours (the needs survey's speak of the district)."""
        own = pick_label(turn.form.thanks, turn.lang)
        if own:
            return turn.run.render(own)
        if turn.form.form_id == NEEDS_SURVEY:
            return _(
                "Thank you! Your answers were received. They will help plan your district's future."
            )
        return _("Thank you! Your answers were received.")


def _name_old_photos(turn: Turn) -> None:
    """A photo answered before photos were kept holds Telegram's file id (a survey begun
    before the update): name it as photos are named now, so that it is kept at Send too."""
    sent = turn.draft.setdefault("files", {})
    for question, value in turn.run.stored_answers():
        if (
            question.kind != Kind.IMAGE
            or question.name in sent
            or value == question.default
            or media.names_kept_file(value)
        ):
            continue
        attachment = media.Attachment("photo", value)
        name = media.answer_name(question, attachment)
        sent[question.name] = {
            "answer": name,
            "file_id": value,
            "content_type": attachment.content_type,
            "file_name": "",
        }
        turn.run.set(question.name, name)


def _index(args: tuple[str, ...]) -> int | None:
    return payloads.int_arg(args, max_digits=6)  # a choice of a long attached list


def _ordered(turn: Turn, question: Question) -> list[str]:
    if question.kind == Kind.RANK:
        return turn.pending
    order = {c.name: i for i, c in enumerate(turn.form.choices_of(question))}
    return sorted(turn.pending, key=lambda name: order.get(name, 0))


def _moment(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _with_form(new: surveys.NewSubmission, form_pk: int) -> surveys.NewSubmission:
    from dataclasses import replace

    return replace(new, form_pk=form_pk)


async def _remember_district(session: Any, telegram_id: int, district: str) -> None:
    """The survey's district becomes the resident's district (broadcasts target it)."""
    if await session.get(reference.District, district) is None:
        return
    user = await people.ensure_user(session, telegram_id)
    user.district_code = district


# --- personal data -----------------------------------------------------------------------------


async def export_survey_data(session: Any, telegram_id: int) -> dict[str, Any]:
    return await surveys.export_personal_data(session, telegram_id)


async def erase_survey_data(session: Any, telegram_id: int, now: datetime) -> None:
    prefixes = await surveys.file_prefixes(session, telegram_id)
    await surveys.erase_personal_data(session, telegram_id)
    store = files.current()
    if store is not None:
        for prefix in prefixes:
            await store.delete_prefix(prefix)  # recordings, videos and documents they sent


def register(registry: Registry) -> None:
    registry.add_conversation(SurveyConversation())
    registry.add_menu_entry(
        MenuEntry(
            "survey", N_("Needs survey: tell us what your district needs"), needs_survey_entry, 10
        )
    )
    registry.add_command(Command("surveys", surveys_command, N_("Answer a survey")))
    registry.add_button("sv", survey_button)
    registry.add_deep_link("survey", survey_deep_link)
    registry.add_personal_data("surveys", export_survey_data, erase_survey_data)
