"""A short Markdown summary for a pull-request or merge-request comment.

Evidence text is untrusted here: it is escaped so it cannot add links, images, HTML or
mentions to the comment, and long lists are cut so the comment stays readable.
"""

from __future__ import annotations

import re
import shlex

from engine.findings import FAILING, OUTCOMES, Finding, Report, clause_key
from engine.reporters import RenderOptions
from engine.reporters.ordering import most_severe_first, severity_rank
from engine.reporters.provenance import AS_OF_SOURCES, evidence_digest

TOP_FINDINGS = 20
RULE_LINES = 40  # failing rules listed under their clauses, at most
EVIDENCE_LINES = 50  # evidence files listed by name; the footer digest covers them all
MESSAGE_CHARS = 300  # GitHub refuses comments over 65,536 characters: keep each line short
# Escaped anywhere in a line; text never starts a line here, so `#`, `-`, `+`, `1.` are safe.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_SPECIAL = re.compile(r"([\\`*_{}\[\]()!|~<>&])")


def render(report: Report, options: RenderOptions) -> str:
    failed = report.gate(options.threshold)
    summary = report.summary()
    lines = [f"## clausegate: {'FAILED' if failed else 'PASSED'} (gate: {options.threshold})", "",
             f"{esc(report.bundle)} as of {report.as_of}, {summary['rules']} rules.", "",
             "| outcome | rules | findings |", "|---|---:|---:|"]
    for outcome in OUTCOMES:
        lines.append(f"| {outcome.replace('_', ' ')} | {summary['rules_by_outcome'][outcome]} "
                     f"| {summary['findings_by_outcome'][outcome]} |")
    lines += [""] + _failing_clauses(report) + _top_findings(report)
    command = ["clausegate", "check", report.bundle, "--as-of", report.as_of, "--format", "text"]
    lines += [f"All results: {code(shlex.join(command))}", "", _footer(report), ""] + _evidence_files(report)
    return "\n".join(lines) + "\n"


def _failing_clauses(report: Report) -> list[str]:
    clauses: dict[str, tuple[str, list[str]]] = {}
    for rule in sorted(report.rules, key=lambda r: (severity_rank(r.severity), r.rule_id)):
        if rule.outcome not in FAILING:
            continue
        for clause in rule.clauses:  # every clause the rule cites is affected
            entry = clauses.setdefault(clause.number, (clause.title, []))
            entry[1].append(f"{code(rule.rule_id)} {esc(rule.title)} ({rule.outcome}, {rule.severity})")
    if not clauses:
        return []
    lines = ["### Failing clauses", ""]
    budget = RULE_LINES  # every failing clause is named; its rules only while the budget lasts
    for number in sorted(clauses, key=clause_key):
        title, rules = clauses[number]
        lines.append(f"- **{number}** {esc(title)}")
        shown = rules[:max(budget, 0)]
        budget -= len(shown)
        lines += [f"  - {rule}" for rule in shown]
        if len(rules) > len(shown):
            lines.append(f"  - {'and ' if shown else ''}{len(rules) - len(shown)} more failing rule(s), "
                         "not listed here")
    return lines + [""]


def _top_findings(report: Report) -> list[str]:
    ranked = most_severe_first(report.findings)
    if not ranked:
        return []
    shown = ranked[:TOP_FINDINGS]
    heading = f"### Top findings ({len(shown)} of {len(ranked)})" if len(ranked) > len(shown) else "### Findings"
    return [heading, ""] + [f"{i}. {_finding(f)}" for i, f in enumerate(shown, 1)] + [""]


def _finding(finding: Finding) -> str:
    where = finding.pointer or finding.expected_at
    span = finding.rule_location if finding.outcome == "error" else finding.location
    if where is None and span is not None:
        where = str(span)
    place = f" at {code(where)}" if where else ""
    return (f"**{finding.severity}** {finding.outcome} {code(finding.rule_id)}{place}: "
            f"{esc(_shorten(finding.message))}")


def _shorten(text: str) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= MESSAGE_CHARS else flat[:MESSAGE_CHARS - 1] + "…"


def _footer(report: Report) -> str:
    return (f"<sub>clausegate {esc(report.tool_version)} · as of {report.as_of} "
            f"({AS_OF_SOURCES.get(report.as_of_source, report.as_of_source)}) · rule set sha256 "
            f"{code(report.rule_set_digest)} · {len(report.evidence_files)} evidence files, sha256 "
            f"{code(evidence_digest(report))} over their paths and digests</sub>")


def _evidence_files(report: Report) -> list[str]:
    # Collapsed, so the comment stays short while still naming every file it judged.
    lines = ["<details><summary>Evidence files</summary>", ""]
    files = report.evidence_files
    lines += [f"- {code(f['path'])} sha256 {code(f['sha256'])}" for f in files[:EVIDENCE_LINES]]
    if len(files) > EVIDENCE_LINES:
        lines.append(f"- and {len(files) - EVIDENCE_LINES} more (the JSON report lists them all)")
    return lines + ["", "</details>"]


def _flat(text: object) -> str:
    """One line, without control characters (a comment has no use for them)."""
    return _CONTROL.sub("\ufffd", " ".join(str(text).split()))


def esc(text: str) -> str:
    """Plain text for Markdown: one line, every markup character escaped."""
    flat = _flat(text)
    # A backslash does not stop an @-mention (GitHub finds them after rendering); a word
    # joiner after the @ does, and reads the same.
    return _SPECIAL.sub(r"\\\1", flat).replace("@", "@\u2060")


def code(text: str) -> str:
    """An inline code span that survives backticks in the text (CommonMark: a longer fence)."""
    flat = _flat(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"

