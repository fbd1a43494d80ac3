"""Document.locate: 1-based (line, column) of the value at an RFC 6901 pointer."""

from __future__ import annotations

import json

import pytest

from engine.evidence.loader import load_document

YAML = """\
meta:
  as_of: 2025-06-30
incidents:
  - id: INC-1
    service: svc-web
  - id: INC-2
    service: svc-db
    review: {completed_on: 2025-01-02, reviewer: p1}
"a/b": slash
"m~n": tilde
flow: [x, "y", {z: 1}]
empty: []
"""

JSON = """\
{
  "meta": {"as_of": "2025-06-30"},
  "incidents": [
    {"id": "INC-1", "service": "svc-web"},
    {
      "id": "INC-2", "service": "svc-db",
      "review": {"completed_on": "2025-01-02", "reviewer": "p1"}
    }
  ],
  "a/b": "slash",
  "m~n": "tilde",
  "flow": ["x", "y", {"z": 1}],
  "empty": []
}
"""


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("", (1, 1)),
        ("/meta", (2, 3)),
        ("/meta/as_of", (2, 10)),
        ("/incidents", (4, 3)),
        ("/incidents/0", (4, 5)),
        ("/incidents/1/service", (7, 14)),
        ("/incidents/1/review", (8, 13)),
        ("/incidents/1/review/reviewer", (8, 50)),
        ("/a~1b", (9, 8)),
        ("/m~0n", (10, 8)),
        ("/flow/1", (11, 11)),
        ("/flow/2/z", (11, 20)),
        ("/empty", (12, 8)),
    ],
)
def test_yaml_positions(write, pointer, expected):
    assert load_document(write("a.yaml", YAML)).locate(pointer) == expected


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("", (1, 1)),
        ("/meta", (2, 11)),
        ("/meta/as_of", (2, 21)),
        ("/incidents", (3, 16)),
        ("/incidents/0", (4, 5)),
        ("/incidents/0/service", (4, 32)),
        ("/incidents/1", (5, 5)),
        ("/incidents/1/service", (6, 33)),
        ("/incidents/1/review/reviewer", (7, 60)),
        ("/a~1b", (10, 10)),
        ("/m~0n", (11, 10)),
        ("/flow/2/z", (12, 28)),
        ("/empty", (13, 12)),
    ],
)
def test_json_positions(write, pointer, expected):
    assert load_document(write("a.json", JSON)).locate(pointer) == expected


@pytest.mark.parametrize("name", ["a.yaml", "a.json"])
@pytest.mark.parametrize("pointer", ["/nope", "/incidents/2", "/incidents/01", "/incidents/-", "/incidents/x",
                                     "/meta/as_of/deeper", "/empty/0", "/incidents/0/service/0"])
def test_pointers_without_a_value_have_no_position(write, name, pointer):
    text = YAML if name.endswith("yaml") else JSON
    assert load_document(write(name, text)).locate(pointer) is None


def test_malformed_pointer_is_a_programming_error(write):
    with pytest.raises(ValueError):
        load_document(write("a.json", JSON)).locate("meta")


def test_json_and_yaml_agree_on_data(write):
    assert load_document(write("a.yaml", YAML)).data == load_document(write("a.json", JSON)).data


def test_json_positions_in_a_large_list(write):
    records = [{"id": f"INC-{i}", "tags": ["a", {"deep": i}], "note": "x, ] } \" {"} for i in range(5000)]
    text = json.dumps({"incidents": records}, indent=1)
    document = load_document(write("big.json", text))
    lines = text.splitlines()
    for index in (0, 1, 2500, 4999):
        line, column = document.locate(f"/incidents/{index}/tags/1/deep")
        assert lines[line - 1][column - 1 :].startswith(str(index))
        line, column = document.locate(f"/incidents/{index}/note")
        assert lines[line - 1][column - 1 :] == '"x, ] } \\" {"'


def test_columns_count_characters_not_bytes(write):
    document = load_document(write("a.json", '{"naïve": "café", "b": 1}'))
    assert document.locate("/b") == (1, 24)
    document = load_document(write("a.yaml", "naïve: café\nb: {ä: 1}\n"))
    assert document.locate("/b/ä") == (2, 8)


def test_source_line_is_quoted(write):
    document = load_document(write("a.yaml", YAML))
    assert document.source_line(7) == "    service: svc-db"
    assert document.source_line(99) is None
