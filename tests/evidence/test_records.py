"""JSON Lines and CSV record files: each gives the list of one section; errors name the row."""

from __future__ import annotations

import pytest

from engine.diagnostics import Span
from engine.evidence.bundle import load_bundle
from engine.evidence.limits import Limits
from evidence_helpers import refusal, where


def records(tmp_path, write, name, text, **kwargs):
    write("b/meta.yaml", "meta: {}\n")
    write(f"b/{name}", text)
    return load_bundle(tmp_path / "b", **kwargs)


def refused_records(tmp_path, write, name, text, **kwargs):
    write("b/meta.yaml", "meta: {}\n")
    write(f"b/{name}", text)
    return refusal(load_bundle, tmp_path / "b", **kwargs)


# -- JSON Lines ------------------------------------------------------------------------


def test_jsonl_lines_become_the_section_list(tmp_path, write):
    bundle = records(tmp_path, write, "incidents.jsonl", '{"id": "I1"}\n\n{"id": "I2", "x": [1]}\r\n   \n{"id": "I3"}')
    assert bundle.data["incidents"] == [{"id": "I1"}, {"id": "I2", "x": [1]}, {"id": "I3"}]
    file = f"{tmp_path}/b/incidents.jsonl"
    assert bundle.locate("/incidents") == Span(file, 1, 1)
    assert bundle.locate("/incidents/1") == Span(file, 3, 1)
    assert bundle.locate("/incidents/1/x/0") == Span(file, 3, 20)
    assert bundle.locate("/incidents/2/id") == Span(file, 5, 8)
    assert bundle.locate("/incidents/2/nope") == Span(file, 5, 1)


def test_empty_jsonl_is_an_empty_list(tmp_path, write):
    assert records(tmp_path, write, "incidents.jsonl", "").data["incidents"] == []


def test_jsonl_syntax_error_names_its_line(tmp_path, write):
    d = refused_records(tmp_path, write, "incidents.jsonl", '{"id": "I1"}\n{"id": "I2"}\n{"id": "I3",}\n')
    assert (d.code, d.message, str(d.span)) == (
        "CG312", "invalid JSON: Expecting property name enclosed in double quotes", f"{tmp_path}/b/incidents.jsonl:3:13")
    assert d.source_line == '{"id": "I3",}'


def test_jsonl_record_must_be_an_object(tmp_path, write):
    d = refused_records(tmp_path, write, "incidents.jsonl", '{"id": "I1"}\n  ["I2"]\n')
    assert (d.code, d.message, where(d)) == ("CG333", "each line of a JSON Lines file must be one object", (2, 3))


def test_jsonl_duplicate_key_names_its_line(tmp_path, write):
    d = refused_records(tmp_path, write, "incidents.jsonl", '{"id": "I1"}\n{"id": "I2", "id": "I3"}\n')
    assert (d.code, where(d), d.hint) == ("CG316", (2, 14), "the first one is at line 2; keep one")


def test_jsonl_limits_are_checked_per_record(tmp_path, write):
    d = refused_records(tmp_path, write, "incidents.jsonl", '{"id": "I1"}\n{"id": "I2", "a": {"b": 1}}\n',
                        limits=Limits(max_depth=3))
    assert (d.code, where(d)) == ("CG320", (2, 19))
    d = refused_records(tmp_path, write, "incidents.jsonl", '{"id": "I1"}\n{"id": "I2", "note": "\\u0000"}\n')
    assert (d.code, where(d)) == ("CG307", (2, 22))
    d = refused_records(tmp_path, write, "incidents.jsonl", '{"id": 1}\n{"id": NaN}\n')
    assert (d.code, where(d)) == ("CG322", (2, 8))


# -- CSV -------------------------------------------------------------------------------

CSV = (
    "id,service,priority,major,review.completed_on,review.reviewer\n"
    "I1,svc-web,P1,true,2025-01-05,p1\n"
    'I2,svc-db,P3,false,,\n'
    '"I3","svc, quoted","P2 ""urgent""",,,"p2"\r\n'
    '\n'
    'I4,svc-web,"multi\nline",false,,\n'
)


