"""``musharaka forms ...``: load XLSForms, list them, set the survey round, export answers."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli import odk as odk_cli
from core.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from formengine.store import LiveForm

    LinkStep = Callable[[AsyncSession, LiveForm], Awaitable[None]]


def add_parser(commands: Any) -> None:
    forms = commands.add_parser("forms", help="surveys (XLSForms): import, list, round, export")
    sub = forms.add_subparsers(dest="forms_command", required=True)
    imp = sub.add_parser("import", help="check an XLSForm and make it live (a new version)")
    imp.add_argument("file", type=Path, help="the .xlsx (or .xls) file")
    imp.add_argument("--round", help="survey round of new answers (default: the form's settings)")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="let this file take the place of a different form that has the same id in links "
        "(refused otherwise)",
    )
    forms.set_defaults(handler=run)
    imp.add_argument(
        "--media",
        nargs="+",
        type=Path,
        metavar="DIR|FILE",
        help="the CSV, XML or GeoJSON files the form attaches, or folders holding them "
        "(default: the form's folder and FORM-media/ beside it)",
    )
    imp.add_argument(
        "--lang", choices=["ar", "en", "fr"], default="en", help="language of the messages"
    )
    sub.add_parser("list", help="the forms in the database, their version, round and answers")
    rnd = sub.add_parser("round", help="start a new survey round (residents may answer again)")
    rnd.add_argument("form_id")
    rnd.add_argument("round")
    for name, active in (("close", False), ("open", True)):
        toggle = sub.add_parser(name, help=f"{name} a survey to residents")
        toggle.add_argument("form_id")
        toggle.set_defaults(active=active)
    export = sub.add_parser("export", help="all answers as CSV or XLSX (KoBo-style columns)")
    export.add_argument("form_id")
    export.add_argument("--format", choices=["csv", "xlsx"], default="xlsx")
    export.add_argument("--round", help="only this round")
    export.add_argument("--output", "-o", type=Path, help="file to write (default FORM_ID.FORMAT)")
    odk_cli.add_link_parser(sub)
    odk_cli.add_pull_parser(sub)


class MediaFiles(Mapping[str, bytes]):
    """The files given with --media (files, or folders searched by name), read only when
    the form asks for one of them; ``used`` says which were."""

    def __init__(self, form: Path, given: list[Path] | None) -> None:
        self.folders: list[Path] = []
        self.files: dict[str, Path] = {}
        for path in given or [form.parent, form.with_name(f"{form.stem}-media")]:
            if path.is_dir():
                self.folders.append(path)
            else:
                self.files[path.name] = path
        self.used: set[str] = set()

    def _find(self, name: str) -> Path | None:
        if name in self.files:
            return self.files[name]
        return next((f / name for f in self.folders if (f / name).is_file()), None)

    def __getitem__(self, name: str) -> bytes:
        if "/" in name or "\\" in name or name.startswith("."):
            raise KeyError(name)
        found = self._find(name)
        if found is None:
            raise KeyError(name)
        self.used.add(name)
        return found.read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.forms_command == "import":
        missing = [p for p in [args.file, *(args.media or [])] if not p.exists()]
        if missing:
            print(f"{missing[0]}: no such file", file=sys.stderr)
            return 2
    return asyncio.run(_run(settings, args))


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    from storage.db import Database

    db = Database(settings.database_url)
    try:
        await db.upgrade()
        action = args.forms_command
        if action == "import":
            return await _import(db, args)
        if action == "list":
            return await _list(db)
        if action == "round":
            return await _round(db, args)
        if action in ("close", "open"):
            return await _toggle(db, args)
        if action == "link":
            return await odk_cli.link(db, args)
        if action == "pull":
            return await odk_cli.pull(db, args)
        return await _export(db, args)
    finally:
        await db.dispose()


async def _import(db: Any, args: argparse.Namespace) -> int:
    path: Path = args.file
    media = MediaFiles(path, args.media)
    data = await asyncio.to_thread(path.read_bytes)
    return await import_and_report(db, args, data, path.name, media)


async def import_and_report(
    db: Any,
    args: argparse.Namespace,
    data: bytes,
    filename: str,
    media: Mapping[str, bytes],
    then: LinkStep | None = None,
) -> int:
    """Import an XLSForm and print what came of it; ``then`` runs in the same transaction
    (``forms pull`` links the form to its server there: both happen, or neither)."""
    from core.i18n import _, use_language
    from formengine.loader import FormError
    from formengine.model import START_PARAMETER_MAX, start_parameter
    from formengine.store import ReplaceRefused, import_xlsform
    from storage import reference
    from storage.surveys import VersionConflict

    try:
        with use_language(getattr(args, "lang", "en")):
            async with db.transaction() as s:
                live, outcome = await import_xlsform(
                    s,
                    data,
                    filename=filename,
                    round_override=args.round,
                    replace=args.replace,
                    media=media,
                )
                if then is not None:
                    await then(s, live)
    except FormError as exc:
        with use_language(getattr(args, "lang", "en")):
            print(_("{file} cannot be used:").format(file=filename), file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    except (VersionConflict, ReplaceRefused) as exc:
        print(f"{filename}: {exc}", file=sys.stderr)
        return 1
    async with db.reader() as s:
        districts = [d.code for d in await reference.list_districts(s)]
    form = live.form
    asked = sum(1 for q in form.questions if q.asked)
    print(
        f"{form.form_id} version {form.version}: {outcome.value} "
        f"({asked} questions, languages {', '.join(form.languages) or '-'}, round {live.round!r})"
    )
    for warning in form.warnings:
        print(f"  note: {warning}")
    for name in form.media:
        rows = len(form.choices.get(name, ()))
        print(f"  attached: {name} ({rows} rows)")
    used = media.used if isinstance(media, MediaFiles) else set(form.media)
    for name in sorted(set(media) - used):
        print(f"  note: {name} was given but the form does not use it")
    print(f"  link: https://t.me/<your_bot>?start={start_parameter(form.form_id)}")
    if districts and form.role_question("district") is not None:
        example = start_parameter(form.form_id, districts[0])
        if example:
            print(f"  with a district: https://t.me/<your_bot>?start={example}")
        too_long = [d for d in districts if start_parameter(form.form_id, d) is None]
        if too_long:
            print(
                f"  note: a link with the district {', '.join(too_long)} would pass Telegram's "
                f"{START_PARAMETER_MAX} characters, which Telegram drops: use the link without "
                "a district there"
            )
    return 0


async def _list(db: Any) -> int:
    from storage import surveys

    async with db.reader() as s:
        forms = await surveys.list_forms(s, active_only=False)
        if not forms:
            print("no forms yet: musharaka forms import FILE.xlsx")
        for form in forms:
            count = await surveys.count_submissions(s, form.pk, form.round)
            state = "open" if form.active else "closed"
            print(
                f"{form.form_id}\tversion {form.version}\tround {form.round}\t{state}\t"
                f"{count} answers this round\t{form.title}"
            )
    return 0


async def _round(db: Any, args: argparse.Namespace) -> int:
    from storage import surveys

    async with db.transaction() as s:
        found = await surveys.set_round(s, args.form_id, args.round)
    if not found:
        print(f"no form {args.form_id}", file=sys.stderr)
        return 1
    print(f"{args.form_id}: new answers now belong to round {args.round!r}")
    return 0


async def _toggle(db: Any, args: argparse.Namespace) -> int:
    from storage import surveys

    async with db.transaction() as s:
        found = await surveys.set_active(s, args.form_id, args.active)
    if not found:
        print(f"no form {args.form_id}", file=sys.stderr)
        return 1
    print(f"{args.form_id} is now {'open' if args.active else 'closed'}")
    return 0


async def _export(db: Any, args: argparse.Namespace) -> int:
    from storage.survey_exports import ExportError, repeat_csvs, survey_table, to_csv, to_xlsx

    try:
        async with db.reader() as s:
            table = await survey_table(s, args.form_id, round_label=args.round)
    except ExportError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    data = to_csv(table) if args.format == "csv" else to_xlsx(table)
    output: Path = args.output or Path(f"{args.form_id}.{args.format}")
    await asyncio.to_thread(output.write_bytes, data)
    print(f"{len(table.rows)} submissions written to {output}")
    if args.format == "csv":  # KoBo's CSV export: one more file per repeat
        for repeat, body in repeat_csvs(table).items():
            beside = output.with_name(f"{output.stem}-{repeat}.csv")
            await asyncio.to_thread(beside.write_bytes, body)
            print(f"{repeat}: written to {beside}")
    return 0
