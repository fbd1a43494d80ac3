"""YAML is read as JSON data only: YAML 1.2 core scalars, no YAML-only constructs."""

from __future__ import annotations

import pytest

from engine.evidence.limits import Limits
from engine.evidence.loader import load_document
from evidence_helpers import refused, where


def value_of(write, text: str):
    return load_document(write("a.yaml", f"v: {text}\n")).data["v"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("null", None), ("Null", None), ("NULL", None), ("~", None), ("", None),
        ("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False), ("FALSE", False),
        ("0", 0), ("-0", 0), ("42", 42), ("+42", 42), ("-17", -17),
        ("9223372036854775807", 2**63 - 1), ("-9223372036854775808", -(2**63)),
        ("1.5", 1.5), ("-0.25", -0.25), ("1e3", 1000.0), ("2.5E-3", 0.0025), (".5", 0.5), ("1.", 1.0),
    ],
)
def test_plain_scalars_that_are_json_values(write, text, expected):
    value = value_of(write, text)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    "text",
    [
        "yes", "no", "Yes", "NO", "on", "off", "On", "OFF", "y", "n",  # YAML 1.1 booleans
        "012", "007", "0o17", "0x1F", "0b101", "1_000", "+0x10",  # octal, hex, binary, underscores
        "1:30", "190:20:30",  # sexagesimal
        "2025-03-31", "2025-03-31T10:00:00Z", "2001-12-14 21:59:43.10 -5",  # timestamps
        "tRUE", "nULL", "Nan", "inf", "P12M", "1.2.3", "1e", "e3",
    ],
)
def test_plain_scalars_that_stay_text(write, text):
    assert value_of(write, text) == text


@pytest.mark.parametrize("text", ['"42"', "'true'", '"null"', "|\n  012\n", '"2025-03-31"'])
def test_quoted_and_block_scalars_are_text(write, text):
    assert type(value_of(write, text)) is str


@pytest.mark.parametrize("text", [".nan", ".NaN", ".NAN", ".inf", "-.inf", "+.Inf", ".INF"])
def test_nan_and_infinity_are_refused(write, text):
    d = refused(write("a.yaml", f"v: {text}\n"))
    assert (d.code, d.message, where(d)) == ("CG322", f"{text} is not a number evidence may hold", (1, 4))


@pytest.mark.parametrize("text", ["9223372036854775808", "-9223372036854775809", "1" * 400])
def test_integers_beyond_64_bits_are_refused(write, text):
    d = refused(write("a.yaml", f"v: {text}\n"))
    assert (d.code, d.message) == ("CG323", "integer is outside the signed 64-bit range")


def test_float_overflow_is_refused(write):
    d = refused(write("a.yaml", "v: 1e400\n"))
    assert (d.code, d.message) == ("CG324", "number is too large to represent")


def test_anchor_is_refused_even_without_an_alias(write):
    d = refused(write("a.yaml", "a: 1\nb: &shared\n  x: 1\n"))
    assert (d.code, d.message, where(d)) == ("CG313", "anchor &shared: anchors and aliases are not allowed", (2, 4))


def test_alias_is_refused(write):
    d = refused(write("a.yaml", "a: 1\nb: *nowhere\n"))
    assert (d.code, d.message, where(d)) == ("CG313", "alias *nowhere: anchors and aliases are not allowed", (2, 4))


def test_billion_laughs_is_refused_before_any_expansion(write):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]" for i in range(9)]
    assert refused(write("a.yaml", "\n".join(lines) + "\n")).code == "CG313"


@pytest.mark.parametrize("text", ["<<: {a: 1}\n", "x: 1\n'<<': {a: 1}\n"])
def test_merge_key_is_refused(write, text):
    d = refused(write("a.yaml", text))
    assert (d.code, d.message) == ("CG314", "merge key '<<' is not allowed")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("v: !!binary aGVsbG8=\n", "!!binary"),
        ("v: !!set {a, b}\n", "!!set"),
        ("v: !!str 12\n", "!!str"),
        ("v: !!python/object:os.system {}\n", "!!python/object:os.system"),
        ("v: !python/name:os.system ''\n", "!python/name:os.system"),
        ("v: !foo bar\n", "!foo"),
        ("v: ! bar\n", "!"),
        ("v: !<tag:example.com,2025:x> bar\n", "tag:example.com,2025:x"),
        ("v: !!map {a: 1}\n", "!!map"),
        ("v: !!seq [a]\n", "!!seq"),
    ],
)
def test_explicit_tags_are_refused(write, text, shown):
    d = refused(write("a.yaml", text))
    assert (d.code, d.message, where(d)) == ("CG315", f"tag {shown} is not allowed", (1, 4))


