"""The settings sheet: form id, title, version, round, roles, one response per resident,
the priority question, and the closing words."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from formengine.loader.refusals import FormProblem
from formengine.loader.state import _State
from formengine.loader.vocabulary import FALSE_WORDS, THANKS_SETTING, TRUE_WORDS
from formengine.loader.workbook import NO_FORM_ID
from formengine.model import DEFAULT_ROLES, Kind, form_slug


class _Settings(_State):
    """The builder's reading of the settings sheet and of the closing words."""

    def take_closing_note(self) -> None:
        """The thank-you a resident reads after sending: the settings' musharaka:thanks, or
        the form's last question when it is a note shown to everyone (it then closes the
        survey instead of being shown before the review)."""
        self.thanks = self.labels(self.parsed.get(THANKS_SETTING))
        if self.thanks:
            return
        asked = [q for q in self.questions if q.asked]
        last = asked[-1] if asked else None
        if last is not None and last.kind == Kind.NOTE and last.label and not last.relevant:
            self.questions[self.questions.index(last)] = replace(last, closing=True)
            self.thanks = dict(last.label)

    def settings(self) -> dict[str, Any]:
        parsed = self.parsed
        # As pyxform does: the settings' form_id, else the name of the file the author gave
        # (never our temporary copy's), taken as it is; links use its slug.
        id_string = str(parsed.get("id_string") or "").strip()
        declared = id_string not in ("", NO_FORM_ID)
        if not declared:
            id_string = Path(self.filename).stem.strip() or "form"
        form_id = form_slug(id_string)
        if form_id != id_string:
            origin = "form_id" if declared else "the file name"
            self.warnings.append(
                f"{origin} {id_string!r} is {form_id!r} in links and commands "
                "(a Telegram link takes only letters, digits, _ and -)"
            )
        title = str(parsed.get("title") or "").strip()
        if title in ("", NO_FORM_ID):
            title = id_string
        roles = dict(DEFAULT_ROLES)
        for role in DEFAULT_ROLES:
            override = str(parsed.get(f"{role}_field") or "").strip()
            if override:
                roles[role] = override
        one_per = str(parsed.get("one_per_resident") or "").strip().lower()
        if one_per not in TRUE_WORDS | FALSE_WORDS:
            self.problems.append(
                FormProblem(None, f"one_per_resident must be yes or no, not {one_per!r}")
            )
        ranks = [q for q in self.questions if q.kind == Kind.RANK]
        priority = str(parsed.get("priority_field") or "").strip() or (
            ranks[0].name if ranks else ""
        )
        if priority and not any(q.name == priority for q in ranks):
            self.problems.append(
                FormProblem(None, f"priority_field {priority!r} is not a rank question")
            )
        for role, name in roles.items():
            if role in {k for k in DEFAULT_ROLES} and parsed.get(f"{role}_field"):
                if not any(q.name == name for q in self.questions):
                    self.problems.append(
                        FormProblem(None, f"{role}_field {name!r} is not a question of the form")
                    )
        return {
            "form_id": form_id,
            "id_string": id_string,
            "id_declared": declared,
            # The XForm's primary instance element (the settings' name, pyxform's "data").
            "instance_name": str(parsed.get("name") or "data").strip() or "data",
            "title": title,
            "version": str(parsed.get("version") or "1"),
            "xform_version": str(parsed.get("version") or ""),
            "one_per_resident": one_per in TRUE_WORDS,
            "round": str(parsed.get("round") or "").strip(),
            "roles": roles,
            "priority_question": priority,
        }
