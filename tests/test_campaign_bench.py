"""The campaign benchmark keeps running: a handful of residents invited by the real sender
process and answering through the real bot process (its figures are printed, never asserted
on time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import services

ROOT = Path(__file__).resolve().parent.parent


SMALL = ["--residents", "6", "--start-within", "2", "--pause", "1", "1.5"]


def test_the_campaign_benchmark_runs_and_every_invited_resident_is_counted_once() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSHARAKA_")}
    _run_and_check(["bench/campaign.py", *SMALL], env)


def test_the_campaign_benchmark_runs_two_webhook_workers_on_postgresql_and_redis() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSHARAKA_")}
    env["MUSHARAKA_BENCH_POSTGRES_URL"] = services.postgres_url()
    env["MUSHARAKA_BENCH_REDIS_URL"] = services.redis_url()
    command = ["bench/campaign.py", *SMALL, "--stack", "postgres-redis", "--workers", "2"]
    stdout = _run_and_check(command, env)
    assert "bot 1 " in stdout and "bot 2 " in stdout, stdout  # both workers' CPU is reported


def _run_and_check(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "submissions stored exactly once: 6 of 6" in result.stdout, result.stdout
    assert "residents left without an answer: 0" in result.stdout
    assert "duplicates 0" in result.stdout and "spec violations: 0" in result.stdout
    return result.stdout
