""" "You said, we did": what the programme did about a district's priority, told to the
residents of that district who took part in the survey round.

An update names the survey form and its round, the district and the sector (a choice of
the form's priority question), a status (planned, started, done) and a short text in
Arabic, English and French. Announcing it writes one broadcast per language through the
ordinary outbox (audience kind ``wedid``): the residents whose submission to that round
gave that district and who read that language, unless they turned announcements off,
stopped all messages, blocked the bot or erased their data (``reachable_users``).

The labels of the statuses and the message a participant receives (``update_message``) are
here too: the admin writes the message when staff record an update, the bot's /priorities
shows the same lines under a district's priorities.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from core.i18n import N_, _, use_language
from storage import broadcasts
from storage.base import Base, BigId, UTCDateTime
from storage.broadcasts import CAPTION_MAX_CHARS
from storage.people import User
from storage.priorities import PriorityGroup, group_lines
from storage.surveys import ROUND_MAX, SurveyForm, SurveySubmission

MAX_TEXT_CHARS = 600
MAX_PHOTO_BYTES = 5 * 1024 * 1024  # Telegram takes photos up to 10 MB
PHOTO_TYPES = {b"\xff\xd8\xff": ("jpg", "image/jpeg"), b"\x89PNG\r\n\x1a\n": ("png", "image/png")}
LANGUAGES = ("ar", "en", "fr")
AUDIENCE = "wedid"


class Status(StrEnum):
    PLANNED = "planned"
    STARTED = "started"
    DONE = "done"


STATUS_LABELS = {
    Status.PLANNED: N_("🗓 planned"),
    Status.STARTED: N_("🚧 started"),
    Status.DONE: N_("✅ done"),
}


class ProgrammeUpdate(Base):
    __tablename__ = "programme_updates"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'started', 'done')", name="status"),
        Index("ix_programme_updates_form_district", "form_id", "district_code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_key: Mapped[str] = mapped_column(String(80), unique=True)
    form_id: Mapped[str] = mapped_column(String(40))
    round: Mapped[str] = mapped_column(String(ROUND_MAX), default="")
    district_code: Mapped[str] = mapped_column(
        ForeignKey("districts.code", ondelete="CASCADE"), index=True
    )
    sector: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8))
    text_ar: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    text_fr: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    # The optional photo staff attached (a JPEG or PNG in the file store, storage.files).
    photo_key: Mapped[str] = mapped_column(String(255), default="", server_default="")

    def text(self, language: str) -> str:
        return {"ar": self.text_ar, "fr": self.text_fr}.get(language, self.text_en)


def participants(values: tuple[str, ...]) -> Select[Any]:
    """values: (form id, round, district, language): the reachable residents reading that
    language whose submission to that round of the form gave that district."""
    form_id, round_label, district, language = [*values, "", "", "", ""][:4]
    took_part = (
        select(SurveySubmission.respondent_id)
        .join(SurveyForm, SurveyForm.id == SurveySubmission.form_pk)
        .where(
            SurveyForm.form_id == form_id,
            SurveySubmission.round == round_label,
            SurveySubmission.district_code == district,
            SurveySubmission.respondent_id.is_not(None),
        )
    )
    return broadcasts.reachable_users().where(
        User.language == language, User.telegram_id.in_(took_part)
    )


broadcasts.add_audience_kind(AUDIENCE, participants)


def photo_kind(data: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a JPEG or PNG, by its first bytes; None otherwise."""
    return next((kind for magic, kind in PHOTO_TYPES.items() if data.startswith(magic)), None)


def photo_key_for(update_id: int, data: bytes) -> str:
    kind = photo_kind(data)
    return f"wedid/{update_id}.{kind[0] if kind else 'bin'}"


async def record(
    session: AsyncSession,
    *,
    request_key: str,
    form_id: str,
    round_label: str,
    district_code: str,
    sector: str,
    status: str,
    texts: dict[str, str],
    staff_id: int | None,
    now: datetime,
) -> tuple[ProgrammeUpdate, bool]:
    """The update (and True when it is new); the same request key gives back the same one."""
    existing = await session.scalar(
        select(ProgrammeUpdate).where(ProgrammeUpdate.request_key == request_key)
    )
    if existing is not None:
        return existing, False
    if status not in set(Status) or any(
        not texts.get(lang, "").strip() or len(texts[lang]) > MAX_TEXT_CHARS for lang in LANGUAGES
    ):
        raise ValueError("bad update")
    update = ProgrammeUpdate(
        request_key=request_key,
        form_id=form_id,
        round=round_label,
        district_code=district_code,
        sector=sector,
        status=status,
        text_ar=texts["ar"],
        text_en=texts["en"],
        text_fr=texts["fr"],
        created_by=staff_id,
        created_at=now,
    )
    session.add(update)
    await session.flush()
    return update, True


async def announce(
    session: AsyncSession,
    update: ProgrammeUpdate,
    messages: dict[str, str],
    *,
    staff_telegram_id: int,
    now: datetime,
) -> int:
    """One broadcast per language (``messages``: the text each language receives); the
    number of recipients counted now (the outbox computes them again when it sends)."""
    total = 0
    for language in LANGUAGES:
        audience = broadcasts.Audience(
            AUDIENCE, (update.form_id, update.round, update.district_code, language)
        )
        count = await broadcasts.count_audience(session, audience)
        if not count:
            continue
        broadcast = await broadcasts.create_broadcast(
            session,
            created_by=staff_telegram_id,
            text=messages[language],
            audience=audience,
            send_at=now,
            request_key=f"wedid:{update.id}:{language}",
            photo_key=update.photo_key,
        )
        broadcast.progress_chat_id = None
        total += count
    update.recipients = total
    await session.flush()
    return total


async def updates_for(
    session: AsyncSession, form_id: str, district_code: str | None = None
) -> list[ProgrammeUpdate]:
    query = select(ProgrammeUpdate).where(ProgrammeUpdate.form_id == form_id)
    if district_code is not None:
        query = query.where(ProgrammeUpdate.district_code == district_code)
    rows = await session.scalars(query.order_by(ProgrammeUpdate.created_at.desc()))
    return list(rows)


# --- what residents read ---------------------------------------------------------------------


def update_line(update: ProgrammeUpdate, labels: dict[str, str], language: str) -> str:
    """'Water and sanitation (✅ done): the new pipe reaches the school.' (``labels``: the
    sectors' labels in ``language``)."""
    return _("{sector} ({status}): {text}").format(
        sector=labels.get(update.sector, update.sector),
        status=_(STATUS_LABELS[Status(update.status)]),
        text=update.text(language),
    )


def update_message(
    update: ProgrammeUpdate,
    labels: dict[str, str],
    language: str,
    district_name: str,
    group: PriorityGroup | None,
    *,
    as_caption: bool = False,
) -> str:
    """What a participant of the district receives, in their language (``labels``: the
    sectors' labels in that language); as a photo's caption it keeps within Telegram's 1,024
    characters (the ranking goes first, then the thanks)."""
    with use_language(language):
        lines = [
            _("📣 You said, we did — {district}").format(district=district_name),
            "",
            update_line(update, labels, language),
        ]
        if group is not None:
            lines += ["", _("Your district's priorities today:"), *group_lines(group, labels, 3)]
        thanks = ["", _("Thank you for taking part in the survey.")]
        text = "\n".join(lines + thanks)
        if as_caption and len(text) > CAPTION_MAX_CHARS:
            text = "\n".join(lines[:3] + thanks)
        return text[:CAPTION_MAX_CHARS] if as_caption else text
