"""The schemas' `pattern` keyword, run in time linear in the text whichever validator runs it.

A pattern's meaning is RE2's (google-re2), which never backtracks. RE2 from Python costs
microseconds a call, though, too much for a million values; so a pattern in a small,
common subset is translated into an equivalent Python regular expression that provably
cannot backtrack, and that one runs instead:

- it starts with `^` (an unanchored search would be retried at every position);
- it is built from literal characters, classes (`[a-z0-9._-]`, `[^,]`, `\\d`, `\\w`,
  `\\s` and their negations, `.`), groups, alternation and the quantifiers `*`, `+`, `?`,
  `{n}`, `{n,}`, `{n,m}`, and ends with `$` or not;
- it is deterministic: wherever a match could go two ways (repeat once more or go on;
  take one alternative or another), the next character decides. `^[A-Za-z0-9][A-Za-z0-9._:-]*$`
  is; `^a*a$` is not.

For such a pattern every quantifier can be made possessive and every alternation atomic
without changing what matches, and Python's engine then never goes back: one pass, linear
time. Anything else (`\\b`, flags, lazy quantifiers, a pattern without `^`, a
non-deterministic one) is left to RE2 itself.

RE2 and Python read a few things differently; the translation writes RE2's meaning out
explicitly: `$` is the end of the text (Python's `\\Z`; Python's `$` also matches before a
final line break), `\\d`, `\\w`, `\\s` are ASCII classes, `.` is any character but a line
break.

A translated pattern can also be checked over many values at once: the values are joined
with line breaks and one match runs over the lot (see batch.py).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable

from engine.evidence.batch import BatchCheck, regex_test

MAX_CHAR = 0x10FFFF
Ranges = tuple[tuple[int, int], ...]


class PatternError(ValueError):
    """RE2 cannot compile the pattern (or it needs backtracking, which RE2 refuses)."""


# -- character sets, as sorted disjoint (low, high) code point ranges --------------------


def _normal(ranges) -> Ranges:
    out: list[list[int]] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], high)
        else:
            out.append([low, high])
    return tuple((low, high) for low, high in out)


def _union(*sets: Ranges) -> Ranges:
    return _normal([r for s in sets for r in s])


def _complement(ranges: Ranges) -> Ranges:
    out, start = [], 0
    for low, high in ranges:
        if low > start:
            out.append((start, low - 1))
        start = high + 1
    if start <= MAX_CHAR:
        out.append((start, MAX_CHAR))
    return tuple(out)


def _minus(ranges: Ranges, removed: Ranges) -> Ranges:
    keep = _complement(removed)
    out = []
    for low, high in ranges:
        for k_low, k_high in keep:
            if k_low <= high and low <= k_high:
                out.append((max(low, k_low), min(high, k_high)))
    return _normal(out)


def _overlap(a: Ranges, b: Ranges) -> bool:
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i][1] < b[j][0]:
            i += 1
        elif b[j][1] < a[i][0]:
            j += 1
        else:
            return True
    return False


def _chars(text: str) -> Ranges:
    return _normal((ord(c), ord(c)) for c in text)


_DIGIT = ((0x30, 0x39),)
_WORD = _normal([(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)])
_SPACE = _chars("\t\n\f\r ")  # RE2's \s: no vertical tab, unlike Python's
_NEWLINE = ((0x0A, 0x0A),)
_PERL_CLASSES = {"d": _DIGIT, "w": _WORD, "s": _SPACE,
                 "D": _complement(_DIGIT), "W": _complement(_WORD), "S": _complement(_SPACE)}
_CONTROL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v"}
_META = set("\\.+*?()|[]{}^$")

# -- the pattern's tree --------------------------------------------------------------------


@dataclass(frozen=True)
class _Set:
    ranges: Ranges


@dataclass(frozen=True)
class _Seq:
    items: tuple


@dataclass(frozen=True)
class _Alt:
    options: tuple


@dataclass(frozen=True)
class _Repeat:
    node: object
    low: int
    high: int | None  # None: no upper bound


@dataclass(frozen=True)
class _Anchor:
    end: bool  # False: ^, True: $


class _Unsupported(Exception):
    """Outside the subset: RE2 runs the pattern."""


class _Parser:
    def __init__(self, text: str):
        self.text, self.at = text, 0

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def take(self) -> str:
        if self.at >= len(self.text):
            raise _Unsupported
        char = self.text[self.at]
        self.at += 1
        return char

    def parse(self):
        node = self.alternation()
        if self.at != len(self.text):
            raise _Unsupported
        return node

    def alternation(self):
        options = [self.sequence()]
        while self.peek() == "|":
            self.at += 1
            options.append(self.sequence())
        return options[0] if len(options) == 1 else _Alt(tuple(options))

    def sequence(self):
        items = []
        while self.peek() not in ("", "|", ")"):
            items.append(self.quantified(self.atom()))
        return _Seq(tuple(items))

    def atom(self):
        char = self.take()
        if char == "(":
            if self.peek() == "?":
                if self.text.startswith("?:", self.at):
                    self.at += 2
                else:
                    raise _Unsupported  # flags, named groups, look-around
            node = self.alternation()
            if self.take() != ")":
                raise _Unsupported
            return node
        if char == "[":
            return _Set(self.char_class())
        if char == ".":
            return _Set(_complement(_NEWLINE))
        if char in "^$":
            return _Anchor(char == "$")
        if char == "\\":
            return _Set(self.escape(in_class=False))
        if char in _META:
            raise _Unsupported  # a stray quantifier, bracket or brace
        return _Set(_chars(char))

    def escape(self, in_class: bool) -> Ranges:
        char = self.take()
        if char in _PERL_CLASSES:
            return _PERL_CLASSES[char]
        if char in _CONTROL_ESCAPES:
            return _chars(_CONTROL_ESCAPES[char])
        if not char.isalnum() and char.isascii() and char.isprintable():
            return _chars(char)  # an escaped punctuation character stands for itself
        raise _Unsupported  # \b, \A, \z, \p{..}, \x.., back-references, ...

    def char_class(self) -> Ranges:
        negated = self.peek() == "^"
        if negated:
            self.at += 1
        if self.peek() == "]":
            raise _Unsupported  # a leading ']' is read differently by different engines
        parts: list[Ranges] = []
        while True:
            char = self.take()
            if char == "]":
                break
            if char == "[":
                raise _Unsupported  # [:alpha:] and friends
            if char == "\\":
                single = self.escape(in_class=True)
            else:
                single = _chars(char)
            if self.peek() == "-" and self.text[self.at + 1 : self.at + 2] not in ("]", ""):
                self.at += 1
                low_set = single
                high_char = self.take()
                high_set = self.escape(in_class=True) if high_char == "\\" else _chars(high_char)
                if len(low_set) != 1 or low_set[0][0] != low_set[0][1] or len(high_set) != 1 \
                        or high_set[0][0] != high_set[0][1] or low_set[0][0] > high_set[0][0]:
                    raise _Unsupported
                parts.append(((low_set[0][0], high_set[0][0]),))
            else:
                parts.append(single)
        ranges = _union(*parts) if parts else ()
        return _complement(ranges) if negated else ranges

    def quantified(self, node):
        char = self.peek()
        if char in ("*", "+", "?"):
            self.at += 1
            low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
        elif char == "{":
            match = re.compile(r"\{([0-9]+)(,([0-9]*))?\}").match(self.text, self.at)
            if match is None:
                raise _Unsupported  # RE2 reads a brace that is not a count as a literal
            self.at = match.end()
            low = int(match.group(1))
            high = low if match.group(2) is None else (int(match.group(3)) if match.group(3) else None)
            if high is not None and high < low:
                raise _Unsupported
        else:
            return node
        if self.peek() in ("?", "+", "*", "{") or isinstance(node, _Anchor):
            raise _Unsupported  # lazy or stacked quantifiers
        return _Repeat(node, low, high)


# -- determinism: the next character always decides ---------------------------------------


def _nullable(node) -> bool:
    if isinstance(node, _Set):
        return False
    if isinstance(node, _Seq):
        return all(_nullable(item) for item in node.items)
    if isinstance(node, _Alt):
        return any(_nullable(option) for option in node.options)
    if isinstance(node, _Repeat):
        return node.low == 0 or _nullable(node.node)
    raise _Unsupported


def _first(node) -> Ranges:
    if isinstance(node, _Set):
        return node.ranges
    if isinstance(node, _Seq):
        found: list[Ranges] = []
        for item in node.items:
            found.append(_first(item))
            if not _nullable(item):
                break
        return _union(*found)
    if isinstance(node, _Alt):
        return _union(*(_first(option) for option in node.options))
    if isinstance(node, _Repeat):
        return _first(node.node)
    raise _Unsupported


def _check(node, follow: Ranges) -> None:
    """Raise _Unsupported unless matching `node` followed by text starting in `follow`
    never has a choice that the next character does not settle."""
    if isinstance(node, _Set):
        return
    if isinstance(node, _Seq):
        after = follow
        for item in reversed(node.items):
            _check(item, after)
            after = _first(item) if not _nullable(item) else _union(_first(item), after)
        return
    if isinstance(node, _Alt):
        seen: Ranges = ()
        for option in node.options:
            first = _first(option)
            if _nullable(option) or _overlap(first, seen):
                raise _Unsupported
            seen = _union(seen, first)
            _check(option, follow)
        return
    if isinstance(node, _Repeat):
        inner = node.node
        if node.high == node.low:
            _check(inner, _union(_first(inner), follow) if node.low > 1 else follow)
            return
        if _nullable(inner) or _overlap(_first(inner), follow):
            raise _Unsupported
        _check(inner, _union(_first(inner), follow) if node.high != 1 else follow)
        return
    raise _Unsupported


# -- translation ----------------------------------------------------------------------------


def _class_text(ranges: Ranges) -> str:
    if not ranges:
        return "(?!)"
    parts = []
    for low, high in ranges:
        parts.append(f"\\U{low:08x}" if low == high else f"\\U{low:08x}-\\U{high:08x}")
    return "[" + "".join(parts) + "]"


def _emit(node, drop: Ranges) -> str:
    if isinstance(node, _Set):
        return _class_text(_minus(node.ranges, drop) if drop else node.ranges)
    if isinstance(node, _Seq):
        return "".join(_emit(item, drop) for item in node.items)
    if isinstance(node, _Alt):
        return "(?>" + "|".join(_emit(option, drop) for option in node.options) + ")"
    if isinstance(node, _Repeat):
        inner = _emit(node.node, drop)
        body = inner if isinstance(node.node, _Set) else "(?:" + inner + ")"
        if node.low == node.high:
            return f"{body}{{{node.low}}}"
        if node.high is None:
            count = "*" if node.low == 0 else "+" if node.low == 1 else f"{{{node.low},}}"
        else:
            count = "?" if (node.low, node.high) == (0, 1) else f"{{{node.low},{node.high}}}"
        return body + count + "+"  # possessive: never gives a repetition back
    raise _Unsupported


@dataclass(frozen=True)
class Translation:
    item: str
    """A Python regex with RE2's meaning, to be used with `match` (it is anchored at the start)."""
    batch: str
    """One value's regex for a batch: the same, with line breaks taken out of every class,
    so that values joined by line breaks cannot run into each other."""


