"""Checked rules → Python functions, generated once per rule from this module's own templates.

No text of a rule ever becomes code: names in the generated source are made here
(`v3`, `k7`), and every value from a rule (field names, strings, dates, patterns) is a
constant handed to the generated function. The generated function has two paths:

- a fast path, inlined into the loop over items, that uses plain Python operators and
  raises as soon as anything is unusual (an absent field, a null, a type it does not
  expect);
- a careful path with the exact semantics of `runtime`, taken for any item the fast
  path did not pass, which also records the value of every sub-expression so a finding
  can say what decided it.

The fast path only ever answers "passed"; every other answer comes from the careful path,
so the two cannot disagree on a finding.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.lang import ast
from engine.lang import types as T
from engine.lang.builtins import BUILTINS, ITEM_MARK
from engine.lang.compiled import GENERATED_NAMESPACE, READERS, CompiledRule, Once, RuleHeader, SourceText
from engine.lang.patterns import compile_pattern

if TYPE_CHECKING:  # only rules compiled as they load are checked first; the prebuilt are not
    from engine.lang.checker import CheckedRules


# Schema-typed text read as a value: type → (name of the kind, parser).
CONVERSIONS = {kind: (name, READERS[name]) for kind, name in ((T.DATE, "date"), (T.DATETIME, "date-time"),
                                                               (T.DURATION, "duration"))}


def _pointer_token(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


class _Generator:
    def __init__(self, checked: CheckedRules, rule: ast.Rule):
        self.types = checked.types
        self.source_text = SourceText(checked.sources)
        self.rule = rule
        self.constants: list[Any] = []
        self.constant_names: dict[tuple, str] = {}
        self.nodes: list[ast.Node] = []
        self.node_index: dict[int, int] = {}
        self.counter = 0
        self.sections: dict[str, str] = {}  # section name → local holding it
        # Nodes whose fast code can only give True or False (never null), so Python's own
        # `and`, `or` and `not` are exact for them.
        self.strict: set[int] = set()
        self.rule_locals: set[str] = set()  # locals of rule-level lets, the same for every item
        self.hoisted: dict[str, str] = {}  # code building a list's index → the local holding it
        self.hoisted_defined = 0  # how many of them the fast path's code defines so far

    # ---- names and constants -------------------------------------------------
    def fresh(self, prefix: str = "v") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def const(self, value: Any) -> str:
        key = (type(value).__name__, repr(value)) if not callable(value) else ("fn", id(value))
        if key not in self.constant_names:
            self.constants.append(value)
            self.constant_names[key] = f"k{len(self.constants) - 1}"
        return self.constant_names[key]

    def node_key(self, node: ast.Node) -> int:
        if id(node) not in self.node_index:
            self.node_index[id(node)] = len(self.nodes)
            self.nodes.append(node)
        return self.node_index[id(node)]

    def type_of(self, node: ast.Node) -> T.Type:
        return self.types.get(id(node), T.ANY)

    # ---- where evidence is expected -----------------------------------------
    def where(self, node: ast.Expr, env: "_Env") -> str:
        if isinstance(node, ast.Var):
            binding = env.lookup(node.name)
            if binding is not None:
                return binding.where
            return "/" + _pointer_token(node.name)
        if isinstance(node, ast.Member):
            return self.where(node.target, env) + "/" + _pointer_token(node.name)
        if isinstance(node, ast.Index) and isinstance(node.index, ast.Literal):
            return self.where(node.target, env) + "/" + _pointer_token(str(node.index.value))
        return f"`{self.source_text(node)}`"

    # ---- expressions ---------------------------------------------------------
    def expr(self, node: ast.Expr, env: "_Env", fast: bool) -> str:
        code = self._expr(node, env, fast)
        if fast:
            if isinstance(node, ast.Literal) and isinstance(node.value, bool):
                self.strict.add(id(node))
            return code
        return f"_tr(tr, {self.node_key(node)}, {code})"

    def _expr(self, node: ast.Expr, env: "_Env", fast: bool) -> str:
        if isinstance(node, ast.Literal):
            if node.value is None or isinstance(node.value, bool):
                return repr(node.value)
            return self.const(node.value)
        if isinstance(node, ast.Today):
            return "today"
        if isinstance(node, ast.Var):
            return self._var(node, env)
        if isinstance(node, ast.Member):
            return self._member(node, env, fast)
        if isinstance(node, ast.Index):
            return self._index(node, env, fast)
        if isinstance(node, ast.Call):
            return self._call(node, env, fast)
        if isinstance(node, ast.Unary):
            return self._unary(node, env, fast)
        if isinstance(node, ast.Binary):
            return self._binary(node, env, fast)
        if isinstance(node, ast.If):
            c, a, b = (self.expr(n, env, fast) for n in (node.condition, node.then, node.otherwise))
            if fast:
                t = self.fresh("t")
                return f"({a} if ({t} := {c}) is True else {b} if {t} is False else _fb())"
            return f"rt.if_({c}, lambda: {a}, lambda: {b}, {self.const(node.span)})"
        if isinstance(node, ast.ListExpr):
            items = ", ".join(self.expr(i, env, fast) for i in node.items)
            return f"[{items}]" if fast else f"_list_of({items})"
        if isinstance(node, ast.Bind):
            inner = env.root()
            assigns = []
            for name, value in zip(node.names, node.values):
                local = self.fresh()
                assigns.append(f"({local} := {self.expr(value, env, fast)})")
                inner = inner.bind(name, local, self.where(value, env))
            body = self.expr(node.body, inner, fast)
            return f"({', '.join(assigns)}, {body})[-1]" if assigns else body
        raise AssertionError(f"cannot compile {type(node).__name__}")

    def _var(self, node: ast.Var, env: "_Env") -> str:
        binding = env.lookup(node.name)
        if binding is not None:
            return binding.local
        if node.name not in self.sections:
            self.sections[node.name] = f"s_{len(self.sections)}"
        return self.sections[node.name]

    def _typed(self, node: ast.Expr, raw: str, fast: bool) -> str:
        """Evidence text the schema types as a date, date-time or duration, read as one."""
        kind = CONVERSIONS.get(self.type_of(node))
        if kind is None:
            return raw
        if fast and kind[0] == "date":
            return f"pd({raw})"
        if fast and kind[0] == "date-time":
            return f"pdt({raw})"
        if fast and kind[0] == "duration":
            return f"pdur({raw})"
        return f"rt.convert({self.const(kind[1])}, {self.const(kind[0])}, {raw}, {self.const(node.span)})"

    def _member(self, node: ast.Member, env: "_Env", fast: bool) -> str:
        target = self.expr(node.target, env, fast)
        name = self.const(node.name)
        if fast:
            return self._typed(node, f"{target}[{name}]", fast)
        where = self.const(self.where(node, env))
        return self._typed(node, f"rt.member({target}, {name}, {where}, {self.const(node.span)})", fast)

    def _raw_member(self, node: ast.Member, env: "_Env") -> str:
        return f"{self.expr(node.target, env, True)}[{self.const(node.name)}]"

    def _index(self, node: ast.Index, env: "_Env", fast: bool) -> str:
        target = self.expr(node.target, env, fast)
        key = self.expr(node.index, env, fast)
        literal = node.index.value if isinstance(node.index, ast.Literal) else None
        if fast and (isinstance(literal, str) or (type(literal) is int and literal >= 0)):
            return self._typed(node, f"{target}[{key}]", fast)
        where = self.where(node.target, env)
        raw = f"rt.index({target}, {key}, {self.const(where)}, {self.const(node.span)})"
        return self._typed(node, raw, False)

    def _call(self, node: ast.Call, env: "_Env", fast: bool) -> str:
        builtin = BUILTINS[node.name]
        if fast and node.name in ("exists", "default") and isinstance(node.args[0], ast.Member):
            # An absent field reads as None here; a present one is read (as a date, say) as
            # it would be anywhere else, so text that is no date still leaves the fast path.
            member = node.args[0]
            got = f"{self.expr(member.target, env, fast)}.get({self.const(member.name)})"
            t = self.fresh("t")
            value = self._typed(member, t, fast)
            if node.name == "exists":
                self.strict.add(id(node))
                if value == t:
                    return f"({got} is not None)"
                return f"({value} is not None if ({t} := {got}) is not None else False)"
            return f"({value} if ({t} := {got}) is not None else {self.expr(node.args[1], env, fast)})"
        if fast and node.name == "lookup" and self._invariant(node.args[0], env):
            return self._hoisted_lookup(node, env)
        if fast and node.name in ("count", "filter", "first") and len(node.args) == 2 \
                and isinstance(node.args[1], ast.Lambda) and self.types.get(id(node.args[1])) == T.BOOL:
            return self._fast_grouped(node, env) or self._fast_selection(node, env)
        if fast and node.name in ("any", "all", "none") and len(node.args) == 2 \
                and isinstance(node.args[1], ast.Lambda):
            return self._fast_quantifier(node, env)
        if fast and node.name == "map" and isinstance(node.args[1], ast.Lambda):
            # A comprehension, without a function call per item. The built-in's one other
            # case, a function giving a missing value, cannot arise here: this path reads
            # absent evidence as an error, which leaves it.
            items, param, value = self._item_body(node, env)
            return self._over_list(node, env, items, f"[{value} for {param} in {items}]")
        args = []
        for i, arg in enumerate(node.args):
            if isinstance(arg, ast.Lambda):
                param = self.fresh("p")
                item_where = self.where(node.args[0], env) + "/" + ITEM_MARK
                body = self.expr(arg.body, env.bind(arg.param, param, item_where), fast)
                args.append(f"(lambda {param}: {body})")
            elif node.name == "matches" and i == 1:
                args.append(self.const(compile_pattern(arg.value)))
            elif i == 0 and builtin.params[0] == "list":
                args.append(f"charge({self.expr(arg, env, fast)})")  # the walk counts against the budget
            else:
                args.append(self.expr(arg, env, fast))
        function = self.const(builtin.impl)
        if fast:
            return f"{function}({', '.join((['ctx'] if builtin.needs_context else []) + args)})"
        context = ", ctx" if builtin.needs_context else ""
        return f"rt.call({function}, {self.const(node.span)}, ({', '.join(args)},), " \
               f"{builtin.propagate_unknown}{context})"

    def _invariant(self, node: ast.Expr, env: "_Env") -> bool:
        """The expression reads only sections and rule-level lets: the same for every item."""
        if isinstance(node, ast.Var):
            binding = env.lookup(node.name)
            return binding is None or binding.local in self.rule_locals
        if isinstance(node, ast.Member):
            return self._invariant(node.target, env)
        return False

    def _hoisted_lookup(self, node: ast.Call, env: "_Env") -> str:
        """lookup() over a list that is the same for every item: its index is built once,
        before the loop, and each item costs one dictionary read."""
        index = self._hoist(node.args[0], env, "_index_of")
        return f"{index}.get({self.expr(node.args[1], env, True)})"

    def define_hoisted(self, lines: "_Lines") -> None:
        """Define the indexes hoisted since the last call, just before the line that first
        reads them: after the sections and rule-level lets they are built from."""
        for code, local in list(self.hoisted.items())[self.hoisted_defined:]:
            lines.add(f"{local} = {code}")
        self.hoisted_defined = len(self.hoisted)

    def _hoist(self, collection: ast.Expr, env: "_Env", builder: str, *more: str) -> str:
        code = f"{builder}(ctx, {', '.join([f'charge({self.expr(collection, env, True)})', *more])})"
        if code not in self.hoisted:
            self.hoisted[code] = self.fresh("ix")
        return self.hoisted[code]

    def _fast_grouped(self, node: ast.Call, env: "_Env") -> str | None:
        """count/filter/first(xs, x -> x.f == e), or `x -> x.f == e and more`, where xs is the
        same for every item and e does not mention x: the items of xs are grouped by f once,
        before the loop, and each call reads one group (testing `more` on its items only).
        Walking xs for every item instead makes a rule quadratic (every incident title
        against every incident). Only where the comparison is Python's own `==` on this
        path (both sides text, or both numbers: see _binary), which a group's key then
        compares exactly as; `more` is tested as `and` would test it there."""
        lam, body = node.args[1], node.args[1].body
        if not self._invariant(node.args[0], env):
            return None
        test, more = (body.left, body.right) if isinstance(body, ast.Binary) and body.op == "and" else (body, None)
        if not isinstance(test, ast.Binary) or test.op != "==" \
                or not self.type_of(test.left) == self.type_of(test.right) in (T.STRING, T.NUMBER):
            return None
        sides = _field_and_value(test, lam.param)
        if sides is None:
            return None
        read, value = sides
        groups = self._hoist(node.args[0], env, "_groups_of", self.const(read.name))
        group = f"{groups}.get({self.expr(value, env, True)}, ())"
        if more is None:
            return {"count": f"len({group})", "filter": f"list({group})",
                    "first": f"({group} or (None,))[0]"}[node.name]
        param = self.fresh("p")
        item_where = self.where(node.args[0], env) + "/" + ITEM_MARK
        condition = self.expr(more, env.bind(lam.param, param, item_where), True)
        if self.type_of(more) not in (T.BOOL, T.NULL):
            t = self.fresh("t")
            condition = f"({t} if ({t} := {condition}) is True or {t} is False or {t} is None else _fb())"
        if node.name == "first":  # the group keeps the list's order, so its first is the list's
            return f"next(({param} for {param} in {group} if ({condition}) is True), None)"
        selected = f"[{'1' if node.name == 'count' else param} for {param} in {group} if ({condition}) is True]"
        return f"len({selected})" if node.name == "count" else selected

    def _fast_selection(self, node: ast.Call, env: "_Env") -> str:
        """count/filter/first with a true-or-false condition, as one comprehension or generator:
        only `true` selects, exactly as the built-in does, without a function call per item."""
        items, param, condition = self._item_body(node, env)
        if node.name == "first":
            return self._over_list(node, env, items, f"next(({param} for {param} in {items} if ({condition}) is True), None)")
        selected = f"[{'1' if node.name == 'count' else param} for {param} in {items} if ({condition}) is True]"
        return self._over_list(node, env, items, f"len({selected})" if node.name == "count" else selected)

    def _fast_quantifier(self, node: ast.Call, env: "_Env", missing: str = "_fb()") -> str:
        """any/all/none as Python's own any/all over a generator: exact while every condition
        is true or false, so any other value leaves the fast path. `missing`: the code for
        an any() that the careful path would find missing (see _fast_or_after_any)."""
        items, param, condition = self._item_body(node, env)
        if id(node.args[1].body) not in self.strict:
            c = self.fresh("t")
            condition = f"({c} if ({c} := {condition}) is True or {c} is False else _fb())"
        self.strict.add(id(node))
        walk = f"{'all' if node.name == 'all' else 'any'}({condition} for {param} in {items})"
        field = _field_compared(node.args[1]) if node.name in ("any", "none") else None
        if field is not None:
            # `any(xs, x -> x.f == e)` where some items lack f: the careful path makes those
            # items missing, and nothing else (e does not depend on the item), so an item
            # that is true decides as it would there; only with none true do they matter.
            present = f"type({param}) is not dict or {self.const(field)} in {param}"
            if missing != "_fb()":
                # Missing for certain only once e was read (for an item that has f) and held.
                missing = f"({missing} if any({present} for {param} in {items}) else _fb())"
            walk = f"(True if any({condition} for {param} in {items} if {present}) " \
                   f"else False if all({present} for {param} in {items}) else {missing})"
        return self._over_list(node, env, items, ("not " if node.name == "none" else "") + walk)

    def _item_body(self, node: ast.Call, env: "_Env") -> tuple[str, str, str]:
        """For a list function given `x -> body` (a condition, or map's value): the names for
        the list and its item, and the body's fast code over that item."""
        items, param = self.fresh("t"), self.fresh("p")
        lam = node.args[1]
        item_where = self.where(node.args[0], env) + "/" + ITEM_MARK
        return items, param, self.expr(lam.body, env.bind(lam.param, param, item_where), True)

    def _over_list(self, node: ast.Call, env: "_Env", items: str, walk: str) -> str:
        """`walk` over the list the call's first argument gives, leaving when it is no list."""
        return f"({walk} if type({items} := charge({self.expr(node.args[0], env, True)})) is list else _fb())"

    def _unary(self, node: ast.Unary, env: "_Env", fast: bool) -> str:
        operand = self.expr(node.operand, env, fast)
        if fast:
            if node.op == "not" and id(node.operand) in self.strict:
                self.strict.add(id(node))
                return f"(not {operand})"
            if node.op == "not":
                t = self.fresh("t")
                return f"(False if ({t} := {operand}) is True else True if {t} is False else _fb())"
            if self.type_of(node.operand) == T.NUMBER:
                return f"(-{operand})"
        span = self.const(node.span)
        return f"rt.not_({operand}, {span})" if node.op == "not" else f"rt.negate({operand}, {span})"

    def _binary(self, node: ast.Binary, env: "_Env", fast: bool) -> str:
        op = node.op
        if fast and op in ("==", "!=") and (_null_literal(node.left) or _null_literal(node.right)):
            return self._fast_null_test(node, env)
        if fast and op in ("in", "not in") and _string_literals(node.right):
            return self._fast_text_membership(node, env)
        if fast and op == "or" and _any_field_compared(node.left):
            return self._fast_or_after_any(node, env)
        left = self.expr(node.left, env, fast)
        right = self.expr(node.right, env, fast)
        span = self.const(node.span)
        lt, rt_ = self.type_of(node.left), self.type_of(node.right)
        if op in ("and", "or"):
            if fast and id(node.left) in self.strict and id(node.right) in self.strict:
                self.strict.add(id(node))
                return f"({left} {op} {right})"
            if fast:
                t = self.fresh("t")
                if rt_ not in (T.BOOL, T.NULL):
                    # A value of unknown type must still be true, false or null to stand here.
                    u = self.fresh("t")
                    right = f"({u} if ({u} := {right}) is True or {u} is False or {u} is None else _fb())"
                if op == "and":
                    return f"({right} if ({t} := {left}) is True else False if {t} is False else _fb())"
                return f"({right} if ({t} := {left}) is False else True if {t} is True else _fb())"
            return f"rt.{op}_({left}, lambda: {right}, {span})"
        if op in ("==", "!="):
            if fast and lt == rt_ and lt in (T.STRING, T.NUMBER, T.DATE):
                self.strict.add(id(node))
                return f"({left} {op} {right})"
            return f"rt.{'equal' if op == '==' else 'not_equal'}({left}, {right}, {span})"
        if op in ("<", "<=", ">", ">="):
            if fast and lt == rt_ and lt in T.ORDERED:
                self.strict.add(id(node))
                return f"({left} {op} {right})"
            return f"rt.order({self.const(op)}, {left}, {right}, {span})"
        if op in ("in", "not in"):
            if fast and lt == T.STRING:
                # A text is in a list when an equal text is, and in a text as Python says:
                # Python's own `in`, exact for a text; anything else leaves the fast path.
                t, c = self.fresh("t"), self.fresh("t")
                self.strict.add(id(node))
                return f"({t} {op} {c} if type({t} := {left}) is str and (type({c} := {right}) is list " \
                       f"or type({c}) is str) else _fb())"
            function = "contains" if op == "in" else "not_contains"
            return f"rt.{function}({right}, {left}, {span})"
        if fast and self._native_arith(node, lt, rt_):
            return f"({left} {op} {right})"
        return f"rt.arith({self.const(op)}, {left}, {right}, {span})"

    def _fast_or_after_any(self, node: ast.Binary, env: "_Env") -> str:
        """`any(xs, x -> x.f == e) or b`: when the any() is missing for certain (items lack f,
        none is true, e held), `or` is still true if b is, as on the careful path; the any()
        hands `_missing` (a marker no other code sees) to this test only."""
        left = self._fast_quantifier(node.left, env, missing="_missing")
        right = self.expr(node.right, env, True)
        t, u = self.fresh("t"), self.fresh("t")
        self.strict.add(id(node))
        return f"(True if ({t} := {left}) is True else True if ({u} := {right}) is True " \
               f"else False if {t} is False and {u} is False else _fb())"

    def _fast_text_membership(self, node: ast.Binary, env: "_Env") -> str:
        """`x in ["a", "b"]`: a set look-up, exact when x is text (anything else leaves)."""
        left = self.expr(node.left, env, True)
        names = self.const(frozenset(item.value for item in node.right.items))
        self.strict.add(id(node))
        if self.type_of(node.left) == T.STRING:
            return f"({left} {node.op} {names})"
        t = self.fresh("t")
        return f"(({t} := {left}) {node.op} {names} if type({t}) is str else _fb())"

    def _fast_null_test(self, node: ast.Binary, env: "_Env") -> str:
        """`x == null` / `x != null` on the fast path; the other side's code is made only here,
        so nothing is generated (or hoisted before the loop) that the test does not use."""
        other = node.right if _null_literal(node.left) else node.left
        negate = "" if node.op == "==" else "not "
        self.strict.add(id(node))
        if isinstance(other, ast.Call) and other.name == "lookup" and self._invariant(other.args[0], env):
            # Whether a look-up finds anything is whether the list's set of ids holds the id.
            ids = self._hoist(other.args[0], env, "_ids_of")
            return f"({self.expr(other.args[1], env, True)} {'not in' if negate == '' else 'in'} {ids})"
        # Null-ness does not depend on reading text as a date, so the raw value will do.
        raw = self._raw_member(other, env) if isinstance(other, ast.Member) else self.expr(other, env, True)
        return f"({raw} is {negate}None)"

    @staticmethod
    def _native_arith(node: ast.Binary, lt: T.Type, rt_: T.Type) -> bool:
        if lt == rt_ == T.NUMBER or (node.op == "+" and lt == rt_ == T.STRING):
            return True
        if node.op == "-" and lt == rt_ and lt in (T.DATE, T.DATETIME):
            return True
        # Python adds a timedelta to a date-time (and whole days to a date); a duration read
        # from the evidence may be months, which only the runtime adds.
        days_and_times = isinstance(node.right, ast.Literal) and isinstance(node.right.value, dt.timedelta)
        if node.op in "+-" and lt == T.DATETIME and rt_ == T.DURATION:
            return days_and_times
        return node.op in "+-" and lt == T.DATE and days_and_times and not node.right.value % dt.timedelta(days=1)

    def template(self, template: ast.Template | None, env: "_Env") -> str:
        if template is None:
            return "None"
        parts = [self.const(p) if isinstance(p, str) else f"_text({self.expr(p, env, False)})"
                 for p in template.parts]
        return f"''.join(({', '.join(parts)},))"


def _field_compared(lam: ast.Lambda) -> str | None:
    """The field f when the function is `x -> x.f == e` (or `!=`, either way round) and e
    does not mention x: its items' only way to be missing is to lack f."""
    body = lam.body
    if not isinstance(body, ast.Binary) or body.op not in ("==", "!="):
        return None
    sides = _field_and_value(body, lam.param)
    return sides[0].name if sides is not None else None


def _field_and_value(test: ast.Binary, param: str) -> tuple[ast.Member, ast.Expr] | None:
    """`x.f` and e when a comparison reads `x.f` on one side and, on the other, an e that
    does not mention x: e is the same for every item x."""
    for read, other in ((test.left, test.right), (test.right, test.left)):
        if isinstance(read, ast.Member) and isinstance(read.target, ast.Var) and read.target.name == param \
                and not _mentions(other, param):
            return read, other
    return None


def _any_field_compared(node: ast.Expr) -> bool:
    return isinstance(node, ast.Call) and node.name == "any" and len(node.args) == 2 \
        and isinstance(node.args[1], ast.Lambda) and _field_compared(node.args[1]) is not None


def _mentions(node: ast.Node, name: str) -> bool:
    return (isinstance(node, ast.Var) and node.name == name) or any(_mentions(c, name) for c in ast.children(node))


def _string_literals(node: ast.Expr) -> bool:
    return isinstance(node, ast.ListExpr) and bool(node.items) \
        and all(isinstance(item, ast.Literal) and type(item.value) is str for item in node.items)


def _null_literal(node: ast.Expr) -> bool:
    return isinstance(node, ast.Literal) and node.value is None


@dataclass(frozen=True)
class _Binding:
    local: str
    where: str


@dataclass(frozen=True)
class _Env:
    names: tuple[tuple[str, _Binding], ...] = ()

    def bind(self, name: str, local: str, where: str) -> "_Env":
        return _Env(((name, _Binding(local, where)),) + self.names)

    def lookup(self, name: str) -> _Binding | None:
        for bound, binding in self.names:
            if bound == name:
                return binding
        return None

    def root(self) -> "_Env":
        return _Env()


class _Lines:
    """Indented lines of generated source."""

    def __init__(self, depth: int = 0):
        self.lines: list[str] = []
        self.depth = depth

    def add(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    def add_block(self, text: str) -> None:
        """Lines of fixed code, indented as written, at the current depth."""
        for line in text.splitlines():
            self.add(line)

    @contextlib.contextmanager
    def indent(self):
        self.depth += 1
        yield
        self.depth -= 1

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@dataclass
class GeneratedRule:
    """A rule's generated source, in two parts. `source` defines `function_name(K, careful)`,
    which returns the rule's run function given its constants and a function giving its
    careful part; `careful_source` defines `careful_name(K)`, which returns that part. The
    fast part answers every item that plainly passes; the careful part, which most runs of
    a passing rule never need, is kept apart so that it can be loaded only when needed.
    `nodes` are the syntax nodes in trace-key order."""

    header: RuleHeader
    function_name: str
    source: str
    careful_name: str
    careful_source: str
    constants: tuple
    rule: ast.Rule
    nodes: list[ast.Node]


def compile_rule(checked: CheckedRules, rule: ast.Rule, fast: bool = True, keep_passes: bool = False) -> CompiledRule:
    """`fast=False` leaves out the fast path (tests compare the two paths' findings);
    `keep_passes` (with fast=False) also returns each passing item's result and trace, for
    `clausegate explain`."""
    generated = generate_rule(checked, rule, fast, keep_passes)
    namespace = dict(GENERATED_NAMESPACE)
    source = generated.source + generated.careful_source
    exec(compile(source, "<compiled rule>", "exec"), namespace)  # noqa: S102 - built from our own templates only
    careful = namespace[generated.careful_name]
    run = namespace[generated.function_name](generated.constants, Once(lambda: careful(generated.constants)))
    nodes = generated.nodes
    return CompiledRule(generated.header, run, lambda: (rule, nodes), SourceText(checked.sources))


def generate_rule(checked: CheckedRules, rule: ast.Rule, fast: bool = True, keep_passes: bool = False,
                  function_name: str = "build", careful_name: str = "build_careful") -> GeneratedRule:
    gen = _Generator(checked, rule)
    let_locals = [gen.fresh() for _ in rule.rule_lets]
    gen.rule_locals = set(let_locals)
    item_local = gen.fresh("item")
    # The fast part first: trace keys and constants are numbered in the order code is made.
    body, guard, collection_where = _fast_part(gen, rule, let_locals, item_local)
    careful = _careful_part(gen, rule, let_locals, item_local, collection_where, keep_passes)
    parameters = ", ".join(["root", "ctx", *_handed(rule, let_locals)])
    source = _module(gen, body, function_name, "K, careful", "run(root, ctx)", guard if fast else "False")
    careful_source = _module(gen, careful, careful_name, "K", f"careful_run({parameters})")
    return GeneratedRule(RuleHeader.of(rule), function_name, source, careful_name, careful_source,
                         tuple(gen.constants), rule, gen.nodes)


def _handed(rule: ast.Rule, let_locals: list[str]) -> list[str]:
    """What the fast part hands its careful part besides the evidence and the context."""
    return ["passed", "slow", "coll", *let_locals] if rule.foreach is not None else []


def _fast_part(gen: _Generator, rule: ast.Rule, let_locals: list[str], item_local: str) -> tuple[_Lines, str, str | None]:
    """The prelude (rule-level lets, `when`, the collection) and the loop over the items;
    with the guard under which it runs (its sections are there) and where the items are."""
    fe = rule.foreach
    body = _Lines(depth=2)
    if fe is not None:
        body.add("passed = 0")
    body.add("fast = False")
    prelude = _Lines(depth=4)
    env = _fast_prelude(gen, prelude, rule, let_locals)
    collection_where = gen.where(fe.collection, env) if fe is not None else None
    body.add("if GUARD:")
    with body.indent():
        body.add("try:")
        with body.indent():
            body.lines.append("PRELUDE")
        body.add("except Exception:")
        with body.indent():
            body.add("fast = False")
    if fe is None:
        body.add("return careful()(root, ctx)")
    else:
        loop = _Lines(depth=body.depth + 1)
        _fast_loop(gen, loop, rule, env.bind(fe.var, item_local, "{item}"), item_local)
        gen.define_hoisted(prelude)
        body.add("if fast:")
        with body.indent():
            body.add("slow = []")
            body.lines.extend(loop.lines)
            body.add("if not slow:")
            with body.indent():
                body.add(f"return RuleRun(passed, [], {gen.const(collection_where)})")
            body.add(f"return careful()(root, ctx, {', '.join(_handed(rule, let_locals))})")
        body.add(f"return careful()(root, ctx, {', '.join(['0'] + ['None'] * (len(let_locals) + 2))})")
    marker = body.lines.index("PRELUDE")
    body.lines[marker:marker + 1] = prelude.lines
    guard = " and ".join(f"type({local}) is not Missing" for local in gen.sections.values()) or "True"
    return body, guard, collection_where


# The careful part's walk over the items the fast part left; a passing item is counted, or
# kept (for `clausegate explain`) when count_passes is empty.
_CAREFUL_LOOP = """\
results = []
for i in slow:
    try:
        r = careful(i, coll[i])
    except EvalError as err:
        r = ItemResult('error', i, error=err)
    if r is None:
        continue
{count_passes}    r.item = coll[i]
    results.append(r)
"""
_COUNT_PASSES = """\
    if r.status == 'pass':
        passed += 1
        continue
"""


def _careful_part(gen: _Generator, rule: ast.Rule, let_locals: list[str], item_local: str,
                  collection_where: str | None, keep_passes: bool) -> _Lines:
    """Every item the fast part did not pass, or all of them when its prelude could not run
    (`slow` is None then, and the careful prelude runs instead)."""
    fe = rule.foreach
    lines = _Lines(depth=2)
    lines.add("tr = {}")
    if fe is None:
        env = _careful_prelude(gen, lines, rule, let_locals)
        _careful_item(gen, lines, rule, env, None, keep_passes)
        lines.add("return RuleRun(0, [r], None)")
        return lines
    lines.add("if slow is None:")
    with lines.indent():
        env = _careful_prelude(gen, lines, rule, let_locals)
        lines.add("slow = range(len(coll))")
    lines.add("rule_tr = tr")
    lines.add(f"def careful(i, {item_local}):")
    with lines.indent():
        lines.add("tr = dict(rule_tr)")
        _careful_item(gen, lines, rule, env.bind(fe.var, item_local, "{item}"), "i", keep_passes)
        lines.add("return r")
    lines.add_block(_CAREFUL_LOOP.format(count_passes="" if keep_passes else _COUNT_PASSES))
    lines.add(f"return RuleRun(passed, results, {gen.const(collection_where)})")
    return lines


def _module(gen: _Generator, body: _Lines, function_name: str, parameters: str, inner: str,
            guard: str = "") -> str:
    """`def function_name(parameters)`, which defines `inner` (the body, with the constants,
    the date, the readers and the sections as locals) and returns it."""
    hoist = [f"{local} = rt.member(root, {gen.const(name)}, {gen.const('/' + _pointer_token(name))}, None)"
             for name, local in gen.sections.items()]
    out = _Lines()
    out.add(f"def {function_name}({parameters}):")
    with out.indent():
        out.add(f"def {inner}:")
        with out.indent():
            if gen.constants:
                # Locals, not closure cells: the item loop reads them millions of times.
                out.add(", ".join(f"k{i}" for i in range(len(gen.constants))) + ", = K")
            out.add("today = ctx.today")
            out.add("pd, pdt, pdur, charge = _pd, _pdt, _pdur, ctx.charge")
            for line in hoist:
                out.add(line)
            out.lines.extend(line.replace("if GUARD:", f"if {guard}:") for line in body.lines)
        out.add(f"return {inner.partition('(')[0]}")
    return out.text()


def _fast_prelude(gen: _Generator, lines: _Lines, rule: ast.Rule, let_locals: list[str]) -> _Env:
    """Rule-level lets, `when` and the collection on the fast path; a rule without `for each`
    returns its pass from here. The lets use the same locals as the careful path's."""
    env = _Env()
    for position, (let, local) in enumerate(zip(rule.rule_lets, let_locals)):
        if position == rule.lets_before_when:
            _fast_when(gen, lines, rule, env)
        value = gen.expr(let.value, env, True)
        gen.define_hoisted(lines)
        lines.add(f"{local} = {value}")
        env = env.bind(let.name, local, gen.where(let.value, env))
    if len(rule.rule_lets) == rule.lets_before_when:
        _fast_when(gen, lines, rule, env)
    if rule.foreach is None:
        condition = _all_true(gen, rule, env)
        gen.define_hoisted(lines)
        lines.add(f"if {condition}:")
        with lines.indent():
            lines.add("return RuleRun(1, [], None)")
        lines.add("_fb()")
    else:
        collection = gen.expr(rule.foreach.collection, env, True)
        gen.define_hoisted(lines)
        lines.add(f"coll = charge({collection})")
        lines.add("if type(coll) is not list:")
        with lines.indent():
            lines.add("_fb()")
        lines.add("fast = True")
    return env


def _careful_prelude(gen: _Generator, lines: _Lines, rule: ast.Rule, let_locals: list[str]) -> _Env:
    """Rule-level lets, `when` and the collection with exact semantics."""
    env = _Env()
    for position, (let, local) in enumerate(zip(rule.rule_lets, let_locals)):
        if position == rule.lets_before_when:
            _careful_when(gen, lines, rule, env)
        lines.add(f"{local} = {gen.expr(let.value, env, False)}")
        env = env.bind(let.name, local, gen.where(let.value, env))
    if len(rule.rule_lets) == rule.lets_before_when:
        _careful_when(gen, lines, rule, env)
    fe = rule.foreach
    if fe is not None:
        lines.add(f"coll = {gen.expr(fe.collection, env, False)}")
        lines.add("if type(coll) is Missing:")
        with lines.indent():
            lines.add("return RuleRun(0, [ItemResult('missing', None, missing=coll, trace=tr)], None)")
        lines.add("if coll is None:")
        with lines.indent():
            lines.add("coll = []")
        lines.add("if type(coll) is not list:")
        with lines.indent():
            lines.add(f"raise EvalError('`for each` needs a list, got a ' + rt.type_name(coll), "
                      f"{gen.const(fe.collection.span)})")
        lines.add("charge(coll)")
    return env


def _fast_when(gen: _Generator, lines: _Lines, rule: ast.Rule, env: _Env) -> None:
    if rule.when is not None:
        condition = gen.expr(rule.when, env, True)
        gen.define_hoisted(lines)
        lines.add(f"if ({condition}) is not True:")
        with lines.indent():
            lines.add("_fb()")


def _careful_when(gen: _Generator, lines: _Lines, rule: ast.Rule, env: _Env) -> None:
    if rule.when is not None:
        lines.add(f"w = rt.truth({gen.expr(rule.when, env, False)}, {gen.const(rule.when.span)}, "
                  "'condition of `when`')")
        lines.add("if w is not True:")
        with lines.indent():
            lines.add("return RuleRun(0, [ItemResult('missing' if type(w) is Missing else 'not_applicable', None, "
                      "missing=w if type(w) is Missing else None, trace=tr)], None)")


def _all_true(gen: _Generator, rule: ast.Rule, env: _Env) -> str:
    return " and ".join(_is_true(gen, e.condition, env) for e in rule.expects)


def _is_true(gen: _Generator, node: ast.Expr, env: _Env) -> str:
    code = gen.expr(node, env, True)
    return code if id(node) in gen.strict else f"({code}) is True"


def _fast_loop(gen: _Generator, lines: _Lines, rule: ast.Rule, env: _Env, item_local: str) -> None:
    """The loop over items with every check inlined; anything but a clear pass goes to `slow`."""
    fe = rule.foreach
    lines.add(f"for i, {item_local} in enumerate(coll):")
    with lines.indent():
        lines.add("try:")
        with lines.indent():
            strict_where = False
            if fe.where is not None:
                where = gen.expr(fe.where, env, True)
                strict_where = id(fe.where) in gen.strict
                # Most items usually fail a filter, so its test comes first and stores nothing;
                # a field read is cheap enough to read again for the items that pass it.
                if strict_where:
                    lines.add(f"if not ({where}):")
                elif _plain_read(gen, fe.where):
                    lines.add(f"if {where} is False:")
                else:
                    lines.add(f"w = {where}")
                    lines.add("if w is False:")
                    where = "w"
                with lines.indent():
                    lines.add("continue")
                if not strict_where:
                    lines.add(f"if {where} is True:")
                    lines.depth += 1
            for let in rule.item_lets:
                local = gen.fresh()
                lines.add(f"{local} = {gen.expr(let.value, env, True)}")
                env = env.bind(let.name, local, gen.where(let.value, env))
            lines.add(f"if {_all_true(gen, rule, env)}:")
            with lines.indent():
                if fe.where is not None:
                    lines.add("passed += 1")
                lines.add("continue")
            if fe.where is not None and not strict_where:
                lines.depth -= 1
        lines.add("except Exception:")
        with lines.indent():
            lines.add("pass")
        lines.add("slow.append(i)")
    if fe.where is None:
        # Without a filter every item the loop did not send to the careful path passed.
        lines.add("passed = len(coll) - len(slow)")


def _plain_read(gen: _Generator, node: ast.Expr) -> bool:
    """Fast code for the node only reads fields and list places: no call, nothing computed."""
    if isinstance(node, ast.Var):
        return True
    if isinstance(node, (ast.Member, ast.Index)) and gen.type_of(node) not in CONVERSIONS:
        if isinstance(node, ast.Index) and not isinstance(node.index, ast.Literal):
            return False
        return _plain_read(gen, node.target)
    return False


def _careful_item(gen: _Generator, lines: _Lines, rule: ast.Rule, env: _Env, index: str | None,
                  keep_passes: bool) -> None:
    """Exact evaluation of one item; leaves its ItemResult in `r` (None when filtered out,
    unless `keep_passes`, which keeps a not-applicable result with its trace)."""
    index = index or "None"
    fe = rule.foreach
    lines.add("r = None")
    lines.add("while True:")
    with lines.indent():
        if fe is not None and fe.where is not None:
            lines.add(f"w = rt.truth({gen.expr(fe.where, env, False)}, {gen.const(fe.where.span)}, "
                      "'condition of `where`')")
            lines.add("if type(w) is Missing:")
            with lines.indent():
                lines.add(f"r = ItemResult('missing', {index}, missing=w, trace=tr)")
                lines.add("break")
            lines.add("if w is not True:")
            with lines.indent():
                if keep_passes:
                    lines.add(f"r = ItemResult('not_applicable', {index}, trace=tr)")
                lines.add("break")
        for let in rule.item_lets:
            local = gen.fresh()
            lines.add(f"{local} = {gen.expr(let.value, env, False)}")
            env = env.bind(let.name, local, gen.where(let.value, env))
        for number, expect in enumerate(rule.expects):
            lines.add(f"e = rt.truth({gen.expr(expect.condition, env, False)}, {gen.const(expect.condition.span)}, "
                      "'condition of `expect`')")
            lines.add("if type(e) is Missing:")
            with lines.indent():
                lines.add(f"r = ItemResult('missing', {index}, expect={number}, missing=e, trace=tr)")
                lines.add("break")
            lines.add("if e is not True:")
            with lines.indent():
                message = expect.message or rule.message
                lines.add(f"r = ItemResult('fail', {index}, expect={number}, trace=tr)")
                lines.add("try:")
                with lines.indent():
                    lines.add(f"r.message = {gen.template(message, env)}")
                lines.add("except EvalError:")
                with lines.indent():
                    lines.add("r.message = None")
                lines.add("break")
        lines.add(f"r = ItemResult('pass', {index}, trace=tr)")
        lines.add("break")


def compile_rules(checked: CheckedRules, fast: bool = True) -> list[CompiledRule]:
    return [compile_rule(checked, rule, fast) for rule in checked.rules]
