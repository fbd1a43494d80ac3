"""The SARIF reporter: valid against the OASIS schema, shaped the way GitHub code scanning reads it."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from engine.findings import FAILING
from engine.reporters import RenderOptions, sarif
from reporter_helpers import AS_OF, BROKEN, ROOT, make_synthetic

SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())


def render(report, **limits) -> dict:
    document = json.loads(sarif.render(report, RenderOptions(), **limits))
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    return document


def test_the_schema_copy_is_the_official_draft_04_one() -> None:
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert SCHEMA["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    jsonschema.Draft4Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("name", ["example_report", "broken_report"])
def test_fixture_reports_are_valid_sarif(name: str, request) -> None:
    report = request.getfixturevalue(name)
    run = render(report)["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [r.rule_id for r in report.rules]
    assert len(run["results"]) == sum(1 for f in report.findings if f.outcome in FAILING)


def test_driver_and_rule_descriptors(synthetic) -> None:
    driver = render(synthetic)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "clausegate" and driver["version"] == "9.9.9"
    assert driver["informationUri"].startswith("https://")
    rule = next(r for r in driver["rules"] if r["id"] == "FAIL-1")
    assert rule["shortDescription"]["text"] == "Title of FAIL-1"
    assert rule["fullDescription"]["text"] == "Why FAIL-1 matters."
    assert "Fix FAIL-1." in rule["help"]["text"] and "Fix FAIL-1." in rule["help"]["markdown"]
    assert rule["helpUri"] == "docs/rules/clause-8.6.1.md#fail-1"
    assert rule["defaultConfiguration"]["level"] == "error"
    props = rule["properties"]
    assert props["tags"] == ["t1", "t2"]  # distinct, as the schema demands
    assert props["clauses"] == [{"number": "8.6.1", "title": "Incident management"},
                                {"number": "4.1", "title": "Understanding the organization and its context"}]
    assert (props["problem.severity"], props["security-severity"], props["precision"]) == ("error", "8.0", "very-high")


@pytest.mark.parametrize("severity, level, problem, score", [
    ("major", "error", "error", "8.0"), ("minor", "warning", "warning", "5.0"),
    ("observation", "note", "recommendation", "3.0"), ("improvement", "note", "recommendation", "1.0")])
def test_severity_mapping(severity, level, problem, score) -> None:
    report = make_synthetic()
    for rule in report.rules:
        rule.severity = severity
    for finding in report.findings:
        finding.severity = severity
    run = render(report)["runs"][0]
    assert {r["defaultConfiguration"]["level"] for r in run["tool"]["driver"]["rules"]} == {level}
    assert {r["properties"]["problem.severity"] for r in run["tool"]["driver"]["rules"]} == {problem}
    assert {r["properties"]["security-severity"] for r in run["tool"]["driver"]["rules"]} == {score}
    assert {r["level"] for r in run["results"]} == {level}


def test_results_are_the_failing_findings_with_locations(synthetic) -> None:
    run = render(synthetic)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [r["properties"]["outcome"] for r in results] == ["fail", "error", "fail", "fail", "fail", "missing",
                                                             "missing"]  # no not_applicable
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        assert len(result["locations"]) == 1
    first = results[0]["locations"][0]["physicalLocation"]
    assert first == {"artifactLocation": {"uri": "bundle/incidents.yaml"},
                     "region": {"startLine": 37, "startColumn": 5}}
    error = next(r for r in results if r["properties"]["outcome"] == "error")
    assert error["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "rules/mine.rules"}, "region": {"startLine": 12, "startColumn": 10}}
    nowhere = results[-1]  # missing evidence with no place in any file: the bundle itself
    assert nowhere["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "bundle"}}
    decided = results[3]["properties"]["decided_by"]
    assert {"expression": "incident.reviewed", "value": False} in decided


def test_fingerprints_are_unique_and_ignore_record_order(synthetic) -> None:
    results = render(synthetic)["runs"][0]["results"]
    prints = [r["partialFingerprints"]["clausegate/v1"] for r in results]
    assert len(set(prints)) == len(prints)
    moved = make_synthetic()
    for finding in moved.findings:  # the same items, now at other positions in the file
        if finding.pointer:
            finding.pointer = finding.pointer.replace("/incidents/", "/incidents/9")
    assert [r["partialFingerprints"] for r in render(moved)["runs"][0]["results"]] == \
        [r["partialFingerprints"] for r in results]


def test_fingerprints_survive_reordered_evidence_records(tmp_path: Path, broken_report) -> None:
    import datetime as dt

    import engine

    bundle = tmp_path / "bundle"
    shutil.copytree(BROKEN, bundle)
    roles = yaml.safe_load((bundle / "roles.yaml").read_text())
    roles["roles"].reverse()
    (bundle / "roles.yaml").write_text(yaml.safe_dump(roles, sort_keys=False))
    moved = engine.check(engine.load_bundle(bundle), engine.load_rules(), as_of=dt.date.fromisoformat(AS_OF))

    def prints(report) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for result in render(report)["runs"][0]["results"]:
            out.setdefault(result["ruleId"], set()).add(result["partialFingerprints"]["clausegate/v1"])
        return out

    before, after = prints(broken_report), prints(moved)
    assert before == after
    pointers = lambda r: {f.pointer for f in r.findings if f.rule_id.startswith("ROLE")}  # noqa: E731
    assert pointers(broken_report) != pointers(moved)  # the records did move


def test_too_many_results_keeps_the_most_severe(synthetic) -> None:
    run = render(synthetic, max_results=3)["runs"][0]
    kept = [(r["ruleId"], r["properties"]["outcome"]) for r in run["results"]]
    # major FAIL-1 (2 fail, 1 missing) first, in report order; minor and observation dropped
    assert kept == [("FAIL-1", "fail"), ("FAIL-1", "fail"), ("FAIL-1", "missing")]
    assert run["properties"]["clausegate"]["dropped_results"] == 4
    assert run["properties"]["clausegate"]["dropped_by_severity"] == {"minor": 2, "observation": 2}
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["level"] == "warning" and "4 of 7 results" in notes[0]["message"]["text"]


def test_size_limit_drops_results_until_the_gzipped_log_fits(synthetic) -> None:
    full = sarif.render(synthetic, RenderOptions())
    limit = len(gzip.compress(full.encode(), mtime=0)) - 1
    run = render(synthetic, max_gzip_bytes=limit)["runs"][0]
    assert 0 < run["properties"]["clausegate"]["dropped_results"] < 7
    text = sarif.render(synthetic, RenderOptions(), max_gzip_bytes=limit)
    assert len(gzip.compress(text.encode(), mtime=0)) <= limit


def test_nothing_dropped_means_no_notification(synthetic) -> None:
    run = render(synthetic)["runs"][0]
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["properties"]["clausegate"]["dropped_results"] == 0


def test_provenance_in_run_properties(synthetic) -> None:
    run = render(synthetic)["runs"][0]
    facts = run["properties"]["clausegate"]
    assert facts["tool_version"] == "9.9.9" and facts["as_of"] == AS_OF
    assert facts["rule_set_digest"] == "d" * 64
    assert facts["evidence_files"][0] == {"path": "bundle/incidents.yaml", "sha256": "a" * 64}
    assert facts["gate"] == {"threshold": "minor", "failed": True}
    assert run["artifacts"][1] == {"location": {"uri": "bundle/meta.yaml"}, "roles": ["analysisTarget"],
                                   "hashes": {"sha-256": "b" * 64}}


def test_waived_findings_are_counted_not_reported(synthetic) -> None:
    synthetic.findings[0].outcome = "waived"
    run = render(synthetic)["runs"][0]
    assert len(run["results"]) == 6 and run["properties"]["clausegate"]["waived_findings"] == 1


def test_artifact_uris(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert sarif.artifact_uri("a b/c#d.yaml") == "a%20b/c%23d.yaml"
    assert sarif.artifact_uri("./x/../y.yaml") == "y.yaml"
    assert sarif.artifact_uri(str(tmp_path / "sub" / "e.yaml")) == "sub/e.yaml"
    outside = tmp_path.parent / "elsewhere.yaml"
    assert sarif.artifact_uri(str(outside)) == outside.as_uri()
