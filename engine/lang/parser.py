"""Rule source text → typed AST. Lark's errors become located diagnostics with hints."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from importlib import resources
from pathlib import Path

import lark
from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from engine.diagnostics import Diagnostic, DiagnosticError, Span, source_line_at
from engine.lang import ast
from engine.lang.limits import DEFAULT_RULE_LIMITS
from engine.lang.values import duration_literal, parse_datetime

# How the grammar's terminals read in an error message.
_FRIENDLY = {
    "NAME": "a name",
    "RULE_ID": "a rule id",
    "CLAUSE_REF": "a clause number",
    "TAG": "a tag",
    "STRING": "a quoted text",
    "LONG_STRING": "a quoted text",
    "NUMBER": "a number",
    "DATE": "a date",
    "DATETIME": "a date-time",
    "UNIT": "a unit",
    "COMPARE": "a comparison",
    "ADD_OP": "`+` or `-`",
    "MUL_OP": "`*`, `/` or `%`",
    "$END": "the end of the file",
}


_OPTIONS = dict(parser="lalr", lexer="contextual", start=["file", "expr"], propagate_positions=True,
                maybe_placeholders=True)
CACHE_FILE = "grammar.cache"


def cache_key(grammar: str) -> str:
    """What a shipped parser table was built from: the grammar and options, and Lark's version
    (a different Lark builds its own tables)."""
    material = f"{grammar}\0{sorted(_OPTIONS.items())}"
    return f"{hashlib.sha256(material.encode('utf-8')).hexdigest()} lark-{lark.__version__}"


@functools.cache
def _lark() -> Lark:
    """The parser. Building LALR tables takes a tenth of a second, so the package ships them
    (`grammar.cache`, written by `write_parser_cache`) and uses them when they match."""
    folder = resources.files("engine.lang")
    grammar = folder.joinpath("grammar.lark").read_text("utf-8")
    cached = folder.joinpath(CACHE_FILE)
    if cached.is_file():
        with cached.open("rb") as handle:
            if handle.readline().decode("ascii").strip() == cache_key(grammar):
                return Lark.load(handle)
    return Lark(grammar, **_OPTIONS)


def write_parser_cache(folder: Path) -> Path:
    """Write the parser tables for the grammar in `folder` (run after editing the grammar)."""
    grammar = (folder / "grammar.lark").read_text("utf-8")
    target = folder / CACHE_FILE
    with target.open("wb") as handle:
        handle.write(cache_key(grammar).encode("ascii") + b"\n")
        Lark(grammar, **_OPTIONS).save(handle)
    return target


def parse_rules(text: str, path: str, max_depth: int = DEFAULT_RULE_LIMITS.max_expression_depth) -> ast.RuleFile:
    """Parse one rule file; raises DiagnosticError on a syntax error or too deep an expression."""
    tree = _parse(text, path, "file", line_offset=0, column_offset=0)
    _check_depth(tree, text, path, max_depth)
    builder = _Builder(path, text)
    try:
        items = builder.transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, DiagnosticError):
            raise exc.orig_exc from None
        raise
    rules = [i for i in items.children if isinstance(i, ast.Rule)]
    helpers = [i for i in items.children if isinstance(i, ast.Helper)]
    return ast.RuleFile(path=path, text=text, rules=rules, helpers=helpers)


def _check_depth(tree, text: str, path: str, max_depth: int) -> None:
    """Refuse expressions nested deeper than the limit before anything recurses over them
    (the parser itself does not recurse; the later stages do)."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            meta = node.meta
            span = Span(path, meta.line, meta.column)
            raise DiagnosticError([Diagnostic(
                "CG105", f"expression nested more than {max_depth} deep", span,
                "split it with `let`, or raise --limit max_expression_depth=N", source_line_at(text, meta.line))])
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


def _parse(text: str, path: str, start: str, line_offset: int, column_offset: int, origin: str | None = None):
    try:
        return _lark().parse(text, start=start)
    except UnexpectedInput as exc:
        raise DiagnosticError([_syntax_diagnostic(exc, text, path, line_offset, column_offset, origin)]) from None


