"""Hypothesis plays a hostile (or just clumsy) user: any mix of button presses (live, stale and
forged), texts in any script, Arabic-Indic digits, emoji, 5,000-character messages, stickers,
photos, locations, contacts, edited messages, commands with odd arguments and re-delivered
updates. No handler may crash, every update gets an answer, and afterwards /cancel then /start
still work."""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import build_engine
from bot.channels.simulator import SimulatorMessenger
from bot.engine.engine import Engine
from bot.engine.events import Event, EventKind
from bot.engine.flood import MemoryFloodGuard
from bot.engine.replies import Toast
from bot.engine.session import MemorySessionStore
from core.clock import FixedClock
from core.i18n import LANGUAGE_NAMES, translate
from storage.db import Database
from tests.support.consultations import MONDAY_MORNING, hm, make_consultant
from tests.support.given import given_course_catalogue, given_places
from tests.support.settings import settings_for_tests

FAILURE = (
    "Sorry, something went wrong on our side. Your earlier answers are safe; "
    "please try again in a moment."
)
FAILURES = {translate(language, FAILURE) for language in LANGUAGE_NAMES}
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
MESSY_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=ARABIC_INDIC + "٫,. -/", min_size=1, max_size=8),
    st.sampled_from(["٣٤", "٢٫٥", "24/11/2026", "٢٤/١١/٢٠٢٦", "-1", "1e309", "NaN", "0", "99999"]),
    st.sampled_from(["😀", "👍🏽", "🇹🇳", "‏مرحبا‎", "\u200f", " ", "\n\n", "ماء وصحة"]),
    st.integers(min_value=4090, max_value=5000).map(lambda n: "ب" * n),
    st.sampled_from(["[Thala]", "@location 1,2", "/start survey_needs_survey_thala", "/"]),
)
FORGED = st.one_of(
    st.text(max_size=70),
    st.builds(lambda v, a: f"{v}:{a}", st.integers(-3, 10**13), st.text(max_size=20)),
    st.builds(lambda r, a: f"g:{r}:{a}", st.sampled_from(["m", "menu", "sv", "sp", "pd", "x"]),
              st.text(max_size=30)),
)  # fmt: skip


@dataclass
class World:
    engine: Engine
    messenger: SimulatorMessenger
    failures: list[str] = field(default_factory=list)
    update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    user_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(100_000))


