"""Whatever a resident sends, in any order, to a form with the KoBo constructs the chat
now runs (repeats counted and open, one inside another, a geotrace, media, a range of
buttons, a dateTime, a field-list group): no handler failure, at most one submission, every
stored answer valid."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import build_engine
from bot.engine.flood import MemoryFloodGuard
from bot.engine.session import MemorySessionStore
from core.i18n import translate
from formengine.repeats import expand
from formengine.runtime import Run
from formengine.store import import_xlsform, load_version
from storage import files, surveys
from storage.db import Database
from storage.files import LocalFileStore
from storage.surveys import SurveySubmission
from tests.support.chat import Chat
from tests.support.given import given_places
from tests.support.settings import settings_for_tests
from tests.support.xlsforms import Row, choice_rows, xlsform_bytes

FAILURE = translate("en", "Sorry, something went wrong on our side.")[:20]
FORM: list[Row] = [
    {"type": "integer", "name": "n", "label": "How many?", "required": "yes",
     "constraint": ". >= 0 and . <= 3"},
    {"type": "begin repeat", "name": "person", "label": "Person", "repeat_count": "${n}"},
    {"type": "range", "name": "score", "label": "Score?", "parameters": "start=1 end=4",
     "required": "yes"},
    {"type": "begin repeat", "name": "item", "label": "Item"},
    {"type": "text", "name": "thing", "label": "Thing?", "required": "yes"},
    {"type": "end repeat"},
    {"type": "end repeat"},
    {"type": "begin group", "name": "g", "label": "Place", "appearance": "field-list"},
    {"type": "datetime", "name": "when", "label": "When?"},
    {"type": "geotrace", "name": "path", "label": "Path?"},
    {"type": "end group"},
    {"type": "begin repeat", "name": "note", "label": "Note"},
    {"type": "audio", "name": "voice", "label": "Say it", "required": "yes"},
    {"type": "select_one yn", "name": "ok", "label": "OK?"},
    {"type": "end repeat"},
    {"type": "file", "name": "doc", "label": "A file", "parameters": "max-size=1",
     "body::accept": ".pdf"},
]  # fmt: skip
ACTIONS = st.one_of(
    st.tuples(st.just("press_last"), st.integers(0, 20)),
    st.tuples(st.just("press_last"), st.integers(0, 20)),
    st.tuples(st.just("press"), st.integers(0, 40)),
    st.tuples(
        st.just("text"),
        st.sampled_from(
            [
                "2",
                "٣",
                "9",
                "",
                "x" * 2500,
                "24/11/2026 10:00",
                "35.1, 8.8",
                "/menu",
                "/surveys",
                "=1+1",
                "-1",
            ]
        ),
    ),
    st.tuples(
        st.sampled_from(["sticker", "location", "photo", "voice", "audio", "video", "videonote"]),
        st.just(0),
    ),
    st.tuples(st.just("document"), st.sampled_from(["a.pdf application/pdf 900", "b.exe x 9"])),
)


# An honest resident's way through, as steps: "[label]" presses, "@..." sends, else typed.
HONEST = [
    "1", "[2]", "pen", "[No, go on]", "24/11/2026 10:00", "@location 35.0,8.0",
    "@location 35.0,8.1", "[Done ✔]", "@voice", "[Yes]", "[No, go on]",
    "@document a.pdf application/pdf 900", "[✅ Send my answers]",
]  # fmt: skip


async def play(actions: list[tuple[str, object]], honest_steps: int = 0) -> int:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'h.sqlite'}")
        await db.create_all()
        await given_places(db)
        engine = build_engine(
            settings_for_tests(media_dir=Path(folder) / "media"),
            db,
            store=MemorySessionStore(),
            flood=MemoryFloodGuard(10**6, 1),
        )
        previous = files.use(LocalFileStore(Path(folder) / "media"))
        try:
            async with db.transaction() as s:
                await import_xlsform(
                    s,
                    xlsform_bytes(FORM, choice_rows("yn", ("yes", "Yes"), ("no", "No")),
                                  {"form_id": "hostile"}),
                )  # fmt: skip
            chat = Chat(engine, language="en")
            await chat.onboard("en")
            await chat.send("/start survey_hostile")
            for step in HONEST[:honest_steps]:
                await chat._feed(step)
                assert not any(FAILURE in t for t in chat.texts), chat.texts
            for kind, arg in actions:
                messages = [m for m in chat.sim.messenger.chat(chat.user_id).messages if m.buttons]
                if kind in ("press", "press_last"):
                    if not messages:
                        continue
                    message = (
                        messages[-1] if kind == "press_last" else messages[int(arg) % len(messages)]
                    )  # type: ignore[call-overload]
                    buttons = [b for row in message.buttons or [] for b in row]
                    await chat._feed(f"[{buttons[int(arg) % len(buttons)].label}]")  # type: ignore[call-overload]
                elif kind == "text":
                    if str(arg).strip():
                        await chat._feed(str(arg))
                elif kind == "location":
                    await chat.share_location(35.2, 8.7)
                elif kind == "document":
                    await chat._feed(f"@document {arg}")
                else:
                    await chat._feed(f"@{kind}")
                assert not any(FAILURE in t for t in chat.texts), chat.texts
            async with db.reader() as s:
                rows = list(await s.scalars(select(SurveySubmission)))
                assert len(rows) <= 1
                for row in rows:
                    form = await load_version(s, row.version_pk)
                    assert form is not None
                    answers = await surveys.submission_answers(s, row.id)
                    expanded = expand(form, dict(answers), "en")
                    run = Run(expanded, dict(answers), language="en")
                    for name, value in answers.items():
                        assert run.check(expanded.question(name), value) is None, (name, value)
                return len(rows)
        finally:
            files.use(previous)
            await db.dispose()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(ACTIONS, min_size=5, max_size=50), st.sampled_from([0, 3, 6, 9, len(HONEST)]))
def test_random_updates_never_break_a_kobo_form(
    actions: list[tuple[str, object]], honest_steps: int
) -> None:
    asyncio.run(play(actions, honest_steps))


def test_an_honest_resident_gets_through_the_whole_form() -> None:
    assert asyncio.run(play([], len(HONEST))) == 1
