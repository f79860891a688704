"""Reading an expression: XPath 1.0's lexical structure, the ``${name}`` references, and
the XPath elementpath parses (``${name}`` -> ``$name``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from formengine.xpath.values import REFERENCE, ExpressionError


def references(expression: str) -> list[str]:
    """The ``${name}`` references of an expression, in order, without repeats."""
    return list(dict.fromkeys(REFERENCE.findall(expression)))


@lru_cache(maxsize=4096)
def _referenced(expression: str) -> tuple[str, ...]:
    return tuple(references(expression))


# --- reading an expression: XPath 1.0's lexical structure ---------------------------------
#
# An expression is read into tokens the way XPath 1.0 section 3.7 says, so that ``and (``,
# ``or(``, ``div (`` are operators and a field called ``div`` is a name: a name is an
# operator when a token comes before it that is not ``@ :: ( [ ,`` or an operator; it is a
# function (or a node type) when ``(`` follows it; an axis when ``::`` follows it.


@dataclass(frozen=True)
class Token:
    kind: str  # reference literal number variable operator function nodetype axis name punct
    text: str
    start: int

    @property
    def is_operator(self) -> bool:
        return self.kind == "operator"


OPERATOR_NAMES = frozenset({"and", "or", "div", "mod"})
NODE_TYPES = frozenset({"comment", "text", "processing-instruction", "node"})
_NCNAME = r"[^\W\d][\w.-]*"
_LEXEME = re.compile(
    r"""
    (?P<reference>\$\{[^}]*\})
  | (?P<literal>"[^"]*"|'[^']*')
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<punct>\.\.|::|[.()\[\]@,])
  | (?P<wrong><>|==|&&|\|\||!(?!=))
  | (?P<symbol>!=|<=|>=|//|[<>=/|+\-*])
  | (?P<variable>\$(?:NCNAME:)?NCNAME)
  | (?P<name>NCNAME:\*|NCNAME(?::NCNAME)?)
    """.replace("NCNAME", _NCNAME),
    re.VERBOSE,
)
_BEFORE_NAME_TEST = frozenset({"@", "::", "(", "[", ","})
_WRONG = {
    "<>": "'<>' is not XPath: write !=",
    "==": "'==' is not XPath: write =",
    "&&": "'&&' is not XPath: write and",
    "||": "'||' is not XPath: write or",
    "!": "'!' is not XPath: write not(...)",
}


def tokens(expression: str) -> list[Token]:
    """The tokens of an expression (raises :class:`ExpressionError` on a lexical error)."""
    out: list[Token] = []
    index, size = 0, len(expression)
    while index < size:
        if expression[index].isspace():
            index += 1
            continue
        match = _LEXEME.match(expression, index)
        if match is None:
            if expression[index] in "'\"":
                raise ExpressionError(f"a string opened at character {index + 1} is not closed")
            raise ExpressionError(f"unexpected {expression[index]!r} at character {index + 1}")
        kind, text = match.lastgroup or "", match.group()
        if kind == "wrong":
            raise ExpressionError(_WRONG[text])
        glued = _GLUED_OPERATOR.match(text) if kind == "name" else None
        if glued and _after_operand(out):
            # '${a} div2': JavaRosa reads the operator and then the number, as ODK Validate does
            out.append(Token("operator", glued.group(1), index))
            index += len(glued.group(1))
            continue
        if kind in ("symbol", "name"):
            kind = _classify(kind, text, out, expression, match.end())
        out.append(Token(kind, text, index))
        index = match.end()
    return out


_GLUED_OPERATOR = re.compile(r"(and|or|div|mod)(?=\d)")


def _after_operand(before: list[Token]) -> bool:
    previous = before[-1] if before else None
    return previous is not None and not (
        previous.is_operator or (previous.kind == "punct" and previous.text in _BEFORE_NAME_TEST)
    )


def _classify(kind: str, text: str, before: list[Token], expression: str, end: int) -> str:
    after_operand = _after_operand(before)
    if kind == "symbol":
        # '*' after an operand multiplies; otherwise it is the name test "any element".
        return "name" if text == "*" and not after_operand else "operator"
    if after_operand and text in OPERATOR_NAMES:
        return "operator"
    rest = expression[end:].lstrip()
    if rest.startswith("("):
        return "nodetype" if text in NODE_TYPES else "function"
    if rest.startswith("::"):
        return "axis"
    return "name"


def functions_called(expression: str) -> list[str]:
    """Names of the functions an expression calls, in order, without repeats."""
    try:
        found = [t.text for t in tokens(expression) if t.kind == "function"]
    except ExpressionError:
        return []  # compile_expression says what is wrong
    return list(dict.fromkeys(found))


@lru_cache(maxsize=4096)
def walks_instance(expression: str) -> bool:
    """Whether an expression walks the form's instance (``..``, names, ``current()``), beyond
    ``${name}`` references and ``.``."""
    try:
        found = tokens(expression)
    except ExpressionError:
        return False
    return any(
        t.kind in ("name", "axis", "nodetype")
        or (t.kind == "punct" and t.text in ("..", "@"))
        or (t.kind == "operator" and t.text in ("/", "//"))
        or (t.kind == "function" and t.text == "current")
        for t in found
    )


def to_xpath(expression: str) -> str:
    """``${name}`` -> ``$name``: XPath variables that hold the answers. A space keeps the
    variable apart from what follows (``${a}-1`` is ``$a - 1``, not the variable ``a-1``).
    Raises :class:`ExpressionError` on what XPath cannot read (``<>``, an open string)."""
    out, position = [], 0
    for token in tokens(expression):
        out.append(expression[position : token.start])
        if token.kind == "reference":
            out.append(" $" + _variable(token.text[2:-1]) + " ")
        elif token.kind == "operator" and token.text in OPERATOR_NAMES:
            out.append(f" {token.text} ")  # '18and${b}': XPath's own reader needs the spaces
        else:
            out.append(token.text)
        position = token.start + len(token.text)
    out.append(expression[position:])
    return "".join(out)


def _variable(name: str) -> str:
    return name.replace(":", "__")
