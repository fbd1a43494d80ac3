"""The fixtures keep their promises: broken variants fail exactly their documented clauses,
they are what make_variants.py writes, and malformed files are refused with their code."""

from __future__ import annotations

import filecmp
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
_spec = importlib.util.spec_from_file_location("make_variants", FIXTURES / "make_variants.py")
make_variants = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_variants)

MALFORMED = {"alias.yaml": "CG313", "bom.yaml": "CG306", "duplicate-key.yaml": "CG316",
             "huge-integer.json": "CG323", "invalid-utf8.yaml": "CG305", "nan.json": "CG322",
             "not-a-mapping.json": "CG319", "python-tag.yaml": "CG315", "two-documents.yaml": "CG318"}


def check(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", "check", str(path), *args], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("variant", sorted(make_variants.VARIANTS))
def test_broken_variant_fails_exactly_its_documented_clauses(variant: str) -> None:
    result = check(FIXTURES / variant, "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    failing = {c["number"] for r in report["rules"] if r["outcome"] in ("fail", "missing", "error")
               for c in r["clauses"]}
    assert failing == make_variants.FAILING_CLAUSES[variant]
    assert variant in (FIXTURES / "README.md").read_text()


def test_variants_are_what_the_generator_writes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(make_variants, "HERE", tmp_path)
    monkeypatch.setattr(make_variants, "EXAMPLE", FIXTURES / "example")
    make_variants.main()
    for variant in make_variants.VARIANTS:
        comparison = filecmp.dircmp(tmp_path / variant, FIXTURES / variant)
        stale = comparison.diff_files + comparison.left_only + comparison.right_only
        assert not stale, f"{variant} is stale ({stale[:3]}): run python fixtures/make_variants.py"


def test_example_passes_every_rule() -> None:
    result = check(FIXTURES / "example", "--fail-on", "improvement")
    assert result.returncode == 0, result.stdout[-2000:]


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_file_is_refused_with_its_code(name: str) -> None:
    result = check(FIXTURES / "malformed" / name)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{FIXTURES / 'malformed' / name}:") and f"error[{MALFORMED[name]}]" in first
    assert sorted(p.name for p in (FIXTURES / "malformed").iterdir()) == sorted(MALFORMED)
