"""Static types of the rule language, and how they are read off the evidence JSON Schema."""

from __future__ import annotations

from typing import Callable

from engine.record import FrozenRecord


class Type(FrozenRecord):
    """A type of the rule language, as the checker infers it."""

    __slots__ = ("name",)
    _fields = ("name",)

    def __init__(self, name: str):
        object.__setattr__(self, "name", name)

    def __str__(self) -> str:
        return self.name


ANY = Type("any")
NULL = Type("null")
BOOL = Type("boolean")
NUMBER = Type("number")
STRING = Type("text")
DATE = Type("date")
DATETIME = Type("date-time")
DURATION = Type("duration")


class ListType(Type):
    """A list whose items have one type."""

    __slots__ = ("item",)
    _fields = ("name", "item")

    def __init__(self, item: Type = ANY):
        object.__setattr__(self, "name", f"list of {item}")
        object.__setattr__(self, "item", item)


class ObjectType(Type):
    """An object whose fields come from a schema, read only when a rule asks for them."""

    __slots__ = ("load", "_cache")
    _fields = ("name", "load")

    def __init__(self, load: Callable[[], tuple[dict[str, Type], bool]] | None):
        object.__setattr__(self, "name", "object")
        object.__setattr__(self, "load", load)
        object.__setattr__(self, "_cache", None)

    # Two object types are the same only if they are the same schema's: field sets differ.
    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def fields(self) -> tuple[dict[str, Type], bool]:
        """The known fields and whether the object is closed (no other field may appear)."""
        if self.load is None:
            return {}, False
        cached = self._cache
        if cached is None:
            cached = self.load()
            object.__setattr__(self, "_cache", cached)
        return cached


ORDERED = (NUMBER, STRING, DATE, DATETIME, DURATION)
SCALARS = (BOOL, NUMBER, STRING, DATE, DATETIME, DURATION)


def is_list(t: Type) -> bool:
    return isinstance(t, ListType)


def item_of(t: Type) -> Type:
    return t.item if isinstance(t, ListType) else ANY


def unify(a: Type, b: Type) -> Type:
    """The type of a value that is either `a` or `b` (null joins anything)."""
    if a == b:
        return a
    if a is NULL:
        return b
    if b is NULL:
        return a
    if {a, b} == {DATE, DATETIME}:
        return ANY
    if isinstance(a, ListType) and isinstance(b, ListType):
        return ListType(unify(a.item, b.item))
    if isinstance(a, ObjectType) and isinstance(b, ObjectType):
        return ObjectType(lambda: _merged_fields(a, b))
    return ANY


def _merged_fields(a: "ObjectType", b: "ObjectType") -> tuple[dict[str, Type], bool]:
    """An object that is one of two shapes (`anyOf`/`oneOf` branches): the fields of either,
    closed only if both are."""
    fields_a, closed_a = a.fields()
    fields_b, closed_b = b.fields()
    merged = dict(fields_a)
    for name, t in fields_b.items():
        merged[name] = unify(merged[name], t) if name in merged else t
    return merged, closed_a and closed_b


_FORMATS = {"date": DATE, "date-time": DATETIME, "duration": DURATION}


def from_schema(schema: object, base_uri: str, resolve) -> Type:
    """Read a type off a JSON Schema. `resolve(schema, base)` follows `$ref`s to (schema, base)."""
    if not isinstance(schema, dict):
        return ANY
    if "$ref" in schema:
        schema, base_uri = resolve(schema, base_uri)
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            result = NULL
            for branch in schema[combinator]:
                result = unify(result, from_schema(branch, base_uri, resolve))
            return ANY if result is NULL else result
    declared = schema.get("type")
    if isinstance(declared, list):
        kinds = [k for k in declared if k != "null"]
        declared = kinds[0] if len(kinds) == 1 else None
    if declared is None:
        if "properties" in schema:
            declared = "object"
        elif "const" in schema or "enum" in schema:
            values = schema.get("enum", [schema.get("const")])
            kinds = {type(v) for v in values if v is not None}
            return STRING if kinds == {str} else NUMBER if kinds <= {int, float} and kinds else ANY
    if declared == "string":
        return _FORMATS.get(schema.get("format"), STRING)
    if declared in ("number", "integer"):
        return NUMBER
    if declared == "boolean":
        return BOOL
    if declared == "null":
        return NULL
    if declared == "array":
        return ListType(from_schema(schema.get("items", {}), base_uri, resolve))
    if declared == "object":
        return ObjectType(lambda: _object_fields(schema, base_uri, resolve))
    return ANY


def _object_fields(schema: dict, base_uri: str, resolve) -> tuple[dict[str, Type], bool]:
    fields: dict[str, Type] = {}
    closed = schema.get("additionalProperties") is False or schema.get("unevaluatedProperties") is False
    for part in schema.get("allOf", []):
        if "$ref" in part:
            part, _ = resolve(part, base_uri)
        for name, sub in part.get("properties", {}).items():
            fields[name] = from_schema(sub, base_uri, resolve)
    for name, sub in schema.get("properties", {}).items():
        fields[name] = from_schema(sub, base_uri, resolve)
    if schema.get("patternProperties"):
        closed = False
    return fields, closed
