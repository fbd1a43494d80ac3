"""Checks on keys and values that both YAML and JSON evidence must pass.

YAML runs them per node while it builds the data; JSON runs `find_problem` once over the
parsed data, because json.loads in C gives no per-node hook cheap enough to use.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, NamedTuple

from engine.evidence import problems as P
from engine.evidence.limits import Limits

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

# Control characters, line and paragraph separators and bidirectional controls: in a key they
# can make two different keys look the same, or make a key look like another one.
_BAD_KEY_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_BAD_TEXT_CHARACTER = re.compile("[\x00\ud800-\udfff]")


class Problem(NamedTuple):
    """What is wrong with a key or a value, before it is given a place in a file."""

    code: str
    message: str
    hint: str | None = None


def show(text: str, limit: int = 40) -> str:
    """A key or value quoted for a one-line message, invisible characters made visible."""
    shown = text if len(text) <= limit else text[:limit] + "…"
    visible = "".join(_escape(c) if _BAD_KEY_CHARACTER.match(c) or _BAD_TEXT_CHARACTER.match(c) else c for c in shown)
    return "'" + visible.replace("'", "\\'") + "'"


def _escape(character: str) -> str:
    return f"\\u{ord(character):04x}"


def key_problem(key: str, limits: Limits) -> Problem | None:
    found = _BAD_KEY_CHARACTER.search(key)
    if found:
        character = found.group()
        name = unicodedata.name(character, "a control character")
        return Problem(P.BAD_KEY_CHARACTER, f"key {show(key)} contains U+{ord(character):04X} ({name})",
                       "control, line-separator and bidirectional characters in keys can disguise a key; remove it")
    return text_problem(key, limits, "key")


def text_problem(text: str, limits: Limits, what: str = "text") -> Problem | None:
    if len(text) > limits.max_string_length:
        return Problem(P.STRING_TOO_LONG, f"{what} is longer than the limit of {limits.max_string_length} characters")
    found = _BAD_TEXT_CHARACTER.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return Problem(P.NUL, f"{what} contains a NUL character")
    return Problem(P.LONE_SURROGATE, f"{what} contains a lone surrogate U+{ord(found.group()):04X}",
                   "surrogate escapes must come in pairs that make one character")


def number_problem(value: int | float) -> Problem | None:
    if type(value) is int and not INT64_MIN <= value <= INT64_MAX:
        return Problem(P.INTEGER_RANGE, "integer is outside the signed 64-bit range",
                       "write it as text if it is an identifier rather than a quantity")
    if type(value) is float and math.isinf(value):
        return Problem(P.FLOAT_OVERFLOW, "number is too large to represent")
    return None


def depth_problem(limits: Limits) -> Problem:
    return Problem(P.TOO_DEEP, f"data is nested deeper than the limit of {limits.max_depth} levels")


def find_problem(root: Any, limits: Limits, depth: int = 1, *, check_characters: bool = True) -> tuple[Problem, list] | None:
    """The first limit or character problem in parsed JSON data, with the path to it.

    `check_characters=False` skips looking for NUL and surrogates in values, for text that
    has no `\\u` escape: strict UTF-8 decoding already excluded them otherwise.
    """
    if count_strings(root, limits, depth, check_characters=check_characters) is not None:
        return None
    return _locate_problem(root, limits, depth, check_characters)


def count_strings(root: Any, limits: Limits, depth: int = 1, *, check_characters: bool = True) -> int | None:
    """None if `find_problem` would find something; else how many strings the data holds,
    keys and text values together (the JSON reader compares that with the quotes in the
    text to tell that no duplicate key was dropped).

    The common case, kept lean: a level-by-level pass that builds no paths and checks
    each distinct key once. It adds about a fifth to the time json.loads takes."""
    max_depth, max_length = limits.max_depth, limits.max_string_length
    bad_character = _BAD_TEXT_CHARACTER.search
    checked_keys: set[str] = set()
    strings = 0
    level = [root] if type(root) in (dict, list) else [[root]]  # a bare scalar is checked as a value
    while level:
        if depth > max_depth:
            return None
        below: list = []
        push = below.append
        for node in level:
            if type(node) is dict:
                strings += len(node)
                if not checked_keys.issuperset(node):
                    if any(key_problem(key, limits) for key in node if key not in checked_keys):
                        return None
                    checked_keys.update(node)
                values: Any = node.values()
            else:
                values = node
            for value in values:
                kind = type(value)
                if kind is str:
                    strings += 1
                    if len(value) > max_length or (check_characters and bad_character(value)):
                        return None
                elif kind is bool or value is None:
                    continue
                elif kind is dict or kind is list:
                    push(value)
                elif kind is int:
                    if value > INT64_MAX or value < INT64_MIN:
                        return None
                elif kind is float:
                    if value == math.inf or value == -math.inf:
                        return None
        level = below
        depth += 1
    return strings


def _locate_problem(root: Any, limits: Limits, depth: int, check_characters: bool) -> tuple[Problem, list] | None:
    """The slow twin of `_all_within`, run only once that has found something: the same
    checks, container by container from the top, keeping the path."""
    # Paths are linked (parent, key) pairs, turned into lists only for the answer.
    stack: list[tuple[Any, int, Any]] = [(root, depth, None)]
    while stack:
        node, level, link = stack.pop()
        if level > limits.max_depth:
            return depth_problem(limits), _path(link)
        pairs = list(node.items() if type(node) is dict else enumerate(node))
        for key, value in pairs:
            if type(key) is str:
                problem = key_problem(key, limits)
                if problem:
                    return problem, _path((link, key))
            kind = type(value)
            problem = None
            if kind is str:
                problem = text_problem(value, limits) if check_characters else _length_problem(value, limits)
            elif kind is int or kind is float:
                problem = number_problem(value)
            if problem:
                return problem, _path((link, key))
        stack.extend((value, level + 1, (link, key)) for key, value in reversed(pairs) if type(value) in (dict, list))
    return None


def _length_problem(text: str, limits: Limits) -> Problem | None:
    return text_problem(text, limits) if len(text) > limits.max_string_length else None


def _path(link: Any) -> list:
    path = []
    while link is not None:
        link, key = link
        path.append(key)
    path.reverse()
    return path
