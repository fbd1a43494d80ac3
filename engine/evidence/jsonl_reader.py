"""JSON Lines record files: one object per line, together the list of one section."""

from __future__ import annotations

from array import array
from typing import Any

from engine.evidence import problems as P
from engine.evidence.checks import find_problem
from engine.evidence.json_reader import JsonPositions, JsonRefusal, located, parse
from engine.evidence.limits import Limits
from engine.evidence.lines import LineIndex
from engine.evidence.pointer import array_index
from engine.evidence.source import Source

# Records sit below the bundle mapping and the section's list.
RECORD_DEPTH = 3


def read_jsonl(source: Source, section: str, limits: Limits) -> tuple[dict, "RecordLocator"]:
    text = source.text
    records: list[Any] = []
    starts = array("q")
    position, length = 0, len(text)
    while position < length:
        end = text.find("\n", position)
        end = length if end < 0 else end
        line = text[position:end]
        if line.strip(" \t\r"):  # blank lines, such as a final one, carry no record
            try:
                record = parse(line, limits, RECORD_DEPTH, check=False)
            except JsonRefusal as refusal:
                raise located(refusal, source.display, source.lines, position) from None
            if type(record) is not dict:
                line_number, _ = source.lines.position(position)
                column = len(line) - len(line.lstrip(" \t")) + 1
                raise P.refuse(P.RECORD_NOT_OBJECT, "each line of a JSON Lines file must be one object",
                               source.display, line_number, column, source_line=source.lines.source_line(line_number))
            records.append(record)
            starts.append(position)
        position = end + 1
    locator = RecordLocator(text, section, starts, source.lines)
    # One pass over all records rather than one per line: each distinct key is checked once.
    found = find_problem(records, limits, RECORD_DEPTH - 1, check_characters="\\u" in text)
    if found:
        problem, path = found
        line, column = locator.position([section, *map(str, path)]) or (1, 1)
        raise P.refuse(problem.code, problem.message, source.display, line, column,
                       hint=problem.hint, source_line=source.lines.source_line(line))
    return {section: records}, locator


class RecordLocator:
    """Positions in a JSON Lines file, whose data is {section: [record, ...]}."""

    def __init__(self, text: str, section: str, starts: array, lines: LineIndex):
        self._text, self._section, self._starts, self._lines = text, section, starts, lines
        self._records: dict[int, JsonPositions] = {}

    def position(self, tokens: list[str]) -> tuple[int, int] | None:
        if not tokens or tokens == [self._section]:
            return 1, 1
        if tokens[0] != self._section:
            return None
        index = array_index(tokens[1])
        if index is None or index >= len(self._starts):
            return None
        record = self._records.get(index)
        if record is None:
            record = self._records[index] = JsonPositions(self._text, self._starts[index])
        offset = record.offset(tokens[2:])
        return None if offset is None else self._lines.position(offset)
