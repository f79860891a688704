"""XPath as ODK forms write it: elementpath's XPath 1.0 parser plus the ODK functions.

XLSForm expressions (``relevant``, ``constraint``, ``calculation``, ``choice_filter``)
are XPath 1.0 with JavaRosa's extensions. They are first read into tokens with XPath 1.0's
own lexical rules (:func:`tokens`: ``and (`` after an operand is the operator, a field
called ``div`` is a name, ``${a}-1`` is a subtraction), then parsed with elementpath's
:class:`~elementpath.XPath1Parser`, extended here with:

* the ODK function library (see README, Surveys: every function and how it computes):
  selects, ``if``/``coalesce``, ODK math and trigonometry, ``round`` with digits, node-set
  ``max``/``min``/``sum``/``join``, dates and ``format-date``, ``uuid``, checklists,
  ``jr:choice-name`` and ``current()``;
* paths after a call (``current()/../district``), which elementpath's XPath 1.0 parser
  refuses though XPath 1.0 allows them;
* JavaRosa's number rules: an empty answer is NaN (so ``${age} > 18`` is simply false
  while age is unanswered, instead of an error), and dates count as days since
  1970-01-01, so ``. <= today()`` and ``int((today() - ${dob}) div 365.25)`` work.

``${name}`` references are turned into XPath variables (``$name``) whose values are the
answers as ODK stores them (strings: ``"tap well"`` for a select_multiple, ``"2026-11-24"``
for a date); ``.`` is the answer being checked. Relative paths (``../fav_color``, which
pyxform writes for ``or_other``) resolve on an instance built from the answers when the
caller says which question the expression belongs to (``here``, ``paths``).

The modules: ``values`` (JavaRosa's values), ``lexer`` (reading an expression),
``parser`` (the parser and its operators), ``library`` (how a function joins the parser,
what it sees, which functions exist), the functions themselves (``functions``, ``numbers``,
``dates``, ``lookups``, ``geo``) and ``evaluate`` (compiling and evaluating).
"""

from __future__ import annotations

from formengine.xpath.evaluate import (
    compile_expression,
    evaluate,
    evaluate_boolean,
    evaluate_string,
)
from formengine.xpath.geo import EARTH_RADIUS_METERS
from formengine.xpath.lexer import (
    NODE_TYPES,
    OPERATOR_NAMES,
    Token,
    functions_called,
    references,
    to_xpath,
    tokens,
    walks_instance,
)
from formengine.xpath.library import (
    ODK_FUNCTIONS,
    UNSUPPORTED_FUNCTIONS,
    Environment,
    known_function,
)
from formengine.xpath.lookups import choice_instance
from formengine.xpath.parser import JR_NAMESPACE, OdkXPathParser
from formengine.xpath.values import (
    EPOCH,
    REFERENCE,
    ExpressionError,
    selected_values,
    to_boolean,
    to_number,
    to_string,
)

__all__ = [
    "EARTH_RADIUS_METERS",
    "EPOCH",
    "JR_NAMESPACE",
    "NODE_TYPES",
    "ODK_FUNCTIONS",
    "OPERATOR_NAMES",
    "REFERENCE",
    "UNSUPPORTED_FUNCTIONS",
    "Environment",
    "ExpressionError",
    "OdkXPathParser",
    "Token",
    "choice_instance",
    "compile_expression",
    "evaluate",
    "evaluate_boolean",
    "evaluate_string",
    "functions_called",
    "known_function",
    "references",
    "selected_values",
    "to_boolean",
    "to_number",
    "to_string",
    "to_xpath",
    "tokens",
    "walks_instance",
]