def _syntax_diagnostic(exc: UnexpectedInput, text: str, path: str, line_offset: int, column_offset: int,
                       origin: str | None) -> Diagnostic:
    line = getattr(exc, "line", 1) or 1
    column = getattr(exc, "column", 1) or 1
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        lines = text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    shown_column = column + (column_offset if line == 1 else 0)
    span = Span(path, line + line_offset, shown_column)
    source = origin if origin is not None else source_line_at(text, line)
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        hint = "text must be in double quotes" if char in "'`" else None
        return Diagnostic("CG101", f"unexpected character {char!r}", span, hint, source)
    expected = sorted({_FRIENDLY.get(t, f"`{_keyword(t)}`") for t in getattr(exc, "expected", set())})
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        found = f"`{exc.token.value}`"
        span = Span(path, line + line_offset, shown_column, line + line_offset, shown_column + len(exc.token.value) - 1)
    else:
        found = "end of input"
    hint = _expected_hint(expected)
    if isinstance(exc, UnexpectedToken) and exc.token.value == "=":
        hint = "to compare two values write `==`; `=` only names a value in `let`"
    elif isinstance(exc, UnexpectedToken) and exc.token.type in ("NAME", "RULE_ID") and "UNIT" in exc.expected:
        hint = "durations are written in minutes, hours, days, weeks, months or years"
    elif isinstance(exc, UnexpectedToken) and exc.token.type == "COMPARE":
        hint = "comparisons cannot be chained: write `a < b and b < c`"
    return Diagnostic("CG102", f"unexpected {found}", span, hint, source)


def _keyword(terminal: str) -> str:
    names = {"LPAR": "(", "RPAR": ")", "LSQB": "[", "RSQB": "]", "COMMA": ",", "DOT": ".", "EQUAL": "=",
             "MINUS": "-", "LBRACE": "{", "RBRACE": "}", "__ANON_0": "->"}
    return names.get(terminal, terminal.lower())


def _expected_hint(expected: list[str]) -> str | None:
    if not expected:
        return None
    if len(expected) > 8:
        return "expected " + ", ".join(expected[:8]) + ", …"
    return "expected " + ", ".join(expected)


def _span(path: str, meta) -> Span:
    return Span(path, meta.line, meta.column, meta.end_line, meta.end_column - 1)


def _token_span(path: str, token: Token) -> Span:
    return Span(path, token.line, token.column, token.end_line, token.end_column - 1)


def unquote(token: Token) -> str:
    raw = str(token)
    if raw.startswith('"""'):
        return raw[3:-3]
    body = raw[1:-1]
    out = []
    i = 0
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], "\\" + body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


