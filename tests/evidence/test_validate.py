"""Validation: every violation reported, located and explained, most relevant first."""

from __future__ import annotations

import pytest

from engine.evidence.bundle import load_bundle
from engine.evidence.schemas import load_schema_set
from engine.evidence.validate import validate_bundle

META = """\
meta:
  organization: Example Ltd
  as_of: 2025-06-30
  audit_period: {start: 2024-07-01, end: 2025-06-30}
  intervals: {default: P12M}
"""

PEOPLE = """\
people:
  - {id: p1, name: Ann, active: true}
  - {id: p2, name: Bob, active: false, left_on: 2025-01-31}
services:
  - {id: svc-web, name: Web, status: live, owner: p1}
"""


@pytest.fixture
def check(tmp_path, write):
    def check(**files: str) -> list[str]:
        for name, text in files.items():
            write(f"b/{name.replace('__', '.')}", text)
        bundle = load_bundle(tmp_path / "b")
        return [d.headline().replace(f"{tmp_path}/b/", "") for d in validate_bundle(bundle, load_schema_set())]

    return check


def test_valid_bundle_has_no_diagnostics(check):
    assert check(meta__yaml=META, people__yaml=PEOPLE) == []


def test_every_violation_is_reported_located_and_ranked(check):
    incidents = (
        '{"id": "I1", "service": "svc-web", "priority": "P5", "status": "new", "opened_at": "2025-01-01T10:00:00Z"}\n'
        '{"id": "I2", "service": "svc-x", "priority": "P1", "status": "closed", "opened_at": "2025-13-01T10:00:00Z",'
        ' "servce": "svc-web"}\n'
        '{"id": "I1", "priority": "P2", "status": "new", "opened_at": "2025-01-02T10:00:00",'
        ' "review": {"completed_on": "2025-01-40", "reviewer": "p9"}}\n'
    )
    assert check(meta__yaml=META.replace("as_of: 2025-06-30", "as_of: 2025-6-30"), people__yaml=PEOPLE,
                 incidents__jsonl=incidents) == [
        # The shallowest first (the object-level problems of /incidents/N rank with /meta/as_of),
        # then by jsonschema's relevance, then by place.
        "incidents.jsonl:2:119: error[CG403]: /incidents/1/servce: unknown field 'servce'",
        "incidents.jsonl:3:1: error[CG402]: /incidents/2: required field 'service' is missing",
        "meta.yaml:3:10: error[CG405]: /meta/as_of: '2025-6-30' is not a valid date",
        "incidents.jsonl:3:8: error[CG421]: /incidents/2/id: id 'I1' is already used by /incidents/0",
        "incidents.jsonl:1:48: error[CG404]: /incidents/0/priority: 'P5' is not one of 'P1', 'P2', 'P3', 'P4'",
        "incidents.jsonl:2:25: error[CG420]: /incidents/1/service: 'svc-x' is not the id of any item in 'services'",
        "incidents.jsonl:2:85: error[CG405]: /incidents/1/opened_at: '2025-13-01T10:00:00Z' is not a valid date-time",
        "incidents.jsonl:3:62: error[CG405]: /incidents/2/opened_at: '2025-01-02T10:00:00' is not a valid date-time",
        "incidents.jsonl:3:138: error[CG420]: /incidents/2/review/reviewer: 'p9' is not the id of any item in 'people'",
        "incidents.jsonl:3:112: error[CG405]: /incidents/2/review/completed_on: '2025-01-40' is not a valid date",
    ]


def test_diagnostics_carry_hints_and_source_lines(tmp_path, write):
    write("b/meta.yaml", META.replace("default: P12M", "default: P12M, polcy_review: P6M"))
    write("b/people.yaml", PEOPLE.replace("status: live", "status: live, version: 1.10"))
    diagnostics = validate_bundle(load_bundle(tmp_path / "b"), load_schema_set())
    unknown = diagnostics[0]
    assert unknown.message == "/meta/intervals/polcy_review: unknown field 'polcy_review'"
    assert unknown.hint == "did you mean 'policy_review'?"
    assert unknown.source_line == "  intervals: {default: P12M, polcy_review: P6M}"
    assert unknown.render().splitlines()[2] == "   | " + " " * 43 + "^"
    assert diagnostics[1].hint.startswith("known fields: id, name, description, status")


