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
import fnmatch
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

from bot.cli.main import main as musharaka_main
from core.clock import FixedClock
from core.config import get_settings
from core.i18n import pgettext, translate, use_language
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
    from tests.support.given import given_places

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
        await given_places(db)
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

    def sees_ui(self, msgid: str, **values: object) -> None:
        """One of the bot's own messages, in the resident's language."""
        wanted = self.ui(msgid).format(**values) if values else self.ui(msgid)
        assert self.chat.said(wanted), (wanted, self.chat.texts)

    async def type(self, en: str, ar: str | None = None) -> None:
        await self.chat.send(self.t(en, ar if ar is not None else en))

    async def number(self, value: float) -> None:
        """Typed as a resident types it: Arabic-Indic digits in Arabic."""
        text = str(value)
        await self.chat.send(text.translate(ARABIC_DIGITS) if self.lang == "ar" else text)

    async def press(self, label: str) -> None:
        """A button by its label; numbers as the reader sees them (Arabic-Indic in Arabic)."""
        buttons = self.chat.buttons()
        if self.lang == "ar" and label.isascii() and label.isdigit():
            label = label.translate(ARABIC_DIGITS)
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
    iv.sees("Consent. Do you agree", "الموافقة. هل توافق")  # Collect's colour and bold: words
    await iv.choose("yes_no", "yes")
    iv.sees("Count everyone who ate from the same pot", "احسب كل من أكل من القِدر نفسه")
    await iv.refused(
        20, "A household has between 1 and 15 people.", "يتراوح عدد أفراد الأسرة بين 1 و15 شخصًا."
    )
    await iv.number(2)
    iv.sees("Member 1 of 2", "الفرد ١ من ٢")
    await iv.type("Amal", "أمل")
    iv.sees("Is Amal male or female?", "هل أمل ذكر أم أنثى؟")
    await iv.choose("sex", "female")
    await iv.refused(
        140,
        "The age of Amal must be between 0 and 110 years.",
        "يجب أن يكون عمر أمل بين 0 و110 سنوات.",
    )
    await iv.number(34)
    iv.sees("Highest level of education Amal completed?", "ما أعلى مستوى تعليمي أتمّه أمل؟")
    await iv.choose("edu", "secondary")
    iv.sees("Member 2 of 2", "الفرد ٢ من ٢")
    await iv.back()  # across the instances: the first member's education, kept
    iv.sees("Highest level of education Amal completed?", "ما أعلى مستوى تعليمي أتمّه أمل؟")
    await iv.choose("edu", "secondary")
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


async def wash_household(iv: Interview) -> Expected:
    await iv.refused(40, "Between 1 and 30 people.", "بين 1 و30 شخصًا.")
    await iv.number(5)
    iv.sees("Drinking water", "مياه الشرب")
    await iv.choose("source_cat", "unimproved")
    # The cascade: only the unimproved sources are offered.
    buttons = iv.chat.buttons()
    assert iv.label("source", "truck") in buttons
    assert iv.label("source", "public_tap") not in buttons
    await iv.choose("source", "truck")
    iv.sees("Going there, queueing and coming back.", "الذهاب والانتظار والعودة.")
    await iv.refused(
        700, "A round trip takes between 0 and 600 minutes.", "تستغرق الرحلة بين 0 و600 دقيقة."
    )
    await iv.number(45)
    await iv.back()  # to the source after all: it was the unprotected well
    await iv.back()
    iv.sees("Which source exactly?", "ما المصدر بالتحديد؟")
    await iv.choose("source", "unprotected_well")
    await iv.keep()  # the 45 minutes
    await iv.refused(
        0, "Please give between 0 and 2000 litres.", "يُرجى إدخال كمية بين 0 و2000 لتر."
    )
    await iv.number(62.5)
    await iv.choose("yes_no", "yes")
    await iv.tick("treatment", "boil", "chlorine")
    await iv.choose("latrine", "pit")
    await iv.send_answers()
    return Expected(
        {
            "hh_size": "5",
            "source_cat": "unimproved",
            "source": "unprotected_well",
            "minutes": "45",
            "litres": "62.5",
            "lpcd": "12.5",
            "treats": "yes",
            "treatment": "boil chlorine",
            "treatment/boil": "1",
            "treatment/filter": "0",
            "latrine": "pit",
            "improved": "no",
        }
    )


