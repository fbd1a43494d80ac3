"""The text report for people at a terminal: findings grouped by clause, then a summary."""

from __future__ import annotations

import json

from engine.findings import Finding, Report, RuleResult, clause_key
from engine.reporters import RenderOptions

_LABELS = {"pass": "PASS", "fail": "FAIL", "missing": "MISSING", "not_applicable": "N/A", "error": "ERROR",
           "waived": "WAIVED"}
_COLORS = {"pass": "32", "fail": "31", "missing": "33", "not_applicable": "2", "error": "35", "waived": "36"}


def render(report: Report, options: RenderOptions) -> str:
    paint = _painter(options.color)
    sources = {"option": "from --as-of", "bundle": "from the bundle", "today": "today's date"}
    lines = [f"clausegate {report.tool_version}: {report.bundle} as of {report.as_of} "
             f"({sources[report.as_of_source]})", ""]
    by_rule: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    groups: dict[str, list[RuleResult]] = {}
    titles: dict[str, str] = {}
    for rule in report.rules:
        primary = rule.clauses[0] if rule.clauses else None
        key = primary.number if primary else "-"
        titles[key] = primary.title if primary else "(no clause)"
        groups.setdefault(key, []).append(rule)
    for number in sorted(groups, key=clause_key):
        lines.append(paint("1", f"{number} {titles[number]}"))
        for rule in sorted(groups[number], key=lambda r: r.rule_id):
            label = _LABELS[rule.outcome]
            lines.append(f"  {paint(_COLORS[rule.outcome], f'{label:<7}')} {rule.rule_id}  {rule.title}  "
                         f"[{rule.severity}]{_counts(rule)}")
            for finding in by_rule.get(rule.rule_id, []):
                lines.extend(_finding_lines(finding, paint))
        lines.append("")
    lines.append(_summary(report))
    lines.extend(_gating_lines(report))
    failed = report.gate(options.threshold)
    verdict = paint("31;1", "FAILED") if failed else paint("32;1", "PASSED")
    lines.append(f"Result: {verdict} (gate: {options.threshold})")
    return "\n".join(lines) + "\n"


def _counts(rule: RuleResult) -> str:
    total = sum(rule.counts.values())
    if total <= 1:
        return ""
    shown = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in rule.counts.items() if n)
    return f"  ({shown})"


def _finding_lines(finding: Finding, paint) -> list[str]:
    where = finding.pointer or ""
    if finding.location is not None:
        where = f"{where} ({finding.location})" if where else str(finding.location)
    if finding.outcome == "error" and finding.rule_location is not None:
        where = f"rule {finding.rule_location}" + (f", item {finding.pointer}" if finding.pointer else "")
    label = paint(_COLORS[finding.outcome], _LABELS[finding.outcome].lower())
    if finding.baseline_status is not None:
        label += f" ({finding.baseline_status})"
    lines = [f"      - {label}{' ' + where if where else ''}: {finding.message}"]
    for entry in finding.decided_by:
        value = entry.get("value", f"absent at {entry.get('missing')}")
        lines.append(f"          {entry['expression']} = {_short(value)}")
    if finding.waiver is not None:
        waiver = finding.waiver
        lines.append(f"          {waiver['note']}" if waiver["status"] == "expired" else
                     f"          waived by {waiver['id']} until {waiver['expires']} (approved by "
                     f"{waiver['approved_by']}): {_short(waiver['justification'])}")
    return lines


def _gating_lines(report: Report) -> list[str]:
    """Unused waivers and the comparison with a baseline (docs/gating.md)."""
    lines = []
    for waiver in report.unused_waivers or []:
        about = [f"rule {waiver['rule']}"] + [f"{k} {waiver[k]}" for k in ("item", "item_id", "fingerprint")
                                              if k in waiver]
        if waiver["status"] == "expired":
            about.append(f"expired {waiver['expires']}")
        lines.append(f"Unused waiver {waiver['id']} ({', '.join(about)}): matches no failing or missing finding")
    if report.baseline is not None:
        b = report.baseline
        lines.append(f"Baseline {b['file']}: {len(b['new'])} new, {len(b['still_failing'])} still failing, "
                     f"{len(b['fixed'])} fixed.")
    if report.allow_missing:
        lines.append("Missing evidence does not gate (--allow-missing).")
    return lines


def _short(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 100 else text[:97] + "..."


def _summary(report: Report) -> str:
    summary = report.summary()
    outcomes = summary["rules_by_outcome"]
    parts = ", ".join(f"{outcomes[k]} {k.replace('_', ' ')}" for k in outcomes)
    return f"{summary['rules']} rules: {parts}."


def _painter(color: bool):
    if not color:
        return lambda _code, text: text
    return lambda code, text: f"\033[{code}m{text}\033[0m"
