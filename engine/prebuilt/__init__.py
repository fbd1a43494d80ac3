"""The built-in rule library, compiled ahead of time and shipped as a Python module.

Parsing, checking and compiling the 300-odd rules of the library takes about a second;
a check of a small bundle takes a fraction of that. So the library's generated code,
its constants and its syntax trees are written once to `rule_library.py` (run
`python -m engine.prebuilt` after changing a rule, the compiler or a schema; a test fails
while it is stale). Python caches its bytecode like any other module's.

The module records a key: a digest of everything its contents follow from (the library's
rule files, the catalogue, the schemas and the code that parses, checks and compiles).
A module whose key does not match what is loaded now is not used: the library is then
compiled from its sources, as user rules always are. The syntax trees are only built
when a finding needs them.
"""

from __future__ import annotations

import hashlib
import importlib
from importlib import resources
from pathlib import Path

from engine.catalogue import load_catalogue
from engine.evidence.schemas import SchemaSet
from engine.lang.compiler import CompiledRule, SourceText
from engine.lang.limits import DEFAULT_RULE_LIMITS, RuleLimits
from engine.library import RuleSet, RuleSource, check_sources, section_types

GENERATED_MODULE = "engine.prebuilt.rule_library"
_ENGINE = Path(__file__).resolve().parents[1]
_FORMAT = b"clausegate prebuilt library 1\n"


def _compiler_files() -> list[Path]:
    """The code whose output the prebuilt module holds."""
    found = [*(_ENGINE / "lang").glob("*.py"), _ENGINE / "lang" / "grammar.lark", *(_ENGINE / "prebuilt").glob("*.py")]
    return sorted(p for p in found if p.name != "rule_library.py")


def input_key(sources: list[RuleSource], schemas: SchemaSet) -> str:
    digest = hashlib.sha256(_FORMAT)
    for source in sorted(sources, key=lambda s: s.display):
        digest.update(f"rules {source.display}\0{source.sha256}\n".encode())
    catalogue = resources.files("engine.data.rules").joinpath("catalogue.yaml").read_bytes()
    digest.update(b"catalogue " + hashlib.sha256(catalogue).hexdigest().encode() + b"\n")
    digest.update(f"schemas {schemas.digest}\n".encode())
    for path in _compiler_files():
        digest.update(f"code {path.name}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
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
