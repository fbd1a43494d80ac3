"""YAML evidence read as JSON data only, built straight from the parser's events.

Working from events rather than composed nodes means aliases are refused before anything
is expanded, nesting is counted without recursion, and every value's position is kept at
no extra cost. Plain scalars follow the YAML 1.2 core schema, narrowed: a value is a
number only if it reads unambiguously as one, so `012`, `0x1F`, `1_000`, `1:30`, `yes`,
`off` and `2025-03-31` all stay text.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from engine.evidence import problems as P
from engine.evidence.checks import Problem, depth_problem, key_problem, number_problem, show, text_problem
from engine.evidence.limits import Limits
from engine.evidence.pointer import array_index
from engine.evidence.source import Source

# libyaml when PyYAML was built with it: several times faster than the pure-Python parser.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INTEGER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NOT_A_NUMBER = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_NUMBER_START = frozenset("0123456789+-.")  # how every text the three patterns above match begins
# Every text one of the three matches, and more: one look rules out what starts like a
# number and is none, such as a date.
_NUMBER_LIKE = re.compile(r"[-+]?(?:\.(?:inf|Inf|INF|nan|NaN|NAN)|\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_WORDS = _NULLS | _BOOLEANS.keys()  # the plain texts that are not text

# libyaml also breaks lines at these, so its positions would disagree with every other
# tool's line numbers; CRLF is fine.
_ODD_LINE_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")
_ODD_LINE_BREAK_CHARACTERS = "\r\x85\u2028\u2029"  # what every match of it holds
# Outside YAML's printable set (NUL is refused earlier, for every format).
_NOT_PRINTABLE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_ASCII_NOT_PRINTABLE = bytes([*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])  # its ASCII part

_PLAIN = frozenset({None, ""})  # a plain scalar's style (libyaml says "", the pure parser None)
_NO_KEY = object()  # a mapping frame waiting for its next key
_IN_LIST = object()  # a sequence frame


class PositionNode:
    """Where a mapping or list starts, and the positions of what it holds."""

    __slots__ = ("line", "column", "children")

    def __init__(self, line: int, column: int, children: dict | list):
        self.line, self.column, self.children = line, column, children


class YamlLocator:
    def __init__(self, root: PositionNode):
        self._root = root

    def position(self, tokens: list[str]) -> tuple[int, int] | None:
        node: Any = self._root
        for token in tokens:
            if not isinstance(node, PositionNode):
                return None
            children = node.children
            if isinstance(children, dict):
                node = children.get(token)
            else:
                index = array_index(token)
                node = children[index] if index is not None and index < len(children) else None
            if node is None:
                return None
        return _place(node)


class ReparsedYamlLocator:
    """The positions of a YAML file whose data was built in another process (bundle.py,
    background.py): its text is parsed here again the first time a position is asked for,
    which a bundle without findings there never does."""

    def __init__(self, source: Source, limits: Limits):
        self._source, self._limits = source, limits
        self._located: YamlLocator | None = None

    def position(self, tokens: list[str]) -> tuple[int, int] | None:
        if self._located is None:
            self._located = read_yaml(self._source, self._limits)[1]
        return self._located.position(tokens)


def _place(node: Any) -> tuple[int, int]:
    """1-based (line, column) of a container's PositionNode or a scalar's parser mark."""
    return (node.line, node.column) if isinstance(node, PositionNode) else (node.line + 1, node.column + 1)


class _Frame:
    __slots__ = ("value", "children", "key", "key_lines", "line", "column")

    def __init__(self, is_mapping: bool, line: int, column: int):
        self.value: Any = {} if is_mapping else []
        self.children: Any = {} if is_mapping else []
        self.key: Any = _NO_KEY if is_mapping else _IN_LIST
        self.key_lines: dict[str, int] = {}
        self.line, self.column = line, column

    def put(self, value: Any, position: Any) -> None:
        if self.key is _IN_LIST:
            self.value.append(value)
            self.children.append(position)
        else:
            self.value[self.key] = value
            self.children[self.key] = position
            self.key = _NO_KEY


def read_yaml(source: Source, limits: Limits) -> tuple[dict, YamlLocator]:
    _check_characters(source)
    try:
        try:
            root = _Builder(source, limits).build(source.text, _LOADER)
        except yaml.MarkedYAMLError as error:
            if "nesting depth" not in (error.problem or ""):
                raise
            # Newer libyaml refuses deep flow nesting while reading ahead, before our own
            # (lower) limit sees the events; the pure parser reads lazily and lets it speak.
            root = _Builder(source, limits).build(source.text, yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        detail = error.problem or "syntax error"
        if error.context:
            detail += f" ({error.context})"
        raise _refuse(source, Problem(P.YAML_SYNTAX, f"invalid YAML: {detail}"),
                      (mark.line + 1, mark.column + 1) if mark else (1, 1)) from None
    except yaml.reader.ReaderError as error:
        raise _refuse(source, Problem(P.YAML_SYNTAX, f"invalid YAML: {error.reason}"),
                      source.lines.position(error.position)) from None
    except yaml.YAMLError as error:
        raise _refuse(source, Problem(P.YAML_SYNTAX, f"invalid YAML: {error}"), (1, 1)) from None
    if root is None:
        raise P.refuse(P.EMPTY, "file holds no data", source.display, hint="a YAML evidence file holds one mapping")
    value, position = root
    if value is None:
        raise P.refuse(P.EMPTY, "document is empty", source.display, hint="a YAML evidence file holds one mapping")
    if type(value) is not dict:
        where = _place(position)
        raise _refuse(source, Problem(P.NOT_A_MAPPING, f"the top level must be a mapping of sections, found {_kind(value)}"),
                      where)
    return value, YamlLocator(position)


def _check_characters(source: Source) -> None:
    # Each regex is searched only where a plain look shows it may match: a search tries
    # every position of the text, a `in` test or an ASCII pass is a hundred times quicker.
    text = source.text
    odd = _ODD_LINE_BREAK.search(text) if any(c in text for c in _ODD_LINE_BREAK_CHARACTERS) else None
    if odd:
        raise _refuse(source, Problem(P.YAML_LINE_BREAK, f"U+{ord(odd.group()):04X} is read as a line break in YAML",
                                      "use LF or CRLF line endings; write the character as an escape in a double-quoted string"),
                      source.lines.position(odd.start()))
    ascii_without_controls = text.isascii() and \
        len(text.encode("ascii").translate(None, _ASCII_NOT_PRINTABLE)) == len(text)
    bad = None if ascii_without_controls else _NOT_PRINTABLE.search(text)
    if bad:
        raise _refuse(source, Problem(P.YAML_SYNTAX, f"character U+{ord(bad.group()):04X} is not allowed in YAML",
                                      "write it as an escape in a double-quoted string, or remove it"),
                      source.lines.position(bad.start()))


def _refuse(source: Source, problem: Problem, where: tuple[int, int]) -> Exception:
    line, column = where
    return P.refuse(problem.code, problem.message, source.display, line, column,
                    hint=problem.hint, source_line=source.lines.source_line(line))


def _kind(value: Any) -> str:
    return {list: "a list", str: "text", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


def _mark(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def _tag_name(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


class _Builder:
    def __init__(self, source: Source, limits: Limits):
        self.source, self.limits = source, limits
        self.plain_keys: set[str] = set()

    def fail(self, problem: Problem, event: Any) -> Exception:
        return _refuse(self.source, problem, _mark(event))

    def build(self, text: str, loader: Any) -> tuple[Any, Any] | None:
        parser = loader(text)
        try:
            return self._build(parser.get_event)
        finally:
            parser.dispose()

    def _build(self, get_event: Any) -> tuple[Any, Any] | None:
        """From the parser's events, as yaml.parse gives them without its check before each."""
        frames: list[_Frame] = []
        root = None
        documents = 0
        plain_keys, max_length = self.plain_keys, self.limits.max_string_length
        while (event := get_event()) is not None:
            kind = type(event)
            if kind is ScalarEvent:
                # The common cases inline (this loop runs once per value of every file):
                # a plain key seen before, and a plain or single-quoted text value.
                if event.anchor is not None or event.tag is not None:
                    self.check_node(event)
                frame = frames[-1] if frames else None
                style = event.style
                if frame is not None and frame.key is _NO_KEY:
                    key = event.value
                    if style in _PLAIN and key in plain_keys and key not in frame.key_lines:
                        frame.key = key
                        frame.key_lines[key] = event.start_mark.line + 1
                    else:
                        self.take_key(frame, event)
                    continue
                text = event.value
                if style in _PLAIN:
                    if text and text[0] not in _NUMBER_START and text not in _WORDS and len(text) <= max_length:
                        value = text  # plain text that reads as nothing else, as most values are
                    else:
                        value = self.plain(event)
                        if type(value) is str and len(value) > max_length:
                            value = self.scalar(event)  # refuses it
                elif style != '"' and len(text) <= max_length:
                    value = text
                else:
                    value = self.scalar(event)
                position = event.start_mark  # made (line, column) when asked for: few are
                if frame is not None:
                    if frame.key is _IN_LIST:
                        frame.value.append(value)
                        frame.children.append(position)
                    else:
                        frame.value[frame.key] = value
                        frame.children[frame.key] = position
                        frame.key = _NO_KEY
                else:
                    root = (value, position)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                self.check_node(event)
                if frames and frames[-1].key is _NO_KEY:
                    what = "a mapping" if kind is MappingStartEvent else "a list"
                    raise self.fail(Problem(P.NON_STRING_KEY, f"a key must be text, found {what}"), event)
                if len(frames) >= self.limits.max_depth:
                    raise self.fail(depth_problem(self.limits), event)
                frames.append(_Frame(kind is MappingStartEvent, *_mark(event)))
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = frames.pop()
                node = PositionNode(frame.line, frame.column, frame.children)
                if frames:
                    frames[-1].put(frame.value, node)
                else:
                    root = (frame.value, node)
            elif kind is AliasEvent:
                raise self.fail(Problem(P.ANCHOR, f"alias *{event.anchor}: anchors and aliases are not allowed",
                                        "write the value out in full where it is used"), event)
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self.fail(Problem(P.MULTIPLE_DOCUMENTS, "a second YAML document; a file holds only one",
                                            "remove the '---' line, or split the documents into files"), event)
        return root

    def check_node(self, event: Any) -> None:
        if event.anchor is not None:
            raise self.fail(Problem(P.ANCHOR, f"anchor &{event.anchor}: anchors and aliases are not allowed",
                                    "write the value out in full where it is used"), event)
        if event.tag is not None:
            raise self.fail(Problem(P.TAG, f"tag {_tag_name(event.tag)} is not allowed",
                                    "remove the tag; evidence holds only text, numbers, booleans, null, lists and mappings"),
                            event)

    def take_key(self, frame: _Frame, event: ScalarEvent) -> None:
        key = event.value
        plain = event.style in (None, "")
        if not (plain and key in self.plain_keys):  # a plain key seen before passed these checks
            self.check_key(key, plain, event)
            if plain:
                self.plain_keys.add(key)
        if key in frame.key_lines:
            raise self.fail(Problem(P.DUPLICATE_KEY, f"duplicate key {show(key)}",
                                    f"the first one is at line {frame.key_lines[key]}; keep one"), event)
        frame.key = key
        frame.key_lines[key] = event.start_mark.line + 1

    def check_key(self, key: str, plain: bool, event: ScalarEvent) -> None:
        if key == "<<":
            raise self.fail(Problem(P.MERGE_KEY, "merge key '<<' is not allowed", "write the merged fields out in full"), event)
        if plain:
            resolved = self.plain(event)
            if type(resolved) is not str:
                shown = "null" if resolved is None else str(resolved).lower() if type(resolved) is bool else key
                raise self.fail(Problem(P.NON_STRING_KEY, f"key {shown} is not text",
                                        f"quote it, e.g. \"{key}\", if it is meant as a name"), event)
        problem = key_problem(key, self.limits)
        if problem:
            raise self.fail(problem, event)

    def scalar(self, event: ScalarEvent) -> Any:
        value: Any = self.plain(event) if event.style in (None, "") else event.value
        if type(value) is str:
            # Only a double-quoted scalar can hold an escape; any other is a piece of the
            # file's text, which was checked for NUL and decoded strictly as UTF-8.
            problem = text_problem(value, self.limits) if event.style == '"' or len(value) > self.limits.max_string_length \
                else None
            if problem:
                raise self.fail(problem, event)
        return value

    def plain(self, event: ScalarEvent) -> Any:
        text = event.value
        if text in _NULLS:
            return None
        if text in _BOOLEANS:
            return _BOOLEANS[text]
        if text[0] not in _NUMBER_START or not _NUMBER_LIKE.fullmatch(text):
            return text
        if _INTEGER.fullmatch(text):
            if len(text.lstrip("+-")) > 19:
                value: Any = 2**64  # out of range either way; spares int() a huge conversion
            else:
                value = int(text)
        elif _FLOAT.fullmatch(text) and any(c in text for c in ".eE"):
            value = float(text)
        elif _NOT_A_NUMBER.fullmatch(text):
            raise self.fail(Problem(P.NOT_A_NUMBER, f"{text} is not a number evidence may hold",
                                    "write null, or quote it as text"), event)
        else:
            return text
        problem = number_problem(value)
        if problem:
            raise self.fail(problem, event)
        return value
