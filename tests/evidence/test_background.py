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

processor_to_spare = background.processor_to_spare  # as they are, before the fixture below
memory_to_spare = background.memory_to_spare


@pytest.fixture(autouse=True)
def spare_processor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run in parallel (xdist), so the machine rarely looks idle: fork regardless."""
    monkeypatch.setattr(background, "processor_to_spare", lambda: True)
    monkeypatch.setattr(background, "memory_to_spare", lambda: True)


# A check on the command line with the same decision made (cli.run ends the process).
FORKING_CLI = ("import sys; from engine.evidence import background; background.processor_to_spare = lambda: True; "
               "background.memory_to_spare = lambda: True; sys.argv[0] = 'clausegate'; from engine.cli import run; run()")

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


def test_where_no_fork_can_run_or_help_there_is_no_background_job(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background, "processor_to_spare", lambda: False)
    assert BackgroundValidation.start(lambda: []) is None
    monkeypatch.setattr(background, "processor_to_spare", lambda: True)
    monkeypatch.setattr(background, "memory_to_spare", lambda: False)
    assert BackgroundValidation.start(lambda: []) is None
    monkeypatch.setattr(background, "memory_to_spare", lambda: True)
    monkeypatch.setattr(background.sys, "platform", "darwin")
    assert BackgroundValidation.start(lambda: []) is None


def test_when_no_process_can_be_made_the_check_does_the_work_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(background.os, "fork", refuse_fork)
    before = len(os.listdir("/proc/self/fd"))
    assert ForkedCall.start(lambda: 1) is None
    assert len(os.listdir("/proc/self/fd")) == before  # the pipe was closed again
    bundle = api.load_bundle(EXAMPLE, jobs=2)
    report = api.check(bundle, api.load_rules(), as_of=dt.date(2025, 6, 30), jobs=2)
    assert report.gate("minor") is False and len(report.rules) > 300


@pytest.mark.parametrize("status, spare", [("0.50 0.40 0.30 1/77 4292", True), ("1.90 1.60 1.30 2/77 4292", False),
                                           ("nonsense", True)])
def test_a_processor_is_spare_while_nothing_else_runs(tmp_path: Path, status: str, spare: bool) -> None:
    (tmp_path / "loadavg").write_text(status)
    assert processor_to_spare(str(tmp_path / "loadavg")) is (spare or len(os.sched_getaffinity(0)) > 2)
    assert processor_to_spare(str(tmp_path / "absent")) is True


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


def test_memory_is_spare_for_a_copy_of_this_process_and_as_much_again(tmp_path: Path) -> None:
    resident = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    meminfo, cgroup = tmp_path / "meminfo", tmp_path / "cgroup"
    cgroup.mkdir()

    def spare(available: int, limit: str | None = None, used: int = 0) -> bool:
        meminfo.write_text(f"MemTotal: 99999999 kB\nMemAvailable: {available // 1024} kB\n")
        if limit is not None:
            (cgroup / "memory.max").write_text(limit + "\n")
            (cgroup / "memory.current").write_text(f"{used}\n")
        return memory_to_spare(str(meminfo), str(cgroup))

    assert spare(3 * resident) and not spare(resident)
    assert spare(3 * resident, "max")
    assert not spare(100 * resident, str(10 * resident), used=9 * resident)  # the container's limit binds
    assert spare(100 * resident, str(10 * resident), used=resident)
    assert memory_to_spare(str(tmp_path / "absent"), str(cgroup))  # cannot tell: fork


@forking
@pytest.mark.parametrize("bundle", ["example", "broken-changes", "broken-improvement", "broken-incidents",
                                    "broken-leadership", "malformed/nan.json"])
def test_the_command_line_gives_the_same_bytes_with_one_process_or_two(bundle: str) -> None:
    outputs = []
    for jobs in ("1", "2"):
        result = subprocess.run([sys.executable, "-c", FORKING_CLI, "check", str(ROOT / "fixtures" / bundle),
                                 "--format", "json", "--format", "text", "--output", os.devnull, "--as-of",
                                 "2025-06-30", "--jobs", jobs], capture_output=True, cwd=ROOT, timeout=120)
        outputs.append((result.returncode, result.stdout, result.stderr))
    assert outputs[0] == outputs[1]


def _broken_copy(tmp_path: Path, **lines: str) -> Path:
    """The example with line 3 of each named file replaced by the given text."""
    folder = tmp_path / "bundle"
    shutil.copytree(EXAMPLE, folder)
    for name, text in lines.items():
        path = folder / name.replace("__", ".")
        content = path.read_text(encoding="utf-8").splitlines()
        content[2] = text
        path.write_text("\n".join(content) + "\n", encoding="utf-8")
    return folder


@forking
@pytest.mark.parametrize("broken, first", [
    ({"assets__yaml": "  - [unclosed", "incidents__jsonl": "{not json"}, "assets.yaml"),
    ({"changes__jsonl": "{not json", "documents__yaml": "  - [unclosed"}, "changes.jsonl"),
    ({"trend_analyses__yaml": "  - [unclosed"}, "trend_analyses.yaml"),
])
def test_with_yaml_parsed_aside_the_first_file_refused_in_name_order_is_the_one_reported(
        tmp_path: Path, broken: dict, first: str) -> None:
    folder = _broken_copy(tmp_path, **broken)
    refusals = []
    for jobs in (1, 2):
        with pytest.raises(DiagnosticError) as refused:
            api.load_bundle(folder, jobs=jobs)
        refusals.append([(d, d.source_line) for d in refused.value.diagnostics])
    assert refusals[0] == refusals[1]
    assert refusals[0][0][0].span.file.endswith(first)


@forking
def test_positions_in_yaml_parsed_aside_are_found_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    real_start = ForkedCall.start
    monkeypatch.setattr(ForkedCall, "start", classmethod(lambda cls, work: started.append(1) or real_start(work)))
    aside, here = api.load_bundle(EXAMPLE, jobs=2), api.load_bundle(EXAMPLE, jobs=1)
    assert started == [1]  # parsing aside, then nothing else forked
    assert aside.data == here.data
    assert [d.sha256 for d in aside.documents] == [d.sha256 for d in here.documents]
    for pointer in ("/services/0/name", "/suppliers/1", "/meta", "/incidents/3/actions/0/at", "/services/99"):
        assert aside.locate(pointer) == here.locate(pointer), pointer
    assert aside.source_line(aside.locate("/services/0/name")) == here.source_line(here.locate("/services/0/name"))


@forking
def test_yaml_is_read_here_when_the_child_parsing_it_dies(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.evidence import bundle as bundle_module

    parent = os.getpid()
    real = bundle_module._parsed_yaml
    monkeypatch.setattr(bundle_module, "_parsed_yaml",
                        lambda file, limits: os._exit(3) if os.getpid() != parent else real(file, limits))
    aside, here = api.load_bundle(EXAMPLE, jobs=2), api.load_bundle(EXAMPLE, jobs=1)
    assert aside.data == here.data
    assert aside.locate("/services/0/name") == here.locate("/services/0/name")


def test_a_small_bundle_is_read_in_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ForkedCall, "start", classmethod(lambda cls, work: pytest.fail("forked for a small bundle")))
    shutil.copy(EXAMPLE / "meta.yaml", tmp_path)
    shutil.copy(EXAMPLE / "incidents.jsonl", tmp_path)  # plenty of records, but too little YAML
    assert set(api.load_bundle(tmp_path, jobs=2).data) == {"meta", "incidents"}


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_number(value: str) -> None:
    result = subprocess.run([sys.executable, "-m", "engine", "check", str(EXAMPLE), "--jobs", value],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2
    assert f"argument --jobs: not a number of processes (1 or more): '{value}'" in result.stderr
