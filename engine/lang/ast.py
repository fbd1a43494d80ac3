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


def rule_nodes(rule: Rule, messages: bool = False) -> list[Node]:
    """Every expression node of a rule in the order it is written (lets, `when`, `for each`,
    item lets, expects), and with `messages` the holes of its messages too."""
    roots: list[Node] = [let.value for let in rule.rule_lets]
    if rule.when is not None:
        roots.insert(rule.lets_before_when, rule.when)
    if rule.foreach is not None:
        roots += [n for n in (rule.foreach.collection, rule.foreach.where) if n is not None]
    roots += [let.value for let in rule.item_lets]
    for expect in rule.expects:
        roots.append(expect.condition)
        if messages and expect.message is not None:
            roots += [p for p in expect.message.parts if not isinstance(p, str)]
    if messages and rule.message is not None:
        roots += [p for p in rule.message.parts if not isinstance(p, str)]
    found: list[Node] = []
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(children(node)))
    return found
