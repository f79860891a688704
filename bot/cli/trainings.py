"""``musharaka trainings ...``: the training catalogue and the volunteers' skills list, for
staff who prefer a terminal to SQL (the admin app may offer the same)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.config import Settings
from storage.associations import DOMAINS


def add_parser(commands: Any) -> None:
    trainings = commands.add_parser(
        "trainings", help="training catalogue (courses, sessions) and the volunteers' skills list"
    )
    trainings.set_defaults(handler=run)
    sub = trainings.add_subparsers(dest="trainings_command", required=True)
    sub.add_parser("list", help="courses and their coming sessions, with seats and waiting lists")
    course = sub.add_parser("add-course", help="add a course, or update the one with this code")
    course.add_argument("code", help="short identifier, e.g. project-management")
    course.add_argument("--topic", required=True, choices=DOMAINS, help="capacity area it serves")
    course.add_argument("--title-ar", required=True)
    course.add_argument("--title-en", required=True)
    course.add_argument("--title-fr", required=True)
    course.add_argument("--description-ar", default="")
    course.add_argument("--description-en", default="")
    course.add_argument("--description-fr", default="")
    course.add_argument("--hours", type=int, default=0, help="length of the whole course")
    session = sub.add_parser("add-session", help="schedule a session of a course")
    session.add_argument("course", help="the course's code")
    session.add_argument("--start", required=True, help='local time, e.g. "2026-12-08 09:00"')
    session.add_argument("--hours", type=float, required=True, help="length of this session")
    session.add_argument("--capacity", type=int, required=True)
    session.add_argument("--branch", help="branch code (see the demo: kasserine, sbeitla)")
    session.add_argument("--place", default="", help="room or address")
    session.add_argument("--language", choices=["ar", "fr", "en"], default="ar")
    session.add_argument("--trainer", default="", help="the trainer's name, shown to trainees")
    sub.add_parser("skills", help="the skills volunteers choose from")
    skill = sub.add_parser("add-skill", help="add a skill to the list, or rename one")
    skill.add_argument("code", help="short identifier, e.g. sewing")
    skill.add_argument("--ar", required=True)
    skill.add_argument("--en", required=True)
    skill.add_argument("--fr", required=True)


def run(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(settings, args))


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    from storage.db import Database

    db = Database(settings.database_url)
    try:
        await db.upgrade()
        action = args.trainings_command
        if action == "list":
            return await _list(db, settings)
        if action == "add-course":
            return await _add_course(db, args)
        if action == "add-session":
            return await _add_session(db, settings, args)
        if action == "skills":
            return await _skills(db)
        return await _add_skill(db, args)
    finally:
        await db.dispose()


async def _list(db: Any, settings: Settings) -> int:
    from storage import trainings

    zone = ZoneInfo(settings.timezone)
    now = datetime.now(zone)
    async with db.reader() as s:
        for course in await trainings.list_courses(s):
            print(f"{course.code}  [{course.topic}]  {course.title_en} / {course.title_ar}")
            for training in await trainings.upcoming_sessions(s, course.id, now):
                waiting = await trainings.waiting_count(s, training.id)
                start = training.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                print(
                    f"    #{training.id} {start} {training.branch_code or training.place or '-'}"
                    f" {training.language}: {training.seats_taken}/{training.capacity} seats,"
                    f" {waiting} waiting"
                )
    return 0


async def _add_course(db: Any, args: argparse.Namespace) -> int:
    from storage import trainings

    async with db.transaction() as s:
        course = await trainings.upsert_course(
            s,
            code=args.code,
            topic=args.topic,
            titles=(args.title_ar, args.title_en, args.title_fr),
            descriptions=(args.description_ar, args.description_en, args.description_fr),
            hours=args.hours,
        )
    print(f"course {course.code} saved")
    return 0


async def _add_session(db: Any, settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from storage import reference, trainings

    try:
        local = datetime.strptime(args.start, "%Y-%m-%d %H:%M")
    except ValueError:
        print(f"--start {args.start!r}: write it as YYYY-MM-DD HH:MM", file=sys.stderr)
        return 2
    if args.capacity < 1 or args.hours <= 0:
        print("--capacity must be at least 1 and --hours more than 0", file=sys.stderr)
        return 2
    starts = local.replace(tzinfo=ZoneInfo(settings.timezone))
    async with db.transaction() as s:
        course = await s.scalar(
            select(trainings.Course).where(trainings.Course.code == args.course)
        )
        if course is None:
            print(f"no course {args.course!r} (see: musharaka trainings list)", file=sys.stderr)
            return 2
        if args.branch and await s.get(reference.Branch, args.branch) is None:
            print(f"no branch {args.branch!r}", file=sys.stderr)
            return 2
        training = await trainings.add_session(
            s,
            course_id=course.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=args.hours),
            capacity=args.capacity,
            branch_code=args.branch,
            place=args.place,
            language=args.language,
            trainer_name=args.trainer,
        )
    print(f"session #{training.id} of {course.code} scheduled for {args.start}")
    return 0


async def _skills(db: Any) -> int:
    from storage import volunteers

    async with db.reader() as s:
        for skill in await volunteers.list_skills(s):
            print(f"{skill.code}: {skill.name_ar} / {skill.name_en} / {skill.name_fr}")
    return 0


async def _add_skill(db: Any, args: argparse.Namespace) -> int:
    from storage import volunteers

    async with db.transaction() as s:
        count = len(await volunteers.list_skills(s))
        existing = await s.get(volunteers.Skill, args.code)
        order = existing.sort_order if existing is not None else count
        await volunteers.upsert_skill(s, args.code, args.ar, args.en, args.fr, sort_order=order)
    print(f"skill {args.code} saved")
    return 0
