"""Static checks before anything runs: names, arity, types, schema paths, clauses, ids.

Every problem found in any loaded file is reported at once, each located with a hint.
Helpers are inlined here (after a recursion check), so later stages see plain expressions.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
from dataclasses import dataclass, field

from engine.catalogue import Catalogue
from engine.diagnostics import Diagnostic, DiagnosticError, Span, by_position, snippet, source_line_at
from engine.lang import ast
from engine.lang import types as T
from engine.lang.builtins import BUILTINS
from engine.lang.patterns import PatternError, compile_pattern
from engine.lang.values import CalendarPeriod

SEVERITIES = ("major", "minor", "observation", "improvement")
MAX_INLINED_NODES = 20_000


@dataclass
class CheckedRules:
    rules: list[ast.Rule]
    types: dict[int, T.Type]
    sources: dict[str, str]
    sections: dict[str, T.Type]


@dataclass
class _Scope:
    names: dict[str, T.Type]
    parent: "_Scope | None" = None

    def lookup(self, name: str) -> T.Type | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return None

    def visible(self) -> list[str]:
        out: list[str] = []
        scope: _Scope | None = self
        while scope is not None:
            out.extend(scope.names)
            scope = scope.parent
        return out

    def child(self, names: dict[str, T.Type] | None = None) -> "_Scope":
        return _Scope(dict(names or {}), self)


@dataclass
class _Checker:
    catalogue: Catalogue
    sections: dict[str, T.Type]
    sources: dict[str, str]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    types: dict[int, T.Type] = field(default_factory=dict)
    helpers: dict[str, ast.Helper] = field(default_factory=dict)

    # ---- reporting ----------------------------------------------------------
    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        source = source_line_at(self.sources.get(span.file, ""), span.line)
        self.diagnostics.append(Diagnostic(code, message, span, hint, source))

    # ---- helpers -----------------------------------------------------------
    def collect_helpers(self, files: list[ast.RuleFile]) -> None:
        for f in files:
            for helper in f.helpers:
                if helper.name in BUILTINS:
                    self.error("CG212", f"helper `{helper.name}` has the name of a built-in function",
                               helper.span, "choose another name")
                elif helper.name in self.helpers:
                    first = self.helpers[helper.name].span
                    self.error("CG212", f"helper `{helper.name}` is defined twice", helper.span,
                               f"first defined at {first}")
                else:
                    self.helpers[helper.name] = helper
        self._reject_recursion()

    def _reject_recursion(self) -> None:
        calls = {name: _called_helpers(h.body, self.helpers) for name, h in self.helpers.items()}
        state: dict[str, int] = {}

        def visit(name: str, path: list[str]) -> None:
            state[name] = 1
            for callee in calls[name]:
                if state.get(callee) == 1:
                    cycle = path[path.index(callee):] + [callee] if callee in path else [name, callee]
                    self.error("CG211", f"helper `{callee}` calls itself ({' → '.join(cycle)})",
                               self.helpers[callee].span, "helpers cannot be recursive; rules must always finish")
                    self.helpers[callee] = ast.Helper(self.helpers[callee].span, callee, self.helpers[callee].params,
                                                      ast.Literal(self.helpers[callee].span, None))
                    calls[callee] = set()
                elif state.get(callee) is None:
                    visit(callee, path + [callee])
            state[name] = 2

        for name in sorted(self.helpers):
            if state.get(name) is None:
                visit(name, [name])

    def inline(self, node: ast.Node, budget: list[int]) -> ast.Node:
        """Replace helper calls by their bodies bound to the arguments (fresh copies each time)."""
        budget[0] -= 1
        if budget[0] < 0:
            return node
        for name, value in list(vars(node).items()):
            if isinstance(value, ast.Node):
                setattr(node, name, self.inline(value, budget))
            elif isinstance(value, list):
                setattr(node, name, [self.inline(v, budget) if isinstance(v, ast.Node) else v for v in value])
        if isinstance(node, ast.Call) and node.name in self.helpers:
            helper = self.helpers[node.name]
            if len(node.args) != len(helper.params):
                self.error("CG208", f"helper `{helper.name}` takes {len(helper.params)} argument(s), "
                           f"got {len(node.args)}", node.span, f"defined at {helper.span}")
                return node
            body = self.inline(copy.deepcopy(helper.body), budget)
            return ast.Bind(node.span, list(helper.params), list(node.args), body, helper.name)
        return node

    # ---- rules -------------------------------------------------------------
    def check_rule(self, rule: ast.Rule, root: _Scope) -> None:
        self._check_headers(rule)
        budget = [MAX_INLINED_NODES]
        _replace_rule_exprs(rule, lambda e: self.inline(e, budget))
        if budget[0] < 0:
            self.error("CG217", "helpers expand to too large a rule", rule.id_span or rule.span,
                       f"a rule may expand to at most {MAX_INLINED_NODES} expression nodes")
            return
        scope = root.child()
        names_here: dict[str, Span] = {}
        for position, let in enumerate(rule.rule_lets):
            if position == rule.lets_before_when and rule.when is not None:
                self.condition(rule.when, scope, "`when`")
            self._bind(scope, names_here, let.name, self.expr(let.value, scope), let.span)
        if len(rule.rule_lets) == rule.lets_before_when and rule.when is not None:
            self.condition(rule.when, scope, "`when`")
        if rule.foreach is not None:
            fe = rule.foreach
            collection = self.expr(fe.collection, scope)
            if collection not in (T.ANY, T.NULL) and not T.is_list(collection):
                self.error("CG209", f"`for each` needs a list, but this is {_a(collection)}",
                           fe.collection.span)
            self._bind(scope, names_here, fe.var, T.item_of(collection), fe.span)
            if fe.where is not None:
                self.condition(fe.where, scope, "`where`")
        for let in rule.item_lets:
            self._bind(scope, names_here, let.name, self.expr(let.value, scope), let.span)
        for expect in rule.expects:
            self.condition(expect.condition, scope, "`expect`")
            if expect.message is not None:
                self.template(expect.message, scope)
        if rule.message is not None:
            self.template(rule.message, scope)

    def _bind(self, scope: _Scope, seen: dict[str, Span], name: str, t: T.Type, span: Span) -> None:
        if name in seen:
            self.error("CG215", f"`{name}` is already bound in this rule", span, f"first bound at {seen[name]}")
        seen[name] = span
        scope.names[name] = t

    def _check_headers(self, rule: ast.Rule) -> None:
        where = rule.id_span or rule.span
        counts: dict[str, Span] = {}
        for kind, span in rule.headers_seen:
            if kind in ("severity", "rationale", "remediation") and kind in counts:
                self.error("CG214", f"rule {rule.id} gives `{kind}` twice", span, f"first given at {counts[kind]}")
            counts.setdefault(kind, span)
        if not rule.clauses:
            self.error("CG203", f"rule {rule.id} cites no clause", where,
                       "add a line such as `clause 8.6.1` naming the requirement it checks")
        for number, span in rule.clauses:
            if number not in self.catalogue:
                close = difflib.get_close_matches(number, list(self.catalogue.clauses), n=1, cutoff=0.7)
                hint = f"did you mean `{close[0]}` ({self.catalogue.title(close[0])})?" if close else \
                    "clauses are numbered as in ISO/IEC 20000-1:2018, from 4.1 to 10.2"
                self.error("CG202", f"unknown clause `{number}`", span, hint)
        if rule.severity is None:
            self.error("CG204", f"rule {rule.id} has no severity", where,
                       "add `severity major`, `minor`, `observation` or `improvement`")
        elif rule.severity[0] not in SEVERITIES:
            close = difflib.get_close_matches(rule.severity[0], SEVERITIES, n=1)
            hint = f"did you mean `{close[0]}`?" if close else "use major, minor, observation or improvement"
            self.error("CG204", f"unknown severity `{rule.severity[0]}`", rule.severity[1], hint)
        for kind, span in rule.headers_seen:
            if kind == "when":
                self.error("CG216", "a rule has at most one `when`", span, "combine the conditions with `and`")

    # ---- expressions -------------------------------------------------------
    def condition(self, node: ast.Expr, scope: _Scope, role: str) -> None:
        t = self.expr(node, scope)
        if t not in (T.BOOL, T.ANY, T.NULL):
            self.error("CG209", f"{role} needs a true-or-false condition, but this is {_a(t)}", node.span,
                       "compare it with something, e.g. `!= null` or `> 0`")

    def template(self, template: ast.Template, scope: _Scope) -> None:
        for part in template.parts:
            if not isinstance(part, str):
                self.expr(part, scope)

    def expr(self, node: ast.Expr, scope: _Scope) -> T.Type:
        t = self._expr(node, scope)
        self.types[id(node)] = t
        return t

    def _expr(self, node: ast.Expr, scope: _Scope) -> T.Type:
        if isinstance(node, ast.Literal):
            return _literal_type(node.value)
        if isinstance(node, ast.Today):
            return T.DATE
        if isinstance(node, ast.Var):
            return self._var(node, scope)
        if isinstance(node, ast.Member):
            return self._member(node, self.expr(node.target, scope))
        if isinstance(node, ast.Index):
            return self._index(node, scope)
        if isinstance(node, ast.Call):
            return self._call(node, scope)
        if isinstance(node, ast.Lambda):
            self.error("CG210", "a function (`x -> …`) can only be given to a function such as any() or count()",
                       node.span)
            return T.ANY
        if isinstance(node, ast.Unary):
            return self._unary(node, scope)
        if isinstance(node, ast.Binary):
            return self._binary(node, scope)
        if isinstance(node, ast.If):
            self.condition(node.condition, scope, "`if`")
            return T.unify(self.expr(node.then, scope), self.expr(node.otherwise, scope))
        if isinstance(node, ast.ListExpr):
            item = T.NULL
            for element in node.items:
                item = T.unify(item, self.expr(element, scope))
            return T.ListType(item)  # `[]` is a list of nothing yet: it joins any list type
        if isinstance(node, ast.Bind):
            values = {name: self.expr(v, scope) for name, v in zip(node.names, node.values)}
            return self.expr(node.body, _Scope(dict(values), _root_of(scope)))
        raise AssertionError(f"unchecked node {type(node).__name__}")

    def _var(self, node: ast.Var, scope: _Scope) -> T.Type:
        t = scope.lookup(node.name)
        if t is not None:
            return t
        if node.name in BUILTINS or node.name in self.helpers:
            self.error("CG210", f"`{node.name}` is a function and needs arguments", node.span,
                       f"write `{node.name}(…)`")
            return T.ANY
        self.error("CG205", f"unknown name `{node.name}`", node.span, _did_you_mean(node.name, scope.visible()))
        return T.ANY

    def _member(self, node: ast.Member, target: T.Type, name_span: Span | None = None) -> T.Type:
        if isinstance(target, T.ObjectType):
            fields, closed = target.fields()
            if node.name in fields:
                return fields[node.name]
            if closed:
                owner = snippet(self.sources.get(node.span.file, ""), node.target.span) or "the object"
                self.error("CG206", f"`{owner}` has no field `{node.name}`", name_span or _name_span(node),
                           _did_you_mean(node.name, list(fields)) or _field_list(fields))
            return T.ANY
        if T.is_list(target):
            self.error("CG209", f"cannot read field `{node.name}` of a list", _name_span(node),
                       "use `for each`, or a function such as any(), all(), count() or map()")
        elif target not in (T.ANY, T.NULL):
            self.error("CG209", f"cannot read field `{node.name}` of {_a(target)}", _name_span(node))
        return T.ANY

    def _index(self, node: ast.Index, scope: _Scope) -> T.Type:
        target = self.expr(node.target, scope)
        key = self.expr(node.index, scope)
        if T.is_list(target):
            if key not in (T.NUMBER, T.ANY):
                self.error("CG209", f"a list position must be a number, not {_a(key)}", node.index.span)
            return T.item_of(target)
        if isinstance(target, T.ObjectType):
            if isinstance(node.index, ast.Literal) and isinstance(node.index.value, str):
                quoted = node.index.span  # point inside the quotes, at the name itself
                inside = Span(quoted.file, quoted.line, quoted.column + 1, quoted.end_line,
                              (quoted.end_column or quoted.column + 1) - 1)
                return self._member(ast.Member(node.span, node.target, node.index.value), target, inside)
            return T.ANY
        if target not in (T.ANY, T.NULL):
            self.error("CG209", f"cannot index {_a(target)}", node.span)
        return T.ANY

    def _call(self, node: ast.Call, scope: _Scope) -> T.Type:
        builtin = BUILTINS.get(node.name)
        if builtin is None and node.name in self.helpers:
            # A helper call left in place: its arity or size was already reported.
            for arg in node.args:
                self.expr(arg, scope)
            return T.ANY
        if builtin is None:
            close = _did_you_mean(node.name, [*BUILTINS, *self.helpers])
            self.error("CG207", f"unknown function `{node.name}`", _call_name_span(node), close)
            for arg in node.args:
                if not isinstance(arg, ast.Lambda):
                    self.expr(arg, scope)
            return T.ANY
        n = len(node.args)
        if not builtin.min_args <= n <= builtin.max_args:
            expected = (str(builtin.min_args) if builtin.min_args == builtin.max_args
                        else f"{builtin.min_args} to {builtin.max_args}")
            self.error("CG208", f"{node.name}() takes {expected} argument(s), got {n}", _call_name_span(node),
                       f"{node.name}({', '.join(p.rstrip('?') for p in builtin.params)}): {builtin.summary}")
        arg_types: list[T.Type] = []
        fn_at = builtin.lambda_position()
        for i, arg in enumerate(node.args):
            if isinstance(arg, ast.Lambda):
                if i != fn_at:
                    self.error("CG210", f"argument {i + 1} of {node.name}() cannot be a function", arg.span)
                    arg_types.append(T.ANY)
                    continue
                param_type = T.item_of(arg_types[0]) if arg_types else T.ANY
                body_type = self.expr(arg.body, scope.child({arg.param: param_type}))
                self.types[id(arg)] = body_type
                arg_types.append(body_type)
            else:
                if i == fn_at:
                    self.error("CG210", f"argument {i + 1} of {node.name}() must be a function such as "
                               f"`x -> x.active`", arg.span)
                arg_types.append(self.expr(arg, scope))
        if builtin.params and builtin.params[0] == "list" and arg_types:
            if arg_types[0] not in (T.ANY, T.NULL) and not T.is_list(arg_types[0]):
                self.error("CG209", f"{node.name}() needs a list, but this is {_a(arg_types[0])}",
                           node.args[0].span)
        if node.name == "matches" and len(node.args) == 2:
            self._check_pattern(node.args[1])
        return builtin.result(arg_types) if len(arg_types) >= builtin.min_args else T.ANY

    def _check_pattern(self, arg: ast.Expr) -> None:
        if not (isinstance(arg, ast.Literal) and isinstance(arg.value, str)):
            self.error("CG213", "the pattern of matches() must be written as quoted text", arg.span,
                       "patterns are fixed when rules load, so they can be checked")
            return
        try:
            compile_pattern(arg.value)
        except PatternError as exc:
            self.error("CG213", f"invalid pattern: {exc}", arg.span,
                       "patterns use RE2 syntax (no backreferences or lookaround)")

    def _unary(self, node: ast.Unary, scope: _Scope) -> T.Type:
        t = self.expr(node.operand, scope)
        if node.op == "not":
            if t not in (T.BOOL, T.ANY, T.NULL):
                self.error("CG209", f"`not` needs true or false, but this is {_a(t)}", node.operand.span)
            return T.BOOL
        if t not in (T.NUMBER, T.DURATION, T.ANY, T.NULL):
            self.error("CG209", f"cannot negate {_a(t)}", node.span)
        return t

    def _binary(self, node: ast.Binary, scope: _Scope) -> T.Type:
        left = self.expr(node.left, scope)
        right = self.expr(node.right, scope)
        op = node.op
        if op in ("and", "or"):
            for side, t in ((node.left, left), (node.right, right)):
                if t not in (T.BOOL, T.ANY, T.NULL):
                    self.error("CG209", f"`{op}` needs true or false, but this is {_a(t)}", side.span)
            return T.BOOL
        if op in ("==", "!="):
            if not _comparable(left, right):
                self.error("CG209", f"comparing {_a(left)} with {_a(right)} is never equal",
                           node.span, _conversion_hint(left, right))
            return T.BOOL
        if op in ("<", "<=", ">", ">="):
            self._check_ordering(node, left, right)
            return T.BOOL
        if op in ("in", "not in"):
            if right not in (T.ANY, T.NULL, T.STRING) and not T.is_list(right) \
                    and not isinstance(right, T.ObjectType):
                self.error("CG209", f"`{op}` needs a list or text on its right, but this is {_a(right)}",
                           node.right.span)
            elif T.is_list(right) and not _comparable(left, T.item_of(right)):
                self.error("CG209", f"{_a(left)} is never in {_a(right)}", node.span)
            return T.BOOL
        return self._arith_type(node, left, right)

    def _check_ordering(self, node: ast.Binary, left: T.Type, right: T.Type) -> None:
        for side, t in ((node.left, left), (node.right, right)):
            if t not in T.ORDERED and t not in (T.ANY, T.NULL):
                self.error("CG209", f"`{node.op}` cannot order {_a(t)}", side.span)
                return
        if left in T.ORDERED and right in T.ORDERED and left != right and {left, right} != {T.DATE, T.DATETIME}:
            self.error("CG209", f"cannot compare {_a(left)} with {_a(right)}", node.span,
                       _conversion_hint(left, right))
            return
        if left == right == T.DURATION:
            kinds = {_duration_kind(n) for n in (node.left, node.right)} - {None}
            if kinds == {"months", "exact"}:
                self.error("CG209", "cannot order a duration in months against one in days or hours", node.span,
                           "compare dates instead, e.g. `reviewed_on + 12 months >= today`")

    def _arith_type(self, node: ast.Binary, left: T.Type, right: T.Type) -> T.Type:
        op = node.op
        if T.ANY in (left, right) or T.NULL in (left, right):
            if op in "+-" and T.DURATION in (left, right) and (left in (T.DATE, T.DATETIME)
                                                            or right in (T.DATE, T.DATETIME)):
                return left if left in (T.DATE, T.DATETIME) else right
            return T.NUMBER if T.NUMBER in (left, right) and op in "*/%" and T.DURATION not in (left, right) \
                else T.ANY
        if left == right == T.NUMBER:
            return T.NUMBER
        if op == "+" and left == right == T.STRING:
            return T.STRING
        if op in "+-" and left in (T.DATE, T.DATETIME) and right == T.DURATION:
            if left == T.DATE and _duration_kind(node.right) == "exact-time":
                self.error("CG209", "a date has no time of day: add whole days to it, or use a date-time",
                           node.span)
            return left
        if op == "+" and left == T.DURATION and right in (T.DATE, T.DATETIME):
            return right
        if op == "-" and left == right and left in (T.DATE, T.DATETIME):
            return T.DURATION
        if op in "+-" and left == right == T.DURATION:
            return T.DURATION
        if op == "*" and {left, right} == {T.NUMBER, T.DURATION}:
            return T.DURATION
        if op == "/" and left == T.DURATION and right == T.NUMBER:
            return T.DURATION
        hint = "use days_between(a, b) for the days between a date and a date-time" \
            if op == "-" and {left, right} == {T.DATE, T.DATETIME} else None
        self.error("CG209", f"cannot apply `{op}` to {_a(left)} and {_a(right)}", node.span, hint)
        return T.ANY


def check(files: list[ast.RuleFile], catalogue: Catalogue, sections: dict[str, T.Type],
          known_ids: dict[str, Span] | None = None) -> CheckedRules:
    """Check every file together (rule ids and helpers are library-wide); raise with every
    diagnostic. `known_ids`: the ids of rules checked before (a prebuilt library), which
    these files' rules must not reuse."""
    checker = _Checker(catalogue, sections, {f.path: f.text for f in files})
    checker.collect_helpers(files)
    root = _Scope(dict(sections))
    seen_ids: dict[str, Span] = dict(known_ids or {})
    rules: list[ast.Rule] = []
    for f in files:
        for rule in f.rules:
            if rule.id in seen_ids:
                checker.error("CG201", f"rule id `{rule.id}` is used twice", rule.id_span or rule.span,
                              f"first used at {seen_ids[rule.id]}; rule ids must be unique across all rule files")
            else:
                seen_ids[rule.id] = rule.id_span or rule.span
            checker.check_rule(rule, root)
            rules.append(rule)
    for helper in checker.helpers.values():
        body = checker.inline(copy.deepcopy(helper.body), [MAX_INLINED_NODES])
        checker.expr(body, _Scope({p: T.ANY for p in helper.params}, root))
    if checker.diagnostics:
        raise DiagnosticError(sorted(_unique(checker.diagnostics), key=by_position))
    return CheckedRules(rules, checker.types, checker.sources, sections)


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """A helper body inlined at several call sites reports each of its problems once."""
    seen, out = set(), []
    for d in diagnostics:
        key = (d.code, d.message, d.span)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def _replace_rule_exprs(rule: ast.Rule, fn) -> None:
    for let in (*rule.rule_lets, *rule.item_lets):
        let.value = fn(let.value)
    if rule.when is not None:
        rule.when = fn(rule.when)
    if rule.foreach is not None:
        rule.foreach.collection = fn(rule.foreach.collection)
        if rule.foreach.where is not None:
            rule.foreach.where = fn(rule.foreach.where)
    for expect in rule.expects:
        expect.condition = fn(expect.condition)
        if expect.message is not None:
            _replace_template(expect.message, fn)
    if rule.message is not None:
        _replace_template(rule.message, fn)


