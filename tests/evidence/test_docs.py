"""docs/evidence.md is generated from the schemas (engine/evidence/docs.py) and kept current."""

from __future__ import annotations

import json
from pathlib import Path

from engine.evidence.docs import COMMAND, render
from engine.evidence.schemas import load_schema_set

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "evidence.md"


def test_docs_evidence_md_is_current():
    expected = render()
    actual = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    assert actual == expected, f"docs/evidence.md is stale; regenerate it with: {COMMAND}"


def test_every_section_and_field_is_listed():
    text = render()
    schemas = load_schema_set()
    for section in schemas.root["properties"]:
        assert f"\n## {section}\n" in text
    assert render() == text  # deterministic


def test_fields_are_flattened_with_their_types_and_references(tmp_path):
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.test/doc.json",
        "type": "object", "required": ["things"], "description": "A test bundle.",
        "properties": {"things": {"description": "Things | pipes.", "type": "array", "items": {
            "type": "object", "required": ["id"], "description": "One thing.",
            "properties": {
                "id": {"type": "string", "description": "Its id."},
                "when": {"type": ["string", "null"], "format": "date", "description": "A day."},
                "size": {"type": "integer", "minimum": 0},
                "owner": {"type": "string", "x-ref": "people", "pattern": "^[a-z]+$"},
                "parts": {"type": "array", "uniqueItems": True, "items": {
                    "type": "object", "properties": {"name": {"enum": ["a", "b"]}}}},
                "block": {"anyOf": [{"type": "object", "required": ["x"], "properties": {"x": {"type": "boolean"}}},
                                    {"type": "null"}]},
            }}}},
    }
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(schema))
    text = render(load_schema_set(path))
    assert "| [`things`](#things) | list of records | yes | Things \\| pipes. |" in text
    assert "A list of records (required section). Each record: One thing." in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert rows == [
        "| `id` | text | yes |  | Its id. |",
        "| `when` | date or null | no |  | A day. |",
        "| `size` | integer (≥ 0) | no |  |  |",
        "| `owner` | id | no | `people` |  |",
        "| `parts` | list of object, no repeats | no |  |  |",
        "| `parts[].name` | one of `a`, `b` | no |  |  |",
        "| `block` | object or null | no |  |  |",
        "| `block.x` | true/false | yes |  |  |",
    ]
