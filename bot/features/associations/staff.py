"""Staff command ``/associations``: the associations on the bot, their members (names and
phones: staff only) and their latest capacity self-assessment."""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.keyboards import column
from bot.features.associations import actions
from core.formatting import format_number, format_percent_figure
from core.i18n import _, current_language
from storage import associations, reference
from storage.associations import bar, domain_label, field_label, role_label
from storage.people import Role, role_at_least

LISTED = 40


async def associations_command(ctx: Context) -> None:
    async with ctx.reader() as s:
        listed = await associations.list_associations(s)
        districts = {d.code: d for d in await reference.list_districts(s)}
    if not listed:
        ctx.say(_("No association has registered on the bot yet."))
        return
    lang = current_language()
    lines = [_("Associations on Musharaka ({n}):").format(n=format_number(len(listed))), ""]
    buttons = []
    for association, on_bot in listed[:LISTED]:
        district = districts.get(association.district_code)
        where = district.name(lang) if district else association.district_code
        lines.append(
            f"• {association.name} — {where} · "
            + _("{n} on the bot").format(n=format_number(on_bot))
        )
        buttons.append(
            actions.ASSOCIATION.global_button(ctx, association.name[:50], id=association.id)
        )
    ctx.say("\n".join(lines), column(buttons))


async def association_pressed(ctx: Context, id: int) -> None:
    if not role_at_least(await ctx.role(), Role.STAFF):
        ctx.toast(_("This is only for programme staff."))
        return
    async with ctx.reader() as s:
        association = await associations.get_association(s, id)
        if association is None:
            ctx.toast(_("This association is no longer on Musharaka."))
            return
        members = await associations.members(s, association.id)
        latest = await associations.latest_assessment(s, association.id)
    lines = [
        f"🏢 {association.name}",
        f"{field_label(association.field_code)} · "
        + _("Members: {count} (on Musharaka: {on_bot})").format(
            count=format_number(association.members_count), on_bot=format_number(len(members))
        ),
        "",
    ]
    for n, member in enumerate(members, start=1):
        lines.append(
            f"{format_number(n)}. {member.full_name} — {member.phone} ({role_label(member.role)})"
        )
    if latest is not None:
        lines += ["", _("Capacity self-assessment:")]
        for row in latest[1]:
            lines.append(
                f"{bar(row.percent)} {format_percent_figure(row.percent)}"
                f" — {domain_label(row.domain)}"
            )
    ctx.say("\n".join(lines))
