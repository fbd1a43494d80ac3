"""The function table: name → signature, static result type and implementation.

Implementations assume present, non-null arguments: `runtime.call` answers for absent and
null ones before calling them (but for `exists` and `default`). They raise on anything
unexpected, so a compiled fast path that meets one falls back to the careful path.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Callable, NamedTuple

from engine.lang import types as T
from engine.lang import runtime
from engine.lang.runtime import values_equal
from engine.lang.values import CalendarPeriod, EvalError, Missing, parse_date, parse_datetime, parse_iso_duration, to_json, type_name


# Stands in the location of evidence read inside `x -> …` for the position of the item,
# which only the function walking the list knows; it fills it in (innermost first).
ITEM_MARK = "{*}"


def _at(missing: Missing, position: int) -> Missing:
    head, mark, tail = missing.where.rpartition(ITEM_MARK)
    return Missing(f"{head}{position}{tail}") if mark else missing


class Builtin(NamedTuple):
    """A built-in function of the rule language: its signature, its type and its implementation."""

    name: str
    params: tuple[str, ...]  # names for docs and arity; a trailing "?" marks optional, "fn" a lambda
    result: Callable[[list[T.Type]], T.Type]
    impl: Callable
    summary: str
    propagate_unknown: bool = True  # an absent or null argument gives the same result; impl not run
    needs_context: bool = False  # impl takes the evaluation context first

    @property
    def min_args(self) -> int:
        return sum(1 for p in self.params if not p.endswith("?"))

    @property
    def max_args(self) -> int:
        return len(self.params)

    def lambda_position(self) -> int | None:
        for i, p in enumerate(self.params):
            if p.rstrip("?") == "fn":
                return i
        return None


def _list(xs, name: str) -> list:
    if type(xs) is not list:
        raise EvalError(f"{name}() needs a list, got a {type_name(xs)}")
    return xs


def _text(s, name: str) -> str:
    if type(s) is not str:
        raise EvalError(f"{name}() needs text, got a {type_name(s)}")
    return s


def _decide(result, name: str):
    if result is True or result is False or result is None or type(result) is Missing:
        return result
    raise EvalError(f"the condition given to {name}() must be true or false, got a {type_name(result)}")


def count(xs, fn=None):
    xs = _list(xs, "count")
    if fn is None:
        return len(xs)
    n = 0
    for i, x in enumerate(xs):
        r = _decide(fn(x), "count")
        if r is True:
            n += 1
        elif type(r) is Missing:
            return _at(r, i)
    return n


def filter_(xs, fn):
    out = []
    for i, x in enumerate(_list(xs, "filter")):
        r = _decide(fn(x), "filter")
        if r is True:
            out.append(x)
        elif type(r) is Missing:
            return _at(r, i)
    return out


def _quantify(xs, fn, name: str, decisive: bool):
    """all (decisive false) and any (decisive true) in Kleene logic: a decisive item wins;
    otherwise the first missing item, then any null, makes the answer; else not decisive."""
    missing, found_null = None, False
    for i, x in enumerate(_list(xs, name)):
        r = _decide(fn(x), name)
        if r is decisive:
            return decisive
        if type(r) is Missing and missing is None:
            missing = _at(r, i)
        found_null = found_null or r is None
    return missing if missing is not None else None if found_null else not decisive


def all_(xs, fn):
    return _quantify(xs, fn, "all", False)


def any_(xs, fn):
    return _quantify(xs, fn, "any", True)


def none_(xs, fn):
    r = any_(xs, fn)
    return r if r is None or type(r) is Missing else not r


def map_(xs, fn):
    out = []
    for i, x in enumerate(_list(xs, "map")):
        v = fn(x)
        if type(v) is Missing:
            return _at(v, i)
        out.append(v)
    return out


def _values(xs, fn, name):
    values = _list(xs, name) if fn is None else map_(xs, fn)
    if type(values) is Missing:
        return values
    return [v for v in values if v is not None]


def sum_(xs, fn=None):
    values = _values(xs, fn, "sum")
    if type(values) is Missing or not values:
        return values if values else 0
    total = values[0]
    for v in values[1:]:
        total = runtime.arith("+", total, v, None)
    if type(total) in (bool, str, list, dict) or isinstance(total, dt.date):
        raise EvalError(f"sum() needs numbers or durations, got a {type_name(total)}")
    return total


def _extreme(xs, fn, name, wanted):
    values = _values(xs, fn, name)
    if type(values) is Missing or not values:
        return values if values else None
    best = values[0]
    for v in values[1:]:
        if runtime.order(wanted, v, best, None) is True:
            best = v
    return best


def min_(xs, fn=None):
    return _extreme(xs, fn, "min", "<")


def max_(xs, fn=None):
    return _extreme(xs, fn, "max", ">")


def distinct(xs):
    seen, out = set(), []
    for x in _list(xs, "distinct"):
        key = _identity(x)
        if key not in seen:
            seen.add(key)
            out.append(x)
    return out


def _identity(value):
    """A key equal for values `==` finds equal (1 and 1.0), different across kinds (true and 1)."""
    if type(value) in (int, float):
        return ("number", value)
    if type(value) in (list, dict):
        return ("json", json.dumps(to_json(value), sort_keys=True, default=str))
    return (type(value).__name__, value)


def flatten(xs):
    out = []
    for x in _list(xs, "flatten"):
        if x is None:
            continue
        out.extend(_list(x, "flatten"))
    return out


def first(xs, fn=None):
    for i, x in enumerate(_list(xs, "first")):
        if fn is None:
            return x
        r = _decide(fn(x), "first")
        if r is True:
            return x
        if type(r) is Missing:
            return _at(r, i)
    return None


def length(x):
    if type(x) in (list, str, dict):
        return len(x)
    raise EvalError(f"length() needs a list or text, got a {type_name(x)}")


def exists(x):
    return x is not None and type(x) is not Missing


def default(x, fallback):
    return fallback if x is None or type(x) is Missing else x


def lookup(context, xs, key):
    """The item of `xs` whose `id` is `key`, or null."""
    if type(key) in (list, dict):
        raise EvalError(f"lookup() needs an id, got a {type_name(key)}")
    return index_by_id(context, xs).get(key)


def index_by_id(context, xs) -> dict:
    """One hash index by `id` per list and evaluation, so look-ups over a million items stay fast."""
    xs = _list(xs, "lookup")
    cache = context.indexes
    entry = cache.get(id(xs))
    if entry is None or entry[0] is not xs:
        table: dict = {}
        for item in xs:
            if type(item) is dict and item.get("id") is not None and type(item["id"]) not in (list, dict):
                table.setdefault(item["id"], item)
        entry = cache[id(xs)] = (xs, table)
    return entry[1]


def ids_of(context, xs) -> frozenset:
    """The ids of a list's items, for testing whether a look-up would find one."""
    key = ("ids", id(xs))
    entry = context.indexes.get(key)
    if entry is None or entry[0] is not xs:
        entry = context.indexes[key] = (xs, frozenset(index_by_id(context, xs)))
    return entry[1]


