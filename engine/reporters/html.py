"""One self-contained HTML page for auditors: the clause tree, every rule, every finding.

No external assets and no network: style and script are inline, and a Content-Security-Policy
forbids loading anything else. Every piece of report text is escaped.
"""

from __future__ import annotations

import json
import re
from html import escape

from engine.catalogue import load_catalogue
from engine.findings import OUTCOMES, SEVERITIES, ClauseRef, Finding, Report, RuleResult, clause_key
from engine.reporters import RenderOptions
from engine.reporters.html_assets import SCRIPT, STYLE
from engine.reporters.ordering import findings_by_rule, rules_by_clause
from engine.reporters.provenance import AS_OF_SOURCES, evidence_digest

_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LABELS = {"pass": "PASS", "fail": "FAIL", "missing": "MISSING", "not_applicable": "N/A", "error": "ERROR",
           "waived": "WAIVED"}


def e(value: object) -> str:
    # Control characters are parse errors in HTML; evidence text has no business carrying them.
    return escape(_CONTROL.sub("\ufffd", str(value)), quote=True)


def render(report: Report, options: RenderOptions) -> str:
    failed = report.gate(options.threshold)
    title = f"clausegate report: {report.bundle} as of {report.as_of}"
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
        '<header class="page">', f"<h1>{e(title)}</h1>",
        f'<p class="verdict {"failed" if failed else "passed"}">{"FAILED" if failed else "PASSED"} '
        f"(gate: {e(options.threshold)})</p>",
        _summary_table(report), "</header>",
        _filters(report), "<main>", '<p id="shown" class="tally"></p>',
        *_clause_tree(report), "</main>", _footer(report),
        f"<script>{SCRIPT}</script>", "</body>", "</html>",
    ]
    return "\n".join(parts) + "\n"


def _summary_table(report: Report) -> str:
    summary = report.summary()
    head = "".join(f"<th>{e(o.replace('_', ' '))}</th>" for o in OUTCOMES)
    rules = "".join(f"<td>{summary['rules_by_outcome'][o]}</td>" for o in OUTCOMES)
    findings = "".join(f"<td>{summary['findings_by_outcome'][o]}</td>" for o in OUTCOMES)
    return (f'<table class="counts"><tr><th></th>{head}</tr><tr><th>rules</th>{rules}</tr>'
            f"<tr><th>findings</th>{findings}</tr></table>")


def _filters(report: Report) -> str:
    summary = report.summary()
    by_severity = {s: sum(1 for r in report.rules if r.severity == s) for s in SEVERITIES}
    outcome_boxes = "".join(
        f'<label><input type="checkbox" name="outcome" value="{o}" checked> {e(o.replace("_", " "))} '
        f'({summary["rules_by_outcome"][o]})</label>' for o in OUTCOMES)
    severity_boxes = "".join(
        f'<label><input type="checkbox" name="severity" value="{s}" checked> {s} ({by_severity[s]})</label>'
        for s in SEVERITIES)
    return (f'<form id="filters"><fieldset><legend>Outcome</legend>{outcome_boxes}</fieldset>'
            f"<fieldset><legend>Severity</legend>{severity_boxes}</fieldset>"
            '<button type="reset">Show all</button></form>')


def _clause_tree(report: Report) -> list[str]:
    catalogue = load_catalogue()
    by_top: dict[str, list[tuple[ClauseRef, list[RuleResult]]]] = {}
    for clause, rules in rules_by_clause(report.rules):
        by_top.setdefault(clause.number.split(".")[0], []).append((clause, rules))
    tops = {n for n in catalogue.clauses if "." not in n} | set(by_top)
    findings = findings_by_rule(report.findings)
    out: list[str] = []
    for top in sorted(tops, key=clause_key):
        groups = by_top.get(top, [])
        title = catalogue.title(top) if top in catalogue else ""
        members = [r for _, rules in groups for r in rules]
        out.append(f'<section class="clause top" data-clause="{e(top)}">')
        out.append(f"<h2>{e(top)} {e(title)}{_tally(members)}</h2>")
        if not groups:
            out.append('<p class="empty">No rules check this clause yet.</p>')
        for clause, rules in groups:
            out.append(f'<section class="clause" data-clause="{e(clause.number)}">')
            if clause.number != top:
                out.append(f"<h3>{e(clause.number)} {e(clause.title)}{_tally(rules)}</h3>")
            out.extend(_rule(rule, findings.get(rule.rule_id, [])) for rule in rules)
            out.append("</section>")
        out.append("</section>")
    return out


