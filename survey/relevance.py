"""XLSForm ``relevant`` expressions: the subset the bot understands, parsed.

A survey may show a profile question, a goal or an indicator only to some
people, written as in XLSForm (KoboToolbox, ODK)::

    ${region} = 'north'
    ${gender} != 'male' and selected(${group}, 'youth')
    (${area} = 'rural' or ${area} = 'remote') and not(selected(${group}, 'cso'))

Only comparisons of a profile answer with a quoted choice id, ``selected()``,
``and``, ``or``, ``not()`` and parentheses are accepted: that is what skip
logic over a profile needs, and anything wider (arithmetic, other functions)
could not be checked against the survey before it reaches respondents. The
parser returns a small tree, so the checks here and the evaluation at run
time read the same grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "And",
    "Compare",
    "Not",
    "Or",
    "RelevantError",
    "Selected",
    "is_relevant",
    "parse_relevant",
]


class RelevantError(ValueError):
    """An expression outside the supported subset, with what is wrong in words."""


@dataclass(frozen=True)
class Compare:
    field: str
    op: str  # "=" or "!="
    value: str


@dataclass(frozen=True)
class Selected:
    field: str
    value: str


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


Node = Compare | Selected | Not | And | Or

_TOKEN = re.compile(
    r"\s*(?:(?P<field>\$\{[A-Za-z_][A-Za-z0-9_.-]*\})|(?P<string>'[^']*'|\"[^\"]*\")"
    r"|(?P<op>!=|=|\(|\)|,)|(?P<word>[A-Za-z_][A-Za-z0-9_-]*)|(?P<other>\S))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None:  # trailing spaces
            continue
        # Stray characters stay tokens: the parser says where they stop making sense.
        found.append((kind, match.group(kind)))
    return found


class _Parser:
    """Recursive descent over the tokens: one method per rule of the grammar above.

    One class over 60 lines: the rules call each other and share the position.
    """

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, kind: str, value: str | None = None) -> str:
        token = self.peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            wanted = repr(value) if value else {"field": "${question}", "string": "'choice'"}[kind]
            got = repr(token[1]) if token else "the end"
            raise RelevantError(f"expected {wanted}, found {got}")
        self.position += 1
        return token[1]

    def at_word(self, word: str) -> bool:
        return self.peek() == ("word", word)

    def expression(self) -> Node:
        operands = [self.conjunction()]
        while self.at_word("or"):
            self.position += 1
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def conjunction(self) -> Node:
        operands = [self.term()]
        while self.at_word("and"):
            self.position += 1
            operands.append(self.term())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def term(self) -> Node:
        token = self.peek()
        if token == ("op", "("):
            self.position += 1
            inner = self.expression()
            self.take("op", ")")
            return inner
        if token == ("word", "not"):
            self.position += 1
            self.take("op", "(")
            inner = self.expression()
            self.take("op", ")")
            return Not(inner)
        if token == ("word", "selected"):
            self.position += 1
            self.take("op", "(")
            field = self.take("field")[2:-1]
            self.take("op", ",")
            value = self.take("string")[1:-1]
            self.take("op", ")")
            return Selected(field, value)
        if token is not None and token[0] == "field":
            field = self.take("field")[2:-1]
            operator = self.peek()
            if operator not in (("op", "="), ("op", "!=")):
                got = repr(operator[1]) if operator else "the end"
                raise RelevantError(f"expected = or != after ${{{field}}}, found {got}")
            self.position += 1
            return Compare(field, operator[1], self.take("string")[1:-1])
        if token is not None and token[0] == "word":
            raise RelevantError(
                f"{token[1]!r} is not supported (use =, !=, selected(), and, or, not())"
            )
        got = repr(token[1]) if token else "the end"
        raise RelevantError(f"expected ${{question}}, selected( or not(, found {got}")


def parse_relevant(text: str) -> Node:
    """The tree of ``text``; :class:`RelevantError` outside the supported subset."""
    if not text.strip():
        raise RelevantError("empty expression")
    parser = _Parser(text)
    node = parser.expression()
    if parser.peek() is not None:
        raise RelevantError(f"unexpected {parser.peek()[1]!r}")
    return node


def conditions(node: Node) -> list[Compare | Selected]:
    """Every comparison in the tree, to check them against the survey."""
    if isinstance(node, Compare | Selected):
        return [node]
    if isinstance(node, Not):
        return conditions(node.operand)
    return [leaf for operand in node.operands for leaf in conditions(operand)]


def is_relevant(node: Node, profile: dict[str, str]) -> bool:
    """Whether the expression holds for these profile answers (choice ids; several
    answers joined by spaces, as stored). As in ODK, an unanswered question
    reads as empty: ``${region} != 'north'`` holds and ``selected()`` does not."""
    if isinstance(node, Compare):
        equal = profile.get(node.field, "") == node.value
        return equal if node.op == "=" else not equal
    if isinstance(node, Selected):
        return node.value in profile.get(node.field, "").split()
    if isinstance(node, Not):
        return not is_relevant(node.operand, profile)
    if isinstance(node, And):
        return all(is_relevant(operand, profile) for operand in node.operands)
    return any(is_relevant(operand, profile) for operand in node.operands)
