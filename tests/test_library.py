"""The built-in rule library as a whole: its reference pages, its coverage, its tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import engine
from engine.library import builtin_test_files
from engine.ruledocs import render_pages

ROOT = Path(__file__).resolve().parents[1]


def test_generated_rule_docs_are_current() -> None:
    pages = render_pages(engine.load_rules(), builtin_test_files())
    folder = ROOT / "docs" / "rules"
    on_disk = {p.name: p.read_text("utf-8") for p in folder.glob("*.md")}
    stale = sorted(set(pages) ^ set(on_disk) | {n for n in pages if on_disk.get(n) != pages[n]})
    assert not stale, f"docs/rules is stale ({', '.join(stale[:5])}): run python -m engine.ruledocs docs/rules"


def test_coverage_matrix_text_and_json() -> None:
    out = subprocess.run([sys.executable, "-m", "engine", "coverage", "--format", "json"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    by_number = {c["number"]: c for c in document["clauses"]}
    assert document["summary"]["leaf_clauses"] == 57
    assert by_number["5.1"]["status"] == "automated" and "LEAD-5.1-01" in by_number["5.1"]["rules"]
    assert "status" not in by_number["5"]  # a parent clause is covered through its leaves
    text = subprocess.run([sys.executable, "-m", "engine", "coverage"], capture_output=True, text=True,
                          timeout=120).stdout
    assert "  5.1 Leadership and commitment" in text and text.strip().endswith("with nothing")


def test_coverage_with_a_bundle_counts_outcomes() -> None:
    out = subprocess.run([sys.executable, "-m", "engine", "coverage", "--bundle",
                          str(ROOT / "fixtures" / "broken-leadership"), "--format", "json"],
                         capture_output=True, text=True, timeout=120)
    clauses = {c["number"]: c for c in json.loads(out.stdout)["clauses"]}
    assert clauses["5.1"]["outcomes"]["fail"] >= 1
    assert clauses["4.2"]["outcomes"]["fail"] == 0


def test_every_rule_is_tested_passing_and_failing_and_the_library_is_complete() -> None:
    from engine.evidence.loader import load_document

    rules = engine.load_rules()
    outcomes: dict[str, set[str]] = {}
    for path, display in builtin_test_files():
        for case in load_document(path, display).data["cases"]:
            outcomes.setdefault(case["rule"], set()).add(case["expect"])
    untested = [r.id for r in rules.rules if not {"pass", "fail"} <= outcomes.get(r.id, set())]
    assert not untested, f"rules without a passing and a failing case: {untested[:10]}"
    assert len(rules.rules) >= 150
    leaves = {c.number for c in rules.catalogue.leaves()}
    cited = {number for r in rules.rules for number, _ in r.clauses}
    assert leaves <= cited, f"leaf clauses without a rule: {sorted(leaves - cited)}"
    assert all(c.judgement for c in rules.catalogue.leaves())


def test_the_library_lints_clean() -> None:
    out = subprocess.run([sys.executable, "-m", "engine", "lint"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:]
