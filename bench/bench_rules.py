"""Compiled rules against a hand-written Python loop, over 1,000,000 incidents.

    python bench/bench_rules.py [--records N] [--repeat R]

Generates incidents with a fixed seed, then in this one process times: compiling the
three rules (and the whole built-in library); evaluating each rule; and a plain Python
loop doing the same check (each written the same plain way: a for loop over the records
collecting the positions that fail). Prints records/s for both and the ratio (compiled / hand;
1.0 means as fast as the hand loop, the target is at most 1.2). Best of R runs each,
the compiled rule and its hand loop taking turns.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's engine, not an installed copy

from engine.catalogue import load_catalogue  # noqa: E402
from engine.evaluate import evaluate  # noqa: E402
from engine.evidence.schemas import load_schema_set  # noqa: E402
from engine.library import RuleSource, build_rule_set, builtin_sources, section_types  # noqa: E402

RULES = '''
rule BENCH-1 "Major incidents have a completed review"
  clause 8.6.1
  severity major
  for each incident in incidents where incident.major
  expect incident.review != null and incident.review.completed_on != null

rule BENCH-2 "P1 incidents are resolved within 4 hours"
  clause 8.6.1
  severity minor
  for each incident in incidents where incident.priority == "P1" and incident.resolved_at != null
  expect incident.resolved_at - incident.opened_at <= 4 hours

rule BENCH-3 "Every incident names a service of the catalogue"
  clause 8.6.1
  severity minor
  for each incident in incidents
  expect lookup(services, incident.service) != null
'''

FOUR_HOURS = dt.timedelta(hours=4)


def make_bundle(records: int, seed: int = 20251126) -> dict:
    rng = random.Random(seed)
    services = [{"id": f"SVC-{n:03d}", "name": f"Service {n}", "status": "live"} for n in range(40)]
    start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    incidents = []
    for n in range(records):
        opened = start + dt.timedelta(minutes=rng.randrange(0, 525_600))
        priority = rng.choices(("P1", "P2", "P3", "P4"), (2, 10, 40, 48))[0]
        resolved = opened + dt.timedelta(minutes=rng.randrange(10, 230 if priority == "P1" else 4000))
        major = priority == "P1" and rng.random() < 0.3
        incident = {
            "id": f"INC-{n:07d}",
            "service": services[rng.randrange(len(services))]["id"],
            "title": "Service degraded",
            "priority": priority,
            "major": major,
            "status": "closed",
            "opened_at": opened.isoformat().replace("+00:00", "Z"),
            "resolved_at": resolved.isoformat().replace("+00:00", "Z"),
            "review": {"completed_on": (resolved + dt.timedelta(days=3)).date().isoformat()} if major else None,
        }
        # One record in a thousand breaks each rule, as in a largely conformant bundle.
        if rng.random() < 0.001:
            incident["service"] = "SVC-999"
        if major and rng.random() < 0.001:
            incident["review"] = {"completed_on": None}
        incidents.append(incident)
    return {"services": services, "incidents": incidents}


def hand_review(data):
    failing = []
    for i, r in enumerate(data["incidents"]):
        if r["major"]:
            review = r["review"]
            if review is None or review["completed_on"] is None:
                failing.append(i)
    return failing


def hand_p1(data):
    failing = []
    parse = dt.datetime.fromisoformat
    for i, r in enumerate(data["incidents"]):
        if r["priority"] == "P1" and r["resolved_at"] is not None:
            if not parse(r["resolved_at"]) - parse(r["opened_at"]) <= FOUR_HOURS:
                failing.append(i)
    return failing


def hand_join(data):
    known = {s["id"] for s in data["services"]}
    failing = []
    for i, r in enumerate(data["incidents"]):
        if r["service"] not in known:
            failing.append(i)
    return failing


def best_of_each(repeat: int, *fns) -> list[tuple[float, object]]:
    """The best time and the result of each function, run in turns (one run of each per
    round), so that a change in the machine's load falls on all of them alike."""
    best = [(float("inf"), None)] * len(fns)
    for _ in range(repeat):
        for n, fn in enumerate(fns):
            gc.collect()
            t0 = time.perf_counter()
            result = fn()
            best[n] = min(best[n], (time.perf_counter() - t0, result), key=lambda pair: pair[0])
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    sections = section_types(load_schema_set())
    t0 = time.perf_counter()
    rule_set = build_rule_set([RuleSource("bench.rules", RULES)], sections)
    compile_three = time.perf_counter() - t0
    t0 = time.perf_counter()
    library = build_rule_set(builtin_sources(), sections)
    compile_library = time.perf_counter() - t0
    print(f"compile: 3 bench rules {compile_three * 1000:.1f} ms; "
          f"built-in library ({len(library.compiled)} rules) {compile_library * 1000:.1f} ms")

    t0 = time.perf_counter()
    data = make_bundle(args.records)
    print(f"generated {args.records:,} incidents in {time.perf_counter() - t0:.1f} s (seed fixed)")
    catalogue = load_catalogue()
    today = dt.date(2025, 12, 31)
    hands = {"BENCH-1": hand_review, "BENCH-2": hand_p1, "BENCH-3": hand_join}
    labels = {"BENCH-1": "filter+count (major without review)", "BENCH-2": "timestamps (P1 within 4 h)",
              "BENCH-3": "join (service exists)"}
    worst = 0.0
    for compiled in rule_set.compiled:
        rule_id = compiled.header.id
        (compiled_time, result), (hand_time, hand_failing) = best_of_each(
            args.repeat, lambda: evaluate([compiled], data, today, catalogue), lambda: hands[rule_id](data))
        found = sorted(int(f.pointer.rsplit("/", 1)[1]) for f in result.findings if f.pointer)
        agree = "same findings" if found == hand_failing else f"DISAGREE ({len(found)} vs {len(hand_failing)})"
        ratio = compiled_time / hand_time
        worst = max(worst, ratio)
        print(f"{labels[rule_id]:<38} compiled {args.records / compiled_time / 1e6:6.2f} M rec/s   "
              f"hand {args.records / hand_time / 1e6:6.2f} M rec/s   ratio {ratio:4.2f}x   "
              f"{len(hand_failing)} failing, {agree}")
    print(f"worst ratio {worst:.2f}x (target <= 1.2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
