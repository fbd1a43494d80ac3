"""JSON Lines record files: one object per line, together the list of one section.

Parsing each line with its own json.loads costs two to three times a single parse of the
same records: a call per line, and the keys, which one parse shares across all records
but each line's parse makes anew. So the lines are first parsed all at once, each wrapped
in an object under one key that clausegate chooses, in one JSON list:

    [{"\u0000":<line 1>},{"\u0000":<line 2>},...]

That this reads each line as exactly one value, as line-by-line parsing would, is checked
after the fact. The key is NUL, which no key of the evidence may hold (CG309) and which a
line cannot even write without a backslash. The parse is accepted only if the list has one
item per line, each an object with that one key, there is no duplicate key (the hook, or
the count of quotes, as in json_reader.py), and no record holds a key with a NUL. Then
every inserted `{"\u0000":` opens an item of the list (one that a line's brackets had
swallowed would be a key inside a record), those are all the items, and each item's value
is exactly its line. Anything else, and every error, goes to the line-by-line reader,
which says which line is wrong and why.
"""

from __future__ import annotations

import json
from array import array
from itertools import accumulate, compress, count
from operator import add, itemgetter, methodcaller
from typing import Any

from engine.evidence import problems as P
from engine.evidence.checks import count_strings, find_problem
from engine.evidence.gc_pause import paused_gc
from engine.evidence.json_reader import (JsonPositions, JsonRefusal, _no_constants, _pairs_without_duplicates,
                                         _Stop, located, parse)
from engine.evidence.limits import Limits
from engine.evidence.lines import LineIndex
from engine.evidence.pointer import array_index
from engine.evidence.source import Source

# Records sit below the bundle mapping and the section's list.
RECORD_DEPTH = 3

_STRIP = methodcaller("strip", " \t\r")
_WRAPPED = itemgetter("\0")


def read_jsonl(source: Source, section: str, limits: Limits) -> tuple[dict, "RecordLocator"]:
    text = source.text
    with paused_gc():  # the records have no cycles; see gc_pause.py
        records = _read_at_once(text, limits)
        starts = None
        if records is None:
            records, starts = _read_line_by_line(source, limits)
    return {section: records}, RecordLocator(text, section, starts, source.lines)


def _read_at_once(text: str, limits: Limits) -> list | None:
    """The records, or None to leave the file to the line-by-line reader."""
    end = len(text)
    while end and text[end - 1] in " \t\r\n":  # trailing blank lines carry no record
        end -= 1
    if not end:
        return []
    plain = "\\" not in text
    # Lines joined by one replace (of every line break before the trailing blank ones); a
    # blank line inside makes that fail, and the lines are then taken one list item each,
    # the blank ones left out.
    breaks = text.count("\n", 0, end)
    joined = '[{"\\u0000":' + text.replace("\n", '},{"\\u0000":', breaks) + "}]"
    records = _parse_joined(joined, breaks + 1, plain)
    del joined
    if records is None:
        lines = text.split("\n")
        values = list(compress(lines, map(_STRIP, lines)))
        del lines
        records = _parse_joined('[{"\\u0000":' + '},{"\\u0000":'.join(values) + "}]", len(values), plain)
        if records is None:
            return None
    if any(type(record) is not dict for record in records):
        return None
    strings = count_strings(records, limits, RECORD_DEPTH - 1, check_characters=not plain and "\\u" in text)
    if strings is None or (plain and 2 * strings != text.count('"')):
        return None
    return records


def _parse_joined(joined: str, expected: int, plain: bool) -> list | None:
    try:
        if plain:
            items = json.loads(joined, parse_constant=_no_constants)
        else:
            items = json.loads(joined, object_pairs_hook=_pairs_without_duplicates, parse_constant=_no_constants)
        del joined
        if len(items) != expected or set(map(len, items)) != {1}:
            return None
        return list(map(_WRAPPED, items))
    except (_Stop, ValueError, RecursionError, KeyError, TypeError):
        return None


def record_starts(text: str) -> array:
    """Where each line that is not blank starts: the records' places."""
    lines = text.split("\n")
    starts = map(add, accumulate(map(len, lines), initial=0), count())
    return array("q", compress(starts, map(_STRIP, lines)))


def _read_line_by_line(source: Source, limits: Limits) -> tuple[list, array]:
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
    # One pass over all records rather than one per line: each distinct key is checked once.
    found = find_problem(records, limits, RECORD_DEPTH - 1, check_characters="\\u" in text)
    if found:
        problem, path = found
        locator = RecordLocator(text, "", starts, source.lines)
        line, column = locator.position(["", *map(str, path)]) or (1, 1)
        raise P.refuse(problem.code, problem.message, source.display, line, column,
                       hint=problem.hint, source_line=source.lines.source_line(line))
    return records, starts


class RecordLocator:
    """Positions in a JSON Lines file, whose data is {section: [record, ...]}. Where the
    lines start is worked out on the first lookup, if the reader did not already know."""

    def __init__(self, text: str, section: str, starts: array | None, lines: LineIndex):
        self._text, self._section, self._starts, self._lines = text, section, starts, lines
        self._records: dict[int, JsonPositions] = {}

    def position(self, tokens: list[str]) -> tuple[int, int] | None:
        if not tokens or tokens == [self._section]:
            return 1, 1
        if tokens[0] != self._section:
            return None
        if self._starts is None:
            self._starts = record_starts(self._text)
        index = array_index(tokens[1])
        if index is None or index >= len(self._starts):
            return None
        record = self._records.get(index)
        if record is None:
            record = self._records[index] = JsonPositions(self._text, self._starts[index])
        offset = record.offset(tokens[2:])
        return None if offset is None else self._lines.position(offset)
