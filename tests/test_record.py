"""The plain record classes that replace dataclasses on the start-up path."""

from __future__ import annotations

import copy
import datetime as dt
import pickle

import pytest

from engine.diagnostics import Diagnostic, Span
from engine.findings import Finding
from engine.lang import types as T
from engine.lang.values import CalendarPeriod
from engine.library import RuleSource


def test_value_records_are_equal_by_fields_and_class() -> None:
    a = Finding("R-1", "t", [], "minor", "fail", "m", pointer="/x/0")
    assert a == Finding("R-1", "t", [], "minor", "fail", "m", pointer="/x/0")
    assert a != Finding("R-1", "t", [], "minor", "fail", "m", pointer="/x/1")
    assert a.decided_by == [] and a.decided_by is not Finding("R-1", "t", [], "minor", "fail", "m").decided_by
    with pytest.raises(TypeError):
        hash(a)  # it can change, so it has no hash
    assert repr(CalendarPeriod(2)) == "CalendarPeriod(months=2, rest=datetime.timedelta(0))"


def test_a_diagnostic_ignores_its_source_line_in_equality_and_cannot_change() -> None:
    span = Span("f.rules", 1, 2)
    one = Diagnostic("CG100", "bad", span, source_line="line one")
    other = Diagnostic("CG100", "bad", span, source_line="another line")
    assert one == other and hash(one) == hash(other)
    assert one != Diagnostic("CG100", "bad", span, severity="warning")
    with pytest.raises(AttributeError, match="cannot be changed"):
        one.message = "changed"  # type: ignore[misc]


def test_frozen_records_copy_as_themselves_and_pickle() -> None:
    period = CalendarPeriod(3, dt.timedelta(days=1))
    assert copy.deepcopy(period) is period and copy.copy(period) is period
    for value in (period, Diagnostic("CG1", "m", Span("a", 1, 1), "hint", "text"), T.ListType(T.STRING),
                  RuleSource("a.rules", "rule text")):
        again = pickle.loads(pickle.dumps(value))
        assert again == value and type(again) is type(value)
    assert pickle.loads(pickle.dumps(Diagnostic("CG1", "m", source_line="text"))).source_line == "text"


def test_types_compare_as_before() -> None:
    assert T.ListType(T.STRING) == T.ListType(T.STRING) != T.ListType(T.NUMBER)
    assert T.Type("text") == T.STRING and hash(T.Type("text")) == hash(T.STRING)
    assert T.ListType(T.ANY) != T.ANY
    shape = T.ObjectType(lambda: ({"a": T.STRING}, True))
    assert shape != T.ObjectType(lambda: ({"a": T.STRING}, True)) and shape == shape
    assert shape.fields() == ({"a": T.STRING}, True)
    assert RuleSource("a", "x").sha256 == RuleSource("a", "x").sha256 != RuleSource("a", "y").sha256
