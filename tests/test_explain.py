"""`clausegate explain`: the value of every part of a rule for one item."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BROKEN = str(ROOT / "fixtures" / "broken-leadership")


def explain(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", "explain", *args], capture_output=True, text=True,
                          timeout=120)


def test_explains_the_first_failing_item_with_every_value() -> None:
    result = explain("POL-5.2.1-02", BROKEN)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("POL-5.2.1-02 for /policies/0 (") and ": fail: policy pol-service-management" in lines[0]
    assert "↳ policy.reviewed_on = 2024-03-12" in result.stdout
    assert "↳ meta.intervals.policy_review = 12 months" in result.stdout
    assert "↳ due_again(policy.reviewed_on, meta.intervals.policy_review) >= today = false" in result.stdout
    assert "↳ today = 2025-06-30" in result.stdout


def test_explains_a_chosen_item() -> None:
    result = explain("ROLE-5.3-01", BROKEN, "--item", "/roles/0")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].endswith(": pass")
    assert '↳ role.holders = ["amelia.hart", "rahul.mehta"]' in result.stdout


def test_unknown_rule_or_item_is_exit_2() -> None:
    unknown = explain("NOPE-1", BROKEN)
    assert unknown.returncode == 2 and "no rule `NOPE-1` is loaded" in unknown.stderr
    beyond = explain("ROLE-5.3-01", BROKEN, "--item", "/roles/999")
    assert beyond.returncode == 2 and "the rule checks no item at /roles/999" in beyond.stderr
