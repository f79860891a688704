"""The suite must pass on any date: CI may run it a year from now.

Every test drives time through an injected clock; a code path that asks the real clock
instead (``datetime.now()``, ``utcnow()``) passes on the day it was written and fails once
the calendar has moved past the tests' fixed dates. This test runs every in-process test
again with the real clock of that run shifted 400 days ahead (time-machine, see
``tests/conftest.py``), so such a path fails today instead of next year.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CLOCK_OFFSET_VARIABLE

ROOT = Path(__file__).resolve().parent.parent
OFFSET_DAYS = 400


@pytest.mark.timeout(3000)
@pytest.mark.skipif(
    bool(os.environ.get(CLOCK_OFFSET_VARIABLE)), reason="this is the shifted run itself"
)
def test_every_in_process_test_passes_with_the_real_clock_a_year_ahead() -> None:
    # e2e and browser tests are left out (real bot and admin processes, on the real clock, so
    # a test's shifted "tomorrow" would be a year after theirs), and so is the lint run.
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-m",
        "not e2e and not browser",
        "--ignore",
        "tests/e2e",
        "--ignore",
        "tests/browser",
        "--deselect",
        "tests/test_code_quality.py",
        "--deselect",
        "tests/test_clock_independence.py",
    ]
    env = dict(os.environ, **{CLOCK_OFFSET_VARIABLE: str(OFFSET_DAYS)})
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    summary = run.stdout[-6000:]
    assert run.returncode == 0, f"with the real clock {OFFSET_DAYS} days ahead:\n{summary}"
