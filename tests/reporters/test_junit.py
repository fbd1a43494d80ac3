"""The JUnit reporter: read back with ElementTree, as GitLab and Jenkins would read it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from engine.reporters import RenderOptions, junit
from reporter_helpers import HOSTILE


def parse(report, threshold: str = "minor") -> ET.Element:
    text = junit.render(report, RenderOptions(threshold=threshold))
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def counts(element: ET.Element) -> dict[str, int]:
    return {k: int(element.get(k)) for k in ("tests", "failures", "errors", "skipped")}


def test_one_suite_per_clause_one_case_per_rule(synthetic) -> None:
    root = parse(synthetic)
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["clause 4.1 Understanding the organization and its context",
                            "clause 5.1 Leadership and commitment",
                            "clause 5.2.1 Establishing the service management policy",
                            "clause 8.6.1 Incident management"]
    incident = suites["clause 8.6.1 Incident management"]
    cases = incident.findall("testcase")
    assert [c.get("name") for c in cases] == ["FAIL-1 Title of FAIL-1", "MISS-1 Title of MISS-1"]
    assert {c.get("classname") for c in cases} == {"clause 8.6.1"}


def test_outcomes_become_failure_error_and_skipped(synthetic) -> None:
    root = parse(synthetic)
    case = {c.get("name").split()[0]: c for c in root.iter("testcase")}
    assert list(case["PASS-1"]) == []
    failure = case["FAIL-1"].find("failure")
    assert failure.get("type") == "fail" and failure.get("message") == "[major] 2 items failed"
    assert failure.text.splitlines() == [
        "fail: /incidents/0 (bundle/incidents.yaml:2:5): incident INC-0 was not reviewed",
        "fail: /incidents/1 (bundle/incidents.yaml:7:5): incident INC-1 was not reviewed",
        "missing: /incidents/2 (bundle/incidents.yaml:12:5): the evidence needed to decide is absent: "
        "/incidents/2/review"]
    missing = case["MISS-1"].find("failure")
    assert missing.get("type") == "missing" and "/problems" in missing.text
    error = case["ERR-1"].find("error")
    assert error.get("type") == "error" and "rules/mine.rules:12:10" in error.text
    assert case["ERR-1"].find("failure") is None
    skipped = case["NA-1"].find("skipped")
    assert skipped is not None and "does not apply" in skipped.get("message")


def test_counts_are_consistent(synthetic, broken_report, example_report) -> None:
    for report in (synthetic, broken_report, example_report):
        root = parse(report)
        total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for suite in root.findall("testsuite"):
            cases = suite.findall("testcase")
            expected = {"tests": len(cases),
                        "failures": sum(1 for c in cases if c.find("failure") is not None),
                        "errors": sum(1 for c in cases if c.find("error") is not None),
                        "skipped": sum(1 for c in cases if c.find("skipped") is not None)}
            assert counts(suite) == expected, suite.get("name")
            for key in total:
                total[key] += expected[key]
        assert counts(root) == total
        assert total["tests"] == len(report.rules)
    assert counts(parse(synthetic)) == {"tests": 6, "failures": 3, "errors": 1, "skipped": 1}


def test_broken_fixture_fails_its_rules(broken_report) -> None:
    root = parse(broken_report)
    failing = {c.get("name").split()[0] for c in root.iter("testcase") if c.find("failure") is not None}
    assert failing == {r.rule_id for r in broken_report.rules if r.outcome in ("fail", "missing")}
    assert failing  # the fixture is broken on purpose


def test_provenance_properties_in_every_suite(synthetic) -> None:
    for suite in parse(synthetic).findall("testsuite"):
        props = {p.get("name"): p.get("value") for p in suite.find("properties")}
        assert props["tool_version"] == "9.9.9" and props["as_of"] == "2025-06-30"
        assert props["rule_set_digest"] == "d" * 64
        assert props["evidence:bundle/incidents.yaml"] == "sha256:" + "a" * 64
        assert suite[0].tag == "properties"  # before the test cases, as the JUnit schema orders them


def test_hostile_text_is_escaped_and_control_characters_replaced(synthetic) -> None:
    text = junit.render(synthetic, RenderOptions())
    assert "<script>" not in text and "\x07" not in text
    case = next(c for c in ET.fromstring(text).iter("testcase") if c.get("name").startswith("HOST-1"))
    assert case.get("name") == "HOST-1 " + HOSTILE.replace("\x07", "\ufffd")


def test_waived_rule_is_skipped_with_its_waiver(synthetic) -> None:
    rule = next(r for r in synthetic.rules if r.rule_id == "HOST-1")
    rule.counts = {"waived": 1}
    finding = next(f for f in synthetic.findings if f.rule_id == "HOST-1")
    finding.outcome = "waived"
    finding.waiver = {"id": "W-1", "status": "applied", "expires": "2025-12-31"}
    case = next(c for c in parse(synthetic).iter("testcase") if c.get("name").startswith("HOST-1"))
    assert case.find("skipped").get("message") == "waived: W-1 until 2025-12-31"


@pytest.mark.parametrize("threshold", ["major", "never"])
def test_gate_threshold_is_recorded(synthetic, threshold) -> None:
    suite = parse(synthetic, threshold).find("testsuite")
    assert {p.get("name"): p.get("value") for p in suite.find("properties")}["gate"] == threshold
