"""The core of /mydata and /delete: the ``users`` row, a staff account, reminders.

Each area (surveys, trainings, consultations, volunteers, ...) exports and erases its own
data (``registry.add_personal_data``); this module does the part every person has, and runs
last when erasing, since the areas find their rows through the ``users`` row.

Erasing keeps anonymous counts: the ``users`` row stays (bookings and registrations point at
it) but loses everything that could point back at the person, Telegram id included.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import Base
from storage.broadcasts import OutboxMessage, OutboxStatus
from storage.people import StaffMember, User
from storage.reminders import Reminder

# Telegram user ids are positive; an erased row gets -(its own id), unique and meaningless.
ERASED_CHAT_ID = 0


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export_profile(session: AsyncSession, telegram_id: int) -> dict[str, Any]:
    """What the ``users`` row (and a staff account, if any) says about this person."""
    out: dict[str, Any] = {}
    user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    if user is not None:
        out["user"] = {
            "telegram_id": user.telegram_id,
            "first_name": user.first_name,
            "username": user.username,
            "full_name": user.full_name,
            "phone": user.phone,
            "gender": user.gender,
            "district": user.district_code,
            "language": user.language,
            "consent_at": _moment(user.consent_at),
            "announcements_enabled": user.announcements_enabled,
            "messages_stopped": user.messages_stopped,
            "first_seen_at": _moment(user.created_at),
            "last_seen_at": _moment(user.last_seen_at),
        }
    staff = await session.scalar(select(StaffMember).where(StaffMember.telegram_id == telegram_id))
    if staff is not None:
        out["staff_account"] = {
            "role": staff.role,
            "login": staff.username,
            "display_name": staff.display_name,
            "active": staff.active,
        }
    reminders = await session.scalars(
        select(Reminder)
        .where(Reminder.chat_id == telegram_id, Reminder.cancelled_at.is_(None))
        .order_by(Reminder.due_at)
    )
    planned = [
        {"kind": r.kind, "due_at": _moment(r.due_at), "sent_at": _moment(r.sent_at)}
        for r in reminders
    ]
    if planned:
        out["reminders"] = planned
    received = await session.execute(
        select(OutboxMessage.broadcast_id, OutboxMessage.status, OutboxMessage.sent_at)
        .where(OutboxMessage.chat_id == telegram_id)
        .order_by(OutboxMessage.id)
    )
    announcements = [
        {"broadcast": broadcast_id, "status": status, "sent_at": _moment(sent_at)}
        for broadcast_id, status, sent_at in received
    ]
    if announcements:
        out["announcements"] = announcements
    return out


async def erase_profile(session: AsyncSession, telegram_id: int, now: datetime) -> None:
    """Unlink the ``users`` row from the person and blank it; cancel their reminders.

    The row keeps only what counts need without identifying anyone (district, language,
    when it was created). A staff account is left to the administrators. Erasing twice is
    harmless: the second time finds nothing.
    """
    await session.execute(
        update(Reminder)
        .where(
            Reminder.chat_id == telegram_id,
            Reminder.sent_at.is_(None),
            Reminder.cancelled_at.is_(None),
        )
        .values(cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Reminder)
        .where(Reminder.chat_id == telegram_id)
        .values(chat_id=ERASED_CHAT_ID)
        .execution_options(synchronize_session=False)
    )
    await forget_broadcast_recipient(session, telegram_id)
    user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    if user is None:
        await release_references(session, telegram_id)
        return
    unlinked = await release_references(session, telegram_id)
    user.telegram_id = -user.id
    user.first_name = ""
    user.username = ""
    user.full_name = ""
    user.phone = ""
    user.gender = ""
    user.consent_at = None
    user.announcements_enabled = False
    user.messages_stopped = True
    user.erased_at = now
    user.last_seen_at = user.created_at
    await session.flush()
    await point_at_anonymous_row(session, unlinked, user.telegram_id)


async def forget_broadcast_recipient(session: AsyncSession, telegram_id: int) -> None:
    """Announcements not yet sent to the person are skipped; the outbox rows of sent ones
    stay for the broadcast's figures under a meaningless id (-row id: unique per broadcast)."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.chat_id == telegram_id,
            OutboxMessage.status.in_([OutboxStatus.PENDING.value, OutboxStatus.CLAIMED.value]),
        )
        .values(status=OutboxStatus.SKIPPED.value, error="erased", claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == telegram_id)
        .values(chat_id=-OutboxMessage.id, message_id=None)
        .execution_options(synchronize_session=False)
    )


def references_to_telegram_id() -> list[tuple[Table, str, str]]:
    """(table, column, ondelete) of every foreign key onto ``users.telegram_id``."""
    import storage.models  # noqa: F401  (every area's tables)

    found = []
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_keys:
            target = key.column
            if target.table.name == User.__tablename__ and target.name == "telegram_id":
                found.append((table, key.parent.name, (key.ondelete or "").upper()))
    return found


Unlinked = list[tuple[Table, str, list[Any]]]  # (table, column, primary keys of its rows)


async def release_references(session: AsyncSession, telegram_id: int) -> Unlinked:
    """Rows still pointing at the person's Telegram id after the areas erased theirs are
    treated as their foreign key says for a deleted person: CASCADE deletes them, SET NULL
    unlinks them. The unlinked rows are returned, for ``point_at_anonymous_row``."""
    unlinked: Unlinked = []
    for table, column, ondelete in references_to_telegram_id():
        where = table.c[column] == telegram_id
        if ondelete == "CASCADE":
            await session.execute(delete(table).where(where))
            continue
        [key] = table.primary_key.columns
        ids = list(await session.scalars(select(key).where(where)))
        if ids:
            await session.execute(update(table).where(key.in_(ids)).values({column: None}))
            unlinked.append((table, column, ids))
    return unlinked


async def point_at_anonymous_row(
    session: AsyncSession, unlinked: Unlinked, anonymous_id: int
) -> None:
    """Unlinked rows (training places, self-assessments) point at the anonymised ``users``
    row, so one erased person who came to two courses is still one person in the M&E report
    (and still nobody in particular)."""
    for table, column, ids in unlinked:
        [key] = table.primary_key.columns
        await session.execute(update(table).where(key.in_(ids)).values({column: anonymous_id}))
