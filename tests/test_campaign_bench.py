"""The campaign benchmark keeps running: a handful of residents invited by the real sender
process and answering through the real bot process (its figures are printed, never asserted
on time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_campaign_benchmark_runs_and_every_invited_resident_is_counted_once() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSHARAKA_")}
    command = [
        "bench/campaign.py",
        "--residents",
        "6",
        "--start-within",
        "2",
        "--pause",
        "1",
        "1.5",
    ]
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
