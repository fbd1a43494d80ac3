"""The prebuilt rule library: loaded in place of compiling the built-in library while
its key matches (see engine/prebuilt/__init__.py). Syntax trees are built only when a
finding needs them."""

from __future__ import annotations

import functools
import hashlib

from engine import data
from engine.catalogue import Catalogue, Clause
from engine.evidence.schemas import SchemaSet
from engine.lang.compiled import CompiledRule, Once, SourceText
from engine.lang.limits import DEFAULT_RULE_LIMITS, RuleLimits
from engine.prebuilt import code_digest, generated
from engine.library import CheckedBefore, RuleSet, RuleSource, check_sources, section_types

GENERATED_MODULE = "engine.prebuilt.rule_library"
CAREFUL_MODULE = "engine.prebuilt.rule_careful"
SYNTAX_MODULE = "engine.prebuilt.rule_syntax"


def input_key(sources: list[RuleSource], schemas: SchemaSet) -> str:
    digest = hashlib.sha256(b"rules\n")
    for source in sorted(sources, key=lambda s: s.display):
        digest.update(f"rules {source.display}\0{source.sha256}\n".encode())
    catalogue = data.folder("rules").joinpath("catalogue.yaml").read_bytes()
    digest.update(b"catalogue " + hashlib.sha256(catalogue).hexdigest().encode() + b"\n")
    digest.update(f"schemas {schemas.digest}\n".encode())
    digest.update(f"code {code_digest()}\n".encode())
    return digest.hexdigest()


def _within(limits: RuleLimits) -> bool:
    """The library was built under the default limits; a user who lowered one gets the
    library checked against theirs."""
    return all(getattr(limits, name) >= getattr(DEFAULT_RULE_LIMITS, name)
               for name in ("max_rule_file_bytes", "max_rules", "max_expression_depth"))


def load_prebuilt(library: list[RuleSource], schemas: SchemaSet, limits: RuleLimits = DEFAULT_RULE_LIMITS,
                  user: list[RuleSource] | None = None) -> RuleSet | None:
    """The compiled library for exactly these library files and schemas, or None; `user`
    files are checked against it (its helpers and rule ids) and compiled as they load."""
    if not _within(limits):
        return None
    module = generated(GENERATED_MODULE, input_key(library, schemas))
    if module is None:
        return None
    sources = library + list(user or [])
    source_text = SourceText({s.display: s.text for s in sources})
    compiled = [CompiledRule(header, _built(build, constants(), module.KEY, number),
                             functools.partial(_syntax, module.KEY, number), source_text)
                for number, (header, build, constants) in enumerate(module.RULES)]
    if user:
        from engine.lang.ast import RuleFile
        from engine.lang.compiler import compile_rules

        texts = {s.display: s.text for s in library}
        helper_files = [RuleFile(display, texts[display], [], helpers())
                        for display, helpers in _syntax_module(module.KEY).HELPERS]
        before = CheckedBefore(helper_files, {c.header.id: c.header.span for c in compiled})
        compiled += compile_rules(check_sources(user, section_types(schemas), limits, before))
    catalogue = Catalogue({number: Clause(number, title, judgement) for number, title, judgement in module.CATALOGUE})
    return RuleSet(compiled, sources, catalogue, lambda: check_sources(sources, section_types(schemas), limits))


def _built(build, constants: tuple, key: str, number: int):
    """Rule `number`'s run function; its careful part is imported when it is first needed."""
    return build(constants, Once(lambda: _companion(CAREFUL_MODULE, key).CAREFUL[number](constants)))


def _companion(name: str, key: str):
    module = generated(name, key)
    if module is None:  # the writer writes them all at once; only a damaged install can differ
        raise RuntimeError(f"{name} does not match {GENERATED_MODULE}: run `python -m engine.prebuilt`")
    return module


def _syntax_module(key: str):
    return _companion(SYNTAX_MODULE, key)


def _syntax(key: str, number: int):
    return _syntax_module(key).SYNTAX[number]()
