"""fixtures/example: Northwind Managed Services, a conformant bundle the rules are tried on."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest

from engine.evidence.bundle import load_bundle
from engine.evidence.schemas import load_schema_set
from engine.evidence.validate import validate_bundle

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EXAMPLE = FIXTURES / "example"


@pytest.fixture(scope="module")
def bundle():
    return load_bundle(EXAMPLE)


@pytest.fixture(scope="module")
def data(bundle):
    return bundle.data


def date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_example_validates_clean(bundle):
    assert [d.render() for d in validate_bundle(bundle, load_schema_set())] == []


def test_example_layout(bundle):
    assert sorted(p.name for p in EXAMPLE.iterdir()) == sorted(Path(d.display).name for d in bundle.documents)
    assert (EXAMPLE / "incidents.jsonl").exists()
    # Every section the bundle schema defines is populated: the example shows the whole model.
    defined = set(load_schema_set().root["properties"])
    assert set(bundle.data) == defined
    assert all(bundle.data[section] for section in defined)


def test_generator_reproduces_the_committed_incidents():
    spec = importlib.util.spec_from_file_location("generate_example", FIXTURES / "generate_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render() == (EXAMPLE / "incidents.jsonl").read_bytes()
    assert module.render() == module.render()
    written = module.render_all()
    assert written == module.render_all()
    for name, data in written.items():
        assert data == (EXAMPLE / name).read_bytes(), name


def test_meta(data):
    meta = data["meta"]
    assert meta["as_of"] == "2025-06-30"
    assert meta["audit_period"] == {"start": "2024-07-01", "end": "2025-06-30"}
    assert meta["intervals"]["default"] == "P12M"


def active_people(data) -> set[str]:
    return {p["id"] for p in data["people"] if p["active"]}


def test_key_roles_are_held_by_active_people(data):
    active = active_people(data)
    holders = {r: set(role["holders"]) for role in data["roles"] for r in role["responsibilities"]}
    assert holders["sms_conformity"] and holders["sms_conformity"] <= active
    assert holders["performance_reporting"] and holders["performance_reporting"] <= active
    assert all(set(role["holders"]) <= active for role in data["roles"])
    assert any(not p["active"] and p.get("left_on") for p in data["people"])  # a leaver, holding nothing


def test_service_management_policy(data):
    policy = next(p for p in data["policies"] if p["kind"] == "service_management")
    as_of = date(data["meta"]["as_of"])
    assert policy["approved_by"] in data["organization"]["top_management"]
    assert as_of - date(policy["reviewed_on"]) <= dt.timedelta(days=365)
    assert policy["published"] is True
    assert {"meet_requirements", "continual_improvement"} <= set(policy["commitments"])
    acks = policy["acknowledgements"]
    assert acks["acknowledged"] / acks["required"] >= 0.95


def test_context_issues_and_interested_parties(data):
    as_of = date(data["meta"]["as_of"])
    assert {i["kind"] for i in data["context_issues"]} == {"internal", "external"}
    assert all(as_of - date(i["reviewed_on"]) <= dt.timedelta(days=365) for i in data["context_issues"])
    assert all(p["requirements"] for p in data["interested_parties"])


def test_scope_is_approved_current_and_lists_the_live_services(data):
    scope = data["scope"]
    live = [s["id"] for s in data["services"] if s["status"] == "live"]
    assert sorted(scope["services"]) == sorted(live)
    assert date(scope["approved_on"]) <= date(data["meta"]["as_of"]) < date(scope["next_review_on"])
    assert scope["approved_by"] in data["organization"]["top_management"]
    assert 6 <= len(data["services"]) <= 10 and {s["status"] for s in data["services"]} == {"live", "pipeline", "retired"}


def test_processes_have_active_owners_and_documents(data):
    documents = {d["id"] for d in data["documents"] if d["status"] == "current"}
    assert all(p["owner"] in active_people(data) and p["document"] in documents for p in data["processes"])


def test_incidents(data):
    incidents = data["incidents"]
    assert 1500 <= len(incidents) <= 2500
    start, end = (date(data["meta"]["audit_period"][k]) for k in ("start", "end"))
    assert all(start <= instant(i["opened_at"]).date() <= end for i in incidents)
    majors = [i for i in incidents if i["major"]]
    assert 3 <= len(majors) <= 8
    for incident in majors:
        resolved = instant(incident["resolved_at"])
        assert incident["review"]["reviewer"] in active_people(data)
        assert date(incident["review"]["completed_on"]) - resolved.date() <= dt.timedelta(days=10)
    for incident in (i for i in incidents if i["priority"] == "P1"):
        assert instant(incident["resolved_at"]) - instant(incident["opened_at"]) <= dt.timedelta(hours=4)
    assert any(i["status"] == "in_progress" for i in incidents)
