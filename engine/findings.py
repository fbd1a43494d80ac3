"""What a check produces: findings, per-rule results, and the report that carries them."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable, NamedTuple, Sequence

from engine.diagnostics import Span
from engine.record import ValueRecord

FORMAT_VERSION = "1.1"  # 1.1: waived outcome, fingerprints, waivers, baselines
OUTCOMES = ("pass", "fail", "missing", "not_applicable", "error", "waived")
SEVERITIES = ("major", "minor", "observation", "improvement")
# Outcomes that gate a CI run when the rule's severity is at or above the threshold.
FAILING = ("fail", "missing", "error")


class ClauseRef(NamedTuple):
    """A clause a rule cites, with its title."""

    number: str
    title: str

    def to_json(self) -> dict[str, str]:
        return {"number": self.number, "title": self.title}


class Finding(ValueRecord):
    """A rule's verdict on one item (or on the whole evidence) that was not a pass.

    `pointer`: the evidence item it is about; `location`: where that item stands in the
    evidence files; `expected_at`: for `missing`, where the absent evidence was expected;
    `condition`: the expectation that did not hold. For gating (engine/waivers.py,
    engine/baseline.py): a stable `fingerprint`, the `waiver` that matched (applied or
    expired), and `baseline_status`, "new" or "existing", when a baseline was given.
    """

    __slots__ = _fields = ("rule_id", "title", "clauses", "severity", "outcome", "message", "pointer", "item_id",
                           "location", "expected_at", "condition", "decided_by", "rule_location", "fingerprint",
                           "waiver", "baseline_status")

    def __init__(self, rule_id: str, title: str, clauses: list[ClauseRef], severity: str, outcome: str,
                 message: str, pointer: str | None = None, item_id: Any = None, location: Span | None = None,
                 expected_at: str | None = None, condition: str | None = None,
                 decided_by: list[dict[str, Any]] | None = None, rule_location: Span | None = None,
                 fingerprint: str | None = None, waiver: dict[str, Any] | None = None,
                 baseline_status: str | None = None):
        self.rule_id = rule_id
        self.title = title
        self.clauses = clauses
        self.severity = severity
        self.outcome = outcome
        self.message = message
        self.pointer = pointer
        self.item_id = item_id
        self.location = location
        self.expected_at = expected_at
        self.condition = condition
        self.decided_by = [] if decided_by is None else decided_by
        self.rule_location = rule_location
        self.fingerprint = fingerprint
        self.waiver = waiver
        self.baseline_status = baseline_status

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule_id,
            "title": self.title,
            "clauses": [c.to_json() for c in self.clauses],
            "severity": self.severity,
            "outcome": self.outcome,
            "message": self.message,
        }
        if self.pointer is not None:
            out["pointer"] = self.pointer
        if self.item_id is not None:
            out["item_id"] = self.item_id
        if self.location is not None:
            out["location"] = self.location.to_json()
        if self.expected_at is not None:
            out["expected_at"] = self.expected_at
        if self.condition is not None:
            out["condition"] = self.condition
        if self.decided_by:
            out["decided_by"] = self.decided_by
        if self.rule_location is not None:
            out["rule_location"] = self.rule_location.to_json()
        out["fingerprint"] = self.fingerprint or finding_fingerprint(self.rule_id, self.item_id, self.pointer)
        if self.waiver is not None:
            out["waiver"] = self.waiver
        if self.baseline_status is not None:
            out["baseline_status"] = self.baseline_status
        return out


class RuleResult(ValueRecord):
    """One rule's outcome over the whole bundle: its header and how many items came out how.

    `rationale` and `remediation`, the prose of the rule's headers, are for reports that
    explain rules (SARIF help, HTML); the JSON report, whose schema is closed, leaves them out.
    """

    __slots__ = _fields = ("rule_id", "title", "clauses", "severity", "tags", "counts", "source", "rationale",
                           "remediation")

    def __init__(self, rule_id: str, title: str, clauses: list[ClauseRef], severity: str, tags: list[str],
                 counts: dict[str, int], source: Span | None = None, rationale: str | None = None,
                 remediation: str | None = None):
        self.rule_id = rule_id
        self.title = title
        self.clauses = clauses
        self.severity = severity
        self.tags = tags
        self.counts = counts
        self.source = source
        self.rationale = rationale
        self.remediation = remediation

    @property
    def outcome(self) -> str:
        for outcome in ("error", "fail", "missing", "waived", "pass"):
            if self.counts.get(outcome):
                return outcome
        return "not_applicable"

    def to_json(self) -> dict[str, Any]:
        out = {
            "id": self.rule_id,
            "title": self.title,
            "clauses": [c.to_json() for c in self.clauses],
            "severity": self.severity,
            "tags": self.tags,
            "outcome": self.outcome,
            "counts": {k: self.counts.get(k, 0) for k in OUTCOMES},
        }
        if self.source is not None:
            out["source"] = self.source.to_json()
        return out


class Report(ValueRecord):
    """Everything one check found, as every report format renders it.

    `as_of_source`: "option", "bundle" or "today"; `allow_missing`: `missing` findings do
    not gate (--allow-missing); `unused_waivers`: None when no waiver file was given;
    `baseline`: new, still failing and fixed, when a baseline was given.
    """

    __slots__ = _fields = ("tool_version", "as_of", "as_of_source", "bundle", "evidence_files", "rule_files",
                           "rules", "findings", "rule_set_digest", "allow_missing", "unused_waivers", "baseline")

    def __init__(self, tool_version: str, as_of: str, as_of_source: str, bundle: str,
                 evidence_files: list[dict[str, str]], rule_files: list[dict[str, str]], rules: list[RuleResult],
                 findings: list[Finding], rule_set_digest: str = "", allow_missing: bool = False,
                 unused_waivers: list[dict[str, Any]] | None = None, baseline: dict[str, Any] | None = None):
        self.tool_version = tool_version
        self.as_of = as_of
        self.as_of_source = as_of_source
        self.bundle = bundle
        self.evidence_files = evidence_files
        self.rule_files = rule_files
        self.rules = rules
        self.findings = findings
        self.rule_set_digest = rule_set_digest
        self.allow_missing = allow_missing
        self.unused_waivers = unused_waivers
        self.baseline = baseline

    def summary(self) -> dict[str, Any]:
        outcomes = {k: 0 for k in OUTCOMES}
        severities = {k: 0 for k in SEVERITIES}
        clauses: dict[str, dict[str, int]] = {}
        for rule in self.rules:
            outcomes[rule.outcome] += 1
            if rule.outcome in FAILING:
                severities[rule.severity] += 1
            for clause in rule.clauses:
                per = clauses.setdefault(clause.number, {k: 0 for k in OUTCOMES})
                per[rule.outcome] += 1
        return {
            "rules": len(self.rules),
            "rules_by_outcome": outcomes,
            "failing_rules_by_severity": severities,
            "findings_by_outcome": _count(f.outcome for f in self.findings),
            "clauses": {k: clauses[k] for k in sorted(clauses, key=clause_key)},
        }

    def gate(self, threshold: str, *, allow_missing: bool | None = None) -> bool:
        """True when the run should fail CI (docs/gating.md): an error anywhere, or a failing
        or missing finding at or above `threshold` severity that is not waived, not missing
        under `allow_missing`, and not already in the baseline."""
        if threshold == "never":
            return False
        allow = self.allow_missing if allow_missing is None else allow_missing
        limit = SEVERITIES.index(threshold)

        def gates(outcome: str, severity: str, existing: bool = False) -> bool:
            if outcome == "error":
                return True
            if outcome not in FAILING or (outcome == "missing" and allow) or existing:
                return False
            return SEVERITIES.index(severity) <= limit

        with_findings = {f.rule_id for f in self.findings}
        return (any(gates(f.outcome, f.severity, f.baseline_status == "existing") for f in self.findings)
                or any(gates(r.outcome, r.severity) for r in self.rules if r.rule_id not in with_findings))

    def to_json(self) -> dict[str, Any]:
        out = self._core_json()
        if self.unused_waivers is not None:
            out["unused_waivers"] = self.unused_waivers
        if self.baseline is not None:
            out["baseline"] = self.baseline
        return out

    def _core_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "tool": {"name": "clausegate", "version": self.tool_version},
            "as_of": self.as_of,
            "as_of_source": self.as_of_source,
            "bundle": self.bundle,
            "evidence_files": self.evidence_files,
            "rule_files": self.rule_files,
            "rule_set_digest": self.rule_set_digest,
            "summary": self.summary(),
            "rules": [r.to_json() for r in self.rules],
            "findings": [f.to_json() for f in self.findings],
        }


def _count(values) -> dict[str, int]:
    out = {k: 0 for k in OUTCOMES}
    for v in values:
        out[v] += 1
    return out


def finding_fingerprint(rule_id: str, item_id: Any, pointer: str | None, occurrence: int = 1) -> str:
    """A finding's identity across runs (docs/gating.md): SHA-256 over the rule id and the
    item's `id` (else its pointer; else nothing, for a rule-level finding) — not the outcome,
    nor the item's position when it has an id, so it survives reordered records."""
    if item_id is not None:
        subject: list[Any] = ["id", item_id]
    elif pointer is not None:
        subject = ["pointer", pointer]
    else:
        subject = ["rule"]
    parts = ["clausegate-finding/1", rule_id, *subject] + ([occurrence] if occurrence > 1 else [])
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def assign_fingerprints(findings: Sequence[Finding]) -> None:
    """Give every finding its fingerprint. Two findings with the same rule and item key (an
    id repeated under different parents) are told apart by their order of occurrence."""
    for finding, fingerprint in zip(findings, fingerprints((f.rule_id, f.item_id, f.pointer) for f in findings)):
        finding.fingerprint = fingerprint


def fingerprints(keys: Iterable[tuple[str, Any, str | None]]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for rule_id, item_id, pointer in keys:
        base = finding_fingerprint(rule_id, item_id, pointer)
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else finding_fingerprint(rule_id, item_id, pointer, seen[base]))
    return out


def clause_key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split(".") if p.isdigit())

