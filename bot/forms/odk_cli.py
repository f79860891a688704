"""``musharaka forms link`` and ``musharaka push-submissions``: where a form's submissions
go on the programme's ODK Central / KoBoToolbox server, and the worker that sends them.

The token stays in the environment: ``--token-env VAR`` stores only the variable's name
(a database dump or backup never carries the server's credentials)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any


def add_link_parser(sub: Any) -> None:
    link = sub.add_parser("link", help="send this form's submissions to an ODK Central project")
    link.add_argument("form_id")
    link.add_argument("--server", required=True, help="https://central.example.org")
    link.add_argument("--project", required=True, help="the project's number on the server")
    link.add_argument("--server-form", help="the form's xmlFormId there (default: FORM_ID)")
    link.add_argument("--token-env", required=True, help="environment variable with the token")


async def link(db: Any, args: argparse.Namespace) -> int:
    from storage import submission_pushes as pushes
    from storage import surveys

    async with db.transaction() as session:
        form = await surveys.get_form(session, args.form_id)
        if form is None:
            print(f"no form {args.form_id}", file=sys.stderr)
            return 1
        target = pushes.Target(
            args.server, str(args.project), args.server_form or form.form_id, args.token_env
        )
        await pushes.link_form(session, form.pk, target)
    print(f"{args.form_id}: submissions go to {args.server.rstrip('/')} project {args.project}")
    if not os.environ.get(args.token_env):
        print(f"warning: {args.token_env} is not set here; the sender needs it", file=sys.stderr)
    return 0


async def push_submissions(settings: Any, worker: str | None, once: bool) -> int:
    """Send queued submissions; with ``once`` one pass, else every 30 s until stopped."""
    from bot.engine.clock import SystemClock
    from bot.odk_push import SubmissionPusher
    from storage import files
    from storage.db import Database

    db = Database(settings.database_url)
    try:
        await db.upgrade()
        name = worker or f"{os.uname().nodename}:{os.getpid()}"
        store = files.LocalFileStore(settings.media_dir)
        pusher = SubmissionPusher(db, SystemClock(), name=name, files=store)
        while True:
            await pusher.run_once()
            if once:
                return 0
            await asyncio.sleep(30)
    finally:
        await db.dispose()
