"""A submission as an OpenRosa XML instance: what KoBoToolbox and ODK Central receive.

The instance has the shape of the XForm pyxform writes for the form: the root element is
the form's instance name (the settings' ``name``, pyxform's ``data``) with the form id and
version as ``id`` and ``version`` attributes, every field sits under its groups
(``group/sub/name``), each repeat instance is one element of the repeat's name (nested
repeats inside their parent instance), media answers carry the attachment's file name, and
``meta/instanceID`` is the submission's fixed ``uuid:...``. Answers of the copies the bot
makes for repeat instances (``name__2``) go into the second instance of their repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree as ET

from formengine.media import names_kept_file
from formengine.model import MEDIA_KINDS, Form, Kind, Question, Repeat
from formengine.repeats import ADD_ANOTHER, split_name

# Kinds the XForm keeps no value for (read-only notes are empty elements).
_EMPTY_KINDS = frozenset({Kind.NOTE})


def instance_id(submission_uuid: str) -> str:
    """'2f1c...' -> 'uuid:2f1c...' (an id already written as uuid:... is kept)."""
    return submission_uuid if submission_uuid.startswith("uuid:") else f"uuid:{submission_uuid}"


def _child(parent: ET.Element, tag: str) -> ET.Element:
    for element in parent:
        if element.tag == tag:
            return element
    return ET.SubElement(parent, tag)


def _under(parent: ET.Element, parts: list[str]) -> ET.Element:
    for part in parts:
        parent = _child(parent, part)
    return parent


@dataclass(frozen=True)
class ServerForm:
    """The form as the server publishes it (pulled from there, or named at ``forms link``):
    its XForm id and version ("": the server's XForm has none; None: the form's own)."""

    xform_id: str | None  # None: the form's own
    version: str | None


def xform_version(form: Form) -> str:
    """The version attribute pyxform writes for ``form`` ("" when it writes none)."""
    return form.version if form.xform_version is None else form.xform_version


class _Builder:
    def __init__(self, form: Form, answers: dict[str, str], server: ServerForm | None) -> None:
        self.form = form
        self.answers = answers
        self.repeats: dict[str, Repeat] = {r.name: r for r in form.repeats}
        self.root = ET.Element(form.instance_name or "data")
        server = server or ServerForm(None, None)
        self.root.set("id", server.xform_id or form.id_string or form.form_id)
        version = xform_version(form) if server.version is None else server.version
        if version:
            self.root.set("version", version)
        # (repeat name, instance numbers) -> that instance's element
        self.instances: dict[tuple[str, tuple[int, ...]], ET.Element] = {}
        self.suffixes = self._instances_answered()

    def _instances_answered(self) -> dict[str, set[tuple[int, ...]]]:
        """For each repeat, the instance numbers some answer belongs to."""
        by_base = {q.name: q for q in self.form.questions if q.repeat}
        found: dict[str, set[tuple[int, ...]]] = {}
        for name in self.answers:
            parts = split_name(name)
            if parts is None or parts[0] not in by_base:
                continue
            question = by_base[parts[0]]
            chain = self._chain(question.repeat)
            numbers = parts[1]
            for depth, repeat in enumerate(chain):
                if depth < len(numbers):
                    found.setdefault(repeat.name, set()).add(numbers[: depth + 1])
        return found

    def _chain(self, repeat_name: str) -> list[Repeat]:
        """The repeat and those around it, outermost first."""
        chain: list[Repeat] = []
        name = repeat_name
        while name:
            repeat = self.repeats[name]
            chain.insert(0, repeat)
            name = repeat.parent
        return chain

    def _instance(self, repeat: Repeat, numbers: tuple[int, ...]) -> ET.Element:
        key = (repeat.name, numbers)
        if key in self.instances:
            return self.instances[key]
        if repeat.parent:
            parent = self._instance(self.repeats[repeat.parent], numbers[:-1])
            parent_path = self.repeats[repeat.parent].path
        else:
            parent, parent_path = self.root, ""
        relative = repeat.path[len(parent_path) :].strip("/").split("/")
        container = _under(parent, relative[:-1])
        # Every instance of this repeat in this parent, in order, before any later sibling.
        for sibling in sorted(
            n for n in self.suffixes.get(repeat.name, ()) if n[:-1] == numbers[:-1]
        ):
            sibling_key = (repeat.name, sibling)
            if sibling_key not in self.instances:
                self.instances[sibling_key] = ET.SubElement(container, relative[-1])
        if key not in self.instances:
            self.instances[key] = ET.SubElement(container, relative[-1])
        return self.instances[key]

    def _value(self, question: Question, name: str) -> str:
        if question.kind in _EMPTY_KINDS:
            return ""
        return self.answers.get(name, "")

    def add(self, question: Question) -> None:
        if question.meta == ADD_ANOTHER:
            return  # the bot's own "Add another?" question is not in the XForm
        if not question.repeat:
            element = _under(self.root, question.path.split("/"))
            element.text = self._value(question, question.name) or None
            return
        repeat = self.repeats[question.repeat]
        relative = question.path[len(repeat.path) :].strip("/").split("/")
        depth = len(self._chain(repeat.name))
        for numbers in sorted(self.suffixes.get(repeat.name, ())):
            if len(numbers) != depth:
                continue
            element = _under(self._instance(repeat, numbers), relative)
            suffix = "".join(f"__{n}" for n in numbers)
            element.text = self._value(question, f"{question.name}{suffix}") or None

    def build(self, submission_uuid: str) -> bytes:
        for question in self.form.questions:
            self.add(question)
        meta = _child(self.root, "meta")
        _child(meta, "instanceID").text = instance_id(submission_uuid)
        return ET.tostring(self.root, encoding="utf-8", xml_declaration=True)


def instance_xml(
    form: Form, answers: dict[str, str], submission_uuid: str, server: ServerForm | None = None
) -> bytes:
    """The submission ``answers`` of ``form`` as the XML an OpenRosa server receives (with
    the id and version the server publishes the form under, when ``server`` gives them)."""
    return _Builder(form, answers, server).build(submission_uuid)


def _media_answers(form: Form, answers: dict[str, str]) -> list[tuple[str, str]]:
    """(question, value) of each answered image, audio, video or file question."""
    media = {q.name for q in form.questions if q.kind in MEDIA_KINDS}
    found = []
    for name, value in answers.items():
        parts = split_name(name)
        base = parts[0] if parts else name
        if base in media and value:
            found.append((base, value))
    return found


def attachment_names(form: Form, answers: dict[str, str]) -> list[str]:
    """The file names media answers refer to: the multipart parts sent beside the XML."""
    names: list[str] = []
    for _question, value in _media_answers(form, answers):
        if value not in names:
            names.append(value)
    return names


def unkept_media(form: Form, answers: dict[str, str]) -> list[str]:
    """The media questions whose answer names no kept file: photos answered before photos
    were fetched into the file store hold only Telegram's file id, which no server reads."""
    unkept: list[str] = []
    for question, value in _media_answers(form, answers):
        if not names_kept_file(value) and question not in unkept:
            unkept.append(question)
    return unkept
