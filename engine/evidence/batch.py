"""Many texts checked against one regular expression in a single match (a schema's
`pattern` or `format`, deferred by the bulk validator until every value is collected).

Needs only Python's re: the prebuilt validators rebuild their checks from the regexes
patterns.py translated when they were written, without the translator or RE2.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Callable


def regex_test(item: str) -> Callable[[str], bool]:
    """For a translated pattern: the exact test of one text (`item` is anchored at the start
    by `match`); `BatchCheck(batch, regex_test(item))` checks many at once."""
    matcher = re.compile(item).match

    def exact(text: str) -> bool:
        return matcher(text) is not None

    return exact


class BatchCheck:
    """Many texts checked by one regex: `one` matches a single text (it must not match a
    line break); `exact` decides a text `one` does not match (for a format whose quick
    regex leaves out rare valid values, say), and is the test for texts with line breaks."""

    def __init__(self, one: str, exact: Callable[[str], bool]):
        self._all = re.compile(f"(?:{one}\\n)*+").match
        self._exact = exact

    def __call__(self, texts: list) -> bool:
        if not texts:
            return True
        joined = "\n".join(texts) + "\n"
        if joined.count("\n") != len(texts):  # a text has a line break: take them one by one
            return all(map(self._exact, texts))
        end = self._all(joined).end()
        if end == len(joined):
            return True
        starts = None
        while end != len(joined):
            if starts is None:
                starts = list(accumulate((len(text) + 1 for text in texts), initial=0))
            index = bisect_right(starts, end) - 1
            if not self._exact(texts[index]):
                return False
            end = self._all(joined, starts[index + 1]).end()
        return True