async def food_security(iv: Interview) -> Expected:
    iv.sees("Food eaten in the last 7 days", "الطعام المتناول خلال الأيام السبعة الماضية")
    await iv.refused(8, "A week has 0 to 7 days.", "يتراوح عدد أيام الأسبوع بين 0 و7.")
    days = {"fcs_cereals": 7, "fcs_pulses": 3, "fcs_veg": 5, "fcs_fruit": 1, "fcs_meat": 2,
            "fcs_dairy": 0, "fcs_sugar": 6, "fcs_oil": 7, "rcsi_less_pref": 3,
            "rcsi_borrow": 1, "rcsi_portion": 2, "rcsi_adults": 0, "rcsi_meals": 1}  # fmt: skip
    for n, value in enumerate(days.values()):
        await iv.number(value)
        if n == 1:  # Back to the cereals, kept
            await iv.back()
            await iv.back()
            iv.sees("did the household eat cereals, bread or potatoes?",
                    "تناولت الأسرة الحبوب أو الخبز أو البطاطا؟")  # fmt: skip
            await iv.keep()
            await iv.keep()
    # 7×2 + 3×3 + 5 + 1 + 2×4 + 0×4 + 6×0.5 + 7×0.5 = 43.5; rCSI 3 + 1×2 + 2 + 0×3 + 1 = 8
    # The form's last row, a note for everyone, is its closing words after sending.
    await iv.send_answers()
    iv.sees("Food consumption score: 43.5 (acceptable); reduced coping index: 8.",
            "درجة الاستهلاك الغذائي: 43.5 (acceptable)؛ مؤشر استراتيجيات التكيّف: 8.")  # fmt: skip
    wanted = {name: str(value) for name, value in days.items()}
    return Expected({**wanted, "fcs_score": "43.5", "fcs_cat": "acceptable", "rcsi_score": "8"})


async def shelter_nfi(iv: Interview) -> Expected:
    await iv.choose("shelter_type", "tent")
    await iv.choose("damage", "heavy")
    iv.sees("Take a photo of the main damage.", "التقط صورة للضرر الرئيسي.")
    await iv.chat.send_photo()
    await iv.skip()  # no photo from outside
    iv.sees("Where is the shelter?", "أين يقع المأوى؟")
    await iv.back()  # there is one from outside after all
    await iv.chat.send_photo()
    await iv.chat.share_location(35.1676, 8.8365)
    await iv.refused(25, "Between 0 and 20 rooms.", "بين 0 و20 غرفة.")
    await iv.number(2)
    await iv.tick("nfi", "blankets", "heater")
    await iv.number(3)
    await iv.send_answers()
    return Expected(
        {
            "shelter_type": "tent",
            "damage": "heavy",
            "damage_photo": "damage_photo-*.jpg",
            "outside_photo": "outside_photo-*.jpg",
            "location": "35.167600 8.836500 0 0",
            "_location_latitude": "35.1676",
            "rooms": "2",
            "nfi_missing": "blankets heater",
            "nfi_missing/kitchen": "0",
            "blankets": "3",
        }
    )


async def livelihoods(iv: Interview) -> Expected:
    with use_language(iv.lang):
        other = pgettext("or_other", "Other")
    await iv.press(other)
    assert iv.chat.said(iv.ui("Specify other.")), iv.chat.texts
    await iv.type("Selling bread at the market", "بيع الخبز في السوق")
    await iv.refused(
        0,
        "Please give an amount above 0 and below 100000.",
        "يُرجى إدخال مبلغ أكبر من 0 وأقل من 100000.",
    )
    await iv.number(850)
    await iv.tick("assets", "none", "land")
    iv.sees("'None' cannot be chosen with other assets.", "لا يمكن اختيار «لا شيء» مع أصول أخرى.")
    await iv.tick("assets", "none")  # untick "None"
    await iv.choose("yes_no", "yes")  # no livestock question: none owned
    await iv.number(1200)
    iv.sees("Why did you borrow?", "لماذا اقترضتم؟")
    await iv.back()
    await iv.back()
    iv.sees("Does the household have debts?", "هل على الأسرة ديون؟")
    await iv.choose("yes_no", "yes")
    await iv.keep()
    await iv.tick("debt_reason", "food", "rent")
    await iv.send_answers()
    return Expected(
        {
            "main_income": "other",
            "main_income_other": iv.t("Selling bread at the market", "بيع الخبز في السوق"),
            "income": "850",
            "assets": "land",
            "assets/none": "0",
            "livestock": "",
            "debt": "yes",
            "debt_amount": "1200",
            "debt_reason": "food rent",
        }
    )


