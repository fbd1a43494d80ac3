"""End-to-end: the `clausegate` command line in subprocesses, as CI and users run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "example"
BROKEN = ROOT / "fixtures" / "broken-leadership"
REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text())


def run(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd or ROOT, timeout=120)


def json_report(*args: str) -> dict:
    result = run("check", *args, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_example_bundle_passes() -> None:
    result = run("check", str(EXAMPLE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Result: PASSED" in result.stdout
    assert "\033[" not in result.stdout  # not a terminal: no colour


@pytest.mark.parametrize("bundle", [EXAMPLE, BROKEN])
def test_json_report_matches_its_published_schema(bundle: Path) -> None:
    report = json_report(str(bundle))
    jsonschema.Draft202012Validator(REPORT_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(report)


def test_findings_locate_the_evidence_and_say_what_decided() -> None:
    report = json_report(str(BROKEN))
    finding = next(f for f in report["findings"] if f["rule"] == "LEAD-5.1-01")
    assert finding["pointer"] == "/policies/0"
    assert finding["item_id"] == "pol-service-management"
    assert finding["location"]["file"].endswith("policies.yaml") and finding["location"]["line"] == 3
    assert {"expression": "policy.approved_by", "value": "sofia.lindqvist"} in finding["decided_by"]
    assert finding["clauses"][0] == {"number": "5.1", "title": "Leadership and commitment"}


def test_reports_are_byte_identical_across_runs_and_hash_seeds() -> None:
    outputs = set()
    for seed in ("0", "1", "12345"):
        for fmt in ("json", "text"):
            result = run("check", str(BROKEN), "--format", fmt, env={"PYTHONHASHSEED": seed})
            outputs.add((fmt, result.stdout))
    assert len(outputs) == 2


def test_as_of_option_wins_over_the_bundle_date() -> None:
    report = json_report(str(EXAMPLE), "--as-of", "2026-06-30")
    assert report["as_of"] == "2026-06-30" and report["as_of_source"] == "option"
    outcomes = {r["id"]: r["outcome"] for r in report["rules"]}
    assert outcomes["POL-5.2.1-02"] == "fail"  # a year later the policy review is overdue
    assert json_report(str(EXAMPLE))["as_of_source"] == "bundle"


def test_fail_on_threshold() -> None:
    assert run("check", str(BROKEN), "--fail-on", "major").returncode == 1  # 5.1 is major
    assert run("check", str(BROKEN), "--fail-on", "never").returncode == 0


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run("check", str(EXAMPLE), "--format", "json", "--output", str(out))
    assert result.returncode == 0 and result.stdout == ""
    assert json.loads(out.read_text())["summary"]["rules"] > 0
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_output_through_a_link_replaces_the_file_it_points_to(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "latest.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    assert run("check", str(EXAMPLE), "--format", "json", "--output", str(link)).returncode == 0
    assert link.is_symlink() and json.loads(target.read_text())["summary"]["rules"] > 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_output_to_a_pipe_is_written_into_it_not_replaced(tmp_path: Path) -> None:
    # As `--output /dev/stdout` or `/dev/null`: a special file must stay what it is.
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[str] = []
    # A daemon thread: if the pipe were replaced instead, nothing would ever open it to write.
    reader = threading.Thread(target=lambda: received.append(pipe.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    result = run("check", str(EXAMPLE), "--format", "json", "--output", str(pipe))
    assert result.returncode == 0, result.stderr
    assert pipe.is_fifo() and [p.name for p in tmp_path.iterdir()] == ["pipe"]
    reader.join(timeout=30)
    assert json.loads(received[0])["summary"]["rules"] > 0


def test_user_rules_alone_or_with_the_library(tmp_path: Path) -> None:
    rules = tmp_path / "mine.rules"
    rules.write_text('rule MY-1 "Every service has an owner"\n  clause 8.2.1\n  severity minor\n'
                     '  for each service in services\n  expect exists(service.owner)\n')
    alone = json_report(str(EXAMPLE), "--no-builtin", "--rules", str(rules))
    assert [r["id"] for r in alone["rules"]] == ["MY-1"]
    both = json_report(str(EXAMPLE), "--rules", str(rules))
    assert "MY-1" in {r["id"] for r in both["rules"]} and len(both["rules"]) > 1


def _assert_input_error(result: subprocess.CompletedProcess, located: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert located in result.stderr.splitlines()[0], result.stderr
    assert result.stdout == ""


def test_rule_syntax_error_is_located_with_a_caret(tmp_path: Path) -> None:
    rules = tmp_path / "bad.rules"
    rules.write_text('rule BAD-1 "x"\n  clause 4.1\n  severity minor\n  expect count(services) = 1\n')
    result = run("check", str(EXAMPLE), "--rules", str(rules))
    _assert_input_error(result, f"{rules}:4:26: error[CG102]: unexpected `=`")
    assert "^" in result.stderr and "hint: to compare two values write `==`" in result.stderr


def test_unknown_clause_and_field_are_both_reported(tmp_path: Path) -> None:
    rules = tmp_path / "bad.rules"
    rules.write_text('rule BAD-2 "x"\n  clause 8.6.9\n  severity minor\n'
                     '  for each incident in incidents\n  expect incident.resolvd_at != null\n')
    result = run("check", str(EXAMPLE), "--rules", str(rules))
    _assert_input_error(result, f"{rules}:2:10: error[CG202]: unknown clause `8.6.9`")
    assert "did you mean `resolved_at`?" in result.stderr


def test_diagnostics_as_json_with_json_format(tmp_path: Path) -> None:
    rules = tmp_path / "bad.rules"
    rules.write_text('rule BAD-3 "x"\n  clause 4.1\n  severity serious\n  expect true\n')
    result = run("check", str(EXAMPLE), "--rules", str(rules), "--format", "json")
    assert result.returncode == 2
    diagnostic = json.loads(result.stderr)["diagnostics"][0]
    assert diagnostic["code"] == "CG204" and diagnostic["span"]["line"] == 3
    assert diagnostic["message"] == "unknown severity `serious`"


def test_malformed_bundle_is_exit_2(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text("meta:\n  as_of: 2025-06-30\n  organization: [unclosed\n")
    _assert_input_error(run("check", str(bundle)), str(bundle))


def test_schema_violation_is_exit_2_and_located(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text("meta:\n  organization: X\n  as_of: 2025-13-45\n  audit_period: {start: 2024-07-01, end: 2025-06-30}\n"
                      "  intervals: {default: P12M}\n")
    result = run("check", str(bundle))
    _assert_input_error(result, f"{bundle}:3:")


def test_missing_bundle_is_exit_2(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "Traceback" not in result.stderr and "nowhere" in result.stderr


def test_usage_error_is_exit_2() -> None:
    result = run("check", str(EXAMPLE), "--format", "pdf")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch, capsys) -> None:
    from engine import cli

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    cli.main(["check", str(BROKEN)])
    assert "\033[31m" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    cli.main(["check", str(BROKEN)])
    assert "\033[" not in capsys.readouterr().out


def test_installed_command_runs_outside_the_checkout(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("clausegate")
    if not exe.exists():
        pytest.skip("the clausegate console script is not installed beside this interpreter")
    result = subprocess.run([str(exe), "check", str(EXAMPLE)], capture_output=True, text=True, cwd=tmp_path,
                            timeout=120)
    assert result.returncode == 0, result.stderr
