"""Indicator numerator and denominator expressions: parse, check, evaluate, render as text or SQL.

Grammar (no ``eval``; a hand-written tokenizer and recursive-descent parser)::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := "-" unary | primary
    primary    := NUMBER | "#{" CODE ["." DISAGGREGATION] "}" | "C{" CODE "}" | "(" expression ")"

CODE is letters, digits, ``_`` and ``-``; a data element reference splits at its first ``.``, and what follows
(DHIS2's category option combo, possibly ``coc.aoc``) is kept as ``disaggregation``. A constant code may also
contain ``.``. Positions are 0-based offsets into the text and are kept in every node, so errors found later
(an unknown code) still point at the right place. Positions do not take part in equality: two trees are equal
when they have the same shape and values, wherever they came from.

The tree knows nothing about SQL engines beyond ``to_sql``, which emits plain SQL arithmetic that DuckDB,
PostgreSQL and ClickHouse all read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import ClassVar, Literal

Operator = Literal["+", "-", "*", "/"]

_EMPTY: Mapping[str, float] = MappingProxyType({})
_CODE = re.compile(r"[A-Za-z0-9_-]+")
_CONSTANT_CODE = re.compile(r"[A-Za-z0-9_.-]+")
_DISAGGREGATION = re.compile(r"[A-Za-z0-9_.-]+")
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Deep enough for any real indicator, shallow enough that parsing and walking the tree stay far from Python's
# recursion limit (each open bracket costs the parser five stack frames).
MAX_DEPTH = 200
MAX_BRACKETS = 50


class ExpressionError(ValueError):
    """A problem in an expression, pointing at a 0-based position in its text.

    ``str(error)`` shows the message, the text, and a caret under the position::

        unexpected ')' at position 9
          #{a} + 1 )
                   ^
    """

    def __init__(self, message: str, text: str, position: int):
        super().__init__(message, text, position)
        self.message = message
        self.text = text
        self.position = position

    def __str__(self) -> str:
        # Tabs and newlines would push the caret out of line, so show them as spaces.
        shown = re.sub(r"\s", " ", self.text)
        return f"{self.message} at position {self.position}\n  {shown}\n  {' ' * self.position}^"


# --------------------------------------------------------------------------------------------------
# The tree


class _NodeProblem(Exception):
    """Raised inside the tree, which does not know the source text; ``Expression`` turns it into an
    ``ExpressionError`` pointing at ``node``'s position."""

    def __init__(self, message: str, node: Node):
        super().__init__(message)
        self.message = message
        self.node = node


class Node:
    """Base of the expression tree nodes; ``precedence`` decides where ``to_text`` needs parentheses."""

    precedence: ClassVar[int] = 4
    position: int

    def children(self) -> tuple[Node, ...]:
        return ()

    def to_text(self) -> str:
        raise NotImplementedError

    def _evaluate(self, values: Mapping[str, float | None], constants: Mapping[str, float]) -> float | None:
        raise NotImplementedError

    def _to_sql(self, column_for: Callable[[str], str], constants: Mapping[str, float]) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Number(Node):
    """A literal number; never negative (``-2`` is ``Negate(Number(2))``), so text and tree round-trip."""

    value: int | float
    position: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise ValueError(f"a Number holds an int or float, not {self.value!r}")
        try:
            finite = math.isfinite(float(self.value))
        except OverflowError:
            finite = False
        if not finite or math.copysign(1, self.value) < 0:
            raise ValueError(f"a Number must be finite and not negative, not {self.value!r}")

    def to_text(self) -> str:
        return str(self.value) if isinstance(self.value, int) else repr(self.value)

    def _evaluate(self, values: Mapping[str, float | None], constants: Mapping[str, float]) -> float | None:
        return float(self.value)

    def _to_sql(self, column_for: Callable[[str], str], constants: Mapping[str, float]) -> str:
        return _sql_number(float(self.value))


@dataclass(frozen=True)
class DataElementRef(Node):
    """``#{code}`` or ``#{code.disaggregation}``; its ``key`` (the text between the braces) names its value."""

    code: str
    disaggregation: str | None = None
    position: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if not _CODE.fullmatch(self.code):
            raise ValueError(f"data element code {self.code!r} must be letters, digits, '_' or '-'")
        if self.disaggregation is not None and not _DISAGGREGATION.fullmatch(self.disaggregation):
            raise ValueError(f"disaggregation {self.disaggregation!r} must be letters, digits, '_', '.' or '-'")

    @property
    def key(self) -> str:
        """``code`` or ``code.disaggregation``: the key of this reference's value in ``evaluate``/``to_sql``."""
        return self.code if self.disaggregation is None else f"{self.code}.{self.disaggregation}"

    def to_text(self) -> str:
        return f"#{{{self.key}}}"

    def _evaluate(self, values: Mapping[str, float | None], constants: Mapping[str, float]) -> float | None:
        value = values.get(self.key)
        return None if value is None or math.isnan(value) else float(value)

    def _to_sql(self, column_for: Callable[[str], str], constants: Mapping[str, float]) -> str:
        return column_for(self.key)


