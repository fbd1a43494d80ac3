"""The library API behind the command line: load rules, load evidence, check, report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from engine import __version__
from engine.diagnostics import Diagnostic, DiagnosticError
from engine.evaluate import Evaluation, evaluate
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
    from engine.evidence.background import BackgroundValidation
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


def load_bundle(path: str | Path, limits: Limits = DEFAULT_LIMITS, *, jobs: int = 1) -> Bundle:
    """Load an evidence bundle (a file or a folder). Raises DiagnosticError on bad input.
    `jobs` above 1 lets a forked process parse a folder's YAML files, where the platform
    allows (engine/evidence/background.py); the bundle is the same either way."""
    return _load_bundle(Path(path), limits=limits, jobs=jobs)


def validate(bundle: Bundle, schemas: SchemaSet | None = None) -> list[Diagnostic]:
    """Every schema violation and dangling reference in the bundle, most relevant first."""
    return validate_bundle(bundle, schemas or load_schema_set())


def _validate_first(bundle: Bundle, schemas: SchemaSet | None, jobs: int) -> BackgroundValidation | None:
    """Refuses an invalid bundle, or, with `jobs` above 1 where the platform allows, gives
    the validation running in a forked process."""
    if jobs > 1:
        from engine.evidence.background import BackgroundValidation

        pending = BackgroundValidation.start(lambda: validate(bundle, schemas))
        if pending is not None:
            return pending
    _refuse_if_invalid(validate(bundle, schemas))
    return None


def _evaluate_beside(pending: BackgroundValidation, rules: RuleSet, bundle: Bundle, today: dt.date,
                     max_steps: int) -> Evaluation:
    """Evaluation while the bundle is validated elsewhere, given up once it is found invalid.
    An invalid bundle is refused for that, even where evaluating it went wrong too, as when
    it is validated first."""
    try:
        result = evaluate(rules.compiled, bundle.data, today, rules.catalogue, bundle.locate, max_steps,
                          give_up=pending.found_problems)
    except DiagnosticError:
        _refuse_if_invalid(pending.problems())
        raise
    else:
        _refuse_if_invalid(pending.problems())
    finally:
        pending.close()
    return result


def _refuse_if_invalid(problems: list[Diagnostic]) -> None:
    if problems:
        raise DiagnosticError(problems)


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
          allow_missing: bool = False, max_steps: int = DEFAULT_RULE_LIMITS.max_steps,
          jobs: int = 1) -> Report:
    """Validate the bundle, evaluate every rule against it and return the report.

    Raises DiagnosticError when the bundle violates its schema: rules only run on
    evidence whose shape they can rely on. `waivers` (engine.waivers.load_waivers),
    `baseline` (engine.baseline.load_baseline) and `allow_missing` shape what
    `report.gate()` counts; see docs/gating.md. `jobs` above 1 lets the bundle be
    validated in a forked process while the rules are evaluated, where the platform
    allows (engine/evidence/background.py); the report is the same either way.
    """
    pending = _validate_first(bundle, schemas, jobs) if validate_first else None
    today, source = resolve_as_of(bundle, as_of)
    if pending is None:
        result = evaluate(rules.compiled, bundle.data, today, rules.catalogue, bundle.locate, max_steps)
    else:
        result = _evaluate_beside(pending, rules, bundle, today, max_steps)
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
