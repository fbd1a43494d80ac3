"""The shipped schemas, and references that resolve only among known schemas."""

from __future__ import annotations

import json
import socket
from importlib.resources import files
from typing import Any, Iterator

import pytest
from jsonschema import Draft202012Validator

from engine.diagnostics import DiagnosticError
from engine.evidence.schemas import BUNDLE_SCHEMA_ID, load_schema_set
from evidence_helpers import refusal

EVIDENCE_SCHEMAS = ["bundle.schema.json", "common.schema.json"]


def shipped() -> dict[str, dict]:
    folder = files("engine.data.schemas")
    found = {name: json.loads((folder / name).read_text("utf-8")) for name in EVIDENCE_SCHEMAS}
    for child in (folder / "sections").iterdir():
        if child.name.endswith(".json"):
            found[f"sections/{child.name}"] = json.loads(child.read_text("utf-8"))
    return found


def walk(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in ("enum", "const", "examples", "default"):
                yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*path, index))


@pytest.fixture(scope="module")
def schemas():
    return shipped()


def test_every_section_has_a_schema_file(schemas):
    sections = schemas["bundle.schema.json"]["properties"]
    assert {f"sections/{name}.schema.json" for name in sections} == {n for n in schemas if n.startswith("sections/")}
    assert set(sections) >= {"meta", "organization", "people", "roles", "context_issues", "interested_parties", "scope",
                             "processes", "policies", "documents", "services", "incidents", "changes"}
    assert schemas["bundle.schema.json"]["required"] == ["meta"]
    assert schemas["bundle.schema.json"]["additionalProperties"] is False


def test_schemas_are_valid_draft_2020_12_with_ids_matching_their_place(schemas):
    for name, schema in schemas.items():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
        assert schema["$id"] == f"https://clausegate.dev/schemas/{name}"
        Draft202012Validator.check_schema(schema)


def test_every_property_has_a_description(schemas):
    missing = [(name, path, prop) for name, schema in schemas.items() for path, node in walk(schema)
               if path and path[-1] == "properties" and isinstance(node, dict)
               for prop, sub in node.items() if not sub.get("description")]
    assert missing == []


def test_every_object_is_closed(schemas):
    open_objects = [(name, path) for name, schema in schemas.items() for path, node in walk(schema)
                    if isinstance(node, dict) and node.get("type") == "object" and node.get("additionalProperties") is not False]
    assert open_objects == []


def test_references_point_at_known_sections(schemas):
    sections = set(schemas["bundle.schema.json"]["properties"])
    targets = {node["x-ref"] for schema in schemas.values() for _, node in walk(schema)
               if isinstance(node, dict) and "x-ref" in node}
    assert targets and targets <= sections


def test_shipped_set_is_cached_and_rooted_at_the_bundle_schema():
    first = load_schema_set()
    assert first is load_schema_set()
    assert first.root_uri == BUNDLE_SCHEMA_ID
    assert set(first.root["properties"]) >= {"meta", "incidents"}


def test_resolve_follows_references_across_files():
    schemas = load_schema_set()
    incidents, base = schemas.resolve(schemas.root["properties"]["incidents"], schemas.root_uri)
    assert base == "https://clausegate.dev/schemas/sections/incidents.schema.json"
    assert incidents["type"] == "array"
    service, common = schemas.resolve(incidents["items"]["properties"]["service"], base)
    assert common == "https://clausegate.dev/schemas/common.schema.json"
    assert service["type"] == "string" and "pattern" in service
    opened, _ = schemas.resolve(incidents["items"]["properties"]["opened_at"], base)
    assert opened["format"] == "date-time"
    assert schemas.resolve({"type": "string"}, base) == ({"type": "string"}, base)


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("schema loading tried to use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_remote_reference_is_refused_without_network(write, no_network):
    path = write("mine.schema.json", json.dumps({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"meta": {"$ref": "https://example.com/x.json"}},
    }, indent=2))
    d = refusal(load_schema_set, path)
    assert d.code == "CG432"
    assert d.message == "schema reference 'https://example.com/x.json' is not one of the known schemas"
    assert str(d.span) == f"{path}:6:15"


