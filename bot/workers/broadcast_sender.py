"""The broadcast sender: drains the outbox within Telegram's limits, shows live progress.

One loop launches broadcasts whose time has come; ``concurrency`` workers each repeat
*claim one row → wait for a turn → send → record*, committing the claim before the Bot
API call and the outcome right after it, so that a crash leaves at most the few rows that
were in flight undecided (see ``storage.broadcasts`` for what happens to them). A third
task edits a progress message in the sender's chat every few seconds, and replaces it
with the final figures when the broadcast is done.

Outcomes: sent; 429 → everyone pauses ``retry_after`` and the row goes back without
counting an attempt; 403 (blocked) → the person is marked unreachable and never
included again; other errors → retried with a growing delay, up to 5 attempts.

Run it inside ``musharaka run`` (default) or alone with ``musharaka send-broadcasts``
(several may share one PostgreSQL outbox).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from bot.engine import payloads
from bot.engine.messenger import DeliveryError, Messenger, RateLimited, RecipientUnreachable
from bot.engine.replies import Button, Buttons, Edit, Photo, Reply, Text
from bot.workers.send_limiter import LocalSendLimiter, SendLimiter
from core.clock import Clock, SystemClock
from core.config import Settings
from core.formatting import format_number
from core.i18n import _, use_digits, use_language
from storage import broadcasts, people
from storage.broadcasts import Broadcast, Claimed, InDoubt, Progress
from storage.db import Database
from storage.files import FileStore, LocalFileStore

log = logging.getLogger(__name__)

PROGRESS_SECONDS = 3.0
IDLE_SECONDS = 30.0  # a worker with nothing to do waits for tick() to wake it


# Some audiences' messages carry buttons (a reply to a resident's case: "Reply", the rating
# stars): the area that owns the audience kind draws them from the broadcast's audience.
AudienceButtons = Callable[[Broadcast], Buttons | None]
AUDIENCE_BUTTONS: dict[str, AudienceButtons] = {}


def add_audience_buttons(kind: str, draw: AudienceButtons) -> None:
    AUDIENCE_BUTTONS[kind] = draw


def buttons_for(broadcast: Broadcast) -> Buttons | None:
    draw = AUDIENCE_BUTTONS.get(str((broadcast.audience or {}).get("kind", "")))
    return draw(broadcast) if draw is not None else None


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


@dataclass
class SenderConfig:
    concurrency: int = 8
    lease: timedelta = timedelta(seconds=60)
    in_doubt: InDoubt = InDoubt.RESEND
    poll_seconds: float = 2.0
    progress_seconds: float = PROGRESS_SECONDS
    worker: str = field(default_factory=default_worker_name)

    @classmethod
    def from_settings(cls, settings: Settings) -> SenderConfig:
        return cls(
            concurrency=settings.broadcast_concurrency,
            lease=timedelta(seconds=settings.broadcast_lease_seconds),
            in_doubt=InDoubt(settings.broadcast_in_doubt),
            poll_seconds=settings.broadcast_poll_seconds,
        )


def limiter_from_settings(settings: Settings) -> SendLimiter:
    """In one process, aiolimiter; with Redis, one budget shared by every sender worker."""
    rate = (
        settings.broadcast_paid_rate_per_second
        if settings.paid_broadcasts
        else settings.global_rate_per_second
    )
    from core.redis_client import redis_client

    redis = redis_client(settings)
    if redis is not None:
        from bot.workers.redis_send_limiter import RedisSendLimiter

        return RedisSendLimiter(
            redis,
            rate,
            settings.per_chat_interval_seconds,
            prefix=settings.redis_prefix,
        )
    return LocalSendLimiter(rate, settings.per_chat_interval_seconds)


def retry_delay(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s, ... at most 5 minutes."""
    return timedelta(seconds=min(300, 5 * 2 ** max(attempts - 1, 0)))


