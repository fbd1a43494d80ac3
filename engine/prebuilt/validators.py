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

def input_key(schemas: SchemaSet) -> str:
    return hashlib.sha256(f"validators\n{schemas.digest}\n{code_digest()}\n".encode()).hexdigest()


def section_entries(schemas: SchemaSet) -> list[tuple[str, Any, str]]:
    """The schema nodes validation starts from, with their names and base URIs: the
    bundle's sections. The key of the module stands for the schemas' texts, so a name
    stands for the same node while it matches."""
    properties = schemas.root.get("properties", {}) if isinstance(schemas.root, dict) else {}
    return [(name, node, schemas.node_base(node) or schemas.root_uri) for name, node in properties.items()
            if isinstance(node, dict)]


def prebuilt_programs(schemas: SchemaSet) -> dict[str, Callable[[], Program]]:
    """Prebuilt programs by section name, or none when the module does not match these schemas."""
    module = generated(GENERATED_MODULE, input_key(schemas))
    if module is None:
        return {}
    return {key: functools.partial(_program, schemas, *entry) for key, entry in module.PROGRAMS.items()}


def _program(schemas: SchemaSet, function, constants, batches) -> Program:
    return Program(function(schemas, **constants()), batches())
