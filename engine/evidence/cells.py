"""CSV cells typed by the section's schema: what a column's field takes, and a cell read as that.

A CSV cell is text; the field it fills may want a number, a boolean, null or a list. The
field is found from the header (`review.completed_on` is the `completed_on` of `review`,
through `$ref`s and the object branch of an `anyOf`), and the JSON types its schema admits
(`type`, or the values of `enum`/`const`, or the branches of `anyOf`/`oneOf`) decide how
the cell is read. The rules, in this order:

| cell                          | read as                              | when the field admits |
|-------------------------------|--------------------------------------|-----------------------|
| empty                         | the field is left out                | anything              |
| `null`                        | null                                 | null                  |
| `true`, `false`               | a boolean                            | boolean               |
| `42`, `-7`, `0`               | an integer                           | integer or number     |
| `1.5`, `-0.25`, `2e3`         | a number                             | number                |
| `[...]` (a JSON list)         | that list                            | a list                |
| `a;b;c`                       | a list of `a`, `b`, `c`, each typed  | a list (and not text) |
| anything else                 | text                                 | text                  |

Numbers are written as JSON writes them (no `+`, no leading zeros, no `1_000`). In the
`;` form, spaces around each item are dropped and an empty item is an error; an item
holding `;`, and the empty list, are written in the JSON form (`["a;b"]`, `[]`). A cell
the field cannot take (`maybe` where true or false is wanted, `12.5` for a whole number)
is refused at its row and column (CG338). A column whose field the schema does not know
keeps its text: validation then names the unknown field.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from engine.evidence import problems as P
from engine.evidence.checks import INT64_MAX, INT64_MIN, Problem, show

_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_NAMES = {"null": "null", "boolean": "true or false", "integer": "a whole number", "number": "a number",
          "string": "text", "array": "a list", "object": "a mapping"}


@dataclass(frozen=True)
class Column:
    """The JSON types a column's field admits; `items`: the same for a list's items."""

    header: str
    kinds: frozenset[str]
    items: "Column | None" = None


class CellRefusal(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def columns(schemas: Any, section: str, paths: list[list[str]]) -> list[Column | None]:
    """For each header path, what its field admits (None: the schema does not say)."""
    root = schemas.root
    section_schema = root.get("properties", {}).get(section) if isinstance(root, dict) else None
    if section_schema is None:
        return [None] * len(paths)
    base = schemas.root_uri
    record = _items(schemas, section_schema, base)
    return [None if record is None else _column(schemas, record, path) for path in paths]


def _items(schemas: Any, schema: Any, base: str) -> tuple[Any, str] | None:
    schema, base = _resolved(schemas, schema, base)
    if isinstance(schema, dict) and isinstance(schema.get("items"), dict):
        return _resolved(schemas, schema["items"], base)
    return None


def _resolved(schemas: Any, schema: Any, base: str) -> tuple[Any, str]:
    if isinstance(schema, dict):
        base = schemas.node_base(schema) or base
        if isinstance(schema.get("$ref"), str):
            return schemas.resolve(schema, base)
    return schema, base


def _column(schemas: Any, record: tuple[Any, str], path: list[str]) -> Column | None:
    options = [record]
    for name in path:
        found = []
        for schema, base in _branches(schemas, options):
            properties = schema.get("properties") if isinstance(schema, dict) else None
            if isinstance(properties, dict) and name in properties:
                found.append(_resolved(schemas, properties[name], base))
        if not found:
            return None
        options = found
    kinds, items = _kinds(schemas, options)
    return Column(".".join(path), kinds, items) if kinds else None


def _branches(schemas: Any, options: list[tuple[Any, str]]) -> list[tuple[Any, str]]:
    """The schemas a value must or may match: each option, and the branches of its
    anyOf/oneOf/allOf, with `$ref`s followed."""
    out: list[tuple[Any, str]] = []
    stack = list(reversed(options))
    seen: set[int] = set()
    while stack:
        schema, base = stack.pop()
        schema, base = _resolved(schemas, schema, base)
        if not isinstance(schema, dict) or id(schema) in seen:
            continue
        seen.add(id(schema))
        out.append((schema, base))
        for keyword in ("anyOf", "oneOf", "allOf"):
            if isinstance(schema.get(keyword), list):
                stack.extend((branch, base) for branch in reversed(schema[keyword]))
    return out


def _kinds(schemas: Any, options: list[tuple[Any, str]]) -> tuple[frozenset[str], Column | None]:
    kinds: set[str] = set()
    item_options: list[tuple[Any, str]] = []
    for schema, base in _branches(schemas, options):
        declared = schema.get("type")
        if isinstance(declared, str):
            kinds.add(declared)
        elif isinstance(declared, list):
            kinds.update(kind for kind in declared if isinstance(kind, str))
        values = schema.get("enum", [schema["const"]] if "const" in schema else None)
        if isinstance(values, list) and declared is None:
            kinds.update(_kind_of(value) for value in values)
        if isinstance(schema.get("items"), (dict, bool)):
            item_options.append((schema["items"], base))
    if "number" in kinds:
        kinds.add("integer")
    items = None
    if "array" in kinds and item_options:
        item_kinds, _ = _kinds(schemas, item_options)
        items = Column("", frozenset(item_kinds - {"array"})) if item_kinds else None
    return frozenset(kinds), items


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def read_cell(text: str, column: Column, parse_list: Any) -> Any:
    """The cell's value for its field; raise CellRefusal when the field cannot take it.
    `parse_list(text)` reads a JSON list (the loader's own strict JSON reading)."""
    kinds = column.kinds
    value = _scalar(text, kinds)
    if value is not _TEXT:
        return value
    if "array" in kinds and (text.startswith("[") or "string" not in kinds):
        if text.startswith("["):
            value = parse_list(text)
            if not isinstance(value, list):
                raise CellRefusal(Problem(P.CSV_CELL_TYPE, f"cell in column '{column.header}' is not a JSON list"))
            return value
        return [_item(part.strip(" \t"), column) for part in text.split(";")]
    if "string" in kinds:
        return text
    raise CellRefusal(Problem(P.CSV_CELL_TYPE, f"cell {show(text)} in column '{column.header}' is not "
                              f"{_expected(kinds)}", _hint(column)))


_TEXT = object()


def _scalar(text: str, kinds: frozenset[str]) -> Any:
    """The cell as null, a boolean or a number, if the field admits that and the cell
    says it; else _TEXT."""
    if text == "null" and "null" in kinds:
        return None
    if text in ("true", "false") and "boolean" in kinds:
        return text == "true"
    if "integer" in kinds and _INTEGER.fullmatch(text):
        number = int(text)
        if not INT64_MIN <= number <= INT64_MAX:
            raise CellRefusal(Problem(P.INTEGER_RANGE, "integer is outside the signed 64-bit range",
                                      "write it as text if it is an identifier rather than a quantity"))
        return number
    if "number" in kinds and _NUMBER.fullmatch(text):
        number = float(text)
        if math.isinf(number):
            raise CellRefusal(Problem(P.FLOAT_OVERFLOW, "number is too large to represent"))
        return number
    return _TEXT


def _item(text: str, column: Column) -> Any:
    if not text:
        raise CellRefusal(Problem(P.CSV_CELL_TYPE, f"cell in column '{column.header}' has an empty item in its list",
                                  "separate items with single semicolons; write [] for an empty list"))
    kinds = column.items.kinds if column.items is not None else frozenset({"string"})
    value = _scalar(text, kinds)
    if value is not _TEXT:
        return value
    if "string" in kinds or not kinds:
        return text
    raise CellRefusal(Problem(P.CSV_CELL_TYPE, f"item {show(text)} in column '{column.header}' is not "
                              f"{_expected(kinds)}", f"each item of '{column.header}' is {_expected(kinds)}"))


def _expected(kinds: frozenset[str]) -> str:
    order = ["boolean", "integer", "number", "string", "array", "object", "null"]
    wanted = [kind for kind in order if kind in kinds and not (kind == "integer" and "number" in kinds)]
    return " or ".join(_NAMES[kind] for kind in wanted)


def _hint(column: Column) -> str:
    if "object" in column.kinds:
        return f"'{column.header}' holds a mapping: name its parts in dotted headers, e.g. '{column.header}.name'"
    return f"'{column.header}' takes {_expected(column.kinds)}; leave the cell empty to leave the field out"
