"""The language conformance suite: every case in cases/ is data (rules, evidence, expectations)
run by the one test below. See cases/README.md for the format."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from engine.catalogue import load_catalogue
from engine.diagnostics import DiagnosticError
from engine.evaluate import evaluate
from engine.lang import types as T
from engine.library import RuleSource, build_rule_set
from engine.ruletest import matches

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").rglob("*.yaml"))
SCHEMA = json.loads((HERE / "schema.json").read_text())


class _JsonTypesLoader(yaml.SafeLoader):
    """YAML with JSON's types only, so `2025-03-31` in a case stays text as in a bundle."""


_JsonTypesLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag.endswith((":null", ":bool", ":int", ":float"))]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _resolve(schema: dict, base: str):
    node = SCHEMA
    for part in schema["$ref"].lstrip("#/").split("/"):
        node = node[part]
    return node, base


def _sections() -> dict[str, T.Type]:
    root = T.from_schema(SCHEMA, "", _resolve)
    return root.fields()[0]


def _run(case: dict, fast: bool = True) -> tuple[str | None, dict]:
    source = RuleSource("case.rules", case["rules"])
    try:
        rule_set = build_rule_set([source], _sections(), fast=fast)
    except DiagnosticError as exc:
        return exc.render(), {}
    evidence = case.get("evidence", {})
    jsonschema.Draft202012Validator(SCHEMA).validate(evidence)
    as_of = dt.date.fromisoformat(case.get("as_of", "2025-06-30"))
    result = evaluate(rule_set.compiled, evidence, as_of, load_catalogue())
    return None, {"rules": {r.rule_id: r.outcome for r in result.rules},
                  "findings": [f.to_json() for f in result.findings]}


@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(HERE / "cases")) for p in CASES])
def test_case(path: Path) -> None:
    case = yaml.load(path.read_text("utf-8"), Loader=_JsonTypesLoader)
    expected = case["expect"]
    diagnostics, outcome = _run(case)
    if "diagnostics" in expected:
        assert diagnostics is not None, f"expected diagnostics, but the rules loaded; outcome: {outcome}"
        assert diagnostics.strip() == expected["diagnostics"].strip()
        return
    assert diagnostics is None, f"unexpected diagnostics:\n{diagnostics}"
    # The compiled fast path may only ever agree with the exact one.
    assert _run(case, fast=False)[1] == outcome
    if "rules" in expected:
        assert outcome["rules"] == expected["rules"]
    if "findings" in expected:
        assert matches(expected["findings"], outcome["findings"]), json.dumps(outcome["findings"], indent=2)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 150
