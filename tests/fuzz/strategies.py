"""Hypothesis strategies shared by the fuzz tests and the longer campaign (campaign.py)."""

from __future__ import annotations

import json
import string
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]

# Seeds to mutate: real rule files and the rules of every conformance case.
RULE_SEEDS = [p.read_text("utf-8") for p in sorted((ROOT / "rules").glob("*.rules"))]
EVIDENCE_SEEDS = [p.read_bytes() for p in sorted((ROOT / "fixtures" / "example").iterdir())
                  if p.suffix in (".yaml", ".json", ".jsonl", ".csv")][:8]

_TOKENS = ["rule", "helper", "clause", "severity", "tags", "expect", "message", "let", "when", "for", "each",
           "in", "where", "else", "and", "or", "not", "if", "then", "today", "true", "false", "null", "(", ")",
           "[", "]", ",", ".", "->", "=", "==", "<", "+", "-", "*", "/", "%", '"x"', '"""y"""', "1", "2.5",
           "2025-03-31", "2025-03-31T10:00:00Z", "10 days", "4.1", "8.6.1", "major", "X-1", "incidents",
           "meta", "count", "any", "lookup", "matches", "{", "}", "#c\n", "\n", " "]


def _mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    for position, kind, piece in edits:
        if not text:
            text = piece
            continue
        at = position % len(text)
        if kind == 0:
            text = text[:at] + piece + text[at:]
        elif kind == 1:
            text = text[:at] + text[at + len(piece):]
        else:
            text = text[:at] + piece + text[at + len(piece):]
    return text


_edits = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 2),
                            st.one_of(st.sampled_from(_TOKENS), st.text(max_size=4))), max_size=6)

rule_sources = st.one_of(
    st.builds(_mutate, st.sampled_from(RULE_SEEDS), _edits),
    st.lists(st.sampled_from(_TOKENS), max_size=40).map(" ".join),
    st.text(max_size=200),
)


def _mutate_bytes(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for position, kind, piece in edits:
        at = position % (len(data) + 1)
        if kind == 0:
            data = data[:at] + piece + data[at:]
        elif kind == 1:
            data = data[:at] + data[at + len(piece) + 1:]
        else:
            data = data[:at] + piece + data[at + len(piece):]
    return data


_byte_edits = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 2),
                                 st.one_of(st.binary(max_size=4), st.sampled_from(
                                     [b"&a ", b"*a", b"<<: ", b"!!binary ", b"\xef\xbb\xbf", b"\x00", b"\xff",
                                      b"---\n", b"NaN", b"1e999", b"[", b"{", b'"', b"\n  ", b": ", "\u2028".encode()]))),
                       max_size=6)

evidence_bytes = st.one_of(
    st.builds(_mutate_bytes, st.sampled_from(EVIDENCE_SEEDS), _byte_edits),
    st.binary(max_size=300),
)

# JSON-compatible documents, for the YAML-versus-JSON differential check.
_keys = st.text(alphabet=string.ascii_letters + string.digits + "_ -", min_size=1, max_size=8)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1),
                     st.floats(allow_nan=False, allow_infinity=False, width=64),
                     st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=20))
json_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                             st.dictionaries(_keys, inner, max_size=4)),
                           max_leaves=20)
documents = st.dictionaries(_keys, json_values, min_size=1, max_size=5)


def as_json(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False)


# Expressions over the conformance world's untyped `open` section, so the checker admits
# them and their types meet only at run time.
_leaves = st.sampled_from(["open.a", "open.b", "open.c", "open.items", "1", "0", "2.5", '"x"', '"P1"', "true",
                           "false", "null", "today", "2025-03-31", "2025-03-31T10:00:00Z", "10 days",
                           "12 months", "[1, 2]", '["x", "y"]'])


def _combine(inner):
    unary = st.builds(lambda op, a: f"{op}({a})", st.sampled_from(["not ", "-"]), inner)
    binary = st.builds(lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from(
        ["and", "or", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "in", "not in"]), inner)
    calls = st.one_of(
        st.builds(lambda f, a: f"{f}({a})", st.sampled_from(
            ["count", "length", "exists", "lower", "upper", "trim", "sum", "min", "max", "distinct", "first",
             "abs", "round", "date", "datetime", "duration", "age"]), inner),
        st.builds(lambda f, a, b: f"{f}({a}, {b})", st.sampled_from(
            ["default", "starts_with", "ends_with", "contains", "days_between", "lookup"]), inner, inner),
        st.builds(lambda f, a, b: f"{f}({a}, x -> {b})", st.sampled_from(
            ["count", "filter", "all", "any", "none", "map", "first", "sum"]), inner, inner),
        st.builds(lambda c, a, b: f"(if {c} then {a} else {b})", inner, inner, inner),
    )
    return st.one_of(unary, binary, calls)


expressions = st.recursive(_leaves, _combine, max_leaves=8)
open_values = st.recursive(st.one_of(_scalars, st.sampled_from(["2025-03-31", "P1", "2025-01-01T00:00:00Z",
                                                                  "P12M", "x"])),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.sampled_from(["a", "b", "id", "x"]), inner,
                                                                   max_size=3)),
                           max_leaves=8)
open_sections = st.fixed_dictionaries({}, optional={"a": open_values, "b": open_values, "c": open_values,
                                                    "items": st.lists(open_values, max_size=4)})