def _replace_template(template: ast.Template, fn) -> None:
    template.parts = [p if isinstance(p, str) else fn(p) for p in template.parts]


def _called_helpers(node: ast.Node, helpers: dict[str, ast.Helper]) -> set[str]:
    found: set[str] = set()
    if isinstance(node, ast.Call) and node.name in helpers:
        found.add(node.name)
    for child in ast.children(node):
        found |= _called_helpers(child, helpers)
    return found


def _root_of(scope: _Scope) -> _Scope:
    while scope.parent is not None:
        scope = scope.parent
    return scope


def _literal_type(value) -> T.Type:
    if value is None:
        return T.NULL
    if isinstance(value, bool):
        return T.BOOL
    if isinstance(value, (int, float)):
        return T.NUMBER
    if isinstance(value, str):
        return T.STRING
    if isinstance(value, dt.datetime):
        return T.DATETIME
    if isinstance(value, dt.date):
        return T.DATE
    return T.DURATION


def _duration_kind(node: ast.Expr) -> str | None:
    if isinstance(node, ast.Literal):
        if isinstance(node.value, CalendarPeriod):
            return "months"
        if isinstance(node.value, dt.timedelta):
            return "exact-time" if node.value % dt.timedelta(days=1) else "exact"
    return None


def _comparable(a: T.Type, b: T.Type) -> bool:
    if T.ANY in (a, b) or T.NULL in (a, b) or a == b:
        return True
    if {a, b} == {T.DATE, T.DATETIME}:
        return True
    if isinstance(a, T.ObjectType) and isinstance(b, T.ObjectType):
        return True
    if T.is_list(a) and T.is_list(b):
        return _comparable(T.item_of(a), T.item_of(b))
    return False


