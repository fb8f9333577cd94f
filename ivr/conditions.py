"""A small, safe condition language for ``branch`` nodes and menu options.

Conditions are parsed once at load time (so a typo is reported with its line) and
evaluated against the session's variables; nothing is ever passed to ``eval``.

Grammar::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := operand [("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in")
                           operand]
    operand    := NAME | STRING | NUMBER | "true" | "false" | list | "(" expr ")"
    list       := "[" [operand ("," operand)*] "]"

A bare name is true when the variable is set and truthy. An unset variable is
``None``: it equals nothing, and ordering comparisons with it are false.
"""

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Scalar = str | int | bool
Value = Scalar | None | tuple[Scalar | None, ...]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>-?\d+)
      | (?P<string>"[^"]*"|'[^']*')
      | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false"}


class ConditionSyntaxError(ValueError):
    """The condition text is not in the language; the message says where."""


@dataclass(frozen=True, slots=True)
class _Literal:
    value: Value

    def evaluate(self, variables: Mapping[str, Scalar]) -> Value:
        del variables
        return self.value


@dataclass(frozen=True, slots=True)
class _Name:
    name: str

    def evaluate(self, variables: Mapping[str, Scalar]) -> Value:
        return variables.get(self.name)


@dataclass(frozen=True, slots=True)
class _List:
    items: tuple["_Expr", ...]

    def evaluate(self, variables: Mapping[str, Scalar]) -> Value:
        values: list[Scalar | None] = []
        for item in self.items:
            value = item.evaluate(variables)
            values.append(None if isinstance(value, tuple) else value)
        return tuple(values)


@dataclass(frozen=True, slots=True)
class _Not:
    operand: "_Expr"

    def evaluate(self, variables: Mapping[str, Scalar]) -> Value:
        return not self.operand.evaluate(variables)


@dataclass(frozen=True, slots=True)
class _Logic:
    op: str
    left: "_Expr"
    right: "_Expr"

    def evaluate(self, variables: Mapping[str, Scalar]) -> Value:
        left = bool(self.left.evaluate(variables))
        if self.op == "and":
            return left and bool(self.right.evaluate(variables))
        return left or bool(self.right.evaluate(variables))


def _ordered(fn: Callable[[int, int], bool]) -> Callable[[Value, Value], bool]:
    def compare(left: Value, right: Value) -> bool:
        if isinstance(left, int) and isinstance(right, int):
            return fn(left, right)
        if isinstance(left, str) and isinstance(right, str):
            return fn(left, right)  # type: ignore[arg-type]
        return False

    return compare


def _contains(left: Value, right: Value) -> bool:
    return isinstance(right, tuple) and left in right


_COMPARE: dict[str, Callable[[Value, Value], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": _ordered(operator.lt),
    "<=": _ordered(operator.le),
    ">": _ordered(operator.gt),
    ">=": _ordered(operator.ge),
    "in": _contains,
    "not in": lambda left, right: not _contains(left, right),
}


@dataclass(frozen=True, slots=True)
class _Compare:
    op: str
    left: "_Expr"
    right: "_Expr"

    def evaluate(self, variables: Mapping[str, Scalar]) -> Value:
        return _COMPARE[self.op](
            self.left.evaluate(variables), self.right.evaluate(variables)
        )


_Expr = _Literal | _Name | _List | _Not | _Logic | _Compare


@dataclass(frozen=True, slots=True)
class Condition:
    """A parsed condition; ``text`` is kept for diagrams and messages."""

    text: str
    expr: _Expr

    def __call__(self, variables: Mapping[str, Scalar]) -> bool:
        """Return whether the condition holds for these variables."""
        return bool(self.expr.evaluate(variables))


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            msg = f"unexpected character {text[position:].strip()[0]!r} in {text!r}"
            raise ConditionSyntaxError(msg)
        tokens.append(match.group(match.lastgroup or "name"))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    def peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        word = self.peek()
        if word is None or (expected is not None and word != expected):
            wanted = repr(expected) if expected else "more"
            msg = f"expected {wanted} in condition {self.text!r}"
            raise ConditionSyntaxError(msg)
        self.index += 1
        return word

    def parse(self) -> _Expr:
        expr = self.expr()
        if self.peek() is not None:
            msg = f"unexpected {self.peek()!r} in condition {self.text!r}"
            raise ConditionSyntaxError(msg)
        return expr

    def expr(self) -> _Expr:
        left = self.and_expr()
        while self.peek() == "or":
            self.take()
            left = _Logic("or", left, self.and_expr())
        return left

    def and_expr(self) -> _Expr:
        left = self.not_expr()
        while self.peek() == "and":
            self.take()
            left = _Logic("and", left, self.not_expr())
        return left

    def not_expr(self) -> _Expr:
        if self.peek() == "not":
            self.take()
            return _Not(self.not_expr())
        return self.comparison()

    def comparison(self) -> _Expr:
        left = self.operand()
        word = self.peek()
        following = self.tokens[self.index + 1 : self.index + 2]
        if word == "not" and following == ["in"]:
            self.index += 2
            return _Compare("not in", left, self.operand())
        if word in _COMPARE:
            self.take()
            return _Compare(word, left, self.operand())
        return left

    def operand(self) -> _Expr:
        word = self.take()
        if word == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if word == "[":
            return self.list_items()
        if word in {"true", "false"}:
            return _Literal(word == "true")
        if word[0] in "\"'":
            return _Literal(word[1:-1])
        if word.lstrip("-").isdigit():
            return _Literal(int(word))
        if word[0].isalpha() or word[0] == "_":
            if word in _KEYWORDS:
                msg = f"unexpected keyword {word!r} in condition {self.text!r}"
                raise ConditionSyntaxError(msg)
            return _Name(word)
        msg = f"unexpected {word!r} in condition {self.text!r}"
        raise ConditionSyntaxError(msg)

    def list_items(self) -> _Expr:
        items: list[_Expr] = []
        while self.peek() != "]":
            items.append(self.operand())
            if self.peek() == ",":
                self.take()
            elif self.peek() != "]":
                self.take("]")
        self.take("]")
        return _List(tuple(items))


def parse_condition(text: str) -> Condition:
    """Parse a condition; raise ``ConditionSyntaxError`` saying what is wrong."""
    if not text.strip():
        raise ConditionSyntaxError("empty condition")
    return Condition(text=text, expr=_Parser(text).parse())
