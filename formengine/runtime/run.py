"""One respondent's pass through a form: what to ask next, where Back goes, how far along
they are, the first answer missing, what a submission keeps."""

from __future__ import annotations

from formengine.model import ANSWERED_KINDS, Kind, Question
from formengine.runtime.checks import Problem, _Checks


class Run(_Checks):
    """One respondent's pass through a form."""

    # --- moving around --------------------------------------------------------------------
    def relevant_questions(self) -> list[Question]:
        values = self.values()
        return [q for q in self.form.questions if q.asked and self._relevant(q, values)]

    def next_after(self, name: str | None) -> Question | None:
        """The next relevant question after ``name`` (from the start when None)."""
        order = [q.name for q in self.form.questions]
        start = order.index(name) + 1 if name in order else 0
        values = self.values()
        for question in self.form.questions[start:]:
            if question.asked and self._relevant(question, values):
                return question
        return None

    def previous_before(self, name: str) -> Question | None:
        """The previous *relevant* question (Back skips what skip logic left out)."""
        order = [q.name for q in self.form.questions]
        if name not in order:
            return None
        values = self.values()
        for question in reversed(self.form.questions[: order.index(name)]):
            if question.asked and self._relevant(question, values):
                return question
        return None

    def progress(self, question: Question) -> tuple[int, int]:
        """(position, total) among the relevant questions that take an answer."""
        counted = [q for q in self.relevant_questions() if q.kind in ANSWERED_KINDS]
        names = [q.name for q in counted]
        if question.name in names:
            return names.index(question.name) + 1, len(names)
        before = [
            q for q in counted if self.form.questions.index(q) < self.form.questions.index(question)
        ]
        return len(before), len(names)

    def first_gap(self) -> tuple[Question, Problem] | None:
        """The first relevant question whose answer is missing or no longer valid."""
        for question in self.relevant_questions():
            if question.kind in (Kind.NOTE, Kind.ACKNOWLEDGE) and not self.is_required(question):
                continue
            problem = self.check(question, self.answers.get(question.name, ""))
            if problem is not None:
                return question, problem
        return None

    def stored_answers(self) -> list[tuple[Question, str]]:
        """What a submission keeps: relevant answered questions, calculations and metadata."""
        values = self.values()
        kept = []
        for question in self.form.questions:
            value = values.get(question.name, "")
            if question.kind in (Kind.NOTE, Kind.ACKNOWLEDGE) and not value:
                continue
            if question.meta == "add_another":
                continue  # "Add another?" is how the chat asks, not an answer
            if value == "":
                continue
            kept.append((question, value))
        return kept