def _conversion_hint(a: T.Type, b: T.Type) -> str | None:
    if T.STRING in (a, b) and ({a, b} & {T.DATE, T.DATETIME, T.DURATION}):
        other = (a if b == T.STRING else b).name
        return f"if the text holds a {other}, convert it with {other.replace('-', '')}(…), " \
               f"or give the field `format: {other}` in the schema"
    if T.STRING in (a, b) and T.NUMBER in (a, b):
        return "numbers are written without quotes"
    return None


def _a(t: T.Type) -> str:
    """The type's name with its article: `a list`, `an object`."""
    return ("an " if t.name[0] in "aeiou" else "a ") + t.name


def _did_you_mean(name: str, candidates: list[str]) -> str | None:
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def _field_list(fields: dict[str, T.Type]) -> str | None:
    if not fields:
        return None
    names = sorted(fields)
    shown = ", ".join(f"`{n}`" for n in names[:12])
    return f"its fields are {shown}" + (", …" if len(names) > 12 else "")


def _name_span(node: ast.Member) -> Span:
    """The span of the field name in `target.name` (its last characters)."""
    s = node.span
    if s.end_line is None or s.end_column is None:
        return s
    return Span(s.file, s.end_line, s.end_column - len(node.name) + 1, s.end_line, s.end_column)


def _call_name_span(node: ast.Call) -> Span:
    s = node.span
    return Span(s.file, s.line, s.column, s.line, s.column + len(node.name) - 1)
