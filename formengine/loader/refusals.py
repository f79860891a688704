"""What a form's author is told when the bot cannot run the form: each problem with its
survey-sheet row, all of them at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FormProblem:
    row: int | None  # survey-sheet row (None: the workbook or the settings)
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}" if self.row else self.message


class FormError(ValueError):
    """The form cannot be run by this bot; ``problems`` say where and why."""

    def __init__(self, problems: Iterable[FormProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def _dedupe(problems: list[FormProblem]) -> list[FormProblem]:
    seen: dict[tuple[int | None, str], FormProblem] = {}
    for problem in problems:
        seen.setdefault((problem.row, problem.message), problem)
    return sorted(seen.values(), key=lambda p: (p.row or 0, p.message))
