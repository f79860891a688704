"""`musharaka simulate` runs a scripted session with no token and writes a transcript."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ARABIC = re.compile(r"[\u0600-\u06FF]")


def run_simulator(tmp_path: Path, script: str, lang: str = "ar") -> list[dict[str, object]]:
    script_file = tmp_path / "script.txt"
    script_file.write_text(script, encoding="utf-8")
    transcript = tmp_path / "out.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSHARAKA_")}
    env["MUSHARAKA_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'sim.sqlite'}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "simulate",
            "--lang",
            lang,
            "--input",
            str(script_file),
            "--transcript",
            str(transcript),
        ],
        check=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    return [json.loads(line) for line in transcript.read_text(encoding="utf-8").splitlines()]


def test_start_in_arabic_gives_an_arabic_transcript(tmp_path: Path) -> None:
    records = run_simulator(tmp_path, "/start\n[العربية]\n[أوافق]\n")
    assert [r["input"] for r in records][:1] == ["/start"]
    assert ARABIC.search(str(records[0]["text"]))
    assert records[0]["buttons"] == [["العربية", "English", "Français"]]
    consent = next(r for r in records if r["input"] == "[العربية]" and r["kind"] == "message")
    assert "هل توافق؟" in str(consent["text"])
    menu = records[-1]
    assert menu["text"] == "ماذا تودّ أن تفعل؟"
    for record in records:
        assert ARABIC.search(str(record["text"])), record


def test_a_missing_button_is_reported_in_the_transcript(tmp_path: Path) -> None:
    records = run_simulator(tmp_path, "/start\n[Not a button]\n", lang="en")
    assert records[-1]["kind"] == "error"
    assert "Not a button" in str(records[-1]["text"])


def test_musharaka_without_a_token_opens_the_simulator_on_demo_data(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSHARAKA_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli"],
        input="[العربية]\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=True,
    )
    assert "simulator" in result.stdout
    assert "من فضلك اختر لغتك." in result.stdout
    assert "هل توافق؟" in result.stdout  # the typed [العربية] pressed the button
    assert (tmp_path / "data" / "demo.sqlite").exists()