def test_csv_rows_become_records_typed_by_the_schema(tmp_path, write):
    bundle = records(tmp_path, write, "incidents.csv", CSV)
    assert bundle.data["incidents"] == [
        {"id": "I1", "service": "svc-web", "priority": "P1", "major": True,
         "review": {"completed_on": "2025-01-05", "reviewer": "p1"}},
        {"id": "I2", "service": "svc-db", "priority": "P3", "major": False},
        {"id": "I3", "service": "svc, quoted", "priority": 'P2 "urgent"', "review": {"reviewer": "p2"}},
        {"id": "I4", "service": "svc-web", "priority": "multi\nline", "major": False},
    ]


def test_csv_positions_are_cells(tmp_path, write):
    bundle = records(tmp_path, write, "incidents.csv", CSV)
    file = f"{tmp_path}/b/incidents.csv"
    assert bundle.locate("/incidents/0") == Span(file, 2, 1)
    assert bundle.locate("/incidents/0/priority") == Span(file, 2, 12)
    assert bundle.locate("/incidents/0/review/reviewer") == Span(file, 2, 31)
    assert bundle.locate("/incidents/0/review") == Span(file, 2, 20)
    assert bundle.locate("/incidents/2/service") == Span(file, 4, 6)
    assert bundle.locate("/incidents/1/review/completed_on") == Span(file, 3, 20)  # an empty cell still has a place
    assert bundle.locate("/incidents/3/major") == Span(file, 7, 7)
    assert bundle.locate("/incidents/3/unknown") == Span(file, 6, 1)


def test_csv_header_only_is_an_empty_list(tmp_path, write):
    assert records(tmp_path, write, "incidents.csv", "id,service\n").data["incidents"] == []


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "CSV file has no header row", (1, 1)),
        ("id,,service\n", "header cell 2 is empty", (1, 4)),
        ("id,service,id\n", "field 'id' is named twice in the header", (1, 12)),
        ("id,review..x\n", "header 'review..x' has an empty part between dots", (1, 4)),
        ("id,review,review.reviewer\n", "header 'review' is a field and also holds 'review.reviewer'", (1, 4)),
    ],
)
def test_csv_header_problems(tmp_path, write, text, message, position):
    d = refused_records(tmp_path, write, "incidents.csv", text)
    assert (d.code, d.message, where(d)) == ("CG334", message, position)


def test_csv_header_with_a_bidi_control_is_refused(tmp_path, write):
    d = refused_records(tmp_path, write, "incidents.csv", "id,ser\u202evice\n")
    assert (d.code, where(d)) == ("CG309", (1, 4))


@pytest.mark.parametrize(
    ("text", "code", "message", "position"),
    [
        ("id,service\nI1,a\nI2,a,b\n", "CG335", "row has 3 cells but the header has 2", (3, 1)),
        ("id,service\nI1\n", "CG335", "row has 1 cells but the header has 2", (2, 1)),
        ('id,service\nI1,"never closed\n', "CG336", "a quoted cell is never closed", (2, 4)),
        ('id,service\nI1,say "hi"\n', "CG336", "a quote inside a cell that does not start with one", (2, 8)),
        ('id,service\nI1,"a"b\n', "CG336", "text after the closing quote of a cell", (2, 7)),
    ],
)
def test_csv_row_problems_are_located(tmp_path, write, text, code, message, position):
    d = refused_records(tmp_path, write, "incidents.csv", text)
    assert (d.code, d.message, where(d)) == (code, message, position)


def test_csv_cell_over_the_limit(tmp_path, write):
    d = refused_records(tmp_path, write, "incidents.csv", "id,note\nI1,abcdefghij\n", limits=Limits(max_string_length=9))
    assert (d.code, d.message, where(d)) == ("CG321", "cell is longer than the limit of 9 characters", (2, 4))


def test_record_file_name_must_be_a_usable_section(tmp_path, write):
    d = refused_records(tmp_path, write, "inci\u202edents.jsonl", "")
    assert d.code == "CG337"
