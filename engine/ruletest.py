"""Rule tests: cases of evidence with the outcome each rule must give, kept beside the rules.

A test file `NAME.tests.yaml` sits beside `NAME.rules` and holds:

    cases:
      - rule: CTX-4.1-02                # the rule under test
        name: a stale issue fails       # what the case shows
        as_of: "2025-06-30"             # optional evaluation date (default: meta.as_of, else 2025-06-30)
        evidence: {...}                 # a partial bundle: only the sections the rule reads
        expect: fail                    # the rule's overall outcome
        findings:                       # optional: its non-pass findings, in order, each
          - {pointer: /context_issues/1, outcome: fail}    # compared as a subset

Evidence is validated against the bundle schema as a partial bundle (required sections may
be absent, references into absent sections are not followed), so a test cannot pass on
evidence that no real bundle could hold.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.diagnostics import Diagnostic, DiagnosticError, Span
from engine.evaluate import evaluate
from engine.evidence.bundle import Bundle
from engine.evidence.loader import Document, load_document
from engine.evidence.schemas import SchemaSet
from engine.evidence.validate import validate_bundle
from engine.findings import OUTCOMES
from engine.library import RuleSet

TEST_SUFFIX = ".tests.yaml"
DEFAULT_AS_OF = dt.date(2025, 6, 30)
_CASE_KEYS = {"rule", "name", "as_of", "evidence", "expect", "findings"}


@dataclass
class CaseResult:
    file: str
    rule: str
    name: str
    expected: dict[str, Any]
    actual: dict[str, Any]
    span: Span | None

    @property
    def passed(self) -> bool:
        return matches(self.expected, self.actual)

    def diff(self) -> str:
        shown_actual = _project(self.expected, self.actual)
        before = json.dumps(self.expected, indent=2, sort_keys=True).splitlines()
        after = json.dumps(shown_actual, indent=2, sort_keys=True).splitlines()
        return "\n".join(difflib.unified_diff(before, after, "expected", "actual", lineterm=""))


def tests_beside(rule_paths: list[Path]) -> list[Path]:
    """The test files of the given rule files and folders (a test file itself is kept as is)."""
    found: list[Path] = []
    for path in rule_paths:
        if path.is_dir():
            found.extend(sorted(path.rglob(f"*{TEST_SUFFIX}")))
        elif path.name.endswith(TEST_SUFFIX):
            found.append(path)
        else:
            sibling = path.with_name(path.name.removesuffix(".rules") + TEST_SUFFIX)
            if sibling.is_file():
                found.append(sibling)
    return found


def run_tests(files: list[tuple[Path, str]], rules: RuleSet, schemas: SchemaSet) -> list[CaseResult]:
    """Run every case of every (path, display name) test file; raise on a malformed file."""
    by_id = {c.header.id: c for c in rules.compiled}
    results: list[CaseResult] = []
    problems: list[Diagnostic] = []
    for path, display in files:
        document = load_document(path, display)
        for number, case in enumerate(_cases(document, problems)):
            where = f"/cases/{number}"
            if not _case_is_well_formed(case, document, where, by_id, problems):
                continue
            bundle = _case_bundle(document, case, number)
            invalid = validate_bundle(bundle, schemas, partial=True)
            if invalid:
                problems.extend(invalid)
                continue
            results.append(_run_case(case, by_id[case["rule"]], bundle, rules, _span(document, where)))
    if problems:
        raise DiagnosticError(problems)
    return results


def _cases(document: Document, problems: list[Diagnostic]) -> list:
    cases = document.data.get("cases")
    if not isinstance(cases, list):
        problems.append(_problem(document, "", "a test file holds a list under `cases`"))
        return []
    return cases


def _case_is_well_formed(case: Any, document: Document, where: str, by_id: dict,
                         problems: list[Diagnostic]) -> bool:
    before = len(problems)
    if not isinstance(case, dict):
        problems.append(_problem(document, where, "a case is a mapping"))
        return False
    for key in sorted(set(case) - _CASE_KEYS):
        problems.append(_problem(document, f"{where}/{key}", f"unknown key `{key}` in a case",
                                 "a case has rule, name, as_of, evidence, expect and findings"))
    for key in ("rule", "name", "expect"):
        if not isinstance(case.get(key), str):
            problems.append(_problem(document, where, f"a case needs `{key}` (text)"))
    if isinstance(case.get("rule"), str) and case["rule"] not in by_id:
        problems.append(_problem(document, f"{where}/rule", f"no rule `{case['rule']}` is loaded"))
    if isinstance(case.get("expect"), str) and case["expect"] not in OUTCOMES:
        problems.append(_problem(document, f"{where}/expect", f"`{case['expect']}` is not an outcome",
                                 "use pass, fail, missing, not_applicable or error"))
    if not isinstance(case.get("evidence", {}), dict):
        problems.append(_problem(document, f"{where}/evidence", "`evidence` is a mapping of sections"))
    if not isinstance(case.get("findings", []), list):
        problems.append(_problem(document, f"{where}/findings", "`findings` is a list"))
    if "as_of" in case:
        try:
            dt.date.fromisoformat(str(case["as_of"]))
        except ValueError:
            problems.append(_problem(document, f"{where}/as_of", "`as_of` is a date, YYYY-MM-DD"))
    return len(problems) == before


def _case_bundle(document: Document, case: dict, number: int) -> Bundle:
    """The case's evidence as a bundle whose positions point into the test file."""
    prefix = ["cases", str(number), "evidence"]
    view = Document(case.get("evidence", {}), document.display, document.sha256, _Within(document.locator, prefix),
                    document.lines)
    return Bundle(data=view.data, documents=[], root=Path(document.display), whole=view)


