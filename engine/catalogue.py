"""The clause catalogue of ISO/IEC 20000-1:2018: numbers, titles and the tree they form."""

from __future__ import annotations

import functools
from typing import NamedTuple

import yaml

from engine import data


class Clause(NamedTuple):
    """One clause of ISO/IEC 20000-1:2018: its number and title."""

    number: str
    title: str
    # For a leaf clause: what data cannot decide, and what an auditor should look at for it.
    judgement: str | None = None

    @property
    def parent(self) -> str | None:
        head, dot, _ = self.number.rpartition(".")
        return head if dot else None


class Catalogue(NamedTuple):
    """The clauses of the standard by number."""

    clauses: dict[str, Clause]

    def __contains__(self, number: str) -> bool:
        return number in self.clauses

    def title(self, number: str) -> str:
        return self.clauses[number].title

    def leaves(self) -> list[Clause]:
        parents = {c.parent for c in self.clauses.values()}
        return [c for c in self.clauses.values() if c.number not in parents]


@functools.cache
def load_catalogue() -> Catalogue:
    text = data.folder("rules").joinpath("catalogue.yaml").read_text("utf-8")
    # Our own shipped file: libyaml reads it when PyYAML has it (the pure-Python reader
    # takes a noticeable part of start-up); both are safe loaders.
    entries = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["clauses"]
    return Catalogue({e["number"]: Clause(e["number"], e["title"], e.get("judgement")) for e in entries})
