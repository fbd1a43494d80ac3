"""Exact semantics of every operator, called by compiled rules on their careful path.

Absent evidence (`Missing`) and recorded nothing (`None`, written `null`) flow through
operators as documented in docs/language.md: Missing wins over everything but a decisive
`false` in `and` (or `true` in `or`); null makes comparisons and arithmetic null, and a
null condition is not true.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from engine.lang.values import CalendarPeriod, EvalError, Missing, add_months, type_name

_ABSENT = object()
_NUMBER = (int, float)


def _is_number(v: object) -> bool:
    return type(v) in _NUMBER


def member(target, name: str, where: str, span):
    if type(target) is dict:
        value = target.get(name, _ABSENT)
        return Missing(where) if value is _ABSENT else value
    if target is None or type(target) is Missing:
        return target
    raise EvalError(f"cannot read field `{name}` of a {type_name(target)}", span)


def index(target, key, where: str, span):
    if type(target) is Missing:
        return target
    if type(key) is Missing:
        return key
    if target is None or key is None:
        return None
    if type(target) is list and type(key) is int:
        if key < 0:
            raise EvalError(f"list positions start at 0, got {key}", span)
        return target[key] if key < len(target) else Missing(f"{where}/{key}")
    if type(target) is dict and type(key) is str:
        return member(target, key, f"{where}/{key}", span)
    raise EvalError(f"cannot index a {type_name(target)} with a {type_name(key)}", span)


def variable(scope: dict, name: str, where: str):
    value = scope.get(name, _ABSENT)
    return Missing(where) if value is _ABSENT else value


def convert(parse: Callable, kind: str, value, span):
    """Evidence text typed by the schema as a date, date-time or duration, read as one."""
    if type(value) is str:
        try:
            return parse(value)
        except ValueError:
            raise EvalError(f"{value!r} is not a valid {kind}", span) from None
    return value


def truth(value, span, role: str = "condition"):
    if value is True or value is False or value is None or type(value) is Missing:
        return value
    raise EvalError(f"a {role} must be true or false, got a {type_name(value)}", span)


def not_(value, span):
    value = truth(value, span, "operand of `not`")
    if value is True:
        return False
    if value is False:
        return True
    return value


def _connect(left, right_thunk, span, decisive: bool, word: str):
    """`and` (decisive false) and `or` (decisive true) in Kleene logic: a decisive side wins
    without looking at the other; else missing, then null, else the other truth value."""
    role = f"operand of `{word}`"
    left = truth(left, span, role)
    if left is decisive:
        return decisive
    right = truth(right_thunk(), span, role)
    if right is decisive:
        return decisive
    for side in (left, right):
        if type(side) is Missing:
            return side
    return None if left is None or right is None else not decisive


def and_(left, right_thunk, span):
    return _connect(left, right_thunk, span, False, "and")


def or_(left, right_thunk, span):
    return _connect(left, right_thunk, span, True, "or")


def if_(condition, then_thunk, else_thunk, span):
    condition = truth(condition, span)
    if type(condition) is Missing:
        return condition
    return then_thunk() if condition is True else else_thunk()


def _unknown(a, b):
    """The result when an operand is absent or null, else None to say 'decide normally'."""
    if type(a) is Missing:
        return a
    if type(b) is Missing:
        return b
    return _NULL if a is None or b is None else None


_NULL = object()


def equal(a, b, span):
    if type(a) is Missing:
        return a
    if type(b) is Missing:
        return b
    return values_equal(a, b)


def values_equal(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if type(a) is bool or type(b) is bool:
        return a is b
    if _is_number(a) and _is_number(b):
        return a == b
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        x, y = _comparable_dates(a, b)
        return x == y
    if type(a) is list and type(b) is list:
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def not_equal(a, b, span):
    result = equal(a, b, span)
    return result if type(result) is Missing else not result


def _comparable_dates(a, b):
    """A date against a date-time compares calendar days: the date says nothing finer."""
    a_time, b_time = type(a) is dt.datetime, type(b) is dt.datetime
    if a_time and not b_time:
        return a.date(), b
    if b_time and not a_time:
        return a, b.date()
    return a, b


def _orderable(a, b, op: str, span):
    if _is_number(a) and _is_number(b):
        return a, b
    if type(a) is str and type(b) is str:
        return a, b
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        return _comparable_dates(a, b)
    if type(a) is dt.timedelta and type(b) is dt.timedelta:
        return a, b
    if type(a) is CalendarPeriod and type(b) is CalendarPeriod and not a.rest and not b.rest:
        return a.months, b.months
    if isinstance(a, (dt.timedelta, CalendarPeriod)) and isinstance(b, (dt.timedelta, CalendarPeriod)):
        raise EvalError("cannot order a duration in months against one in days, hours or minutes", span)
    raise EvalError(f"cannot compare a {type_name(a)} with a {type_name(b)} using `{op}`", span)


def order(op: str, a, b, span):
    unknown = _unknown(a, b)
    if unknown is not None:
        return None if unknown is _NULL else unknown
    x, y = _orderable(a, b, op, span)
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


def contains(collection, value, span):
    """`value in collection`: list membership, text inside text, or a field name of an object."""
    if type(collection) is Missing:
        return collection
    if type(value) is Missing:
        return value
    if collection is None:
        return None
    if type(collection) is list:
        if type(value) is str:  # only an equal text equals a text: Python's own `in` at C speed
            return value in collection
        return any(values_equal(value, item) for item in collection)
    if type(collection) is str and type(value) is str:
        return value in collection
    if type(collection) is dict and type(value) is str:
        return value in collection
    raise EvalError(f"cannot look for a {type_name(value)} in a {type_name(collection)}", span)


def not_contains(collection, value, span):
    result = contains(collection, value, span)
    return result if result is None or type(result) is Missing else not result


def negate(value, span):
    if value is None or type(value) is Missing:
        return value
    if _is_number(value) or type(value) is dt.timedelta:
        return -value
    if type(value) is CalendarPeriod:
        return CalendarPeriod(-value.months, -value.rest)
    raise EvalError(f"cannot negate a {type_name(value)}", span)


def arith(op: str, a, b, span):
    unknown = _unknown(a, b)
    if unknown is not None:
        return None if unknown is _NULL else unknown
    if _is_number(a) and _is_number(b):
        return _number_arith(op, a, b, span)
    if op == "+" and type(a) is str and type(b) is str:
        return a + b
    if op == "+" and _is_duration(a) and isinstance(b, dt.date):
        a, b = b, a
    if op in "+-" and isinstance(a, dt.date) and _is_duration(b):
        return _shift_date(a, b if op == "+" else negate(b, span), span)
    if op == "-" and isinstance(a, dt.date) and isinstance(b, dt.date):
        if (type(a) is dt.datetime) != (type(b) is dt.datetime):
            raise EvalError("cannot subtract a date and a date-time; use days_between", span)
        return a - b
    if op in "+-" and _is_duration(a) and _is_duration(b):
        return _add_durations(a, b if op == "+" else negate(b, span))
    if op == "*" and _is_number(a) and _is_duration(b):
        a, b = b, a
    if op in "*/" and _is_duration(a) and _is_number(b):
        return _scale_duration(a, b if op == "*" else None if b == 0 else 1 / b, span)
    raise EvalError(f"cannot apply `{op}` to a {type_name(a)} and a {type_name(b)}", span)


def _is_duration(v) -> bool:
    return type(v) is dt.timedelta or type(v) is CalendarPeriod


def _number_arith(op, a, b, span):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        raise EvalError("division by zero", span)
    return a / b if op == "/" else a % b


def _shift_date(day, delta, span):
    months, rest = (delta.months, delta.rest) if type(delta) is CalendarPeriod else (0, delta)
    if type(day) is not dt.datetime and rest % dt.timedelta(days=1):
        raise EvalError("a date has no time of day: add whole days to it, or use a date-time", span)
    if months:
        day = add_months(day, months)
    return day + rest


def _add_durations(a, b):
    if type(a) is dt.timedelta and type(b) is dt.timedelta:
        return a + b
    a = a if type(a) is CalendarPeriod else CalendarPeriod(0, a)
    b = b if type(b) is CalendarPeriod else CalendarPeriod(0, b)
    total = CalendarPeriod(a.months + b.months, a.rest + b.rest)
    return total if total.months else total.rest


def _scale_duration(value, factor, span):
    if factor is None:
        raise EvalError("division by zero", span)
    if type(value) is dt.timedelta:
        return value * factor
    months = value.months * factor
    if months != int(months):
        raise EvalError("a duration in months can only be scaled to whole months", span)
    return CalendarPeriod(int(months), value.rest * factor)


_NO_CONTEXT = object()


def call(function: Callable, span, args: tuple, propagate_unknown: bool, context=_NO_CONTEXT):
    """Run a built-in function: an absent or null argument makes the result absent or null
    without running it (except for exists and default); any other problem is located at
    the call."""
    if propagate_unknown:
        for arg in args:
            if type(arg) is Missing:
                return arg
        for arg in args:
            if arg is None:
                return None
    try:
        return function(*args) if context is _NO_CONTEXT else function(context, *args)
    except EvalError as exc:
        if exc.span is None:
            exc.span = span
        raise
