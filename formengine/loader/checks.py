"""Checking a form's expressions at import: references to fields, functions, instances, and
whether each expression parses; rank questions against their choices."""

from __future__ import annotations

from formengine.loader.refusals import FormProblem
from formengine.loader.state import _State
from formengine.model import Kind, Question
from formengine.repeats import POSITION
from formengine.xpath import (
    UNSUPPORTED_FUNCTIONS,
    ExpressionError,
    compile_expression,
    functions_called,
    known_function,
    references,
    tokens,
)


class _Checks(_State):
    """The builder's checks of the expressions, once every question is read."""

    def check_expressions(self) -> None:
        # A repeat's name is a field too: indexed-repeat(${age}, ${members}, 2).
        names = {q.name for q in self.questions} | {r.name for r in self.repeats}
        checked: set[tuple[str, str]] = set()
        for question in self.questions:
            expressions = [("relevant", e) for e in question.relevant] + [
                ("constraint", question.constraint),
                ("calculation", question.calculation),
                ("choice_filter", question.choice_filter),
                ("required", question.required if question.required != "true()" else ""),
            ]
            for column, expression in expressions:
                if expression and (column, expression) not in checked:
                    checked.add((column, expression))
                    self.check_expression(question, column, expression, names)
            for labels in (question.label, question.hint, question.constraint_message):
                for text in labels.values():
                    for ref in references(text):
                        if ref not in names:
                            self.problem(question.name, f"the label refers to ${{{ref}}}, unknown")
            for labels in (question.heading,):
                for text in labels.values():
                    for ref in references(text):
                        if ref not in names:
                            self.problem(question.name, f"the label refers to ${{{ref}}}, unknown")
            if (
                question.has_choices
                and not self._choices_of(question)
                and question.choice_list.split("?")[0] not in self.unread
            ):
                self.problem(question.name, f"the choice list {question.choice_list!r} is empty")
            if question.kind == Kind.RANK and question.max_ranked is not None:
                count = len(self._choices_of(question))
                if question.max_ranked > count:
                    self.problem(
                        question.name,
                        f"asks to rank {question.max_ranked} of only {count} choices",
                    )
                if question.min_ranked > question.max_ranked:
                    self.problem(question.name, "needs more ranked choices than it allows")

        for text in self.thanks.values():
            for ref in references(text):
                if ref not in names:
                    self.problems.append(
                        FormProblem(None, f"the closing text refers to ${{{ref}}}, unknown")
                    )

    def check_expression(
        self, question: Question, column: str, expression: str, names: set[str]
    ) -> None:
        for ref in references(expression):
            if ref not in names:
                self.problem(question.name, f"{column} refers to ${{{ref}}}, which is not a field")
        function_problems = False
        for function in functions_called(expression):
            if function in UNSUPPORTED_FUNCTIONS:
                self.problem(question.name, f"{column}: {UNSUPPORTED_FUNCTIONS[function]}")
                function_problems = True
            elif not known_function(function):
                self.problem(question.name, f"{column}: unknown function {function}()")
                function_problems = True
        for list_name in self.instances_used(question, column, expression):
            if list_name not in self.instances and list_name not in self.unread:
                self.choice_list(list_name, None)  # ODK's secondary instance: the choices sheet
        if function_problems:
            return  # the parser would only repeat it, less clearly
        if question.repeat:
            # position(..) is the instance's number: the chat writes it in (formengine.repeats).
            expression = POSITION.sub("1", expression)
        try:
            compile_expression(expression)
        except ExpressionError as exc:
            self.problem(question.name, f"{column} is not a valid expression: {exc}")

    def instances_used(self, question: Question, column: str, expression: str) -> list[str]:
        """The choice lists ``instance('list')`` reads; other instances are refused."""
        try:
            found = tokens(expression)
        except ExpressionError:
            return []
        lists = self.parsed.get("choices") or {}
        used = []
        for index, token in enumerate(found):
            if token.kind != "function" or token.text != "instance":
                continue
            argument = found[index + 2] if index + 3 < len(found) else None
            if (
                argument is None
                or argument.kind != "literal"
                or found[index + 3].text != ")"
                or argument.text[1:-1] not in {*lists, *self.instances, *self.unread}
            ):
                shown = argument.text if argument is not None else ""
                self.problem(
                    question.name,
                    f"{column}: instance({shown}) is neither a list of the choices sheet "
                    "nor a file attached to the form",
                )
            else:
                used.append(argument.text[1:-1])
        return used
