"""The base of the association flow's parts (registering, joining, the association's page):
each part may move on to a screen another part draws."""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.steps import Flow


class AssociationParts(Flow):
    async def _join(self, ctx: Context) -> None:
        """Join the association chosen by its code (joining.JoinSteps)."""
        raise NotImplementedError

    async def _show_home(self, ctx: Context) -> None:
        """Draw the association's page, or end when there is none (home.HomeSteps)."""
        raise NotImplementedError