@dataclass(frozen=True)
class ConstantRef(Node):
    """``C{code}``: a named constant such as a population multiplier, looked up at evaluation time."""

    code: str
    position: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if not _CONSTANT_CODE.fullmatch(self.code):
            raise ValueError(f"constant code {self.code!r} must be letters, digits, '_', '.' or '-'")

    def to_text(self) -> str:
        return f"C{{{self.code}}}"

    def _lookup(self, constants: Mapping[str, float]) -> float:
        if self.code not in constants:
            raise _NodeProblem(f"unknown constant '{self.code}'", self)
        value = constants[self.code]
        if not math.isfinite(value):
            raise _NodeProblem(f"constant '{self.code}' is {value!r}, not a finite number", self)
        return float(value)

    def _evaluate(self, values: Mapping[str, float | None], constants: Mapping[str, float]) -> float | None:
        return self._lookup(constants)

    def _to_sql(self, column_for: Callable[[str], str], constants: Mapping[str, float]) -> str:
        value = self._lookup(constants)
        return f"(-{_sql_number(-value)})" if math.copysign(1, value) < 0 else _sql_number(value)


@dataclass(frozen=True)
class Negate(Node):
    """Unary minus."""

    precedence: ClassVar[int] = 3
    operand: Node
    position: int = field(default=0, compare=False)

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)

    def to_text(self) -> str:
        inner = self.operand.to_text()
        return f"-{inner}" if self.operand.precedence >= self.precedence else f"-({inner})"

    def _evaluate(self, values: Mapping[str, float | None], constants: Mapping[str, float]) -> float | None:
        value = self.operand._evaluate(values, constants)
        return None if value is None else -value

    def _to_sql(self, column_for: Callable[[str], str], constants: Mapping[str, float]) -> str:
        # Always bracketed: "- -x" would otherwise become the SQL comment "--x".
        return f"(-{self.operand._to_sql(column_for, constants)})"


@dataclass(frozen=True)
class BinaryOp(Node):
    """``left op right`` for one of ``+ - * /``."""

    op: Operator
    left: Node
    right: Node
    position: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.op not in ("+", "-", "*", "/"):
            raise ValueError(f"operator must be one of + - * /, not {self.op!r}")

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return 1 if self.op in ("+", "-") else 2

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)

    def to_text(self) -> str:
        left, right = self.left.to_text(), self.right.to_text()
        if self.left.precedence < self.precedence:
            left = f"({left})"
        # Operators associate to the left, so an equal-precedence right operand keeps its brackets.
        if self.right.precedence <= self.precedence:
            right = f"({right})"
        return f"{left} {self.op} {right}"

    def _evaluate(self, values: Mapping[str, float | None], constants: Mapping[str, float]) -> float | None:
        # Both sides are always evaluated, so an unknown constant is reported whatever the data.
        left = self.left._evaluate(values, constants)
        right = self.right._evaluate(values, constants)
        if left is None or right is None:
            return None
        if self.op == "+":
            return left + right
        if self.op == "-":
            return left - right
        if self.op == "*":
            return left * right
        return None if right == 0 else left / right

    def _to_sql(self, column_for: Callable[[str], str], constants: Mapping[str, float]) -> str:
        left = self.left._to_sql(column_for, constants)
        right = self.right._to_sql(column_for, constants)
        if self.op == "/":
            return f"({left} / NULLIF({right}, 0))"
        return f"({left} {self.op} {right})"


def _sql_number(value: float) -> str:
    """A non-negative finite float as a SQL literal with an exponent, which SQL engines read as a double.

    (Without it DuckDB reads ``0.1`` as a DECIMAL and ``2 * 3`` as 64-bit integers that can overflow.)
    """
    text = repr(value)
    return text if "e" in text else f"{text}e0"


# --------------------------------------------------------------------------------------------------
# The expression: a tree plus the text its positions refer to


