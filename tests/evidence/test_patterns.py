"""`pattern`: RE2's meaning, in linear time, whether RE2 or a translated Python regex runs it."""

from __future__ import annotations

import json
import random
import time

import pytest
import re2

from engine.diagnostics import DiagnosticError
from engine.evidence.batch import BatchCheck
from engine.evidence.bulk import batch_value, constant_value
from engine.evidence.patterns import compile_pattern, re2_search, translate
from engine.evidence.schemas import load_schema_set

TRANSLATED = [
    r"^[A-Za-z0-9][A-Za-z0-9._:-]*$",
    r"^[a-z][a-z0-9_]*$",
    r"^(4|5|6|7|8|9|10)(\.[0-9]+)*$",
    r"^[A-Z]{3}$",
    r"^[0-9a-f]{64}$",
    r"^[0-9]+(\.[0-9]+)*$",
    r"^\d{2,4}-\w+\s?;$",
    r"^[^,]+,[^,]*$",
    r"^a.b$",
    r"^(ab|cd)+",
    r"^x?y",
    r"^$",
]
LEFT_TO_RE2 = [
    r"abc",          # not anchored: a search would restart at every position
    r"^a*a$",        # a repeat followed by what it repeats
    r"^(a|ab)c$",    # alternatives that start alike
    r"^(a*)*$",      # a repeat of something that may be empty
    r"^\bword",      # \b
    r"(?i)^abc$",    # flags
    r"^a+?b$",       # lazy
    r"^[[:alpha:]]+$",
    r"^a{,3}$",      # RE2 reads {,3} as text
]
ALPHABET = "aAbcdxyz019.,-_:\n \t#é"


@pytest.mark.parametrize("pattern", TRANSLATED)
def test_translated_patterns_mean_what_re2_means(pattern):
    assert translate(pattern) is not None
    check = compile_pattern(pattern)
    rng = random.Random(pattern)
    samples = ["", "\n", "abc\n", "4.1", "10.2.3", "11", "ABC", "abcd", "a-b", "0" * 64, "12-ab ;", "a,b", "axb",
               "abab", "cdx", "y", "xy"]
    samples += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8))) for _ in range(400)]
    for text in samples:
        assert check.test(text) == (re2.search(pattern, text) is not None), (pattern, text)
    assert check.batch(samples) == all(re2.search(pattern, text) for text in samples)
    good = [text for text in samples if check.test(text)]
    assert check.batch(good) is True
    # What the prebuilt validators rebuild from the recipe, without the translator or RE2.
    assert check.recipe[0] == "regex"
    rebuilt, rebuilt_batch = constant_value(check.recipe), batch_value(check.recipe)
    assert [rebuilt(text) for text in samples] == [check.test(text) for text in samples]
    assert rebuilt_batch(samples) == check.batch(samples) and rebuilt_batch(good) is True


@pytest.mark.parametrize("pattern", LEFT_TO_RE2)
def test_other_patterns_are_left_to_re2(pattern):
    assert translate(pattern) is None
    check = compile_pattern(pattern)
    assert check.batch is None and check.recipe == ("pattern", pattern)
    rebuilt = constant_value(check.recipe)
    for text in ["abc", "aaa", "ac", "abc word", "ABC", "ab", "aaab", "a{,3}"]:
        assert check.test(text) == rebuilt(text) == (re2.search(pattern, text) is not None)


def test_translated_patterns_run_in_linear_time():
    check = compile_pattern(r"^[a-z]+(\.[a-z]+)*$")
    text = "a" * 200_000 + "."
    started = time.perf_counter()
    assert check.test(text) is False
    assert check.batch([text, "ok"]) is False
    assert time.perf_counter() - started < 1.0


def test_batch_check_restarts_after_values_the_quick_regex_leaves_out():
    def exact(text):
        return text in ("ok", "special")

    batch = BatchCheck("ok", exact)
    assert batch(["ok", "special", "ok"]) is True
    assert batch(["ok", "special", "nope"]) is False
    assert batch(["ok\nok"]) is False  # a line break inside a value never splits it
    assert batch([]) is True


def test_re2_search_handles_lone_surrogates():
    assert re2_search("^a", "a\ud800") is True


def test_a_pattern_re2_cannot_run_refuses_the_schema(tmp_path):
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.test/b.json",
              "type": "object", "properties": {"meta": {"type": "string", "pattern": "^(?=a)b$"}}}
    path = tmp_path / "b.json"
    path.write_text(json.dumps(schema, indent=1))
    with pytest.raises(DiagnosticError) as caught:
        load_schema_set(path)
    d = caught.value.diagnostics[0]
    assert d.code == "CG431" and "pattern '^(?=a)b$'" in d.message and d.span.line == 8
