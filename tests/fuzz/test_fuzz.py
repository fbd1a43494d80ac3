"""Property-based fuzzing (short runs for CI; tests/fuzz/campaign.py runs long ones).

The only exceptions that may escape the parser, checker, loader and evaluator are the
project's own DiagnosticError, which the command line turns into exit code 2.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from engine.catalogue import load_catalogue
from engine.diagnostics import DiagnosticError
from engine.evaluate import evaluate
from engine.evidence.loader import load_document
from engine.lang.parser import parse_rules
from engine.library import RuleSource, build_rule_set

from . import strategies as S

FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def _conformance_sections():
    import sys

    sys.path.insert(0, str(S.ROOT / "tests" / "conformance"))
    from test_conformance import _sections

    return _sections()


SECTIONS = _conformance_sections()


def compile_only(source: str) -> None:
    try:
        build_rule_set([RuleSource("fuzz.rules", source)], SECTIONS)
    except DiagnosticError:
        pass


def parse_and_check(source: str) -> None:
    try:
        parse_rules(source, "fuzz.rules")
    except DiagnosticError:
        return
    compile_only(source)


@FAST
@given(S.rule_sources)
def test_parser_and_checker_only_raise_diagnostics(source: str) -> None:
    parse_and_check(source)


def load_bytes(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            load_document(path)
        except DiagnosticError:
            pass


def load_as_yaml_and_json(data: bytes) -> None:
    for suffix in (".yaml", ".json"):
        load_bytes(data, suffix)


@FAST
@given(S.evidence_bytes)
def test_loader_only_raises_diagnostics(data: bytes) -> None:
    load_as_yaml_and_json(data)


@FAST
@given(S.documents)
def test_yaml_and_json_loaders_agree(document: dict) -> None:
    yaml_and_json_agree(document)


def yaml_and_json_agree(document: dict) -> None:
    text = S.as_json(document)  # JSON is YAML: the same text must load to the same data
    with tempfile.TemporaryDirectory() as folder:
        loaded = []
        for suffix in (".json", ".yaml"):
            path = Path(folder) / f"doc{suffix}"
            path.write_text(text, encoding="utf-8")
            try:
                loaded.append(load_document(path).data)
            except DiagnosticError as exc:
                loaded.append(("refused", exc.diagnostics[0].code))
        assert json.dumps(loaded[0], sort_keys=True) == json.dumps(loaded[1], sort_keys=True)


def evaluate_both_ways(expression: str, sections: dict) -> None:
    source = (f'rule F-1 "fuzz"\n  clause 4.1\n  severity minor\n  expect {expression}\n'
              f'rule F-2 "fuzz items"\n  clause 4.1\n  severity minor\n  for each x in open.items\n'
              f'  expect {expression.replace("open.a", "x")}\n')
    results = []
    for fast in (True, False):
        try:
            rule_set = build_rule_set([RuleSource("fuzz.rules", source)], SECTIONS, fast=fast)
        except DiagnosticError:
            return
        evaluation = evaluate(rule_set.compiled, {"open": sections}, dt.date(2025, 6, 30), load_catalogue())
        results.append(json.dumps([f.to_json() for f in evaluation.findings], sort_keys=True, default=str))
        assert not any("internal error" in f.message for f in evaluation.findings), results[-1]
    assert results[0] == results[1], "the fast path disagrees with the exact one"


@FAST
@given(S.expressions, S.open_sections)
def test_evaluator_never_raises_and_both_paths_agree(expression: str, sections: dict) -> None:
    evaluate_both_ways(expression, sections)
