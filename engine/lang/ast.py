"""Typed syntax tree of the rule language: every node carries the span it came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Union

from engine.diagnostics import Span
from engine.lang.values import Duration


@dataclass(eq=False)
class Node:
    span: Span


@dataclass(eq=False)
class Literal(Node):
    value: Union[None, bool, int, float, str, dt.date, dt.datetime, Duration]


@dataclass(eq=False)
class Today(Node):
    pass


@dataclass(eq=False)
class Var(Node):
    name: str


@dataclass(eq=False)
class Member(Node):
    target: Expr
    name: str


@dataclass(eq=False)
class Index(Node):
    target: Expr
    index: Expr


@dataclass(eq=False)
class Lambda(Node):
    param: str
    body: Expr


@dataclass(eq=False)
class Call(Node):
    name: str
    args: list[Expr]


@dataclass(eq=False)
class Unary(Node):
    op: str  # "not" or "-"
    operand: Expr


@dataclass(eq=False)
class Binary(Node):
    op: str  # and or == != < <= > >= in notin + - * / %
    left: Expr
    right: Expr


@dataclass(eq=False)
class If(Node):
    condition: Expr
    then: Expr
    otherwise: Expr


@dataclass(eq=False)
class ListExpr(Node):
    items: list[Expr]


@dataclass(eq=False)
class Bind(Node):
    """Names bound for one body: what a helper call becomes once the helper is inlined."""

    names: list[str]
    values: list[Expr]
    body: Expr
    helper: str = ""  # the helper it came from


Expr = Union[Literal, Today, Var, Member, Index, Lambda, Call, Unary, Binary, If, ListExpr, Bind]


@dataclass(eq=False)
class Template(Node):
    """A message with `{expression}` holes; parts alternate literal text and expressions."""

    parts: list[Union[str, Expr]]


@dataclass(eq=False)
class Let(Node):
    name: str
    value: Expr


@dataclass(eq=False)
class ForEach(Node):
    var: str
    collection: Expr
    where: Expr | None


@dataclass(eq=False)
class Expect(Node):
    condition: Expr
    message: Template | None


@dataclass(eq=False)
class Rule(Node):
    id: str
    title: str
    clauses: list[tuple[str, Span]] = field(default_factory=list)
    severity: tuple[str, Span] | None = None
    tags: list[str] = field(default_factory=list)
    rationale: str | None = None
    remediation: str | None = None
    rule_lets: list[Let] = field(default_factory=list)
    when: Expr | None = None
    lets_before_when: int = 0  # `let`s and `when` run in the order written
    foreach: ForEach | None = None
    item_lets: list[Let] = field(default_factory=list)
    expects: list[Expect] = field(default_factory=list)
    message: Template | None = None
    id_span: Span | None = None
    headers_seen: list[tuple[str, Span]] = field(default_factory=list)


@dataclass(eq=False)
class Helper(Node):
    name: str
    params: list[str]
    body: Expr


@dataclass(eq=False)
class RuleFile:
    path: str
    text: str
    rules: list[Rule]
    helpers: list[Helper]


def children(node: Node) -> list[Node]:
    """The direct sub-expressions of an expression node, in source order."""
    if isinstance(node, Member):
        return [node.target]
    if isinstance(node, Index):
        return [node.target, node.index]
    if isinstance(node, Lambda):
        return [node.body]
    if isinstance(node, Call):
        return list(node.args)
    if isinstance(node, Unary):
        return [node.operand]
    if isinstance(node, Binary):
        return [node.left, node.right]
    if isinstance(node, If):
        return [node.condition, node.then, node.otherwise]
    if isinstance(node, ListExpr):
        return list(node.items)
    if isinstance(node, Bind):
        return [*node.values, node.body]
    return []