async def health_access(iv: Interview) -> Expected:
    await iv.choose("yes_no", "yes")
    iv.sees("The last illness", "آخر مرض")
    iv.sees("When did it start?", "متى بدأ؟")
    await iv.refused(
        iv.t("30/11/2026", "٣٠/١١/٢٠٢٦"),
        "The date cannot be in the future.",
        "لا يمكن أن يكون التاريخ في المستقبل.",
    )
    await iv.type("15/11/2026", "١٥/١١/٢٠٢٦")
    iv.sees("Did the person seek care?", "هل طلب الشخص العلاج؟")
    assert iv.t("The last illness", "آخر مرض") not in iv.chat.last_text  # the heading: once
    await iv.choose("yes_no", "yes")
    await iv.choose("facility", "public")
    await iv.type("16/11/2026 10:15", "١٦/١١/٢٠٢٦ ١٠:١٥")
    iv.sees("At what time does the nearest clinic open?", "في أي ساعة يفتح أقرب مركز صحي؟")
    await iv.back()  # it was the hospital
    await iv.back()
    await iv.choose("facility", "hospital")
    await iv.keep()
    await iv.type("08:00", "٠٨:٠٠")
    await iv.number(12)
    await iv.send_answers()
    return Expected(
        {
            "ill": "yes",
            "ill_date": "2026-11-15",
            "sought_care": "yes",
            "facility": "hospital",
            "seen_at": "2026-11-16T10:15:00.000+01:00",
            "barrier": "",
            "clinic_opens": "08:00:00.000+01:00",
            "travel_cost": "12",
        }
    )


async def community_needs_ki(iv: Interview) -> Expected:
    await iv.choose("ki_role", "teacher")
    # 320 villages: typed, not paged. «راس» finds «رأس» (hamza folded).
    await iv.type("ras en-nour", "راس النور")
    await iv.press(iv.t("Ras En-Nour", "رأس النور"))
    iv.sees("About how many households live in Ras En-Nour (1198 people on our list)?",
            "كم أسرة تقريبًا تعيش في رأس النور (1198 نسمة في قائمتنا)؟")  # fmt: skip
    await iv.refused(
        2000,
        "There cannot be more households than the 1198 people on our list.",
        "لا يمكن أن يفوق عدد الأسر عدد السكان في قائمتنا (1198 نسمة).",
    )
    await iv.number(240)
    await iv.back()
    await iv.keep()
    await iv.tick("sectors", "water", "school")
    await iv.type("The school has no water", "لا يوجد ماء في المدرسة")
    await iv.send_answers()
    return Expected(
        {
            "ki_role": "teacher",
            "village": "v0905",
            "population": "1198",
            "households": "240",
            "priorities": "water school",
            "comments": iv.t("The school has no water", "لا يوجد ماء في المدرسة"),
        }
    )


async def admin_cascade(iv: Interview) -> Expected:
    await iv.choose("governorate", "kasserine")
    buttons = iv.chat.buttons()
    assert iv.label("delegation", "sbeitla") in buttons
    assert iv.label("delegation", "regueb") not in buttons
    await iv.choose("delegation", "sbeitla")
    assert iv.label("sector", "bouzguem") not in iv.chat.buttons()
    await iv.choose("sector", "el_khadra")
    await iv.refused(6000, "Between 0 and 5000 families.", "بين 0 و5000 عائلة.")
    await iv.back()
    await iv.choose("sector", "sbeitla_west")
    await iv.number(120)
    await iv.send_answers()
    return Expected(
        {
            "governorate": "kasserine",
            "delegation": "sbeitla",
            "sector": "sbeitla_west",
            "families": "120",
        }
    )


