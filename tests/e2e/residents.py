"""Many residents answering the needs survey at once through the fake Telegram server.

Each resident has a ``Plan`` (language and answers); ``Resident.play`` walks it one action at
a time, waiting after each for the bot's screen that offers the next button (so it never
presses a button drawn for an earlier step). ``Inboxes`` lets hundreds of residents wait on
their own chat without waking each other. Used by the end-to-end tests and by bench/.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.i18n import LANGUAGE_NAMES, translate
from formengine.loader import load_xlsform
from formengine.store import NEEDS_SURVEY, SHIPPED
from tests.fakes.bot_api import FakeBotApi, SentRecord

NEEDS = load_xlsform(SHIPPED[NEEDS_SURVEY])
SECTORS = [c.name for c in NEEDS.choices_of(NEEDS.question("top_sectors"))]
DISTRICTS = [c.name for c in NEEDS.choices_of(NEEDS.question("district"))]
AGE_GROUPS = [c.name for c in NEEDS.choices_of(NEEDS.question("age_group"))]
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
NEEDS_TEXTS = {
    "ar": "المستوصف بلا طبيب {n} أيام في الأسبوع، والطريق إلى المدرسة غير معبّد",
    "en": "The clinic has no doctor {n} days a week and the school road is not paved",
    "fr": "Le dispensaire est sans médecin {n} jours par semaine",
}
SURVEY_ENTRY = "Needs survey: tell us what your district needs"  # in the menu
SEND_LABEL = "✅ Send my answers"
SENT_LABEL = "See my district's priorities"  # the button under the final thank-you
STEPS = 14  # updates a resident sends from /start to the thank-you
# Messages the bot sends them meanwhile: the language prompt, the welcome, the menu, the
# survey's intro, its first question, the question after the typed answer, the thank-you.
# The other replies are edits: a pressed answer turns its message into the next question.
MESSAGES = 7


def choice_label(question: str, name: str, language: str) -> str:
    found = NEEDS.choice(NEEDS.question(question), name)
    assert found is not None, (question, name)
    return found.text(language)


def buttons_of(record: SentRecord) -> list[str]:
    markup = record.params.get("reply_markup")
    if not isinstance(markup, dict):
        return []
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


@dataclass(frozen=True)
class Plan:
    """What one resident will answer."""

    user_id: int
    language: str
    district: str
    age_group: str
    gender: str | None  # None: skipped
    ranking: tuple[str, str, str]
    needs: str
    volunteer: str = "no"

    @classmethod
    def random(cls, user_id: int, rng: random.Random) -> Plan:
        language = rng.choice(list(LANGUAGE_NAMES))
        days = str(rng.randint(2, 6))
        digits = days.translate(ARABIC_INDIC) if language == "ar" else days
        return cls(
            user_id=user_id,
            language=language,
            district=rng.choice(DISTRICTS),
            age_group=rng.choice(AGE_GROUPS),
            gender=rng.choice(["female", "male", "prefer_not", None]),
            ranking=tuple(rng.sample(SECTORS, 3)),  # type: ignore[arg-type]
            needs=NEEDS_TEXTS[language].format(n=digits),
        )

    def expected_answers(self) -> dict[str, str]:
        """The answers the database should hold for this resident (question -> values)."""
        answers = {
            "district": self.district,
            "age_group": self.age_group,
            "top_sectors": " ".join(self.ranking),
            "specific_needs": self.needs,
            "volunteer": self.volunteer,
        }
        if self.gender is not None:
            answers["gender"] = self.gender
        return answers

    def t(self, message: str) -> str:
        return translate(self.language, message)

    def actions(self) -> list[tuple[str, str, str]]:
        """(kind, what, the next screen's button) for each step: kind is "text" or "press"."""
        lang = self.language
        sectors = [choice_label("top_sectors", s, lang) for s in self.ranking]
        gender = choice_label("gender", self.gender, lang) if self.gender else self.t("Skip ⏭")
        return [
            ("text", "/start", LANGUAGE_NAMES[lang]),
            ("press", LANGUAGE_NAMES[lang], self.t("I agree")),
            ("press", self.t("I agree"), self.t(SURVEY_ENTRY)),
            ("press", self.t(SURVEY_ENTRY), self.t("Continue ▶")),
            ("press", self.t("Continue ▶"), choice_label("district", self.district, lang)),
            ("press", choice_label("district", self.district, lang),
             choice_label("age_group", self.age_group, lang)),
            ("press", choice_label("age_group", self.age_group, lang), gender),
            ("press", gender, sectors[0]),
            ("press", sectors[0], sectors[1]),
            ("press", sectors[1], sectors[2]),
            ("press", sectors[2], self.t("Skip ⏭")),  # the free-text question
            ("text", self.needs, choice_label("volunteer", self.volunteer, lang)),
            ("press", choice_label("volunteer", self.volunteer, lang), self.t(SEND_LABEL)),
            ("press", self.t(SEND_LABEL), self.t(SENT_LABEL)),
        ]  # fmt: skip


class Inboxes:
    """Every chat's records as they arrive, and waiting for one chat only."""

    def __init__(self, api: FakeBotApi) -> None:
        self.records: dict[int, list[SentRecord]] = defaultdict(list)
        self._arrived: dict[int, asyncio.Event] = defaultdict(asyncio.Event)
        api.sent_listeners.append(self._on_sent)

    def _on_sent(self, record: SentRecord) -> None:
        self.records[record.chat_id].append(record)
        self._arrived[record.chat_id].set()

    def count(self, chat_id: int) -> int:
        return len(self.records[chat_id])

    async def wait(
        self,
        chat_id: int,
        predicate: Callable[[SentRecord], bool],
        since: int,
        timeout: float,  # noqa: ASYNC109
    ) -> SentRecord:
        arrived = self._arrived[chat_id]
        try:
            async with asyncio.timeout(timeout):
                while True:
                    arrived.clear()
                    for record in self.records[chat_id][since:]:
                        if predicate(record):
                            return record
                    await arrived.wait()
        except TimeoutError as exc:
            seen = [(r.method, str(r.params.get("text", ""))[:50], buttons_of(r))
                    for r in self.records[chat_id][-4:]]  # fmt: skip
            raise AssertionError(
                f"chat {chat_id}: nothing expected after {timeout}s; {seen}"
            ) from exc

    def messages(self, chat_id: int) -> list[SentRecord]:
        return [r for r in self.records[chat_id] if r.method in ("sendMessage", "sendDocument")]


@dataclass
class Resident:
    api: FakeBotApi
    inboxes: Inboxes
    plan: Plan
    step: int = 0  # the next action to take
    latencies: list[float] = field(default_factory=list)
    update_ids: list[int] = field(default_factory=list)
    _actions: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def user_id(self) -> int:
        return self.plan.user_id

    def act(self, kind: str, what: str) -> dict[str, Any]:
        if kind == "text":
            return self.api.user_sends_text(self.user_id, what)
        return self.api.user_presses_button(self.user_id, what)

    async def take_step(self, timeout: float = 120) -> None:  # noqa: ASYNC109
        self._actions = self._actions or self.plan.actions()  # labels translated once
        kind, what, expect = self._actions[self.step]
        since = self.inboxes.count(self.user_id)
        started = time.perf_counter()
        update = self.act(kind, what)
        self.update_ids.append(int(update["update_id"]))
        await self.inboxes.wait(
            self.user_id,
            lambda r: r.method in ("sendMessage", "editMessageText") and expect in buttons_of(r),
            since,
            timeout,
        )
        self.latencies.append(time.perf_counter() - started)
        self.step += 1

    async def play(self, until: int = STEPS, timeout: float = 120) -> None:  # noqa: ASYNC109
        while self.step < until:
            await self.take_step(timeout)

    @property
    def finished(self) -> bool:
        return self.step >= STEPS


def town(api: FakeBotApi, user_ids: range, seed: int = 7) -> tuple[Inboxes, list[Resident]]:
    """Residents with random plans (reproducible), known to the fake server."""
    rng = random.Random(seed)
    inboxes = Inboxes(api)
    residents = []
    for user_id in user_ids:
        plan = Plan.random(user_id, rng)
        api.add_user(user_id, first_name=f"Resident {user_id}", language_code=plan.language)
        residents.append(Resident(api, inboxes, plan))
    return inboxes, residents


async def stored_answers(database_url: str) -> dict[int, list[dict[str, str]]]:
    """Each respondent's needs-survey submissions (question -> values), from the database."""
    from sqlalchemy import select

    from storage import surveys
    from storage.db import Database

    db = Database(database_url)
    try:
        async with db.reader() as s:
            rows = list(await s.scalars(select(surveys.SurveySubmission)))
            found: dict[int, list[dict[str, str]]] = defaultdict(list)
            for row in rows:
                assert row.respondent_id is not None
                found[row.respondent_id].append(await surveys.submission_answers(s, row.id))
            return dict(found)
    finally:
        await db.dispose()
