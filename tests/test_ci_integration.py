"""The CI integration files: the GitHub Action's check step run as the runner would, and the
pre-commit hooks and action inputs kept consistent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def run_action_step(tmp_path: Path, bundle: str, fail_on: str = "minor") -> tuple[subprocess.CompletedProcess, dict]:
    shim = tmp_path / "bin"
    shim.mkdir(exist_ok=True)
    clausegate = shim / "clausegate"  # the installed console script, as the action's install step makes it
    clausegate.write_text(f"#!/bin/sh\nexec {sys.executable} -m engine \"$@\"\n")
    clausegate.chmod(0o755)
    outputs = tmp_path / "github_output"
    env = {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(outputs),
           "CLAUSEGATE_BUNDLE": bundle, "CLAUSEGATE_FAIL_ON": fail_on,
           "CLAUSEGATE_SARIF": str(tmp_path / "out.sarif"), "CLAUSEGATE_RULES": ""}
    result = subprocess.run(["bash", str(ROOT / "ci" / "action-check.sh")], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=300)
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    return result, values


def test_action_step_writes_sarif_and_defers_the_gate(tmp_path: Path) -> None:
    result, outputs = run_action_step(tmp_path, str(ROOT / "fixtures" / "broken-leadership"))
    assert result.returncode == 0, result.stderr  # the upload step must still run
    assert outputs["exit-code"] == "1"
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert "Result: FAILED" in result.stdout  # the text summary for the job log


def test_action_step_passes_a_conformant_bundle(tmp_path: Path) -> None:
    result, outputs = run_action_step(tmp_path, str(ROOT / "fixtures" / "example"))
    assert result.returncode == 0 and outputs["exit-code"] == "0"


def test_action_inputs_are_the_ones_the_step_reads() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    assert set(action["inputs"]) >= {"bundle", "rules", "fail-on", "sarif", "upload"}
    for name, value in step["env"].items():
        assert value.startswith("${{ inputs.") and value[len("${{ inputs."):-3].strip() in action["inputs"]


def test_pre_commit_hooks_name_real_commands() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"clausegate-check", "clausegate-fmt"}
    assert all(h["entry"].split()[0] == "clausegate" and h["language"] == "python" for h in hooks)
