"""Evidence: load a bundle of YAML, JSON, JSON Lines and CSV files, and validate it."""

from engine.evidence.bundle import Bundle, load_bundle
from engine.evidence.limits import DEFAULT_LIMITS, Limits
from engine.evidence.loader import Document, load_document
from engine.evidence.schemas import SchemaSet, load_schema_set
from engine.evidence.validate import validate_bundle

__all__ = [
    "Bundle",
    "DEFAULT_LIMITS",
    "Document",
    "Limits",
    "SchemaSet",
    "load_bundle",
    "load_document",
    "load_schema_set",
    "validate_bundle",
]
