"""A bundle against a schema set: every violation, located, most relevant first; then the
references between sections (`x-ref`) and the uniqueness of ids.

Two passes. The bulk pass (bulk.py) runs the schemas compiled into plain Python over the
data and only answers valid or not: about a microsecond or two per record. A valid bundle
(the usual case) stops there, without importing jsonschema at all. An invalid one goes to
diagnose.py, where jsonschema runs into the rejected parts only and explain.py turns its
errors into located, plain-language messages.
"""

from __future__ import annotations

from typing import Any

from engine.diagnostics import Diagnostic
from engine.evidence.bulk import REFERENCE_KEYWORD, References
from engine.evidence.bundle import Bundle
from engine.evidence.gc_pause import paused_gc
from engine.evidence.schemas import SchemaSet

__all__ = ["REFERENCE_KEYWORD", "validate_bundle"]


def validate_bundle(bundle: Bundle, schemas: SchemaSet, *, partial: bool = False) -> list[Diagnostic]:
    """`partial`: the bundle holds only some sections (a rule test's evidence), so required
    sections may be absent and references into absent sections are not checked.

    `x-ref` is clausegate's schema extension: `"x-ref": "people"` on a text field means its
    value must be the `id` of an item of the `people` section (CG420)."""
    references = References(bundle.data, partial)
    with paused_gc():  # the pass allocates little, but the collector would walk all the data
        valid = schemas.bulk.is_valid(bundle.data, references, partial) and not _may_repeat_ids(bundle.data, references)
    if valid:
        return []
    from engine.evidence.diagnose import diagnose

    return diagnose(bundle, schemas, references, partial)


def _may_repeat_ids(data: Any, references: References) -> bool:
    """False when no list section repeats an id; True when one may (diagnose.py then says
    which). Uses the sections' id sets that `x-ref` needs anyway, built at C speed."""
    if not isinstance(data, dict):
        return False
    for section, content in data.items():
        if type(content) is list and len(content) > 1 and references.repeats_ids(section):
            seen: set[str] = set()
            for item in content:
                identifier = item.get("id") if isinstance(item, dict) else None
                if isinstance(identifier, str):
                    if identifier in seen:
                        return True
                    seen.add(identifier)
    return False