def groups_by(context, xs, field: str) -> dict:
    """The items of a list by their value of `field`, each group in list order: one per
    list, field and evaluation. For the fast path only, so it raises (sending the rule to
    the careful path) unless every item is a mapping that has the field, with a value that
    can be a key: exactly where the path's own `x.f == e` could be read for every item."""
    key = ("groups", id(xs), field)
    entry = context.indexes.get(key)
    if entry is None or entry[0] is not xs:
        groups: dict = {}
        for item in xs:
            if type(item) is not dict:
                raise TypeError("not a mapping")
            groups.setdefault(item[field], []).append(item)
        entry = context.indexes[key] = (xs, groups)
    return entry[1]


def lower(s):
    return _text(s, "lower").lower()


def upper(s):
    return _text(s, "upper").upper()


def trim(s):
    return _text(s, "trim").strip()


def starts_with(s, prefix):
    return _text(s, "starts_with").startswith(_text(prefix, "starts_with"))


def ends_with(s, suffix):
    return _text(s, "ends_with").endswith(_text(suffix, "ends_with"))


def contains(haystack, needle):
    if type(haystack) is str:
        return _text(needle, "contains") in haystack
    if type(haystack) is list:
        if needle is None:
            raise EvalError("contains() was given null to look for")
        return any(values_equal(needle, item) for item in haystack)
    raise EvalError(f"contains() needs text or a list, got a {type_name(haystack)}")


def matches(s, pattern):
    """`pattern` is compiled by the compiler with RE2, so matching runs in linear time."""
    return pattern.search(_text(s, "matches")) is not None


def _as_date(value):
    if type(value) is dt.date:
        return value
    if type(value) is dt.datetime:
        return value.date()
    raise EvalError(f"days_between() needs dates, got a {type_name(value)}")


def days_between(a, b):
    if type(b) is Missing:
        return b
    if b is None:
        return None
    if type(a) is dt.datetime and type(b) is dt.datetime:
        return (b - a).total_seconds() / 86400
    return (_as_date(b) - _as_date(a)).days


def age(context, d):
    if not isinstance(d, dt.date):
        raise EvalError(f"age() needs a date, got a {type_name(d)}")
    return context.today - (d.date() if type(d) is dt.datetime else d)


def _parser(parse, kind, already):
    def convert(value):
        if type(value) in already:
            return value  # a field the schema types already reads as one
        if type(value) is str:
            try:
                result = parse(value)
            except ValueError:
                result = None
            if result is None:
                raise EvalError(f"{value!r} is not a valid {kind}")
            return result
        raise EvalError(f"{kind}() needs text, got a {type_name(value)}")

    return convert


