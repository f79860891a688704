"""``musharaka i18n extract|check|fill``: the translation catalogues in locales/."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(commands: Any) -> None:
    i18n = commands.add_parser("i18n", help="translation catalogues in locales/")
    i18n_commands = i18n.add_subparsers(dest="i18n_command", required=True)
    i18n_commands.add_parser("extract", help="refresh the catalogues from the code")
    i18n_commands.add_parser("check", help="list messages lacking a translation")
    fill = i18n_commands.add_parser(
        "fill", help="write translations from a JSON file {msgid: text} into a catalogue"
    )
    fill.add_argument("domain")
    fill.add_argument("language", choices=["ar", "en", "fr"])
    fill.add_argument("json_file", type=Path)
    i18n.set_defaults(handler=lambda settings, args: _i18n(args))


def _i18n(args: argparse.Namespace) -> int:
    import json

    from core import catalogues as i18n_catalogs

    action = args.i18n_command
    if action == "fill":
        mapping = json.loads(args.json_file.read_text(encoding="utf-8"))
        print(f"{i18n_catalogs.fill(args.domain, args.language, mapping)} entries filled")
        return 0
    if action == "extract":
        for line in i18n_catalogs.extract() or ["catalogues already up to date"]:
            print(line)
        return 0
    problems = i18n_catalogs.check()
    for problem in problems:
        print(problem)
    for file in i18n_catalogs.files_outside_domains():
        print(f"{file}: uses _() but is in no domain of locales/domains.toml")
        problems.append(None)  # type: ignore[arg-type]
    return 1 if problems else 0
