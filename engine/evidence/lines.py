"""Character offsets ↔ (line, column) for one text, for locating values and quoting lines."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right

_NEWLINE = re.compile("\n")

# Longer lines (minified JSON, say) are not quoted: a diagnostic would carry megabytes.
MAX_QUOTED_LINE = 1000


class LineIndex:
    """Lines end at LF only, as in JSON's own error positions; YAML files that would disagree
    (CR, NEL, U+2028/U+2029 line breaks) are refused before parsing.

    The index is built on first use: most loads never locate anything.
    """

    def __init__(self, text: str):
        self.text = text
        self._starts: array | None = None

    def _line_starts(self) -> array:
        if self._starts is None:
            starts = array("q", [0])
            starts.extend(m.end() for m in _NEWLINE.finditer(self.text))
            self._starts = starts
        return self._starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset; columns count characters."""
        starts = self._line_starts()
        index = bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    def source_line(self, line: int) -> str | None:
        starts = self._line_starts()
        if not 1 <= line <= len(starts):
            return None
        start = starts[line - 1]
        end = self.text.find("\n", start)
        if end < 0:
            end = len(self.text)
        if end - start > MAX_QUOTED_LINE:
            return None
        text = self.text[start:end]
        return text[:-1] if text.endswith("\r") else text
