"""``musharaka forms pull``, ``musharaka forms link`` and ``musharaka push-submissions``: a
form (with its files) from the programme's ODK Central / KoBoToolbox server, where its
submissions go there, and the worker that sends them.

The token stays in the environment: ``--token-env VAR`` stores only the variable's name
(a database dump or backup never carries the server's credentials)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any


def add_parser(commands: Any) -> None:
    pusher = commands.add_parser(
        "push-submissions",
        help="send survey submissions to the linked ODK Central/KoBo projects (see forms link)",
    )
    pusher.add_argument("--worker", help="a name for this worker in the outbox (default host:pid)")
    pusher.add_argument("--once", action="store_true", help="one pass, then exit")
    pusher.set_defaults(
        handler=lambda settings, args: asyncio.run(
            push_submissions(settings, args.worker, args.once)
        )
    )


def add_link_parser(sub: Any) -> None:
    link = sub.add_parser(
        "link", help="send this form's submissions to an ODK Central project or KoBoToolbox"
    )
    link.add_argument("form_id")
    link.add_argument(
        "--server", required=True, help="https://central.example.org or https://kc.kobotoolbox.org"
    )
    link.add_argument(
        "--project",
        help="the project's number on ODK Central (none: KoBoToolbox's KoBoCAT /submission)",
    )
    link.add_argument(
        "--server-form",
        help="the form's id there, sent in each instance (xmlFormId on Central, the asset uid "
        "on KoBo; default: the form's own id)",
    )
    link.add_argument(
        "--server-version",
        help="the version the server publishes the form under (default: the form's own)",
    )
    link.add_argument("--token-env", required=True, help="environment variable with the token")


def add_pull_parser(sub: Any) -> None:
    pull = sub.add_parser(
        "pull",
        help="import a form with its attached files from ODK Central or KoBoToolbox, and send "
        "its submissions back there",
    )
    pull.add_argument(
        "url",
        nargs="?",
        help="the form's address: https://central.example.org/#/projects/7/forms/FORM or "
        "https://kf.kobotoolbox.org/#/forms/UID (or give --server, --project, --form)",
    )
    pull.add_argument("--server", help="https://central.example.org or https://kf.kobotoolbox.org")
    pull.add_argument("--project", help="the project's number on ODK Central (none on KoBo)")
    pull.add_argument("--form", help="the form's xmlFormId on Central, asset uid on KoBo")
    pull.add_argument("--token-env", required=True, help="environment variable with the token")
    pull.add_argument("--round", help="survey round of new answers (default: the form's settings)")
    pull.add_argument(
        "--replace", action="store_true", help="as for forms import: take a different form's place"
    )
    pull.add_argument(
        "--lang", choices=["ar", "en", "fr"], default="en", help="language of the messages"
    )


def _source(args: argparse.Namespace) -> Any:
    from formengine.odk_pull import Source, parse_address

    if args.url:
        return parse_address(args.url)
    if args.server and args.form:
        return Source(args.server.rstrip("/"), args.form, str(args.project or ""))
    return None


async def pull(db: Any, args: argparse.Namespace) -> int:
    """Fetch the form and its files, import them and link the form, in one transaction."""
    from bot.cli.forms import import_and_report
    from core.i18n import _, use_language
    from formengine.odk_pull import PullError
    from formengine.odk_pull import pull as fetch
    from storage import submission_pushes as pushes

    with use_language(args.lang):
        source = _source(args)
        token = os.environ.get(args.token_env, "")
        problem = ""
        if source is None:
            problem = _(
                "Give the form's address on ODK Central (…/projects/7/forms/FORM) or "
                "KoBoToolbox (…/forms/UID), or --server with --form (and --project on Central)."
            )
        elif not token:
            problem = _("The variable {var} is not set: put the server's token in it.").format(
                var=args.token_env
            )
        if problem:
            print(problem, file=sys.stderr)
            return 2
        try:
            pulled = await fetch(source, token, args.token_env)
        except PullError as exc:
            print(str(exc), file=sys.stderr)
            return 1
    target = pulled.target

    async def link_it(session: Any, live: Any) -> None:
        if target is not None:
            await pushes.link_form(session, live.stored.pk, target)

    code = await import_and_report(db, args, pulled.xlsform, pulled.filename, pulled.media, link_it)
    if code == 0 and target is not None:
        with use_language(args.lang):
            print(
                _("Submissions go back to {server} ({form}).").format(
                    server=target.server_url, form=target.xform_id or target.server_form_id
                )
            )
    return code


async def link(db: Any, args: argparse.Namespace) -> int:
    from storage import submission_pushes as pushes
    from storage import surveys

    async with db.transaction() as session:
        form = await surveys.get_form(session, args.form_id)
        if form is None:
            print(f"no form {args.form_id}", file=sys.stderr)
            return 1
        target = pushes.Target(
            args.server,
            str(args.project or ""),
            args.server_form or form.form_id,
            args.token_env,
            xform_id=args.server_form,
            xform_version=args.server_version,
        )
        await pushes.link_form(session, form.pk, target)
    where = f"project {args.project}" if args.project else "(KoBoCAT /submission)"
    print(f"{args.form_id}: submissions go to {args.server.rstrip('/')} {where}")
    if not os.environ.get(args.token_env):
        print(f"warning: {args.token_env} is not set here; the sender needs it", file=sys.stderr)
    return 0


async def push_submissions(settings: Any, worker: str | None, once: bool) -> int:
    """Send queued submissions; with ``once`` one pass, else every 30 s until stopped."""
    from core.clock import SystemClock
    from formengine.odk_push import SubmissionPusher
    from storage import files
    from storage.db import Database

    db = Database(settings.database_url)
    try:
        await db.upgrade()
        name = worker or f"{os.uname().nodename}:{os.getpid()}"
        store = files.build_file_store(settings)
        pusher = SubmissionPusher(db, SystemClock(), name=name, files=store)
        while True:
            await pusher.run_once()
            if once:
                return 0
            await asyncio.sleep(30)
    finally:
        await db.dispose()
