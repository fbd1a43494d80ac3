"""The diagnostics of an invalid bundle: jsonschema's errors, located and explained.

Run only once the bulk pass (bulk.py) has found the bundle invalid, and then only into the
parts that pass rejects: `properties` and `items` descend into a value only when the
bulk code for its subschema says it is invalid. A value that code accepts has no errors
under jsonschema either, so the errors found are exactly those of a full run, in the same
order, and a million valid records around one bad one cost a loop, not a minute.

Also here, the keywords jsonschema is given beyond draft 2020-12's own: clausegate's
`x-ref`, and `pattern` (with `patternProperties` and the unknown-field check that reads it)
run by RE2 rather than Python's backtracking `re`.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.exceptions import relevance
from referencing.exceptions import Unresolvable

from engine.diagnostics import Diagnostic
from engine.evidence import problems as P
from engine.evidence.bulk import REFERENCE_KEYWORD, References
from engine.evidence.explain import Violation, explain
from engine.evidence.formats import format_checker
from engine.evidence.patterns import re2_search
from engine.evidence.pointer import format_pointer

# A list longer than this is not checked as a whole before jsonschema descends into it:
# its items are checked one by one anyway, and checking the whole first would double that.
_WHOLE_LIST_LIMIT = 1000

_ORIGINAL = Draft202012Validator.VALIDATORS


def diagnose(bundle: Any, schemas: Any, refs: References, partial: bool) -> list:
    """Every violation in the bundle, located, most relevant first (see validate_bundle)."""
    duplicates = _duplicate_ids(bundle.data)
    checker = _validator_class(refs, partial, schemas.bulk.node_checks(refs))
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


def node_validator(schemas: Any, node: str | dict, refs: References) -> Callable[[Any], bool]:
    """jsonschema's verdict on one schema node (by its URI, or the schema itself)."""
    checker = _validator_class(refs, refs.partial, None)
    schema = {"$ref": node} if isinstance(node, str) else node
    return checker(schema, registry=schemas.registry, format_checker=format_checker()).is_valid


def _validator_class(refs: References, partial: bool, checks: Callable[[Any], Any] | None) -> Any:
    def reference(_validator: Any, section: str, instance: Any, _schema: dict) -> Iterator[ValidationError]:
        if not isinstance(instance, str):
            return  # the field's `type` reports that
        if not refs.present(section):
            if not partial:
                yield ValidationError(f"refers to section '{section}', which the bundle does not have")
        elif instance not in refs[section]:
            yield ValidationError(f"is not the id of any item in '{section}'")

    def pattern(validator: Any, regex: str, instance: Any, _schema: dict) -> Iterator[ValidationError]:
        if validator.is_type(instance, "string") and not re2_search(regex, instance):
            yield ValidationError(f"{instance!r} does not match {regex!r}")

    def pattern_properties(validator: Any, patterns: dict, instance: Any, _schema: dict) -> Iterator[ValidationError]:
        if not validator.is_type(instance, "object"):
            return
        for regex, subschema in patterns.items():
            for name, value in instance.items():
                if re2_search(regex, name):
                    yield from validator.descend(value, subschema, path=name, schema_path=regex)

    def additional_properties(validator: Any, allowed: Any, instance: Any, schema: dict) -> Iterator[ValidationError]:
        if "patternProperties" not in schema or not validator.is_type(instance, "object"):
            yield from _ORIGINAL["additionalProperties"](validator, allowed, instance, schema)
            return
        known = schema.get("properties", {})
        patterns = list(schema["patternProperties"])
        extras = [name for name in instance
                  if name not in known and not any(re2_search(regex, name) for regex in patterns)]
        if validator.is_type(allowed, "object"):
            for extra in extras:
                yield from validator.descend(instance[extra], allowed, path=extra)
        elif not allowed and extras:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            listed = ", ".join(repr(each) for each in sorted(patterns))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {listed}")

    keywords: dict[str, Any] = {
        REFERENCE_KEYWORD: reference,
        "pattern": pattern,
        "patternProperties": pattern_properties,
        "additionalProperties": additional_properties,
    }
    if checks is not None:
        def properties(validator: Any, subschemas: Any, instance: Any, schema: dict) -> Iterator[ValidationError]:
            if not validator.is_type(instance, "object"):
                return
            for name, subschema in subschemas.items():
                if name in instance:
                    value = instance[name]
                    if not (isinstance(value, list) and len(value) > _WHOLE_LIST_LIMIT):
                        check = checks(subschema)
                        if check is not None and check(value):
                            continue
                    yield from validator.descend(value, subschema, path=name, schema_path=name)

        def items(validator: Any, subschema: Any, instance: Any, schema: dict) -> Iterator[ValidationError]:
            check = checks(subschema) if isinstance(subschema, dict) else None
            if check is None or "prefixItems" in schema or not validator.is_type(instance, "array"):
                yield from _ORIGINAL["items"](validator, subschema, instance, schema)
                return
            for index, item in enumerate(instance):
                if not check(item):
                    yield from validator.descend(item, subschema, path=index)

        keywords.update(properties=properties, items=items)
    return validators.extend(Draft202012Validator, keywords)


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


def _diagnostic(bundle: Any, violation: Violation) -> Diagnostic:
    span = bundle.locate(violation.pointer)
    return Diagnostic(violation.code, violation.message, span, hint=violation.hint,
                      source_line=bundle.source_line(span) if span else None)


def _duplicate_ids(data: dict) -> list[Violation]:
    """A violation for every id used again in the same list section."""
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
    return duplicates