def _tally(rules: list[RuleResult]) -> str:
    counts = {o: 0 for o in OUTCOMES}
    for rule in rules:
        counts[rule.outcome] += 1
    shown = ", ".join(f"{n} {o.replace('_', ' ')}" for o, n in counts.items() if n)
    return f'<span class="tally">{e(shown or "no rules")}</span>'


def _rule(rule: RuleResult, findings: list[Finding]) -> str:
    outcome = rule.outcome
    also = ", ".join(f"{c.number} {c.title}" for c in rule.clauses[1:])
    lines = [
        f'<article class="rule" id="rule-{e(rule.rule_id)}" data-outcome="{e(outcome)}" '
        f'data-severity="{e(rule.severity)}">',
        f'<div><span class="badge {e(outcome)}">{_LABELS.get(outcome, e(outcome))}</span> '
        f"<strong>{e(rule.rule_id)}</strong> {e(rule.title)} "
        f'<span class="severity">[{e(rule.severity)}]</span>{_counts(rule)}</div>',
    ]
    if also:
        lines.append(f'<div class="why">Also cites {e(also)}</div>')
    if rule.rationale:
        lines.append(f'<div class="why">Why: {e(rule.rationale)}</div>')
    if rule.remediation and outcome in ("fail", "missing", "error"):
        lines.append(f'<div class="why">Remedy: {e(rule.remediation)}</div>')
    if rule.source is not None:
        lines.append(f'<div class="why">Rule at <code>{e(rule.source)}</code></div>')
    if findings:
        lines.append('<ul class="findings">')
        lines.extend(_finding(f) for f in findings)
        lines.append("</ul>")
    lines.append("</article>")
    return "\n".join(lines)


def _counts(rule: RuleResult) -> str:
    if sum(rule.counts.values()) <= 1:
        return ""
    shown = ", ".join(f"{n} {o.replace('_', ' ')}" for o in OUTCOMES if (n := rule.counts.get(o, 0)))
    return f'<span class="tally">({e(shown)})</span>'


def _finding(finding: Finding) -> str:
    where = []
    if finding.pointer:
        where.append(f"<code>{e(finding.pointer)}</code>")
    if finding.location is not None:
        where.append(f"at <code>{e(finding.location)}</code>")
    if finding.expected_at:
        where.append(f"expected at <code>{e(finding.expected_at)}</code>")
    if finding.outcome == "error" and finding.rule_location is not None:
        where.append(f"rule at <code>{e(finding.rule_location)}</code>")
    place = f" {' '.join(where)}:" if where else ""
    lines = [f'<li class="finding" data-outcome="{e(finding.outcome)}">'
             f'<span class="badge {e(finding.outcome)}">{_LABELS.get(finding.outcome, "")}</span>'
             f"{place} {e(finding.message)}"]
    status = getattr(finding, "baseline_status", None)
    if status:
        lines[0] += f' <span class="tally">({e(status)} since the baseline)</span>'
    if finding.condition:
        lines.append(f'<div class="why">Expected <code>{e(finding.condition)}</code></div>')
    waiver = getattr(finding, "waiver", None)
    if isinstance(waiver, dict):
        lines.append(f'<div class="why">Waiver <code>{e(waiver.get("id", ""))}</code> ({e(waiver.get("status", ""))}, '
                     f'expires {e(waiver.get("expires", ""))}, approved by {e(waiver.get("approved_by", ""))}): '
                     f'{e(waiver.get("justification", ""))}</div>')
    if finding.decided_by:
        lines.append('<ul class="decided">')
        for entry in finding.decided_by:
            value = (json.dumps(entry["value"], ensure_ascii=False, sort_keys=True) if "value" in entry
                     else f"absent at {entry.get('missing')}")
            lines.append(f"<li><code>{e(entry.get('expression', ''))}</code> = <code>{e(value)}</code></li>")
        lines.append("</ul>")
    lines.append("</li>")
    return "\n".join(lines)


def _footer(report: Report) -> str:
    source = AS_OF_SOURCES.get(report.as_of_source, report.as_of_source)
    rows = [("tool", f"clausegate {report.tool_version}"), ("as of", f"{report.as_of} ({source})"),
            ("bundle", report.bundle), ("rule set sha256", report.rule_set_digest),
            ("evidence sha256", f"{evidence_digest(report)} (over every file's path and digest)")]
    rows += [(f"rule file {f['path']}", f["sha256"]) for f in report.rule_files]
    rows += [(f"evidence {f['path']}", f["sha256"]) for f in report.evidence_files]
    body = "".join(f"<tr><td>{e(k)}</td><td><code>{e(v)}</code></td></tr>" for k, v in rows)
    return f'<footer><h2>Provenance</h2><table class="provenance">{body}</table></footer>'
