"""From a careful evaluation's trace to the values that decided an expectation."""

from __future__ import annotations

from typing import Any, Callable

from engine.lang import ast
from engine.lang.values import Missing, to_json

_COMPARISONS = frozenset(("==", "!=", "<", "<=", ">", ">=", "in", "not in"))


def decided_by(node: ast.Expr, trace: dict[int, Any], index: dict[int, int],
               text: Callable[[ast.Node], str]) -> list[dict[str, Any]]:
    """The sub-expressions that made `node` come out as it did, each with its value.

    A comparison shows both sides; `and` follows the first operand that was not true,
    `or` every operand; `not` and `if` follow what they evaluated; a call shows its
    arguments and its result.
    """
    out: list[dict[str, Any]] = []
    _walk(node, trace, index, text, out)
    seen, unique = set(), []
    for entry in out:
        if entry["expression"] not in seen:
            seen.add(entry["expression"])
            unique.append(entry)
    return unique


def _value(node: ast.Node, trace: dict[int, Any], index: dict[int, int]):
    key = index.get(id(node))
    return trace[key] if key is not None and key in trace else _NOT_EVALUATED


_NOT_EVALUATED = object()


def _emit(node: ast.Node, trace, index, text, out: list) -> None:
    if type(node) is ast.Literal:
        return
    value = _value(node, trace, index)
    if value is _NOT_EVALUATED:
        return
    if type(value) is Missing:
        out.append({"expression": text(node), "missing": value.where})
    else:
        out.append({"expression": text(node), "value": to_json(value)})


def _walk(node: ast.Expr, trace, index, text, out: list) -> None:
    kind = type(node)
    if kind is ast.Binary:
        if node.op in _COMPARISONS:
            _emit(node.left, trace, index, text, out)
            _emit(node.right, trace, index, text, out)
            return
        if node.op == "and":
            for side in (node.left, node.right):
                if _value(side, trace, index) is not True:
                    _walk(side, trace, index, text, out)
                    return
            return
        if node.op == "or":
            _walk(node.left, trace, index, text, out)
            _walk(node.right, trace, index, text, out)
            return
    if kind is ast.Unary and node.op == "not":
        _walk(node.operand, trace, index, text, out)
        return
    if isinstance(node, ast.Bind):
        # A helper call: its arguments as written at the call, then its result.
        for value in node.values:
            _emit(value, trace, index, text, out)
        _emit(node, trace, index, text, out)
        return
    if isinstance(node, ast.Call):
        takes_function = any(isinstance(arg, ast.Lambda) for arg in node.args)
        for arg in node.args:
            # A whole collection says little; the call's own result is shown instead.
            if not isinstance(arg, ast.Lambda) and not (takes_function and arg is node.args[0]):
                _emit(arg, trace, index, text, out)
    _emit(node, trace, index, text, out)
