"""SARIF 2.1.0 for code scanning (GitHub, and any SARIF viewer): one run, one result per finding.

GitHub reads a subset of SARIF and caps what it accepts; the limits below are its documented
ones. When a report is bigger, the least severe results are dropped, and the log says so.
"""

from __future__ import annotations

import gzip
import json
import os
import posixpath
import re
import urllib.parse
from pathlib import Path
from typing import Any

from engine.findings import assign_fingerprints
from engine.diagnostics import Span
from engine.findings import Finding, Report, RuleResult
from engine.reporters import RenderOptions
from engine.reporters.ordering import most_severe_first, severity_rank
from engine.reporters.provenance import provenance

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/clausegate/clausegate"  # as docs/ci.md and action.yml name it
MAX_RESULTS = 25_000  # GitHub: results per run
MAX_GZIP_BYTES = 10 * 1024 * 1024  # GitHub: size of the gzipped upload
MAX_TAGS = 20  # GitHub: tags per rule
FINGERPRINT = "clausegate/v1"
_BASELINE_STATES = {"new": "new", "existing": "unchanged"}  # engine/baseline.py → SARIF baselineState

# severity → (SARIF level and GitHub problem.severity, GitHub security-severity score)
LEVELS = {
    "major": ("error", "error", "8.0"),
    "minor": ("warning", "warning", "5.0"),
    "observation": ("note", "recommendation", "3.0"),
    "improvement": ("note", "recommendation", "1.0"),
}


def render(report: Report, options: RenderOptions, *, max_results: int = MAX_RESULTS,
           max_gzip_bytes: int = MAX_GZIP_BYTES) -> str:
    ranked = most_severe_first(report.findings)
    # Fingerprints are numbered over all findings, before any are dropped, so dropping
    # never changes the identity of a result that stays.
    # The engine's own fingerprint, the identity waivers and baselines use too.
    if any(not f.fingerprint for f in report.findings):
        assign_fingerprints(report.findings)
    prints = {id(f): f.fingerprint for f in report.findings}
    keep = min(max_results, len(ranked))
    while True:
        text = _dump(_log(report, options, ranked, keep, prints, (max_results, max_gzip_bytes)))
        size = len(gzip.compress(text.encode("utf-8"), mtime=0))
        if size <= max_gzip_bytes or keep == 0:
            return text
        # Shrink in proportion to the excess, with a margin, so a few passes suffice.
        keep = min(keep - 1, int(keep * max_gzip_bytes / size * 0.9))


def _dump(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _log(report: Report, options: RenderOptions, ranked: list[Finding], keep: int, prints: dict[int, str],
         limits: tuple[int, int]) -> dict[str, Any]:
    kept_ids = {id(f) for f in ranked[:keep]}
    dropped = ranked[keep:]
    index = {rule.rule_id: i for i, rule in enumerate(report.rules)}
    # Results keep report order (clause, rule, evidence position); only the selection is by severity.
    results = [_result(f, index, report, prints[id(f)]) for f in report.findings if id(f) in kept_ids]
    clausegate = provenance(report)
    clausegate["gate"] = {"threshold": options.threshold, "failed": report.gate(options.threshold)}
    clausegate["dropped_results"] = len(dropped)
    # Waived findings are not results: GitHub ignores SARIF suppressions and would open alerts.
    clausegate["waived_findings"] = sum(1 for f in report.findings if f.outcome == "waived")
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if dropped:
        by_severity: dict[str, int] = {}
        for finding in dropped:
            by_severity[finding.severity] = by_severity.get(finding.severity, 0) + 1
        clausegate["dropped_by_severity"] = dict(sorted(by_severity.items(), key=lambda e: severity_rank(e[0])))
        invocation["toolExecutionNotifications"] = [{
            "level": "warning",
            "message": {"text": f"{len(dropped)} of {len(ranked)} results were left out to stay within "
                                f"code scanning limits ({limits[0]} results, {limits[1]} bytes "
                                "gzipped); the least severe went first. `clausegate check --format json` "
                                "lists them all."},
        }]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "clausegate",
                "version": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(rule) for rule in report.rules],
            }},
            "invocations": [invocation],
            "artifacts": [{"location": {"uri": artifact_uri(f["path"])}, "roles": ["analysisTarget"],
                           "hashes": {"sha-256": f["sha256"]}} for f in report.evidence_files],
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"clausegate": clausegate},
        }],
    }


