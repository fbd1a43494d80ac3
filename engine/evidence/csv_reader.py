"""CSV record files: a header row naming the fields, then one record per row.

Each cell is read as what its field takes in the section's schema: a number, true or
false, null, a list, or text (the rules are in cells.py); an empty cell means the field is
absent, and a dotted header such as `review.completed_on` builds a nested object. Without
a schema, cells stay text. Quoting follows RFC 4180: a cell with a comma, quote or line
break is wrapped in double quotes, and a quote inside it is doubled.
"""

from __future__ import annotations

import re
from array import array
from typing import Any, Iterator

from engine.evidence import problems as P
from engine.evidence.cells import CellRefusal, Column, columns, read_cell
from engine.evidence.checks import Problem, depth_problem, key_problem
from engine.evidence.limits import Limits
from engine.evidence.lines import LineIndex
from engine.evidence.pointer import array_index
from engine.evidence.source import Source

_QUOTED = re.compile(r'"((?:[^"]|"")*)"')
_BARE = re.compile(r'[^,"\r\n]*')
_RECORD_DEPTH = 3  # below the bundle mapping and the section's list


class CsvRefusal(Exception):
    def __init__(self, problem: Problem, offset: int):
        super().__init__(problem.message)
        self.problem, self.offset = problem, offset


def scan_row(text: str, position: int) -> tuple[list[tuple[str, int]], int]:
    """The cells of the row at `position` as (text, offset), and where the next row starts."""
    cells = []
    length = len(text)
    while True:
        quoted = text.startswith('"', position)
        match = (_QUOTED if quoted else _BARE).match(text, position)
        if match is None:
            raise CsvRefusal(Problem(P.CSV_QUOTE, "a quoted cell is never closed"), position)
        cells.append((match.group(1).replace('""', '"') if quoted else match.group(), position))
        position = match.end()
        if position >= length:
            return cells, position
        following = text[position]
        if following == ",":
            position += 1
        elif following in "\r\n":
            return cells, position + (2 if text.startswith("\r\n", position) else 1)
        elif quoted:
            raise CsvRefusal(Problem(P.CSV_QUOTE, "text after the closing quote of a cell"), position)
        else:
            raise CsvRefusal(Problem(P.CSV_QUOTE, "a quote inside a cell that does not start with one",
                                     'quote the whole cell and double the quote: "say ""hi"""'), position)


def iter_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(offset, cells) of each row that is not blank."""
    position, length = 0, len(text)
    while position < length:
        end = text.find("\n", position)
        end = length if end < 0 else end
        line = text[position:end]
        if '"' in line:  # the slow path: quoted cells may hold commas and line breaks
            cells, following = scan_row(text, position)
            values = [value for value, _ in cells]
        else:
            values = (line[:-1] if line.endswith("\r") else line).split(",")
            following = end + 1
        if values != [""]:
            yield position, values
        position = following


def read_csv(source: Source, section: str, limits: Limits, schemas: Any = None) -> tuple[dict, "CsvLocator"]:
    """`schemas`: the SchemaSet whose bundle schema types the cells (None: cells stay text)."""
    try:
        return _read(source, section, limits, schemas)
    except CsvRefusal as refusal:
        line, column = source.lines.position(refusal.offset)
        raise P.refuse(refusal.problem.code, refusal.problem.message, source.display, line, column,
                       hint=refusal.problem.hint, source_line=source.lines.source_line(line)) from None


def _read(source: Source, section: str, limits: Limits, schemas: Any) -> tuple[dict, "CsvLocator"]:
    rows = iter_rows(source.text)
    first = next(rows, None)
    if first is None:
        raise CsvRefusal(Problem(P.CSV_HEADER, "CSV file has no header row", "the first row names the fields"), 0)
    header_offset, header = first
    paths = _header_paths(source.text, header_offset, header, limits)
    kinds: list[Column | None] = columns(schemas, section, paths) if schemas is not None else [None] * len(paths)
    records: list[dict] = []
    starts = array("q")
    width = len(header)
    max_length = limits.max_string_length
    for offset, cells in rows:
        if len(cells) != width:
            raise CsvRefusal(Problem(P.CSV_CELL_COUNT, f"row has {len(cells)} cells but the header has {width}",
                                     "quote cells that contain commas"), offset)
        record: dict[str, Any] = {}
        for column, (path, value) in enumerate(zip(paths, cells)):
            if not value:
                continue
            if len(value) > max_length:
                raise CsvRefusal(Problem(P.STRING_TOO_LONG, f"cell is longer than the limit of {max_length} characters"),
                                 scan_row(source.text, offset)[0][column][1])
            column_type = kinds[column]
            if column_type is not None:
                try:
                    value = read_cell(value, column_type, lambda text: _json_list(text, limits))
                except CellRefusal as refusal:
                    raise CsvRefusal(refusal.problem, scan_row(source.text, offset)[0][column][1]) from None
            target = record
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = value
        records.append(record)
        starts.append(offset)
    return {section: records}, CsvLocator(source.text, section, starts, paths, source.lines)


def _json_list(text: str, limits: Limits) -> Any:
    """A cell in JSON's list form, read as strictly as a JSON file (a cell's value sits
    below the bundle, the section's list and the record)."""
    from engine.evidence.json_reader import JsonRefusal, parse

    try:
        return parse(text, limits, _RECORD_DEPTH + 1)
    except JsonRefusal as refusal:
        problem = refusal.problem
        raise CellRefusal(Problem(problem.code if problem.code != P.JSON_SYNTAX else P.CSV_CELL_TYPE,
                                  f"cell is not a JSON list: {problem.message}", problem.hint)) from None


