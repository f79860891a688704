"""The ``musharaka`` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot import trainings_cli
from bot.config import DEFAULT_DATA_DIR, Settings, get_settings
from bot.forms import cli as forms_cli

DEMO_DATABASE_URL = f"sqlite+aiosqlite:///{DEFAULT_DATA_DIR / 'demo.sqlite'}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="musharaka",
        description="Musharaka bot. With no command: run the bot if MUSHARAKA_BOT_TOKEN is set, "
        "otherwise open the terminal simulator on demo data.",
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the Telegram bot (needs MUSHARAKA_BOT_TOKEN)")
    commands.add_parser(
        "scheduler",
        help="run only the scheduler (reminders); with Redis, one leader among such processes",
    )

    sim = commands.add_parser("simulate", help="talk to the bot in the terminal, no token needed")
    sim.add_argument(
        "--lang",
        default="ar",
        choices=["ar", "en", "fr"],
        help="the simulated user's Telegram language",
    )
    sim.add_argument("--input", type=Path, help="script file: one message per line")
    sim.add_argument("--transcript", type=Path, help="write every reply as a JSON line here")
    sim.add_argument(
        "--user-id",
        type=int,
        default=1000,
        help="simulated Telegram user id (9000 is the demo admin)",
    )
    sim.add_argument(
        "--database-url",
        help="database to use (default: MUSHARAKA_DATABASE_URL if set, "
        "else the demo database data/demo.sqlite)",
    )
    sim.add_argument("--no-demo", action="store_true", help="do not add demo data to an empty DB")

    admin = commands.add_parser("admin", help="run the admin web app")
    admin.add_argument("--host", help="address to listen on (default: MUSHARAKA_ADMIN_HOST)")
    admin.add_argument("--port", type=int, help="port (default: MUSHARAKA_ADMIN_PORT)")
    admin.add_argument(
        "--demo",
        action="store_true",
        help="try it on the demo database data/demo.sqlite (never the configured one) "
        "with demo logins and a throw-away session key",
    )
    db = commands.add_parser("db", help="database schema")
    db.add_subparsers(dest="db_command", required=True).add_parser(
        "upgrade", help="create or upgrade the schema"
    )

    staff = commands.add_parser("staff", help="staff accounts")
    staff_add = staff.add_subparsers(dest="staff_command", required=True).add_parser(
        "add", help="give a Telegram user a staff role (and optionally an admin login)"
    )
    staff_add.add_argument("telegram_id", type=int)
    staff_add.add_argument("--role", required=True, choices=["admin", "staff", "consultant"])
    staff_add.add_argument("--name", default="", help="display name")
    staff_add.add_argument("--username", help="login name for the admin web app")
    staff_add.add_argument(
        "--password", help="admin password (asked for when --username is given without it)"
    )

    commands.add_parser("demo-data", help="fill the database with a realistic Arabic demo")
    forms_cli.add_parser(commands)
    trainings_cli.add_parser(commands)
    sender = commands.add_parser(
        "send-broadcasts",
        help="run only the broadcast sender (needs MUSHARAKA_BOT_TOKEN); several may share "
        "one PostgreSQL outbox",
    )
    sender.add_argument("--worker", help="a name for this sender in the outbox (default host:pid)")
    pusher = commands.add_parser(
        "push-submissions",
        help="send survey submissions to the linked ODK Central/KoBo projects (see forms link)",
    )
    pusher.add_argument("--worker", help="a name for this worker in the outbox (default host:pid)")
    pusher.add_argument("--once", action="store_true", help="one pass, then exit")

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
    return parser


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


async def _simulate(settings: Settings, args: argparse.Namespace) -> None:
    from bot.app import build_engine
    from bot.channels.simulator import Simulator, read_script
    from bot.demo_data import is_empty, seed
    from bot.engine.session import MemorySessionStore
    from storage.db import Database

    explicit = "MUSHARAKA_DATABASE_URL" in __import__("os").environ
    url = args.database_url or (settings.database_url if explicit else DEMO_DATABASE_URL)
    db = Database(url)
    await db.upgrade()
    if not args.no_demo and await is_empty(db):
        await seed(db)
    engine = build_engine(settings, db, store=MemorySessionStore())
    simulator = Simulator(engine, user_id=args.user_id, language=args.lang)
    try:
        if args.input is None:
            await simulator.interactive()
        else:
            lines = read_script(args.input)
            if args.transcript is not None:
                args.transcript.parent.mkdir(parents=True, exist_ok=True)
                with args.transcript.open("w", encoding="utf-8") as out:
                    await simulator.run_script(lines, transcript=out)
            else:
                await simulator.run_script(lines, echo=sys.stdout)
    finally:
        await db.dispose()


async def _upgrade(settings: Settings) -> None:
    from storage.db import Database

    db = Database(settings.database_url)
    await db.upgrade()
    await db.dispose()
    print(f"schema is up to date: {settings.database_url}")


async def _staff_add(settings: Settings, args: argparse.Namespace) -> None:
    from storage import people, staff_accounts
    from storage.db import Database

    password_hash = None
    if args.username:
        import getpass

        from argon2 import PasswordHasher

        password = args.password or getpass.getpass(f"password for {args.username}: ")
        weakness = staff_accounts.password_weakness(password)
        if weakness is not None:
            raise SystemExit(
                {
                    "too_short": "passwords need at least 10 characters",
                    "one_character": "a password cannot be one character repeated, or only spaces",
                    "common": "this password is one of the first that attackers try",
                }[weakness.value]
            )
        password_hash = PasswordHasher().hash(password)
    db = Database(settings.database_url)
    await db.upgrade()
    async with db.transaction() as s:
        await people.add_staff(
            s,
            role=people.Role(args.role),
            telegram_id=args.telegram_id,
            username=args.username,
            display_name=args.name,
            password_hash=password_hash,
        )
    await db.dispose()
    print(f"{args.telegram_id} is now {args.role}")


async def _demo_data(settings: Settings) -> None:
    from bot.demo_data import seed
    from storage.db import Database

    db = Database(settings.database_url)
    await db.upgrade()
    await seed(db)
    await db.dispose()
    print(f"demo data written to {settings.database_url}")


def _admin(settings: Settings, args: argparse.Namespace) -> None:
    from admin.server import serve

    changes: dict[str, object] = {}
    if args.host:
        changes["admin_host"] = args.host
    if args.port:
        changes["admin_port"] = args.port
    if args.demo:  # demo logins have a published password: never in a real database
        changes["database_url"] = DEMO_DATABASE_URL
    serve(settings.model_copy(update=changes), demo=args.demo)


def _i18n(args: argparse.Namespace) -> int:
    import json

    from bot import i18n_catalogs

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


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    settings = get_settings()
    _configure_logging(settings)
    command = args.command
    if command is None:
        if settings.bot_token:
            command = "run"
        else:
            print("No MUSHARAKA_BOT_TOKEN set: opening the simulator on demo data.\n")
            args = _parser().parse_args(["simulate"])
            command = "simulate"
    if command == "run":
        from bot.runner import run_bot

        asyncio.run(run_bot(settings))
    elif command == "scheduler":
        from bot.runner import run_scheduler

        asyncio.run(run_scheduler(settings))
    elif command == "simulate":
        logging.getLogger().setLevel(logging.WARNING)
        asyncio.run(_simulate(settings, args))
    elif command == "db":
        asyncio.run(_upgrade(settings))
    elif command == "staff":
        asyncio.run(_staff_add(settings, args))
    elif command == "demo-data":
        asyncio.run(_demo_data(settings))
    elif command == "send-broadcasts":
        from bot.broadcast_sender import run_sender_process

        asyncio.run(run_sender_process(settings, args.worker))
    elif command == "push-submissions":
        from bot.forms.odk_cli import push_submissions

        sys.exit(asyncio.run(push_submissions(settings, args.worker, args.once)))
    elif command == "i18n":
        sys.exit(_i18n(args))
    elif command == "admin":
        _admin(settings, args)
    elif command == "forms":
        sys.exit(forms_cli.run(settings, args))
    elif command == "trainings":
        sys.exit(trainings_cli.run(settings, args))


if __name__ == "__main__":
    main()
