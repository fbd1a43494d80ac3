"""A longer fuzzing campaign than the test suite runs: prints, per target, how many cases ran
and how many let an exception escape (anything but DiagnosticError, or fast/exact disagreement).

    python -m tests.fuzz.campaign [--examples N]
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import strategies as S
from tests.fuzz import test_fuzz as T

TARGETS = {
    "parser+checker": ((S.rule_sources,), T.parse_and_check),
    "loader": ((S.evidence_bytes,), T.load_as_yaml_and_json),
    "yaml-vs-json": ((S.documents,), T.yaml_and_json_agree),
    "evaluator": ((S.expressions, S.open_sections), T.evaluate_both_ways),
}


def run(name: str, examples: int) -> tuple[int, int, list[str]]:
    strategies, check = TARGETS[name]
    tally = {"ran": 0, "escaped": 0}
    samples: list[str] = []

    def attempt(values: tuple) -> None:
        tally["ran"] += 1
        try:
            check(*values)
        except Exception:  # noqa: BLE001 - counting escapes is the point
            tally["escaped"] += 1
            if len(samples) < 3:
                samples.append(f"{values!r:.300}\n{traceback.format_exc(limit=3)}")

    runner = settings(max_examples=examples, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))(given(st.tuples(*strategies))(attempt))
    runner()
    return tally["ran"], tally["escaped"], samples


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    args = parser.parse_args(argv)
    total_escaped = 0
    for name in TARGETS:
        started = time.perf_counter()
        ran, escaped, samples = run(name, args.examples)
        total_escaped += escaped
        print(f"{name:<16} {ran:>7} cases  {escaped:>4} escaped  {time.perf_counter() - started:6.1f} s")
        for sample in samples:
            print("    " + sample.replace("\n", "\n    "))
    return 1 if total_escaped else 0


if __name__ == "__main__":
    sys.exit(main())
