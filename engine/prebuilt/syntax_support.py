"""The names the generated syntax trees (rule_syntax.py) are written in: the constants'
names of support.py and the syntax tree's node classes."""

from __future__ import annotations

from engine.lang.ast import (
    Bind, Binary, Call, Expect, ForEach, Helper, If, Index, Lambda, Let, ListExpr, Literal, Member, Rule, Template,
    Today, Unary, Var,
)
from engine.prebuilt.support import CP, D, DT, F, FLOAT, FS, P, S, TD

__all__ = [
    "CP", "D", "DT", "F", "FLOAT", "FS", "P", "S", "TD",
    "Bind", "Binary", "Call", "Expect", "ForEach", "Helper", "If", "Index", "Lambda", "Let", "ListExpr", "Literal", "Member",
    "Rule", "Template", "Today", "Unary", "Var",
]
