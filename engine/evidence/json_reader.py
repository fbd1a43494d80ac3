"""JSON evidence, parsed at json.loads speed; where things are is worked out only when asked."""

from __future__ import annotations

import json
import re
from array import array
from json.decoder import WHITESPACE, scanstring
from typing import Any

from engine.evidence import problems as P
from engine.evidence.checks import INT64_MAX, INT64_MIN, Problem, count_strings, depth_problem, find_problem, show
from engine.evidence.gc_pause import paused_gc
from engine.evidence.limits import Limits
from engine.evidence.lines import LineIndex
from engine.evidence.pointer import array_index
from engine.evidence.source import Source


class JsonRefusal(Exception):
    """A problem at a character offset of the parsed text; `earlier` is a related offset."""

    def __init__(self, problem: Problem, offset: int, earlier: int | None = None):
        super().__init__(problem.message)
        self.problem, self.offset, self.earlier = problem, offset, earlier


class _Stop(Exception):
    """Raised inside json.loads hooks; the slow `diagnose` pass then says where and why."""


def _pairs_without_duplicates(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Stop
    return result


def _no_constants(_name: str) -> Any:
    raise _Stop


def parse(text: str, limits: Limits, depth: int = 1, *, check: bool = True) -> Any:
    """Parse JSON text whose outermost value sits at nesting `depth`; raise JsonRefusal.

    `check=False` leaves the limit and character checks of `find_problem` to the caller,
    which can then run them once over many parsed pieces.

    Text without a backslash (most evidence) is parsed without the duplicate-key hook,
    which costs about 40 % more than the parse itself: every `"` of such text opens or
    closes a string, so the text holds half as many strings as quotes, and the data must
    hold as many keys and text values together. A duplicate key, which json.loads drops
    silently, leaves the data short; the text is then parsed again with the hook, which
    says where.
    """
    plain = check and "\\" not in text  # one character: found at memchr speed
    data = _loads(text, limits, depth, hook=not plain)
    if not check:
        return data
    # Without a \u escape, strict UTF-8 decoding has already ruled out NULs and surrogates.
    characters = not plain and "\\u" in text
    strings = count_strings(data, limits, depth, check_characters=characters)
    if strings is None:
        found = find_problem(data, limits, depth, check_characters=characters)
        problem, path = found if found else (Problem(P.JSON_SYNTAX, "invalid JSON"), [])
        offset = JsonPositions(text).offset([str(step) for step in path])
        raise JsonRefusal(problem, 0 if offset is None else offset)
    if plain and 2 * strings != text.count('"'):
        _loads(text, limits, depth, hook=True)  # raises at the duplicate key
    return data


def _loads(text: str, limits: Limits, depth: int, *, hook: bool) -> Any:
    try:
        with paused_gc():  # JSON data has no cycles; see gc_pause.py
            if hook:
                return json.loads(text, object_pairs_hook=_pairs_without_duplicates, parse_constant=_no_constants)
            return json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        raise JsonRefusal(Problem(P.JSON_SYNTAX, f"invalid JSON: {error.msg}"), error.pos) from None
    except (_Stop, ValueError, RecursionError) as error:
        # ValueError: an integer too long for int(); RecursionError: nesting in the thousands.
        raise diagnose(text, limits, depth, too_deep=isinstance(error, RecursionError)) from None


def read_json(source: Source, limits: Limits) -> tuple[dict, "JsonLocator"]:
    text = source.text
    if WHITESPACE.match(text, 0).end() == len(text):
        raise P.refuse(P.EMPTY, "file is empty", source.display, hint="a JSON evidence file holds one object")
    try:
        with paused_gc():  # the data has no cycles; see gc_pause.py
            data = parse(text, limits)
    except JsonRefusal as refusal:
        raise located(refusal, source.display, source.lines) from None
    if type(data) is not dict:
        start = WHITESPACE.match(text, 0).end()
        raise located(JsonRefusal(Problem(P.NOT_A_MAPPING, f"the top level must be an object of sections, found {_kind(data)}"),
                                  start), source.display, source.lines)
    return data, JsonLocator(text, source.lines)


def located(refusal: JsonRefusal, display: str, lines: LineIndex, base: int = 0) -> Exception:
    """A refusal at `base + offset` of the text that `lines` indexes, as a DiagnosticError."""
    line, column = lines.position(base + refusal.offset)
    hint = refusal.problem.hint
    if refusal.earlier is not None:
        hint = f"the first one is at line {lines.position(base + refusal.earlier)[0]}; keep one"
    return P.refuse(refusal.problem.code, refusal.problem.message, display, line, column,
                    hint=hint, source_line=lines.source_line(line))


def _kind(value: Any) -> str:
    return {list: "a list", str: "text", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


# -- the slow pass, run only after json.loads has refused -------------------------------

_TOKEN = re.compile(r'[ \t\n\r]*(?:([{}\[\],:])|(")|([^ \t\n\r{}\[\],:"]+))')
_INTEGER = re.compile(r"-?[0-9]+")


def diagnose(text: str, limits: Limits, depth: int = 1, *, too_deep: bool = False) -> JsonRefusal:
    """Walk the tokens to find what json.loads stopped on: a duplicate key, NaN or
    Infinity, a number out of range, or nesting past the limit."""
    open_keys: list[dict[str, int] | None] = []  # per open container: keys seen so far, None for lists
    expect_key = False
    position = 0
    while (match := _TOKEN.match(text, position)) is not None:
        punctuation, quote, word = match.groups()
        position = match.end()
        start = match.start(1) if punctuation else match.start(2) if quote else match.start(3)
        if punctuation in ("{", "["):
            if depth + len(open_keys) > limits.max_depth:
                return JsonRefusal(depth_problem(limits), start)
            open_keys.append({} if punctuation == "{" else None)
            expect_key = punctuation == "{"
        elif punctuation in ("}", "]"):
            if open_keys:
                open_keys.pop()
            expect_key = False
        elif punctuation == ",":
            expect_key = bool(open_keys) and open_keys[-1] is not None
        elif quote:
            value, position = scanstring(text, position)
            keys = open_keys[-1] if expect_key and open_keys else None
            if keys is not None:
                if value in keys:
                    return JsonRefusal(Problem(P.DUPLICATE_KEY, f"duplicate key {show(value)}"), start, keys[value])
                keys[value] = start
                expect_key = False
        elif word:
            problem = _word_problem(word)
            if problem:
                return JsonRefusal(problem, start)
    if too_deep:
        return JsonRefusal(Problem(P.TOO_DEEP, "data is nested too deeply to read"), 0)
    return JsonRefusal(Problem(P.JSON_SYNTAX, "invalid JSON"), 0)


def _word_problem(word: str) -> Problem | None:
    if word in ("NaN", "Infinity", "-Infinity"):
        return Problem(P.NOT_A_NUMBER, f"{word} is not a number JSON allows", "write null, or the value as text")
    if _INTEGER.fullmatch(word):
        digits = word.lstrip("-")
        if len(digits) > 19 or not INT64_MIN <= int(word) <= INT64_MAX:
            return Problem(P.INTEGER_RANGE, "integer is outside the signed 64-bit range",
                           "write it as text if it is an identifier rather than a quantity")
        return None
    try:
        if abs(float(word)) == float("inf"):
            return Problem(P.FLOAT_OVERFLOW, "number is too large to represent")
    except ValueError:
        pass
    return None


# -- positions, computed lazily -----------------------------------------------------------

_SKIPPER = json.JSONDecoder()


def _skip_space(text: str, position: int) -> int:
    return WHITESPACE.match(text, position).end()


class _Progress:
    """How far the members of one object or list have been scanned, and what was found."""

    __slots__ = ("found", "position", "done")

    def __init__(self, found: dict | array, position: int, done: bool):
        self.found, self.position, self.done = found, position, done


class JsonPositions:
    """Offsets of values inside already-validated JSON text, found on demand.

    Walking a pointer scans only the containers on its path, and each only as far as the
    member it needs; what was scanned is kept, so one pass over a million-record list
    serves every later lookup. Skipping a value uses the C decoder, which is far quicker
    than tokenizing in Python.
    """

    def __init__(self, text: str, start: int = 0):
        self._text = text
        self._root = _skip_space(text, start)
        self._progress: dict[int, _Progress] = {}

    def offset(self, tokens: list[str]) -> int | None:
        text, at = self._text, self._root
        for token in tokens:
            opener = text[at : at + 1]
            if opener == "{":
                found = self._member(at, token)
            elif opener == "[":
                index = array_index(token)
                found = None if index is None else self._element(at, index)
            else:
                return None
            if found is None:
                return None
            at = found
        return at

    def _start(self, at: int, found: dict | array) -> _Progress:
        progress = self._progress.get(at)
        if progress is None:
            position = _skip_space(self._text, at + 1)
            progress = self._progress[at] = _Progress(found, position, self._text[position] in "}]")
        return progress

    def _member(self, at: int, key: str) -> int | None:
        progress = self._start(at, {})
        text = self._text
        while key not in progress.found and not progress.done:
            name, position = scanstring(text, progress.position + 1)
            position = _skip_space(text, _skip_space(text, position) + 1)  # past ':'
            progress.found[name] = position
            progress.position, more = self._next(position)
            progress.done = not more
        return progress.found.get(key)

    def _element(self, at: int, index: int) -> int | None:
        progress = self._start(at, array("q"))
        while len(progress.found) <= index and not progress.done:
            progress.found.append(progress.position)
            progress.position, more = self._next(progress.position)
            progress.done = not more
        return progress.found[index] if index < len(progress.found) else None

    def _next(self, position: int) -> tuple[int, bool]:
        """Skip the value at `position`: where the next member starts, and whether there is one."""
        text = self._text
        _, end = _SKIPPER.raw_decode(text, position)
        end = _skip_space(text, end)
        if text[end] == ",":
            return _skip_space(text, end + 1), True
        return end, False


class JsonLocator:
    """(line, column) of the value at a pointer's tokens, for a whole JSON document."""

    def __init__(self, text: str, lines: LineIndex):
        self._offsets = JsonPositions(text)
        self._lines = lines

    def position(self, tokens: list[str]) -> tuple[int, int] | None:
        offset = self._offsets.offset(tokens)
        return None if offset is None else self._lines.position(offset)
