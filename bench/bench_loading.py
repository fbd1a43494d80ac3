"""Loading and validating a million incident records, against a bare json.loads.

    python bench/bench_loading.py [--records N] [--seed S] [--keep DIR]

Writes, with a fixed seed and into a temporary folder, an evidence bundle of N incidents
(1,000,000 by default) that is valid against the shipped schemas, together with a small
meta, people and services section so that every reference resolves, in two forms:

  (a) one JSON file holding every section;
  (b) a folder with incidents.jsonl and a small JSON file with the other sections.

Then, in this one process, it times:

  - the baseline: reading the JSON file and a plain `json.loads` of its bytes, once as
    Python runs it by default and once with the garbage collector paused;
  - clausegate's load + validate of (a) and of (b): `load_bundle` then `validate_bundle`,
    which is what `clausegate check` does before it evaluates any rule.

and prints seconds, records per second and each time's ratio to both baselines, with the
process's CPU time beside (on a machine other work shares, wall-clock time swells and CPU
time much less). The target is load + validate in at most 2.5 times the default
json.loads. Each figure is the best of --repeat runs (default 1: a run of a million
records takes seconds).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.evidence.bundle import load_bundle  # noqa: E402
from engine.evidence.limits import Limits  # noqa: E402
from engine.evidence.schemas import load_schema_set  # noqa: E402
from engine.evidence.validate import validate_bundle  # noqa: E402

TARGET = 2.5
SERVICES = [f"svc-{name}" for name in ("desk", "network", "hosting", "backup", "identity", "mail", "erp", "voice")]
PEOPLE = ["ann.lee", "bo.marsh", "cy.ng"]
CATEGORIES = ["network", "endpoint", "hosting", "identity", "backup", "telephony"]
TITLES = ["Branch site offline", "Database server unresponsive", "Laptop will not boot after patching",
          "Nightly backup job failed", "Single sign-on failing for a tenant", "Mail delivery delayed",
          "Printer mapping lost at logon", "VPN client fails on managed laptops"]
STATUSES = ["new", "in_progress", "on_hold", "resolved", "closed", "cancelled"]


def small_sections() -> dict:
    return {
        "meta": {"organization": "Bench Ltd", "as_of": "2025-12-31",
                 "audit_period": {"start": "2025-01-01", "end": "2025-12-31"}, "intervals": {"default": "P12M"}},
        "people": [{"id": person, "name": person.replace(".", " ").title(), "active": True} for person in PEOPLE],
        "services": [{"id": service, "name": service[4:].title(), "status": "live", "owner": PEOPLE[0]}
                     for service in SERVICES],
    }


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def incidents(count: int, seed: int):
    """`count` valid incidents, the same ones for the same seed."""
    rng = random.Random(seed)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    for n in range(count):
        opened = start + dt.timedelta(seconds=rng.randrange(365 * 86400))
        priority = rng.choice(("P1", "P2", "P3", "P3", "P4", "P4"))
        status = rng.choice(STATUSES)
        record = {"id": f"INC-{n:07d}", "service": rng.choice(SERVICES), "title": rng.choice(TITLES),
                  "priority": priority, "major": priority == "P1", "status": status, "opened_at": stamp(opened)}
        if status in ("resolved", "closed"):
            resolved = opened + dt.timedelta(minutes=rng.randrange(5, 5000))
            record["resolved_at"] = stamp(resolved)
            record["closed_at"] = stamp(resolved + dt.timedelta(hours=rng.randrange(1, 72))) if status == "closed" else None
        else:
            record["resolved_at"] = None
        record["category"] = rng.choice(CATEGORIES)
        if record["major"]:
            done = status == "closed"
            record["review"] = {"completed_on": (opened + dt.timedelta(days=rng.randrange(1, 9))).date().isoformat()
                                if done else None, "reviewer": rng.choice(PEOPLE)}
        yield record


def write_bundles(folder: Path, count: int, seed: int) -> tuple[Path, Path]:
    """(a) folder/bundle.json and (b) folder/records/ with incidents.jsonl; both valid."""
    small = small_sections()
    whole = folder / "bundle.json"
    records = folder / "records"
    records.mkdir()
    (records / "sections.json").write_text(json.dumps(small, indent=2) + "\n", encoding="utf-8")
    with open(whole, "w", encoding="utf-8") as one, open(records / "incidents.jsonl", "w", encoding="utf-8") as lines:
        one.write(json.dumps(small)[:-1] + ', "incidents": [\n')
        for n, record in enumerate(incidents(count, seed)):
            text = json.dumps(record)
            one.write(("" if n == 0 else ",\n") + text)
            lines.write(text + "\n")
        one.write("\n]}\n")
    return whole, records


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best (wall-clock seconds, CPU seconds of this process) of `repeat` runs."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        result = action()
        elapsed = (time.perf_counter() - t0, time.process_time() - c0)
        del result
        gc.collect()
        best = min(best, elapsed)
    return best


def baseline(path: Path, *, paused: bool) -> Callable[[], object]:
    def run() -> object:
        if paused:
            gc.disable()
        try:
            with open(path, "rb") as handle:
                return json.loads(handle.read())
        finally:
            if paused:
                gc.enable()
    return run


def load_and_validate(path: Path, limits: Limits) -> Callable[[], object]:
    def run() -> object:
        bundle = load_bundle(path, limits=limits)
        problems = validate_bundle(bundle, load_schema_set())
        if problems:
            raise SystemExit(f"the generated bundle is invalid: {problems[0].headline()}")
        return bundle
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20251126)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the bundles here and keep them (default: a temporary folder)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="clausegate-bench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        whole, records = write_bundles(folder, args.records, args.seed)
        size = whole.stat().st_size
        print(f"{args.records:,} incidents, seed {args.seed}: bundle.json {size / 1e6:.0f} MB, "
              f"incidents.jsonl {(records / 'incidents.jsonl').stat().st_size / 1e6:.0f} MB "
              f"(written in {time.perf_counter() - t0:.1f} s)")
        limits = Limits(max_file_bytes=max(size * 2, Limits().max_file_bytes))
        load_schema_set()  # cached for the process, as in one `clausegate check`
        rows = [
            ("json.loads", timed(baseline(whole, paused=False), args.repeat)),
            ("json.loads, gc paused", timed(baseline(whole, paused=True), args.repeat)),
            ("clausegate JSON", timed(load_and_validate(whole, limits), args.repeat)),
            ("clausegate JSON Lines", timed(load_and_validate(records, limits), args.repeat)),
        ]
    (plain, plain_cpu), (paused, paused_cpu) = rows[0][1], rows[1][1]
    print(f"{'':<24}{'seconds':>9}{'records/s':>13}{'/ json.loads':>14}{'/ gc paused':>13}{'CPU s':>8}"
          f"{'CPU ratio':>11}")
    for label, (seconds, cpu) in rows:
        print(f"{label:<24}{seconds:>9.2f}{args.records / seconds:>13,.0f}{seconds / plain:>13.2f}x"
              f"{seconds / paused:>12.2f}x{cpu:>8.2f}{cpu / plain_cpu:>10.2f}x")
    worst = max(seconds for _, (seconds, _) in rows[2:]) / plain
    verdict = "meets" if worst <= TARGET else "misses"
    print(f"load + validate: at most {worst:.2f}x json.loads; {verdict} the target of {TARGET}x")
    print(f"(CPU ratio: this process's CPU time over json.loads's, steadier on a busy machine; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
