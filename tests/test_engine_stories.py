"""Stories of residents meeting the bot for the first time, and of bad input."""

from __future__ import annotations

import re

from bot.engine.events import Event, EventKind
from core.i18n import translate
from tests.support.chat import Chat

ARABIC = re.compile(r"[\u0600-\u06FF]")


async def test_a_resident_starts_in_arabic_agrees_and_sees_the_menu_in_arabic(chat: Chat) -> None:
    await chat.send("/start")
    assert "العربية" in chat.buttons() and "English" in chat.buttons()
    assert ARABIC.search(chat.last_text)

    await chat.press("العربية")
    assert any("هل توافق؟" in t for t in chat.texts)

    await chat.press("أوافق")
    assert chat.said("ماذا تودّ أن تفعل؟")
    assert "اللغة" in chat.buttons()


async def test_a_resident_who_declines_is_not_kept_and_can_come_back(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("English")
    await chat.press("No, thanks")
    assert chat.said("Nothing about you is stored")
    await chat.send("/start")
    await chat.press("Français")
    await chat.press("J'accepte")
    assert chat.said("Que souhaitez-vous faire ?")


async def test_returning_resident_switches_language_with_the_menu_button(chat: Chat) -> None:
    await chat.onboard("ar")
    await chat.send("/start")
    assert chat.said("أهلًا بعودتك!")
    await chat.press("اللغة")
    await chat.press("English")
    assert chat.said("I will speak English with you.")
    await chat.send("/menu")
    assert chat.said("What would you like to do?")


async def test_bad_input_gets_a_translated_answer_and_changes_nothing(chat: Chat) -> None:
    await chat.onboard("ar")
    store = chat.sim.engine.services.store
    before = await store.load(chat.user_id)
    assert before is not None

    await chat.send_sticker()
    assert ARABIC.search(chat.last_text)
    await chat.send("x" * 5000)
    assert chat.said("طويلة جدًا")
    await chat.send("/nonsense")
    assert chat.said("لا أعرف هذا الأمر")
    await chat.send("٣٤")
    assert chat.said("/menu")

    after = await store.load(chat.user_id)
    assert after is not None
    assert (after.language, after.flow, after.profile) == (
        before.language,
        before.flow,
        before.profile,
    )


async def test_an_old_button_and_a_forged_button_do_nothing(chat: Chat) -> None:
    await chat.send("/start")
    english = chat.payload_of("English")
    await chat.press("العربية")  # the language question is answered: its buttons are now stale
    engine = chat.sim.engine
    session = await engine.services.store.load(chat.user_id)
    assert session is not None and session.flow is not None
    step_before = session.flow.step

    forged = (english, "999999:lang:en", "g:nowhere", "not-ours", "g:m:does-not-exist")
    for n, payload in enumerate(forged):
        event = Event(
            chat.user_id,
            chat.user_id,
            EventKind.BUTTON,
            payload=payload,
            callback_id="cb-x",
            message_id=1,
            update_id=10_000 + n,
        )
        replies = await engine.handle(event)
        assert [type(r.reply).__name__ for r in replies] == ["Toast"]
        assert ARABIC.search(replies[0].reply.text)  # type: ignore[union-attr]

    session = await engine.services.store.load(chat.user_id)
    assert session is not None and session.language == "ar"
    assert session.flow is not None and session.flow.step == step_before


async def test_a_double_tap_counts_once(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("العربية")
    agree = chat.payload_of("أوافق")
    engine = chat.sim.engine
    first = Event(
        chat.user_id,
        chat.user_id,
        EventKind.BUTTON,
        payload=agree,
        callback_id="a",
        message_id=2,
        update_id=500,
    )
    second = Event(
        chat.user_id,
        chat.user_id,
        EventKind.BUTTON,
        payload=agree,
        callback_id="b",
        message_id=2,
        update_id=501,
    )
    first_replies = await engine.handle(first)
    second_replies = await engine.handle(second)
    assert len(first_replies) >= 2
    assert [type(r.reply).__name__ for r in second_replies] == ["Toast"]
    assert second_replies[0].reply.text == translate(  # type: ignore[union-attr]
        "ar", "This button is from an earlier step and no longer works."
    )


async def test_a_redelivered_update_is_ignored(chat: Chat) -> None:
    engine = chat.sim.engine
    start = Event.from_text(chat.user_id, "/start", update_id=77)
    assert await engine.handle(start)
    session = await engine.services.store.load(chat.user_id)
    assert await engine.handle(start) == []
    assert await engine.services.store.load(chat.user_id) == session


async def test_edited_messages_and_group_chats(chat: Chat) -> None:
    engine = chat.sim.engine
    edited = Event(chat.user_id, chat.user_id, EventKind.EDITED, text="hello", update_id=5)
    replies = await engine.handle(edited)
    assert "رسالة جديدة" in replies[0].reply.text  # type: ignore[union-attr]
    group = Event(chat.user_id, -100123, EventKind.TEXT, text="hi", update_id=6, is_private=False)
    assert await engine.handle(group) == []


async def test_unknown_deep_link_falls_back_to_the_menu(chat: Chat) -> None:
    await chat.onboard("en")
    await chat.send("/start nothing_here")
    assert chat.said("This link is not valid any more")
    assert chat.said("What would you like to do?")


async def test_a_handler_failure_keeps_the_state_and_apologises(chat: Chat) -> None:
    await chat.onboard("fr")
    engine = chat.sim.engine

    async def broken(ctx: object) -> None:
        raise RuntimeError("boom")

    from bot.engine.registry import Command

    engine.registry.commands["broken"] = Command("broken", broken, "broken")  # type: ignore[arg-type]
    before = await engine.services.store.load(chat.user_id)
    await chat.send("/broken")
    assert chat.said("Désolé, un problème est survenu")
    after = await engine.services.store.load(chat.user_id)
    assert after is not None and before is not None
    assert (after.flow, after.profile, after.language) == (
        before.flow,
        before.profile,
        before.language,
    )


async def test_flooding_gets_one_polite_answer(
    engine: object, make_engine: object, sqlite_db: object
) -> None:
    from bot.engine.flood import MemoryFloodGuard

    flooded = make_engine(sqlite_db, flood=MemoryFloodGuard(5, 60))  # type: ignore[operator]
    replies = []
    for n in range(9):
        replies.append(
            await flooded.handle(Event.from_text(42, "hi", update_id=n, language_code="fr"))
        )
    answered = [r for r in replies[5:] if r]
    assert len(answered) == 1
    assert "très vite" in answered[0][0].reply.text


async def test_after_a_double_tap_the_buttons_on_screen_still_work(chat: Chat) -> None:
    await chat.send("/start")
    taps = [chat.sim.event_for("[العربية]") for _ in range(2)]  # both sent before any answer
    for tap in taps:
        assert isinstance(tap, Event)
        await chat.sim.messenger.deliver(tap, await chat.sim.engine.handle(tap))
    toasts = [r["text"] for r in chat.sim.messenger.records if r["kind"] == "toast"]
    assert toasts == ["هذا الزر من خطوة سابقة ولم يعد يعمل."]  # the second tap
    await chat.press("أوافق")  # drawn after the first tap: still valid
    assert chat.said("ماذا تودّ أن تفعل؟")


async def test_a_stray_message_does_not_kill_the_buttons_on_screen(chat: Chat) -> None:
    await chat.send("/start")
    await chat.send("مرحبا")  # typed instead of pressing: answered, nothing moves
    await chat.send_sticker()
    await chat.send("/help")
    await chat.press("العربية")  # the first message's buttons still work
    assert any("هل توافق؟" in t for t in chat.texts)
