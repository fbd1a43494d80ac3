"""The evidence JSON Schemas (draft 2020-12), resolvable only among themselves.

The shipped schemas come from the package `engine.data.schemas` (the repository's
`schemas/` folder). A `$ref` resolves only to a schema in the set: the registry's
retrieve function refuses every other URI, so validation never reads the network or a
file the user did not name.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, NamedTuple
from urllib.parse import quote, unquote, urldefrag, urljoin

from engine import data
from engine.diagnostics import Diagnostic, DiagnosticError, Span
from engine.evidence import problems as P
from engine.evidence.loader import Document, load_document
from engine.evidence.pointer import format_pointer
from engine.record import Record

if TYPE_CHECKING:
    from referencing import Registry

    from engine.evidence.bulk import BulkValidator

SHIPPED_PACKAGE = "engine.data.schemas"
SHIPPED_BASE = "https://clausegate.dev/schemas/"
BUNDLE_SCHEMA_ID = SHIPPED_BASE + "bundle.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Where draft 2020-12 keeps subschemas: a map of them, a list of them, or one.
_SCHEMA_MAPS = frozenset({"$defs", "definitions", "properties", "patternProperties", "dependentSchemas"})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SCHEMA_VALUES = frozenset({"items", "additionalProperties", "not", "if", "then", "else", "contains",
                            "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema"})


class Unresolved(LookupError):
    """A `$ref` that names no schema of the set."""


class _Index:
    """Every schema node of a set: its base URI and its own URI, and the set's resources
    (each document, each subschema with an `$id`) and anchors."""

    def __init__(self) -> None:
        self.resources: dict[str, Any] = {}
        self.anchors: dict[tuple[str, str], Any] = {}
        self.bases: dict[int, str] = {}
        self.uris: dict[int, tuple[str, str]] = {}  # resource, JSON Pointer
        # (schema uri, base, $ref, path in the document) of every reference.
        self.references: list[tuple[str, str, str, tuple]] = []
        # (schema uri, pattern, path in the document) of every regular expression.
        self.patterns: list[tuple[str, str, tuple]] = []
        self.keep: list[Any] = []  # the nodes, so that their ids stay theirs
        self.found: dict[tuple[str, str], tuple[Any, str]] = {}
        self.joined: dict[tuple[str, str], str] = {}  # (base, document) → its URL

    def add(self, uri: str, contents: Any) -> None:
        stack: list[tuple[Any, str, str, str, tuple]] = [(contents, uri, uri, "", ())]
        while stack:
            node, base, resource, pointer, path = stack.pop()
            if not isinstance(node, dict):
                continue
            identifier = node.get("$id")
            if isinstance(identifier, str) and path:
                base = resource = urldefrag(urljoin(base, identifier)).url
                pointer = ""
                self.resources.setdefault(base, node)
            elif not path:
                self.resources[uri] = node
            for keyword in ("$anchor", "$dynamicAnchor"):
                if isinstance(node.get(keyword), str):
                    self.anchors.setdefault((resource, node[keyword]), node)
            self.bases[id(node)] = base
            self.uris[id(node)] = (resource, pointer)  # made a URI when asked for: few are
            self.keep.append(node)
            if isinstance(node.get("$ref"), str):
                self.references.append((uri, base, node["$ref"], (*path, "$ref")))
            if isinstance(node.get("pattern"), str):
                self.patterns.append((uri, node["pattern"], (*path, "pattern")))
            for keyword, value in node.items():
                if keyword in _SCHEMA_MAPS and isinstance(value, dict):
                    if keyword == "patternProperties":
                        self.patterns.extend((uri, name, (*path, keyword, name)) for name in value)
                    children = value.items()
                elif keyword in _SCHEMA_LISTS and isinstance(value, list):
                    children = enumerate(value)
                elif keyword in _SCHEMA_VALUES:
                    children = [(None, value)]
                else:
                    continue
                for name, child in children:
                    steps = (keyword,) if name is None else (keyword, name)
                    stack.append((child, base, resource, pointer + "".join("/" + _escape(s) for s in steps),
                                  (*path, *steps)))

    def lookup(self, reference: str, base: str) -> tuple[Any, str]:
        key = (reference, base)
        found = self.found.get(key)
        if found is None:
            found = self.found[key] = self._lookup(reference, base)
        return found

    def _lookup(self, reference: str, base: str) -> tuple[Any, str]:
        # A set's references name a handful of documents from a handful of bases: the
        # document part is resolved once per pair (urljoin is slow), the fragment split off.
        document, _, fragment = reference.partition("#")
        url = self.joined.get((base, document))
        if url is None:
            url = self.joined[(base, document)] = urldefrag(urljoin(base, document)).url
        node = self.resources.get(url)
        if node is None:
            raise Unresolved(reference)
        if fragment.startswith("/"):
            for token in unquote(fragment)[1:].split("/"):
                token = token.replace("~1", "/").replace("~0", "~")
                if isinstance(node, dict) and token in node:
                    node = node[token]
                elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                    node = node[int(token)]
                else:
                    raise Unresolved(reference)
        elif fragment:
            node = self.anchors.get((url, unquote(fragment)))
            if node is None:
                raise Unresolved(reference)
        return node, self.bases.get(id(node), url)


def _escape(step: Any) -> str:
    return str(step).replace("~", "~0").replace("/", "~1")


class SchemaSet(Record):
    """The schemas a bundle is validated against: the bundle schema and those it refers to.

    `root`: the bundle schema, whose URI is `root_uri`; `documents`: every schema of the set
    by its URI, as validation uses it (without `$schema`); `digest`: one digest of every
    schema's text, so that what was compiled against this set can be reused while it is
    unchanged; `schemas`: the files the set was read from, to place a problem found in one.
    """

    _fields = ("root_uri", "digest")

    def __init__(self, root: dict, root_uri: str, documents: dict[str, dict], digest: str = "",
                 schemas: tuple[_Schema, ...] = ()):
        self.root = root
        self.root_uri = root_uri
        self.documents = documents
        self.digest = digest
        self.schemas = schemas

    @functools.cached_property
    def index(self) -> _Index:
        """Every node of the set, with every reference tried and every pattern compiled:
        raises DiagnosticError for the first that fails. Built on first use; a valid bundle
        checked by the prebuilt validators (engine/prebuilt) never needs it."""
        index = _Index()
        for uri, contents in self.documents.items():
            index.add(uri, contents)
        _verify(index, {s.uri: s for s in self.schemas})
        return index

    def lookup(self, reference: str, base_uri: str) -> tuple[Any, str]:
        """The subschema a `$ref` names, read at `base_uri`, and its own base URI; raises
        Unresolved (load_schema_set has already tried every reference of the set)."""
        return self.index.lookup(reference, base_uri)

    def node_base(self, node: Any) -> str | None:
        """The base URI a schema node of the set is read against (None: not one of the set's)."""
        return self.index.bases.get(id(node))

    def node_uri(self, node: Any) -> str:
        """The node's own URI: its resource and a JSON Pointer fragment."""
        resource, pointer = self.index.uris[id(node)]
        return resource + "#" + quote(pointer, safe="/~!$&'()*+,;=:@")

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
                schema, base_uri = self.lookup(reference, base_uri)
            except Unresolved:
                raise DiagnosticError([_unresolvable(reference, None)]) from None
        return schema, base_uri

    @functools.cached_property
    def registry(self) -> "Registry":
        """The set as a `referencing` registry, for jsonschema: built when jsonschema first
        runs (a valid bundle never needs it). Its retrieve function refuses every URI."""
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        resources = [(uri, Resource.from_contents(contents, default_specification=DRAFT202012))
                     for uri, contents in self.documents.items()]
        return Registry(retrieve=_refuse_retrieval).with_resources(resources).crawl()

    @functools.cached_property
    def bulk(self) -> "BulkValidator":
        """The set compiled for the bulk validation pass (engine.evidence.bulk)."""
        from engine.evidence.bulk import BulkValidator

        return BulkValidator(self)


def _refuse_retrieval(uri: str) -> Any:
    from referencing.exceptions import NoSuchResource

    raise NoSuchResource(ref=uri)


class _Schema(NamedTuple):
    """One schema file of a set, as read."""

    uri: str
    contents: dict
    display: str
    sha256: str
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
    schema_set = _build([*shipped, own], own.uri)
    schema_set.index  # noqa: B018 - a user's schema is refused as it loads, not when first used
    return schema_set


@functools.cache
def _shipped_set() -> SchemaSet:
    return _build(list(_shipped()), BUNDLE_SCHEMA_ID)


@functools.cache
def _shipped() -> tuple[_Schema, ...]:
    schemas = []
    for relative, resource in _json_files(data.folder("schemas"), ""):
        text = resource.read_text(encoding="utf-8")
        contents = json.loads(text)
        if contents.get("$schema", DIALECT) != DIALECT:
            continue  # another draft cannot be one of ours; it may ship for another purpose
        # A shipped schema without an $id is known by its place in the folder.
        uri = contents.get("$id") if isinstance(contents.get("$id"), str) else SHIPPED_BASE + relative
        schemas.append(_Schema(uri, contents, f"{SHIPPED_PACKAGE}:{relative}",
                               hashlib.sha256(text.encode("utf-8")).hexdigest()))
    return tuple(sorted(schemas, key=lambda s: s.uri))


def _json_files(folder: Any, prefix: str) -> Iterator[tuple[str, Any]]:
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
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    problem = best_match(Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(contents))
    if problem is not None:
        pointer = format_pointer(problem.absolute_path)
        raise _at(document, pointer, P.SCHEMA_INVALID, f"not a valid JSON Schema at '{pointer or '/'}': {_short(problem.message)}")
    base = path.resolve().as_uri()
    uri = urljoin(base, contents["$id"]) if isinstance(contents.get("$id"), str) else base
    return _Schema(urldefrag(uri).url, contents, document.display, document.sha256, document)


def _build(schemas: list[_Schema], root_uri: str) -> SchemaSet:
    # jsonschema switches to the stock validator class at any schema that names its
    # "$schema", which would drop the `x-ref` keyword validation adds. Every schema here is
    # draft 2020-12 (checked on reading), so the set holds them without that keyword.
    schemas = [_Schema(s.uri, _without_dialect(s.contents), s.display, s.sha256, s.document) for s in schemas]
    root = next(s.contents for s in schemas if s.uri == root_uri)
    digest = hashlib.sha256()
    for schema in sorted(schemas, key=lambda s: s.uri):
        digest.update(f"{schema.uri}\0{schema.sha256}\n".encode())
    return SchemaSet(root, root_uri, {s.uri: s.contents for s in schemas}, root_uri + "\0" + digest.hexdigest(),
                     tuple(schemas))


def _verify(index: _Index, by_uri: dict[str, _Schema]) -> None:
    """Every reference is tried, so that a bad one fails before validation rather than in
    the middle of it, and every pattern is compiled by RE2, which is what runs it."""
    from engine.evidence.patterns import PatternError, check_syntax

    diagnostics: list[Diagnostic] = []
    for uri, base, reference, path in index.references:
        try:
            index.lookup(reference, base)
        except Unresolved:
            diagnostics.append(_unresolvable(reference, by_uri[uri], format_pointer(path)))
    for uri, pattern, path in index.patterns:
        try:
            check_syntax(pattern)
        except PatternError as error:
            diagnostics.append(_bad_pattern(pattern, str(error), by_uri[uri], format_pointer(path)))
    if diagnostics:
        raise DiagnosticError(diagnostics)


def _without_dialect(contents: dict) -> dict:
    return {key: value for key, value in contents.items() if key != "$schema"}


def _bad_pattern(pattern: str, detail: str, schema: _Schema, pointer: str) -> Diagnostic:
    span, source_line = _place(schema, pointer)
    return Diagnostic(P.SCHEMA_INVALID, f"pattern '{pattern}' is not one clausegate can run: {detail}", span,
                      hint="patterns are read as RE2 regular expressions, which run in linear time: "
                      "no look-around, no back-references", source_line=source_line)


def _place(schema: _Schema | None, pointer: str) -> tuple[Span | None, str | None]:
    if schema is None:
        return None, None
    position = schema.document.locate(pointer) if schema.document else None
    span = Span(schema.display, *(position or (1, 1)))
    return span, schema.document.source_line(span.line) if schema.document else None


def _unresolvable(reference: str, schema: _Schema | None, pointer: str = "") -> Diagnostic:
    span, source_line = _place(schema, pointer)
    return Diagnostic(P.SCHEMA_REF_REFUSED, f"schema reference '{reference}' is not one of the known schemas",
                      span, hint="references resolve only among the shipped schemas and the one given; "
                      "nothing is fetched from the network or read from other files", source_line=source_line)


def _at(document: Document, pointer: str, code: str, message: str, hint: str | None = None) -> DiagnosticError:
    line, column = document.locate(pointer) or (1, 1)
    return P.refuse(code, message, document.display, line, column, hint=hint, source_line=document.source_line(line))


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
