"""Consultations and technical support: booking a session (the ``consultation`` flow:
``booking``, drawn with ``calendar`` and ``confirm``), a member's appointments with changing
the time and cancelling (``appointments``), what happens after a session (the consultant's
record and note, the member's rating and comment: ``after_session``), consultants' /sessions
(``staff``), the reminders (``reminders``) and /mydata and /delete (``data``). Its buttons
are in ``actions``; how a booking reads is in ``texts``."""

from __future__ import annotations

from bot.engine.registry import Command, MenuEntry, Registry
from bot.features.consultations import actions, after_session, appointments, data, reminders, staff
from bot.features.consultations.booking import BookConsultation, consult_command
from core.i18n import N_
from storage.people import Role


def register(registry: Registry) -> None:
    registry.add_conversation(BookConsultation())
    registry.add_conversation(after_session.ConsultantNote())
    registry.add_conversation(after_session.FeedbackComment())
    registry.add_command(
        Command("consult", consult_command, N_("Book a consultation or technical support"))
    )
    registry.add_command(
        Command(
            "appointments",
            appointments.appointments_command,
            N_("Your booked consultations"),
        )
    )
    registry.add_command(
        Command(
            "sessions",
            staff.sessions_command,
            N_("Your consultation sessions (consultants)"),
            min_role=Role.CONSULTANT,
            listed=False,
        )
    )
    registry.add_menu_entry(MenuEntry("consult", N_("Book a consultation"), consult_command, 40))
    registry.add_menu_entry(
        MenuEntry("appointments", N_("My appointments"), appointments.appointments_command, 41)
    )
    registry.add_menu_entry(
        MenuEntry(
            "sessions",
            N_("My consultation sessions"),
            staff.sessions_command,
            60,
            min_role=Role.CONSULTANT,
        )
    )
    for action, handler in (
        (actions.NEW_BOOKING, appointments.new_booking_pressed),
        (actions.NEW_BOOKING_OF_KIND, appointments.new_booking_of_kind_pressed),
        (actions.RESCHEDULE, appointments.reschedule_pressed),
        (actions.CANCEL, appointments.cancel_pressed),
        (actions.CANCEL_YES, appointments.cancel_confirmed),
        (actions.KEEP, appointments.keep_pressed),
        (actions.RECORD, after_session.recorded),
        (actions.RATE, after_session.rated),
    ):
        registry.add_action(action, handler, refusal=actions.REFUSAL)
    registry.add_reminder_kind(reminders.REMINDER_KIND, reminders.render_reminder)
    registry.add_reminder_kind(reminders.FOLLOW_UP_KIND, reminders.render_follow_up)
    registry.add_personal_data("consultations", data.export_consultations, data.erase_consultations)
