"""The per-user flood limit: one polite answer, then silence until the window passes;
Telegram re-delivering an update never counts as the user flooding; and a resident tapping
steadily through a long survey is not a flood, while stickers at that pace are."""

from __future__ import annotations

from typing import Any

from bot.engine.events import Event
from bot.engine.flood import MemoryFloodGuard, RedisFloodGuard
from core.i18n import translate
from formengine.store import import_xlsform
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.given import given_places
from tests.support.xlsforms import choice_rows, xlsform_bytes

POLITE = "You are sending messages very quickly. Please wait a few seconds, then continue."


async def test_re_deliveries_do_not_count_and_a_flood_gets_one_polite_answer(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    await given_places(sqlite_db)
    engine = make_engine(sqlite_db, flood=MemoryFloodGuard(5, 60))

    def update(n: int) -> Event:
        return Event.from_text(77, "/help", update_id=n, language_code="fr")

    for n in range(1, 6):
        assert await engine.handle(update(n))
        for _again in range(3):  # Telegram lost our acknowledgement and sends it again
            assert await engine.handle(update(n)) == []
    refused = [await engine.handle(update(n)) for n in range(6, 10)]
    assert [[o.reply.text for o in r] for r in refused] == [  # type: ignore[attr-defined]
        [translate("fr", POLITE)],
        [],
        [],
        [],
    ]


class Thumb:
    """The flood guard's clock: each update comes ``step`` seconds after the one before."""

    def __init__(self, step: float) -> None:
        self.step, self.now = step, 0.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


async def long_survey_chat(db: Database, make_engine: EngineFactory, thumb: Thumb) -> Chat:
    await given_places(db)
    survey = [
        {"type": "select_one yn", "name": f"q{n}", "label": f"Question {n}?", "required": "yes"}
        for n in range(1, 91)
    ]
    survey.append({"type": "select_multiple yn", "name": "both", "label": "Tick what applies"})
    async with db.transaction() as s:
        await import_xlsform(
            s,
            xlsform_bytes(
                survey, choice_rows("yn", ("yes", "Yes"), ("no", "No")), {"form_id": "long_form"}
            ),
        )
    engine = make_engine(db, flood=MemoryFloodGuard(20, 10, 60, clock=thumb))
    chat = Chat(engine, language="en")
    await chat.onboard("en")
    await chat.send("/start survey_long_form")
    return chat


async def test_a_resident_tapping_through_a_long_survey_is_not_taken_for_a_flood(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    thumb = Thumb(0.3)  # a fast thumb: three answers a second, for 90 questions
    chat = await long_survey_chat(sqlite_db, make_engine, thumb)
    for n in range(1, 91):
        assert chat.said(f"Question {n}?"), chat.screen()
        await chat.press("Yes")
        assert not chat.said(POLITE)
    await chat.press("Yes")
    await chat.press("Done ✔")
    assert chat.said("Please check your answers:")
    await chat.press("✅ Send my answers")
    assert chat.said("Thank you! Your answers were received.")

    # The same pace of stickers is a flood: one polite answer, then silence.
    polite = []
    for _sticker in range(25):
        await chat.send_sticker()
        polite.append(chat.said(POLITE))
    assert polite == [False] * 20 + [True] + [False] * 4
    assert chat.texts == []


async def test_mashing_a_button_much_faster_than_anyone_reads_still_meets_the_limit(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    thumb = Thumb(0.3)
    chat = await long_survey_chat(sqlite_db, make_engine, thumb)
    for _n in range(90):
        await chat.press("Yes")
    assert chat.said("Tick what applies")
    thumb.now += 60  # a pause: the taps so far are out of the window
    thumb.step = 0.05  # then twenty presses a second
    refused = []
    for _press in range(70):
        label = "✅ Yes" if "✅ Yes" in chat.buttons() else "Yes"
        await chat.press(label)
        refused.append(chat.said(POLITE))
    assert refused.index(True) == 60 and refused.count(True) == 1


async def test_workers_sharing_redis_count_taps_apart_from_messages(redis_client: Any) -> None:
    prefix = f"{redis_client.test_prefix}flood:"
    guard = RedisFloodGuard(redis_client, 2, 3600, 4, prefix=prefix)
    taps = [await guard.check(5, tap=True) for _tap in range(6)]
    assert taps == [(True, False)] * 4 + [(False, True), (False, False)]
    messages = [await guard.check(5) for _message in range(3)]
    assert messages == [(True, False), (True, False), (False, True)]
