"""Orderings every reporter shares: most severe first, and rules grouped under their clause."""

from __future__ import annotations

from typing import Iterable, TypeVar

from engine.findings import FAILING, SEVERITIES, ClauseRef, Finding, RuleResult, clause_key

T = TypeVar("T")
# Among findings of one severity, an error says least about the evidence and most about the
# rule, but it still hides an unchecked requirement: rank it first, then fail, then missing.
OUTCOME_RANK = {"error": 0, "fail": 1, "missing": 2, "waived": 3, "not_applicable": 4, "pass": 5}


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def most_severe_first(findings: Iterable[Finding]) -> list[Finding]:
    """Failing findings, most severe first; ties keep report order, so the result is stable."""
    indexed = [(i, f) for i, f in enumerate(findings) if f.outcome in FAILING]
    indexed.sort(key=lambda e: (severity_rank(e[1].severity), OUTCOME_RANK.get(e[1].outcome, 9), e[0]))
    return [f for _, f in indexed]


NO_CLAUSE = ClauseRef("-", "(no clause)")


def primary_clause(rule: RuleResult) -> ClauseRef:
    """The first clause a rule cites: where reports file it, so no rule is counted twice."""
    return rule.clauses[0] if rule.clauses else NO_CLAUSE


def rules_by_clause(rules: Iterable[RuleResult]) -> list[tuple[ClauseRef, list[RuleResult]]]:
    """Rules under their primary clause: clauses in numeric order, rules by id within each."""
    groups: dict[str, tuple[ClauseRef, list[RuleResult]]] = {}
    for rule in rules:
        clause = primary_clause(rule)
        groups.setdefault(clause.number, (clause, []))[1].append(rule)
    ordered = sorted(groups.values(), key=lambda g: clause_key(g[0].number))
    return [(clause, sorted(members, key=lambda r: r.rule_id)) for clause, members in ordered]


def findings_by_rule(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for finding in findings:
        out.setdefault(finding.rule_id, []).append(finding)
    return out
