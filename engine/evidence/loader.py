"""One evidence file (YAML or JSON) → a Document: JSON-compatible data plus where each value is.

Every refusal is a DiagnosticError with one located Diagnostic; the codes (CG301–CG339)
are listed in problems.py and docs/evidence-loading.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from engine.evidence import problems as P
from engine.evidence.json_reader import read_json
from engine.evidence.limits import DEFAULT_LIMITS, Limits
from engine.evidence.lines import LineIndex
from engine.evidence.pointer import parse_pointer
from engine.evidence.source import read_source
from engine.evidence.yaml_reader import read_yaml
from engine.record import Record

__all__ = ["Document", "Limits", "DEFAULT_LIMITS", "load_document", "READERS"]

READERS = {".yaml": read_yaml, ".yml": read_yaml, ".json": read_json}


class Locator(Protocol):
    def position(self, tokens: list[str]) -> tuple[int, int] | None: ...


class Document(Record):
    """`data` holds only dict, list, str, int, float, bool and None."""

    __slots__ = _fields = ("data", "display", "sha256", "locator", "lines")

    def __init__(self, data: Any, display: str, sha256: str, locator: Locator, lines: LineIndex):
        self.data = data
        self.display = display
        self.sha256 = sha256
        self.locator = locator
        self.lines = lines

    def __repr__(self) -> str:
        return f"Document(display={self.display!r}, sha256={self.sha256!r})"

    def locate(self, pointer: str) -> tuple[int, int] | None:
        """1-based (line, column) of the value at an RFC 6901 pointer, or None if it has none."""
        return self.locator.position(parse_pointer(pointer))

    def source_line(self, line: int) -> str | None:
        return self.lines.source_line(line)


def load_document(path: Path, display: str | None = None, *, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read one YAML (.yaml/.yml) or JSON (.json) file whose top level is a mapping."""
    path = Path(path)
    display = str(path) if display is None else display
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise P.refuse(P.UNSUPPORTED_TYPE, f"'{path.suffix}' is not an evidence file type",
                       display, hint="evidence files end in .yaml, .yml or .json")
    source = read_source(path, display, limits)
    data, locator = reader(source, limits)
    return Document(data, display, source.sha256, locator, source.lines)
