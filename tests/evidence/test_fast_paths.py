"""The loaders' quick paths must refuse and locate exactly what the careful ones do: JSON
without the duplicate-key hook, JSON Lines parsed in one go, SHA-256 on another thread."""

from __future__ import annotations

import hashlib
import json

import pytest

from engine.evidence import jsonl_reader, source
from engine.evidence.bundle import load_bundle
from engine.evidence.json_reader import parse
from engine.evidence.jsonl_reader import record_starts
from engine.evidence.limits import Limits
from evidence_helpers import refusal, refused, where


@pytest.mark.parametrize("text", [
    '{"a": 1, "a": 2}',
    '{"a": {"b": "x", "b": "y"}}',
    '{"x": [{"k": null, "k": true}]}',
    '{"a": "one\\ttab", "a": 2}',  # with a backslash: the hook path
])
def test_duplicate_keys_are_found_with_or_without_the_hook(write, text):
    d = refused(write("dup.json", text))
    assert d.code == "CG316"


def test_duplicate_key_is_located_on_the_quick_path(write):
    d = refused(write("dup.json", '{\n  "a": 1,\n  "b": {"c": 1, "c": 2}\n}\n'))
    assert (d.code, where(d), d.hint) == ("CG316", (3, 17), "the first one is at line 3; keep one")


def test_plain_json_counts_strings_exactly():
    assert parse('{"a": ["x", "y", {"b": "z"}], "c": 1}', Limits()) == {"a": ["x", "y", {"b": "z"}], "c": 1}
    assert parse('"just text"', Limits()) == "just text"


def jsonl(tmp_path, write, text):
    write("b/meta.yaml", "meta: {}\n")
    write("b/incidents.jsonl", text)
    return load_bundle(tmp_path / "b")


@pytest.mark.parametrize("text", [
    # A record split over two lines, with a line of two records to make the count come out right.
    '{"a": [{"b": 1}\n{"c": 2}]}\n{"x": 1}, {"y": 2}\n',
    '{"a": {"b": 1}\n}\n{"x": 1}\n',
    '{"id": "I1"}, {"id": "I2"}\n{"id": "I3"}\n',
    '{"id": "I1"}\n[1]\n',
    '{"id": "I1"}\n{"\\u0000": 1}\n',
    '{"id": "I1", "x": {"\\u0000": {}}}\n',
    '{"id": "I1"}\n{"id": "I2", "id": "I3"}\n',
    '{"id": "I1"}\n{"id": "I2\\t", "id": "I3"}\n',
    '{"id": 1}\n{"id": NaN}\n',
    '{"id": 1}\n{"id": 1e999}\n',
    '{"id": "I1"}\n{"id": "I2"} x\n',
])
def test_jsonl_quick_path_refuses_as_line_by_line_does(tmp_path, write, monkeypatch, text):
    quick = refusal(jsonl, tmp_path, write, text)
    monkeypatch.setattr(jsonl_reader, "_read_at_once", lambda *a: None)
    careful = refusal(jsonl, tmp_path, write, text)
    assert quick == careful


def test_jsonl_quick_path_reads_records_and_places(tmp_path, write):
    text = '  {"id": "I1", "t": "a\\"b"}\r\n\n\t\n{"id": "I2", "n": [1, {"k": null}]}\n{"id": "I3"}'
    bundle = jsonl(tmp_path, write, text)
    assert bundle.data["incidents"] == [{"id": "I1", "t": 'a"b'}, {"id": "I2", "n": [1, {"k": None}]}, {"id": "I3"}]
    assert [str(bundle.locate(f"/incidents/{n}/id")).rsplit(":", 2)[1:] for n in range(3)] == [
        ["1", "10"], ["4", "8"], ["5", "8"]]
    assert list(record_starts(text)) == [0, text.index('{"id": "I2"'), text.index('{"id": "I3"')]


def test_jsonl_quick_path_is_taken(tmp_path, write, monkeypatch):
    calls = []
    monkeypatch.setattr(jsonl_reader, "_read_line_by_line", lambda *a: calls.append(a) or ([], None))
    bundle = jsonl(tmp_path, write, "".join(json.dumps({"id": f"I{n}"}) + "\n" for n in range(50)))
    assert len(bundle.data["incidents"]) == 50 and calls == []


def test_large_files_are_hashed_on_another_thread(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "_HASH_IN_BACKGROUND", 10)
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"meta": {"x": "y" * 100}}))
    read = source.read_source(path, "big.json", Limits())
    assert read.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