def _descriptor(rule: RuleResult) -> dict[str, Any]:
    level, problem, score = LEVELS.get(rule.severity, LEVELS["minor"])
    clauses = "; ".join(f"{c.number} {c.title}" for c in rule.clauses)
    # Rule prose may wrap over several source lines; one paragraph reads better in every viewer.
    rationale = " ".join((rule.rationale or rule.title).split())
    remediation = " ".join((rule.remediation or "").split())
    help_text = rationale + (f"\n\nRemediation: {remediation}" if remediation else "")
    help_markdown = f"**Rationale.** {rationale}"
    if remediation:
        help_markdown += f"\n\n**Remediation.** {remediation}"
    if clauses:
        help_text += f"\n\nISO/IEC 20000-1 clauses: {clauses}"
        help_markdown += f"\n\n**ISO/IEC 20000-1 clauses:** {clauses}"
    return {
        "id": rule.rule_id,
        "name": _pascal(rule.title) or rule.rule_id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rationale},
        "defaultConfiguration": {"level": level},
        **({"helpUri": help_uri(rule)} if rule.clauses else {}),
        "help": {"text": help_text, "markdown": help_markdown},
        "properties": {
            "tags": list(dict.fromkeys(rule.tags))[:MAX_TAGS],
            "clauses": [c.to_json() for c in rule.clauses],
            "severity": rule.severity,
            "problem.severity": problem,
            "security-severity": score,
            "precision": "very-high",  # rules are deterministic: a result is never a guess
        },
    }


def help_uri(rule: RuleResult) -> str:
    """The rule's section in the generated reference (engine/ruledocs.py), relative to the repository."""
    from engine.ruledocs import anchor, page_name

    return f"docs/rules/{page_name(rule.clauses[0].number)}#{anchor(rule.rule_id)}"


def _pascal(title: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"\w+", title))


def _result(finding: Finding, index: dict[str, int], report: Report, fingerprint: str) -> dict[str, Any]:
    level = LEVELS.get(finding.severity, LEVELS["minor"])[0]
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "level": level,
        "message": {"text": finding.message or finding.title},
        "locations": [_location(finding, report)],
        "partialFingerprints": {FINGERPRINT: fingerprint},
    }
    if getattr(finding, "baseline_status", None) in _BASELINE_STATES:
        result["baselineState"] = _BASELINE_STATES[finding.baseline_status]
    properties: dict[str, Any] = {"outcome": finding.outcome, "severity": finding.severity}
    # `fingerprint` is the engine's finding identity, the one waivers and baselines select by.
    for key in ("pointer", "item_id", "expected_at", "condition", "fingerprint"):
        value = getattr(finding, key, None)
        if value is not None:
            properties[key] = value
    if finding.decided_by:
        properties["decided_by"] = finding.decided_by
    result["properties"] = properties
    return result


def _location(finding: Finding, report: Report) -> dict[str, Any]:
    # GitHub wants a location on every result: the evidence, else the rule (errors are about
    # the rule), else the bundle itself when the finding is about something absent from it.
    span: Span | None = finding.rule_location if finding.outcome == "error" else finding.location
    span = span or finding.location or finding.rule_location
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(span.file if span else report.bundle)}}
    if span is not None:
        physical["region"] = {"startLine": max(1, span.line), "startColumn": max(1, span.column)}
    return {"physicalLocation": physical}


def artifact_uri(path: str) -> str:
    """A relative URI reference when the file is under the current folder, else a file: URI."""
    if os.path.isabs(path):
        try:
            relative = os.path.relpath(path)
        except ValueError:  # another drive on Windows
            relative = ""
        if not relative or relative.startswith(".."):
            return Path(path).as_uri()
        path = relative
    posix = posixpath.normpath(path.replace(os.sep, "/"))
    return urllib.parse.quote(posix, safe="/")

