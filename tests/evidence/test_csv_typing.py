"""CSV cells read as what the section's schema says their field takes (engine/evidence/cells.py)."""

from __future__ import annotations

import json

import pytest

from engine.evidence.bundle import load_bundle
from engine.evidence.schemas import load_schema_set
from engine.evidence.validate import validate_bundle
from evidence_helpers import refusal, where

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://example.test/readings-bundle.schema.json",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "meta": {"type": "object"},
        "readings": {"$ref": "#/$defs/readings"},
    },
    "$defs": {
        "readings": {"type": "array", "items": {"$ref": "#/$defs/reading"}},
        "reading": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "count": {"type": "integer", "minimum": 0},
                "ratio": {"type": "number"},
                "ok": {"type": "boolean"},
                "note": {"type": ["string", "null"]},
                "code": {"type": "string"},
                "level": {"enum": [1, 2, 3]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "scores": {"type": "array", "items": {"type": "integer"}},
                "flags": {"type": "array", "items": {"type": "boolean"}},
                "window": {"anyOf": [{"$ref": "#/$defs/window"}, {"type": "null"}]},
                "owner": {"type": "object", "properties": {"name": {"type": "string"}}},
            },
        },
        "window": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"start": {"type": "integer"}, "label": {"type": "string"}, "open": {"type": "boolean"}},
        },
    },
}

HEADER = "id,count,ratio,ok,note,code,level,tags,scores,flags,window.start,window.label,window.open,extra\n"


@pytest.fixture
def schemas(tmp_path):
    path = tmp_path / "readings.schema.json"
    path.write_text(json.dumps(SCHEMA))
    return load_schema_set(path)


@pytest.fixture
def read(tmp_path, write, schemas):
    def read(rows: str, header: str = HEADER):
        write("b/meta.yaml", "meta: {}\n")
        write("b/readings.csv", header + rows)
        return load_bundle(tmp_path / "b", schemas=schemas)
    return read


def test_cells_take_the_type_of_their_field(read, schemas):
    bundle = read('R1,3,0.5,true,null,007,2,a; b ;c,1;-2,true;false,10,first,false,hello\n'
                  'R2,,2,false,,null,,"[""x;y"", ""z""]",[],,,,,\n'
                  'R3,0,-1e3,,text,,,solo,7,,,,,\n')
    assert bundle.data["readings"] == [
        {"id": "R1", "count": 3, "ratio": 0.5, "ok": True, "note": None, "code": "007", "level": 2,
         "tags": ["a", "b", "c"], "scores": [1, -2], "flags": [True, False],
         "window": {"start": 10, "label": "first", "open": False}, "extra": "hello"},
        {"id": "R2", "ratio": 2, "ok": False, "code": "null", "tags": ["x;y", "z"], "scores": []},
        {"id": "R3", "count": 0, "ratio": -1000.0, "note": "text", "tags": ["solo"], "scores": [7]},
    ]
    assert type(bundle.data["readings"][1]["ratio"]) is int  # "2" reads as JSON reads it
    # Only the unknown column is left for validation to report.
    assert [d.message for d in validate_bundle(bundle, schemas)] == ["/readings/0/extra: unknown field 'extra'"]


@pytest.mark.parametrize(("cells", "code", "message"), [
    ("R1,,,maybe", "CG338", "cell 'maybe' in column 'ok' is not true or false"),
    ("R1,1.5", "CG338", "cell '1.5' in column 'count' is not a whole number"),
    ("R1,+3", "CG338", "cell '+3' in column 'count' is not a whole number"),
    ("R1,,1_000", "CG338", "cell '1_000' in column 'ratio' is not a number"),
    ("R1,99999999999999999999", "CG323", "integer is outside the signed 64-bit range"),
    ("R1,,1e999", "CG324", "number is too large to represent"),
    ("R1,,,,,,two", "CG338", "cell 'two' in column 'level' is not a whole number"),
    ("R1,,,,,,,,1;;2", "CG338", "cell in column 'scores' has an empty item in its list"),
    ("R1,,,,,,,,1;x", "CG338", "item 'x' in column 'scores' is not a whole number"),
    ("R1,,,,,,,,[x]", "CG338", "cell is not a JSON list: invalid JSON: Expecting value"),
    ("R1,,,,,,,,{}", "CG338", "item '{}' in column 'scores' is not a whole number"),
    ("R1,,,,,,,,,,x", "CG338", "cell 'x' in column 'window.start' is not a whole number"),
])
def test_cells_a_field_cannot_take_are_refused_where_they_are(read, cells, code, message):
    row = cells + "," * (HEADER.count(",") - cells.count(",")) + "\n"
    d = refusal(read, "R0" + "," * HEADER.count(",") + "\n" + row)
    column = cells.rindex(",") + 2  # the last cell given is the bad one
    assert (d.code, d.message, where(d)) == (code, message, (3, column))


def test_level_enum_of_numbers_reads_numbers(read):
    assert read("R1,,,,,,3,,,,,,,\n").data["readings"] == [{"id": "R1", "level": 3}]


def test_a_column_naming_a_mapping_is_refused_with_a_hint(read):
    d = refusal(read, "R1,Ann\n", header="id,owner\n")
    assert (d.code, where(d)) == ("CG338", (2, 4))
    assert d.hint == "'owner' holds a mapping: name its parts in dotted headers, e.g. 'owner.name'"


def test_null_in_a_text_only_field_is_text(read):
    assert read("R1,null\n", header="id,code\n").data["readings"] == [{"id": "R1", "code": "null"}]


def test_without_a_known_section_cells_stay_text(tmp_path, write, schemas):
    write("b/meta.yaml", "meta: {}\n")
    write("b/other.csv", "id,n\nR1,1\n")
    assert load_bundle(tmp_path / "b", schemas=schemas).data["other"] == [{"id": "R1", "n": "1"}]


def test_shipped_schemas_type_incident_csv(tmp_path, write):
    write("b/meta.yaml", "meta: {}\n")
    write("b/incidents.csv", "id,major,review.completed_on,review.reviewer\nI1,true,null,p1\nI2,false,,\n")
    assert load_bundle(tmp_path / "b").data["incidents"] == [
        {"id": "I1", "major": True, "review": {"completed_on": None, "reviewer": "p1"}},
        {"id": "I2", "major": False}]
