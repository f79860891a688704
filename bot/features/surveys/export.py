"""/survey_export [form_id]: staff get every submission as CSV and XLSX (KoBo-style columns).

The files hold personal answers (free text, locations), so only staff and admins get them,
never consultants; the admin module offers the same files with an audit log.
"""

from __future__ import annotations

from bot.engine.context import Context
from core.i18n import _, ngettext
from formengine.store import NEEDS_SURVEY, ensure_shipped_form
from storage import surveys
from storage.survey_exports import ExportError, repeat_csvs, survey_table, to_csv, to_xlsx

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def survey_export_command(ctx: Context) -> None:
    form_id = ctx.event.args.strip().split(" ")[0] or NEEDS_SURVEY
    if form_id == NEEDS_SURVEY:
        await ensure_shipped_form(ctx.db, NEEDS_SURVEY)
    async with ctx.reader() as s:
        stored = await surveys.get_form(s, form_id)
        if stored is None:
            known = ", ".join(f.form_id for f in await surveys.list_forms(s, active_only=False))
            ctx.say(
                _("There is no survey {form_id}. Surveys: {known}").format(
                    form_id=form_id, known=known or "—"
                )
            )
            return
        try:
            table = await survey_table(s, form_id)
        except ExportError:
            ctx.say(
                _("There is no survey {form_id}. Surveys: {known}").format(
                    form_id=form_id, known="—"
                )
            )
            return
    count = len(table.rows)
    caption = ngettext("{form_id}: {n} submission", "{form_id}: {n} submissions", count).format(
        form_id=form_id, n=count
    )
    ctx.send_file(f"{form_id}.csv", to_csv(table), caption=caption, mime_type="text/csv")
    for repeat, body in repeat_csvs(table).items():  # one CSV per repeat, as KoBo exports
        ctx.send_file(f"{form_id}-{repeat}.csv", body, caption=caption, mime_type="text/csv")
    ctx.send_file(f"{form_id}.xlsx", to_xlsx(table), caption=caption, mime_type=XLSX_MIME)
