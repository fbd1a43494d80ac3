"""Start-up plus a check of the example bundle, as a user runs it.

    python bench/bench_startup.py [--runs N] [BUNDLE]

Times `clausegate check fixtures/example` in fresh processes (best and median of N) next to
the bare interpreter start (`python -c pass`) in the same run, and prints both and their
ratio. The target for the check is at most 0.3 s. The check runs as a user's does, with a
second process where a processor is free (`--jobs 2`, the default); the last line times it
in one process (`--jobs 1`), as on a machine busy with other work.

The runs measure what an installed clausegate does: one untimed run first, with bytecode
caching on even where PYTHONDONTWRITEBYTECODE is set, so that Python has the prebuilt rule
library's bytecode as `pip install` leaves it (engine/prebuilt).

    python bench/bench_startup.py --instructions

counts the instructions each of the three runs executes instead, under valgrind's
callgrind: slow (a minute), but the same count every time whatever else the machine is
doing, so a change of a percent shows where wall time on a shared machine cannot. The
checks are counted with `--jobs 1`, all their work in one process: the count is of the
work done, where the timed runs (in two processes, as by default) show how long it takes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str], runs: int) -> list[float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for run in range(runs + 1):
        t0 = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env, cwd=ROOT)
        if run:
            times.append(time.perf_counter() - t0)
    return times


def instructions(command: list[str], runs: int) -> list[float]:
    """The instructions the command executes (one warm-up run first), as a one-item list."""
    timed(command, 0)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/out", *command],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    found = re.search(r"Collected : (\d+)", result.stderr)
    if found is None:
        raise SystemExit(f"valgrind gave no count: {result.stderr.strip()[-300:]}")
    return [int(found.group(1))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--instructions", action="store_true", help="count instructions under callgrind instead")
    parser.add_argument("bundle", nargs="?", default=str(ROOT / "fixtures" / "example"))
    args = parser.parse_args(argv)
    measure = instructions if args.instructions else timed
    python = sys.executable
    bare = measure([python, "-c", "pass"], args.runs)
    one_process = ["--jobs", "1"] if args.instructions else []
    check = measure([python, "-m", "engine", "check", args.bundle, *one_process], args.runs)
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(ROOT / "fixtures" / "example" / "meta.yaml", folder)
        fixed = measure([python, "-m", "engine", "check", folder, *one_process], args.runs)
    if args.instructions:
        for label, (count,) in (("python -c pass", bare), ("clausegate check", check), ("  of a meta-only bundle", fixed)):
            print(f"{label:<24} {count / 1e6:10,.1f} M instructions")
        print(f"check / bare interpreter: {check[0] / bare[0]:.1f}x in instructions")
        return 0
    single = measure([python, "-m", "engine", "check", args.bundle, "--jobs", "1"], args.runs)
    for label, times in (("python -c pass", bare), ("clausegate check", check), ("  of a meta-only bundle", fixed),
                         ("  in one process", single)):
        print(f"{label:<24} best {min(times) * 1000:6.1f} ms   median {statistics.median(times) * 1000:6.1f} ms")
    print(f"check / bare interpreter: {min(check) / min(bare):.1f}x; "
          f"check best {min(check):.3f} s (target <= 0.3 s); the meta-only bundle shows what does not grow "
          "with the evidence (start-up, loading the rules, running each once)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
