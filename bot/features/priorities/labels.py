"""The names the priorities are written with: a form's sector labels and the districts'."""

from __future__ import annotations

from bot.engine.context import Context
from formengine.model import Form
from storage import reference


def sector_labels(form: Form, question: str, language: str) -> dict[str, str]:
    if not form.has(question):
        return {}
    return {c.name: c.text(language) for c in form.choices_of(form.question(question))}


async def district_names(ctx: Context, form: Form) -> dict[str, str]:
    """The form's district choices, overridden by the reference list's names."""
    names: dict[str, str] = {}
    district_question = form.role_question("district")
    if district_question is not None:
        names.update({c.name: c.text(ctx.lang) for c in form.choices_of(district_question)})
    async with ctx.reader() as s:
        for district in await reference.list_districts(s):
            names[district.code] = district.name(ctx.lang)
    return names
