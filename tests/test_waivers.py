"""Gating: --fail-on, --allow-missing and --waivers, end to end through the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "example"
BROKEN = ROOT / "fixtures" / "broken-leadership"
REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
WAIVER_SCHEMA = json.loads((ROOT / "schemas" / "waivers.schema.json").read_text())

# Rules of our own over incidents: one whose findings are `missing` for incidents without a
# review, one that fails for every incident that is not P1, and one that always errs.
INCIDENT_RULES = '''\
rule T-REVIEW "Incidents have a review"
  clause 8.6.1
  severity minor
  for each incident in incidents
  expect incident.review.completed_on != null
  message "incident {incident.id} has no review date"

rule T-P1 "Incidents are P1"
  clause 8.6.1
  severity minor
  for each incident in incidents
  expect incident.priority == "P1"
  message "incident {incident.id} is {incident.priority}"

rule T-ERR "Division by zero"
  clause 8.6.1
  severity improvement
  expect count(incidents) / 0 > 1

rule T-ALWAYS "There is a list of incidents"
  clause 8.6.1
  severity minor
  expect count(incidents) >= 0
'''

WAIVER = {"justification": "The replacement is in approval", "requested_by": "alice.ng",
          "approved_by": "bob.okafor", "expires": "2025-12-31"}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True,
                          env={**os.environ}, cwd=cwd or ROOT, timeout=120)


def check_json(*args: str, expect_code: int | None = None) -> dict:
    result = run("check", *args, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    if expect_code is not None:
        assert result.returncode == expect_code, result.stdout[-2000:]
    report = json.loads(result.stdout)
    jsonschema.Draft202012Validator(REPORT_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(report)
    assert report["gate"]["failed"] == (result.returncode == 1)
    return report


def waiver_file(tmp_path: Path, *waivers: dict, name: str = "waivers.yaml") -> Path:
    """A waiver file, written as YAML by hand (or JSON for .json names)."""
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps({"waivers": list(waivers)}, indent=2))
        return path
    lines = ["waivers:"]
    for waiver in waivers:
        first = True
        for key, value in waiver.items():
            lines.append(f"  {'- ' if first else '  '}{key}: {json.dumps(value)}")
            first = False
    path.write_text("\n".join(lines) + "\n")
    return path


def waiver(id_: str, rule: str, **fields) -> dict:
    return {"id": id_, "rule": rule, **WAIVER, **fields}


def incident_rules(tmp_path: Path, *names: str) -> Path:
    rules = tmp_path / "incidents.rules"
    blocks = INCIDENT_RULES.split("\n\n")
    rules.write_text("\n\n".join(b for b in blocks if any(f'rule {n} "' in b for n in names)) + "\n")
    return rules


def rule_of(report: dict, rule_id: str) -> dict:
    return next(r for r in report["rules"] if r["id"] == rule_id)


def findings_of(report: dict, rule_id: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule_id]


def assert_input_error(result: subprocess.CompletedProcess, *located: str) -> None:
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    for text in located:
        assert text in result.stderr, result.stderr


# --- thresholds and --allow-missing ---------------------------------------------------------


def test_fail_on_compares_severities(tmp_path: Path) -> None:
    import engine

    rules = incident_rules(tmp_path, "T-P1")  # severity minor
    report = engine.check(engine.load_bundle(EXAMPLE), engine.load_rules([rules], builtin=False))
    gates = {t: report.gate(t) for t in ("major", "minor", "observation", "improvement", "never")}
    assert gates == {"major": False, "minor": True, "observation": True, "improvement": True, "never": False}
    base = (str(EXAMPLE), "--no-builtin", "--rules", str(rules))
    assert check_json(*base, "--fail-on", "major", expect_code=0)["gate"] == {"threshold": "major", "failed": False}
    assert check_json(*base, "--fail-on", "observation", expect_code=1)["gate"]["failed"]


def test_allow_missing_lets_missing_findings_pass_and_nothing_else(tmp_path: Path) -> None:
    bundle = EXAMPLE
    only_missing = incident_rules(tmp_path, "T-REVIEW")
    base = ("--no-builtin", "--rules", str(only_missing))
    report = check_json(str(bundle), *base, expect_code=1)
    assert rule_of(report, "T-REVIEW")["outcome"] == "missing"
    report = check_json(str(bundle), *base, "--allow-missing", expect_code=0)
    assert report["gate"] == {"threshold": "minor", "failed": False, "allow_missing": True}
    assert rule_of(report, "T-REVIEW")["outcome"] == "missing"  # still reported as missing
    text = run("check", str(bundle), *base, "--allow-missing")
    assert "Missing evidence does not gate (--allow-missing)." in text.stdout
    assert "Result: PASSED" in text.stdout
    # failures still gate with --allow-missing
    assert run("check", str(BROKEN), "--allow-missing").returncode == 1


def test_errors_gate_at_any_severity_unless_never(tmp_path: Path) -> None:
    bundle = EXAMPLE
    rules = incident_rules(tmp_path, "T-ERR")  # severity improvement
    base = (str(bundle), "--no-builtin", "--rules", str(rules))
    report = check_json(*base, "--fail-on", "major", "--allow-missing", expect_code=1)
    assert rule_of(report, "T-ERR")["outcome"] == "error"
    check_json(*base, "--fail-on", "never", expect_code=0)


def test_python_api_gate_takes_allow_missing(tmp_path: Path) -> None:
    import engine

    rules = engine.load_rules([incident_rules(tmp_path, "T-REVIEW")], builtin=False)
    bundle = engine.load_bundle(EXAMPLE)
    report = engine.check(bundle, rules)
    assert report.gate("minor") and not report.gate("minor", allow_missing=True)
    assert not engine.check(bundle, rules, allow_missing=True).gate("minor")


# --- waivers that apply ---------------------------------------------------------------------


def test_waiver_by_item_id_waives_the_finding(tmp_path: Path) -> None:
    file = waiver_file(tmp_path, waiver("W-1", "LEAD-5.1-01", item_id="pol-service-management"),
                       waiver("W-2", "ROLE-5.3-02"))
    plain = check_json(str(BROKEN), "--fail-on", "major", expect_code=1)
    report = check_json(str(BROKEN), "--fail-on", "major", "--waivers", str(file))
    lead = rule_of(report, "LEAD-5.1-01")
    assert lead["outcome"] == "waived" and lead["counts"]["waived"] == 1 and lead["counts"]["fail"] == 0
    [finding] = findings_of(report, "LEAD-5.1-01")
    assert finding["outcome"] == "waived"
    assert finding["waiver"] == {"id": "W-1", "status": "applied", "justification": WAIVER["justification"],
                                 "requested_by": "alice.ng", "approved_by": "bob.okafor",
                                 "expires": "2025-12-31", "waived_outcome": "fail"}
    assert rule_of(report, "ROLE-5.3-02")["outcome"] == "waived"
    assert report["summary"]["rules_by_outcome"]["waived"] == 2
    assert report["summary"]["findings_by_outcome"]["waived"] == 2
    majors = report["summary"]["failing_rules_by_severity"]["major"]
    assert majors == plain["summary"]["failing_rules_by_severity"]["major"] - 2
    assert report["unused_waivers"] == []
    # the minor failures are not waived: at the default threshold the run still fails
    minor = check_json(str(BROKEN), "--waivers", str(file), expect_code=1)
    assert {r["id"] for r in minor["rules"] if r["outcome"] == "fail"} >= {"CTX-4.1-01", "POL-5.2.1-02"}


def test_waiver_by_pointer_and_by_fingerprint(tmp_path: Path) -> None:
    plain = check_json(str(BROKEN))
    [role] = findings_of(plain, "ROLE-5.3-01")
    [policy] = findings_of(plain, "POL-5.2.1-02")
    file = waiver_file(tmp_path, waiver("BY-POINTER", "ROLE-5.3-01", item=role["pointer"]),
                       waiver("BY-FINGERPRINT", "POL-5.2.1-02", fingerprint=policy["fingerprint"]))
    report = check_json(str(BROKEN), "--waivers", str(file))
    assert findings_of(report, "ROLE-5.3-01")[0]["waiver"]["id"] == "BY-POINTER"
    assert findings_of(report, "POL-5.2.1-02")[0]["waiver"]["id"] == "BY-FINGERPRINT"
    assert rule_of(report, "ROLE-5.3-01")["outcome"] == "waived"
    assert rule_of(report, "POL-5.2.1-02")["outcome"] == "waived"
    # a waived finding keeps its fingerprint: the outcome is not part of it
    assert findings_of(report, "POL-5.2.1-02")[0]["fingerprint"] == policy["fingerprint"]


def test_waiving_every_failure_passes_the_gate_and_json_waiver_files_work(tmp_path: Path) -> None:
    plain = check_json(str(BROKEN), "--fail-on", "improvement", expect_code=1)
    failing = [r["id"] for r in plain["rules"] if r["outcome"] in ("fail", "missing")]
    erring = [r["id"] for r in plain["rules"] if r["outcome"] == "error"]
    file = waiver_file(tmp_path, *(waiver(f"W-{i}", rule) for i, rule in enumerate(failing)), name="w.json")
    report = check_json(str(BROKEN), "--fail-on", "improvement", "--waivers", str(file),
                        expect_code=1 if erring else 0)
    assert {r["id"] for r in report["rules"] if r["outcome"] == "waived"} == set(failing)
    assert not [f for f in report["findings"] if f["outcome"] in ("fail", "missing")]


def test_waiver_applies_to_one_item_only(tmp_path: Path) -> None:
    bundle = EXAMPLE
    rules = incident_rules(tmp_path, "T-P1")
    base = (str(bundle), "--no-builtin", "--rules", str(rules))
    before = findings_of(check_json(*base), "T-P1")
    assert len(before) >= 2
    target = before[0]["item_id"]
    file = waiver_file(tmp_path, waiver("ONE", "T-P1", item_id=target))
    report = check_json(*base, "--waivers", str(file), expect_code=1)
    outcomes = {f["item_id"]: f["outcome"] for f in findings_of(report, "T-P1")}
    assert outcomes[target] == "waived"
    assert all(outcome == "fail" for item, outcome in outcomes.items() if item != target)
    assert rule_of(report, "T-P1")["outcome"] == "fail"  # other items still fail
    assert rule_of(report, "T-P1")["counts"]["waived"] == 1


def test_missing_findings_can_be_waived_errors_cannot(tmp_path: Path) -> None:
    bundle = EXAMPLE
    rules = incident_rules(tmp_path, "T-REVIEW", "T-ERR")
    file = waiver_file(tmp_path, waiver("REVIEWS", "T-REVIEW"), waiver("ERRORS", "T-ERR"))
    report = check_json(str(bundle), "--no-builtin", "--rules", str(rules), "--waivers", str(file), expect_code=1)
    review = findings_of(report, "T-REVIEW")
    assert review and all(f["outcome"] == "waived" and f["waiver"]["waived_outcome"] == "missing" for f in review)
    assert rule_of(report, "T-ERR")["outcome"] == "error"
    assert [w["id"] for w in report["unused_waivers"]] == ["ERRORS"]


def test_text_report_shows_waived_findings(tmp_path: Path) -> None:
    file = waiver_file(tmp_path, waiver("W-7", "LEAD-5.1-01"))
    result = run("check", str(BROKEN), "--waivers", str(file))
    assert "WAIVED  LEAD-5.1-01" in result.stdout
    assert f"waived by W-7 until 2025-12-31 (approved by bob.okafor): {WAIVER['justification']}" in result.stdout
    assert " 1 waived." in result.stdout


def test_python_api_applies_waivers(tmp_path: Path) -> None:
    import engine
    from engine.waivers import load_waivers

    rules = engine.load_rules()
    waivers = load_waivers(waiver_file(tmp_path, waiver("W-1", "ROLE-5.3-02")), [r.id for r in rules.rules])
    report = engine.check(engine.load_bundle(BROKEN), rules, waivers=waivers)
    assert {r.rule_id: r.outcome for r in report.rules}["ROLE-5.3-02"] == "waived"
    assert report.unused_waivers == []


# --- expiry ---------------------------------------------------------------------------------


def test_expired_waiver_does_not_apply_and_says_so(tmp_path: Path) -> None:
    file = waiver_file(tmp_path, waiver("OLD", "LEAD-5.1-01", expires="2025-01-31"))
    report = check_json(str(BROKEN), "--fail-on", "major", "--waivers", str(file), expect_code=1)
    [finding] = findings_of(report, "LEAD-5.1-01")
    assert finding["outcome"] == "fail"
    assert finding["waiver"]["status"] == "expired"
    assert finding["waiver"]["note"] == "waiver OLD expired on 2025-01-31"
    assert report["unused_waivers"] == []  # it matched; it is just too old
    text = run("check", str(BROKEN), "--waivers", str(file)).stdout
    assert "waiver OLD expired on 2025-01-31" in text


def test_a_waiver_applies_on_its_expiry_day_and_not_after(tmp_path: Path) -> None:
    file = waiver_file(tmp_path, waiver("EDGE", "ROLE-5.3-02", expires="2025-06-30"))  # the bundle's as_of
    on_the_day = check_json(str(BROKEN), "--waivers", str(file))
    assert rule_of(on_the_day, "ROLE-5.3-02")["outcome"] == "waived"
    day_after = check_json(str(BROKEN), "--waivers", str(file), "--as-of", "2025-07-01")
    assert rule_of(day_after, "ROLE-5.3-02")["outcome"] == "fail"
    assert findings_of(day_after, "ROLE-5.3-02")[0]["waiver"]["status"] == "expired"


def test_an_unexpired_waiver_wins_over_an_expired_one(tmp_path: Path) -> None:
    file = waiver_file(tmp_path, waiver("OLD", "ROLE-5.3-02", expires="2024-01-01"),
                       waiver("NEW", "ROLE-5.3-02", expires="2026-01-01"))
    report = check_json(str(BROKEN), "--waivers", str(file))
    assert findings_of(report, "ROLE-5.3-02")[0]["waiver"]["id"] == "NEW"
    assert report["unused_waivers"] == []


# --- unused waivers -------------------------------------------------------------------------


def test_unused_waivers_are_reported_not_refused(tmp_path: Path) -> None:
    bundle = EXAMPLE
    rules = incident_rules(tmp_path, "T-ALWAYS", "T-P1")
    file = waiver_file(tmp_path, waiver("PASSING", "T-ALWAYS"),
                       waiver("NO-SUCH-ITEM", "T-P1", item_id="nobody"),
                       waiver("STALE", "T-ALWAYS", expires="2020-01-01"))
    base = (str(bundle), "--no-builtin", "--rules", str(rules), "--waivers", str(file))
    result = run("check", *base)
    assert result.returncode == 1 and result.stderr == ""  # T-P1 still fails
    assert "Unused waiver PASSING (rule T-ALWAYS): matches no failing or missing finding" in result.stdout
    assert "Unused waiver NO-SUCH-ITEM (rule T-P1, item_id nobody)" in result.stdout
    assert "Unused waiver STALE (rule T-ALWAYS, expired 2020-01-01)" in result.stdout
    report = check_json(*base)
    assert [(w["id"], w["status"]) for w in report["unused_waivers"]] == [
        ("PASSING", "active"), ("NO-SUCH-ITEM", "active"), ("STALE", "expired")]
    assert report["unused_waivers"][1]["item_id"] == "nobody"
    assert report["unused_waivers"][0]["location"]["line"] == 2


def test_without_waivers_the_report_has_no_waiver_fields() -> None:
    report = check_json(str(BROKEN))
    assert "unused_waivers" not in report and "baseline" not in report
    assert not any("waiver" in f for f in report["findings"])


# --- malformed waiver files: exit 2, located ------------------------------------------------


def _check_with(tmp_path: Path, text: str, name: str = "waivers.yaml", *extra: str) -> subprocess.CompletedProcess:
    path = tmp_path / name
    path.write_text(text)
    return run("check", str(BROKEN), "--waivers", str(path), *extra)


GOOD_ENTRY = ("  - id: W-1\n    rule: LEAD-5.1-01\n    justification: in approval\n"
              "    requested_by: alice\n    approved_by: bob\n    expires: 2025-12-31\n")


def test_the_good_entry_used_below_is_accepted(tmp_path: Path) -> None:
    result = _check_with(tmp_path, "waivers:\n" + GOOD_ENTRY, "waivers.yaml", "--fail-on", "never")
    assert result.returncode == 0, result.stderr


def test_bad_yaml_is_located(tmp_path: Path) -> None:
    result = _check_with(tmp_path, "waivers:\n  - id: W-1\n    rule: [unclosed\n")
    assert_input_error(result, "waivers.yaml:", "error[CG601]: cannot read the waiver file")


def test_missing_waiver_file(tmp_path: Path) -> None:
    result = run("check", str(BROKEN), "--waivers", str(tmp_path / "nowhere.yaml"))
    assert_input_error(result, "nowhere.yaml", "CG601")


def test_waiver_file_must_be_yaml_or_json(tmp_path: Path) -> None:
    assert_input_error(_check_with(tmp_path, "waivers: []\n", "waivers.txt"), "CG601")


def test_yaml_anchors_are_refused_as_in_evidence(tmp_path: Path) -> None:
    text = "waivers:\n" + GOOD_ENTRY.replace("requested_by: alice", "requested_by: &who alice")
    assert_input_error(_check_with(tmp_path, text), "CG601")


@pytest.mark.parametrize(("entry_edit", "line", "message"), [
    (lambda e: e.replace("    justification: in approval\n", ""), 2, "waiver 1 has no `justification`"),
    (lambda e: e.replace("    expires: 2025-12-31\n", ""), 2, "waiver 1 has no `expires`"),
    (lambda e: e + "    justfication: typo\n", 8, "unknown field `justfication` in waiver 1"),
    (lambda e: e + "    item: /policies/0\n    item_id: pol-service-management\n", 2,
     "waiver 1 names its item more than one way (`item`, `item_id`)"),
    (lambda e: e + "    fingerprint: abc\n", 8, "`fingerprint` must be 64 lowercase hexadecimal digits"),
    (lambda e: e + "    item: policies/0\n", 8, "`item` must be a JSON Pointer starting with `/`"),
    (lambda e: e.replace("in approval", '"   "'), 4, "`justification` must not be blank"),
    (lambda e: e.replace("2025-12-31", "31/12/2025"), 7, "`expires` must be a date written YYYY-MM-DD"),
    (lambda e: e.replace("2025-12-31", "20251231"), 7, "`expires` must be text, found a number"),
    (lambda e: e.replace("approved_by: bob", "approved_by: [bob]"), 6, "`approved_by` must be text, found a list"),
])
def test_schema_violations_are_located(tmp_path: Path, entry_edit, line: int, message: str) -> None:
    result = _check_with(tmp_path, "waivers:\n" + entry_edit(GOOD_ENTRY))
    assert_input_error(result, f"waivers.yaml:{line}:", f"error[CG602]: {message}")


def test_top_level_shape_is_checked(tmp_path: Path) -> None:
    assert_input_error(_check_with(tmp_path, "waiver:\n" + GOOD_ENTRY), "CG602", "has no `waivers`",
                       "unknown field `waiver`")
    assert_input_error(_check_with(tmp_path, "version: 2\nwaivers: []\n"), "waivers.yaml:1:10:",
                       "waiver file version 2 is not supported")
    assert _check_with(tmp_path, "version: 1\nwaivers: []\n", "waivers.yaml", "--fail-on", "never").returncode == 0


def test_unknown_rule_is_located_with_a_suggestion(tmp_path: Path) -> None:
    result = _check_with(tmp_path, "waivers:\n" + GOOD_ENTRY.replace("LEAD-5.1-01", "LEAD-5.1-1"))
    assert_input_error(result, "waivers.yaml:3:11: error[CG603]: waiver W-1 names rule `LEAD-5.1-1`, which is not loaded",
                       "did you mean `LEAD-5.1-01`?")


def test_rules_loaded_with_rules_option_can_be_waived(tmp_path: Path) -> None:
    bundle = EXAMPLE
    rules = incident_rules(tmp_path, "T-P1")
    file = waiver_file(tmp_path, waiver("W-1", "T-P1"))
    assert run("check", str(bundle), "--no-builtin", "--rules", str(rules), "--waivers", str(file)).returncode == 0
    # without --rules, T-P1 is not a loaded rule
    assert_input_error(run("check", str(bundle), "--waivers", str(file)), "CG603")


def test_approver_must_not_be_the_requester(tmp_path: Path) -> None:
    text = "waivers:\n" + GOOD_ENTRY.replace("approved_by: bob", "approved_by: ' Alice '")
    result = _check_with(tmp_path, text)
    assert_input_error(result, "waivers.yaml:6:18: error[CG604]: waiver W-1 is approved by its own requester")


def test_impossible_date_is_located(tmp_path: Path) -> None:
    result = _check_with(tmp_path, "waivers:\n" + GOOD_ENTRY.replace("2025-12-31", "2025-02-30"))
    assert_input_error(result, "waivers.yaml:7:14: error[CG605]: `expires` is not a calendar date: 2025-02-30")


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    result = _check_with(tmp_path, "waivers:\n" + GOOD_ENTRY + GOOD_ENTRY)
    assert_input_error(result, "waivers.yaml:8:9: error[CG606]: waiver id W-1 is used twice", "line 2")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    second = (GOOD_ENTRY.replace("W-1", "W-2").replace("LEAD-5.1-01", "NOPE")
              .replace("approved_by: bob", "approved_by: alice"))
    result = _check_with(tmp_path, "waivers:\n" + GOOD_ENTRY + second)
    assert_input_error(result, "CG603", "CG604")


def test_waiver_problems_as_json_with_json_format(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"waivers": [waiver("W-1", "LEAD-5.1-01", approved_by="alice.ng")]}, indent=2))
    result = run("check", str(BROKEN), "--waivers", str(path), "--format", "json")
    assert result.returncode == 2 and result.stdout == ""
    [diagnostic] = json.loads(result.stderr)["diagnostics"]
    assert diagnostic["code"] == "CG604" and diagnostic["span"]["file"] == str(path)
    assert diagnostic["span"]["line"] == 8


def test_a_bad_waiver_file_is_refused_before_the_bundle_is_read(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("waivers: 3\n")
    result = run("check", str(tmp_path / "no-bundle"), "--waivers", str(path))
    assert_input_error(result, "w.yaml:1:10: error[CG602]: `waivers` must be a list, found a number")


# --- the waiver schema itself ---------------------------------------------------------------


def test_waiver_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(WAIVER_SCHEMA)
    assert WAIVER_SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_docs_example_waiver_file_is_valid() -> None:
    text = (ROOT / "docs" / "gating.md").read_text("utf-8")
    example = text.split("```yaml\n", 1)[1].split("\n```", 1)[0]
    import yaml

    data = yaml.safe_load(example)
    for entry in data["waivers"]:  # PyYAML reads dates as dates; the clausegate loader keeps text
        entry["expires"] = str(entry["expires"])
    jsonschema.Draft202012Validator(WAIVER_SCHEMA).validate(data)
    assert len(data["waivers"]) >= 2


def test_evidence_limits_bound_the_waiver_file(tmp_path: Path) -> None:
    result = _check_with(tmp_path, "waivers:\n" + GOOD_ENTRY * 3, "waivers.yaml", "--limit", "max_file_bytes=100")
    assert_input_error(result, "CG601", "waivers.yaml", "--limit max_file_bytes=N")
