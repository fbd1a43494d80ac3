"""From a careful evaluation's trace to the values that decided an expectation.

Which sub-expressions to show depends only on the expression's shape and on which of its
parts came out true, so each expectation is planned once (`plan_decided_by`) and each
finding only runs its plan over its own trace: a rule with many findings pays for the
walk over the syntax tree once.
"""

from __future__ import annotations

from typing import Any, Callable

from engine.lang import ast
from engine.lang.values import Missing, to_json

_COMPARISONS = frozenset(("==", "!=", "<", "<=", ">", ">=", "in", "not in"))

Entries = list[dict[str, Any]]
Step = Callable[[dict[int, Any], Entries], None]


def plan_decided_by(node: ast.Expr, index: dict[int, int],
                    text: Callable[[ast.Node], str]) -> Callable[[dict[int, Any]], Entries]:
    """A function from a careful path's trace to the sub-expressions that made `node` come
    out as it did, each with its value.

    A comparison shows both sides; `and` follows the first operand that was not true,
    `or` every operand; `not` follows its operand; a helper call shows the values it was
    given and its result; a call shows its arguments and its result.
    """
    texts: list[str] = []
    step = _plan(node, index, text, texts)
    repeats = len(set(texts)) != len(texts)  # only then can one expression show twice

    def decided_by(trace: dict[int, Any]) -> Entries:
        out: Entries = []
        step(trace, out)
        return _first_of_each(out) if repeats else out

    return decided_by


def _first_of_each(entries: Entries) -> Entries:
    seen, unique = set(), []
    for entry in entries:
        if entry["expression"] not in seen:
            seen.add(entry["expression"])
            unique.append(entry)
    return unique


def _nothing(_trace: dict[int, Any], _out: Entries) -> None:
    return None


def _in_turn(steps: list[Step]) -> Step:
    steps = [step for step in steps if step is not _nothing]
    if not steps:
        return _nothing
    if len(steps) == 1:
        return steps[0]

    def run(trace: dict[int, Any], out: Entries) -> None:
        for step in steps:
            step(trace, out)

    return run


def _emit(node: ast.Node, index: dict[int, int], text: Callable[[ast.Node], str], texts: list[str]) -> Step:
    key = index.get(id(node))
    if type(node) is ast.Literal or key is None:
        return _nothing
    expression = text(node)
    texts.append(expression)

    def emit(trace: dict[int, Any], out: Entries) -> None:
        if key in trace:
            value = trace[key]
            if type(value) is Missing:
                out.append({"expression": expression, "missing": value.where})
            else:
                out.append({"expression": expression, "value": to_json(value)})

    return emit


def _first_not_true(sides: list[tuple[int | None, Step]]) -> Step:
    def follow(trace: dict[int, Any], out: Entries) -> None:
        for key, step in sides:
            if key is None or key not in trace or trace[key] is not True:
                step(trace, out)
                return

    return follow


def _plan(node: ast.Expr, index: dict[int, int], text: Callable[[ast.Node], str], texts: list[str]) -> Step:
    kind = type(node)
    if kind is ast.Binary:
        if node.op in _COMPARISONS:
            return _in_turn([_emit(node.left, index, text, texts), _emit(node.right, index, text, texts)])
        if node.op == "and":
            return _first_not_true([(index.get(id(side)), _plan(side, index, text, texts))
                                    for side in (node.left, node.right)])
        if node.op == "or":
            return _in_turn([_plan(node.left, index, text, texts), _plan(node.right, index, text, texts)])
    if kind is ast.Unary and node.op == "not":
        return _plan(node.operand, index, text, texts)
    if isinstance(node, ast.Bind):
        return _in_turn([*(_emit(value, index, text, texts) for value in node.values),
                         _emit(node, index, text, texts)])
    steps = []
    if isinstance(node, ast.Call):
        takes_function = any(isinstance(arg, ast.Lambda) for arg in node.args)
        for arg in node.args:
            # A whole collection says little; the call's own result is shown instead.
            if not isinstance(arg, ast.Lambda) and not (takes_function and arg is node.args[0]):
                steps.append(_emit(arg, index, text, texts))
    steps.append(_emit(node, index, text, texts))
    return _in_turn(steps)
