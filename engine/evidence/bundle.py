"""A bundle: one evidence file, or a directory of them, merged into one mapping of sections.

In a directory, each `*.yaml`, `*.yml` and `*.json` file holds a mapping of sections, and
each `<section>.jsonl` or `<section>.csv` file holds the list of records of one section.
Files are read in name order; hidden files, subdirectories and other file types are
skipped. A section may come from one file only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

from engine.diagnostics import DiagnosticError, Span
from engine.evidence import problems as P
from engine.evidence.checks import key_problem
from engine.evidence.jsonl_reader import read_jsonl
from engine.evidence.limits import DEFAULT_LIMITS, Limits
from engine.evidence.lines import LineIndex
from engine.evidence.loader import READERS, Document, load_document
from engine.evidence.pointer import format_pointer, parse_pointer
from engine.evidence.source import Source, read_source
from engine.evidence.yaml_reader import ReparsedYamlLocator, read_yaml
from engine.record import Record

RECORD_SUFFIXES = (".jsonl", ".csv")  # files holding one section's records
YAML_SUFFIXES = tuple(suffix for suffix, reader in READERS.items() if reader is read_yaml)


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


def load_bundle(path: Path, *, limits: Limits = DEFAULT_LIMITS, schemas: Any = None, jobs: int = 1) -> Bundle:
    """`schemas`: the SchemaSet whose bundle schema types the cells of CSV files (default:
    the shipped schemas, loaded only if the bundle has a CSV file). `jobs` above 1 lets a
    forked process parse a folder's YAML files while this one reads its records
    (background.py); the bundle, and any refusal, is the same either way."""
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
    documents = _load_directory(path, display, limits, schemas, jobs)
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


class _File(NamedTuple):
    path: str
    display: str
    stem: str
    suffix: str
    size: int


def _load_directory(path: Path, display: str, limits: Limits, schemas: Any, jobs: int) -> list[Document]:
    try:
        entries = sorted(os.scandir(path), key=lambda entry: entry.name)
    except OSError as error:
        raise P.refuse(P.UNREADABLE, f"cannot list the bundle directory: {error.strerror or error}", display) from None
    real_root = os.path.realpath(path)
    files: list[_File] = []
    refusal = None  # of the first file refused before reading: no later file counts
    total = 0
    for entry in entries:
        stem, suffix = os.path.splitext(entry.name)
        suffix = suffix.lower()
        if entry.name.startswith(".") or (suffix not in READERS and suffix not in RECORD_SUFFIXES):
            continue
        file_display = os.path.join(display, entry.name)
        if entry.is_dir():  # follows links, so a linked directory is skipped like a real one
            continue
        try:
            if entry.is_symlink():
                _check_link(entry.path, real_root, file_display)
        except DiagnosticError as error:
            refusal = error
            break
        size = _size(entry)
        total += size
        if total > limits.max_bundle_bytes:
            refusal = P.refuse(P.BUNDLE_TOO_LARGE, f"the bundle's files add up to more than the limit of "
                               f"{limits.max_bundle_bytes:,} bytes", file_display,
                               hint="raise it with --limit max_bundle_bytes=N")
            break
        files.append(_File(entry.path, file_display, stem, suffix, size))
    documents = _load_files(files, limits, schemas, jobs)
    if refusal is not None:
        raise refusal
    if not documents:
        raise P.refuse(P.EMPTY_BUNDLE, "bundle directory holds no evidence file", display,
                       hint="evidence files end in .yaml, .yml or .json; record files in .jsonl or .csv")
    return sorted(documents, key=lambda document: document.display)


# Below this much YAML, or this much else to read meanwhile, a second process costs more
# (forking, sending the data back) than it saves.
_WORTH_A_PROCESS = 64 * 1024


def _load_files(files: list[_File], limits: Limits, schemas: Any, jobs: int) -> list[Document]:
    """Each file's document, in name order; the first refusal, in name order, is raised."""
    yaml_files = [file for file in files if file.suffix in YAML_SUFFIXES]
    yaml_bytes = sum(file.size for file in yaml_files)
    parsing = None
    if jobs > 1 and yaml_bytes >= _WORTH_A_PROCESS and sum(f.size for f in files) - yaml_bytes >= _WORTH_A_PROCESS:
        from engine.evidence.background import ForkedCall

        parsing = ForkedCall.start(lambda: [_parsed_yaml(file, limits) for file in yaml_files])
    if parsing is None:
        return [_load_file(file, limits, schemas) for file in files]
    own: dict[str, Document | DiagnosticError] = {}
    try:
        for file in files:
            if file.suffix not in YAML_SUFFIXES:
                try:
                    own[file.path] = _load_file(file, limits, schemas)
                except DiagnosticError as error:  # raised below, unless an earlier YAML file is refused
                    own[file.path] = error
                    break
        answered, parsed = parsing.result()
    finally:
        parsing.close()
    from_child = dict(zip((file.path for file in yaml_files), parsed)) if answered else {}
    documents = []
    for file in files:
        document = own.get(file.path)
        if isinstance(document, DiagnosticError):
            raise document
        if document is None:  # a YAML file: as the child parsed it, or parsed here after all
            found = from_child.get(file.path)
            document = _yaml_document(file, found, limits) if found is not None else _load_file(file, limits, schemas)
        documents.append(document)
    return documents


def _load_file(file: _File, limits: Limits, schemas: Any) -> Document:
    if file.suffix in READERS:
        return load_document(Path(file.path), file.display, limits=limits)
    return _load_records(Path(file.path), file.display, file.stem, file.suffix, limits, schemas)


def _parsed_yaml(file: _File, limits: Limits) -> tuple[dict, str, str] | None:
    """In the child: a YAML file's data, text and digest; None if it is refused (the parent
    reads it again, to refuse it itself)."""
    try:
        document = load_document(Path(file.path), file.display, limits=limits)
    except DiagnosticError:
        return None
    return document.data, document.lines.text, document.sha256


def _yaml_document(file: _File, parsed: tuple[dict, str, str], limits: Limits) -> Document:
    data, text, sha256 = parsed
    lines = LineIndex(text)
    return Document(data, file.display, sha256, ReparsedYamlLocator(Source(file.display, text, sha256, lines), limits),
                    lines)


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
