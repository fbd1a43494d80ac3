"""Reports do not depend on hash seeds, on the order a bundle's files are listed in, or on the
order its records appear in: the CLI runs in subprocesses with shuffled inputs."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULE = '''rule DET-1 "No incident is a P1"
  clause 8.6.1
  severity minor
  for each incident in incidents
  expect incident.priority != "P1"
  message "incident {incident.id} is a P1"
'''


def check(bundle: Path, rules: Path, seed: str, fmt: str = "json") -> str:
    result = subprocess.run([sys.executable, "-m", "engine", "check", str(bundle), "--no-builtin", "--rules",
                             str(rules), "--format", fmt, "--as-of", "2025-06-30"], capture_output=True, text=True,
                            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin",
                                 "PYTHONPATH": str(ROOT / "tests" / "netguard")}, timeout=120)
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


def write_bundle(folder: Path, order: list[Path], incident_lines: list[str]) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    for source in order:  # files created in a different order each time
        target = folder / source.name
        if source.name == "incidents.jsonl":
            target.write_text("".join(incident_lines))
        else:
            shutil.copyfile(source, target)


def test_same_report_whatever_the_seed_file_order_or_record_order(tmp_path: Path) -> None:
    rules = tmp_path / "det.rules"
    rules.write_text(RULE)
    sources = sorted((ROOT / "fixtures" / "example").iterdir())
    lines = (ROOT / "fixtures" / "example" / "incidents.jsonl").read_text().splitlines(keepends=True)
    bundle = tmp_path / "bundle"
    rng = random.Random(7)

    write_bundle(bundle, sources, lines)
    reference = check(bundle, rules, "0")
    findings = json.loads(reference)["findings"]
    assert len(findings) >= 2, "the fixture should give several findings to order"

    for seed in ("1", "4242"):
        order = sources[:]
        rng.shuffle(order)
        write_bundle(bundle, order, lines)
        assert check(bundle, rules, seed) == reference  # byte for byte
        assert check(bundle, rules, seed, "text") == check(bundle, rules, "0", "text")

    shuffled = lines[:]
    rng.shuffle(shuffled)
    write_bundle(bundle, sources, shuffled)
    reordered = json.loads(check(bundle, rules, "3"))["findings"]
    # Pointers follow the records; everything else, and the order, stays the same.
    strip = lambda f: {k: v for k, v in f.items() if k not in ("pointer", "location")}  # noqa: E731
    assert [strip(f) for f in reordered] == [strip(f) for f in findings]