@dataclass(frozen=True)
class Expression:
    """A parsed expression: ``root`` is the tree and ``text`` the source its node positions point into.

    Two expressions are equal when their trees are equal; the text (spacing, redundant brackets) does not count.
    """

    root: Node
    text: str = field(default="", compare=False)

    @classmethod
    def from_tree(cls, root: Node) -> Expression:
        """An expression for a tree built in code, with its canonical text and positions that match it."""
        return parse_expression(root.to_text())

    def nodes(self) -> Iterator[Node]:
        """Every node, parents before children, left to right."""
        stack = [self.root]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))

    def references(self) -> tuple[DataElementRef, ...]:
        """Every data element reference in text order, with its disaggregation and position."""
        return tuple(node for node in self.nodes() if isinstance(node, DataElementRef))

    def data_elements(self) -> frozenset[str]:
        """Codes of the data elements used (without disaggregation)."""
        return frozenset(ref.code for ref in self.references())

    def constants(self) -> frozenset[str]:
        """Codes of the constants used."""
        return frozenset(node.code for node in self.nodes() if isinstance(node, ConstantRef))

    def evaluate(
        self, values: Mapping[str, float | None], constants: Mapping[str, float] = _EMPTY
    ) -> float | None:
        """The value of the expression, or None when it has none.

        ``values`` is keyed by each reference's ``key`` (``code``, or ``code.disaggregation``). The missing
        value strategy is DHIS2's "skip if any value missing": if any referenced value is absent, None or NaN,
        the result is None (a missing value is never read as 0). Division by zero, and a result too large to be
        a finite float, also give None, never an exception. An unknown constant is a configuration mistake,
        not missing data, and raises ``ExpressionError``.
        """
        try:
            result = self.root._evaluate(values, constants)
        except _NodeProblem as problem:
            raise self._error(problem.message, problem.node) from None
        return result if result is not None and math.isfinite(result) else None

    def to_text(self) -> str:
        """Canonical text: single spaces around operators, only the brackets the tree needs.

        ``parse_expression(e.to_text()) == e`` for every expression.
        """
        return self.root.to_text()

    def to_sql(self, column_for: Callable[[str], str], constants: Mapping[str, float] = _EMPTY) -> str:
        """The expression as SQL arithmetic, for computing a whole column of indicator values at once.

        Each data element reference becomes ``column_for(ref.key)`` inserted as given (so ``column_for`` must
        quote). Numbers and constants become double literals. Division is ``(a / NULLIF(b, 0))`` so that
        division by zero gives NULL, and SQL's NULL arithmetic gives the same "skip if any value missing"
        result as ``evaluate``. An unknown constant raises ``ExpressionError``. One difference remains: a result
        too large for a double is None from ``evaluate`` but may be infinity from the engine (DuckDB gives inf).
        """
        try:
            return self.root._to_sql(column_for, constants)
        except _NodeProblem as problem:
            raise self._error(problem.message, problem.node) from None

    def _error(self, message: str, node: Node) -> ExpressionError:
        """An error at ``node``; an expression built in code (no text) shows its canonical text instead."""
        return ExpressionError(message, self.text or self.to_text(), node.position if self.text else 0)

    def __str__(self) -> str:
        return self.text or self.to_text()


def validate_references(
    expr: Expression, known_data_elements: set[str], known_constants: set[str]
) -> list[ExpressionError]:
    """One error per reference to a data element or constant code that is not known, in text order."""
    errors = []
    for node in sorted(expr.nodes(), key=lambda n: n.position):
        if isinstance(node, DataElementRef) and node.code not in known_data_elements:
            errors.append(expr._error(f"unknown data element '{node.code}'", node))
        elif isinstance(node, ConstantRef) and node.code not in known_constants:
            errors.append(expr._error(f"unknown constant '{node.code}'", node))
    return errors


# --------------------------------------------------------------------------------------------------
# Tokenizer


@dataclass(frozen=True)
class _Token:
    kind: Literal["number", "element", "constant", "op", "(", ")", "end"]
    text: str
    position: int
    node: Node | None = None  # the leaf for number, element and constant tokens

    def describe(self) -> str:
        return "the end of the expression" if self.kind == "end" else f"'{self.text}'"


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "+-*/":
            tokens.append(_Token("op", char, i))
            i += 1
        elif char in "()":
            tokens.append(_Token(char, char, i))  # type: ignore[arg-type]
            i += 1
        elif number := _NUMBER.match(text, i):
            tokens.append(_number_token(text, number.group(), i))
            i = number.end()
        elif char == "#" or text.startswith("C{", i):
            token = _reference_token(text, i)
            tokens.append(token)
            i += len(token.text)
        else:
            word = _WORD.match(text, i)
            shown = word.group() if word else char
            hint = " ('C' must be followed by '{')" if shown == "C" else ""
            raise ExpressionError(f"unexpected '{shown}'{hint}", text, i)
    tokens.append(_Token("end", "", len(text.rstrip())))
    return tokens


def _number_token(text: str, literal: str, position: int) -> _Token:
    plain_integer = literal.isdigit()
    try:
        node = Number(int(literal) if plain_integer else float(literal), position)
    except ValueError:
        shown = literal if len(literal) <= 20 else f"{literal[:17]}..."
        raise ExpressionError(f"number '{shown}' is too large", text, position) from None
    return _Token("number", literal, position, node)