def test_duplicate_key_is_refused_with_the_first_line(write):
    d = refused(write("a.yaml", "people:\n  - id: p1\n    name: A\n    name: B\n"))
    assert (d.code, d.message, where(d)) == ("CG316", "duplicate key 'name'", (4, 5))
    assert d.hint == "the first one is at line 3; keep one"


def test_duplicate_key_in_flow_mapping(write):
    assert refused(write("a.yaml", "a: {x: 1, x: 2}\n")).code == "CG316"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1: x\n", "key 1 is not text"),
        ("1.5: x\n", "key 1.5 is not text"),
        ("true: x\n", "key true is not text"),
        ("~: x\n", "key null is not text"),
        ("null: x\n", "key null is not text"),
        ("? [a, b]\n: x\n", "a key must be text, found a list"),
        ("? {a: 1}\n: x\n", "a key must be text, found a mapping"),
    ],
)
def test_keys_that_are_not_text_are_refused(write, text, message):
    d = refused(write("a.yaml", text))
    assert (d.code, d.message) == ("CG317", message)


def test_quoted_number_key_is_text(write):
    assert load_document(write("a.yaml", '"1": x\nyes: y\n')).data == {"1": "x", "yes": "y"}


def test_more_than_one_document_is_refused(write):
    d = refused(write("a.yaml", "a: 1\n---\nb: 2\n"))
    assert (d.code, where(d)) == ("CG318", (2, 1))


def test_explicit_single_document_is_fine(write):
    assert load_document(write("a.yaml", "---\na: 1\n...\n")).data == {"a": 1}


@pytest.mark.parametrize(("text", "found"), [("- a\n", "a list"), ("hello\n", "text"), ("42\n", "a number")])
def test_top_level_must_be_a_mapping(write, text, found):
    d = refused(write("a.yaml", text))
    assert (d.code, d.message) == ("CG319", f"the top level must be a mapping of sections, found {found}")


def test_nesting_deeper_than_the_limit_is_refused(write):
    assert load_document(write("ok.yaml", "a: [[1]]\n"), limits=Limits(max_depth=3)).data == {"a": [[1]]}
    d = refused(write("deep.yaml", "a: [[[1]]]\n"), limits=Limits(max_depth=3))
    assert (d.code, d.message, where(d)) == ("CG320", "data is nested deeper than the limit of 3 levels", (1, 6))


def test_default_depth_limit_stops_deep_flow_nesting(write):
    d = refused(write("deep.yaml", "a: " + "[" * 10000 + "]" * 10000 + "\n"))
    assert (d.code, where(d)) == ("CG320", (1, 67))


def test_long_string_and_long_key_are_refused(write):
    limits = Limits(max_string_length=8)
    assert load_document(write("ok.yaml", "abcdefgh: abcdefgh\n"), limits=limits)
    d = refused(write("value.yaml", "a: abcdefghi\n"), limits=limits)
    assert (d.code, d.message, where(d)) == ("CG321", "text is longer than the limit of 8 characters", (1, 4))
    d = refused(write("key.yaml", "abcdefghi: 1\n"), limits=limits)
    assert (d.code, d.message) == ("CG321", "key is longer than the limit of 8 characters")


