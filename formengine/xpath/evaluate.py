"""Compiling and evaluating an expression on one respondent's answers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from elementpath import XPathContext, get_node_tree
from elementpath.datatypes import UntypedAtomic
from elementpath.exceptions import ElementPathError
from elementpath.xpath_nodes import XPathNode
from elementpath.xpath_tokens import XPathToken

# The ODK functions join the parser as their modules are imported; then it is built.
from formengine.xpath import dates, functions, geo, lookups, numbers  # noqa: F401
from formengine.xpath.lexer import _referenced, _variable, to_xpath, walks_instance
from formengine.xpath.library import _CURRENT, _ENVIRONMENT, _INSTANCES, Environment
from formengine.xpath.parser import JR_NAMESPACE, OdkXPathParser
from formengine.xpath.values import ExpressionError, _plain, _xml_name, to_boolean, to_string

OdkXPathParser.build()


@lru_cache(maxsize=4096)
def compile_expression(expression: str) -> XPathToken:
    """The parsed expression (cached: forms are evaluated again at every answer)."""
    parser = OdkXPathParser(namespaces={"jr": JR_NAMESPACE})
    source = to_xpath(expression)
    try:
        return parser.parse(source)
    except ElementPathError as exc:
        raise ExpressionError(str(exc)) from exc


def evaluate(
    expression: str,
    values: Mapping[str, str],
    *,
    current: str | None = None,
    item: Mapping[str, str] | None = None,
    environment: Environment | None = None,
    here: str | None = None,
    paths: Mapping[str, str] | None = None,
    instances: Callable[[str], Any] | None = None,
) -> Any:
    """Evaluate an ODK expression.

    ``values`` are the answers by field name (missing names count as unanswered);
    ``current`` is the value ``.`` stands for (a constraint's answer); ``item`` is the
    choice row a ``choice_filter`` is tested against (its columns are child elements).

    ``here`` names the question the expression belongs to (or the path of a group, for a
    group's relevant) and ``paths`` where each field sits in the form (``group/name``):
    with them, relative paths resolve as in ODK, on an instance built from the answers —
    ``../fav_color`` (what pyxform writes for ``or_other``), ``.`` (this question),
    ``current()`` (this question, also inside a choice_filter, where ``.`` is the choice).
    ``instances`` gives ``instance('list')`` its node tree (see :func:`choice_instance`).
    """
    token = compile_expression(expression)
    instance: Any = None  # the form's instance as a node tree, when the expression walks it
    here_node: Any = None
    if here is not None and paths and walks_instance(expression):
        texts = tuple(
            current if name == here and current is not None else values.get(name, "") or ""
            for name in paths
        )
        instance, nodes = _instance_nodes(tuple(paths.items()), texts)
        here_node = nodes.get(("question", here)) or nodes.get(("group", here))
    # Only the answers the expression refers to: elementpath checks every variable given.
    variables: dict[str, Any] = {}
    for name in _referenced(expression):
        value = values.get(name)
        if isinstance(value, list):  # a repeat's question seen from outside: every instance
            variables[_variable(name)] = [str(v) for v in value]
        else:
            variables[_variable(name)] = "" if value is None else str(value)
    if item is not None:
        root = ET.Element("item")
        for key, text in item.items():
            child = ET.SubElement(root, key if _xml_name(key) else "_")
            child.text = text
        context = XPathContext(root, variables=variables)
        current_node = here_node if here_node is not None else context.root
    elif here_node is not None:
        context = XPathContext(instance, item=here_node, variables=variables)
        current_node = here_node
    else:
        root = ET.Element("value")
        root.text = current if current is not None else values.get(here or "", "") or ""
        context = XPathContext(root, variables=variables)
        current_node = context.root
    reset = _ENVIRONMENT.set(environment or Environment())
    reset_current = _CURRENT.set(current_node)
    reset_instances = _INSTANCES.set(instances)
    try:
        result = token.evaluate(context)
    except ElementPathError as exc:
        raise ExpressionError(str(exc)) from exc
    finally:
        _INSTANCES.reset(reset_instances)
        _CURRENT.reset(reset_current)
        _ENVIRONMENT.reset(reset)
    return _plain(result) if isinstance(result, list | XPathNode | UntypedAtomic) else result


@lru_cache(maxsize=64)
def _instance_nodes(
    paths: tuple[tuple[str, str], ...], texts: tuple[str, ...]
) -> tuple[Any, dict[tuple[str, str], Any]]:
    """The form's instance as ODK keeps it (``<data><group><name>answer</name>...``), as a
    node tree, with the node of each question and group. Cached: a step of a survey
    evaluates many expressions on the same answers."""
    root = ET.Element("data")
    groups: dict[str, ET.Element] = {"": root}
    elements: dict[tuple[str, str], ET.Element] = {}
    for (name, path), text in zip(paths, texts, strict=True):
        parent_path, _, leaf = path.rpartition("/")
        parent = groups.get(parent_path)
        if parent is None:
            parent = root
            walked = ""
            for part in parent_path.split("/"):
                walked = f"{walked}/{part}" if walked else part
                if walked not in groups:
                    groups[walked] = ET.SubElement(parent, part)
                    elements[("group", walked)] = groups[walked]
                parent = groups[walked]
        element = ET.SubElement(parent, leaf or name)
        element.text = text
        elements[("question", name)] = element
    tree = get_node_tree(root)
    by_element = {node.elem: node for node in tree.iter_descendants() if hasattr(node, "elem")}
    return tree, {key: by_element[element] for key, element in elements.items()}


def evaluate_boolean(expression: str, values: Mapping[str, str], **kwargs: Any) -> bool:
    return to_boolean(evaluate(expression, values, **kwargs))


def evaluate_string(expression: str, values: Mapping[str, str], **kwargs: Any) -> str:
    return to_string(evaluate(expression, values, **kwargs))
