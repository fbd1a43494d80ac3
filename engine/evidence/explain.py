"""jsonschema's errors → one-line, plain-language violations that name the JSON Pointer."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable

from jsonschema.exceptions import ValidationError, best_match

from engine.evidence import problems as P
from engine.evidence.checks import show
from engine.evidence.patterns import re2_search
from engine.evidence.pointer import format_pointer


@dataclass(frozen=True)
class Violation:
    pointer: str
    """Where to locate it: the value at fault, or the object a required field is missing from."""
    code: str
    message: str
    hint: str | None = None


_TYPE_NAMES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "object": "a mapping", "array": "a list", "null": "null"}
_FORMAT_HINTS = {
    "date": "write dates as YYYY-MM-DD, e.g. 2025-03-31",
    "date-time": "write date-times with a time zone, e.g. 2025-03-31T14:05:00Z or 2025-03-31T15:05:00+01:00",
    "duration": "write durations in ISO 8601, e.g. P12M, P10D or PT4H",
    "email": "e.g. name@example.com",
    "uri": "an absolute URI, e.g. https://example.com/page",
}


def explain(error: ValidationError) -> list[tuple[ValidationError, list[Violation]]]:
    """What `error` says, as (the error reported, its violations) pairs; one violation per
    unknown field. For anyOf/oneOf, the errors of the branch that fits best (by
    jsonschema's best_match) are reported, all of them, rather than the combinator."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        best = best_match([error])
        if best is not None and best is not error:
            while best.parent is not error:
                best = best.parent
            branch = best.relative_schema_path[0]
            return [found for sub in error.context if sub.relative_schema_path[0] == branch for found in explain(sub)]
    pointer = format_pointer(error.absolute_path)
    explainer = _EXPLAINERS.get(str(error.validator), _other)
    return [(error, explainer(error, pointer, pointer or "bundle"))]


def show_value(value: Any) -> str:
    if isinstance(value, str):
        return show(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"text {show(value)}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"the number {value!r}"
    return show_value(value)


def _type(e: ValidationError, pointer: str, where: str) -> list[Violation]:
    expected = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
    wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
    hint = None
    if "string" in expected and isinstance(e.instance, (int, float, bool)):
        hint = "put the value in quotes so that it is read as text, e.g. \"1.10\""
    elif isinstance(e.instance, str) and set(expected) & {"integer", "number", "boolean"}:
        hint = "write the value without quotes"
    return [Violation(pointer, P.WRONG_TYPE, f"{where}: expected {wanted}, found {_describe(e.instance)}", hint)]


def _required(e: ValidationError, pointer: str, where: str) -> list[Violation]:
    what = "section" if not pointer else "field"
    return [Violation(pointer, P.MISSING, f"{where}: required {what} '{name}' is missing")
            for name in e.validator_value if isinstance(e.instance, dict) and name not in e.instance]


def _additional(e: ValidationError, pointer: str, where: str) -> list[Violation]:
    if not isinstance(e.instance, dict):
        return _other(e, pointer, where)
    known = list(e.schema.get("properties", {}))
    patterns = list(e.schema.get("patternProperties", {}))
    what = "section" if not pointer else "field"
    out = []
    for name in e.instance:
        if name in known or any(re2_search(p, name) for p in patterns):
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else (f"known {what}s: {', '.join(known)}" if known else None)
        out.append(Violation(format_pointer([*e.absolute_path, name]), P.UNKNOWN_FIELD,
                             f"{format_pointer([*e.absolute_path, name])}: unknown {what} {show(name)}", hint))
    return out


def _enum(e: ValidationError, pointer: str, where: str) -> list[Violation]:
    allowed = [show_value(v) for v in e.validator_value]
    listed = ", ".join(allowed[:12]) + (", …" if len(allowed) > 12 else "")
    return [Violation(pointer, P.NOT_ALLOWED, f"{where}: {show_value(e.instance)} is not one of {listed}")]


def _const(e: ValidationError, pointer: str, where: str) -> list[Violation]:
    return [Violation(pointer, P.NOT_ALLOWED, f"{where}: must be {show_value(e.validator_value)}, "
                                              f"found {show_value(e.instance)}")]


def _format(e: ValidationError, pointer: str, where: str) -> list[Violation]:
    name = str(e.validator_value)
    return [Violation(pointer, P.BAD_FORMAT, f"{where}: {show_value(e.instance)} is not a valid {name}",
                      _FORMAT_HINTS.get(name))]


def _pattern(e: ValidationError, pointer: str, where: str) -> list[Violation]:
    return [Violation(pointer, P.PATTERN, f"{where}: {show_value(e.instance)} does not match the pattern "
                                          f"{e.validator_value}", e.schema.get("description"))]


def _range(e: ValidationError, pointer: str, where: str) -> list[Violation]:
    limit, value = e.validator_value, e.instance
    messages: dict[str, Callable[[], str]] = {
        "minimum": lambda: f"{value!r} is less than the minimum {limit!r}",
        "maximum": lambda: f"{value!r} is more than the maximum {limit!r}",
        "exclusiveMinimum": lambda: f"{value!r} must be more than {limit!r}",
        "exclusiveMaximum": lambda: f"{value!r} must be less than {limit!r}",
        "minLength": lambda: "must not be empty" if limit == 1 else f"is shorter than {limit} characters",
        "maxLength": lambda: f"is longer than {limit} characters",
        "minItems": lambda: f"has {len(value)} item(s); at least {limit} are needed",
        "maxItems": lambda: f"has {len(value)} items; at most {limit} are allowed",
        "uniqueItems": lambda: "lists the same item more than once",
        "minProperties": lambda: "must not be empty" if limit == 1 else f"needs at least {limit} fields",
    }
    return [Violation(pointer, P.OUT_OF_RANGE, f"{where}: {messages[str(e.validator)]()}")]


def _alternatives(e: ValidationError, pointer: str, where: str) -> list[Violation]:
    if e.validator == "oneOf" and not e.context:
        return [Violation(pointer, P.NO_FORM_MATCHES, f"{where}: matches more than one of the allowed forms")]
    if e.context and all(sub.validator == "type" and not sub.path for sub in e.context):
        # Every branch wants another type (a block or null, say): say which types would do.
        wanted: list[str] = []
        for sub in e.context:
            for name in sub.validator_value if isinstance(sub.validator_value, list) else [sub.validator_value]:
                if _TYPE_NAMES.get(name, name) not in wanted:
                    wanted.append(_TYPE_NAMES.get(name, name))
        return [Violation(pointer, P.WRONG_TYPE, f"{where}: expected {' or '.join(wanted)}, found {_describe(e.instance)}")]
    return [Violation(pointer, P.NO_FORM_MATCHES, f"{where}: {show_value(e.instance)} matches none of the allowed forms")]


def _reference(e: ValidationError, pointer: str, where: str) -> list[Violation]:
    return [Violation(pointer, P.DANGLING_REFERENCE, f"{where}: {show_value(e.instance)} {e.message}",
                      f"use the id of an item in /{e.validator_value}")]


def _other(e: ValidationError, pointer: str, where: str) -> list[Violation]:
    message = " ".join(e.message.split())
    if len(message) > 160:
        message = message[:159] + "…"
    return [Violation(pointer, P.OTHER_VIOLATION, f"{where}: {message}")]


_EXPLAINERS: dict[str, Callable[[ValidationError, str, str], list[Violation]]] = {
    "type": _type,
    "required": _required,
    "additionalProperties": _additional,
    "enum": _enum,
    "const": _const,
    "format": _format,
    "pattern": _pattern,
    "anyOf": _alternatives,
    "oneOf": _alternatives,
    "x-ref": _reference,
    **{k: _range for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
                           "minItems", "maxItems", "uniqueItems", "minProperties")},
}
