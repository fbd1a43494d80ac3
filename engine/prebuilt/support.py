"""The names the generated prebuilt library is written in, and nothing else.

Rule code runs with the compiler's restricted namespace (`GENERATED_NAMESPACE`): the
generated module takes its globals from there, so its functions see the same builtins as
code the compiler executes itself.
"""

from __future__ import annotations

import datetime as dt

from engine.diagnostics import Span as S
from engine.lang.ast import (
    Bind, Binary, Call, Expect, ForEach, Helper, If, Index, Lambda, Let, ListExpr, Literal, Member, Rule, Template,
    Today, Unary, Var,
)
from engine.lang.builtins import BUILTINS
from engine.lang.compiler import CONVERSIONS, GENERATED_NAMESPACE, RuleHeader as H
from engine.lang.patterns import compile_pattern as P
from engine.lang.values import CalendarPeriod as CP

__all__ = [
    "CP", "D", "DT", "F", "FLOAT", "FS", "GENERATED_NAMESPACE", "H", "P", "S", "TD",
    "Bind", "Binary", "Call", "Expect", "ForEach", "Helper", "If", "Index", "Lambda", "Let", "ListExpr", "Literal", "Member",
    "Rule", "Template", "Today", "Unary", "Var",
]

D = dt.date
FLOAT = float  # for inf and nan, which have no literal
FS = frozenset
DT = dt.datetime.fromisoformat
TD = dt.timedelta

# Functions a compiled rule holds as constants, by a stable name.
FUNCTIONS = {
    **{f"builtin:{name}": builtin.impl for name, builtin in sorted(BUILTINS.items())},
    **{f"read:{kind}": parse for kind, parse in sorted(CONVERSIONS.values())},
}


def F(name: str):
    return FUNCTIONS[name]


_PATTERN_TYPE = type(P(""))


def is_pattern(value) -> bool:
    return type(value) is _PATTERN_TYPE
