"""JSON is read with json.loads plus the checks YAML gets; positions come from the text."""

from __future__ import annotations

import pytest

from engine.evidence.limits import Limits
from engine.evidence.loader import load_document
from evidence_helpers import refused, where


def test_json_types_are_kept(write):
    document = load_document(write("a.json", '{"s": "012", "i": 12, "f": 1.5, "b": false, "n": null, "l": [1, "x"], "o": {}}'))
    assert document.data == {"s": "012", "i": 12, "f": 1.5, "b": False, "n": None, "l": [1, "x"], "o": {}}


def test_paired_surrogate_escapes_make_one_character(write):
    assert load_document(write("a.json", '{"a": "\\ud83d\\ude00"}')).data == {"a": "\U0001f600"}


def test_duplicate_key_is_refused_where_it_repeats(write):
    d = refused(write("a.json", '{\n  "a": {"x": 1},\n  "b": {"x": 1, "y": 2, "x": 3}\n}'))
    assert (d.code, d.message, where(d)) == ("CG316", "duplicate key 'x'", (3, 25))
    assert d.hint == "the first one is at line 3; keep one"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(write, constant):
    d = refused(write("a.json", f'{{"a": [1, {constant}]}}'))
    assert (d.code, d.message, where(d)) == ("CG322", f"{constant} is not a number JSON allows", (1, 11))


@pytest.mark.parametrize("number", ["9223372036854775808", "-9223372036854775809", "1" * 5000])
def test_integers_beyond_64_bits_are_refused(write, number):
    d = refused(write("a.json", f'{{"a": {number}}}'))
    assert (d.code, d.message, where(d)) == ("CG323", "integer is outside the signed 64-bit range", (1, 7))


def test_64_bit_extremes_are_accepted(write):
    data = load_document(write("a.json", '{"a": 9223372036854775807, "b": -9223372036854775808}')).data
    assert data == {"a": 2**63 - 1, "b": -(2**63)}


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1" * 400 + ".0"])
def test_float_overflow_is_refused(write, number):
    d = refused(write("a.json", f'{{"a": {number}}}'))
    assert (d.code, d.message, where(d)) == ("CG324", "number is too large to represent", (1, 7))


def test_syntax_error_is_located(write):
    d = refused(write("a.json", '{\n  "a": 1,\n  "b": 2,\n}'))
    assert (d.code, d.message, where(d)) == ("CG312", "invalid JSON: Expecting property name enclosed in double quotes", (4, 1))


def test_top_level_must_be_an_object(write):
    d = refused(write("a.json", '\n  [1, 2]'))
    assert (d.code, d.message, where(d)) == ("CG319", "the top level must be an object of sections, found a list", (2, 3))


def test_nesting_deeper_than_the_limit_is_refused(write):
    d = refused(write("a.json", '{"a": [[[1]]]}'), limits=Limits(max_depth=3))
    assert (d.code, d.message, where(d)) == ("CG320", "data is nested deeper than the limit of 3 levels", (1, 9))


def test_nesting_too_deep_for_the_parser_is_refused(write):
    d = refused(write("a.json", '{"a": ' + "[" * 100000 + "]" * 100000 + "}"))
    assert (d.code, where(d)) == ("CG320", (1, 70))


def test_long_string_and_long_key_are_refused(write):
    limits = Limits(max_string_length=8)
    assert load_document(write("ok.json", '{"abcdefgh": ["abcdefgh"]}'), limits=limits)
    d = refused(write("value.json", '{"a": ["x", "abcdefghi"]}'), limits=limits)
    assert (d.code, d.message, where(d)) == ("CG321", "text is longer than the limit of 8 characters", (1, 13))
    d = refused(write("key.json", '{"a": {"abcdefghi": 1}}'), limits=limits)
    assert (d.code, d.message) == ("CG321", "key is longer than the limit of 8 characters")


@pytest.mark.parametrize("key", ["ad\\u202emin", "ad\u202emin", "a\\u2028b", "a\u2029b", "a\\u0007b", "a\\u200eb"])
def test_invisible_characters_in_keys_are_refused(write, key):
    d = refused(write("a.json", f'{{"ok": 1, "nested": {{"{key}": true}}}}'))
    assert d.code == "CG309"
    assert d.message.startswith("key '")


@pytest.mark.parametrize(("escape", "code", "message"), [
    ("\\ud800", "CG308", "text contains a lone surrogate U+D800"),
    ("x\\udfffy", "CG308", "text contains a lone surrogate U+DFFF"),
    ("\\u0000", "CG307", "text contains a NUL character"),
])
def test_bad_escapes_are_refused(write, escape, code, message):
    d = refused(write("a.json", f'{{"a": ["ok", "{escape}"]}}'))
    assert (d.code, d.message, where(d)) == (code, message, (1, 14))


def test_lone_surrogate_in_a_key_is_refused(write):
    assert refused(write("a.json", '{"\\ud800": 1}')).code == "CG308"
