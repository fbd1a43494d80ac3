"""The library API behind the command line: load rules, load evidence, check, report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from engine import __version__
from engine.diagnostics import Diagnostic, DiagnosticError
from engine.evaluate import evaluate
from engine.evidence.bundle import Bundle
from engine.evidence.bundle import load_bundle as _load_bundle
from engine.evidence.limits import DEFAULT_LIMITS, Limits
from engine.evidence.schemas import SchemaSet, load_schema_set
from engine.evidence.validate import validate_bundle
from engine.findings import Report, assign_fingerprints
from engine.lang.limits import DEFAULT_RULE_LIMITS, RuleLimits
from engine.library import RuleSet, build_rule_set, builtin_sources, combine, section_types, user_sources
from engine.prebuilt.rules import load_prebuilt

if TYPE_CHECKING:
    from engine.baseline import Baseline
    from engine.waivers import WaiverSet


def tool_version() -> str:
    return __version__


def load_rules(paths: list[str | Path] | None = None, *, builtin: bool = True,
               schemas: SchemaSet | None = None, limits: RuleLimits = DEFAULT_RULE_LIMITS) -> RuleSet:
    """Parse, check and compile rule files: the built-in library (unless `builtin=False`)
    and any files or folders in `paths`. Raises DiagnosticError with every problem found.
    The built-in library comes precompiled (engine.prebuilt) while that is current."""
    schemas = schemas or load_schema_set()
    library = builtin_sources() if builtin else []
    user = user_sources(list(paths or []), limits)
    sources = combine(library, user)
    if library and sources[:len(library)] == library:  # no library file named again among the user's
        prebuilt = load_prebuilt(library, schemas, limits, user)
        if prebuilt is not None:
            return prebuilt
    return build_rule_set(sources, section_types(schemas), limits=limits)


def load_bundle(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Bundle:
    """Load an evidence bundle (a file or a folder). Raises DiagnosticError on bad input."""
    return _load_bundle(Path(path), limits=limits)


def validate(bundle: Bundle, schemas: SchemaSet | None = None) -> list[Diagnostic]:
    """Every schema violation and dangling reference in the bundle, most relevant first."""
    return validate_bundle(bundle, schemas or load_schema_set())


def resolve_as_of(bundle: Bundle, as_of: dt.date | None) -> tuple[dt.date, str]:
    """The evaluation date and where it came from: the option, the bundle's meta, or today."""
    if as_of is not None:
        return as_of, "option"
    declared = bundle.data.get("meta", {}).get("as_of") if isinstance(bundle.data.get("meta"), dict) else None
    if isinstance(declared, str):
        try:
            return dt.date.fromisoformat(declared), "bundle"
        except ValueError:
            pass
    return dt.date.today(), "today"


def check(bundle: Bundle, rules: RuleSet, *, as_of: dt.date | None = None,
          schemas: SchemaSet | None = None, validate_first: bool = True,
          waivers: WaiverSet | None = None, baseline: Baseline | None = None,
          allow_missing: bool = False, max_steps: int = DEFAULT_RULE_LIMITS.max_steps) -> Report:
    """Validate the bundle, evaluate every rule against it and return the report.

    Raises DiagnosticError when the bundle violates its schema: rules only run on
    evidence whose shape they can rely on. `waivers` (engine.waivers.load_waivers),
    `baseline` (engine.baseline.load_baseline) and `allow_missing` shape what
    `report.gate()` counts; see docs/gating.md.
    """
    if validate_first:
        problems = validate(bundle, schemas)
        if problems:
            raise DiagnosticError(problems)
    today, source = resolve_as_of(bundle, as_of)
    result = evaluate(rules.compiled, bundle.data, today, rules.catalogue, bundle.locate, max_steps)
    report = Report(
        tool_version=tool_version(),
        as_of=today.isoformat(),
        as_of_source=source,
        bundle=str(bundle.root),
        evidence_files=[{"path": d.display, "sha256": d.sha256} for d in bundle.documents],
        rule_files=[{"path": s.display, "sha256": s.sha256} for s in rules.sources],
        rules=result.rules,
        findings=result.findings,
        rule_set_digest=rules.digest(),
        allow_missing=allow_missing,
    )
    assign_fingerprints(report.findings)
    if waivers is not None:
        from engine.waivers import apply_waivers

        apply_waivers(report, waivers)
    if baseline is not None:
        from engine.baseline import apply_baseline

        apply_baseline(report, baseline)
    return report
