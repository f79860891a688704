"""A survey campaign at its peak: one announcement inviting N residents to the needs survey,
sent at Telegram's bulk limit, and the residents answering it as people do.

The real `musharaka run` (long polling, its own broadcast sender switched off) and the real
`musharaka send-broadcasts` run as two processes on one database, against the fake Telegram
server (tests/fakes/bot_api.py) in limit mode: 429 above `--rate` bulk messages in any rolling
second and above one message a second to one chat; a message to someone who wrote to the bot
in the last minute counts as a reply, outside the bulk limit (Telegram documents its ~30/s for
bulk notifications). Every request is checked against the Bot API spec.

Each resident who receives the announcement waits a random `--react`–`--start-within` seconds
(a person needs a moment to read the announcement and tap its link; with 0, some first replies
land within Telegram's one-message-a-second per chat after the announcement), then
goes through the needs survey (the 14 taps of tests/e2e/residents.py, from /start to the
thank-you), pausing a random `--pause` seconds before each tap after the first.

    .venv/bin/python bench/campaign.py                          # 3,000 residents, SQLite
    .venv/bin/python bench/campaign.py --residents 500 --start-within 20
    .venv/bin/python bench/campaign.py --stack postgres-redis --workers 2   # two webhook workers

Printed: the machine's load; survey updates per second at the peak (busiest 10 s) and over
the whole campaign; p50/p95/p99 from a resident's tap to the screen with the next question;
the announcement's send rate as a fraction of the limit (the sender paces at 0.93 of it);
the 429s the fake answered (announcements and replies apart); submissions stored per
resident (each must be exactly one). Figures only, no verdict.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throughput import cpu_seconds, percentile, postgres_redis_stack  # noqa: E402
from bot.channels.lifecycle import settle_garbage_collector  # noqa: E402
from tests.e2e.broadcasts import STAFF, Deliveries, prepare, sender_process  # noqa: E402
from tests.e2e.front import Front  # noqa: E402
from tests.e2e.harness import BotProcess, free_port  # noqa: E402
from tests.e2e.residents import STEPS, Resident, stored_answers, town  # noqa: E402
from tests.fakes.bot_api import FakeBotApi  # noqa: E402

FIRST_RESIDENT = 700_000
ANNOUNCEMENT = (
    "استبيان الاحتياجات مفتوح هذا الأسبوع: أخبرونا بما يحتاجه حيّكم. "
    "https://t.me/musharaka_test_bot?start=survey_needs_survey"
)


class Campaign:
    """The residents' side: who got the invitation, and every tap's latency."""

    def __init__(self, api: FakeBotApi, residents: list[Resident], args: argparse.Namespace):
        self.api = api
        self.residents = residents
        self.args = args
        self.rng = random.Random(args.seed)
        self.tap_times: list[float] = []  # when each tap's next question arrived
        self.failures: list[str] = []

    async def resident(self, person: Resident) -> None:
        invited = person.inboxes
        await invited.wait(
            person.user_id,
            lambda r: r.method == "sendMessage" and r.params.get("text") == ANNOUNCEMENT,
            0,
            self.args.residents / self.args.rate * 10 + 600,
        )
        await asyncio.sleep(self.rng.uniform(self.args.react, self.args.start_within))
        try:
            while person.step < STEPS:
                await person.take_step(timeout=self.args.timeout)
                self.tap_times.append(time.monotonic())
                if person.step < STEPS:
                    await asyncio.sleep(self.rng.uniform(*self.args.pause))
        except AssertionError as exc:  # no answer within the timeout
            self.failures.append(str(exc)[:200])

    def peak_rate(self, window: float = 10.0) -> float:
        times = sorted(self.tap_times)
        best, start = 0, 0
        for end, moment in enumerate(times):
            while times[start] <= moment - window:
                start += 1
            best = max(best, end - start + 1)
        return best / window

    def latencies(self) -> list[float]:
        return [latency for person in self.residents for latency in person.latencies]


async def start_front(ports: list[int]) -> Front:
    """The load balancer of tests/e2e/front.py over webhook workers on ``ports``."""
    front = Front([f"http://127.0.0.1:{port}/telegram/webhook" for port in ports])
    await front.start()
    return front


def webhook_settings(front: Front | None, port: int) -> dict[str, str]:
    """A worker's settings: long polling alone, a webhook behind the front with several."""
    if front is None:
        return {}
    return {"webhook_url": front.url, "webhook_host": "127.0.0.1", "webhook_port": str(port)}