async def youth_skills(iv: Interview) -> Expected:
    await iv.refused(
        12, "This programme is for people aged 15 to 35.", "هذا البرنامج للأشخاص بين 15 و35 سنة."
    )
    await iv.number(22)
    await iv.choose("skill", "teaching")
    assert iv.label("skill", "teaching") not in iv.chat.buttons()  # already ranked first
    await iv.choose("skill", "first_aid")
    assert iv.label("skill", "first_aid") not in iv.chat.buttons()
    await iv.choose("skill", "it")
    await iv.back()
    iv.sees("And third?", "وفي المرتبة الثالثة؟")
    await iv.choose("skill", "cooking")
    await iv.tick("days", "saturday")
    await iv.refused(
        "12345", "Please type the 8 digits of the number.", "يُرجى كتابة أرقام الهاتف الثمانية."
    )
    await iv.type("98765432")
    await iv.send_answers()
    return Expected(
        {
            "age": "22",
            "skill_1": "teaching",
            "skill_2": "first_aid",
            "skill_3": "cooking",
            "days": "saturday",
            "phone": "98765432",
        }
    )


async def market_prices(iv: Interview) -> Expected:
    await iv.type("Souk El Jomaa", "سوق الجمعة")
    await iv.tick("item", "bread", "oil", "lentils")
    iv.sees("Item 1 of 3", "المادة ١ من ٣")
    iv.sees("Price of Bread", "سعر الخبز")
    await iv.refused(
        0, "A price above 0 and at most 200 dinars.", "سعر أكبر من 0 ولا يتجاوز 200 دينار."
    )
    await iv.number(0.35)
    await iv.press("5")
    iv.sees("Price of Vegetable oil", "سعر الزيت النباتي")
    await iv.number(4.2)
    await iv.press("3")
    await iv.back()
    await iv.back()
    iv.sees("Price of Vegetable oil", "سعر الزيت النباتي")
    await iv.keep()
    await iv.press("3")
    iv.sees("Item 3 of 3", "المادة ٣ من ٣")
    iv.sees("Price of Lentils", "سعر العدس")
    await iv.number(3.8)
    await iv.press("2")
    # Tomatoes were on sale too: ticked in the review, their price is asked before it.
    await iv.press(iv.ui("✏️ Change an answer"))
    await iv.press("2")
    await iv.tick("item", "tomatoes")
    iv.sees("Item 4 of 4", "المادة ٤ من ٤")
    iv.sees("Price of Tomatoes", "سعر الطماطم")
    await iv.number(1.5)
    await iv.press("4")
    await iv.send_answers()
    names = [iv.label("item", n) for n in ("bread", "oil", "lentils", "tomatoes")]
    return Expected(
        {"items": "bread oil lentils tomatoes", "n_prices": "4", "max_price": "4.2"},
        {
            "prices": [
                {"item": "bread", "item_name": names[0], "price": "0.35", "availability": "5"},
                {"item": "oil", "item_name": names[1], "price": "4.2", "availability": "3"},
                {"item": "lentils", "item_name": names[2], "price": "3.8", "availability": "2"},
                {"item": "tomatoes", "item_name": names[3], "price": "1.5", "availability": "4"},
            ]
        },
    )


async def community_priorities(iv: Interview) -> Expected:
    iv.sees("This discussion collects what the community needs most.",
            "يجمع هذا النقاش ما يحتاجه المجتمع المحلي أكثر من غيره.")  # fmt: skip
    await iv.go_on()
    await iv.ok()
    await iv.refused("ab", "Please type at least 3 letters.", "يُرجى كتابة 3 أحرف على الأقل.")
    await iv.type("Hay Ennour", "حي النور")
    iv.sees("How many people take part in the discussion in Hay Ennour?",
            "كم شخصًا يشارك في النقاش في حي النور؟")  # fmt: skip
    iv.sees("Count the people present in Hay Ennour now.", "احسب الحاضرين في حي النور الآن.")
    await iv.refused(
        1, "A group discussion has 2 to 60 people.", "يضم نقاش المجموعة من 2 إلى 60 شخصًا."
    )
    await iv.number(14)
    await iv.ok()  # the trigger
    await iv.choose("sector", "water")
    iv.sees("Why is Water the first priority?", "لماذا يأتي الماء في المرتبة الأولى؟")
    await iv.back()
    await iv.choose("sector", "jobs")
    iv.sees("Why is Jobs the first priority?", "لماذا يأتي التشغيل في المرتبة الأولى؟")
    await iv.type("Young people leave for the city", "الشباب يغادرون إلى المدينة")
    await iv.send_answers()
    iv.sees("Thank you, Hay Ennour: Jobs is recorded as your first priority.",
            "شكرًا لكم، حي النور: سُجّل التشغيل أولويتكم الأولى.")  # fmt: skip
    return Expected(
        {
            "consent": "OK",
            "community": iv.t("Hay Ennour", "حي النور"),
            "participants": "14",
            "read_list": "OK",
            "top_sector": "jobs",
            "top_name": iv.label("sector", "jobs"),
            "why": iv.t("Young people leave for the city", "الشباب يغادرون إلى المدينة"),
        }
    )


