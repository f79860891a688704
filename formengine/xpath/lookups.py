"""What an expression reads beyond the answers: ``current()``, ``instance('list')`` (a
choice list or an attached file as ODK's secondary instance), ``pulldata()`` and
``indexed-repeat()``."""

from __future__ import annotations

import copy
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from elementpath import get_node_tree
from elementpath.xpath_tokens import XPathToken

from formengine.xpath.library import _CURRENT, _INSTANCES, ODK_FUNCTIONS, _register
from formengine.xpath.parser import OdkXPathParser, _operand
from formengine.xpath.values import _plain, _xml_name, to_number, to_string


@_register("current", 0)
def _current(context: Any) -> Any:
    return _CURRENT.get()


@_register("instance", 1)
def _instance_function(context: Any, name: Any) -> Any:
    lookup = _INSTANCES.get()
    found = lookup(to_string(name)) if lookup is not None else None
    return found if found is not None else []  # an unknown instance: an empty node-set


@_register("pulldata", 4)
def _pulldata(context: Any, name: Any, column: Any, key_column: Any, key: Any) -> str:
    """pulldata('file', 'col', 'keycol', key): the column of the first row of an attached
    CSV whose key column is ``key`` ('' when none), as JavaRosa reads it."""
    lookup = _INSTANCES.get()
    tree = lookup(to_string(name)) if lookup is not None else None
    if tree is None:
        return ""
    item = _row_index(tree, to_string(key_column)).get(to_string(key))
    return "" if item is None else (item.findtext(to_string(column)) or "")


@lru_cache(maxsize=64)
def _row_index(tree: Any, key_column: str) -> dict[str, ET.Element]:
    """The rows of an instance by one column (the first row wins, as in JavaRosa)."""
    index: dict[str, ET.Element] = {}
    for item in tree.document.getroot():
        index.setdefault(item.findtext(key_column) or "", item)
    return index


def choice_instance(items: Iterable[Mapping[str, str]]) -> Any:
    """A choice list as ODK's secondary instance: ``instance('list')/root/item[name = 'x']``
    with ``name``, ``label`` and the list's other columns as children of each item."""
    root = ET.Element("root")
    for row in items:
        item = ET.SubElement(root, "item")
        for key, text in row.items():
            child = ET.SubElement(item, key if _xml_name(key) else "_")
            child.text = text
    return get_node_tree(ET.ElementTree(root))


def _indexed_repeat(self: XPathToken, context: Any = None) -> Any:
    """indexed-repeat(${field}, ${repeat}, n): the field's answer in instance n (from 1).
    Outside its repeat ``${field}`` is every instance's answer (formengine.repeats)."""
    answers = [_plain(item) for item in self[0].select(copy.copy(context))]
    number = to_number(_operand(self[2], context))
    if math.isnan(number) or not 1 <= number <= len(answers):
        return ""
    return answers[int(number) - 1]


ODK_FUNCTIONS.add("indexed-repeat")
OdkXPathParser.function("indexed-repeat", nargs=(3, 5)).evaluate = _indexed_repeat  # type: ignore[method-assign]
