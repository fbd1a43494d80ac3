"""Constants and syntax trees written as Python source, for the prebuilt rule library.

Only the value kinds a compiled rule holds are accepted; anything else is a defect in
clausegate and stops the writer, so the generated module can never hold a value it
cannot rebuild exactly. The names used (`S`, `F`, `TD`, `FS`, …) are those of
`engine.prebuilt.support`: generated rule code has no builtins to call.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Callable

from engine.diagnostics import Span
from engine.lang import ast
from engine.lang.values import CalendarPeriod
from engine.lang.patterns import compile_pattern
from engine.prebuilt.support import FUNCTIONS

_PATTERN_TYPE = type(compile_pattern(""))
_FUNCTION_NAMES = {id(function): name for name, function in reversed(FUNCTIONS.items())}


def constant(value: Any) -> str:
    """A value a generated rule receives, as an expression that rebuilds it."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return repr(value)
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            return f"FLOAT({str(value)!r})"
        return repr(value)
    if kind is Span:
        return f"S({value.file!r}, {value.line}, {value.column}, {value.end_line}, {value.end_column})"
    if kind is dt.timedelta:
        return f"TD({value.days}, {value.seconds}, {value.microseconds})"
    if kind is CalendarPeriod:
        return f"CP({value.months}, {constant(value.rest)})"
    if kind is dt.datetime:
        return f"DT({value.isoformat()!r})"
    if kind is dt.date:
        return f"D({value.year}, {value.month}, {value.day})"
    if kind is frozenset:
        return f"FS({constant(tuple(sorted(value, key=repr)))})"
    if kind is dict:
        return "{" + ", ".join(f"{constant(k)}: {constant(v)}" for k, v in value.items()) + "}"
    if kind in (list, tuple):
        return _sequence(value, constant)
    if type(value) is _PATTERN_TYPE:
        return f"P({value.pattern!r})"
    if callable(value) and id(value) in _FUNCTION_NAMES:
        return f"F({_FUNCTION_NAMES[id(value)]!r})"
    raise TypeError(f"a compiled rule holds a {kind.__name__}, which the prebuilt library cannot write")


def _sequence(value: list | tuple, encode: Callable[[Any], str]) -> str:
    items = ", ".join(encode(item) for item in value)
    return f"[{items}]" if type(value) is list else f"({items}{',' if len(value) == 1 else ''})"


class SyntaxWriter:
    """A rule's syntax tree as one assignment per node, so that a node shared by two
    parents stays one object (trace keys are by node identity) and nesting stays flat."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[int, str] = {}

    def node(self, node: ast.Node) -> str:
        name = self.names.get(id(node))
        if name is None:
            arguments = ", ".join(self.value(getattr(node, f.name)) for f in dataclasses.fields(node))
            name = self.names[id(node)] = f"n{len(self.names)}"
            self.lines.append(f"{name} = {type(node).__name__}({arguments})")
        return name

    def value(self, value: Any) -> str:
        if isinstance(value, ast.Node):
            return self.node(value)
        if type(value) in (list, tuple):
            return _sequence(value, self.value)
        return constant(value)