async def voice_feedback(iv: Interview) -> Expected:
    await iv.choose("service", "clinic")
    await iv.refused(9, "Please give a number from 1 to 5.", "يُرجى إعطاء رقم من 1 إلى 5.")
    await iv.number(2)
    iv.sees("Tell us in your own words what happened.", "أخبرنا بكلماتك ما الذي حدث.")
    await iv.type("They closed early")  # typed where a recording is asked: refused
    iv.sees_ui("Please send a voice note (hold the 🎤 button) or an audio file.")
    await iv.chat.send_voice()
    iv.sees_ui("Type your answer, or send a voice note (hold the 🎤 button).")
    if iv.lang == "ar":  # an Arabic speaker answers the text question by voice
        await iv.chat.send_voice()
    else:
        await iv.type("Open on Saturdays too")
    await iv.chat.send_document("receipt.pdf", "application/pdf", 3 * 1024 * 1024)
    iv.sees_ui("This file is too big ({size} MB). Please send one of at most {most} MB.",
               size=3, most=2)  # fmt: skip
    await iv.chat.send_document("receipt.pdf", "application/pdf", 50_000)
    iv.sees("A short video of the place, if you can.", "مقطع فيديو قصير للمكان إن أمكن.")
    await iv.back()
    await iv.keep()
    await iv.chat.send_video()
    await iv.send_answers()
    return Expected(
        {
            "service": "clinic",
            "satisfaction": "2",
            "story": "story-*.ogg",
            "suggestion": iv.t("Open on Saturdays too", "suggestion-*.ogg"),
            "document": "document-*.pdf",
            "clip": "clip-*.mp4",
        }
    )


SCRIPTS: dict[str, Script] = {
    "msna_household": msna_household,
    "wash_household": wash_household,
    "food_security": food_security,
    "shelter_nfi": shelter_nfi,
    "livelihoods": livelihoods,
    "health_access": health_access,
    "community_needs_ki": community_needs_ki,
    "admin_cascade": admin_cascade,
    "youth_skills": youth_skills,
    "market_prices": market_prices,
    "community_priorities": community_priorities,
    "voice_feedback": voice_feedback,
}


# --- the whole way, per form ------------------------------------------------------------------


def cell(row: dict[str, Any], name: str) -> str:
    """A question's cell, whatever group path KoBo's column name puts before it."""
    keys = [name] if name in row else [k for k in row if k.endswith(f"/{name}")]
    assert len(keys) == 1, (name, list(row))
    value = row[keys[0]]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)


def same(row: dict[str, Any], wanted: dict[str, str], where: str) -> None:
    """The row holds the answers (a `*` in a wanted value: a file's name, e.g. story-*.ogg)."""
    got = {name: cell(row, name) for name in wanted}
    for name, value in wanted.items():
        if "*" in value and fnmatch.fnmatchcase(got[name], value):
            got[name] = value
    assert got == wanted, where


def check_rows(rows: list[dict[str, Any]], expected: list[Expected], where: str) -> None:
    assert len(rows) == len(expected), where
    for row, wanted in zip(rows, expected, strict=True):
        same(row, wanted.main, where)


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


@pytest.mark.parametrize(
    "form", [f for f in FORMS if f.form_id in SCRIPTS], ids=lambda f: f.form_id
)
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
    for row, wanted in zip(csv_rows(csv_out), expected, strict=True):
        for name, value in wanted.main.items():  # photos, recordings, documents: kept
            if "*" in value:
                assert list(store.root.rglob(cell(row, name))), (name, cell(row, name))
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
                same(row, instance, f"{where} {repeat}")


def test_the_acceptance_forms_match_their_build_script() -> None:
    for path, data in build.build().items():
        assert path.read_bytes() == data, "run: python -m tests.acceptance_forms.build"