class _Builder(Transformer):
    """Turns Lark's tree into AST dataclasses; nothing past this class sees a Lark tree."""

    def __init__(self, path: str, text: str):
        super().__init__()
        self.path = path
        self.text = text

    def _s(self, meta) -> Span:
        return _span(self.path, meta)

    # ---- literals -------------------------------------------------------
    @v_args(meta=True)
    def number(self, meta, children):
        raw = str(children[0])
        return ast.Literal(self._s(meta), float(raw) if "." in raw else int(raw))

    @v_args(meta=True)
    def string(self, meta, children):
        return ast.Literal(self._s(meta), unquote(children[0]))

    @v_args(meta=True)
    def date(self, meta, children):
        try:
            return ast.Literal(self._s(meta), dt.date.fromisoformat(str(children[0])))
        except ValueError:
            raise self._error("CG103", f"`{children[0]}` is not a calendar date", meta, "dates are written YYYY-MM-DD")

    @v_args(meta=True)
    def datetime(self, meta, children):
        try:
            return ast.Literal(self._s(meta), parse_datetime(str(children[0])))
        except ValueError:
            raise self._error("CG103", f"`{children[0]}` is not a valid date-time", meta,
                              "date-times are written YYYY-MM-DDThh:mm:ssZ")

    @v_args(meta=True)
    def duration(self, meta, children):
        amount_raw, unit = str(children[0]), str(children[1])
        amount = float(amount_raw) if "." in amount_raw else int(amount_raw)
        try:
            return ast.Literal(self._s(meta), duration_literal(amount, unit))
        except ValueError as exc:
            raise self._error("CG103", str(exc), meta, None)

    @v_args(meta=True)
    def true(self, meta, _):
        return ast.Literal(self._s(meta), True)

    @v_args(meta=True)
    def false(self, meta, _):
        return ast.Literal(self._s(meta), False)

    @v_args(meta=True)
    def null(self, meta, _):
        return ast.Literal(self._s(meta), None)

    @v_args(meta=True)
    def today(self, meta, _):
        return ast.Today(self._s(meta))

    @v_args(meta=True)
    def var(self, meta, children):
        return ast.Var(self._s(meta), str(children[0]))

    @v_args(meta=True)
    def list_(self, meta, children):
        return ast.ListExpr(self._s(meta), [c for c in children if c is not None])

    # ---- operators -------------------------------------------------------
    @v_args(meta=True)
    def member(self, meta, children):
        return ast.Member(self._s(meta), children[0], str(children[1]))

    @v_args(meta=True)
    def index(self, meta, children):
        return ast.Index(self._s(meta), children[0], children[1])

    @v_args(meta=True)
    def call(self, meta, children):
        name, *args = children
        return ast.Call(self._s(meta), str(name), [a for a in args if a is not None])

    @v_args(meta=True)
    def lambda_(self, meta, children):
        return ast.Lambda(self._s(meta), str(children[0]), children[1])

    @v_args(meta=True)
    def neg(self, meta, children):
        return ast.Unary(self._s(meta), "-", children[0])

    @v_args(meta=True)
    def not_(self, meta, children):
        return ast.Unary(self._s(meta), "not", children[0])

    def _binary(self, meta, op, left, right):
        return ast.Binary(self._s(meta), op, left, right)

    @v_args(meta=True)
    def and_(self, meta, c):
        return self._binary(meta, "and", c[0], c[1])

    @v_args(meta=True)
    def or_(self, meta, c):
        return self._binary(meta, "or", c[0], c[1])

    @v_args(meta=True)
    def compare(self, meta, c):
        return self._binary(meta, str(c[1]), c[0], c[2])

    @v_args(meta=True)
    def arith(self, meta, c):
        return self._binary(meta, str(c[1]), c[0], c[2])

    @v_args(meta=True)
    def in_(self, meta, c):
        return self._binary(meta, "in", c[0], c[1])

    @v_args(meta=True)
    def not_in(self, meta, c):
        return self._binary(meta, "not in", c[0], c[1])

    @v_args(meta=True)
    def if_expr(self, meta, c):
        return ast.If(self._s(meta), c[0], c[1], c[2])

    # ---- rule structure --------------------------------------------------
    def _template(self, token: Token) -> ast.Template:
        return parse_template(token, self.path, self.text)

    @v_args(meta=True)
    def helper(self, meta, children):
        name, *params, body = children
        return ast.Helper(self._s(meta), str(name), [str(p) for p in params if p is not None], body)

    @v_args(meta=True)
    def let(self, meta, c):
        return ast.Let(self._s(meta), str(c[0]), c[1])

    @v_args(meta=True)
    def when(self, meta, c):
        return ("when", c[0], self._s(meta))

    @v_args(meta=True)
    def foreach(self, meta, c):
        return ast.ForEach(self._s(meta), str(c[0]), c[1], c[2])

    @v_args(meta=True)
    def expect(self, meta, c):
        message = self._template(c[1]) if c[1] is not None else None
        return ast.Expect(self._s(meta), c[0], message)

    @v_args(meta=True)
    def message(self, meta, c):
        return ("message", self._template(c[0]))

    @v_args(meta=True)
    def clauses(self, meta, c):
        return ("clauses", [(str(t), _token_span(self.path, t)) for t in c], self._s(meta))

    @v_args(meta=True)
    def severity(self, meta, c):
        return ("severity", (str(c[0]), _token_span(self.path, c[0])), self._s(meta))

    @v_args(meta=True)
    def tags(self, meta, c):
        return ("tags", [str(t) for t in c], self._s(meta))

    @v_args(meta=True)
    def rationale(self, meta, c):
        return ("rationale", unquote(c[0]), self._s(meta))

    @v_args(meta=True)
    def remediation(self, meta, c):
        return ("remediation", unquote(c[0]), self._s(meta))

    def body(self, children):
        return ("body", children)

    @v_args(meta=True)
    def rule(self, meta, children):
        rule_id, title, *headers, body = children
        rule = ast.Rule(self._s(meta), str(rule_id), unquote(title), id_span=_token_span(self.path, rule_id))
        for kind, value, span in headers:
            rule.headers_seen.append((kind, span))
            if kind == "clauses":
                rule.clauses.extend(value)
            elif kind == "tags":
                rule.tags.extend(value)
            else:
                setattr(rule, kind, value)
        seen_foreach = False
        for part in body[1]:
            if isinstance(part, ast.Let):
                (rule.item_lets if seen_foreach else rule.rule_lets).append(part)
            elif isinstance(part, ast.ForEach):
                rule.foreach, seen_foreach = part, True
            elif isinstance(part, ast.Expect):
                rule.expects.append(part)
            elif isinstance(part, tuple) and part[0] == "when":
                if rule.when is not None:
                    rule.headers_seen.append(("when", part[2]))
                rule.when = part[1]
                rule.lets_before_when = len(rule.rule_lets)
            elif isinstance(part, tuple) and part[0] == "message":
                rule.message = part[1]
        return rule

    def _error(self, code: str, message: str, meta, hint: str | None) -> DiagnosticError:
        span = self._s(meta)
        return DiagnosticError([Diagnostic(code, message, span, hint, source_line_at(self.text, span.line))])


