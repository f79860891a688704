"""Files a survey form attaches (CSV, XML, GeoJSON), kept with the form version they were
imported with, byte for byte: what ``select_one_from_file``, ``pulldata()`` and
``instance()`` read (the parsed rows are in the version's definition), and what a server
serving the form to ODK Collect or Enketo would list in its manifest."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId

CONTENT_TYPES = {".csv": "text/csv", ".xml": "text/xml", ".geojson": "application/geo+json"}


class SurveyFormMedia(Base):
    __tablename__ = "survey_form_media"
    __table_args__ = (UniqueConstraint("version_pk", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version_pk: Mapped[int] = mapped_column(
        ForeignKey("survey_form_versions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


@dataclass(frozen=True)
class MediaFile:
    name: str
    content_type: str
    size: int
    sha256: str


def content_type(name: str) -> str:
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return CONTENT_TYPES.get(suffix, "application/octet-stream")


async def replace_media(session: AsyncSession, version_pk: int, files: Mapping[str, bytes]) -> None:
    """The version's files are exactly ``files`` (name -> bytes) from now on."""
    await session.execute(delete(SurveyFormMedia).where(SurveyFormMedia.version_pk == version_pk))
    for name, data in sorted(files.items()):
        session.add(
            SurveyFormMedia(
                version_pk=version_pk,
                name=name[:255],
                content_type=content_type(name),
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                data=data,
            )
        )
    await session.flush()


async def list_media(session: AsyncSession, version_pk: int) -> list[MediaFile]:
    rows = await session.execute(
        select(
            SurveyFormMedia.name,
            SurveyFormMedia.content_type,
            SurveyFormMedia.size,
            SurveyFormMedia.sha256,
        )
        .where(SurveyFormMedia.version_pk == version_pk)
        .order_by(SurveyFormMedia.name)
    )
    return [MediaFile(*row) for row in rows]


async def read_media(session: AsyncSession, version_pk: int, name: str) -> bytes | None:
    return await session.scalar(
        select(SurveyFormMedia.data).where(
            SurveyFormMedia.version_pk == version_pk, SurveyFormMedia.name == name
        )
    )
