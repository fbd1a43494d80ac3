"""Which report goes where: `--format` and `--output` pairs, as `clausegate check` takes them.

Pairs go in order: `--format sarif --output r.sarif --format json --output r.json`. A single
format may go to standard output; so may one format more than there are outputs, when each
`--output` directly follows its `--format` (`--format sarif --output r.sarif --format text`
writes the file and shows text in the log). Anything else is ambiguous and refused.
"""

from __future__ import annotations

import argparse
import os

DEFAULT_FORMAT = "text"


class Ordered(argparse.Action):
    """Append like `action="append"`, and also keep every --format and --output in command-line
    order (in `report_plan`), which plain append loses but pairing needs."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest, None) or []), values])
        plan = [*(getattr(namespace, "report_plan", None) or []), (self.dest, values)]
        setattr(namespace, "report_plan", plan)


class PairingError(ValueError):
    pass


def pair(plan: list[tuple[str, str]]) -> list[tuple[str, str | None]]:
    """(format, output file or None for standard output) for each report to write."""
    formats = [value for kind, value in plan if kind == "format"]
    outputs = [value for kind, value in plan if kind == "output"]
    if not formats:
        formats, plan = [DEFAULT_FORMAT], [("format", DEFAULT_FORMAT), *plan]
    if len(set(map(os.path.abspath, outputs))) != len(outputs):
        raise PairingError("the same --output file is given twice")
    if len(formats) == len(outputs):
        return list(zip(formats, outputs))
    if len(formats) == len(outputs) + 1:
        pairs: list[tuple[str, str | None]] = []
        for index, (kind, value) in enumerate(plan):
            if kind == "format":
                pairs.append((value, None))
            elif index > 0 and plan[index - 1][0] == "format":
                pairs[-1] = (pairs[-1][0], value)
            else:
                raise PairingError("with one format on standard output, give each --output right after its --format")
        return pairs
    raise PairingError(f"{len(formats)} --format and {len(outputs)} --output options: give each format its "
                       "--output (one format at most may go to standard output)")