def parse_template(token: Token, path: str, file_text: str) -> ast.Template:
    """Split a message into literal text and `{expression}` holes, each hole parsed as an expression."""
    raw = str(token)
    quote = 3 if raw.startswith('"""') else 1
    body = raw[quote:-quote]
    parts: list = []
    literal: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if body.startswith("{{", i) or body.startswith("}}", i):
            literal.append(ch)
            i += 2
            continue
        if ch == "{":
            end = body.find("}", i)
            line, column = _position_in(token, quote + i + 1)
            if end < 0:
                raise DiagnosticError([Diagnostic(
                    "CG104", "unclosed `{` in message", Span(path, line, column - 1), "write `{{` for a literal brace",
                    source_line_at(file_text, line))])
            if literal:
                parts.append(_unescape("".join(literal)))
                literal = []
            # Inside a quoted message a hole writes its own quotes as \" (read here as ").
            source = body[i + 1:end].replace('\\"', '"') if quote == 1 else body[i + 1:end]
            path_hole = _simple_path(source, path, line, column)
            if path_hole is not None:
                parts.append(path_hole)
            else:
                tree = _parse(source, path, "expr", line - 1, column - 1, source_line_at(file_text, line))
                _check_depth(tree, file_text, path, DEFAULT_RULE_LIMITS.max_expression_depth)
                parts.append(_Builder(path, file_text).transform(_shift(tree, line - 1, column - 1)))
            i = end + 1
            continue
        literal.append(ch)
        i += 1
    if literal:
        parts.append(_unescape("".join(literal)))
    return ast.Template(_token_span(path, token), parts)


_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_KEYWORDS = {"today", "true", "false", "null", "not", "and", "or", "in", "if", "then", "else"}


def _simple_path(source: str, path: str, line: int, column: int) -> ast.Expr | None:
    """Most holes are plain paths (`incident.id`): built directly, the parser is not needed."""
    if not _PATH.fullmatch(source) or source.split(".")[0] in _KEYWORDS:
        return None
    names = source.split(".")
    end = column + len(names[0]) - 1
    node: ast.Expr = ast.Var(Span(path, line, column, line, end), names[0])
    for name in names[1:]:
        end += 1 + len(name)
        node = ast.Member(Span(path, line, column, line, end), node, name)
    return node


def _unescape(text: str) -> str:
    return unquote(Token("STRING", '"' + text + '"'))


def _position_in(token: Token, offset: int) -> tuple[int, int]:
    before = str(token)[:offset]
    newlines = before.count("\n")
    if newlines:
        return token.line + newlines, offset - before.rfind("\n")
    return token.line, token.column + offset


def _shift(tree, line_offset: int, column_offset: int):
    """Move positions of a hole's parse tree from the hole's own text to the rule file."""
    for node in tree.iter_subtrees():
        meta = node.meta
        if getattr(meta, "empty", True):
            continue
        if meta.line == 1:
            meta.column += column_offset
        if meta.end_line == 1:
            meta.end_column += column_offset
        meta.line += line_offset
        meta.end_line += line_offset
    return tree
