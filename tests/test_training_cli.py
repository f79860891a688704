"""Staff put a course and its sessions in the catalogue, and a skill in the volunteers'
list, from the terminal; bad input is refused with a clear message and changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def musharaka(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSHARAKA_")}
    env["MUSHARAKA_DATABASE_URL"] = f"sqlite+aiosqlite:///{database}"
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_staff_fill_the_catalogue_and_the_skills_list_from_the_terminal(tmp_path: Path) -> None:
    db = tmp_path / "catalogue.sqlite"
    done = musharaka(
        db,
        "trainings",
        "add-course",
        "gender-budgeting",
        "--topic",
        "financial_management",
        "--title-ar",
        "الميزانية المراعية للنوع الاجتماعي",
        "--title-en",
        "Gender-responsive budgeting",
        "--title-fr",
        "Budgétisation sensible au genre",
        "--hours",
        "6",
    )
    assert done.returncode == 0, done.stderr
    refused = musharaka(
        db, "trainings", "add-session", "gender-budgeting", "--start", "8/12 9h",
        "--hours", "6", "--capacity", "20",
    )  # fmt: skip
    assert refused.returncode == 2 and "YYYY-MM-DD HH:MM" in refused.stderr
    refused = musharaka(
        db, "trainings", "add-session", "no-such-course", "--start", "2030-12-08 09:00",
        "--hours", "6", "--capacity", "20",
    )  # fmt: skip
    assert refused.returncode == 2 and "no course" in refused.stderr
    done = musharaka(
        db, "trainings", "add-session", "gender-budgeting", "--start", "2030-12-08 09:00",
        "--hours", "6", "--capacity", "20", "--place", "دار الشباب، تالة",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    listed = musharaka(db, "trainings", "list")
    assert "gender-budgeting  [financial_management]" in listed.stdout
    assert "2030-12-08 09:00 دار الشباب، تالة ar: 0/20 seats, 0 waiting" in listed.stdout

    done = musharaka(
        db, "trainings", "add-skill", "sewing", "--ar", "الخياطة", "--en", "Sewing",
        "--fr", "Couture",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "sewing: الخياطة / Sewing / Couture" in musharaka(db, "trainings", "skills").stdout
