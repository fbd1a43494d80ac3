"""JUnit XML for CI test views (GitLab, Jenkins): a suite per clause, a test case per rule.

Each rule is filed under its first clause only, so the totals count every rule once.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from engine.findings import Finding, Report, RuleResult
from engine.reporters import RenderOptions
from engine.reporters.ordering import findings_by_rule, rules_by_clause
from engine.reporters.provenance import provenance

_PROBLEMS = ("fail", "missing", "error")
# XML 1.0 cannot carry most control characters, not even escaped; evidence text might.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(report: Report, options: RenderOptions) -> str:
    findings = findings_by_rule(report.findings)
    root = ET.Element("testsuites", name="clausegate")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for clause, rules in rules_by_clause(report.rules):
        suite = ET.SubElement(root, "testsuite", name=_clean(f"clause {clause.number} {clause.title}"))
        counts = {"tests": len(rules), "failures": 0, "errors": 0, "skipped": 0}
        _properties(suite, report, options)
        for rule in rules:
            kind = _testcase(suite, f"clause {clause.number}", rule, findings.get(rule.rule_id, []))
            if kind:
                counts[kind] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _properties(suite: ET.Element, report: Report, options: RenderOptions) -> None:
    # Repeated in every suite: JUnit only defines <properties> on a <testsuite>.
    facts = provenance(report)
    holder = ET.SubElement(suite, "properties")
    pairs = [(key, str(facts[key])) for key in ("tool_version", "as_of", "as_of_source", "bundle",
                                                 "rule_set_digest", "evidence_digest")]
    pairs.append(("gate", options.threshold))
    pairs += [(f"evidence:{f['path']}", f"sha256:{f['sha256']}") for f in facts["evidence_files"]]
    pairs += [(f"rules:{f['path']}", f"sha256:{f['sha256']}") for f in facts["rule_files"]]
    for name, value in pairs:
        ET.SubElement(holder, "property", name=_clean(name), value=_clean(value))


def _testcase(suite: ET.Element, classname: str, rule: RuleResult, findings: list[Finding]) -> str | None:
    """Add the rule's test case; return which counter it adds to, if any."""
    case = ET.SubElement(suite, "testcase", classname=_clean(classname),
                         name=_clean(f"{rule.rule_id} {rule.title}"))
    outcome = rule.outcome
    if outcome == "pass":
        return None
    if outcome == "not_applicable":
        reason = findings[0].message if findings else "the rule does not apply"
        ET.SubElement(case, "skipped", message=_clean(reason))
        return "skipped"
    if outcome not in _PROBLEMS:
        # Waived (an approved exception, engine/waivers.py): neither passed nor failed, so
        # skipped, with the waivers named; any other outcome a later version adds, likewise.
        element = ET.SubElement(case, "skipped", message=_clean(f"{outcome}: {_waivers(findings) or outcome}"))
        element.text = _clean("\n".join(_line(f) for f in findings)) or None
        return "skipped"
    relevant = [f for f in findings if f.outcome in _PROBLEMS + ("waived",)]
    tag, counter = ("error", "errors") if outcome == "error" else ("failure", "failures")
    shown = [f for f in relevant if f.outcome == outcome]
    head = shown[0].message if len(shown) == 1 else f"{len(shown)} items {_verb(outcome)}"
    element = ET.SubElement(case, tag, message=_clean(f"[{rule.severity}] {head}"), type=outcome)
    element.text = _clean("\n".join(_line(f) for f in relevant))
    return counter


def _waivers(findings: list[Finding]) -> str:
    waivers = [w for f in findings if isinstance(w := getattr(f, "waiver", None), dict)]
    named = dict.fromkeys(f"{w.get('id')} until {w.get('expires')}" for w in waivers)
    return ", ".join(named)


def _verb(outcome: str) -> str:
    return {"fail": "failed", "missing": "lack evidence", "error": "could not be evaluated"}[outcome]


def _line(finding: Finding) -> str:
    where = finding.pointer or finding.expected_at or ""
    span = finding.rule_location if finding.outcome == "error" else finding.location
    if span is not None:
        where = f"{where} ({span})" if where else str(span)
    waiver = getattr(finding, "waiver", None)
    note = f" (waiver {waiver.get('id')}: {waiver.get('status')})" if isinstance(waiver, dict) else ""
    return f"{finding.outcome}: {where + ': ' if where else ''}{finding.message}{note}"


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
