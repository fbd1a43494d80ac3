"""Pairing --format with --output (engine/reporters/outputs.py), without a subprocess."""

from __future__ import annotations

import pytest

from engine.cli import build_parser
from engine.reporters.outputs import PairingError, pair


def plan(*args: str) -> list[tuple[str, str]]:
    namespace = build_parser().parse_args(["check", "bundle", *args])
    recorded = getattr(namespace, "report_plan", [])
    assert (namespace.format or []) == [v for k, v in recorded if k == "format"]  # still a plain list too
    return recorded


@pytest.mark.parametrize("args, expected", [
    ([], [("text", None)]),
    (["--format", "json"], [("json", None)]),
    (["--output", "r.txt"], [("text", "r.txt")]),
    (["--output", "r.json", "--format", "json"], [("json", "r.json")]),  # one pair, either order
    (["--format", "sarif", "--output", "a", "--format", "json", "--output", "b"], [("sarif", "a"), ("json", "b")]),
    (["--format", "sarif", "--output", "a", "--format", "text"], [("sarif", "a"), ("text", None)]),
    (["--format", "text", "--format", "sarif", "--output", "a"], [("text", None), ("sarif", "a")]),
])
def test_pairs(args, expected) -> None:
    assert pair(plan(*args)) == expected


@pytest.mark.parametrize("args", [
    ["--format", "sarif", "--format", "json"],
    ["--format", "json", "--output", "a", "--output", "b"],
    ["--output", "a", "--format", "json", "--format", "text"],
    ["--format", "json", "--output", "x", "--format", "sarif", "--output", "./x"],  # one file twice
])
def test_refused(args) -> None:
    with pytest.raises(PairingError):
        pair(plan(*args))
