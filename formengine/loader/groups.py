"""Walking pyxform's tree: groups (field-lists, table headers), repeats, loops, and
questions of one name in two groups."""

from __future__ import annotations

from typing import Any

from core.i18n import _
from formengine import form_files
from formengine.loader.questions import _Questions
from formengine.loader.vocabulary import LOOP_ELEMENT, TABLE_LABEL_NOTE, Relevants
from formengine.model import Labels, Repeat
from formengine.xpath import references


class _Groups(_Questions):
    """The builder's walk through groups, repeats and loops."""

    def walk(
        self,
        children: list[dict[str, Any]],
        path: tuple[str, ...],
        relevant: Relevants,
        groups: tuple[Labels, ...],
    ) -> None:
        for child in children:
            kind = str(child.get("type", ""))
            name = str(child.get("name", ""))
            bind = child.get("bind") or {}
            appearance = str((child.get("control") or {}).get("appearance") or "").split()
            if kind == "group":
                if name == "meta" and (child.get("control") or {}).get("bodyless"):
                    continue  # instanceID / instanceName: we keep our own uuid
                own = str(bind.get("relevant") or "").strip()
                group_path = (*path, name)
                outer_list = self.field_list
                if "field-list" in appearance:
                    self.field_list = "/".join(group_path)
                self.walk(
                    child.get("children") or [],
                    group_path,
                    relevant + (((own, "/".join(group_path)),) if own else ()),
                    (*groups, self.labels(child.get("label"))),
                )
                self.heading = {}  # a header never reaches past its table
                self.field_list = outer_list
            elif (kind == "note" and name.startswith(TABLE_LABEL_NOTE)) or (
                kind in ("select one", "select all that apply") and "label" in appearance
            ):
                # A table's header (pyxform's generated note with the group's label, its
                # reserved_name_for_field_list_labels_N row, or an author's 'label' row):
                # nothing to answer. Its text, if any, heads the table's first question.
                self.heading = self.heading_labels(child) or self.heading
            elif kind == "repeat":
                self.repeat_group(child, path, relevant, groups)
            elif kind == "loop":
                self.loop(child, path, relevant, groups)
            elif kind in form_files.EXTERNAL_TYPES:
                continue  # a csv-external / xml-external file: read by form_files.attach
            else:
                self.typed(self.named_apart(child, path), kind, path, relevant, groups)

    def named_apart(self, child: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
        """pyxform lets two groups hold questions of one name (household/age, head/age; no
        ${age} may then read them): the second gets its own name inside the bot (head_age),
        its element in the instance keeping the name the sheet gives."""
        name = str(child.get("name", ""))
        apart = "_".join((*path[-1:], name))
        unique, n = name, 1
        while unique in self.names:
            n += 1
            unique = apart if n == 2 else f"{apart}_{n}"
        self.names.add(unique)
        if unique == name:
            return child
        return {**child, "name": unique, LOOP_ELEMENT: child.get(LOOP_ELEMENT) or name}

    def loop(
        self,
        child: dict[str, Any],
        path: tuple[str, ...],
        relevant: Relevants,
        groups: tuple[Labels, ...],
    ) -> None:
        """A loop as the groups pyxform writes for it: one per choice ('none' left out)."""
        from pyxform.builder import SurveyElementBuilder

        name = str(child.get("name", ""))

        def copy(element: dict[str, Any], column: dict[str, Any]) -> dict[str, Any]:
            done = SurveyElementBuilder._name_and_label_substitutions(element, column)
            if done.get("type") in ("group", "repeat", "loop"):
                return {**done, "children": [copy(c, column) for c in done.get("children") or []]}
            original = str(element.get(LOOP_ELEMENT) or element.get("name", ""))
            unique = f"{name}_{column['name']}_{done.get('name', '')}"
            return {**done, "name": unique, LOOP_ELEMENT: original}

        sections = []
        for column in child.get("columns") or []:
            if column.get("name") == "none":
                continue
            try:
                children = [copy(c, column) for c in child.get("children") or []]
            except (KeyError, ValueError, TypeError) as exc:
                message = _("a label of the loop cannot take the choice's label ({error})")
                self.problem(name, message.format(error=exc))
                return
            sections.append({**column, "type": "group", "children": children})
        group = {k: v for k, v in child.items() if k not in ("columns", "children")}
        self.walk([{**group, "type": "group", "children": sections}], path, relevant, groups)

    def repeat_group(
        self,
        child: dict[str, Any],
        path: tuple[str, ...],
        relevant: Relevants,
        groups: tuple[Labels, ...],
    ) -> None:
        name = str(child.get("name", ""))
        parent = next((r for r in self.repeats if r.name == self.repeat), None)
        if parent is not None and parent.parent:
            self.problem(
                name,
                "a repeat inside a repeat inside a repeat is not supported in a chat; ask the "
                "innermost questions as fixed questions, or make them a separate form",
            )
            return
        control = child.get("control") or {}
        count = str(control.get("jr:count") or "").strip()
        own = str((child.get("bind") or {}).get("relevant") or "").strip()
        repeat_path = (*path, name)
        around = relevant + (((own, "/".join(repeat_path)),) if own else ())
        self.repeats.append(
            Repeat(
                name,
                "/".join(repeat_path),
                self.row(name) or 0,
                self.labels(child.get("label")),
                count,
                parent=self.repeat,
                relevant=tuple(e for e, _owner in around),
                relevant_from=tuple(o for _e, o in around),
            )
        )
        outer, self.repeat = self.repeat, name
        try:
            self.walk(child.get("children") or [], repeat_path, around, groups)
        finally:
            self.repeat = outer
        if count:
            for ref in references(count):
                if not any(q.name == ref for q in self.questions):
                    self.problem(
                        name, f"repeat_count refers to ${{{ref}}}, not a question before it"
                    )

    def heading_labels(self, child: dict[str, Any]) -> Labels:
        label, hint = self.labels(child.get("label")), self.labels(child.get("hint"))
        return {
            code: "\n".join(filter(None, (label.get(code), hint.get(code))))
            for code in {**label, **hint}
        }
