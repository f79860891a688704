"""The ``training`` flow: its steps in one list (the map). How each step is drawn and what
its buttons do lives with its job: ``catalogue`` (hub, catalogue, course, session),
``registration`` (name, gender, mine, confirm_cancel), ``checkin`` (checkin, comment,
suggest).

Opened by /trainings and the menu (the hub), /present (``view="checkin"``), the global
buttons "My registrations" (``view="mine"``), a course's dates (``course=<id>``) and a
rating (``feedback=<registration id>``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.engine.context import Context
from bot.engine.steps import ActionHandler, Step
from bot.features.trainings.actions import (
    CANCEL,
    CANCEL_YES,
    CATALOGUE,
    CHECK_IN,
    COURSE,
    GENDER,
    MY_REGISTRATIONS,
    REGISTER,
    SESSION,
    SKIP,
    SUGGEST,
)
from bot.features.trainings.catalogue import CatalogueSteps
from bot.features.trainings.checkin import CheckinSteps
from bot.features.trainings.registration import RegistrationSteps

# ``ctx.start("training", view=...)`` opens on the step of the same name.
VIEWS = ("catalogue", "mine", "checkin", "suggest")


class Training(CatalogueSteps, RegistrationSteps, CheckinSteps):
    name = "training"
    starts = ("hub", "catalogue", "course", "mine", "checkin", "suggest", "comment")

    def steps(self) -> Sequence[Step]:
        go = self._go
        return [
            Step(
                "hub",
                self.draw_hub,
                on={
                    CATALOGUE: go("catalogue"),
                    MY_REGISTRATIONS: go("mine"),
                    CHECK_IN: go("checkin"),
                    SUGGEST: go("suggest"),
                },
                goes_to=("catalogue", "mine", "checkin", "suggest"),
            ),
            Step(
                "catalogue",
                self.draw_catalogue,
                # CATALOGUE: the Back of "this course is no longer offered"
                on={COURSE: self.on_course, SUGGEST: go("suggest"), CATALOGUE: go("catalogue")},
                goes_to=("course", "suggest"),
                back="hub",
            ),
            Step(
                "course",
                self.draw_course,
                on={SESSION: self.on_session},
                goes_to=("session",),
                back="catalogue",
            ),
            Step(
                "session",
                self.draw_session,
                on={REGISTER: self.on_register, CANCEL: self.on_cancel_asked},
                # catalogue: Back to a course that is no longer offered
                goes_to=("name", "gender", "confirm_cancel", "catalogue"),
                back="course",
                ends=True,
            ),
            Step(
                "name",
                self.draw_name,
                message=self.on_name,
                text_only=True,
                goes_to=("gender",),
                ends=True,
            ),
            Step("gender", self.draw_gender, on={GENDER: self.on_gender}, ends=True),
            Step(
                "mine",
                self.draw_mine,
                on={CATALOGUE: go("catalogue"), CANCEL: self.on_cancel_asked},
                goes_to=("catalogue", "confirm_cancel"),
                back="hub",
            ),
            Step(
                "confirm_cancel",
                self.draw_confirm_cancel,
                on={CANCEL_YES: self.on_cancel_confirmed, MY_REGISTRATIONS: go("mine")},
                message=self.redraw_mine,
                goes_to=("mine",),
                ends=True,
            ),
            Step("checkin", self.draw_checkin, message=self.on_code, text_only=True, ends=True),
            Step(
                "comment",
                self.draw_comment,
                on={SKIP: self.on_skip},
                message=self.on_comment,
                text_only=True,
                ends=True,
            ),
            Step(
                "suggest", self.draw_suggest, message=self.on_suggestion, text_only=True, ends=True
            ),
        ]

    def _go(self, step: str) -> ActionHandler:
        async def go(ctx: Context) -> None:
            await self.show(ctx, step)

        return go

    async def enter(self, ctx: Context, **kwargs: Any) -> None:
        view = kwargs.get("view")
        if kwargs.get("course") is not None:
            await self.open_course(ctx, int(kwargs["course"]))
        elif kwargs.get("feedback") is not None:
            ctx.state["feedback_id"] = int(kwargs["feedback"])
            await self.show(ctx, "comment")
        else:
            await self.show(ctx, view if view in VIEWS else "hub")