@pytest.mark.parametrize("reference", ["other.schema.json", "file:///etc/passwd", "#/$defs/missing",
                                       "https://clausegate.dev/schemas/nope.schema.json"])
def test_local_and_unknown_references_are_refused(write, no_network, reference):
    path = write("mine.schema.json", json.dumps({"$ref": reference}))
    assert refusal(load_schema_set, path).code == "CG432"


def test_resolve_refuses_unknown_references(no_network):
    with pytest.raises(DiagnosticError) as caught:
        load_schema_set().resolve({"$ref": "https://example.com/x.json"}, BUNDLE_SCHEMA_ID)
    assert caught.value.diagnostics[0].code == "CG432"


def test_own_schema_can_build_on_the_shipped_ones(write):
    path = write("mine.schema.yaml", (
        "$id: https://example.org/ours.schema.json\n"
        "type: object\n"
        "required: [meta]\n"
        "properties:\n"
        "  meta: {$ref: 'https://clausegate.dev/schemas/sections/meta.schema.json'}\n"
        "  assets: {type: array}\n"
    ))
    schemas = load_schema_set(path)
    assert schemas.root_uri == "https://example.org/ours.schema.json"
    meta, base = schemas.resolve(schemas.root["properties"]["meta"], schemas.root_uri)
    assert base.endswith("/sections/meta.schema.json") and "as_of" in meta["properties"]


def test_own_schema_may_replace_the_bundle_schema(write):
    path = write("bundle.schema.json", json.dumps({"$id": BUNDLE_SCHEMA_ID, "type": "object"}))
    assert load_schema_set(path).root == {"$id": BUNDLE_SCHEMA_ID, "type": "object"}
    assert load_schema_set().root["required"] == ["meta"]


def test_own_schema_may_not_take_a_section_id(write):
    path = write("mine.json", json.dumps({"$id": "https://clausegate.dev/schemas/common.schema.json"}))
    assert refusal(load_schema_set, path).code == "CG433"


def test_invalid_own_schema(write):
    d = refusal(load_schema_set, write("mine.json", '{\n  "type": "object",\n  "properties": {"a": {"type": 5}}\n}'))
    assert d.code == "CG431"
    assert d.message.startswith("not a valid JSON Schema at '/properties/a/type': ")
    assert d.span.line == 3


def test_other_draft_is_refused(write):
    d = refusal(load_schema_set, write("mine.json", '{"$schema": "http://json-schema.org/draft-07/schema#"}'))
    assert (d.code, d.message) == ("CG431", "schema uses 'http://json-schema.org/draft-07/schema#'; clausegate reads draft 2020-12")


def test_unreadable_own_schema(write, tmp_path):
    d = refusal(load_schema_set, tmp_path / "missing.json")
    assert (d.code, d.message) == ("CG430", "cannot read the schema: file not found")


def test_every_reference_of_the_shipped_set_resolves_as_urljoin_would_resolve_it():
    """The index resolves a reference's document part once per base and splits the fragment
    off itself; that must name what urljoin names for the whole reference."""
    from urllib.parse import urldefrag, urljoin

    schemas = load_schema_set()
    references = schemas.index.references
    assert len(references) > 100
    for _uri, base, reference, _path in references:
        url, fragment = urldefrag(urljoin(base, reference))
        expected = schemas.index.resources[url]
        for token in [t for t in fragment.split("/")[1:]] if fragment.startswith("/") else []:
            expected = expected[token.replace("~1", "/").replace("~0", "~")]
        if fragment and not fragment.startswith("/"):
            expected = schemas.index.anchors[(url, fragment)]
        assert schemas.lookup(reference, base)[0] is expected
