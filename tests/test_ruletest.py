"""`clausegate test`: rule test cases run, report a diff on failure, refuse malformed files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RULE = '''rule MY-1 "Every service has an owner"
  clause 8.2.1
  severity minor
  for each service in services
  expect exists(service.owner)
  message "service {service.id} has no owner"
'''

CASES = '''cases:
  - rule: MY-1
    name: owned services pass
    evidence:
      services: [{id: s1, name: Mail, status: live, owner: p1}]
    expect: pass
  - rule: MY-1
    name: an unowned service fails
    evidence:
      services:
        - {id: s1, name: Mail, status: live, owner: p1}
        - {id: s2, name: Web, status: live}
    expect: fail
    findings:
      - {pointer: /services/1, outcome: fail, message: service s2 has no owner}
'''


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", "test", *args], capture_output=True, text=True,
                          timeout=120)


def write(folder: Path, rules: str = RULE, cases: str = CASES) -> Path:
    (folder / "mine.rules").write_text(rules)
    (folder / "mine.tests.yaml").write_text(cases)
    return folder / "mine.rules"


def test_passing_cases(tmp_path: Path) -> None:
    result = run(str(write(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "2 passed, 0 failed"


def test_failing_case_shows_a_located_diff(tmp_path: Path) -> None:
    rules = write(tmp_path, cases=CASES.replace("message: service s2 has no owner", "message: wrong"))
    result = run(str(rules))
    assert result.returncode == 1
    assert f"{tmp_path / 'mine.tests.yaml'}:7:5: FAIL MY-1: an unowned service fails" in result.stdout
    assert '-      "message": "wrong",' in result.stdout
    assert '+      "message": "service s2 has no owner",' in result.stdout
    assert result.stdout.strip().endswith("1 passed, 1 failed")


def test_folder_runs_every_test_file_in_it(tmp_path: Path) -> None:
    write(tmp_path)
    assert run(str(tmp_path)).stdout.strip().endswith("2 passed, 0 failed")


def test_unknown_rule_and_invalid_evidence_are_input_errors(tmp_path: Path) -> None:
    rules = write(tmp_path, cases=CASES.replace("rule: MY-1\n    name: owned", "rule: MY-9\n    name: owned")
                  .replace("status: live}\n    expect: fail", "status: alive}\n    expect: fail"))
    result = run(str(rules))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{tmp_path / 'mine.tests.yaml'}:2:11: error[CG621]: no rule `MY-9` is loaded" in result.stderr
    assert "/services/1/status" in result.stderr and "mine.tests.yaml:12:39: error[CG404]" in result.stderr


def test_builtin_library_tests_pass() -> None:
    result = run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed, 0 failed" in result.stdout
