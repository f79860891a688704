"""How an ODK function joins the parser (``_register``), what it can see besides its
arguments (the clock, choice labels, ``current()``, the form's instances), and which
functions an expression may call."""

from __future__ import annotations

import copy
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from elementpath.xpath_tokens import XPathToken

from formengine.xpath.parser import OdkXPathParser, _operand
from formengine.xpath.values import _plain

# Functions we know real forms use but cannot run in a chat (reported at import time).
UNSUPPORTED_FUNCTIONS = {
    "random": "random() gives each resident a different form; not supported (for an id, "
    "use once(uuid()))",
    "digest": "digest() is not supported; compute the hash after exporting",
    "base64-decode": "base64-decode() is not supported; write the text itself",
    "jr:itext": "jr:itext() looks up the XForm's translations by id; pyxform writes it only "
    "in the XForm (labels of filtered choices), and the bot reads those labels from the "
    "choices sheet; use jr:choice-name() in an expression",
}


@dataclass
class Environment:
    """What an evaluation can see besides the answers (clock, choice labels)."""

    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # jr:choice-name(value, '${field}'): the label of a choice in the user's language.
    choice_label: Callable[[str, str], str] = lambda field_name, value: value


def _args(self: XPathToken, context: Any) -> list[Any]:
    values = []
    for index in range(len(self)):
        values.append(_operand(self[index], context))
    return values


def _all_items(self: XPathToken, context: Any) -> list[Any]:
    """Every argument, a node-set counting as each of its nodes (max, min, sum, join...)."""
    values: list[Any] = []
    for index in range(len(self)):
        results = self[index].select(copy.copy(context))
        values.extend(_plain(item) for item in results)
    return values


_ENVIRONMENT: ContextVar[Environment | None] = ContextVar("odk_environment", default=None)
# What current() stands for: the question's own node, even inside a choice_filter.
_CURRENT: ContextVar[Any] = ContextVar("odk_current", default=None)
# instance('list'): the form's choice lists, as ODK's secondary instances.
_INSTANCES: ContextVar[Callable[[str], Any] | None] = ContextVar("odk_instances", default=None)


def _environment(context: Any) -> Environment:
    return _ENVIRONMENT.get() or Environment()


ODK_FUNCTIONS: set[str] = set()


def _register(
    name: str, nargs: Any, prefix: str | None = None, *, nodesets: bool = False
) -> Callable[..., Any]:
    """An ODK function; with ``nodesets`` a node-set argument is spread into its values."""
    ODK_FUNCTIONS.add(f"{prefix}:{name}" if prefix else name)
    arguments = _all_items if nodesets else _args

    def bind(func: Callable[..., Any]) -> Callable[..., Any]:
        def evaluate(self: XPathToken, context: Any = None) -> Any:
            return func(context, *arguments(self, context))

        if prefix is None and name in OdkXPathParser.symbol_table:
            # An XPath 1.0 function ODK extends (round/2): our own subclass, so that
            # elementpath's XPath 1.0 parser itself is left untouched.
            base = OdkXPathParser.symbol_table[name]
            OdkXPathParser.symbol_table[name] = type(
                f"Odk{base.__name__}",
                (base,),
                {"evaluate": evaluate, "nargs": nargs, "__module__": __name__},
            )
        else:
            token_class = OdkXPathParser.function(name, prefix=prefix, nargs=nargs)
            token_class.evaluate = evaluate  # type: ignore[method-assign]
        return func

    return bind


_XPATH1_FUNCTIONS = {
    "last", "position", "count", "id", "local-name", "namespace-uri", "name", "string",
    "concat", "starts-with", "contains", "substring-before", "substring-after", "substring",
    "string-length", "normalize-space", "translate", "boolean", "not", "true", "false", "lang",
    "number", "sum", "floor", "ceiling", "round",
}  # fmt: skip


def known_function(name: str) -> bool:
    """Whether expressions may call ``name`` (XPath 1.0 or one of the ODK functions here)."""
    return name in _XPATH1_FUNCTIONS or name in ODK_FUNCTIONS
