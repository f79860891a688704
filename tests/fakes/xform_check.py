"""Checks an OpenRosa XML instance against the XForm pyxform writes for an XLSForm, as a
programme's ODK Central or KoBoToolbox would: root id and version, meta/instanceID unique,
every element known to the form, required fields present, values of the right type."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from xml.etree import ElementTree as ET

XF = "{http://www.w3.org/2002/xforms}"
_INSTANCE_REF = re.compile(r"instance\('([^']+)'\)")
_UUID = re.compile(r"^uuid:[0-9a-fA-F-]{32,36}$")


def xform_of(xlsform: bytes) -> str:
    from pyxform.xls2xform import convert

    return convert(xlsform=io.BytesIO(xlsform), file_type=".xlsx").xform


def _strip(path: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", path)


def _names_in(data: bytes, src: str) -> set[str]:
    """The ``name`` of each row of an attached CSV / item of an attached XML file."""
    text = data.decode("utf-8-sig")
    if src.startswith("jr://file-csv/"):
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
        return {row.get("name", "") for row in csv.DictReader(io.StringIO(text), dialect=dialect)}
    if src.endswith(".xml"):
        return {item.findtext("name") or "" for item in ET.fromstring(text).iter("item")}
    return set()  # GeoJSON: not checked


class XFormChecker:
    def __init__(self, xform: str, media: dict[str, bytes] | None = None) -> None:
        tree = ET.fromstring(xform)
        model = tree.find(f".//{XF}model")
        assert model is not None
        instances = model.findall(f"{XF}instance")
        primary = next(iter(instances[0]))
        self.root_tag = primary.tag.removeprefix(XF)
        self.form_id = primary.get("id", "")
        self.version = primary.get("version", "")
        self.paths: set[str] = set()
        self._walk(primary, "")
        self.lists: dict[str, set[str]] = {}
        for secondary in instances[1:]:
            names = {item.findtext(f"{XF}name") or "" for item in secondary.iter(f"{XF}item")}
            src = secondary.get("src", "")
            attached = (media or {}).get(src.rsplit("/", 1)[-1])
            if src and attached is not None:
                names = _names_in(attached, src)
            self.lists[secondary.get("id", "")] = names
        self.binds: dict[str, dict[str, str]] = {
            b.get("nodeset", ""): dict(b.attrib) for b in model.findall(f"{XF}bind")
        }
        self.choices: dict[str, set[str]] = {}
        body = tree.find(".//{http://www.w3.org/1999/xhtml}body")
        for select in body.iter() if body is not None else ():
            if select.tag.rsplit("}", 1)[-1] not in ("select1", "select", "rank"):
                continue
            itemset = select.find(f"{XF}itemset")
            values = {v.text or "" for v in select.iter(f"{XF}value")} if itemset is None else set()
            if itemset is not None:
                found = _INSTANCE_REF.search(itemset.get("nodeset", ""))
                if found:
                    values |= self.lists.get(found[1], set())
            self.choices[select.get("ref", "")] = values
        self.seen_ids: set[str] = set()

    def _walk(self, element: ET.Element, prefix: str) -> None:
        path = f"{prefix}/{element.tag.removeprefix(XF)}"
        self.paths.add(path)
        for child in element:
            self._walk(child, path)

    def problems(self, xml: bytes) -> list[str]:
        """What the server would refuse in ``xml`` (empty: accepted)."""
        out: list[str] = []
        root = ET.fromstring(xml)
        if root.tag != self.root_tag:
            out.append(f"root element {root.tag!r}, the form's is {self.root_tag!r}")
        if root.get("id") != self.form_id:
            out.append(f"form id {root.get('id')!r} is not {self.form_id!r}")
        # The version must be the XForm's, and absent when the XForm has none.
        if root.get("version", "") != self.version:
            out.append(f"version {root.get('version')!r} is not {self.version or None!r}")
        uuid = root.findtext("meta/instanceID") or ""
        if not _UUID.match(uuid):
            out.append(f"instanceID {uuid!r} is not uuid:...")
        elif uuid in self.seen_ids:
            out.append(f"instanceID {uuid} sent twice")
        values: dict[str, list[str]] = {}
        self._collect(root, "", values, out)
        for nodeset, bind in self.binds.items():
            kind, got = bind.get("type", "string"), values.get(nodeset, [])
            if bind.get("required") == "true()" and "relevant" not in bind:
                if not got and not any(p.startswith(nodeset + "/") for p in values):
                    if not self._inside_absent_repeat(nodeset, values):
                        out.append(f"{nodeset} is required")
                if any(not v for v in got):
                    out.append(f"{nodeset} is required")
            for value in (v for v in got if v):
                if not self._typed(kind, value, nodeset):
                    out.append(f"{nodeset}: {value!r} is not a valid {kind}")
        if not out:
            self.seen_ids.add(uuid)
        return out

    def _inside_absent_repeat(self, nodeset: str, values: dict[str, list[str]]) -> bool:
        parts = nodeset.split("/")
        for cut in range(len(parts) - 1, 1, -1):
            prefix = "/".join(parts[:cut])
            if prefix in self.repeat_paths:
                return not any(p.startswith(prefix + "/") for p in values)
        return False

    @property
    def repeat_paths(self) -> set[str]:
        return {p for p in self.paths if any(b.startswith(p + "/") for b in self.binds)} - {
            f"/{self.root_tag}"
        }

    def _collect(
        self, element: ET.Element, prefix: str, values: dict[str, list[str]], out: list[str]
    ) -> None:
        path = f"{prefix}/{element.tag}"
        if _strip(path) not in self.paths:
            out.append(f"{path} is not in the form")
            return
        children = list(element)
        if not children:
            values.setdefault(path, []).append((element.text or "").strip())
        for child in children:
            self._collect(child, path, values, out)

    def _typed(self, kind: str, value: str, nodeset: str) -> bool:
        try:
            if kind == "int":
                int(value)
            elif kind == "decimal":
                float(value)
            elif kind == "date":
                dt.date.fromisoformat(value)
        except ValueError:
            return False
        if self.choices.get(nodeset):
            allowed = self.choices[nodeset]
            return all(v in allowed for v in value.split())
        return True