@dataclass(frozen=True)
class _Within:
    """A locator for a part of a document: positions of `pointer` are those of prefix + pointer."""

    outer: Any
    prefix: list[str]

    def position(self, tokens):
        return self.outer.position([*self.prefix, *tokens])


def _run_case(case: dict, compiled, bundle: Bundle, rules: RuleSet, span: Span | None) -> CaseResult:
    as_of = case.get("as_of")
    meta = bundle.data.get("meta")
    if as_of is None and isinstance(meta, dict) and isinstance(meta.get("as_of"), str):
        as_of = meta["as_of"]
    today = dt.date.fromisoformat(str(as_of)) if as_of is not None else DEFAULT_AS_OF
    result = evaluate([compiled], bundle.data, today, rules.catalogue, bundle.locate)
    expected: dict[str, Any] = {"outcome": case["expect"]}
    actual: dict[str, Any] = {"outcome": result.rules[0].outcome}
    if "findings" in case:
        expected["findings"] = case["findings"]
        actual["findings"] = [f.to_json() for f in result.findings]
    return CaseResult(bundle.root.as_posix(), case["rule"], case["name"], expected, actual, span)


def matches(expected: Any, actual: Any) -> bool:
    """`expected` is found in `actual`: dicts as subsets, lists item by item, values equal."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(
            matches(e, a) for e, a in zip(expected, actual))
    return expected == actual


def _project(expected: Any, actual: Any) -> Any:
    """The actual value cut down to the keys the expectation names, so a diff shows only those."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {k: _project(expected[k], actual[k]) if k in expected else actual[k]
                for k in actual if k in expected}
    if isinstance(expected, list) and isinstance(actual, list):
        return [_project(expected[i], a) if i < len(expected) else a for i, a in enumerate(actual)]
    return actual


def _span(document: Document, pointer: str) -> Span | None:
    position = document.locate(pointer)
    return Span(document.display, *position) if position else None


def _problem(document: Document, pointer: str, message: str, hint: str | None = None) -> Diagnostic:
    span = _span(document, pointer) or Span(document.display, 1, 1)
    return Diagnostic("CG621", message, span, hint, document.source_line(span.line))