class BroadcastSender:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        messenger: Messenger,
        *,
        limiter: SendLimiter | None = None,
        config: SenderConfig | None = None,
        clock: Clock | None = None,
        files: FileStore | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.messenger = messenger
        self.limiter = limiter or limiter_from_settings(settings)
        self.config = config or SenderConfig.from_settings(settings)
        self.clock = clock or SystemClock()
        self.sent = 0  # messages this process delivered (for benchmarks and logs)
        self._broadcasts: dict[int, Broadcast] = {}
        self._photos: dict[str, bytes] = {}
        self.files = files if files is not None else LocalFileStore(settings.media_dir)
        self._shown: dict[int, tuple[str, float]] = {}
        self._work = asyncio.Event()

    # --- running ------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set; then finish the messages in flight and return."""
        log.info("broadcast sender %s started", self.config.worker)
        workers = [
            asyncio.create_task(self._worker(stop), name=f"broadcast-worker-{n}")
            for n in range(self.config.concurrency)
        ]
        try:
            while not stop.is_set():
                await self.tick()
                await _sleep_or_stop(stop, self.config.poll_seconds)
        finally:
            self._work.set()
            await asyncio.gather(*workers, return_exceptions=True)
            await self.tick(launch=False)
            log.info("broadcast sender %s stopped (%s sent)", self.config.worker, self.sent)

    async def tick(self, *, launch: bool = True) -> None:
        """Launch due broadcasts, settle rows left in doubt, wake the workers when there is
        something to send, show progress, close finished broadcasts.

        When there is nothing to do this costs two reads, never a write: every bot process
        runs a sender, and an idle one must not hold SQLite's write lock."""
        try:
            now = self.clock.now()
            if launch:
                await self.launch_due()
            skip = self.config.in_doubt == InDoubt.SKIP
            async with self.db.reader() as s:
                settle = skip and await broadcasts.has_in_doubt(s, now)
                work = await broadcasts.has_claimable(s, now, self.config.in_doubt)
            if settle:
                async with self.db.transaction() as s:
                    await broadcasts.settle_in_doubt(s, now)
            if work:
                self._work.set()
            await self.show_progress()
        except Exception:  # keep sending whatever a report or a launch did
            log.exception("broadcast sender housekeeping failed")

    async def drain(self) -> int:
        """Send everything claimable now, then return how many were sent (tests, bench)."""
        stop = asyncio.Event()
        before = self.sent
        await self.launch_due()
        workers = [
            asyncio.create_task(self._worker(stop, stop_when_idle=True))
            for _ in range(self.config.concurrency)
        ]
        await asyncio.gather(*workers)
        await self.show_progress(force=True)
        return self.sent - before

    async def launch_due(self) -> int:
        async with self.db.reader() as s:
            due = await broadcasts.due_broadcasts(s, self.clock.now())
        launched = 0
        for broadcast_id in due:
            async with self.db.transaction() as s:
                count = await broadcasts.launch(s, broadcast_id, self.clock.now())
            if count is not None:
                launched += 1
                self._work.set()
                log.info("broadcast %s launched to %s recipients", broadcast_id, count)
        return launched

    # --- one message at a time ------------------------------------------------------------
    async def _worker(self, stop: asyncio.Event, *, stop_when_idle: bool = False) -> None:
        while not stop.is_set():
            row = await self._claim()
            if row is None:
                if stop_when_idle:
                    return
                self._work.clear()  # tick() sets it again when something is claimable
                # run() sets `stop` before its last wake-up call: a worker that cleared that
                # call away must see `stop` here, not sleep out IDLE_SECONDS before leaving.
                if stop.is_set():
                    return
                await _wait_for(self._work, IDLE_SECONDS)
                continue
            try:
                await self._send(row)
            except Exception:
                log.exception("sending outbox row %s failed", row.id)
                await self._release(row, retry_delay(row.attempts), "internal error")

    async def _claim(self) -> Claimed | None:
        async with self.db.transaction() as s:
            rows = await broadcasts.claim(
                s,
                worker=self.config.worker,
                now=self.clock.now(),
                lease=self.config.lease,
                in_doubt=self.config.in_doubt,
                dialect=self.db.dialect,
            )
        return rows[0] if rows else None

    async def _send(self, row: Claimed) -> None:
        reply = await self._reply_for(row.broadcast_id)
        if reply is None:
            await self._fail(row, "broadcast gone")
            return
        # Both limits are taken right before the call: Telegram counts arrivals, so no
        # database work may sit between our turn and the request.
        await self.limiter.wait_for_turn()
        wait = await self.limiter.reserve_chat(row.chat_id)
        if wait > 0:  # this person got a message less than a second ago
            async with self.db.transaction() as s:
                await broadcasts.unclaim(
                    s,
                    row.id,
                    worker=self.config.worker,
                    not_before=self.clock.now() + timedelta(seconds=wait),
                )
            return
        try:
            message_id = await self.messenger.send(row.chat_id, reply)
        except RateLimited as exc:
            log.warning("429 from Telegram: pausing %.1f s", exc.retry_after)
            await self.limiter.pause(exc.retry_after)
            async with self.db.transaction() as s:
                await broadcasts.unclaim(
                    s,
                    row.id,
                    worker=self.config.worker,
                    not_before=self.clock.now() + timedelta(seconds=exc.retry_after),
                )
            return
        except RecipientUnreachable:
            async with self.db.transaction() as s:
                await broadcasts.record_failed(
                    s, row.id, worker=self.config.worker, error="unreachable"
                )
                await people.mark_unreachable(s, row.chat_id)
            return
        except DeliveryError as exc:
            if row.attempts >= broadcasts.MAX_ATTEMPTS:
                await self._fail(row, str(exc))
            else:
                await self._release(row, retry_delay(row.attempts), str(exc))
            return
        async with self.db.transaction() as s:
            mine = await broadcasts.record_sent(
                s, row.id, worker=self.config.worker, now=self.clock.now(), message_id=message_id
            )
        self.sent += 1
        if not mine:
            log.warning("outbox row %s was reclaimed while in flight (lease too short?)", row.id)

    async def _fail(self, row: Claimed, error: str) -> None:
        async with self.db.transaction() as s:
            await broadcasts.record_failed(s, row.id, worker=self.config.worker, error=error)

    async def _release(self, row: Claimed, delay: timedelta, error: str) -> None:
        async with self.db.transaction() as s:
            await broadcasts.release(
                s,
                row.id,
                worker=self.config.worker,
                not_before=self.clock.now() + delay,
                error=error,
            )

    async def _reply_for(self, broadcast_id: int) -> Reply | None:
        broadcast = self._broadcasts.get(broadcast_id)
        if broadcast is None:
            async with self.db.reader() as s:
                broadcast = await broadcasts.get_broadcast(s, broadcast_id)
            if broadcast is None:
                return None
            self._broadcasts[broadcast_id] = broadcast
        buttons = buttons_for(broadcast)
        if broadcast.photo_file_id:
            return Photo(file_id=broadcast.photo_file_id, caption=broadcast.text, buttons=buttons)
        if broadcast.photo_key:
            data = await self._photo(broadcast.photo_key)
            if data:
                return Photo(data=data, caption=broadcast.text, buttons=buttons)
            log.warning("broadcast %s: photo %s is missing", broadcast.id, broadcast.photo_key)
        return Text(broadcast.text, buttons)

    async def _photo(self, key: str) -> bytes | None:
        if key not in self._photos:
            data = await self.files.get(key)
            if data is None:
                return None
            self._photos[key] = data
        return self._photos[key]

    # --- progress for the sender -----------------------------------------------------------
    async def show_progress(self, *, force: bool = False) -> None:
        """Post or edit each running broadcast's progress message; report finished ones."""
        async with self.db.reader() as s:
            running = await broadcasts.sending_broadcasts(s)
        for broadcast in running:
            # Reading the figures needs no write lock (on SQLite the workers queue for it);
            # only closing a broadcast whose rows are all settled does.
            async with self.db.reader() as s:
                figures = await broadcasts.progress(s, broadcast.id)
                unreachable = await broadcasts.unreachable_count(s, broadcast.id)
            finished = False
            if figures.remaining == 0:
                async with self.db.transaction() as s:
                    now = self.clock.now()
                    finished = await broadcasts.finish_if_drained(s, broadcast.id, now)
                    figures = await broadcasts.progress(s, broadcast.id)
                    unreachable = await broadcasts.unreachable_count(s, broadcast.id)
            await self._show(
                broadcast, figures, unreachable, done=finished, force=force or finished
            )
            if finished:
                self._broadcasts.pop(broadcast.id, None)
                log.info(
                    "broadcast %s done: %s sent, %s failed, %s skipped",
                    broadcast.id,
                    figures.sent,
                    figures.failed,
                    figures.skipped,
                )

    async def _show(
        self, broadcast: Broadcast, figures: Progress, unreachable: int, *, done: bool, force: bool
    ) -> None:
        chat_id = broadcast.progress_chat_id
        if chat_id is None:
            return
        async with self.db.reader() as s:
            user = await people.get_user(s, chat_id)
        language = user.language if user else self.settings.default_language
        with use_language(language), use_digits(latin=self.settings.latin_digits):
            text = progress_text(broadcast, figures, unreachable, done=done)
            buttons = (
                None
                if done
                else [[Button(_("Stop sending"), payloads.global_("bcx", broadcast.id))]]
            )
        last_text, last_time = self._shown.get(broadcast.id, ("", 0.0))
        now = time.monotonic()
        if text == last_text or (not force and now - last_time < self.config.progress_seconds):
            return
        await self.limiter.wait_for_turn()
        wait = await self.limiter.reserve_chat(chat_id)
        if wait > 0 and not done:
            return  # try again at the next round rather than crowd the chat
        if wait > 0:  # the final figures are worth a short wait (never a long one)
            await asyncio.sleep(min(wait, 5.0) + 0.05)
            await self.limiter.wait_for_turn()
            await self.limiter.reserve_chat(chat_id)
        try:
            if broadcast.progress_message_id is None:
                message_id = await self.messenger.send(chat_id, Text(text, buttons))
                if message_id:
                    async with self.db.transaction() as s:
                        await broadcasts.set_progress_message(s, broadcast.id, chat_id, message_id)
                    broadcast.progress_message_id = message_id
            else:
                await self.messenger.send(
                    chat_id, Edit(text, buttons, message_id=broadcast.progress_message_id)
                )
            self._shown[broadcast.id] = (text, now)
        except RateLimited as exc:
            await self.limiter.pause(exc.retry_after)
        except DeliveryError as exc:
            log.info("could not show progress of broadcast %s: %s", broadcast.id, exc)
        if done:
            self._shown.pop(broadcast.id, None)


