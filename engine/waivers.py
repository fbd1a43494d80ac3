"""Waivers: approved, time-limited exceptions that set matching findings aside as `waived`.

A waiver file (YAML or JSON, `schemas/waivers.schema.json`) lists waivers; each names a
rule, optionally one item (by pointer, id or fingerprint), why, who asked, who approved and
when it expires. Until then its fail and missing findings become `waived` and do not gate;
afterwards they stay failures and say that the waiver expired. A waiver that matches no
finding is listed in the report, not refused. A file with any problem is refused whole.
See docs/gating.md.

Diagnostic codes:

| code  | refused because                                                          |
|-------|--------------------------------------------------------------------------|
| CG601 | the file cannot be read or parsed (the loader's reason, located)         |
| CG602 | the file does not follow schemas/waivers.schema.json                     |
| CG603 | a waiver names a rule that is not loaded                                 |
| CG604 | a waiver's approver is its requester                                     |
| CG605 | an `expires` that is not a real calendar date                            |
| CG606 | two waivers share an id                                                  |
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from engine import data
from engine.diagnostics import Diagnostic, DiagnosticError, Span
from engine.evidence.limits import DEFAULT_LIMITS, Limits
from engine.findings import Finding, Report

UNREADABLE = "CG601"
SCHEMA_VIOLATION = "CG602"
UNKNOWN_RULE = "CG603"
SELF_APPROVED = "CG604"
BAD_DATE = "CG605"
DUPLICATE_ID = "CG606"

WAIVABLE = ("fail", "missing")  # an error is a broken check, not a finding to accept
SCHEMA_FILE = "waivers.schema.json"
_SELECTORS = ("item", "item_id", "fingerprint")


@dataclass(frozen=True)
class Waiver:
    id: str
    rule: str
    justification: str
    requested_by: str
    approved_by: str
    expires: dt.date
    item: str | None = None
    item_id: str | int | None = None
    fingerprint: str | None = None
    reference: str | None = None
    span: Span | None = None

    def matches(self, finding: Finding) -> bool:
        if finding.rule_id != self.rule:
            return False
        if self.item is not None:
            return finding.pointer == self.item
        if self.item_id is not None:
            return type(finding.item_id) is type(self.item_id) and finding.item_id == self.item_id
        if self.fingerprint is not None:
            return finding.fingerprint == self.fingerprint
        return True  # the whole rule

    def expired(self, as_of: dt.date) -> bool:
        return self.expires < as_of

    def selector(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in _SELECTORS if getattr(self, key) is not None}

    def on_finding(self, status: str, waived_outcome: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "status": status, "justification": self.justification,
                               "requested_by": self.requested_by, "approved_by": self.approved_by,
                               "expires": self.expires.isoformat()}
        if self.reference is not None:
            out["reference"] = self.reference
        if waived_outcome is not None:
            out["waived_outcome"] = waived_outcome
        if status == "expired":
            out["note"] = f"waiver {self.id} expired on {self.expires.isoformat()}"
        return out

    def unused(self, as_of: dt.date) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "rule": self.rule, **self.selector(),
                               "expires": self.expires.isoformat(),
                               "status": "expired" if self.expired(as_of) else "active"}
        if self.span is not None:
            out["location"] = self.span.to_json()
        return out


@dataclass(frozen=True)
class WaiverSet:
    display: str
    waivers: tuple[Waiver, ...]


def load_waivers(path: str | Path, rule_ids: Iterable[str], display: str | None = None, *,
                 limits: Limits = DEFAULT_LIMITS) -> WaiverSet:
    """Read, validate and check a waiver file against the loaded rules' ids. Raises
    DiagnosticError carrying every problem found, each located in the file."""
    from engine.evidence.loader import load_document

    path = Path(path)
    try:
        document = load_document(path, display, limits=limits)
    except DiagnosticError as error:
        first = error.diagnostics[0]
        hint = "raise the limit with --limit max_file_bytes=N" if first.code == "CG303" else first.hint
        raise DiagnosticError([Diagnostic(UNREADABLE, f"cannot read the waiver file: {first.message}", first.span,
                                          hint=hint, source_line=first.source_line)]) from None
    problems = _schema_problems(document)
    if problems:
        raise DiagnosticError(problems)
    waivers, problems = _build(document, set(rule_ids))
    if problems:
        raise DiagnosticError(sorted(problems, key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0)))
    return WaiverSet(document.display, tuple(waivers))


def apply_waivers(report: Report, waivers: WaiverSet) -> None:
    """Waive the fail and missing findings that an unexpired waiver matches; note expired
    waivers on the findings they would have matched; list the waivers that matched nothing."""
    as_of = dt.date.fromisoformat(report.as_of)
    results = {rule.rule_id: rule for rule in report.rules}
    used: set[str] = set()
    for finding in report.findings:
        if finding.outcome not in WAIVABLE:
            continue
        matching = [w for w in waivers.waivers if w.matches(finding)]
        if not matching:
            continue
        used.update(w.id for w in matching)
        active = next((w for w in matching if not w.expired(as_of)), None)
        if active is None:
            latest = max(matching, key=lambda w: w.expires)  # the first of equals: max keeps it
            finding.waiver = latest.on_finding("expired")
            continue
        original = finding.outcome
        finding.outcome = "waived"
        finding.waiver = active.on_finding("applied", original)
        result = results.get(finding.rule_id)
        if result is not None:
            result.counts[original] = result.counts.get(original, 0) - 1
            result.counts["waived"] = result.counts.get("waived", 0) + 1
    report.unused_waivers = [w.unused(as_of) for w in waivers.waivers if w.id not in used]


@functools.cache
def waiver_schema() -> dict:
    return json.loads(data.folder("schemas").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def _schema_problems(document) -> list[Diagnostic]:
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.exceptions import NoSuchResource

    def refuse(uri: str):  # the schema is self-contained: nothing is fetched
        raise NoSuchResource(ref=uri)

    validator = Draft202012Validator(waiver_schema(), registry=Registry(retrieve=refuse))
    seen: set[tuple] = set()
    problems = []
    for error in validator.iter_errors(document.data):
        for pointer, message, hint in _explain(error):
            key = (pointer, message)
            if key not in seen:
                seen.add(key)
                problems.append(_diagnostic(document, pointer, SCHEMA_VIOLATION, message, hint))
    return sorted(problems, key=lambda d: (d.span.line, d.span.column, d.message))


def _explain(error) -> list[tuple[str, str, str | None]]:
    """A schema violation in words: (where, message, hint) for each thing wrong."""
    path = list(error.absolute_path)
    pointer = "".join(f"/{_escape(p)}" for p in path)
    what = _what(path)
    keyword = error.validator
    if keyword == "required":
        missing = [k for k in error.validator_value if isinstance(error.instance, dict) and k not in error.instance]
        return [(pointer, f"{what} has no `{k}`", _required_hint(path)) for k in missing]
    if keyword == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in known] if isinstance(error.instance, dict) else []
        return [(f"{pointer}/{_escape(k)}", f"unknown field `{k}` in {what}", _suggest(k, known, known)) for k in extra]
    if keyword == "not" and path and path[0] == "waivers":
        given = [k for k in _SELECTORS if isinstance(error.instance, dict) and k in error.instance]
        return [(pointer, f"{what} names its item more than one way ({', '.join(f'`{k}`' for k in given)})",
                 "give at most one of `item`, `item_id` and `fingerprint`")]
    field_ = f"`{path[-1]}`" if path and isinstance(path[-1], str) else what
    if keyword == "pattern":
        wants = {"expires": "a date written YYYY-MM-DD", "fingerprint": "64 lowercase hexadecimal digits",
                 "item": "a JSON Pointer starting with `/`", "id": "letters, digits and . _ : / - only"}
        name = path[-1] if path else ""
        return [(pointer, f"{field_} must be {wants[name]}" if name in wants else f"{field_} must not be blank", None)]
    if keyword == "type":
        kinds = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        names = {"string": "text", "integer": "a whole number", "array": "a list", "object": "a mapping"}
        return [(pointer, f"{field_} must be {' or '.join(names.get(k, k) for k in kinds)}, "
                          f"found {_kind(error.instance)}", None)]
    if keyword == "const" and path == ["version"]:
        return [(pointer, f"waiver file version {_show(error.instance)} is not supported", "write `version: 1`")]
    return [(pointer, f"{field_}: {_shorten(error.message)}", None)]


def _build(document, rule_ids: set[str]) -> tuple[list[Waiver], list[Diagnostic]]:
    waivers: list[Waiver] = []
    problems: list[Diagnostic] = []
    first_seen: dict[str, int] = {}
    for index, entry in enumerate(document.data["waivers"]):
        where = f"/waivers/{index}"
        expires = None
        try:
            expires = dt.date.fromisoformat(entry["expires"])
        except ValueError:
            problems.append(_diagnostic(document, f"{where}/expires", BAD_DATE,
                                        f"`expires` is not a calendar date: {entry['expires']}",
                                        "write the last day the waiver applies as YYYY-MM-DD"))
        if entry["rule"] not in rule_ids:
            problems.append(_diagnostic(document, f"{where}/rule", UNKNOWN_RULE,
                                        f"waiver {entry['id']} names rule `{entry['rule']}`, which is not loaded",
                                        _suggest(entry["rule"], sorted(rule_ids), None)))
        if _person(entry["approved_by"]) == _person(entry["requested_by"]):
            problems.append(_diagnostic(document, f"{where}/approved_by", SELF_APPROVED,
                                        f"waiver {entry['id']} is approved by its own requester "
                                        f"({entry['requested_by']})",
                                        "a waiver needs an approver other than the person who asked for it"))
        if entry["id"] in first_seen:
            earlier = document.locate(f"/waivers/{first_seen[entry['id']]}/id")
            problems.append(_diagnostic(document, f"{where}/id", DUPLICATE_ID, f"waiver id {entry['id']} is used twice",
                                        f"the first one is at line {earlier[0] if earlier else '?'}; "
                                        "give each waiver its own id"))
        else:
            first_seen[entry["id"]] = index
        if expires is not None:
            line, column = document.locate(where) or (1, 1)
            waivers.append(Waiver(entry["id"], entry["rule"], entry["justification"], entry["requested_by"],
                                  entry["approved_by"], expires, entry.get("item"), entry.get("item_id"),
                                  entry.get("fingerprint"), entry.get("reference"),
                                  Span(document.display, line, column)))
    return waivers, problems


def _person(name: str) -> str:
    return " ".join(name.split()).casefold()


def _what(path: list) -> str:
    if len(path) >= 2 and path[0] == "waivers" and isinstance(path[1], int):
        return f"waiver {path[1] + 1}"
    return "the waiver file"


def _required_hint(path: list) -> str | None:
    if not path:
        return "a waiver file is a mapping with a `waivers` list"
    if len(path) == 2:
        return "a waiver has id, rule, justification, requested_by, approved_by and expires"
    return None


def _suggest(word: str, candidates: list[str], listing: list[str] | None) -> str | None:
    close = difflib.get_close_matches(word, candidates, n=1)
    if close:
        return f"did you mean `{close[0]}`?"
    if listing:
        return "known fields: " + ", ".join(listing)
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "null"


def _show(value: Any) -> str:
    return _shorten(json.dumps(value, ensure_ascii=False))


def _shorten(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape(token: Any) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def _diagnostic(document, pointer: str, code: str, message: str, hint: str | None = None) -> Diagnostic:
    line, column = document.locate(pointer) or (1, 1)
    return Diagnostic(code, message, Span(document.display, line, column), hint=hint,
                      source_line=document.source_line(line))
