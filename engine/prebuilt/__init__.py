"""The built-in rule library and the shipped schemas' validators, compiled ahead of time
and shipped as generated Python modules.

Parsing, checking and compiling the 300-odd rules of the library takes about a second, and
generating the schemas' validation code a tenth of one; a check of a small bundle takes a
fraction of that. So both are written once: `rule_library.py` (each rule's generated fast
code and constants), `rule_careful.py` (each rule's careful code, imported only when a
rule first meets an item its fast code does not plainly pass), `rule_syntax.py` (the
rules' syntax trees and the library's helpers, imported only to explain a finding or to
check user rules) and `schema_validators.py` (each section's validation code). Run
`python -m engine.prebuilt` after changing a rule, a schema, the catalogue or the code
that compiles them; a test fails while any module is stale. Python caches
their bytecode like any other module's.

Each module records a key: a digest of everything its contents follow from. A module
whose key does not match what is loaded now (or that does not even import, written by an
older engine) is not used, and the rules or the validators are then compiled as they
always are for user rules and user schemas.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
from pathlib import Path

_ENGINE = Path(__file__).resolve().parents[1]
GENERATED = ("rule_library.py", "rule_careful.py", "rule_syntax.py", "schema_validators.py")
# Beyond engine/lang, engine/evidence and engine/prebuilt: what checks the library (library.py
# and the catalogue's reader) and the Span the generated code is written with.
_ALSO = ("library.py", "catalogue.py", "diagnostics.py")


def generated(name: str, key: str):
    """The generated module `name` if it was written for `key`, else None: stale, or written
    by an older engine so that it does not even import."""
    try:
        module = importlib.import_module(name)
    except Exception:  # noqa: BLE001 - any failure means "not usable", as a stale key does
        return None
    return module if getattr(module, "KEY", None) == key else None


@functools.cache
def code_digest() -> str:
    """A digest of the code whose output the generated modules hold."""
    files = [*(_ENGINE / "lang").glob("*.py"), _ENGINE / "lang" / "grammar.lark", *(_ENGINE / "evidence").glob("*.py"),
             *(_ENGINE / "prebuilt").glob("*.py"), *(_ENGINE / name for name in _ALSO)]
    digest = hashlib.sha256(b"clausegate prebuilt 1\n")
    for path in sorted(p for p in files if p.name not in GENERATED):
        digest.update(f"{path.parent.name}/{path.name}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()
