"""`clausegate fmt`: one canonical layout for rule files.

The layout comes from the parser's own tokens, so it can only move white space:
`rule` and `helper` start at the margin with one blank line before them, every other
part of a rule (`clause`, `severity`, …, `expect`, `message`) starts a line indented by
two spaces, a part written over several lines is joined onto one, and tokens are
spaced one way (`a == b`, `f(x, y)`, `x -> x.id`, `-1`). Comments stay where they were:
a comment after code stays at the end of that line, a comment on its own line stays
above the part that follows it. The result is checked to hold the same tokens as the
input, and formatting it again changes nothing.
"""

from __future__ import annotations

from lark import Token
from lark.exceptions import UnexpectedInput

from engine.diagnostics import DiagnosticError
from engine.lang.parser import _lark, parse_rules

_TOP = {"RULE", "HELPER"}
_PARTS = {"CLAUSE", "SEVERITY", "TAGS", "RATIONALE", "REMEDIATION", "LET", "WHEN", "FOR", "EXPECT", "MESSAGE"}
_NO_SPACE_BEFORE = {",", ")", "]", "."}
_NO_SPACE_AFTER = {"(", "[", "."}
_VALUE_END = {"NAME", "NUMBER", "STRING", "LONG_STRING", "DATE", "DATETIME", "UNIT", "RPAR", "RSQB",
              "TODAY", "TRUE", "FALSE", "NULL", "RULE_ID", "CLAUSE_REF", "TAG"}


def format_rules(text: str, path: str) -> str:
    """The canonical layout of a rule file; raises DiagnosticError if it does not parse."""
    parse_rules(text, path)  # located syntax errors, as every other command reports them
    tokens = _tokens(text)
    signs = _signs(tokens)
    out: list[str] = []
    line = ""
    previous: Token | None = None
    for position, token in enumerate([*tokens, None]):
        inline, above = _comments_before(text, previous, token)
        if inline:
            line += "  " + inline
        if token is None:
            break
        starts_part = token.type in _TOP or token.type in _PARTS
        indent = "" if token.type in _TOP else "  " if token.type in _PARTS else "    "
        if above or starts_part or previous is None:
            if line.strip():
                out.append(line.rstrip())
            if token.type in _TOP and out and out[-1]:
                out.append("")
            for comment in above:
                if comment or (out and out[-1]):
                    out.append(indent + comment if comment else "")
            line = indent
        elif not _glued(previous, token, position - 1 in signs):
            line += " "
        line += token.value
        previous = token
    if line.strip():
        out.append(line.rstrip())
    out.extend(above)
    result = "\n".join(out).strip("\n") + "\n"
    if [(t.type, t.value) for t in _tokens(result)] != [(t.type, t.value) for t in tokens]:
        raise AssertionError(f"formatting {path} would change its meaning")  # a defect here, never user input
    return result


def _tokens(text: str) -> list[Token]:
    try:
        return list(_lark().parse_interactive(text, start="file").iter_parse())
    except UnexpectedInput:  # parse_rules has reported it already; kept for a direct call
        raise DiagnosticError([]) from None


def _comments_before(text: str, previous: Token | None, token: Token | None) -> tuple[str, list[str]]:
    """The comment ending the previous token's line, and the comment lines between the two
    tokens, with "" for a run of blank lines between or after them (kept as one blank line)."""
    parts = text[previous.end_pos if previous else 0:token.start_pos if token else len(text)].split("\n")
    if previous is not None and token is not None and len(parts) == 1:
        return "", []  # both on one line: nothing can stand between them but spaces
    inline = ""
    if previous is not None:
        first = parts.pop(0)
        inline = first[first.index("#"):].rstrip() if "#" in first else ""
    if token is not None:
        parts.pop()  # the white space before the token on its own line
    above: list[str] = []
    for part in parts:
        comment = part[part.index("#"):].rstrip() if "#" in part else ""
        if comment or (above and above[-1]):
            above.append(comment)
    if not any(above):
        return inline, []
    if token is None and above[-1] == "":
        above.pop()
    return inline, above


def _glued(previous: Token, token: Token, previous_is_sign: bool) -> bool:
    if token.value in _NO_SPACE_BEFORE or previous.value in _NO_SPACE_AFTER:
        return True
    if token.value == "(" and previous.type == "NAME":
        return True  # a call, or a helper's parameters
    return previous_is_sign


def _signs(tokens: list[Token]) -> set[int]:
    """Positions of each `-` that follows no value: a sign, written against its operand."""
    return {i for i, token in enumerate(tokens)
            if token.value == "-" and (i == 0 or tokens[i - 1].type not in _VALUE_END)}
