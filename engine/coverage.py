"""The clause coverage matrix: each clause, its rules, and how far data can decide it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.catalogue import Catalogue
from engine.findings import OUTCOMES, Report, clause_key
from engine.lang import ast

AUTOMATED, JUDGEMENT, NOTHING = "automated", "judgement only", "nothing"


@dataclass
class ClauseCoverage:
    number: str
    title: str
    leaf: bool
    rules: list[str]
    judgement: str | None
    outcomes: dict[str, int] = field(default_factory=dict)  # with a bundle: its rules by outcome

    @property
    def status(self) -> str:
        if self.rules:
            return AUTOMATED
        return JUDGEMENT if self.judgement else NOTHING

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"number": self.number, "title": self.title, "leaf": self.leaf}
        if self.leaf:
            out["status"] = self.status
        out["rules"] = self.rules
        if self.judgement:
            out["judgement"] = self.judgement
        if self.outcomes:
            out["outcomes"] = self.outcomes
        return out


def coverage(catalogue: Catalogue, rules: list[ast.Rule], report: Report | None = None) -> list[ClauseCoverage]:
    """Every clause of the catalogue in order; rules count for the clauses they cite."""
    leaves = {c.number for c in catalogue.leaves()}
    cited: dict[str, list[str]] = {}
    for rule in rules:
        for number, _span in rule.clauses:
            cited.setdefault(number, []).append(rule.id)
    outcomes_by_rule = {r.rule_id: r.outcome for r in report.rules} if report else {}
    matrix = []
    for number in sorted(catalogue.clauses, key=clause_key):
        clause = catalogue.clauses[number]
        entry = ClauseCoverage(number, clause.title, number in leaves, sorted(cited.get(number, [])),
                               clause.judgement)
        if report is not None:
            entry.outcomes = {k: 0 for k in OUTCOMES}
            for rule_id in entry.rules:
                if rule_id in outcomes_by_rule:
                    entry.outcomes[outcomes_by_rule[rule_id]] += 1
        matrix.append(entry)
    return matrix


def summary(matrix: list[ClauseCoverage]) -> dict[str, int]:
    leaves = [c for c in matrix if c.leaf]
    return {
        "leaf_clauses": len(leaves),
        AUTOMATED: sum(1 for c in leaves if c.status == AUTOMATED),
        JUDGEMENT: sum(1 for c in leaves if c.status == JUDGEMENT),
        NOTHING: sum(1 for c in leaves if c.status == NOTHING),
    }


def render_text(matrix: list[ClauseCoverage]) -> str:
    lines = []
    with_bundle = any(c.outcomes for c in matrix)
    for c in matrix:
        indent = "  " * c.number.count(".")
        status = c.status if c.leaf else ""
        line = f"{indent}{c.number} {c.title}"
        line = f"{line:<78} {status:<15} {len(c.rules):>3} rule{'' if len(c.rules) == 1 else 's'}"
        if with_bundle and c.rules:
            shown = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in c.outcomes.items() if n)
            line += f"  ({shown})"
        lines.append(line.rstrip())
    totals = summary(matrix)
    lines.append("")
    lines.append(f"{totals['leaf_clauses']} leaf clauses: {totals[AUTOMATED]} automated, "
                 f"{totals[JUDGEMENT]} judgement only, {totals[NOTHING]} with nothing")
    return "\n".join(lines) + "\n"
