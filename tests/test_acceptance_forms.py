"""Twelve XLSForms in the shapes of published household and needs-assessment forms
(tests/acceptance_forms/, built by its build.py) each go the whole way: `musharaka forms
import` through the command line (with --media for the form that attaches a CSV), one
complete interview in Arabic and one in English through the chat — each with a Back, an
answer the form's constraint refuses with its translated message, and the photos,
recordings and files the form asks for — then `musharaka forms export` as CSV and XLSX,
checked for the answers given (repeats on their own sheet and CSV)."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import os
import shutil
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.cli import main as musharaka_main
from bot.config import get_settings
from bot.engine.clock import FixedClock
from bot.i18n import translate
from storage import files
from storage.db import Database
from storage.files import LocalFileStore
from tests.acceptance_forms import build
from tests.acceptance_forms.build import FORMS, AcceptanceForm
from tests.conftest import EngineFactory
from tests.support.chat import Chat

NOW = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)  # 09:30 in Tunis
ARABIC_DIGITS = str.maketrans("0123456789.", "٠١٢٣٤٥٦٧٨٩٫")


@contextlib.contextmanager
def database_env(url: str) -> Iterator[None]:
    previous = os.environ.get("MUSHARAKA_DATABASE_URL")
    os.environ["MUSHARAKA_DATABASE_URL"] = url
    get_settings.cache_clear()
    try:
        yield
    finally:
        if previous is None:
            del os.environ["MUSHARAKA_DATABASE_URL"]
        else:
            os.environ["MUSHARAKA_DATABASE_URL"] = previous
        get_settings.cache_clear()


def musharaka(*argv: str) -> tuple[int, str, str]:
    """`musharaka ARGV...` through the command line's entry point, in this process (a
    subprocess per command would cost seconds each)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            musharaka_main(list(argv))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


@dataclass
class Imported:
    database: Path
    outputs: dict[str, str]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    """One database with the twelve forms imported by `musharaka forms import` (each test
    answers in its own copy)."""
    from bot.demo_data import seed_reference

    path = tmp_path_factory.mktemp("acceptance") / "forms.sqlite"
    outputs = {}
    with database_env(f"sqlite+aiosqlite:///{path}"):
        for form in FORMS:
            media = ["--media", str(form.media_dir)] if form.media else []
            code, out, err = musharaka("forms", "import", str(form.xlsx), *media)
            assert code == 0, err
            outputs[form.form_id] = out

    async def seed() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await seed_reference(db)
        await db.dispose()

    asyncio.run(seed())
    return Imported(path, outputs)


# --- the resident's side --------------------------------------------------------------------


class Interview:
    """One resident answering one form in one language, in the words they read."""

    def __init__(self, chat: Chat, form: AcceptanceForm, lang: str) -> None:
        self.chat, self.form, self.lang = chat, form, lang

    def t(self, en: str, ar: str) -> str:
        return ar if self.lang == "ar" else en

    def ui(self, msgid: str) -> str:
        return translate(self.lang, msgid)

    def sees(self, en: str, ar: str) -> None:
        wanted = self.t(en, ar)
        assert self.chat.said(wanted), (wanted, self.chat.texts)

    async def type(self, en: str, ar: str | None = None) -> None:
        await self.chat.send(self.t(en, ar if ar is not None else en))

    async def number(self, value: float) -> None:
        """Typed as a resident types it: Arabic-Indic digits in Arabic."""
        text = str(value)
        await self.chat.send(text.translate(ARABIC_DIGITS) if self.lang == "ar" else text)

    async def press(self, label: str) -> None:
        buttons = self.chat.buttons()
        for shown in (label, f"• {label}", f"✅ {label}"):
            if shown in buttons:
                await self.chat.press(shown)
                return
        raise AssertionError(f"no button {label!r} among {buttons}; on screen {self.chat.texts}")

    def label(self, list_name: str, name: str) -> str:
        return self.form.choice_label(list_name, name, self.lang)

    async def choose(self, list_name: str, name: str) -> None:
        await self.press(self.label(list_name, name))

    async def tick(self, list_name: str, *names: str, done: bool = True) -> None:
        for name in names:
            await self.press(self.label(list_name, name))
        if done:
            await self.done()

    async def done(self) -> None:
        await self.press(self.ui("Done ✔"))

    async def back(self) -> None:
        await self.press(self.ui("◀ Back"))

    async def keep(self) -> None:
        await self.press(self.ui("Keep this answer"))

    async def skip(self) -> None:
        await self.press(self.ui("Skip ⏭"))

    async def go_on(self) -> None:
        await self.press(self.ui("Continue ▶"))

    async def ok(self) -> None:
        await self.press(self.ui("OK"))

    async def refused(self, value: float | str, en: str, ar: str) -> None:
        """An answer the form's constraint refuses: its message, in the resident's language."""
        if isinstance(value, str):
            await self.chat.send(value)
        else:
            await self.number(value)
        self.sees(en, ar)

    async def send_answers(self) -> str:
        assert self.ui("Please check your answers:") in self.chat.last_text, self.chat.texts
        review = self.chat.last_text
        await self.press(self.ui("✅ Send my answers"))
        return review


