"""The one diagnostic type shared by every stage: parser, checker, loader, validator, CLI."""

from __future__ import annotations

from typing import Any, Iterable, NamedTuple

from engine.record import FrozenRecord


class Span(NamedTuple):
    """A region of a source file; lines and columns count from 1, ends are inclusive.

    A named tuple rather than a dataclass: the parser makes one per syntax node and the
    prebuilt library thousands at start-up, and a tuple is made in a third of the time."""

    file: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "line": self.line, "column": self.column}
        if self.end_line is not None:
            out["end_line"] = self.end_line
            out["end_column"] = self.end_column
        return out


class Diagnostic(FrozenRecord):
    """One problem found in a rule file, an evidence file or a schema, with where it is and
    a hint. `source_line`, the text of the source line, is kept so that a caret can be drawn
    without reading the file again; it takes no part in equality."""

    __slots__ = ("code", "message", "span", "hint", "source_line", "severity")
    _fields = ("code", "message", "span", "hint", "severity")

    def __init__(self, code: str, message: str, span: Span | None = None, hint: str | None = None,
                 source_line: str | None = None, severity: str = "error"):
        put = object.__setattr__
        put(self, "code", code)
        put(self, "message", message)
        put(self, "span", span)
        put(self, "hint", hint)
        put(self, "source_line", source_line)
        put(self, "severity", severity)

    def headline(self) -> str:
        where = f"{self.span}: " if self.span else ""
        return f"{where}{self.severity}[{self.code}]: {self.message}"

    def render(self) -> str:
        lines = [self.headline()]
        if self.span and self.source_line is not None:
            number = str(self.span.line)
            gutter = " " * len(number)
            text = self.source_line.rstrip("\n").expandtabs(1)
            width = 1
            if self.span.end_line == self.span.line and self.span.end_column:
                width = max(1, self.span.end_column - self.span.column + 1)
            width = min(width, max(1, len(text) - self.span.column + 1))
            lines.append(f" {number} | {text}")
            lines.append(f" {gutter} | {' ' * (self.span.column - 1)}{'^' * width}")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "severity": self.severity, "message": self.message}
        if self.span:
            out["span"] = self.span.to_json()
        if self.hint:
            out["hint"] = self.hint
        return out


class DiagnosticError(Exception):
    """Raised by any stage that refuses its input; carries every diagnostic it found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)


def by_position(d: Diagnostic) -> tuple:
    """Order for diagnostics about source text: by file, then position."""
    if d.span is None:
        return ("", 0, 0, d.code, d.message)
    return (d.span.file, d.span.line, d.span.column, d.code, d.message)


def source_line_at(text: str, line: int) -> str | None:
    lines = text.splitlines()
    if 1 <= line <= len(lines):
        return lines[line - 1]
    return None


def snippet(text: str, span: Span) -> str:
    """The source text a span covers, with line breaks folded to single spaces."""
    lines = text.splitlines()
    if span.end_line is None or span.end_column is None or not 1 <= span.line <= span.end_line <= len(lines):
        return ""
    if span.line == span.end_line:
        return lines[span.line - 1][span.column - 1:span.end_column]
    parts = [lines[span.line - 1][span.column - 1:], *lines[span.line:span.end_line - 1],
             lines[span.end_line - 1][:span.end_column]]
    return " ".join(p.strip() for p in parts)