def test_yaml_number_where_text_is_expected(check):
    policies = "policies:\n  - {id: pol-1, kind: service_management, title: Policy, version: 2.10}\n"
    assert check(meta__yaml=META, policies__yaml=policies) == [
        "policies.yaml:2:67: error[CG401]: /policies/0/version: expected text, found the number 2.1"]


def test_missing_meta_section(tmp_path, write, check):
    # A directory has no one file to point at; a one-file bundle points at its start.
    assert check(people__yaml=PEOPLE) == ["error[CG402]: bundle: required section 'meta' is missing"]
    single = write("single.yaml", PEOPLE)
    diagnostics = validate_bundle(load_bundle(single), load_schema_set())
    assert [str(d.span) for d in diagnostics] == [f"{single}:1:1"]


def test_unknown_section_suggests_the_known_one(check):
    assert check(meta__yaml=META, x__yaml="incidnets: []\n") == [
        "x.yaml:1:12: error[CG403]: /incidnets: unknown section 'incidnets'"]


def test_reference_to_a_missing_section(check):
    organization = "organization: {name: X, top_management: [p1]}\n"
    assert check(meta__yaml=META, organization__yaml=organization) == [
        "organization.yaml:1:42: error[CG420]: /organization/top_management/0: 'p1' refers to section 'people', "
        "which the bundle does not have"]


def test_null_review_is_allowed_and_a_bad_review_reports_each_problem(check):
    incidents = (
        '{"id": "I1", "service": "svc-web", "priority": "P1", "status": "new", "opened_at": "2025-01-01T10:00:00Z", "review": null}\n'
        '{"id": "I2", "service": "svc-web", "priority": "P1", "status": "new", "opened_at": "2025-01-01T10:00:00Z", "review": {"reviewer": 7, "extra": 1}}\n'
        '{"id": "I3", "service": "svc-web", "priority": "P1", "status": "new", "opened_at": "2025-01-01T10:00:00Z", "review": "soon"}\n'
    )
    assert check(meta__yaml=META, people__yaml=PEOPLE, incidents__jsonl=incidents) == [
        "incidents.jsonl:2:143: error[CG403]: /incidents/1/review/extra: unknown field 'extra'",
        "incidents.jsonl:3:118: error[CG401]: /incidents/2/review: expected a mapping or null, found text 'soon'",
        "incidents.jsonl:2:131: error[CG401]: /incidents/1/review/reviewer: expected text, found the number 7",
    ]


def test_csv_cells_are_typed_by_the_schema(check):
    csv = "id,service,priority,status,opened_at,major\nI1,svc-web,P1,new,2025-01-01T10:00:00Z,true\n"
    assert check(meta__yaml=META, people__yaml=PEOPLE, incidents__csv=csv) == []
    csv = csv.replace(",new,", ",nu,")
    assert check(meta__yaml=META, people__yaml=PEOPLE, incidents__csv=csv) == [
        "incidents.csv:2:15: error[CG404]: /incidents/0/status: 'nu' is not one of 'new', 'in_progress', 'on_hold', "
        "'resolved', 'closed', 'cancelled'"]


def test_duplicate_ids_in_any_list_section(check):
    people = PEOPLE.replace("{id: p2,", "{id: p1,")
    assert check(meta__yaml=META, people__yaml=people) == [
        "people.yaml:3:10: error[CG421]: /people/1/id: id 'p1' is already used by /people/0"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("intervals", "{default: 12 months}", "/meta/intervals/default: '12 months' is not a valid duration"),
        ("as_of", "'2025-02-29'", "/meta/as_of: '2025-02-29' is not a valid date"),
        ("organization", "''", "/meta/organization: must not be empty"),
    ],
)
def test_format_and_length_messages(check, field, value, message):
    meta = "\n".join(f"  {field}: {value}" if line.startswith(f"  {field}:") else line for line in META.splitlines())
    assert [h.split(": ", 2)[2] for h in check(meta__yaml=meta + "\n")] == [message]


def test_email_format(check):
    people = PEOPLE.replace("name: Ann,", "name: Ann, email: ann-at-example,")
    assert check(meta__yaml=META, people__yaml=people) == [
        "people.yaml:2:32: error[CG405]: /people/0/email: 'ann-at-example' is not a valid email"]
