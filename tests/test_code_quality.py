"""ruff and mypy stay clean (the same checks a developer runs before committing)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff_finds_nothing() -> None:
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_stale_button_answer_is_written_once() -> None:
    """Every flow answers an old or forged button through ``Context.stale_button``, so the
    wording (and its three translations) cannot drift apart between flows."""
    text = '"This button is no longer active."'
    places = [
        f"{path.relative_to(ROOT)}"
        for folder in ("bot", "admin", "storage")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for _line in range(path.read_text(encoding="utf-8").count(text))
    ]
    assert places == ["bot/engine/context.py"], places


def test_conversations_and_commands_leave_transactions_to_the_engine() -> None:
    """An update's writes are one transaction that the engine opens and commits with the
    conversation's state (storage.db.UnitOfWork). Conversations and commands write through
    ``ctx.transaction()`` / ``services.transaction()`` and never reach for the database's
    own sessions or connections, which would commit apart from the update (and, on SQLite,
    wait for the write lock the update itself holds)."""
    forbidden = re.compile(r"\.db\.(transaction|reader|session)\(|\.engine\.(begin|connect)\(")
    places = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("bot/features",)
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line)
    ]
    assert places == [], "\n".join(places)


MODULE_LINES_MAX = 500


def test_no_module_is_over_500_lines() -> None:
    """A module says what is inside from its path only if it holds one job: past ~400 lines
    it is time to split it (migrations, written by Alembic, aside)."""
    long = [
        f"{path.relative_to(ROOT)}: {count} lines"
        for folder in ("bot", "storage", "admin")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "migrations" not in path.parts
        and (count := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES_MAX
    ]
    assert long == [], "\n".join(long)


def test_flows_leave_the_step_to_the_flow_base() -> None:
    """``ctx.step`` belongs to bot.engine.steps.Flow (moves are checked against the declared
    steps there); a feature moves with ``self.show(ctx, name)``."""
    assigning = re.compile(r"\bctx\.step\s*=(?!=)")
    places = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "bot" / "features").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if assigning.search(line)
    ]
    assert places == [], "\n".join(places)