def translate(pattern: str) -> Translation | None:
    """The pattern as a backtracking-free Python regex, or None if it is outside the subset."""
    try:
        tree = _Parser(pattern).parse()
        if not isinstance(tree, _Seq) or not tree.items or tree.items[0] != _Anchor(False):
            raise _Unsupported
        items = list(tree.items[1:])
        end = bool(items) and items[-1] == _Anchor(True)
        if end:
            items.pop()
        if any(isinstance(item, _Anchor) for item in items):
            raise _Unsupported
        body = _Seq(tuple(items))
        _check(body, ())
        item = _emit(body, ()) + ("\\Z" if end else "")
        batch = _emit(body, _NEWLINE) + ("" if end else "[^\\n]*+")
        re.compile(item)
        return Translation(item, batch)
    except (_Unsupported, RecursionError, re.error):
        return None


# -- running a pattern ------------------------------------------------------------------------


def _quiet_options():
    import re2

    options = re2.Options()
    options.log_errors = False
    return options


@functools.lru_cache(maxsize=None)
def _re2(pattern: str):
    import re2

    try:
        return re2.compile(pattern, _quiet_options())
    except re2.error as error:
        detail = error.args[0] if error.args else error
        raise PatternError(detail.decode() if isinstance(detail, bytes) else str(detail)) from None