def progress_text(broadcast: Broadcast, figures: Progress, unreachable: int, *, done: bool) -> str:
    """'Announcement #12: 340 of 2,000 delivered…' in the staff member's language."""
    values = {
        "number": broadcast.id,
        "sent": format_number(figures.sent),
        "total": format_number(figures.recipients),
        "unreachable": format_number(unreachable),
        "skipped": format_number(figures.skipped),
        "failed": format_number(max(figures.failed - unreachable, 0)),
    }
    if done and figures.recipients == 0:
        return _("Announcement #{number}: nobody in this audience can receive it.").format(**values)
    lines = [
        _("✅ Announcement #{number} sent: {sent} of {total} delivered.").format(**values)
        if done
        else _("Sending announcement #{number}: {sent} of {total} delivered so far…").format(
            **values
        )
    ]
    if unreachable:
        lines.append(
            _("{unreachable} could not be reached (they blocked the bot).").format(**values)
        )
    if figures.skipped:
        lines.append(
            _("{skipped} skipped (they turned announcements off meanwhile).").format(**values)
        )
    if figures.failed - unreachable > 0:
        lines.append(_("{failed} failed for other reasons.").format(**values))
    return "\n".join(lines)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    await _wait_for(stop, seconds)


async def _wait_for(event: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(event.wait(), timeout=seconds)
    except TimeoutError:
        pass


# --------------------------------------------------------------------------- processes


def telegram_messenger(settings: Settings) -> tuple[Messenger, object]:
    """A Bot API messenger of its own for the sender (paid broadcasts if configured), and
    the aiogram Bot to close afterwards."""
    from bot.channels.aiogram_runtime import AiogramMessenger, build_bot

    bot = build_bot(settings)
    return AiogramMessenger(bot, allow_paid_broadcast=settings.paid_broadcasts), bot


async def close_bot(bot: object) -> None:
    session = getattr(bot, "session", None)
    if session is not None:
        await session.close()


def start_in_background(
    settings: Settings, db: Database, clock: Clock | None = None
) -> tuple[asyncio.Task[None], asyncio.Event]:
    """The sender as a task of ``musharaka run``; set the event to stop it."""
    messenger, bot = telegram_messenger(settings)
    sender = BroadcastSender(db, settings, messenger, clock=clock)
    stop = asyncio.Event()

    async def run() -> None:
        try:
            await sender.run(stop)
        finally:
            await close_bot(bot)

    return asyncio.create_task(run(), name="broadcast-sender"), stop


async def run_sender_process(settings: Settings, worker: str | None = None) -> None:
    """``musharaka send-broadcasts``: only the sender, until SIGTERM or Ctrl-C, after which
    the messages in flight are finished and recorded."""
    import signal

    if not settings.bot_token:
        raise SystemExit("MUSHARAKA_BOT_TOKEN is not set")
    importlib.import_module("bot.app")  # every area's audience buttons

    db = Database(settings.database_url)
    await db.upgrade()
    messenger, bot = telegram_messenger(settings)
    config = SenderConfig.from_settings(settings)
    if worker:
        config.worker = worker[:64]
    sender = BroadcastSender(db, settings, messenger, config=config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await sender.run(stop)
    finally:
        await close_bot(bot)
        await db.dispose()
