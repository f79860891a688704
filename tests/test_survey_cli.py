"""`musharaka forms ...` and the needs survey in a scripted `musharaka simulate` run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from forms.build_needs_survey import OUTPUT, build
from tests.support.xlsforms import write_xlsform


def musharaka(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSHARAKA_")}
    env["MUSHARAKA_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite'}"
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_shipped_needs_survey_matches_its_build_script() -> None:
    assert OUTPUT.read_bytes() == build(), "run: python forms/build_needs_survey.py"


def test_forms_import_list_round_and_export(tmp_path: Path) -> None:
    result = musharaka(tmp_path, "forms", "import", str(OUTPUT))
    assert result.returncode == 0, result.stderr
    assert "needs_survey version 2026112401: created" in result.stdout
    assert "?start=survey_needs_survey" in result.stdout
    again = musharaka(tmp_path, "forms", "import", str(OUTPUT))
    assert "unchanged" in again.stdout

    listed = musharaka(tmp_path, "forms", "list")
    assert "needs_survey\tversion 2026112401\tround 2026\topen\t0 answers" in listed.stdout
    assert musharaka(tmp_path, "forms", "round", "needs_survey", "2027").returncode == 0
    assert "round 2027" in musharaka(tmp_path, "forms", "list").stdout
    assert musharaka(tmp_path, "forms", "close", "needs_survey").returncode == 0
    assert "closed" in musharaka(tmp_path, "forms", "list").stdout

    exported = musharaka(tmp_path, "forms", "export", "needs_survey", "--format", "csv")
    assert exported.returncode == 0, exported.stderr
    header = (tmp_path / "needs_survey.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("district,age_group,gender,top_sectors,top_sectors/health,")


def test_a_form_with_a_repeat_is_refused_with_its_row(tmp_path: Path) -> None:
    bad = write_xlsform(
        tmp_path / "kids.xlsx",
        [
            {"type": "integer", "name": "count", "label": "How many children?"},
            {"type": "begin_repeat", "name": "child", "label": "Child"},
            {"type": "begin_repeat", "name": "toy", "label": "Toy"},
            {"type": "begin_repeat", "name": "part", "label": "Part"},
            {"type": "text", "name": "name", "label": "Name"},
            {"type": "end_repeat", "name": ""},
            {"type": "end_repeat", "name": ""},
            {"type": "end_repeat", "name": ""},
            {
                "type": "text",
                "name": "why",
                "label": "Why?",
                "relevant": "pulldata('a','b','c','d')",
            },
        ],
        settings={"form_id": "kids"},
    )
    result = musharaka(tmp_path, "forms", "import", str(bad))
    assert result.returncode == 1
    assert "kids.xlsx cannot be used:" in result.stderr
    assert "row 5: part: a repeat inside a repeat inside a repeat is not" in result.stderr
    assert "no forms yet" in musharaka(tmp_path, "forms", "list").stdout
    missing = musharaka(tmp_path, "forms", "import", str(tmp_path / "nope.xlsx"))
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_the_needs_survey_in_a_scripted_arabic_simulator_run(tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text(
        "\n".join(
            [
                "/start survey_needs_survey_sbeitla",
                "[العربية]",
                "[أوافق]",
                "[متابعة ◀]",
                "[من ١٥ إلى ٢٤ سنة]",
                "[امرأة]",
                "[التشغيل ومورد الرزق]",
                "[الشباب والرياضة]",
                "[التعليم]",
                "لا توجد دار شباب في الحي",
                "[نعم]",
                "[✅ أرسل إجاباتي]",
                "[عرض أولويات معتمديتي]",
            ]
        ),
        encoding="utf-8",
    )
    transcript = tmp_path / "out.jsonl"
    result = musharaka(
        tmp_path,
        "simulate",
        "--lang",
        "ar",
        "--input",
        str(script),
        "--transcript",
        str(transcript),
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in transcript.read_text(encoding="utf-8").splitlines()]
    assert not [r for r in records if r["kind"] == "error"], records
    texts = "\n".join(str(r.get("text", "")) for r in records)
    assert "المعتمدية: سبيطلة" in texts
    assert "١. التشغيل ومورد الرزق  ٢. الشباب والرياضة  ٣. التعليم" in texts
    assert "شكرًا لك! وصلتنا إجاباتك" in texts
    # The demo already holds 70 answers from Sbeitla (demo.residents): 71 with this one.
    assert "ما وضعه سكان سبيطلة في المقدّمة حتى الآن (٧١ مشاركًا):" in texts


def test_forms_without_form_id_keep_their_own_links_and_replace_needs_asking(
    tmp_path: Path,
) -> None:
    def one_question(label: str) -> list[dict[str, str]]:
        return [{"type": "text", "name": "answer", "label": label}]

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    water = write_xlsform(tmp_path / "a" / "water points.xlsx", one_question("Tap?"))
    school = write_xlsform(tmp_path / "school.xlsx", one_question("School?"))
    other_water = write_xlsform(tmp_path / "b" / "water points.xlsx", one_question("Well?"))

    first = musharaka(tmp_path, "forms", "import", str(water))
    assert first.returncode == 0, first.stderr
    assert "water_points version 1: created" in first.stdout
    assert "?start=survey_water_points\n" in first.stdout
    assert "with a district" not in first.stdout  # the form asks no district
    assert musharaka(tmp_path, "forms", "import", str(school)).returncode == 0
    listed = musharaka(tmp_path, "forms", "list").stdout
    assert "water_points\tversion 1" in listed and "school\tversion 1" in listed

    refused = musharaka(tmp_path, "forms", "import", str(other_water))
    assert refused.returncode == 1
    assert "would replace the form 'water_points' ('water points', 0 answer(s)" in refused.stderr
    assert "--replace" in refused.stderr
    replaced = musharaka(tmp_path, "forms", "import", str(other_water), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert "water_points version 1: replaced" in replaced.stdout
