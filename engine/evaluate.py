"""Compiled rules × evidence → findings. One rule's trouble never stops the others."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from engine.catalogue import Catalogue
from engine.diagnostics import Diagnostic, DiagnosticError, Span
from engine.findings import ClauseRef, Finding, RuleResult, clause_key
from engine.lang.compiled import CompiledRule, ItemResult, RuleRun
from engine.lang.limits import DEFAULT_RULE_LIMITS, BudgetExceeded
from engine.lang.values import EvalError, Missing
from engine.record import Record

if TYPE_CHECKING:
    from engine.lang import ast

Locate = Callable[[str], "Span | None"]


class Context(Record):
    """What a compiled rule may see besides the evidence: the evaluation date, its caches,
    and the count of evaluation steps against the rule's budget."""

    __slots__ = _fields = ("today", "indexes", "max_steps", "steps")

    def __init__(self, today: dt.date, indexes: dict[Any, Any] | None = None,
                 max_steps: int = DEFAULT_RULE_LIMITS.max_steps, steps: int = 0):
        self.today = today
        self.indexes = {} if indexes is None else indexes
        self.max_steps = max_steps
        self.steps = steps

    def charge(self, value):
        """Count a list about to be walked; hand it back unchanged."""
        if type(value) is list:
            self.steps += len(value) + 1
            if self.steps > self.max_steps:
                raise BudgetExceeded(self.max_steps)
        return value


class Evaluation(NamedTuple):
    """Every rule's result and every finding, in report order."""

    rules: list[RuleResult]
    findings: list[Finding]


def evaluate(compiled: list[CompiledRule], data: dict, today: dt.date, catalogue: Catalogue,
             locate: Locate | None = None, max_steps: int = DEFAULT_RULE_LIMITS.max_steps,
             give_up: Callable[[], bool] | None = None) -> Evaluation:
    """Raises DiagnosticError when a rule exceeds its evaluation budget: a resource limit,
    reported like bad input rather than as one rule's finding. `give_up` is asked before
    each rule; once it says so, the rules not yet run are left out (for a caller that
    will throw the result away: api.check, when the bundle turned out invalid)."""
    context = Context(today, max_steps=max_steps)
    rules: list[RuleResult] = []
    per_rule: list[tuple[tuple, list[Finding]]] = []
    for rule in compiled:
        if give_up is not None and give_up():
            break
        context.steps = 0
        try:
            result, rule_findings = _evaluate_rule(rule, data, context, catalogue, locate or _nowhere)
        except BudgetExceeded as exceeded:
            raise DiagnosticError([Diagnostic(
                "CG219", f"rule {rule.header.id} exceeded its evaluation budget of {exceeded.steps:,} steps",
                rule.header.span,
                "raise it with --limit max_steps=N, or make the rule walk fewer items")]) from None
        rules.append(result)
        first_clause = clause_key(rule.header.clauses[0]) if rule.header.clauses else ()
        per_rule.append(((first_clause, rule.header.id), rule_findings))
    # Report order: by clause, then rule id, then item id (so reordering the records of a
    # bundle does not reorder its findings), then position.
    per_rule.sort(key=lambda entry: entry[0])
    return Evaluation(rules, [f for _, fs in per_rule for f in fs])


_NUMBER_RUNS = re.compile(r"(\d+)")
_USUAL_ID = re.compile(r"(\D+)(\d+)").fullmatch  # the usual id, INC-0042: one of each


def _item_order(identity: Any, position: int) -> tuple:
    """Findings of a rule sort by item id in natural order (INC-9 before INC-10), then by
    position; findings without an id come last."""
    if type(identity) is str:
        usual = _USUAL_ID(identity)
        if usual is not None:
            text, number = usual.groups()
            return (False, [1, text, 0, int(number)], position)
    if identity is None:
        return (True, [], position)
    natural: list = []
    # Splitting on a captured group puts the runs of digits at the odd places. Each part
    # adds a pair: a number (0, value) sorts before a text (1, text) in its place.
    for place, part in enumerate(_NUMBER_RUNS.split(str(identity))):
        if part:
            natural += (0, int(part)) if place & 1 else (1, part)
    return (False, natural, position)


