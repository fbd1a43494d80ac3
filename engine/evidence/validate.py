"""A bundle against a schema set: every violation, located, most relevant first; then the
references between sections (`x-ref`) and the uniqueness of ids."""

from __future__ import annotations

from typing import Any, Iterator

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.exceptions import relevance
from referencing.exceptions import Unresolvable

from engine.diagnostics import Diagnostic
from engine.evidence import problems as P
from engine.evidence.bundle import Bundle
from engine.evidence.explain import Violation, explain
from engine.evidence.formats import format_checker
from engine.evidence.pointer import format_pointer
from engine.evidence.schemas import SchemaSet

REFERENCE_KEYWORD = "x-ref"
"""clausegate's schema extension: `"x-ref": "people"` on a text field means its value must be
the `id` of an item of the `people` section. jsonschema ignores keywords it does not know;
validation registers this one so that a dangling reference is a violation like any other."""


def validate_bundle(bundle: Bundle, schemas: SchemaSet, *, partial: bool = False) -> list[Diagnostic]:
    """`partial`: the bundle holds only some sections (a rule test's evidence), so required
    sections may be absent and references into absent sections are not checked."""
    ids, duplicates = _index_ids(bundle.data)
    checker = validators.extend(Draft202012Validator, {REFERENCE_KEYWORD: _reference_check(ids, partial)})
    root = {k: v for k, v in schemas.root.items() if k != "required"} if partial else schemas.root
    validator = checker(root, registry=schemas.registry, format_checker=format_checker())
    ranked: list[tuple[tuple, Diagnostic]] = []
    seen: set[tuple[str, str]] = set()
    try:
        for error in validator.iter_errors(bundle.data):
            for leaf, violations in explain(error):
                for violation in violations:
                    if (violation.pointer, violation.message) not in seen:
                        seen.add((violation.pointer, violation.message))
                        ranked.append((_rank(leaf), _diagnostic(bundle, violation)))
    except Unresolvable as error:  # load_schema_set checks every reference; this is a backstop
        ranked.append(((0,), Diagnostic(P.SCHEMA_REF_REFUSED, f"schema reference cannot be resolved: {error}")))
    # Duplicate ids rank with the other violations of their depth (/section/N/id).
    ranked.extend(((3, False, False, False), _diagnostic(bundle, v)) for v in duplicates)
    ranked.sort(key=lambda pair: (pair[0], _location(pair[1]), pair[1].message))
    return [diagnostic for _, diagnostic in ranked]


def _rank(error: ValidationError) -> tuple:
    """jsonschema's relevance, with the depth taken from the absolute path (an error found
    inside anyOf/oneOf has a path relative to it) and without comparing paths themselves
    (paths to different places do not compare): shallower first, then strong keywords over
    weak ones, then errors that at least match the value's type."""
    _depth, _path, not_weak, strong, not_type_match = relevance(error)
    return (len(error.absolute_path), not not_weak, not strong, not not_type_match)


def _location(diagnostic: Diagnostic) -> tuple:
    span = diagnostic.span
    return (1, "", 0, 0) if span is None else (0, span.file, span.line, span.column)


def _diagnostic(bundle: Bundle, violation: Violation) -> Diagnostic:
    span = bundle.locate(violation.pointer)
    return Diagnostic(violation.code, violation.message, span, hint=violation.hint,
                      source_line=bundle.source_line(span) if span else None)


def _reference_check(ids: dict[str, set[str]], partial: bool) -> Any:
    def check(_validator: Any, section: str, instance: Any, _schema: dict) -> Iterator[ValidationError]:
        if not isinstance(instance, str):
            return  # the field's `type` reports that
        known = ids.get(section)
        if known is None:
            if not partial:
                yield ValidationError(f"refers to section '{section}', which the bundle does not have")
        elif instance not in known:
            yield ValidationError(f"is not the id of any item in '{section}'")
    return check


def _index_ids(data: dict) -> tuple[dict[str, set[str]], list[Violation]]:
    """The ids of each list section's items, and a violation for every repeated id."""
    ids: dict[str, set[str]] = {}
    duplicates: list[Violation] = []
    for section, content in data.items():
        found: dict[str, int] = {}
        if isinstance(content, list):
            for index, item in enumerate(content):
                identifier = item.get("id") if isinstance(item, dict) else None
                if not isinstance(identifier, str):
                    continue
                if identifier in found:
                    first = format_pointer([section, found[identifier]])
                    pointer = format_pointer([section, index, "id"])
                    duplicates.append(Violation(pointer, P.DUPLICATE_ID,
                                                f"{pointer}: id '{identifier}' is already used by {first}",
                                                "ids must be unique within a section"))
                else:
                    found[identifier] = index
        ids[section] = set(found)
    return ids, duplicates
