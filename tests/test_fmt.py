"""`clausegate fmt`: one canonical layout, idempotent, comments kept, meaning unchanged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.formatter import format_rules

MESSY = '''# Library header comment

helper   overdue( d,interval )=d+interval<today   # trailing helper comment
rule X-1 "messy"   clause 4.1 ,5.1
    severity   minor
  tags a,b
   # comment before expect
  for each  i in incidents where i.major and
      i.resolved_at!=null
  expect count( incidents,x->x.major )>= -1   # trailing
  expect [1,2] == [ 1 , 2 ] else "bad {i.id}"
  message """multi
   line"""
rule Y-2 "two" clause 4.1 severity major expect -(1+2) < 0
# end comment
'''

CANONICAL = '''# Library header comment

helper overdue(d, interval) = d + interval < today  # trailing helper comment

rule X-1 "messy"
  clause 4.1, 5.1
  severity minor
  tags a, b
  # comment before expect
  for each i in incidents where i.major and i.resolved_at != null
  expect count(incidents, x -> x.major) >= -1  # trailing
  expect [1, 2] == [1, 2] else "bad {i.id}"
  message """multi
   line"""

rule Y-2 "two"
  clause 4.1
  severity major
  expect -(1 + 2) < 0
# end comment
'''


def test_canonical_layout_keeps_comments() -> None:
    assert format_rules(MESSY, "m.rules") == CANONICAL


def test_formatting_is_idempotent() -> None:
    assert format_rules(CANONICAL, "m.rules") == CANONICAL


@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parents[1] / "rules").glob("*.rules")),
                         ids=lambda p: p.name)
def test_the_library_is_formatted(path: Path) -> None:
    text = path.read_text("utf-8")
    assert format_rules(text, path.name) == text, f"run: clausegate fmt {path}"


def fmt(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", "fmt", *args], capture_output=True, text=True,
                          timeout=120)


def test_check_mode_and_rewrite(tmp_path: Path) -> None:
    path = tmp_path / "messy.rules"
    path.write_text(MESSY)
    check = fmt("--check", str(tmp_path))
    assert check.returncode == 1 and check.stdout.strip() == f"would reformat {path}"
    assert path.read_text() == MESSY
    assert fmt(str(path)).returncode == 0 and path.read_text() == CANONICAL
    assert fmt("--check", str(path)).returncode == 0


def test_syntax_error_is_exit_2_and_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "bad.rules"
    path.write_text('rule A "x"\n  clause 4.1\n  expect a = b\n')
    result = fmt(str(path))
    assert result.returncode == 2 and f"{path}:3:12: error[CG102]" in result.stderr
    assert path.read_text() == 'rule A "x"\n  clause 4.1\n  expect a = b\n'
