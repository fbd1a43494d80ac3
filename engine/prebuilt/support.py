"""The names the generated rule library is written in, and nothing else.

Rule code runs with the compiler's restricted namespace (`GENERATED_NAMESPACE`): the
generated module takes its globals from there, so its functions see the same builtins as
code the compiler executes itself. Nothing here needs the compiler or the syntax tree.
"""

from __future__ import annotations

import datetime as dt

from engine.diagnostics import Span as S
from engine.lang.builtins import BUILTINS
from engine.lang.compiled import GENERATED_NAMESPACE, READERS, RuleHeader as H
from engine.lang.values import CalendarPeriod as CP

__all__ = ["CP", "D", "DT", "F", "FLOAT", "FS", "GENERATED_NAMESPACE", "H", "P", "S", "TD"]

D = dt.date
FLOAT = float  # for inf and nan, which have no literal
FS = frozenset
DT = dt.datetime.fromisoformat
TD = dt.timedelta

# Functions a compiled rule holds as constants, by a stable name.
FUNCTIONS = {
    **{f"builtin:{name}": builtin.impl for name, builtin in sorted(BUILTINS.items())},
    **{f"read:{kind}": parse for kind, parse in sorted(READERS.items())},
}


def F(name: str):
    return FUNCTIONS[name]


def P(pattern: str):
    # RE2 is loaded only by a library whose rules use `matches`.
    from engine.lang.patterns import compile_pattern

    return compile_pattern(pattern)
