"""`clausegate lint`: located style warnings on top of the checker's errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

STYLISH = '''rule GOOD-1 "Every service has an owner"
  clause 8.2.1
  severity minor
  rationale "Someone must answer for each service."
  remediation "Name an owner."
  for each service in services
  expect exists(service.owner)
  message "service {service.id} has no owner"
'''

SLOPPY = '''helper never_called(x) = x

rule SLOP-1 "Services"
  clause 8.2.1
  severity minor
  let unused = 3
  for each service in services
  expect exists(service.owner)
'''

CASES = '''cases:
  - {rule: GOOD-1, name: owned, evidence: {services: [{id: s1, name: Mail, status: live, owner: p1}]}, expect: pass}
  - {rule: GOOD-1, name: not owned, evidence: {services: [{id: s1, name: Mail, status: live}]}, expect: fail}
'''


def lint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", "lint", *args], capture_output=True, text=True,
                          timeout=120)


def test_clean_file_has_no_warnings(tmp_path: Path) -> None:
    (tmp_path / "good.rules").write_text(STYLISH)
    (tmp_path / "good.tests.yaml").write_text(CASES)
    result = lint(str(tmp_path / "good.rules"))
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "1 file(s), 0 warning(s)"


def test_every_style_warning_is_located(tmp_path: Path) -> None:
    path = tmp_path / "sloppy.rules"
    path.write_text(SLOPPY)
    result = lint(str(path))
    assert result.returncode == 1
    out = result.stdout
    assert f"{path}:1:1: warning[CG806]: helper `never_called` is never used" in out
    assert f"{path}:6:3: warning[CG801]: `unused` is bound but never used" in out
    assert f"{path}:3:6: warning[CG802]: rule SLOP-1 has no rationale" in out
    assert f"{path}:3:6: warning[CG803]: rule SLOP-1 has no remediation" in out
    assert f"{path}:3:6: warning[CG804]: rule SLOP-1 has no test cases" in out
    assert f"{path}:3:6: warning[CG805]: rule SLOP-1 checks items but has no message" in out
    assert out.strip().endswith("1 file(s), 6 warning(s)")


def test_rule_errors_are_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.rules"
    path.write_text(STYLISH.replace("8.2.1", "8.2.9"))
    result = lint(str(path))
    assert result.returncode == 2 and "error[CG202]: unknown clause `8.2.9`" in result.stderr