def round_(x, digits=0):
    if type(x) not in (int, float) or type(digits) is not int:
        raise EvalError("round() needs a number and a whole number of digits")
    return round(x, digits)


def abs_(x):
    if type(x) not in (int, float):
        raise EvalError(f"abs() needs a number, got a {type_name(x)}")
    return abs(x)


def _item(args):
    return T.item_of(args[0])


def _const(t):
    return lambda args: t


def _mapped(args):
    return T.ListType(args[1]) if len(args) > 1 else T.ANY


def _mapped_or_item(args):
    return args[1] if len(args) > 1 else T.item_of(args[0])


def _list_of_item(args):
    return T.ListType(T.item_of(args[0]))


def _sum_type(args):
    t = _mapped_or_item(args)
    return T.DURATION if t == T.DURATION else T.NUMBER


_TABLE = [
    Builtin("count", ("list", "fn?"), _const(T.NUMBER), count, "how many items (that satisfy fn)"),
    Builtin("filter", ("list", "fn"), _list_of_item, filter_, "the items that satisfy fn"),
    Builtin("all", ("list", "fn"), _const(T.BOOL), all_, "every item satisfies fn (true for an empty list)"),
    Builtin("any", ("list", "fn"), _const(T.BOOL), any_, "at least one item satisfies fn"),
    Builtin("none", ("list", "fn"), _const(T.BOOL), none_, "no item satisfies fn"),
    Builtin("map", ("list", "fn"), _mapped, map_, "the value of fn for each item"),
    Builtin("sum", ("list", "fn?"), _sum_type, sum_, "the total of the values (nulls skipped)"),
    Builtin("min", ("list", "fn?"), _mapped_or_item, min_, "the smallest value, null for none"),
    Builtin("max", ("list", "fn?"), _mapped_or_item, max_, "the largest value, null for none"),
    Builtin("distinct", ("list",), _list_of_item, distinct, "the items without repeats, first kept"),
    Builtin("flatten", ("list",), lambda args: T.ListType(T.item_of(T.item_of(args[0]))), flatten,
            "the items of a list of lists, in order (null lists skipped)"),
    Builtin("first", ("list", "fn?"), _item, first, "the first item (that satisfies fn), or null"),
    Builtin("length", ("value",), _const(T.NUMBER), length, "how many items or characters"),
    Builtin("exists", ("value",), _const(T.BOOL), exists, "the value is present and not null",
            propagate_unknown=False),
    Builtin("default", ("value", "fallback"), lambda a: T.unify(a[0], a[1]), default,
            "the value, or fallback when it is absent or null", propagate_unknown=False),
    Builtin("lookup", ("list", "id"), _item, lookup, "the item whose id is the given id, or null",
            needs_context=True),
    Builtin("lower", ("text",), _const(T.STRING), lower, "the text in lower case"),
    Builtin("upper", ("text",), _const(T.STRING), upper, "the text in upper case"),
    Builtin("trim", ("text",), _const(T.STRING), trim, "the text without surrounding spaces"),
    Builtin("starts_with", ("text", "prefix"), _const(T.BOOL), starts_with, "the text begins with prefix"),
    Builtin("ends_with", ("text", "suffix"), _const(T.BOOL), ends_with, "the text ends with suffix"),
    Builtin("contains", ("text_or_list", "part"), _const(T.BOOL), contains,
            "the text contains part, or the list has the item"),
    Builtin("matches", ("text", "pattern"), _const(T.BOOL), matches,
            "the text contains a match of the RE2 regular expression (a literal)"),
    Builtin("days_between", ("from", "to"), _const(T.NUMBER), days_between,
            "days from the first date to the second (negative if earlier)"),
    Builtin("age", ("date",), _const(T.DURATION), age, "the time from the date to the evaluation date",
            needs_context=True),
    Builtin("date", ("text",), _const(T.DATE), _parser(parse_date, "date", (dt.date,)), "text read as a date"),
    Builtin("datetime", ("text",), _const(T.DATETIME), _parser(parse_datetime, "date-time", (dt.datetime,)),
            "text read as a date-time"),
    Builtin("duration", ("text",), _const(T.DURATION), _parser(parse_iso_duration, "duration", (dt.timedelta, CalendarPeriod)),
            "ISO 8601 text such as P12M read as a duration"),
    Builtin("round", ("number", "digits?"), _const(T.NUMBER), round_, "the number rounded"),
    Builtin("abs", ("number",), _const(T.NUMBER), abs_, "the number without its sign"),
]

BUILTINS: dict[str, Builtin] = {b.name: b for b in _TABLE}
