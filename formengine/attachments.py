"""Files a form attaches (as KoBo and ODK do): CSV, XML and GeoJSON read by
``select_one_from_file``, ``select_multiple_from_file``, ``pulldata()``, ``instance()``
and the ``search()`` appearance.

Which files a form needs comes from the XForm pyxform makes of it (each
``<instance id="villages" src="jr://file-csv/villages.csv"/>``, each select's
``<itemset>`` with its value and label columns); ``search('file', ...)`` appearances,
which pyxform leaves to the phone, are read here. Each file becomes rows kept with the
form version, as choices (``name``, ``label``, ``label::Arabic (ar)``..., and every other
column, for ``choice_filter`` and lookups).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from core.i18n import _
from formengine.model import Choice, Labels
from formengine.xpath import ExpressionError, tokens

EXTENSIONS = (".csv", ".xml", ".geojson")
MEDIA_MAX_BYTES = 20 * 1024 * 1024  # one attached file
ROWS_MAX = 100_000
XFORMS = "{http://www.w3.org/2002/xforms}"
XHTML = "{http://www.w3.org/1999/xhtml}"
SEARCH_MODES = {"matches", "contains", "startswith", "endswith"}
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class AttachmentError(ValueError):
    """An attached file that cannot be read (the message is translated)."""


Row = dict[str, str]


@dataclass(frozen=True)
class Itemset:
    """A select reading a file: which instance, and which columns give value and label."""

    instance: str
    value: str = "name"
    label: str = "label"


@dataclass
class Needs:
    """What a form's XForm says it reads: instance id -> file name, and the itemsets."""

    files: dict[str, str] = field(default_factory=dict)
    itemsets: dict[str, Itemset] = field(default_factory=dict)  # question path -> itemset


def may_need_files(parsed: dict[str, Any]) -> tuple[bool, bool]:
    """Whether pyxform's JSON mentions anything that may read a file (cheap, before the
    XForm), and whether it surely does (``instance(`` may read the choices sheet only)."""
    text = json.dumps(parsed, ensure_ascii=False)
    surely = any(
        marker in text for marker in ('"csv-external"', '"xml-external"', "pulldata", "search(")
    ) or any(f'{ext}"' in text for ext in EXTENSIONS)
    return surely or "instance(" in text, surely


def xform_needs(parsed: dict[str, Any]) -> Needs:
    """The external instances and file itemsets of pyxform's XForm for this form."""
    from pyxform.builder import create_survey_element_from_dict

    survey = create_survey_element_from_dict(copy.deepcopy(parsed))
    root = ET.fromstring(survey.to_xml(validate=False, pretty_print=False))
    needs = Needs()
    for instance in root.iter(f"{XFORMS}instance"):
        src, ident = instance.get("src") or "", instance.get("id") or ""
        if ident and src.startswith("jr://file"):
            needs.files[ident] = src.rsplit("/", 1)[-1]
    body = root.find(f"{XHTML}body")
    for select in body.iter() if body is not None else ():
        if select.tag not in (f"{XFORMS}select1", f"{XFORMS}select", f"{XFORMS}odk:rank"):
            continue
        itemset = select.find(f"{XFORMS}itemset")
        if itemset is None:
            continue
        nodeset = itemset.get("nodeset") or ""
        ident = nodeset.split("'")[1] if nodeset.startswith("instance('") else ""
        if ident not in needs.files:
            continue
        value = itemset.find(f"{XFORMS}value")
        label = itemset.find(f"{XFORMS}label")
        path = (select.get("ref") or "").split("/", 2)[-1]
        needs.itemsets[path] = Itemset(
            ident,
            (value.get("ref") if value is not None else None) or "name",
            (label.get("ref") if label is not None else None) or "label",
        )
    return needs


# --- search('file', 'matches', 'column', ${x}) -----------------------------------------------


@dataclass(frozen=True)
class Search:
    file: str  # 'fruits' -> fruits.csv
    filters: tuple[tuple[str, str, str], ...] = ()  # (mode, column, expression)

    @property
    def filename(self) -> str:
        return f"{self.file}.csv"

    def choice_filter(self) -> str:
        """The filters as a choice_filter (Collect compares without regard to case)."""
        parts = []
        for mode, column, value in self.filters:
            if mode == "matches":
                parts.append(f"{column} = {value}")
                continue
            low = f"'{_UPPER.lower()}'"
            left, right = (
                f"translate({column}, '{_UPPER}', {low})",
                f"translate({value}, '{_UPPER}', {low})",
            )
            function = {"contains": "contains", "startswith": "starts-with"}.get(mode, "ends-with")
            parts.append(f"{function}({left}, {right})")
        return " and ".join(f"({p})" for p in parts)