class FailureLog(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


async def make_world(path: Path) -> World:
    db = Database(f"sqlite+aiosqlite:///{path / 'hostile.sqlite'}")
    await db.create_all()
    await given_places(db)
    await make_consultant(
        db,
        9002,
        "مستشار التخطيط",
        topics=("strategic_planning", "project_management", "me", "advocacy"),
        weekly=(("kasserine", 1, hm(9), hm(13)), ("sbeitla", 3, hm(9), hm(12))),
    )
    await make_consultant(
        db,
        9003,
        "مستشارة الإدارة المالية",
        topics=("financial_management", "fundraising", "hr", "governance", "archiving"),
        weekly=(("kasserine", 0, hm(9), hm(12, 30)), ("sbeitla", 2, hm(14), hm(17))),
        session_minutes=45,
    )
    await given_course_catalogue(db, MONDAY_MORNING)
    engine = build_engine(
        settings_for_tests(),
        db,
        clock=FixedClock(MONDAY_MORNING),
        store=MemorySessionStore(),
        flood=MemoryFloodGuard(10**6, 1.0),
    )
    messenger = SimulatorMessenger()
    engine.services.messenger = messenger
    world = World(engine, messenger)
    logging.getLogger("bot").addHandler(FailureLog(world.failures))
    return world


class Player:
    """One simulated user whose every update goes through the engine and the messenger."""

    def __init__(self, world: World, language: str) -> None:
        self.world = world
        self.user_id = next(world.user_ids)
        self.language = language
        self.sent: list[Event] = []

    def event(self, kind: EventKind, **fields: object) -> Event:
        return Event(
            self.user_id,
            self.user_id,
            kind,
            update_id=next(self.world.update_ids),
            language_code=self.language,
            first_name="Hypo",
            **fields,  # type: ignore[arg-type]
        )

    async def play(self, event: Event) -> list[str]:
        redelivered = event in self.sent
        self.sent.append(event)
        messenger = self.world.messenger
        before = len(messenger.records)
        outgoing = await self.world.engine.handle(event)
        await messenger.deliver(event, outgoing)
        texts = [str(r.get("text", "")) for r in messenger.records[before:]]
        assert not FAILURES & set(texts), (event, texts)
        if not redelivered:  # every update is answered (a re-delivery was answered already)
            answers = [o.reply for o in outgoing if event.callback_id or not isinstance(
                o.reply, Toast)]  # fmt: skip
            assert answers, event
        return texts

    def buttons(self, newest_only: bool) -> list[tuple[int, str]]:
        """(message_id, payload) of buttons on screen: the newest message's, or any."""
        messages = [m for m in self.world.messenger.chat(self.user_id).messages if m.buttons]
        if newest_only:
            messages = messages[-1:]
        return [
            (m.message_id, b.payload)
            for m in messages
            for row in m.buttons or []
            for b in row
            if b.payload
        ]


async def one_step(player: Player, data: st.DataObject) -> None:
    action = data.draw(
        st.sampled_from(
            ["live"] * 10 + ["stale", "forged", "text", "command", "other", "edit", "again"]
        )
    )
    if action in ("live", "stale") and player.buttons(action == "live"):
        message_id, payload = data.draw(st.sampled_from(player.buttons(action == "live")))
        event = player.event(
            EventKind.BUTTON, payload=payload, callback_id="cb", message_id=message_id
        )
    elif action == "forged":
        event = player.event(EventKind.BUTTON, payload=data.draw(FORGED), callback_id="cb")
    elif action == "command":
        names = [*sorted(player.world.engine.registry.commands), "nope", "START"]
        name, args = data.draw(st.sampled_from(names)), data.draw(MESSY_TEXT)
        event = Event.from_text(
            player.user_id, f"/{name} {args}".strip(), update_id=next(player.world.update_ids)
        )
    elif action == "other":
        kind = data.draw(st.sampled_from([EventKind.OTHER, EventKind.PHOTO, EventKind.LOCATION,
                                          EventKind.CONTACT]))  # fmt: skip
        extra: dict[str, object] = {
            EventKind.OTHER: {},
            EventKind.PHOTO: {"photo_file_id": "photo-1"},
            EventKind.LOCATION: {
                "latitude": data.draw(st.floats(-90, 90)),
                "longitude": data.draw(st.floats(-180, 180)),
            },
            EventKind.CONTACT: {
                "phone": data.draw(st.sampled_from(["+21698000000", "٠٩٨", "abc", "+1"])),
                "contact_user_id": data.draw(st.sampled_from([None, player.user_id, 1])),
            },
        }[kind]
        event = player.event(kind, **extra)
    elif action == "edit":
        event = player.event(EventKind.EDITED, text=data.draw(MESSY_TEXT))
    elif action == "again" and player.sent:
        event = data.draw(st.sampled_from(player.sent))  # Telegram re-delivers an update
    else:
        text = data.draw(MESSY_TEXT)
        event = player.event(EventKind.TEXT, text=text)
        if text.startswith("/"):
            event = Event.from_text(
                player.user_id, text, update_id=event.update_id, language_code=player.language
            )
    await player.play(event)


async def onboard(player: Player) -> None:
    """Choose a language and agree, then open the menu: conversations are one press away."""
    for _press in range(2):
        [(message_id, payload), *_rest] = player.buttons(newest_only=True)
        await player.play(
            player.event(EventKind.BUTTON, payload=payload, callback_id="cb", message_id=message_id)
        )


async def still_usable(player: Player) -> None:
    """/cancel then /start answer as they should, whatever came before."""
    assert await player.play(Event.from_text(player.user_id, "/cancel", update_id=next(
        player.world.update_ids)))  # fmt: skip
    texts = await player.play(
        Event.from_text(player.user_id, "/start", update_id=next(player.world.update_ids))
    )
    session = await player.world.engine.services.store.load(player.user_id)
    assert session is not None
    if session.language is not None and session.profile.get("consent"):
        expected = translate(session.language, "What would you like to do?")
    else:
        expected = translate("ar", "Please choose your language.")
    assert any(expected in text for text in texts), texts


def test_hostile_updates_never_break_a_conversation(tmp_path: Path) -> None:
    with asyncio.Runner() as runner:
        world = runner.run(make_world(tmp_path))

        # One world for every example (a world per example would cost seconds each), so
        # an example can meet what an earlier one left (a slot booked, a seat taken): drawn
        # at random, two examples sharing their first choices then saw different screens and
        # Hypothesis stopped with FlakyStrategyDefinition (1 run in 5). Derandomized, the
        # examples and the world they meet are the same on every run.
        @settings(
            max_examples=60,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(st.data())
        def play(data: st.DataObject) -> None:
            language = data.draw(st.sampled_from([*LANGUAGE_NAMES, "de", None]))
            player = Player(world, language or "")
            steps = data.draw(st.integers(min_value=1, max_value=40))

            async def scenario() -> None:
                start = data.draw(st.sampled_from(["nothing", "/start", "onboarded"]))
                if start != "nothing":
                    await player.play(Event.from_text(player.user_id, "/start", update_id=next(
                        world.update_ids)))  # fmt: skip
                if start == "onboarded":
                    await onboard(player)
                for _step in range(steps):
                    await one_step(player, data)
                await still_usable(player)

            runner.run(scenario())
            assert world.failures == [], world.failures

        play()
        runner.run(world.engine.services.db.dispose())
