"""clausegate: policy-as-code for ISO/IEC 20000-1 service management systems.

    import engine
    rules = engine.load_rules()                      # the built-in library
    bundle = engine.load_bundle("fixtures/example")
    report = engine.check(bundle, rules)             # validates, then evaluates
    failing = [f for f in report.findings if f.outcome == "fail"]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The one place the version is written: pyproject.toml reads it from here, and reports
# carry it without asking the installed package's metadata (slow to import).
__version__ = "0.1.0"

# Names are imported when first used, so that `import engine.lang.parser` (or the CLI's
# start-up) does not pay for the evidence validator.
_EXPORTS = {
    "check": "engine.api", "load_bundle": "engine.api", "load_rules": "engine.api",
    "resolve_as_of": "engine.api", "tool_version": "engine.api", "validate": "engine.api",
    "Diagnostic": "engine.diagnostics", "DiagnosticError": "engine.diagnostics", "Span": "engine.diagnostics",
    "Finding": "engine.findings", "Report": "engine.findings", "RuleResult": "engine.findings",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from engine.api import check, load_bundle, load_rules, resolve_as_of, tool_version, validate
    from engine.diagnostics import Diagnostic, DiagnosticError, Span
    from engine.findings import Finding, Report, RuleResult


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
