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
(several may share one PostgreSQL outbox): see ``broadcast_process``. Its settings are in
``broadcast_config``, the progress message's text in ``broadcast_progress``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from bot.engine import payloads
from bot.engine.messenger import DeliveryError, Messenger, RateLimited, RecipientUnreachable
from bot.engine.replies import Button, Edit, Photo, Reply, Text
from bot.engine.widgets import audience_buttons
from bot.workers.broadcast_config import SenderConfig, limiter_from_settings, retry_delay
from bot.workers.broadcast_progress import progress_text
from bot.workers.send_limiter import SendLimiter
from core.clock import Clock, SystemClock
from core.config import Settings
from core.i18n import _, use_digits, use_language
from storage import broadcasts, people
from storage.broadcasts import Broadcast, Claimed, InDoubt, Progress
from storage.db import Database
from storage.files import FileStore, LocalFileStore

log = logging.getLogger(__name__)

IDLE_SECONDS = 30.0  # a worker with nothing to do waits for tick() to wake it


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
        buttons = audience_buttons(broadcast)
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


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    await _wait_for(stop, seconds)


async def _wait_for(event: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(event.wait(), timeout=seconds)
    except TimeoutError:
        pass
