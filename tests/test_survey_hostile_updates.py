"""Whatever a resident (or a forger) sends, in any order, the survey never breaks: no
handler failure, at most one submission, and every stored answer is one the form accepts."""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import build_engine
from bot.engine.events import Event, EventKind
from bot.engine.flood import MemoryFloodGuard
from bot.engine.session import MemorySessionStore
from core.i18n import translate
from formengine.runtime import Run
from formengine.store import load_version
from storage import surveys
from storage.db import Database
from storage.surveys import SurveySubmission
from tests.support.chat import Chat
from tests.support.given import given_places
from tests.support.settings import settings_for_tests

FAILURE = translate("en", "Sorry, something went wrong on our side.")[:20]

PRESS_LAST = st.tuples(st.just("press_last"), st.integers(min_value=0, max_value=40))
ACTIONS = st.one_of(
    PRESS_LAST,  # twice as likely: a button of the newest message, so surveys get somewhere
    PRESS_LAST,
    st.tuples(st.just("press"), st.integers(min_value=0, max_value=40)),
    st.tuples(
        st.just("text"),
        st.sampled_from(
            [
                "٣٤",
                "Thala",
                "thala",
                "",
                " ",
                "x" * 2500,
                "/menu",
                "/surveys",
                "/help",
                "=1+1",
                "24/11/2026",
                "-5",
                "🙂",
                "/start survey_needs_survey_thala",
            ]
        ),
    ),
    st.tuples(st.just("sticker"), st.just(0)),
    st.tuples(st.just("location"), st.just(0)),
    st.tuples(st.just("photo"), st.just(0)),
    st.tuples(st.just("menu_entry"), st.just(0)),
    st.tuples(
        st.just("forged"),
        st.sampled_from(
            ["1:a:0", "999:r:3", "g:sv:nothing", "g:sp:x", "7:e:99", "3:pg:-1", "g:pr:0:-", "0:ok"]
        ),
    ),
    st.tuples(st.just("replay"), st.just(0)),
)


# A resident's honest answers, as steps: "[label]" presses a button, anything else is typed.
HONEST = [
    "[Continue ▶]",
    "[Thala]",
    "[25 to 34]",
    "[Woman]",
    "[Health]",
    "[Education]",
    "[Housing]",
    "No water in summer",
    "[No]",
]


async def play(actions: list[tuple[str, object]], honest_steps: int = 0) -> int:
    """Play the actions; returns how many submissions were stored."""
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'h.sqlite'}")
        await db.create_all()
        await given_places(db)
        engine = build_engine(
            settings_for_tests(), db, store=MemorySessionStore(), flood=MemoryFloodGuard(10**6, 1)
        )
        chat = Chat(engine, language="en")
        await chat.onboard("en")
        await chat.send("/menu")
        await chat.press("Needs survey: tell us what your district needs")
        for step in HONEST[:honest_steps]:
            await (chat.press(step[1:-1]) if step.startswith("[") else chat.send(step))
        update_ids = itertools.count(500_000)
        last_event: Event | None = None
        try:
            for kind, arg in actions:
                messages = [m for m in chat.sim.messenger.chat(chat.user_id).messages if m.buttons]
                replies: list[object] = []
                if kind in ("press", "press_last") and messages:
                    message = (
                        messages[-1]
                        if kind == "press_last"
                        else messages[
                            int(arg) % len(messages)  # type: ignore[call-overload]
                        ]
                    )
                    buttons = [b for row in message.buttons or [] for b in row]
                    button = buttons[int(arg) % len(buttons)]  # type: ignore[call-overload]
                    last_event = Event(
                        chat.user_id,
                        chat.user_id,
                        EventKind.BUTTON,
                        payload=button.payload,
                        callback_id="cb",
                        message_id=message.message_id,
                        update_id=next(update_ids),
                    )
                    replies = await engine.handle(last_event)
                    await chat.sim.messenger.deliver(last_event, replies)  # type: ignore[arg-type]
                elif kind == "text":
                    await chat._feed(str(arg)) if str(arg).strip() else None
                elif kind == "sticker":
                    await chat.send_sticker()
                elif kind == "location":
                    await chat.share_location(35.2, 8.7)
                elif kind == "photo":
                    await chat.send_photo()
                elif kind == "menu_entry":
                    await chat.send("/menu")
                    await chat.press("Needs survey: tell us what your district needs")
                elif kind == "forged":
                    event = Event(
                        chat.user_id,
                        chat.user_id,
                        EventKind.BUTTON,
                        payload=str(arg),
                        callback_id="f",
                        message_id=1,
                        update_id=next(update_ids),
                    )
                    replies = await engine.handle(event)
                elif kind == "replay" and last_event is not None:
                    assert await engine.handle(last_event) == []
                texts = [str(getattr(r, "text", "")) for r in chat.last] + [
                    str(getattr(getattr(r, "reply", None), "text", "")) for r in replies
                ]
                assert not any(FAILURE in t for t in texts), texts
            async with db.reader() as s:
                rows = list(await s.scalars(select(SurveySubmission)))
                assert len(rows) <= 1
                for row in rows:
                    form = await load_version(s, row.version_pk)
                    assert form is not None
                    answers = await surveys.submission_answers(s, row.id)
                    run = Run(form, dict(answers), language="en")
                    for name, value in answers.items():
                        assert run.check(form.question(name), value) is None, (name, value)
                    assert run.first_gap() is None
                return len(rows)
        finally:
            await db.dispose()


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(ACTIONS, min_size=5, max_size=60),
    st.sampled_from([len(HONEST), 0, 3, 6, len(HONEST) - 1]),
)
def test_random_updates_never_break_the_survey(
    actions: list[tuple[str, object]], honest_steps: int
) -> None:
    submitted = asyncio.run(play(actions, honest_steps))
    event(f"submitted: {submitted}")
