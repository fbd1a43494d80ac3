"""Fingerprints and --baseline: gate only on findings that are new since an earlier report."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "example"
BROKEN = ROOT / "fixtures" / "broken-leadership"
REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text())

P1_RULE = '''\
rule T-P1 "Incidents are P1"
  clause 8.6.1
  severity minor
  for each incident in incidents
  expect incident.priority == "P1"
  message "incident {incident.id} is {incident.priority}"
'''
ERROR_RULE = '''\
rule T-ERR "Division by zero"
  clause 8.6.1
  severity minor
  expect count(incidents) / 0 > 1
'''


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True,
                          env={**os.environ}, cwd=ROOT, timeout=120)


def check_json(*args: str, expect_code: int | None = None) -> dict:
    result = run("check", *args, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    if expect_code is not None:
        assert result.returncode == expect_code, result.stdout[-2000:]
    report = json.loads(result.stdout)
    jsonschema.Draft202012Validator(REPORT_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(report)
    return report


def write_report(path: Path, *args: str) -> Path:
    result = run("check", *args, "--format", "json", "--output", str(path))
    assert result.returncode in (0, 1), result.stderr
    return path


@pytest.fixture(scope="module")
def broken_report(tmp_path_factory) -> Path:
    """The broken fixture's JSON report, written once for the module; tests only read it."""
    return write_report(tmp_path_factory.mktemp("reports") / "broken.json", str(BROKEN))


def copy_bundle(tmp_path: Path, source: Path = EXAMPLE, name: str = "bundle") -> Path:
    bundle = tmp_path / name
    shutil.copytree(source, bundle)
    return bundle


def rules_file(tmp_path: Path, *texts: str) -> Path:
    path = tmp_path / "mine.rules"
    path.write_text("\n".join(texts))
    return path


def shuffle_incidents(bundle: Path, seed: int) -> None:
    path = bundle / "incidents.jsonl"
    lines = path.read_text().splitlines()
    shuffled = lines[:]
    random.Random(seed).shuffle(shuffled)
    assert shuffled != lines
    path.write_text("\n".join(shuffled) + "\n")


def by_item(report: dict, rule: str) -> dict:
    return {f["item_id"]: f for f in report["findings"] if f["rule"] == rule}


def assert_input_error(result: subprocess.CompletedProcess, *located: str) -> None:
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    for text in located:
        assert text in result.stderr, result.stderr


# --- fingerprints ---------------------------------------------------------------------------