def _header_paths(text: str, offset: int, header: list[str], limits: Limits) -> list[list[str]]:
    cells = scan_row(text, offset)[0]
    paths: list[list[str]] = []
    seen: dict[str, int] = {}
    for column, (name, (_, cell_offset)) in enumerate(zip(header, cells), start=1):
        def fail(message: str, hint: str | None = None) -> CsvRefusal:
            return CsvRefusal(Problem(P.CSV_HEADER, message, hint), cell_offset)
        if not name:
            raise fail(f"header cell {column} is empty", "every column needs a field name")
        if name in seen:
            raise fail(f"field '{name}' is named twice in the header", f"column {seen[name]} has it too")
        path = name.split(".")
        if not all(path):
            raise fail(f"header '{name}' has an empty part between dots")
        for part in path:
            problem = key_problem(part, limits)
            if problem:
                raise CsvRefusal(problem, cell_offset)
        if _RECORD_DEPTH + len(path) - 1 > limits.max_depth:
            raise CsvRefusal(depth_problem(limits), cell_offset)
        seen[name] = column
        paths.append(path)
    for name in seen:
        prefix = name + "."
        clash = next((other for other in seen if other.startswith(prefix)), None)
        if clash:
            raise CsvRefusal(Problem(P.CSV_HEADER, f"header '{name}' is a field and also holds '{clash}'",
                                     "a dotted header makes an object; keep either the field or its parts"),
                             cells[seen[name] - 1][1])
    return paths


class CsvLocator:
    """Positions in a CSV file, whose data is {section: [record, ...]}: a record is its row,
    a field its cell (found again by rescanning that one row)."""

    def __init__(self, text: str, section: str, starts: array, paths: list[list[str]], lines: LineIndex):
        self._text, self._section, self._starts, self._paths, self._lines = text, section, starts, paths, lines

    def position(self, tokens: list[str]) -> tuple[int, int] | None:
        if not tokens or tokens == [self._section]:
            return 1, 1
        if tokens[0] != self._section:
            return None
        index = array_index(tokens[1])
        if index is None or index >= len(self._starts):
            return None
        start = self._starts[index]
        field = tokens[2:]
        if not field:
            return self._lines.position(start)
        column = next((i for i, path in enumerate(self._paths) if path[: len(field)] == field), None)
        if column is None:
            return None
        cells, _ = scan_row(self._text, start)
        return self._lines.position(cells[column][1])