def check_syntax(pattern: str) -> None:
    """Raise PatternError if RE2 does not accept the pattern."""
    _re2(pattern)


def re2_search(pattern: str, text: str) -> bool:
    """Whether RE2 finds the pattern in the text: the meaning of the `pattern` keyword."""
    regex = _re2(pattern)
    try:
        return regex.search(text) is not None
    except UnicodeEncodeError:  # a lone surrogate: let RE2 see the bytes as they are
        return regex.search(text.encode("utf-8", "surrogatepass")) is not None


@dataclass(frozen=True, eq=False)
class PatternCheck:
    pattern: str
    test: Callable[[str], bool]
    """The exact test of one text."""
    batch: BatchCheck | None
    """A test of many texts at once, when the pattern translates."""
    recipe: tuple
    """How to make the test again: `("regex", item, batch)` for a translated pattern, which
    needs only Python's re (see regex_test), else `("pattern", pattern)`."""


@functools.lru_cache(maxsize=None)
def compile_pattern(pattern: str) -> PatternCheck:
    """Raise PatternError if RE2 rejects the pattern; RE2 is the reference for its meaning."""
    check_syntax(pattern)
    translation = translate(pattern)
    if translation is None:
        known: dict[str, bool] = {}

        def test(text: str) -> bool:
            found = known.get(text)
            if found is None:
                found = re2_search(pattern, text)
                if len(known) < 100_000:
                    known[text] = found
            return found

        return PatternCheck(pattern, test, None, ("pattern", pattern))
    exact = regex_test(translation.item)
    return PatternCheck(pattern, exact, BatchCheck(translation.batch, exact),
                        ("regex", translation.item, translation.batch))
