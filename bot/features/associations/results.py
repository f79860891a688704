"""An association's latest capacity self-assessment: the bars, where to start, and the
matching trainings and consultations."""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.replies import Button
from bot.features.associations import actions
from core.formatting import format_day, format_percent_figure
from core.i18n import _, current_language
from storage import associations, trainings
from storage.associations import bar, domain_label, weakest

TRAINING_COURSE = "tc"  # the trainings area's global button for a course: g:tc:<course>


async def show_latest_results(ctx: Context) -> None:
    """The latest assessment of the user's association, with what to do next."""
    async with ctx.reader() as s:
        found = await associations.association_of(s, ctx.user_id)
        latest = await associations.latest_assessment(s, found[0].id) if found else None
        if found is None or latest is None:
            ctx.say(_("Your association has not completed a capacity self-assessment yet."))
            return
        assessment, rows = latest
        scores = [associations.DomainScore(r.domain, r.score, r.max_score) for r in rows]
        focus = weakest(scores)
        courses = await trainings.courses_for_topics(s, focus)
    lang = current_language()
    lines = [
        _("Capacity self-assessment of «{name}» ({day}):").format(
            name=found[0].name, day=format_day(assessment.completed_at.date(), with_hijri=False)
        ),
        "",
    ]
    for item in scores:
        lines.append(
            f"{bar(item.percent)} {format_percent_figure(item.percent)}"
            f" — {domain_label(item.domain)}"
        )
    buttons: list[list[Button]] = []
    if not focus:
        lines += ["", _("Well done: your association is strong in every area.")]
    else:
        lines += [
            "",
            _("Where to start: {areas}.").format(
                areas=("، " if lang == "ar" else ", ").join(domain_label(d) for d in focus)
            ),
            _(
                "You can ask the support centre for a consultation on these topics, and join "
                "the matching trainings:"
            ),
        ]
        order = {d: i for i, d in enumerate(focus)}
        for course in sorted(courses, key=lambda c: (order.get(c.topic, 99), c.sort_order)):
            label = f"📚 {course.title(lang)}"
            buttons.append([ctx.global_button(label, TRAINING_COURSE, course.id)])
        if "consultation" in ctx.engine.registry.conversations:
            buttons.append([actions.BOOK_CONSULTATION.global_button(ctx, _("Book a consultation"))])
    ctx.say("\n".join(lines), buttons or None)


async def book_consultation_pressed(ctx: Context) -> None:
    if "consultation" not in ctx.engine.registry.conversations:
        ctx.toast(_("This option is not available."))
        return
    await ctx.start("consultation", kind="consultation")
