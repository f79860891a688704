"""Reference lists shared by every area: districts and the support centre's branches."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class District(Base):
    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_ar: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, language: str) -> str:
        return {"ar": self.name_ar, "fr": self.name_fr}.get(language, self.name_en)


class Branch(Base):
    __tablename__ = "branches"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_ar: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, language: str) -> str:
        return {"ar": self.name_ar, "fr": self.name_fr}.get(language, self.name_en)


async def list_districts(session: AsyncSession) -> list[District]:
    rows = await session.scalars(
        select(District)
        .where(District.active.is_(True))
        .order_by(District.sort_order, District.code)
    )
    return list(rows)


async def list_branches(session: AsyncSession) -> list[Branch]:
    rows = await session.scalars(
        select(Branch).where(Branch.active.is_(True)).order_by(Branch.sort_order, Branch.code)
    )
    return list(rows)


async def upsert_district(
    session: AsyncSession, code: str, name_ar: str, name_en: str, name_fr: str, sort_order: int = 0
) -> District:
    district = await session.get(District, code)
    if district is None:
        district = District(code=code)
        session.add(district)
    district.name_ar, district.name_en, district.name_fr = name_ar, name_en, name_fr
    district.sort_order = sort_order
    district.active = True
    return district


async def upsert_branch(
    session: AsyncSession,
    code: str,
    name_ar: str,
    name_en: str,
    name_fr: str,
    address: str = "",
    sort_order: int = 0,
) -> Branch:
    branch = await session.get(Branch, code)
    if branch is None:
        branch = Branch(code=code)
        session.add(branch)
    branch.name_ar, branch.name_en, branch.name_fr = name_ar, name_en, name_fr
    branch.address, branch.sort_order, branch.active = address, sort_order, True
    return branch
