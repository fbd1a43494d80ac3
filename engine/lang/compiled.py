"""What compiled rules are made of at run time: their results, their header, the names
their generated code sees. The compiler (compiler.py) writes code against these; the
prebuilt library (engine/prebuilt) loads with these alone, without the compiler.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from engine.diagnostics import Span, snippet
from engine.lang import runtime
from engine.lang.builtins import groups_by, ids_of, index_by_id
from engine.lang.values import EvalError, Missing, parse_date, parse_datetime, parse_iso_duration, to_json
from engine.record import ValueRecord

if TYPE_CHECKING:
    from engine.lang import ast


class ItemResult(ValueRecord):
    """The careful path's verdict on one item (or on the rule, when it has no `for each`).
    `status`: pass, fail, missing, not_applicable or error."""

    __slots__ = _fields = ("status", "index", "item", "expect", "message", "missing", "trace", "error")

    def __init__(self, status: str, index: int | None, item: Any = None, expect: int | None = None,
                 message: str | None = None, missing: Missing | None = None, trace: dict[int, Any] | None = None,
                 error: EvalError | None = None):
        self.status = status
        self.index = index
        self.item = item
        self.expect = expect
        self.message = message
        self.missing = missing
        self.trace = {} if trace is None else trace
        self.error = error


class RuleRun(NamedTuple):
    """What running a rule gives: how many items passed, and the result of every other one."""

    passed: int
    results: list[ItemResult]
    collection_where: str | None  # JSON Pointer template of the items, e.g. "/incidents"


class RuleHeader(NamedTuple):
    """What a report says about a rule, without its body."""

    id: str
    title: str
    clauses: tuple[str, ...]
    severity: str
    tags: tuple[str, ...]
    span: Span  # of its id, else of the whole rule
    rationale: str | None = None
    remediation: str | None = None

    @classmethod
    def of(cls, rule: ast.Rule) -> "RuleHeader":
        return cls(rule.id, rule.title, tuple(number for number, _ in rule.clauses),
                   rule.severity[0] if rule.severity else "minor", tuple(rule.tags),
                   rule.id_span or rule.span, rule.rationale, rule.remediation)


class CompiledRule:
    """A rule's run function with its header. The syntax tree (needed only to explain a
    finding) comes from `load_syntax` on first use: a prebuilt library builds it lazily."""

    def __init__(self, header: RuleHeader, run: Callable[[dict, Any], RuleRun],
                 load_syntax: Callable[[], tuple[ast.Rule, list[ast.Node]]],
                 source_text: Callable[[ast.Node], str]):
        self.header = header
        self.run = run
        self.source_text = source_text
        self._load_syntax = load_syntax
        self._syntax: tuple[ast.Rule, dict[int, int]] | None = None
        self._plans: dict[int, Callable[[dict[int, Any]], list[dict[str, Any]]]] = {}

    def _syntax_tree(self) -> tuple[ast.Rule, dict[int, int]]:
        if self._syntax is None:
            rule, nodes = self._load_syntax()
            self._syntax = rule, {id(node): key for key, node in enumerate(nodes)}
        return self._syntax

    @property
    def rule(self) -> ast.Rule:
        return self._syntax_tree()[0]

    @property
    def node_index(self) -> dict[int, int]:
        """id(node) → its key in a careful path's trace."""
        return self._syntax_tree()[1]

    def decided_by(self, condition: ast.Expr, trace: dict[int, Any]) -> list[dict[str, Any]]:
        """The values that decided an expectation, from its careful path's trace."""
        plan = self._plans.get(id(condition))
        if plan is None:
            plan = self._plans[id(condition)] = _planner()(condition, self.node_index, self.source_text)
        return plan(trace)


@functools.cache
def _planner():
    # With the syntax tree's classes: loaded for the first finding, not at start-up.
    from engine.lang.explain import plan_decided_by

    return plan_decided_by


class Once:
    """A zero-argument function that makes its value on the first call and keeps it: how a
    rule's run function reaches its careful part (made, or imported, only when needed)."""

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], Any]):
        self._make, self._value = make, None

    def __call__(self) -> Any:
        if self._value is None:
            self._value = self._make()
        return self._value


class SourceText:
    """A node's source text, as findings quote it; `sources` maps file names to their text."""

    def __init__(self, sources: dict[str, str]):
        self.sources = sources
        self.texts: dict[int, str] = {}

    def __call__(self, node: ast.Node) -> str:
        text = self.texts.get(id(node))
        if text is None:
            text = self.texts[id(node)] = snippet(self.sources.get(node.span.file, ""), node.span)
        return text


def _fallback():
    raise _FastPathExit


class _FastPathExit(Exception):
    pass


def _text_of(value) -> str:
    if isinstance(value, Missing):
        return "(missing)"
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_text_of(v) for v in value)
    shown = to_json(value)
    return shown if isinstance(shown, str) else str(shown)


def _traced(trace: dict, key: int, value):
    trace[key] = value
    return value


def _list_of(*items):
    for item in items:
        if type(item) is Missing:
            return item
    return list(items)


@functools.lru_cache(maxsize=4096)  # evidence repeats a few target durations many times
def _parse_duration(text: str):
    value = parse_iso_duration(text)
    if value is None:
        raise ValueError("not a duration")
    return value


# Schema-typed text read as a value, by the name of its kind.
READERS = {"date": parse_date, "date-time": parse_datetime, "duration": _parse_duration}


GENERATED_NAMESPACE = {
    "rt": runtime,
    "Missing": Missing,
    "EvalError": EvalError,
    "ItemResult": ItemResult,
    "RuleRun": RuleRun,
    "_fb": _fallback,
    "_tr": _traced,
    "_list_of": _list_of,
    "_index_of": index_by_id,
    "_ids_of": ids_of,
    "_groups_of": groups_by,
    "_text": _text_of,
    "_pd": dt.date.fromisoformat,
    # Validated evidence carries an offset on every date-time (RFC 3339), so the fast path
    # reads them as they are; the careful path also makes a missing offset UTC.
    "_pdt": dt.datetime.fromisoformat,
    "_pdur": _parse_duration,
    "_missing": object(),  # what a fast any() hands its `or` when the careful path would find it missing
    "__builtins__": {"enumerate": enumerate, "len": len, "any": any, "all": all, "next": next, "str": str, "type": type, "list": list,
                     "range": range, "dict": dict, "True": True, "False": False, "None": None,
                     "Exception": Exception},
}
