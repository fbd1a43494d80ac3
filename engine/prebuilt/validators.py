"""The shipped schemas' validation code, prebuilt: used by the bulk validator in place of
generating it while the key matches (see engine/prebuilt/__init__.py)."""

from __future__ import annotations

import functools
import hashlib
from typing import Any, Callable

from engine.evidence.bulk import Program
from engine.evidence.schemas import SchemaSet
from engine.prebuilt import code_digest, generated

GENERATED_MODULE = "engine.prebuilt.schema_validators"

ProgramKey = tuple[str, str, bool]  # the schema node's URI, its base URI, batched or not


def input_key(schemas: SchemaSet) -> str:
    return hashlib.sha256(f"validators\n{schemas.digest}\n{code_digest()}\n".encode()).hexdigest()


def section_entries(schemas: SchemaSet) -> list[tuple[Any, str]]:
    """The schema nodes validation starts from, with their base URIs: the bundle's sections."""
    properties = schemas.root.get("properties", {}) if isinstance(schemas.root, dict) else {}
    return [(node, schemas.node_base(node) or schemas.root_uri) for node in properties.values()
            if isinstance(node, dict)]


def prebuilt_programs(schemas: SchemaSet) -> dict[ProgramKey, Callable[[], Program]]:
    """Prebuilt programs by key, or none when the module does not match these schemas."""
    module = generated(GENERATED_MODULE, input_key(schemas))
    if module is None:
        return {}
    return {key: functools.partial(_program, schemas, *entry) for key, entry in module.PROGRAMS.items()}


def _program(schemas: SchemaSet, function, constants, batches) -> Program:
    return Program(function(schemas, **constants()), batches())
