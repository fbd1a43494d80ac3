"""`clausegate check` with the report formats, in subprocesses as CI runs it: several formats
at once, usage errors, and byte-identical output across runs and hash seeds.

Outputs are compared in structure with the JSON report of the same run, not with frozen
golden files: the rule library and the fixtures grow, and the JSON report is the reference."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from reporter_helpers import AS_OF, BROKEN, EXAMPLE, ROOT, run_cli

from engine.findings import FAILING

FORMATS = {"text": "report.txt", "json": "report.json", "sarif": "report.sarif", "junit": "report.xml",
           "markdown": "report.md", "html": "report.html"}
SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())


def all_formats(folder: Path) -> list[str]:
    args: list[str] = []
    for fmt, name in FORMATS.items():
        args += ["--format", fmt, "--output", str(folder / name)]
    return args


def write_all(bundle: Path, folder: Path, seed: str) -> dict[str, bytes]:
    folder.mkdir(parents=True)
    result = run_cli("check", str(bundle.relative_to(ROOT)), "--as-of", AS_OF, *all_formats(folder),
                     env={"PYTHONHASHSEED": seed})
    assert result.returncode in (0, 1), result.stderr
    assert result.stdout == ""
    assert sorted(p.name for p in folder.iterdir()) == sorted(FORMATS.values())  # no temporary files left
    return {fmt: (folder / name).read_bytes() for fmt, name in FORMATS.items()}


@pytest.mark.parametrize("bundle", [EXAMPLE, BROKEN], ids=["example", "broken-leadership"])
def test_every_format_is_byte_identical_across_runs_and_hash_seeds(bundle: Path, tmp_path: Path) -> None:
    runs = [write_all(bundle, tmp_path / f"run{i}", seed) for i, seed in enumerate(("0", "1", "12345"))]
    for fmt in FORMATS:
        assert len({run[fmt] for run in runs}) == 1, fmt
    # one format on standard output is the same bytes as that format written to a file
    alone = run_cli("check", str(bundle.relative_to(ROOT)), "--as-of", AS_OF, "--format", "sarif",
                    env={"PYTHONHASHSEED": "random"})
    assert alone.stdout.encode("utf-8") == runs[0]["sarif"]


@pytest.fixture(scope="module")
def broken_outputs(tmp_path_factory) -> dict[str, bytes]:
    return write_all(BROKEN, tmp_path_factory.mktemp("broken") / "out", "0")


def test_outputs_agree_with_the_json_report(broken_outputs) -> None:
    reference = json.loads(broken_outputs["json"])
    failing = [f for f in reference["findings"] if f["outcome"] in FAILING]

    sarif = json.loads(broken_outputs["sarif"])
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    run = sarif["runs"][0]
    assert [(r["ruleId"], r["properties"].get("pointer")) for r in run["results"]] == \
        [(f["rule"], f.get("pointer")) for f in failing]
    located = [f for f in failing if "location" in f]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert {f["location"]["file"] for f in located} <= uris
    assert run["properties"]["clausegate"]["rule_set_digest"] == reference["rule_set_digest"]
    assert run["properties"]["clausegate"]["evidence_files"] == reference["evidence_files"]

    junit = ET.fromstring(broken_outputs["junit"])
    by_outcome = reference["summary"]["rules_by_outcome"]
    assert int(junit.get("tests")) == reference["summary"]["rules"]
    assert int(junit.get("failures")) == by_outcome["fail"] + by_outcome["missing"]
    assert int(junit.get("errors")) == by_outcome["error"]

    markdown = broken_outputs["markdown"].decode()
    assert markdown.startswith("## clausegate: FAILED (gate: minor)")
    assert f"| fail | {by_outcome['fail']} | {reference['summary']['findings_by_outcome']['fail']} |" in markdown
    assert reference["rule_set_digest"] in markdown

    page = broken_outputs["html"].decode()
    articles = re.findall(r'<article class="rule" id="rule-([^"]+)" data-outcome="([^"]+)"', page)
    assert sorted(articles) == sorted((r["id"], r["outcome"]) for r in reference["rules"])
    assert reference["rule_set_digest"] in page


def test_sarif_to_a_file_and_text_to_the_log(tmp_path: Path) -> None:
    # the GitHub Action's way (ci/action-check.sh): the last format, without a file, to stdout
    result = run_cli("check", str(BROKEN), "--format", "sarif", "--output", str(tmp_path / "r.sarif"),
                     "--format", "text")
    assert result.returncode == 1, result.stderr
    assert "Result: FAILED" in result.stdout
    assert json.loads((tmp_path / "r.sarif").read_text())["version"] == "2.1.0"


@pytest.mark.parametrize("args", [
    ["--format", "sarif", "--format", "json"],  # two formats, one standard output
    ["--format", "sarif", "--output", "a", "--format", "json", "--format", "text"],
    ["--format", "json", "--output", "a", "--output", "b"],  # more outputs than formats
    ["--output", "a", "--format", "json", "--format", "text"],  # an output before its format
    ["--format", "json", "--output", "a", "--format", "sarif", "--output", "a"],  # one file twice
])
def test_unpaired_formats_and_outputs_are_usage_errors(args: list[str], tmp_path: Path) -> None:
    result = run_cli("check", str(EXAMPLE), *args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("clausegate: error: ") and "Traceback" not in result.stderr
    assert result.stdout == "" and list(tmp_path.iterdir()) == []


def test_an_unknown_format_is_a_usage_error() -> None:
    result = run_cli("check", str(EXAMPLE), "--format", "pdf")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_a_failed_write_leaves_the_other_outputs_whole(tmp_path: Path) -> None:
    result = run_cli("check", str(EXAMPLE), "--format", "json", "--output", str(tmp_path / "r.json"),
                     "--format", "sarif", "--output", str(tmp_path / "missing-folder" / "r.sarif"))
    assert result.returncode == 2 and "cannot write" in result.stderr
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["rules"] > 0
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