def throttled(api: FakeBotApi) -> tuple[int, int, str]:
    """429s the fake answered: to the announcement, to everything else, and the reply
    refused most often (its first words)."""
    refused = [r for r in api.requests if r.status == 429]
    announcement = sum(1 for r in refused if r.params.get("text") == ANNOUNCEMENT)
    replies = Counter(
        str(r.params.get("text", r.method))[:40].replace("\n", " ")
        for r in refused
        if r.params.get("text") != ANNOUNCEMENT
    )
    most = replies.most_common(1)[0][0] if replies else ""
    return announcement, len(refused) - announcement, most


async def run(args: argparse.Namespace, url: str, stack: dict[str, str], workdir: Path) -> str:
    recipients = range(FIRST_RESIDENT, FIRST_RESIDENT + args.residents)
    api = FakeBotApi(limit_mode=True, global_rate=args.rate, replies_outside_bulk_limit=True)
    await api.start()
    try:
        api.add_user(STAFF, "Staff", "en")
        _inboxes, residents = town(api, recipients, seed=args.seed)
        await prepare(url, recipients, text=ANNOUNCEMENT)
        got = Deliveries(api, ANNOUNCEMENT)
        common: dict[str, Any] = {
            "database_url": url,
            "log_level": "WARNING",
            "global_rate_per_second": str(args.rate),
            **{k: v for k, v in stack.items() if k != "database_url"},
        }
        ports = [free_port() for _ in range(args.workers)]
        front = await start_front(ports) if args.workers > 1 else None
        bots = [
            BotProcess(
                api,
                workdir,
                run_broadcast_sender="false",
                runtime=args.runtime,
                **common,
                **webhook_settings(front, port),
            )
            for port in ports
        ]
        sender = sender_process(api, workdir, **common)
        campaign = Campaign(api, residents, args)
        # The fake Telegram lives in this process and its request log grows by the tens of
        # thousands: CPython's full collections over it stopped the server 13 times for
        # 50–830 ms in a 3,000 run, and sends paced under the limit then reached it in
        # bursts above it (57 × 429, 0.64 of the limit). As the bot does, settle them.
        settle_garbage_collector()
        for bot in bots:
            bot.start()
        try:
            for bot in bots:
                await (bot.wait_polling(120) if front is None else bot.wait_webhook(120))
            if front is not None:
                await asyncio.sleep(0.5)  # the last worker's listener coming up
            sender.start()
            started = time.monotonic()
            assert all(bot.process for bot in bots) and sender.process is not None
            pids = {f"bot {n + 1}": bot.process.pid for n, bot in enumerate(bots) if bot.process}
            pids["sender"] = sender.process.pid
            cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            own_before = time.process_time()
            await asyncio.gather(*(campaign.resident(person) for person in residents))
            elapsed = time.monotonic() - started
            cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
            cpu["fake Telegram and residents"] = time.process_time() - own_before
        except BaseException:
            print(bots[0].log()[-3000:])
            raise
        finally:
            await sender.stop_async()
            for bot in bots:
                await bot.stop_async()
            if front is not None:
                await front.stop()
        stored = await stored_answers(url)
        logs = [line for process in (*bots, sender) for line in process.log().splitlines()]
        complaints = Counter(
            line.split(" ", 3)[-1][:120] for line in logs if "WARNING" in line or "ERROR" in line
        )
    finally:
        await api.stop()
    lines = report(args, campaign, got, api, stored, elapsed)
    lines += "\nCPU, share of one core over the campaign: " + ", ".join(
        f"{name} {seconds / elapsed:.2f}" for name, seconds in cpu.items()
    )
    for complaint, n in complaints.most_common(3):
        lines += f"\nlogged {n}×: {complaint}"
    for failure in campaign.failures[:2]:
        lines += f"\nstuck: {failure}"
    return lines