def _nowhere(_pointer: str) -> None:
    return None


def _evaluate_rule(compiled: CompiledRule, data: dict, context: Context, catalogue: Catalogue,
                   locate: Locate) -> tuple[RuleResult, list[Finding]]:
    header = compiled.header
    clauses = [ClauseRef(n, catalogue.title(n)) for n in header.clauses]
    base = (header.id, header.title, clauses, header.severity)
    try:
        run = compiled.run(data, context)
    except EvalError as exc:
        run = RuleRun(0, [ItemResult("error", None, error=exc)], None)
    except RecursionError:
        run = RuleRun(0, [ItemResult("error", None, error=EvalError("evaluation nested too deeply",
                                                                       compiled.rule.span))], None)
    except Exception as exc:  # a defect in clausegate itself: report it on this rule, run the others
        run = RuleRun(0, [ItemResult("error", None, error=EvalError(f"internal error: {exc!r}",
                                                                       compiled.rule.span))], None)
    if not run.results and run.passed == 0:
        run.results.append(ItemResult("not_applicable", None))
    counts = {"pass": run.passed}
    for item in run.results:
        counts[item.status] = counts.get(item.status, 0) + 1
    failing = [item for item in run.results if item.status != "pass"]
    findings = []
    if failing:
        rule = compiled.rule  # the syntax tree: built for the first finding only
        where = run.collection_where if run.collection_where and run.collection_where.startswith("/") else None
        findings = [_finding(compiled, rule, item, where, base, locate) for item in failing]
        keys = [_item_order(finding.item_id, item.index if finding.pointer is not None else -1)
                for finding, item in zip(findings, failing)]
        findings = [findings[n] for n in sorted(range(len(findings)), key=keys.__getitem__)]
    result = RuleResult(header.id, header.title, clauses, header.severity, list(header.tags), counts,
                        header.span, rationale=header.rationale, remediation=header.remediation)
    return result, findings


def _finding(compiled: CompiledRule, rule: ast.Rule, item: ItemResult, where: str | None, base: tuple,
             locate: Locate) -> Finding:
    """`where`: the JSON Pointer of the rule's items, if they are evidence; `base`: the rule's
    id, title, clauses and severity, as every finding of it carries them."""
    pointer = f"{where}/{item.index}" if where is not None and item.index is not None else None
    finding = Finding(*base, item.status, "", pointer)
    if type(item.item) is dict:
        finding.item_id = item.item.get("id")
    if pointer is not None:
        finding.location = locate(pointer)
    expect = rule.expects[item.expect] if item.expect is not None else None
    if expect is not None:
        finding.condition = compiled.source_text(expect.condition)
        finding.decided_by = compiled.decided_by(expect.condition, item.trace)
        for entry in finding.decided_by:
            if "missing" in entry:
                entry["missing"] = _expected_at(Missing(entry["missing"]), pointer, item.index)
    if item.status == "fail":
        finding.message = item.message or f"expected `{finding.condition}`"
    elif item.status == "missing":
        finding.expected_at = _expected_at(item.missing, pointer, item.index)
        finding.message = f"the evidence needed to decide is absent: {finding.expected_at}"
        if pointer is None and finding.expected_at.startswith("/"):
            finding.location = locate(finding.expected_at)
    elif item.status == "error":
        error = item.error or EvalError("unknown error")
        finding.message = error.message
        finding.rule_location = error.span or rule.span
    elif item.status == "not_applicable":
        finding.message = "the rule does not apply: its `when` condition is not true" if rule.when is not None \
            else "the rule does not apply: there are no items to check"
    return finding


def _expected_at(missing: Missing | None, pointer: str | None, index: int | None) -> str:
    where = missing.where if missing is not None else "unknown"
    if "{item}" in where:
        where = where.replace("{item}", pointer if pointer is not None else f"(item {index})")
    return where
