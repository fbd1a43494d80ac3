"""Every resource limit: a documented default, a way to change it (--limit NAME=N), and a
clear exit-2 message when it is hit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "fixtures" / "example")

QUADRATIC = '''rule DEEP-1 "Each incident shares its service with another"
  clause 8.6.1
  severity minor
  for each i in incidents
  expect count(incidents, j -> j.id != i.id and j.service == i.service) > 0
'''


def check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", "check", *args], capture_output=True, text=True,
                          timeout=120)


def refused(result: subprocess.CompletedProcess, text: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert text in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_evaluation_steps(tmp_path: Path) -> None:
    rules = tmp_path / "deep.rules"
    rules.write_text(QUADRATIC)
    result = check(EXAMPLE, "--no-builtin", "--rules", str(rules), "--limit", "max_steps=1000")
    refused(result, f"{rules}:1:6: error[CG219]: rule DEEP-1 exceeded its evaluation budget of 1,000 steps")
    assert check(EXAMPLE, "--no-builtin", "--rules", str(rules)).returncode == 0  # the default is far higher


def test_counting_the_items_equal_in_a_field_walks_the_list_once(tmp_path: Path) -> None:
    """`count(xs, x -> x.f == e)` for every item: the fast path groups xs by f once, so the
    rule costs steps in proportion to the list, not to its square (2,000 incidents)."""
    rules = tmp_path / "grouped.rules"
    rules.write_text(QUADRATIC.replace("j.id != i.id and ", ""))
    assert check(EXAMPLE, "--no-builtin", "--rules", str(rules), "--limit", "max_steps=20000").returncode == 0
    rules.write_text(QUADRATIC)
    refused(check(EXAMPLE, "--no-builtin", "--rules", str(rules), "--limit", "max_steps=20000"), "error[CG219]")


def test_rule_file_size(tmp_path: Path) -> None:
    rules = tmp_path / "big.rules"
    rules.write_text(QUADRATIC)
    result = check(EXAMPLE, "--rules", str(rules), "--limit", "max_rule_file_bytes=100")
    refused(result, "rule file is larger than 100 bytes")


def test_number_of_rules() -> None:
    refused(check(EXAMPLE, "--limit", "max_rules=3"), "rules loaded, more than the limit of 3")


def test_expression_depth(tmp_path: Path) -> None:
    rules = tmp_path / "nested.rules"
    rules.write_text('rule N-1 "nested"\n  clause 4.1\n  severity minor\n  expect ' + "not " * 30 + "true\n")
    refused(check(EXAMPLE, "--rules", str(rules), "--limit", "max_expression_depth=20"),
            "error[CG105]: expression nested more than 20 deep")
    assert check(EXAMPLE, "--rules", str(rules)).returncode in (0, 1)  # within the default of 100


def test_evidence_file_size() -> None:
    refused(check(EXAMPLE, "--limit", "max_file_bytes=100"), "error[CG303]: file is larger than the limit of 100")


def test_evidence_nesting_depth(tmp_path: Path) -> None:
    bundle = tmp_path / "deep.json"
    bundle.write_text('{"meta": ' + '{"a": ' * 10 + "1" + "}" * 10 + "}")
    refused(check(str(bundle), "--limit", "max_depth=5"), "error[CG320]")


def test_evidence_string_length(tmp_path: Path) -> None:
    bundle = tmp_path / "long.json"
    bundle.write_text('{"meta": {"organization": "' + "x" * 200 + '"}}')
    refused(check(str(bundle), "--limit", "max_string_length=100"), "error[CG321]")


@pytest.mark.parametrize("bad", ["bogus=1", "max_steps=0", "max_steps=lots"])
def test_bad_limit_option(bad: str) -> None:
    result = check(EXAMPLE, "--limit", bad)
    assert result.returncode == 2 and "argument --limit" in result.stderr


def test_bundle_size() -> None:
    refused(check(EXAMPLE, "--limit", "max_bundle_bytes=100000"),
            "error[CG339]: the bundle's files add up to more than the limit of 100,000 bytes")


def test_report_is_never_half_written(tmp_path: Path) -> None:
    """A report goes through a temporary file renamed into place: an input error, or a
    process killed mid-run, leaves the previous report whole and no stray file."""
    import signal
    import time

    out = tmp_path / "report.json"
    out.write_text("previous report\n")
    refused(check(EXAMPLE, "--limit", "max_rules=3", "--format", "json", "--output", str(out)), "CG218")
    assert out.read_text() == "previous report\n"
    process = subprocess.Popen([sys.executable, "-m", "engine", "check", EXAMPLE, "--format", "json",
                                "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=120)
    assert out.read_text() in ("previous report\n",) or out.read_text().endswith("}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