@pytest.mark.parametrize(
    ("key", "code_point", "name"),
    [
        ("\\u202e", "202E", "RIGHT-TO-LEFT OVERRIDE"),
        ("\\u2066", "2066", "LEFT-TO-RIGHT ISOLATE"),
        ("\\u200f", "200F", "RIGHT-TO-LEFT MARK"),
        ("\\u061c", "061C", "ARABIC LETTER MARK"),
        ("\\u2028", "2028", "LINE SEPARATOR"),
        ("\\u2029", "2029", "PARAGRAPH SEPARATOR"),
        ("\\t", "0009", "a control character"),
    ],
)
def test_invisible_characters_in_keys_are_refused(write, key, code_point, name):
    d = refused(write("a.yaml", f'"ad{key}min": true\n'))
    assert d.code == "CG309"
    assert d.message == f"key 'ad\\u{code_point.lower()}min' contains U+{code_point} ({name})"


def test_raw_bidi_control_in_a_plain_key_is_refused(write):
    d = refused(write("a.yaml", "ok: 1\nad\u202emin: true\n"))
    assert (d.code, where(d)) == ("CG309", (2, 1))


def test_bidi_controls_in_values_are_allowed(write):
    assert load_document(write("a.yaml", 'name: "\u202bشركة\u202c"\n')).data["name"] == "\u202bشركة\u202c"


@pytest.mark.parametrize(("text", "code_point"), [("a: 1\rb: 2\n", "000D"), ("a: x\u2028y\n", "2028"),
                                                   ("a: x\u2029y\n", "2029"), ("a: x\x85y\n", "0085")])
def test_line_breaks_yaml_reads_differently_are_refused(write, text, code_point):
    d = refused(write("a.yaml", text))
    assert (d.code, d.message, where(d)) == ("CG310", f"U+{code_point} is read as a line break in YAML", (1, 5))


def test_crlf_line_endings_are_fine(write):
    document = load_document(write("a.yaml", "a: 1\r\nb:\r\n  c: x\r\n"))
    assert document.data == {"a": 1, "b": {"c": "x"}}
    assert document.locate("/b/c") == (3, 6)


@pytest.mark.parametrize(("value", "code_point"), [
    ("x\x07y", "0007"), ("x\x7fy", "007F"),   # in an all-ASCII file
    ("é\x07y", "0007"), ("é\x9fy", "009F"), ("é\uffffy", "FFFF"),  # in a file that is not
])
def test_control_character_is_refused(write, value, code_point):
    d = refused(write("a.yaml", f"a: 1\nb: {value}\n"))
    assert (d.code, d.message, where(d)) == ("CG311", f"character U+{code_point} is not allowed in YAML", (2, 5))


def test_nul_escape_in_a_string_is_refused(write):
    d = refused(write("a.yaml", 'a: "x\\0y"\n'))
    assert (d.code, d.message) == ("CG307", "text contains a NUL character")


def test_lone_surrogate_escape_is_refused(write):
    # libyaml rejects the escape itself; the pure-Python parser lets it through to our check.
    assert refused(write("a.yaml", 'a: "\\ud800"\n')).code in ("CG308", "CG311")


def test_syntax_error_is_located(write):
    d = refused(write("a.yaml", "a: 1\nb: [1, 2\nc: 3\n"))
    assert d.code == "CG311"
    assert d.message.startswith("invalid YAML: ")
    assert d.span is not None and d.span.line >= 2


@pytest.fixture
def pure_python_parser(monkeypatch):
    import yaml

    from engine.evidence import yaml_reader

    monkeypatch.setattr(yaml_reader, "_LOADER", yaml.SafeLoader)


@pytest.mark.parametrize(
    ("text", "code"),
    [("a: &x 1\n", "CG313"), ("a: !!binary x\n", "CG315"), ("a: 1\na: 2\n", "CG316"), ("1: x\n", "CG317"),
     ("a: 1\n---\nb: 2\n", "CG318"), ("<<: {a: 1}\n", "CG314"), ('a: "\\ud800"\n', "CG308"), ("a: [1\n", "CG311")],
)
def test_pure_python_parser_refuses_the_same(write, pure_python_parser, text, code):
    assert refused(write("a.yaml", text)).code == code


def test_pure_python_parser_gives_the_same_data_and_positions(write, pure_python_parser):
    document = load_document(write("a.yaml", "a: [yes, 012, 1.5, ~]\nb:\n  c: {d: true}\n"))
    assert document.data == {"a": ["yes", "012", 1.5, None], "b": {"c": {"d": True}}}
    assert document.locate("/b/c/d") == (3, 10)