def test_every_finding_has_a_distinct_fingerprint(broken_report: Path) -> None:
    report = json.loads(broken_report.read_text())
    jsonschema.Draft202012Validator(REPORT_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(report)
    prints = [f["fingerprint"] for f in report["findings"]]
    assert prints and len(set(prints)) == len(prints)
    assert all(len(p) == 64 and set(p) <= set("0123456789abcdef") for p in prints)


def test_fingerprints_survive_reordering_of_records(tmp_path: Path) -> None:
    rules = rules_file(tmp_path, P1_RULE)
    bundle = copy_bundle(tmp_path)
    before = by_item(check_json(str(bundle), "--no-builtin", "--rules", str(rules)), "T-P1")
    shuffle_incidents(bundle, seed=20)
    after = by_item(check_json(str(bundle), "--no-builtin", "--rules", str(rules)), "T-P1")
    assert len(before) > 10 and before.keys() == after.keys()
    assert any(before[k]["pointer"] != after[k]["pointer"] for k in before)  # they did move
    assert {k: f["fingerprint"] for k, f in before.items()} == {k: f["fingerprint"] for k, f in after.items()}


def test_fingerprints_survive_reordering_of_the_broken_fixture_too(tmp_path: Path) -> None:
    bundle = copy_bundle(tmp_path, BROKEN)
    before = sorted(f["fingerprint"] for f in check_json(str(bundle))["findings"])
    shuffle_incidents(bundle, seed=3)
    assert sorted(f["fingerprint"] for f in check_json(str(bundle))["findings"]) == before


def test_fingerprint_ignores_the_outcome_and_uses_the_id_before_the_pointer() -> None:
    from engine.findings import finding_fingerprint

    by_id = finding_fingerprint("R-1", "INC-1", "/incidents/0")
    assert by_id == finding_fingerprint("R-1", "INC-1", "/incidents/7")  # position does not count
    assert by_id != finding_fingerprint("R-2", "INC-1", "/incidents/0")
    assert by_id != finding_fingerprint("R-1", "INC-2", "/incidents/0")
    assert finding_fingerprint("R-1", 1, None) != finding_fingerprint("R-1", "1", None)
    by_pointer = finding_fingerprint("R-1", None, "/incidents/0")
    assert by_pointer != finding_fingerprint("R-1", None, "/incidents/1")
    assert by_pointer != finding_fingerprint("R-1", "/incidents/0", None)  # an id that looks like a pointer
    assert finding_fingerprint("R-1", None, None) not in (by_id, by_pointer)


def test_fingerprint_is_documented_and_reproducible(broken_report: Path) -> None:
    import hashlib

    from engine.findings import finding_fingerprint

    text = json.dumps(["clausegate-finding/1", "R-1", "id", "INC-1"], separators=(",", ":"))
    assert finding_fingerprint("R-1", "INC-1", None) == hashlib.sha256(text.encode()).hexdigest()
    report = json.loads(broken_report.read_text())
    finding = next(f for f in report["findings"] if f["rule"] == "LEAD-5.1-01")
    assert finding["fingerprint"] == finding_fingerprint("LEAD-5.1-01", finding["item_id"], finding["pointer"])


def test_repeated_keys_are_told_apart_in_order() -> None:
    from engine.findings import fingerprints

    prints = fingerprints([("R", "A", "/x/0/items/0"), ("R", "A", "/x/1/items/0"), ("R", "B", "/x/1/items/1")])
    assert len(set(prints)) == 3
    assert prints == fingerprints([("R", "A", "/x/0/items/0"), ("R", "A", "/x/1/items/0"), ("R", "B", None)])


# --- baselines ------------------------------------------------------------------------------


def problems(report: dict) -> set[str]:
    return {f["fingerprint"] for f in report["findings"] if f["outcome"] in ("fail", "missing", "error")}


def has_errors(report: dict) -> bool:
    return any(f["outcome"] == "error" for f in report["findings"])


def test_same_bundle_against_its_own_baseline_passes(tmp_path: Path, broken_report: Path) -> None:
    baseline = broken_report
    report = check_json(str(BROKEN), "--baseline", str(baseline))
    assert report["gate"]["failed"] == has_errors(report)
    problems = [f for f in report["findings"] if f["outcome"] in ("fail", "missing", "error")]
    assert problems and all(f["baseline_status"] == "existing" for f in problems)
    assert report["baseline"]["new"] == [] and report["baseline"]["fixed"] == []
    assert sorted(r["fingerprint"] for r in report["baseline"]["still_failing"]) == \
        sorted(f["fingerprint"] for f in problems)
    assert report["baseline"]["file"] == str(baseline) and report["baseline"]["format_version"].startswith("1.")
    assert {r["id"] for r in report["rules"] if r["outcome"] == "fail"}  # still reported as failing
    text = run("check", str(BROKEN), "--baseline", str(baseline))
    assert f"Baseline {baseline}: 0 new, {len(problems)} still failing, 0 fixed." in text.stdout
    assert "fail (existing)" in text.stdout


def test_regressions_against_a_better_baseline_are_new_and_gate(tmp_path: Path) -> None:
    baseline = write_report(tmp_path / "clean.json", str(EXAMPLE))
    before = json.loads(baseline.read_text())
    report = check_json(str(BROKEN), "--baseline", str(baseline), expect_code=1)
    new = {r["fingerprint"] for r in report["baseline"]["new"]}
    assert new == problems(report) - problems(before)
    assert {r["fingerprint"] for r in report["baseline"]["still_failing"]} == problems(report) & problems(before)
    assert {r["fingerprint"] for r in report["baseline"]["fixed"]} == problems(before) - problems(report)
    lead = next(f for f in report["findings"] if f["rule"] == "LEAD-5.1-01")  # fails only in the broken one
    assert lead["fingerprint"] in new and lead["baseline_status"] == "new"
    assert all(f["baseline_status"] == ("new" if f["fingerprint"] in new else "existing")
               for f in report["findings"] if f["outcome"] in ("fail", "missing", "error"))
    assert not any("baseline_status" in f for f in report["findings"] if f["outcome"] == "not_applicable")
    assert {"rule", "outcome", "fingerprint"} <= set(report["baseline"]["new"][0])


def test_fixed_findings_are_listed(tmp_path: Path, broken_report: Path) -> None:
    baseline = broken_report
    old = json.loads(baseline.read_text())
    report = check_json(str(EXAMPLE), "--baseline", str(baseline))
    fixed = report["baseline"]["fixed"]
    assert {r["fingerprint"] for r in fixed} == problems(old) - problems(report)
    lead = next(r for r in fixed if r["rule"] == "LEAD-5.1-01")
    assert lead["item_id"] == "pol-service-management" and lead["outcome"] == "fail"
    counts = (len(report["baseline"]["new"]), len(report["baseline"]["still_failing"]), len(fixed))
    text = run("check", str(EXAMPLE), "--baseline", str(baseline)).stdout
    assert "{} new, {} still failing, {} fixed.".format(*counts) in text


def test_only_new_failures_gate(tmp_path: Path) -> None:
    rules = rules_file(tmp_path, P1_RULE)
    bundle = copy_bundle(tmp_path)
    baseline = write_report(tmp_path / "baseline.json", str(bundle), "--no-builtin", "--rules", str(rules))
    # a new incident that is not P1, and the records reordered
    path = bundle / "incidents.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()]
    extra = dict(next(r for r in records if r["priority"] != "P1"), id="INC-2025-9999")
    records.append(extra)
    random.Random(5).shuffle(records)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    base = (str(bundle), "--no-builtin", "--rules", str(rules), "--baseline", str(baseline))
    report = check_json(*base, expect_code=1)
    assert [(r["rule"], r["item_id"]) for r in report["baseline"]["new"]] == [("T-P1", "INC-2025-9999")]
    assert by_item(report, "T-P1")["INC-2025-9999"]["baseline_status"] == "new"
    assert len(report["baseline"]["still_failing"]) == len(by_item(report, "T-P1")) - 1
    assert "fail (new) /incidents/" in run("check", *base).stdout
    # the new finding is minor: with --fail-on major it does not gate
    check_json(*base, "--fail-on", "major", expect_code=0)


def test_errors_gate_even_when_the_baseline_has_them(tmp_path: Path) -> None:
    rules = rules_file(tmp_path, ERROR_RULE)
    baseline = write_report(tmp_path / "baseline.json", str(EXAMPLE), "--no-builtin", "--rules", str(rules))
    report = check_json(str(EXAMPLE), "--no-builtin", "--rules", str(rules), "--baseline", str(baseline),
                        expect_code=1)
    [error] = [f for f in report["findings"] if f["outcome"] == "error"]
    assert error["baseline_status"] == "existing"


def test_waived_findings_are_neither_new_nor_fixed(tmp_path: Path, broken_report: Path) -> None:
    baseline = broken_report
    waivers = tmp_path / "w.yaml"
    waivers.write_text("waivers:\n  - id: W-1\n    rule: ROLE-5.3-02\n    justification: handover\n"
                       "    requested_by: a\n    approved_by: b\n    expires: 2030-01-01\n")
    report = check_json(str(BROKEN), "--baseline", str(baseline), "--waivers", str(waivers))
    [waived] = [f for f in report["findings"] if f["outcome"] == "waived"]
    assert waived["baseline_status"] == "existing"
    listed = {r["fingerprint"] for key in ("new", "still_failing", "fixed") for r in report["baseline"][key]}
    assert waived["fingerprint"] not in listed


def test_a_format_1_0_report_without_fingerprints_is_a_usable_baseline(tmp_path: Path,
                                                                       broken_report: Path) -> None:
    old = json.loads(broken_report.read_text())
    old["format_version"] = "1.0"
    for finding in old["findings"]:
        del finding["fingerprint"]
    baseline = tmp_path / "old.json"
    baseline.write_text(json.dumps(old))
    report = check_json(str(BROKEN), "--baseline", str(baseline))
    assert report["baseline"]["new"] == [] and report["baseline"]["fixed"] == []
    assert report["baseline"]["format_version"] == "1.0"


def test_baseline_written_from_any_file_name(tmp_path: Path, broken_report: Path) -> None:
    baseline = Path(shutil.copy(broken_report, tmp_path / "baseline.out"))
    assert check_json(str(BROKEN), "--baseline", str(baseline))["baseline"]["new"] == []


def test_python_api_applies_a_baseline(tmp_path: Path, broken_report: Path) -> None:
    import engine
    from engine.baseline import load_baseline

    baseline = load_baseline(broken_report)
    report = engine.check(engine.load_bundle(BROKEN), engine.load_rules(), baseline=baseline)
    assert report.baseline["new"] == []
    assert report.gate("minor") == any(f.outcome == "error" for f in report.findings)
    assert engine.check(engine.load_bundle(BROKEN), engine.load_rules()).gate("minor")


# --- bad baselines: exit 2 ------------------------------------------------------------------


def test_missing_baseline_file(tmp_path: Path) -> None:
    result = run("check", str(BROKEN), "--baseline", str(tmp_path / "nowhere.json"))
    assert_input_error(result, "nowhere.json", "error[CG611]: cannot read the baseline report")


def test_baseline_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('{"format_version": "1.1",\n  "tool": oops}\n')
    assert_input_error(run("check", str(BROKEN), "--baseline", str(path)), f"{path}:2:", "CG611")


def test_baseline_that_is_an_evidence_bundle_not_a_report(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('{"meta": {"as_of": "2025-06-30"}}\n')
    assert_input_error(run("check", str(BROKEN), "--baseline", str(path)),
                       f"{path}:1:1: error[CG612]: the baseline is not a clausegate JSON report")


def test_baseline_that_is_a_list(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text("[]\n")
    assert_input_error(run("check", str(BROKEN), "--baseline", str(path)), "CG611")


@pytest.mark.parametrize("version", ["2.0", "1", 1.1])
def test_baseline_of_another_format_version(tmp_path: Path, version, broken_report: Path) -> None:
    report = json.loads(broken_report.read_text())
    report["format_version"] = version
    path = tmp_path / "b.json"
    path.write_text(json.dumps(report, indent=2))
    result = run("check", str(BROKEN), "--baseline", str(path))
    if isinstance(version, str):
        assert_input_error(result, f"{path}:2:", f"error[CG612]: the baseline report has format {version}",
                           "reads format 1.x")
    else:
        assert_input_error(result, "error[CG612]: the baseline report has no `format_version`")


def test_baseline_without_findings(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"format_version": "1.1", "tool": {"name": "clausegate", "version": "x"}}))
    assert_input_error(run("check", str(BROKEN), "--baseline", str(path)), "CG612", "no `findings` list")


def test_baseline_with_a_malformed_finding_is_located(tmp_path: Path, broken_report: Path) -> None:
    report = json.loads(broken_report.read_text())
    del report["findings"][1]["rule"]
    report["findings"][2]["fingerprint"] = "not-hex"
    path = tmp_path / "b.json"
    path.write_text(json.dumps(report, indent=2))
    result = run("check", str(BROKEN), "--baseline", str(path))
    assert_input_error(result, "error[CG613]: finding 1 of the baseline has no valid `rule`",
                       "error[CG613]: finding 2 of the baseline has no valid `fingerprint`")
    assert result.stderr.startswith(f"{path}:")


def test_baseline_problems_as_json_with_json_format(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text("{}\n")
    result = run("check", str(BROKEN), "--baseline", str(path), "--format", "json")
    assert result.returncode == 2 and result.stdout == ""
    assert json.loads(result.stderr)["diagnostics"][0]["code"] == "CG612"


def test_evidence_limits_bound_the_baseline_file(tmp_path: Path, broken_report: Path) -> None:
    baseline = broken_report
    result = run("check", str(BROKEN), "--baseline", str(baseline), "--limit", "max_file_bytes=1000")
    assert_input_error(result, "CG611", "broken.json", "larger than the limit of 1000 bytes",
                       "--limit max_file_bytes=N")
