"""Parses the command line and hands it to the command group that owns it."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.cli import admin, flows, forms, i18n, odk, run, setup, simulate, trainings
from core.config import Settings, get_settings

GROUPS = (run, simulate, setup, admin, forms, odk, trainings, i18n, flows)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="musharaka",
        description="Musharaka bot. With no command: run the bot if MUSHARAKA_BOT_TOKEN is set, "
        "otherwise open the terminal simulator on demo data.",
    )
    commands = parser.add_subparsers(dest="command")
    for group in GROUPS:
        group.add_parser(commands)
    return parser


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = get_settings()
    _configure_logging(settings)
    if args.command is None:
        if settings.bot_token:
            args = parser.parse_args(["run"])
        else:
            print("No MUSHARAKA_BOT_TOKEN set: opening the simulator on demo data.\n")
            args = parser.parse_args(["simulate"])
    result = args.handler(settings, args)
    if result is not None:
        sys.exit(result)


if __name__ == "__main__":
    main()