def report(
    args: argparse.Namespace,
    campaign: Campaign,
    got: Deliveries,
    api: FakeBotApi,
    stored: dict[int, list[dict[str, str]]],
    elapsed: float,
) -> str:
    latencies = campaign.latencies()
    spread = got.times[-1] - got.times[0] if len(got.times) > 1 else float("nan")
    send_rate = (got.total - 1) / spread if spread > 0 else float("nan")
    to_announcement, to_replies, most_refused = throttled(api)
    exactly_once = sum(
        1
        for person in campaign.residents
        if stored.get(person.user_id) == [person.plan.expected_answers()]
    )
    ms = (
        [percentile(latencies, share) * 1000 for share in (0.5, 0.95, 0.99)]
        if latencies
        else [0] * 3
    )
    lines = [
        f"{args.residents} residents, announcement at limit {args.rate}/s, start within "
        f"{args.react:.0f}–{args.start_within:.0f} s, {args.pause[0]:.0f}–{args.pause[1]:.0f} s "
        "between taps; "
        f"{elapsed:.0f} s in all",
        f"survey updates: {len(campaign.tap_times)} = {len(campaign.tap_times) / elapsed:.1f}/s "
        f"over the campaign, {campaign.peak_rate():.1f}/s at the peak (busiest 10 s)",
        f"tap to next question: p50 {ms[0]:.0f} ms, p95 {ms[1]:.0f} ms, p99 {ms[2]:.0f} ms",
        f"announcement: {got.total} sent in {spread:.1f} s = {send_rate:.1f}/s = "
        f"{send_rate / args.rate:.2f} of the limit; busiest second {got.busiest_second()}; "
        f"duplicates {len(got.duplicates())}",
        f"429s: {to_announcement} to the announcement, {to_replies} to replies"
        + (f" (most often: {most_refused!r})" if most_refused else "")
        + "; "
        f"spec violations: {len(api.violations)}",
        f"submissions stored exactly once: {exactly_once} of {args.residents}; "
        f"residents left without an answer: {len(campaign.failures)}",
    ]
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=3000)
    parser.add_argument("--rate", type=int, default=30, help="the bulk limit (messages/s)")
    parser.add_argument("--start-within", type=float, default=60.0)
    parser.add_argument(
        "--react", type=float, default=2.0, help="seconds at least from announcement to /start"
    )
    parser.add_argument("--pause", type=float, nargs=2, default=(3.0, 10.0))
    parser.add_argument("--runtime", choices=["aiogram", "ptb"], default="aiogram")
    parser.add_argument("--stack", choices=["sqlite", "postgres-redis"], default="sqlite")
    parser.add_argument("--timeout", type=float, default=300.0, help="per tap, seconds")
    parser.add_argument(
        "--workers", type=int, default=1, help="webhook workers behind a balancer (2+: Redis)"
    )
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load}; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        stack: dict[str, str] = {}
        cleanup = None
        if args.stack == "postgres-redis":
            stack, cleanup = await postgres_redis_stack()
        try:
            url = stack.get("database_url") or f"sqlite+aiosqlite:///{Path(folder) / 'bot.sqlite'}"
            print(f"{args.runtime}, {args.stack}:")
            print(await run(args, url, stack, Path(folder)))
        finally:
            if cleanup is not None:
                await cleanup()
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"load average afterwards {load}")


if __name__ == "__main__":
    asyncio.run(main())
