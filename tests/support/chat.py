"""Talking to the engine like a user, in tests: send text, press buttons by label."""

from __future__ import annotations

from typing import Any

from bot.channels.simulator import Simulator
from bot.engine.engine import Engine


class Chat:
    """One user's chat with the bot, through the simulator channel (no network)."""

    def __init__(
        self, engine: Engine, user_id: int = 1000, language: str = "ar", first_name: str = "Amal"
    ) -> None:
        self.sim = Simulator(engine, user_id=user_id, language=language, first_name=first_name)
        self.user_id = user_id
        self.records: list[dict[str, Any]] = []
        self.last: list[dict[str, Any]] = []

    async def _feed(self, line: str) -> list[dict[str, Any]]:
        self.sim.user_id = self.user_id
        self.last = await self.sim.feed(line)
        errors = [r for r in self.last if r.get("kind") == "error"]
        if errors:
            raise AssertionError(f"{errors[0]['text']}; on screen: {self.screen()}")
        self.records.extend(self.last)
        return self.last

    async def send(self, text: str) -> list[dict[str, Any]]:
        if text.startswith("[") or text.startswith("@"):
            raise ValueError("use press() / share_*() for buttons and attachments")
        return await self._feed(text)

    async def press(self, label: str) -> list[dict[str, Any]]:
        return await self._feed(f"[{label}]")

    async def share_location(self, lat: float, lon: float) -> list[dict[str, Any]]:
        return await self._feed(f"@location {lat},{lon}")

    async def share_contact(self, phone: str) -> list[dict[str, Any]]:
        return await self._feed(f"@contact {phone}")

    async def send_photo(self) -> list[dict[str, Any]]:
        return await self._feed("@photo")

    async def send_voice(self) -> list[dict[str, Any]]:
        return await self._feed("@voice")

    async def send_audio(self) -> list[dict[str, Any]]:
        return await self._feed("@audio")

    async def send_video(self) -> list[dict[str, Any]]:
        return await self._feed("@video")

    async def send_video_note(self) -> list[dict[str, Any]]:
        return await self._feed("@videonote")

    async def send_document(
        self, name: str = "report.pdf", mime: str = "application/pdf", size: int = 20_000
    ) -> list[dict[str, Any]]:
        return await self._feed(f"@document {name} {mime} {size}")

    async def send_sticker(self) -> list[dict[str, Any]]:
        return await self._feed("@sticker")

    async def onboard(self, language: str = "ar") -> None:
        """/start, pick the language, agree to the data notice."""
        from core.i18n import LANGUAGE_NAMES, translate

        await self.send("/start")
        await self.press(LANGUAGE_NAMES[language])
        await self.press(translate(language, "I agree"))

    # --- reading the screen -------------------------------------------------------
    @property
    def texts(self) -> list[str]:
        """Texts of the replies to the last input (messages, edits, toasts)."""
        return [str(r.get("text", "")) for r in self.last]

    @property
    def last_text(self) -> str:
        return self.texts[-1] if self.texts else ""

    def said(self, fragment: str) -> bool:
        return any(fragment in text for text in self.texts)

    def buttons(self) -> list[str]:
        """Labels of the newest message on screen that has buttons."""
        for message in reversed(self.sim.messenger.chat(self.user_id).messages):
            if message.buttons:
                return [b.label for row in message.buttons for b in row]
        return []

    def screen(self) -> list[str]:
        chat = self.sim.messenger.chat(self.user_id)
        return [m.text[:80] for m in chat.messages[-3:]]

    def payload_of(self, label: str) -> str:
        for message in reversed(self.sim.messenger.chat(self.user_id).messages):
            for row in message.buttons or []:
                for button in row:
                    if button.label == label:
                        return button.payload
        raise AssertionError(f"no button {label!r}")
