"""CPU per update of the engine alone: the needs survey's 14 updates for N residents, run in
this process on a SQLite file with the SQL session store, with no network and no framework
(the simulator's messenger). What bench/throughput.py's figure is made of, minus aiogram and
HTTP; with ``--profile`` the cProfile of the run, with ``--steps`` the CPU of each step.

    .venv/bin/python bench/engine_cpu.py                    # 200 residents, 14 updates each
    .venv/bin/python bench/engine_cpu.py --steps             # CPU per step of the survey
    .venv/bin/python bench/engine_cpu.py --profile 30        # the 30 costliest functions
    .venv/bin/python bench/engine_cpu.py --profile 30 --only 14   # ... of step 14 alone
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build_engine  # noqa: E402
from bot.channels.lifecycle import settle_garbage_collector  # noqa: E402
from bot.engine.flood import MemoryFloodGuard  # noqa: E402
from storage.db import Database  # noqa: E402
from tests.e2e.residents import STEPS, Plan  # noqa: E402
from tests.support.chat import Chat  # noqa: E402
from tests.support.given import given_places  # noqa: E402
from tests.support.settings import settings_for_tests  # noqa: E402

SORT = ["tottime"] if __import__("os").environ.get("TOT") else ["cumulative"]


async def residents_answer(count: int, profile: int, per_step: bool, only: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite'}"
        db = Database(url)
        await db.upgrade()
        await given_places(db)
        settings = settings_for_tests(database_url=url)
        engine = build_engine(settings, db, flood=MemoryFloodGuard(10**6, 1.0))
        rng = random.Random(7)
        plans = [Plan.random(100_000 + n, rng) for n in range(count)]
        chats = [Chat(engine, user_id=p.user_id, language=p.language) for p in plans]
        steps = [plan.actions() for plan in plans]
        step_cpu = [0.0] * STEPS
        settle_garbage_collector()  # as `musharaka run` does before it serves
        profiler = cProfile.Profile() if profile else None
        started_cpu, started = time.process_time(), time.perf_counter()
        for step in range(STEPS):
            before = time.process_time()
            watched = profiler is not None and only in (0, step + 1)
            if profiler and watched:
                profiler.enable()
            await asyncio.gather(
                *(
                    chat.send(what) if kind == "text" else chat.press(what)
                    for chat, actions in zip(chats, steps, strict=True)
                    for kind, what, _next in [actions[step]]
                )
            )
            if profiler and watched:
                profiler.disable()
            step_cpu[step] = time.process_time() - before
        cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started
        updates = count * STEPS
        await db.dispose()
    print(f"{count} residents x {STEPS} updates, engine only (SQLite file, SQL sessions)")
    print(
        f"{updates} updates: {1000 * cpu / updates:.2f} ms CPU per update, "
        f"{updates / wall:.0f} updates/s on one core"
    )
    if per_step:
        for step, (kind, what, _next) in enumerate(plans[0].actions()):
            print(f"  step {step + 1:2}: {1000 * step_cpu[step] / count:5.2f} ms  {kind} {what!r}")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(*SORT).print_stats(profile)
        print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--steps", action="store_true", help="CPU of each step")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print N functions")
    parser.add_argument("--only", type=int, default=0, metavar="STEP", help="profile one step")
    parser.add_argument("--by-own-time", action="store_true", help="sort by time in itself")
    args = parser.parse_args()
    if args.by_own_time:
        SORT[:] = ["tottime"]
    asyncio.run(residents_answer(args.residents, args.profile, args.steps, args.only))


if __name__ == "__main__":
    main()
