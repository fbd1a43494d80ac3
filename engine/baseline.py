"""Baselines: gate only on what is new since an earlier JSON report.

A baseline is a report written earlier by `clausegate check --format json`. Findings are
matched by fingerprint (`engine.findings.finding_fingerprint`): the rule id and the item's
`id` (its JSON Pointer when it has none), so reordering records changes nothing. Each
problem finding of the new run is `new` or `existing`; the report lists what is new, what
is still failing and what the baseline had that is now gone (fixed). See docs/gating.md.

Diagnostic codes:

| code  | refused because                                                         |
|-------|-------------------------------------------------------------------------|
| CG611 | the baseline file cannot be read or is not JSON (the loader's reason)  |
| CG612 | it is not a clausegate JSON report of format 1.x                       |
| CG613 | a finding in it lacks a rule, an outcome or a valid fingerprint        |
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.diagnostics import Diagnostic, DiagnosticError, Span
from engine.evidence.limits import DEFAULT_LIMITS, Limits
from engine.findings import FAILING, Finding, Report, finding_fingerprint, fingerprints

UNREADABLE = "CG611"
NOT_A_REPORT = "CG612"
BAD_FINDING = "CG613"

# Outcomes that are a problem the baseline may already know about. A waived finding is one,
# so a waiver that expires later does not make its finding look new.
PROBLEMS = (*FAILING, "waived")
_VERSION = re.compile(r"^1\.[0-9]+$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class BaselineEntry:
    fingerprint: str
    rule: str
    outcome: str
    pointer: str | None = None
    item_id: Any = None

    def ref(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fingerprint": self.fingerprint, "rule": self.rule, "outcome": self.outcome}
        if self.item_id is not None:
            out["item_id"] = self.item_id
        if self.pointer is not None:
            out["pointer"] = self.pointer
        return out


@dataclass(frozen=True)
class Baseline:
    display: str
    format_version: str
    as_of: str | None
    problems: tuple[BaselineEntry, ...]  # the baseline's fail, missing, error and waived findings, in order


def load_baseline(path: str | Path, display: str | None = None, *, limits: Limits = DEFAULT_LIMITS) -> Baseline:
    """Read and check an earlier JSON report. Raises DiagnosticError (CG611-CG613), located;
    the evidence limits (`--limit`) bound the file as they bound evidence files."""
    from engine.evidence.json_reader import read_json
    from engine.evidence.loader import Document
    from engine.evidence.source import read_source

    path = Path(path)
    display = str(path) if display is None else display
    try:
        # Always JSON, whatever the file is called: that is what --format json writes.
        source = read_source(path, display, limits)
        data, locator = read_json(source, limits)
    except DiagnosticError as error:
        first = error.diagnostics[0]
        hint = "raise the limit with --limit max_file_bytes=N" if first.code == "CG303" else first.hint
        raise DiagnosticError([Diagnostic(UNREADABLE, f"cannot read the baseline report: {first.message}",
                                          first.span, hint=hint, source_line=first.source_line)]) from None
    document = Document(data, display, source.sha256, locator, source.lines)
    return Baseline(display, _check_header(document), _as_of(document.data), tuple(_entries(document)))


def _check_header(document) -> str:
    data = document.data
    hint = "give a report written by `clausegate check --format json`"
    if not isinstance(data.get("tool"), dict) or data["tool"].get("name") != "clausegate":
        raise _at(document, "/tool" if "tool" in data else "", NOT_A_REPORT,
                  "the baseline is not a clausegate JSON report (no `tool.name: clausegate`)", hint)
    version = data.get("format_version")
    if not isinstance(version, str):
        raise _at(document, "", NOT_A_REPORT, "the baseline report has no `format_version`", hint)
    if not _VERSION.match(version):
        raise _at(document, "/format_version", NOT_A_REPORT,
                  f"the baseline report has format {version}; this clausegate reads format 1.x",
                  "write the baseline again with this version of clausegate")
    if not isinstance(data.get("findings"), list):
        raise _at(document, "/findings" if "findings" in data else "", NOT_A_REPORT,
                  "the baseline report has no `findings` list", hint)
    return version


def _as_of(data: dict) -> str | None:
    return data["as_of"] if isinstance(data.get("as_of"), str) else None


def _entries(document) -> list[BaselineEntry]:
    problems: list[Diagnostic] = []
    keys: list[tuple[str, Any, str | None]] = []
    kept: list[tuple[int, dict]] = []
    for index, item in enumerate(document.data["findings"]):
        where = f"/findings/{index}"
        if not isinstance(item, dict):
            problems.append(_diagnostic(document, where, BAD_FINDING, "a finding of the baseline is not an object"))
            continue
        bad = [key for key in ("rule", "outcome") if not isinstance(item.get(key), str)]
        if "pointer" in item and not isinstance(item["pointer"], str):
            bad.append("pointer")
        if "fingerprint" in item and not (isinstance(item["fingerprint"], str) and _SHA256.match(item["fingerprint"])):
            bad.append("fingerprint")
        if bad:
            field_ = bad[0]
            at = f"{where}/{field_}" if field_ in item else where
            problems.append(_diagnostic(document, at, BAD_FINDING,
                                        f"finding {index} of the baseline has no valid `{field_}`"))
            continue
        keys.append((item["rule"], item.get("item_id"), item.get("pointer")))
        kept.append((index, item))
    if problems:
        raise DiagnosticError(problems)
    # Reports of format 1.0 carry no fingerprints: compute them the way this version does.
    computed = fingerprints(keys)
    return [BaselineEntry(item.get("fingerprint") or fp, item["rule"], item["outcome"], item.get("pointer"),
                          item.get("item_id"))
            for (_, item), fp in zip(kept, computed) if item["outcome"] in PROBLEMS]


def apply_baseline(report: Report, baseline: Baseline) -> None:
    """Mark each problem finding `new` or `existing` and list new, still failing and fixed."""
    known = {entry.fingerprint for entry in baseline.problems}
    current = set()
    new, still = [], []
    for finding in report.findings:
        if finding.outcome not in PROBLEMS:
            continue
        fingerprint = finding.fingerprint or finding_fingerprint(finding.rule_id, finding.item_id, finding.pointer)
        current.add(fingerprint)
        finding.baseline_status = "existing" if fingerprint in known else "new"
        if finding.outcome in FAILING:
            (still if fingerprint in known else new).append(_ref(finding, fingerprint))
    fixed = [entry.ref() for entry in baseline.problems if entry.fingerprint not in current]
    summary: dict[str, Any] = {"file": baseline.display, "format_version": baseline.format_version}
    if baseline.as_of is not None:
        summary["as_of"] = baseline.as_of
    report.baseline = {**summary, "new": new, "still_failing": still, "fixed": fixed}


def _ref(finding: Finding, fingerprint: str) -> dict[str, Any]:
    return BaselineEntry(fingerprint, finding.rule_id, finding.outcome, finding.pointer, finding.item_id).ref()


def _diagnostic(document, pointer: str, code: str, message: str, hint: str | None = None) -> Diagnostic:
    line, column = document.locate(pointer) or (1, 1)
    return Diagnostic(code, message, Span(document.display, line, column), hint=hint,
                      source_line=document.source_line(line))


def _at(document, pointer: str, code: str, message: str, hint: str | None = None) -> DiagnosticError:
    return DiagnosticError([_diagnostic(document, pointer, code, message, hint)])
