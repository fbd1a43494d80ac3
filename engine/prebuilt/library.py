"""The prebuilt rule library: loaded in place of compiling the built-in library while
its key matches (see engine/prebuilt/__init__.py). Syntax trees are built only when a
finding needs them."""

from __future__ import annotations

import hashlib
import importlib
from importlib import resources

from engine.catalogue import load_catalogue
from engine.evidence.schemas import SchemaSet
from engine.lang.compiler import CompiledRule, SourceText
from engine.lang.limits import DEFAULT_RULE_LIMITS, RuleLimits
from engine.prebuilt import code_digest
from engine.library import RuleSet, RuleSource, check_sources, section_types

GENERATED_MODULE = "engine.prebuilt.rule_library"


def input_key(sources: list[RuleSource], schemas: SchemaSet) -> str:
    digest = hashlib.sha256(b"rules\n")
    for source in sorted(sources, key=lambda s: s.display):
        digest.update(f"rules {source.display}\0{source.sha256}\n".encode())
    catalogue = resources.files("engine.data.rules").joinpath("catalogue.yaml").read_bytes()
    digest.update(b"catalogue " + hashlib.sha256(catalogue).hexdigest().encode() + b"\n")
    digest.update(f"schemas {schemas.digest}\n".encode())
    digest.update(f"code {code_digest()}\n".encode())
    return digest.hexdigest()


def _within(limits: RuleLimits) -> bool:
    """The library was built under the default limits; a user who lowered one gets the
    library checked against theirs."""
    return all(getattr(limits, name) >= getattr(DEFAULT_RULE_LIMITS, name)
               for name in ("max_rule_file_bytes", "max_rules", "max_expression_depth"))


def load_prebuilt(sources: list[RuleSource], schemas: SchemaSet,
                  limits: RuleLimits = DEFAULT_RULE_LIMITS) -> RuleSet | None:
    """The compiled library for exactly these sources and schemas, or None."""
    if not _within(limits):
        return None
    try:
        module = importlib.import_module(GENERATED_MODULE)
    except ImportError:
        return None
    if module.KEY != input_key(sources, schemas):
        return None
    source_text = SourceText({s.display: s.text for s in sources})
    compiled = [CompiledRule(header, build(constants()), syntax, source_text)
                for header, build, constants, syntax in module.RULES]
    return RuleSet(compiled, sources, load_catalogue(),
                   lambda: check_sources(sources, section_types(schemas), limits))
