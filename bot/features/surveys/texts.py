"""What the survey says besides the form's own words: why an answer is refused, how to
answer each kind of question, an answer as the resident reads it, the welcome and the
thanks."""

from __future__ import annotations

import re
from datetime import datetime

from bot.features.surveys.turn import Turn
from core.formatting import display_digits, format_day, format_number
from core.i18n import N_, _, ngettext
from formengine.model import LINE_KINDS, TELEGRAM_DOWNLOAD_MAX, Kind, Question, pick_label
from formengine.runtime import LINE_MIN_POINTS, Problem, Run, line_points
from formengine.store import NEEDS_SURVEY
from formengine.xpath import selected_values

# A label that carries its own number: "1. Name", "١) الاسم", "Q3: Age", "B2.1 - Water".
OWN_NUMBER = re.compile(
    r"^\s*(?P<number>(?:(?:[A-Z]{1,3}|q|س)\s?)?[0-9٠-٩۰-۹]+(?:[.\-][0-9٠-٩۰-۹]+)*)\s*[.)\]:\-–—]"
)
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


def own_number(label: str) -> str | None:
    """The number a label starts with ('Q3' for 'Q3. Age'), or None."""
    found = OWN_NUMBER.match(label)
    return found.group("number") if found else None


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


def typed_problem(problem: Problem, language: str) -> str:
    """Why a message is not an answer to the question on screen."""
    if problem.code == "unreadable":
        return _("I cannot read stickers, voice notes or videos here.")
    if problem.code == "unexpected":
        return _("That is not what this question asks for.")
    if problem.code == "need_photo":
        return _("Please send a photo (with the 📎 button).")
    return problem_text(problem, language)


def _megabytes(size: int) -> str:
    return _number(round(size / (1024 * 1024), 1))


def _number(value: float) -> str:
    """A range's bound or step as the reader writes digits ('5', '٥', '2.5', '٢.٥')."""
    return display_digits(str(int(value)) if float(value).is_integer() else str(value))


def instruction(question: Question, run: Run, pending: list[str]) -> str:
    """How to answer a question of this kind (under its label)."""
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
        return _line_instruction(kind)
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


def _line_instruction(kind: Kind) -> str:
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


def answer_text(turn: Turn, question: Question, value: str | None = None) -> str:
    """An answer as the resident reads it."""
    value = turn.answer(question) if value is None else value
    if value == "":
        return _("(skipped)")
    kind, run, lang = question.kind, turn.run, turn.lang
    if kind == Kind.SELECT_ONE:
        return run.render(run.choice_label(question.name, value), question)
    if kind == Kind.SELECT_MULTIPLE:
        separator = "، " if lang == "ar" else ", "
        return separator.join(
            run.render(run.choice_label(question.name, v), question) for v in selected_values(value)
        )
    if kind == Kind.RANK:
        return "  ".join(
            f"{format_number(n, lang)}. {run.render(run.choice_label(question.name, v), question)}"
            for n, v in enumerate(selected_values(value), start=1)
        )
    if kind == Kind.DATE:
        try:
            return format_day(datetime.fromisoformat(value).date(), lang)
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
        clock = display_digits(moment.strftime("%H:%M"), lang)
        return f"{format_day(moment.date(), lang)} {clock}"
    return _file_or_other(turn, question, value)


def _file_or_other(turn: Turn, question: Question, value: str) -> str:
    kind = question.kind
    sent = (turn.draft.get("files") or {}).get(question.name) or {}
    if kind in LINE_KINDS:
        count = len(line_points(value, closed=kind == Kind.GEOSHAPE) or ())
        return ngettext("{n} point", "{n} points", count).format(n=count)
    if kind == Kind.IMAGE:
        return _("(photo received)")
    if kind == Kind.AUDIO or (question.voice and sent.get("answer") == value):
        return _("(recording received)")
    if kind == Kind.VIDEO:
        return _("(video received)")
    if kind == Kind.FILE:
        return _("(file received: {name})").format(name=sent.get("file_name") or value)
    if kind == Kind.ACKNOWLEDGE:
        return _("OK")
    return value


def welcome(turn: Turn) -> str:
    """The words that head a survey's first question (rebuilt from the draft rather than
    kept in the session)."""
    parts = [
        _(
            "Thank you for taking part! You can go back at any time, and check "
            "every answer before sending."
        )
    ]
    district_question = turn.form.role_question("district")
    if district_question is not None and district_question.name in turn.draft["prefilled"]:
        parts.append(
            _("District: {district} (from your link; you can change it at the end).").format(
                district=answer_text(turn, district_question)
            )
        )
    parts.append(_("You can stop with /menu and come back later: your answers are kept."))
    return "\n\n".join(parts)


def thanks(turn: Turn) -> str:
    """The form's own closing words, else ours (the needs survey's speak of the district)."""
    own = pick_label(turn.form.thanks, turn.lang)
    if own:
        return turn.run.render(own)
    if turn.form.form_id == NEEDS_SURVEY:
        return _(
            "Thank you! Your answers were received. They will help plan your district's future."
        )
    return _("Thank you! Your answers were received.")


def already_answered() -> str:
    return _(
        "You have already answered this survey for this round. Thank you! "
        "Each resident answers once, so that every voice counts the same."
    )