def search_appearance(appearance: str) -> Search | str | None:
    """``search('fruits', 'contains', 'name', ${x})`` read; None: no search(); a text: what
    is wrong with it."""
    if "search(" not in appearance.replace(" ", ""):
        return None
    start = appearance.find("search")
    try:
        found = tokens(appearance[start:])
    except ExpressionError as exc:
        return str(exc)
    if len(found) < 3 or found[1].text != "(":
        return _("the search() appearance is not written as search('file', ...)")
    arguments: list[str] = []
    depth, current = 0, list[str]()
    for token in found[2:]:
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            if depth == 0:
                arguments.append(" ".join(current))
                break
            depth -= 1
        elif token.text == "," and depth == 0:
            arguments.append(" ".join(current))
            current = []
            continue
        current.append(token.text)
    else:
        return _("the search() appearance is not closed")
    if not arguments or not _quoted(arguments[0]):
        return _("search() needs the name of a CSV file in quotes, e.g. search('villages')")
    rest = arguments[1:]
    if rest and (len(rest) - 1) % 2:
        return _("search() takes a mode, then pairs of a column and a value")
    filters = []
    if rest:
        mode = rest[0].strip("'\"")
        if mode not in SEARCH_MODES:
            return _(
                "search() mode “{mode}” is not matches, contains, startswith or endswith"
            ).format(mode=mode)
        for index in range(1, len(rest), 2):
            filters.append((mode, rest[index].strip("'\""), rest[index + 1]))
    return Search(arguments[0].strip("'\"").removesuffix(".csv"), tuple(filters))


def _quoted(text: str) -> bool:
    return len(text) >= 2 and text[0] == text[-1] and text[0] in "'\""


# --- reading the files ------------------------------------------------------------------------


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_rows(filename: str, data: bytes) -> list[Row]:
    """The rows of an attached CSV, XML or GeoJSON file (raises AttachmentError)."""
    if len(data) > MEDIA_MAX_BYTES:
        raise AttachmentError(
            _("{file} is larger than {most} MB.").format(
                file=filename, most=MEDIA_MAX_BYTES // (1024 * 1024)
            )
        )
    suffix = PurePosixPath(filename).suffix.lower()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AttachmentError(
            _("{file} is not UTF-8 text: save it again as “CSV UTF-8”.").format(file=filename)
        ) from exc
    reader = {".csv": _csv_rows, ".xml": _xml_rows, ".geojson": _geojson_rows}[suffix]
    rows = reader(filename, text)
    if len(rows) > ROWS_MAX:
        raise AttachmentError(
            _("{file} has more than {most} rows.").format(file=filename, most=ROWS_MAX)
        )
    return rows


def _csv_rows(filename: str, text: str) -> list[Row]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        header = []
    except csv.Error as exc:
        raise AttachmentError(
            _("{file} is not a readable CSV file.").format(file=filename)
        ) from exc
    if not any(header):
        raise AttachmentError(_("{file} has no header row.").format(file=filename))
    rows = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            rows.append(
                {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header) if h}
            )
    except csv.Error as exc:
        raise AttachmentError(
            _("{file} is not a readable CSV file.").format(file=filename)
        ) from exc
    return rows


def _xml_rows(filename: str, text: str) -> list[Row]:
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise AttachmentError(
            _("{file}: XML with a DOCTYPE is not accepted.").format(file=filename)
        )
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise AttachmentError(_("{file} is not well-formed XML.").format(file=filename)) from exc
    return [{child.tag: (child.text or "").strip() for child in item} for item in root]


def _geojson_rows(filename: str, text: str) -> list[Row]:
    try:
        document = json.loads(text)
        features = document["features"]
    except (ValueError, KeyError, TypeError) as exc:
        raise AttachmentError(
            _("{file} is not a GeoJSON FeatureCollection.").format(file=filename)
        ) from exc
    rows = []
    for feature in features if isinstance(features, list) else ():
        properties = feature.get("properties") or {}
        row = {str(k): "" if v is None else str(v) for k, v in properties.items()}
        if feature.get("id") is not None:
            row["id"] = str(feature["id"])
        row["geometry"] = _odk_geometry(feature.get("geometry") or {})
        rows.append(row)
    return rows


def _odk_geometry(geometry: dict[str, Any]) -> str:
    """A GeoJSON geometry as ODK writes it: 'lat lon 0 0' points, ';' between them."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    points: Iterable[Any] = ()
    if kind == "Point":
        points = [coordinates]
    elif kind == "LineString":
        points = coordinates or ()
    elif kind == "Polygon":
        points = (coordinates or [[]])[0]
    out = []
    for point in points:
        try:
            out.append(f"{float(point[1])} {float(point[0])} 0 0")
        except (TypeError, ValueError, IndexError):
            return ""
    return ";".join(out)


def to_choices(
    rows: Iterable[Row],
    value: str,
    label: str | Labels,
    language_code: Callable[[str], str],
) -> tuple[Choice, ...]:
    """Rows as choices: ``value`` names the value column; ``label`` the label column (or a
    column per language); a ``label`` column also read as ``label::Arabic (ar)`` etc.
    Every other column stays, as ODK keeps it in the item, for choice_filter and lookups."""
    out = []
    for row in rows:
        labels: Labels = {}
        if isinstance(label, dict):
            for code, column in label.items():
                labels[code] = " - ".join(
                    row.get(c.strip(), "") for c in column.split(",") if row.get(c.strip())
                )
        else:
            for key, text in row.items():
                if key == label and text:
                    labels[language_code("")] = text
                elif key.startswith(f"{label}::") and text:
                    labels[language_code(key.split("::", 1)[1])] = text
        columns = {k: v for k, v in row.items() if k != label and not k.startswith(f"{label}::")}
        if value == "name":
            columns.pop("name", None)
        out.append(Choice(row.get(value, ""), {k: v for k, v in labels.items() if v}, columns))
    return tuple(out)


def media_names(requested: Mapping[str, bytes]) -> dict[str, str]:
    """File name -> SHA-256, as the form version records them."""
    return {name: digest(data) for name, data in sorted(requested.items())}