@dataclass
class Expected:
    """What the export must hold for one interview: main-sheet cells by question name, and
    one dict per repeat instance."""

    main: dict[str, str]
    repeats: dict[str, list[dict[str, str]]] = field(default_factory=dict)


Script = Callable[[Interview], Awaitable[Expected]]


# --- the twelve interviews ------------------------------------------------------------------


async def msna_household(iv: Interview) -> Expected:
    t = iv.t
    await iv.choose("yes_no", "yes")
    iv.sees("Count everyone who ate from the same pot", "احسب كل من أكل من القِدر نفسه")
    await iv.refused(
        20, "A household has between 1 and 15 people.", "يتراوح عدد أفراد الأسرة بين 1 و15 شخصًا."
    )
    await iv.number(2)
    iv.sees("Member 1 of 2", "الفرد 1 من 2")
    await iv.type("Amal", "أمل")
    iv.sees("Is Amal male or female?", "هل أمل ذكر أم أنثى؟")
    await iv.choose("sex", "female")
    await iv.refused(
        140, "The age must be between 0 and 110 years.", "يجب أن يكون العمر بين 0 و110 سنوات."
    )
    await iv.number(34)
    iv.sees("Highest level of education Amal completed?", "ما أعلى مستوى تعليمي أتمّه أمل؟")
    await iv.choose("edu", "secondary")
    iv.sees("Member 2 of 2", "الفرد 2 من 2")
    await iv.type("Sami", "سامي")
    await iv.choose("sex", "male")
    await iv.number(4)
    # A four-year-old is not asked about education: the needs come next. Back, and keep.
    iv.sees("most pressing needs", "أكثر احتياجات الأسرة إلحاحًا")
    await iv.back()
    iv.sees("How old is Sami (years)?", "كم عمر سامي (بالسنوات)؟")
    await iv.keep()
    await iv.tick("needs", "food", "water", "shelter", "cash")
    iv.sees("Please choose at most 3 needs.", "يُرجى اختيار 3 احتياجات على الأكثر.")
    await iv.tick("needs", "cash")  # untick, then Done
    iv.sees(
        "2 members, 1 under 18, 1 women or girls.", "2 أفراد، منهم 1 دون 18 سنة و1 نساء أو فتيات."
    )
    await iv.go_on()
    await iv.send_answers()
    return Expected(
        {
            "consent": "yes",
            "hh_size": "2",
            "n_members": "2",
            "n_children": "1",
            "n_women": "1",
            "priority_needs": "food water shelter",
            "priority_needs/food": "1",
            "priority_needs/cash": "0",
            "today": "2026-11-24",
        },
        {
            "roster": [
                {"m_name": t("Amal", "أمل"), "m_sex": "female", "m_age": "34",
                 "m_edu": "secondary", "m_child": "0"},
                {"m_name": t("Sami", "سامي"), "m_sex": "male", "m_age": "4", "m_edu": "",
                 "m_child": "1"},
            ]
        },
    )  # fmt: skip