def _reference_token(text: str, start: int) -> _Token:
    """``#{...}`` or ``C{...}`` starting at ``start``."""
    is_element = text[start] == "#"
    what = "data element" if is_element else "constant"
    if not text.startswith("{", start + 1):
        raise ExpressionError("unexpected '#' ('#' must be followed by '{')", text, start)
    close = text.find("}", start + 2)
    if close < 0:
        raise ExpressionError(f"'{text[start:start + 2]}' is never closed with '}}'", text, start)
    inner = text[start + 2 : close]
    if not inner:
        raise ExpressionError(f"empty {what} code in '{text[start:close + 1]}'", text, start)
    allowed = _CONSTANT_CODE if not is_element else _DISAGGREGATION
    for offset, char in enumerate(inner):
        if not allowed.fullmatch(char):
            raise ExpressionError(f"character '{char}' is not allowed in a {what} code", text, start + 2 + offset)
    if is_element:
        node: Node = _element_ref(text, inner, start)
    else:
        node = ConstantRef(inner, start)
    return _Token("element" if is_element else "constant", text[start : close + 1], start, node)


def _element_ref(text: str, inner: str, start: int) -> DataElementRef:
    code, dot, disaggregation = inner.partition(".")
    if not code:
        raise ExpressionError("empty data element code before '.'", text, start + 2)
    if dot and not disaggregation:
        raise ExpressionError("empty disaggregation after '.'", text, start + 2 + len(code))
    return DataElementRef(code, disaggregation or None, start)


# --------------------------------------------------------------------------------------------------
# Parser


def parse_expression(text: str) -> Expression:
    """Parse an indicator expression; raises ``ExpressionError`` naming what is wrong and where."""
    if not text.strip():
        raise ExpressionError("expression is empty", text, 0)
    return Expression(_Parser(text).parse(), text)


class _Parser:
    """Recursive descent over the token list; each method returns ``(node, depth of that node)``."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.open_brackets = 0  # brackets add no tree depth but do add recursion, so they are limited too

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, message: str, position: int) -> ExpressionError:
        return ExpressionError(message, self.text, position)

    def parse(self) -> Node:
        node, _ = self.expression()
        token = self.current
        if token.kind == ")":
            raise self.error("unexpected ')' (no '(' is open)", token.position)
        if token.kind != "end":
            raise self.error(f"unexpected {token.describe()} (expected an operator)", token.position)
        return node

    def expression(self) -> tuple[Node, int]:
        return self.binary(("+", "-"), self.term)

    def term(self) -> tuple[Node, int]:
        return self.binary(("*", "/"), self.unary)

    def binary(self, ops: tuple[str, str], operand: Callable[[], tuple[Node, int]]) -> tuple[Node, int]:
        node, depth = operand()
        while self.current.kind == "op" and self.current.text in ops:
            op = self.advance()
            right, right_depth = operand()
            depth = self.deeper(max(depth, right_depth), op)
            node = BinaryOp(op.text, node, right, op.position)  # type: ignore[arg-type]
        return node, depth

    def unary(self) -> tuple[Node, int]:
        minuses = []
        while self.current.kind == "op" and self.current.text == "-":
            minuses.append(self.advance())
        node, depth = self.primary()
        for minus in reversed(minuses):
            node, depth = Negate(node, minus.position), self.deeper(depth, minus)
        return node, depth

    def primary(self) -> tuple[Node, int]:
        token = self.advance()
        if token.node is not None:
            return token.node, 1
        if token.kind == "(":
            self.open_brackets += 1
            if self.open_brackets > MAX_BRACKETS:
                raise self.error(f"more than {MAX_BRACKETS} brackets are open", token.position)
            node, depth = self.expression()
            if self.current.kind != ")":
                if self.current.kind == "end":
                    raise self.error("'(' is never closed", token.position)
                raise self.error(f"unexpected {self.current.describe()} (expected an operator or ')')",
                                 self.current.position)
            self.advance()
            self.open_brackets -= 1
            return node, depth
        previous = self.tokens[self.index - 2] if self.index >= 2 else None
        if token.kind == "end" and previous is not None:
            raise self.error(f"expression ends after {previous.describe()} (expected a value)", token.position)
        raise self.error(
            f"unexpected {token.describe()} (expected a number, #{{...}}, C{{...}}, '-' or '(')", token.position
        )

    def deeper(self, depth: int, token: _Token) -> int:
        if depth + 1 > MAX_DEPTH:
            raise self.error(f"expression is nested more than {MAX_DEPTH} levels deep", token.position)
        return depth + 1
