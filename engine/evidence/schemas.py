"""The evidence JSON Schemas (draft 2020-12), resolvable only among themselves.

The shipped schemas come from the package `engine.data.schemas` (the repository's
`schemas/` folder). A `$ref` resolves only to a schema in the set: the registry's
retrieve function refuses every other URI, so validation never reads the network or a
file the user did not name.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urldefrag, urljoin

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT202012

from engine.diagnostics import Diagnostic, DiagnosticError, Span
from engine.evidence import problems as P
from engine.evidence.loader import Document, load_document
from engine.evidence.pointer import format_pointer

SHIPPED_PACKAGE = "engine.data.schemas"
SHIPPED_BASE = "https://clausegate.dev/schemas/"
BUNDLE_SCHEMA_ID = SHIPPED_BASE + "bundle.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Keywords whose values are data, not subschemas: a "$ref" inside them is not a reference.
_DATA_KEYWORDS = frozenset({"const", "enum", "examples", "default"})


def _refuse_retrieval(uri: str) -> Any:
    raise NoSuchResource(ref=uri)


@dataclass(frozen=True, eq=False)
class SchemaSet:
    root: dict
    """The bundle schema."""
    root_uri: str
    registry: Registry

    def resolve(self, schema: dict, base_uri: str) -> tuple[dict, str]:
        """Follow `$ref` (repeatedly) from `schema`, read at `base_uri`: the target subschema
        and the base URI its own references resolve against. Keywords beside a `$ref` are
        not merged into the answer."""
        seen: set[str] = set()
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            reference = schema["$ref"]
            target = urljoin(base_uri, reference)
            if target in seen:
                raise DiagnosticError([Diagnostic(P.SCHEMA_INVALID, f"schema reference '{target}' refers to itself")])
            seen.add(target)
            try:
                schema = self.registry.resolver(base_uri).lookup(reference).contents
            except Unresolvable:
                raise DiagnosticError([_unresolvable(reference, None)]) from None
            base_uri = urldefrag(target).url
            if isinstance(schema, dict) and isinstance(schema.get("$id"), str):
                base_uri = urljoin(base_uri, schema["$id"])
        return schema, base_uri


@dataclass(frozen=True, eq=False)
class _Schema:
    uri: str
    contents: dict
    display: str
    document: Document | None = None  # to locate problems in a user's file


def load_schema_set(bundle_schema_path: Path | None = None) -> SchemaSet:
    """The shipped schemas; given a path, the user's own bundle schema (JSON or YAML) as the
    root, with the shipped schemas beside it for its references."""
    if bundle_schema_path is None:
        return _shipped_set()
    own = _read_own(Path(bundle_schema_path))
    shipped = [s for s in _shipped() if s.uri != own.uri]
    if len(shipped) != len(_shipped()) and own.uri != BUNDLE_SCHEMA_ID:
        raise P.refuse(P.SCHEMA_ID_CLASH, f"schema $id '{own.uri}' is the id of a shipped schema", own.display,
                       hint="give your schema its own $id; only the bundle schema's id may be replaced")
    return _build([*shipped, own], own.uri)


@functools.cache
def _shipped_set() -> SchemaSet:
    return _build(list(_shipped()), BUNDLE_SCHEMA_ID)


@functools.cache
def _shipped() -> tuple[_Schema, ...]:
    schemas = []
    for relative, resource in _json_files(files(SHIPPED_PACKAGE), ""):
        contents = json.loads(resource.read_text(encoding="utf-8"))
        if contents.get("$schema", DIALECT) != DIALECT:
            continue  # another draft cannot be one of ours; it may ship for another purpose
        # A shipped schema without an $id is known by its place in the folder.
        uri = contents.get("$id") if isinstance(contents.get("$id"), str) else SHIPPED_BASE + relative
        schemas.append(_Schema(uri, contents, f"{SHIPPED_PACKAGE}:{relative}"))
    return tuple(sorted(schemas, key=lambda s: s.uri))


def _json_files(folder: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for child in folder.iterdir():
        if child.is_dir() and not child.name.startswith(("_", ".")):
            yield from _json_files(child, f"{prefix}{child.name}/")
        elif child.name.endswith(".json"):
            yield f"{prefix}{child.name}", child


def _read_own(path: Path) -> _Schema:
    try:
        document = load_document(path)
    except DiagnosticError as error:
        # The loader's own codes say what is wrong with the file; CG430 says it was a schema.
        first = error.diagnostics[0]
        raise DiagnosticError([Diagnostic(P.SCHEMA_UNREADABLE, f"cannot read the schema: {first.message}", first.span,
                                          hint=first.hint, source_line=first.source_line)]) from None
    contents = document.data
    dialect = contents.get("$schema", DIALECT)
    if dialect != DIALECT:
        raise _at(document, "/$schema", P.SCHEMA_INVALID, f"schema uses '{dialect}'; clausegate reads draft 2020-12",
                  f"set \"$schema\" to \"{DIALECT}\"")
    problem = best_match(Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(contents))
    if problem is not None:
        pointer = format_pointer(problem.absolute_path)
        raise _at(document, pointer, P.SCHEMA_INVALID, f"not a valid JSON Schema at '{pointer or '/'}': {_short(problem.message)}")
    base = path.resolve().as_uri()
    uri = urljoin(base, contents["$id"]) if isinstance(contents.get("$id"), str) else base
    return _Schema(urldefrag(uri).url, contents, document.display, document)


def _build(schemas: list[_Schema], root_uri: str) -> SchemaSet:
    # jsonschema switches to the stock validator class at any schema that names its
    # "$schema", which would drop the `x-ref` keyword validation adds. Every schema here is
    # draft 2020-12 (checked on reading), so the registry holds them without that keyword.
    schemas = [_Schema(s.uri, _without_dialect(s.contents), s.display, s.document) for s in schemas]
    resources = [(s.uri, Resource.from_contents(s.contents, default_specification=DRAFT202012)) for s in schemas]
    registry = Registry(retrieve=_refuse_retrieval).with_resources(resources).crawl()
    # Every reference is tried now, so that a bad one fails at load, not mid-validation.
    diagnostics = [d for s in schemas for d in _check_references(s, registry)]
    if diagnostics:
        raise DiagnosticError(diagnostics)
    root = next(s.contents for s in schemas if s.uri == root_uri)
    return SchemaSet(root, root_uri, registry)


def _without_dialect(contents: dict) -> dict:
    return {key: value for key, value in contents.items() if key != "$schema"}


def _check_references(schema: _Schema, registry: Registry) -> Iterator[Diagnostic]:
    stack: list[tuple[Any, str, tuple]] = [(schema.contents, schema.uri, ())]
    while stack:
        node, base, path = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("$id"), str):
                base = urljoin(base, node["$id"])
            reference = node.get("$ref")
            if isinstance(reference, str):
                try:
                    registry.resolver(base).lookup(reference)
                except Unresolvable:
                    yield _unresolvable(reference, schema, format_pointer((*path, "$ref")))
            stack.extend((value, base, (*path, key)) for key, value in node.items() if key not in _DATA_KEYWORDS)
        elif isinstance(node, list):
            stack.extend((value, base, (*path, index)) for index, value in enumerate(node))


def _unresolvable(reference: str, schema: _Schema | None, pointer: str = "") -> Diagnostic:
    span = None
    source_line = None
    if schema is not None:
        position = schema.document.locate(pointer) if schema.document else None
        span = Span(schema.display, *(position or (1, 1)))
        source_line = schema.document.source_line(span.line) if schema.document else None
    return Diagnostic(P.SCHEMA_REF_REFUSED, f"schema reference '{reference}' is not one of the known schemas",
                      span, hint="references resolve only among the shipped schemas and the one given; "
                      "nothing is fetched from the network or read from other files", source_line=source_line)


def _at(document: Document, pointer: str, code: str, message: str, hint: str | None = None) -> DiagnosticError:
    line, column = document.locate(pointer) or (1, 1)
    return P.refuse(code, message, document.display, line, column, hint=hint, source_line=document.source_line(line))


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
