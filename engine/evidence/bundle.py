"""A bundle: one evidence file, or a directory of them, merged into one mapping of sections.

In a directory, each `*.yaml`, `*.yml` and `*.json` file holds a mapping of sections, and
each `<section>.jsonl` or `<section>.csv` file holds the list of records of one section.
Files are read in name order; hidden files, subdirectories and other file types are
skipped. A section may come from one file only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from engine.diagnostics import Span
from engine.evidence import problems as P
from engine.evidence.checks import key_problem
from engine.evidence.jsonl_reader import read_jsonl
from engine.evidence.limits import DEFAULT_LIMITS, Limits
from engine.evidence.loader import READERS, Document, load_document
from engine.evidence.pointer import format_pointer, parse_pointer
from engine.evidence.source import read_source
from engine.record import Record

RECORD_SUFFIXES = (".jsonl", ".csv")  # files holding one section's records


class Bundle(Record):
    """The merged sections of a bundle's files, with the documents they came from.

    `documents` are sorted by display path; `root` is the path the bundle was loaded from,
    a file or a directory; `owners` maps each section to the document it came from;
    `whole` is the document that is the entire bundle, when the bundle is one file.
    """

    __slots__ = _fields = ("data", "documents", "root", "owners", "whole")

    def __init__(self, data: dict, documents: list[Document], root: Path,
                 owners: dict[str, Document] | None = None, whole: Document | None = None):
        self.data = data
        self.documents = documents
        self.root = root
        self.owners = {} if owners is None else owners
        self.whole = whole

    def __repr__(self) -> str:
        return f"Bundle(root={self.root!r}, documents={self.documents!r})"

    def document_for(self, pointer: str) -> Document | None:
        tokens = parse_pointer(pointer)
        return self.whole if not tokens else self.owners.get(tokens[0], self.whole)

    def locate(self, pointer: str) -> Span | None:
        """Where the value at `pointer` is, or its nearest ancestor that has a position."""
        document = self.document_for(pointer)
        if document is None:
            return None
        tokens = parse_pointer(pointer)
        while True:
            position = document.locator.position(tokens)
            if position is not None:
                return Span(document.display, *position)
            if not tokens:
                return None
            tokens = tokens[:-1]

    def source_line(self, span: Span) -> str | None:
        document = next((d for d in self.documents if d.display == span.file), None)
        return document.source_line(span.line) if document else None


def load_bundle(path: Path, *, limits: Limits = DEFAULT_LIMITS, schemas: Any = None) -> Bundle:
    """`schemas`: the SchemaSet whose bundle schema types the cells of CSV files (default:
    the shipped schemas, loaded only if the bundle has a CSV file)."""
    path = Path(path)
    display = str(path)
    try:
        is_directory = path.is_dir()
    except OSError:
        is_directory = False
    if not is_directory:
        suffix = path.suffix.lower()
        if suffix in RECORD_SUFFIXES:
            raise P.refuse(P.UNSUPPORTED_TYPE, f"a '{suffix}' file holds one section's records, not a bundle",
                           display, hint="put it in a bundle directory, named after its section")
        document = load_document(path, display, limits=limits)
        owners = {section: document for section in document.data}
        return Bundle(document.data, [document], path, owners, document)
    documents = _load_directory(path, display, limits, schemas)
    data: dict[str, Any] = {}
    owners: dict[str, Document] = {}
    for document in documents:
        for section, content in document.data.items():
            if section in owners:
                raise _duplicate_section(section, owners[section], document)
            data[section] = content
            owners[section] = document
    return Bundle(data, documents, path, owners)


def _size(entry: os.DirEntry) -> int:
    try:
        return entry.stat().st_size
    except OSError:
        return 0  # reading the file reports why it cannot be read


def _load_directory(path: Path, display: str, limits: Limits, schemas: Any = None) -> list[Document]:
    try:
        entries = sorted(os.scandir(path), key=lambda entry: entry.name)
    except OSError as error:
        raise P.refuse(P.UNREADABLE, f"cannot list the bundle directory: {error.strerror or error}", display) from None
    real_root = os.path.realpath(path)
    documents = []
    total = 0
    for entry in entries:
        stem, suffix = os.path.splitext(entry.name)
        suffix = suffix.lower()
        if entry.name.startswith(".") or (suffix not in READERS and suffix not in RECORD_SUFFIXES):
            continue
        file_display = os.path.join(display, entry.name)
        if entry.is_dir():  # follows links, so a linked directory is skipped like a real one
            continue
        if entry.is_symlink():
            _check_link(entry.path, real_root, file_display)
        total += _size(entry)
        if total > limits.max_bundle_bytes:
            raise P.refuse(P.BUNDLE_TOO_LARGE, f"the bundle's files add up to more than the limit of "
                           f"{limits.max_bundle_bytes:,} bytes", file_display,
                           hint="raise it with --limit max_bundle_bytes=N")
        if suffix in READERS:
            documents.append(load_document(Path(entry.path), file_display, limits=limits))
        else:
            documents.append(_load_records(Path(entry.path), file_display, stem, suffix, limits, schemas))
    if not documents:
        raise P.refuse(P.EMPTY_BUNDLE, "bundle directory holds no evidence file", display,
                       hint="evidence files end in .yaml, .yml or .json; record files in .jsonl or .csv")
    return sorted(documents, key=lambda document: document.display)


def _check_link(link: str, real_root: str, display: str) -> None:
    target = os.path.realpath(link)
    if os.path.commonpath([real_root, target]) != real_root:
        raise P.refuse(P.SYMLINK_ESCAPE, "symbolic link leads outside the bundle directory", display,
                       hint=f"it resolves to {target}; copy the file into the bundle instead")


def _load_records(path: Path, display: str, section: str, suffix: str, limits: Limits,
                  schemas: Any = None) -> Document:
    problem = key_problem(section, limits) if section else None
    if not section or problem:
        raise P.refuse(P.BAD_SECTION_NAME, f"'{section}' is not a usable section name", display,
                       hint="a record file is named after its section, e.g. incidents.jsonl")
    source = read_source(path, display, limits)
    if suffix == ".csv":  # CSV's reader, and the schemas that type its cells, load only for CSV
        from engine.evidence.csv_reader import read_csv

        if schemas is None:
            from engine.evidence.schemas import load_schema_set

            schemas = load_schema_set()
        data, locator = read_csv(source, section, limits, schemas)
    else:
        data, locator = read_jsonl(source, section, limits)
    return Document(data, display, source.sha256, locator, source.lines)


def _duplicate_section(section: str, first: Document, second: Document) -> Exception:
    pointer = format_pointer([section])
    first_at = first.locate(pointer) or (1, 1)
    line, column = second.locate(pointer) or (1, 1)
    return P.refuse(P.DUPLICATE_SECTION, f"section '{section}' is already defined in {first.display}", second.display,
                    line, column, hint=f"it is first defined at {first.display}:{first_at[0]}:{first_at[1]}; "
                    "keep each section in one file", source_line=second.source_line(line))
