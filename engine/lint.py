"""`clausegate lint`: everything the checker reports, plus style findings about rules that
load but will serve auditors badly (unused names, no tests, no rationale...)."""

from __future__ import annotations

from pathlib import Path

from engine.diagnostics import Diagnostic, Span, by_position, source_line_at
from engine.evidence.loader import load_document
from engine.lang import ast
from engine.lang.parser import parse_rules
from engine.library import RuleSet, RuleSource
from engine.ruletest import TEST_SUFFIX


def lint(rules: RuleSet, linted: list[RuleSource]) -> list[Diagnostic]:
    """Style warnings for the rules and helpers defined in `linted` (a subset of the rule set)."""
    files = {s.display for s in linted}
    texts = {s.display: s.text for s in rules.sources}
    warnings: list[Diagnostic] = []

    def warn(code: str, message: str, span: Span, hint: str | None = None) -> None:
        warnings.append(Diagnostic(code, message, span, hint, source_line_at(texts.get(span.file, ""), span.line),
                                   severity="warning"))

    tested = _tested_outcomes(linted)
    used_helpers: set[str] = set()
    for rule in rules.rules:
        used_helpers |= {n.helper for n in ast.rule_nodes(rule, messages=True) if isinstance(n, ast.Bind)}
        if rule.span.file not in files:
            continue
        where = rule.id_span or rule.span
        for let in [*rule.rule_lets, *rule.item_lets]:
            if not _is_used(let, rule):
                warn("CG801", f"`{let.name}` is bound but never used", let.span, "remove the `let`, or use it")
        if not rule.rationale:
            warn("CG802", f"rule {rule.id} has no rationale", where, "say in a sentence why the requirement matters")
        if not rule.remediation:
            warn("CG803", f"rule {rule.id} has no remediation", where, "say what to do about a failure")
        if rule.foreach is not None and rule.message is None and any(e.message is None for e in rule.expects):
            warn("CG805", f"rule {rule.id} checks items but has no message", where,
                 "a `message` naming the item, e.g. {incident.id}, tells a reader which one failed")
        outcomes = tested.get(rule.id)
        if outcomes is None:
            warn("CG804", f"rule {rule.id} has no test cases", where,
                 f"add cases to {Path(rule.span.file).name.removesuffix('.rules')}{TEST_SUFFIX}")
        else:
            for outcome in ("pass", "fail"):
                if outcome not in outcomes:
                    warn("CG807", f"rule {rule.id} has no test case where it should {outcome}", where)
    for source in linted:
        for helper in parse_rules(source.text, source.display).helpers:
            if helper.name not in used_helpers:
                warn("CG806", f"helper `{helper.name}` is never used", helper.span)
    return sorted(warnings, key=by_position)


def _tested_outcomes(linted: list[RuleSource]) -> dict[str, set[str]]:
    outcomes: dict[str, set[str]] = {}
    for source in linted:
        if source.path is None:
            continue
        tests = source.path.with_name(source.path.name.removesuffix(".rules") + TEST_SUFFIX)
        if tests.is_file():
            for case in load_document(tests).data.get("cases", []):
                if isinstance(case, dict):
                    outcomes.setdefault(case.get("rule"), set()).add(case.get("expect"))
    return outcomes


def _is_used(let: ast.Let, rule: ast.Rule) -> bool:
    later = False
    for node in ast.rule_nodes(rule, messages=True):
        if node is let.value:
            later = True
        elif later and isinstance(node, ast.Var) and node.name == let.name:
            return True
    return False
