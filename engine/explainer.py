"""`clausegate explain`: a rule's source with the value of every sub-expression for one item,
so an auditor sees exactly why it passed or failed."""

from __future__ import annotations

import datetime as dt
import json

from engine.diagnostics import Diagnostic, DiagnosticError
from engine.evaluate import Context
from engine.evidence.bundle import Bundle
from engine.lang import ast
from engine.lang.compiled import ItemResult
from engine.lang.compiler import compile_rule
from engine.lang.values import Missing, to_json
from engine.library import RuleSet

_WIDTH = 100


def explain(rule_id: str, bundle: Bundle, rules: RuleSet, today: dt.date, pointer: str | None = None) -> str:
    if rule_id not in rules.rule_ids():
        raise DiagnosticError([Diagnostic("CG701", f"no rule `{rule_id}` is loaded",
                                          hint="`clausegate coverage` lists the rules")])
    # Compiled again with every pass kept, from the checked tree (whose node types it needs).
    rule = next(r for r in rules.checked.rules if r.id == rule_id)
    traced = compile_rule(rules.checked, rule, fast=False, keep_passes=True)
    run = traced.run(bundle.data, Context(today))
    result = _pick(run.results, run.collection_where, pointer)
    text = next(s.text for s in rules.sources if s.display == rule.span.file)
    where = ""
    if result.index is not None and run.collection_where:
        where = f" for {run.collection_where}/{result.index}"
        location = bundle.locate(f"{run.collection_where}/{result.index}")
        where += f" ({location})" if location else ""
    lines = [f"{rule.id}{where}: {result.status}" + (f": {result.message}" if result.message else ""),
             f"as of {today.isoformat()}, rule defined at {rule.span.file}:{rule.span.line}", ""]
    lines += _annotated_source(rule, text, result, traced)
    return "\n".join(lines) + "\n"


def _pick(results: list[ItemResult], collection: str | None, pointer: str | None) -> ItemResult:
    if pointer is None:
        # The first item that did not pass says the most; else the first item.
        return next((r for r in results if r.status not in ("pass", "not_applicable")), None) or results[0] \
            if results else _no_items()
    head, _, last = pointer.rpartition("/")
    for result in results:
        if head == collection and last == str(result.index):
            return result
    raise DiagnosticError([Diagnostic("CG702", f"the rule checks no item at {pointer}",
                                      hint=f"its items are {collection}/0, {collection}/1, …" if collection
                                      else "this rule has no `for each`; leave out --item")])


def _no_items() -> ItemResult:
    return ItemResult("not_applicable", None)


def _annotated_source(rule: ast.Rule, text: str, result: ItemResult, traced) -> list[str]:
    values: dict[int, list[tuple[int, tuple[int, int], str]]] = {}
    for node in ast.rule_nodes(rule):
        key = traced.node_index.get(id(node))
        if key is None or key not in result.trace or isinstance(node, ast.Literal):
            continue
        value = result.trace[key]
        if isinstance(node, ast.Var) and isinstance(value, (dict, list)):
            continue  # a whole item or section says nothing its fields do not
        size = (node.span.end_line or 0, node.span.end_column or 0)
        note = f"{traced.source_text(node)} = {_show(value)}"
        values.setdefault(node.span.line, []).append((node.span.column, size, note))
    source = text.splitlines()
    number_width = len(str(rule.span.end_line or rule.span.line))
    out = []
    for line in range(rule.span.line, (rule.span.end_line or rule.span.line) + 1):
        out.append(f"{line:>{number_width}} | {source[line - 1]}")
        for column, _size, note in sorted(values.get(line, [])):
            out.append(f"{'':>{number_width}} | {' ' * (column - 1)}↳ {note}")
    return out


def _show(value) -> str:
    if isinstance(value, Missing):
        return f"(missing: {value.where})"
    shown = to_json(value)
    text = shown if isinstance(shown, str) else json.dumps(shown, ensure_ascii=False)
    return text if len(text) <= _WIDTH else text[:_WIDTH - 1] + "…"