SCRIPTS: dict[str, Script] = {
    "msna_household": msna_household,
}


# --- the whole way, per form ------------------------------------------------------------------


def cell(row: dict[str, Any], name: str) -> str:
    """A question's cell, whatever group path KoBo's column name puts before it."""
    keys = [k for k in row if k == name or k.endswith(f"/{name}")]
    assert len(keys) == 1, (name, list(row))
    value = row[keys[0]]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)


def check_rows(rows: list[dict[str, Any]], expected: list[Expected], where: str) -> None:
    assert len(rows) == len(expected), where
    for row, wanted in zip(rows, expected, strict=True):
        got = {name: cell(row, name) for name in wanted.main}
        assert got == wanted.main, where


def sheet_rows(book: Any, name: str) -> list[dict[str, Any]]:
    values = list(book[name].iter_rows(values_only=True))
    return [dict(zip(values[0], line, strict=True)) for line in values[1:]]


def csv_rows(path: Path) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalFileStore]:
    local = LocalFileStore(tmp_path / "media")
    previous = files.use(local)
    yield local
    files.use(previous)


@pytest.mark.parametrize("form", [f for f in FORMS if f.form_id in SCRIPTS], ids=lambda f: f.form_id)
async def test_a_published_form_runs_from_import_through_arabic_and_english_interviews_to_export(
    form: AcceptanceForm,
    imported: Imported,
    make_engine: EngineFactory,
    store: LocalFileStore,
    tmp_path: Path,
) -> None:
    # The programme officer imported it with `musharaka forms import` (the module's fixture).
    printed = imported.outputs[form.form_id]
    assert f"{form.form_id} version {form.settings['version']}: created" in printed, printed
    assert "languages ar, en" in printed or "languages en, ar" in printed, printed
    for name in form.media:
        assert f"attached: {name}" in printed, printed

    path = tmp_path / "answers.sqlite"
    shutil.copy(imported.database, path)
    url = f"sqlite+aiosqlite:///{path}"
    db = Database(url)
    engine = make_engine(db, clock=FixedClock(NOW))
    engine.services.files = store
    expected = []
    try:
        for user_id, lang in ((1000, "ar"), (1001, "en")):
            chat = Chat(engine, user_id=user_id, language=lang)
            await chat.onboard(lang)
            await chat.send(f"/start survey_{form.form_id}")
            expected.append(await SCRIPTS[form.form_id](Interview(chat, form, lang)))
            assert chat.said(translate(lang, "✔ Sent.")), chat.texts
    finally:
        await db.dispose()

    # The export, as the coordinator runs it: the main table, then one table per repeat.
    with database_env(url):
        csv_out, xlsx_out = tmp_path / "out.csv", tmp_path / "out.xlsx"
        for fmt, out in (("csv", csv_out), ("xlsx", xlsx_out)):
            code, _printed, err = await asyncio.to_thread(
                musharaka, "forms", "export", form.form_id, "--format", fmt, "-o", str(out)
            )
            assert code == 0, err
    book = load_workbook(xlsx_out)
    repeats = list(expected[0].repeats)
    assert book.sheetnames == [form.form_id, *repeats]
    check_rows(csv_rows(csv_out), expected, "CSV")
    check_rows(sheet_rows(book, form.form_id), expected, "XLSX")
    for repeat in repeats:
        for where, rows in (
            ("CSV", csv_rows(tmp_path / f"out-{repeat}.csv")),
            ("XLSX", sheet_rows(book, repeat)),
        ):
            wanted = [
                (str(parent), instance)
                for parent, answers in enumerate(expected, start=1)
                for instance in answers.repeats[repeat]
            ]
            assert len(rows) == len(wanted), (where, repeat)
            for row, (parent, instance) in zip(rows, wanted, strict=True):
                assert cell(row, "_parent_index") == parent, (where, repeat)
                got = {name: cell(row, name) for name in instance}
                assert got == instance, (where, repeat)


def test_the_acceptance_forms_match_their_build_script() -> None:
    for path, data in build.build().items():
        assert path.read_bytes() == data, "run: python -m tests.acceptance_forms.build"
