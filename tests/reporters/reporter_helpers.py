"""Inputs for the reporter tests: real reports of the fixtures, and one built by hand that
holds every outcome and the awkward text (markup, control characters) reporters must survive."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from engine.diagnostics import Span
from engine.findings import ClauseRef, Finding, Report, RuleResult

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "fixtures" / "example"
BROKEN = ROOT / "fixtures" / "broken-leadership"
AS_OF = "2025-06-30"
HOSTILE = '<script>alert("x")</script> & | `tick` *star* [link](http://evil.example) @someone \x07bell'


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd or ROOT, timeout=120)


def fixture_report(bundle: Path) -> Report:
    import engine

    relative = bundle.relative_to(ROOT)
    cwd = os.getcwd()
    os.chdir(ROOT)  # paths in the report as the CLI run from the checkout gives them
    try:
        return engine.check(engine.load_bundle(relative), engine.load_rules(), as_of=dt.date.fromisoformat(AS_OF))
    finally:
        os.chdir(cwd)


C41 = ClauseRef("4.1", "Understanding the organization and its context")
C51 = ClauseRef("5.1", "Leadership and commitment")
C521 = ClauseRef("5.2.1", "Establishing the service management policy")
C861 = ClauseRef("8.6.1", "Incident management")


def _rule(rule_id: str, clauses: list[ClauseRef], severity: str, counts: dict[str, int], **extra) -> RuleResult:
    return RuleResult(rule_id, f"Title of {rule_id}", clauses, severity, ["t1", "t1", "t2"], counts,
                      Span("rules/mine.rules", 3, 6), rationale=f"Why {rule_id} matters.",
                      remediation=f"Fix {rule_id}.", **extra)


def _finding(rule: RuleResult, outcome: str, message: str, index: int | None = None, **extra) -> Finding:
    pointer = f"/incidents/{index}" if index is not None else None
    location = Span("bundle/incidents.yaml", 2 + 5 * index, 5) if index is not None else None
    return Finding(rule.rule_id, rule.title, rule.clauses, rule.severity, outcome, message, pointer=pointer,
                   item_id=f"INC-{index}" if index is not None else None, location=location, **extra)


def make_synthetic() -> Report:
    """Every outcome; a rule citing two clauses; hostile text; findings with and without places."""
    fail = _rule("FAIL-1", [C861, C41], "major", {"pass": 1, "fail": 2, "missing": 1})
    missing = _rule("MISS-1", [C861], "minor", {"missing": 1})
    error = _rule("ERR-1", [C51], "observation", {"error": 1, "fail": 1})
    skipped = _rule("NA-1", [C521], "improvement", {"not_applicable": 1})
    passing = _rule("PASS-1", [C41], "minor", {"pass": 3})
    hostile = _rule("HOST-1", [C41], "minor", {"fail": 1})
    hostile.title = HOSTILE
    rules = [passing, hostile, error, skipped, fail, missing]
    findings = [
        _finding(hostile, "fail", HOSTILE, 7, decided_by=[{"expression": "x < y", "value": "<b>"}]),
        _finding(error, "error", "cannot compare text with a number", 3,
                 rule_location=Span("rules/mine.rules", 12, 10)),
        _finding(error, "fail", "one more failure", 4),
        _finding(skipped, "not_applicable", "the rule does not apply: there are no items to check"),
        _finding(fail, "fail", "incident INC-0 was not reviewed", 0, condition="incident.reviewed",
                 decided_by=[{"expression": "incident.reviewed", "value": False},
                             {"expression": "incident.review", "missing": "/incidents/0/review"}]),
        _finding(fail, "fail", "incident INC-1 was not reviewed", 1),
        _finding(fail, "missing", "the evidence needed to decide is absent: /incidents/2/review", 2,
                 expected_at="/incidents/2/review"),
        _finding(missing, "missing", "the evidence needed to decide is absent: /problems", expected_at="/problems"),
    ]
    return Report(tool_version="9.9.9", as_of=AS_OF, as_of_source="option", bundle="bundle",
                  evidence_files=[{"path": "bundle/incidents.yaml", "sha256": "a" * 64},
                                  {"path": "bundle/meta.yaml", "sha256": "b" * 64}],
                  rule_files=[{"path": "rules/mine.rules", "sha256": "c" * 64}],
                  rules=rules, findings=findings, rule_set_digest="d" * 64)
