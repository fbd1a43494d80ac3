"""Validation in a forked process beside evaluation (engine/evidence/background.py)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine import api
from engine.diagnostics import Diagnostic, DiagnosticError, Span
from engine.evidence import background
from engine.evidence.background import BackgroundValidation, ForkedCall

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "fixtures" / "example"

forking = pytest.mark.skipif(not background.can_fork(), reason="needs Linux with two processors or more")

PROBLEM = Diagnostic("CG404", "/incidents/4/priority: 'P9' is not one of 'P1'", Span("b/incidents.jsonl", 5, 107, 5, 110),
                     "a hint", "the line's text", "error")


@forking
def test_the_childs_diagnostics_come_back_whole() -> None:
    parent = os.getpid()
    job = BackgroundValidation.start(lambda: [PROBLEM, Diagnostic("CG420", "no span")] if os.getpid() != parent else [])
    assert job is not None
    problems = job.problems()
    assert problems == [PROBLEM, Diagnostic("CG420", "no span")]
    assert problems[0].source_line == "the line's text" and problems[0].span == PROBLEM.span
    assert job.found_problems()


@forking
def test_a_child_that_fails_is_replaced_by_validating_here() -> None:
    parent = os.getpid()

    def validate() -> list[Diagnostic]:
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        return [PROBLEM]

    job = BackgroundValidation.start(validate)
    assert job is not None
    assert job.problems() == [PROBLEM]


@forking
def test_no_answer_is_seen_before_the_child_gives_it_and_close_reaps_a_busy_child() -> None:
    call = ForkedCall.start(lambda: time.sleep(30))
    assert call is not None
    pid = call._pid
    assert not call.answered()
    call.close()
    with pytest.raises(ChildProcessError):  # killed and reaped: no zombie left behind
        os.waitpid(pid, os.WNOHANG)
    assert call.result() == (False, None)


@forking
def test_a_forked_call_returns_plain_data() -> None:
    call = ForkedCall.start(lambda: {"a": [1, 2.5, None, True, "text", (3, "x")]})
    assert call is not None
    assert call.result() == (True, {"a": [1, 2.5, None, True, "text", (3, "x")]})
    assert call.answered()


def test_where_no_fork_can_run_there_is_no_background_job(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background.sys, "platform", "darwin")
    assert BackgroundValidation.start(lambda: []) is None


@forking
def test_an_invalid_bundle_is_refused_alike_and_its_evaluation_given_up(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    bundle_dir = tmp_path / "bundle"
    shutil.copytree(EXAMPLE, bundle_dir)
    records = (bundle_dir / "incidents.jsonl").read_text(encoding="utf-8").splitlines()
    records[4] = re.sub(r'"priority": "P\d"', '"priority": "P9"', records[4])
    (bundle_dir / "incidents.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    rules, bundle = api.load_rules(), api.load_bundle(bundle_dir)
    refusals = []
    for jobs in (1, 2):
        with pytest.raises(DiagnosticError) as refused:
            api.check(bundle, rules, as_of=dt.date(2025, 6, 30), jobs=jobs)
        refusals.append([(d, d.source_line) for d in refused.value.diagnostics])
    assert refusals[0] == refusals[1] and refusals[0][0][0].code == "CG404"

    # The parent stops evaluating once the child has found the bundle invalid.
    asked = []
    real_evaluate = api.evaluate

    def watched(*args, give_up, **kwargs):
        def ask() -> bool:
            asked.append(give_up())
            if not asked[-1]:
                time.sleep(0.01)  # leave the child time to answer well before the last rule
            return asked[-1]
        return real_evaluate(*args, give_up=ask, **kwargs)

    monkeypatch.setattr(api, "evaluate", watched)
    with pytest.raises(DiagnosticError):
        api.check(bundle, rules, as_of=dt.date(2025, 6, 30), jobs=2)
    assert asked[-1] is True and len(asked) < len(rules.compiled)


@forking
def test_the_command_line_gives_the_same_bytes_with_one_process_or_two(tmp_path: Path) -> None:
    for bundle in ("example", "broken-incidents", "malformed/nan.json"):
        outputs = []
        for jobs in ("1", "2"):
            result = subprocess.run([sys.executable, "-m", "engine", "check", str(ROOT / "fixtures" / bundle),
                                     "--format", "json", "--as-of", "2025-06-30", "--jobs", jobs],
                                    capture_output=True, cwd=ROOT, timeout=120)
            outputs.append((result.returncode, result.stdout, result.stderr))
        assert outputs[0] == outputs[1], bundle


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_number(value: str) -> None:
    result = subprocess.run([sys.executable, "-m", "engine", "check", str(EXAMPLE), "--jobs", value],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2
    assert f"argument --jobs: not a number of processes (1 or more): '{value}'" in result.stderr
