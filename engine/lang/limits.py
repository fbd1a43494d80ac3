"""How much rule text and evaluation work clausegate accepts before refusing.

Rules may come from untrusted pull requests: these bounds keep a rule set from exhausting
memory, the stack or the CI job's time. Each is far above what real rules need.
"""

from __future__ import annotations

from typing import NamedTuple


class RuleLimits(NamedTuple):
    """The resource limits on loading and running rules (each can be set with --limit)."""

    max_rule_file_bytes: int = 1024 * 1024
    """Largest rule file, in bytes (the whole built-in library is a few hundred KiB)."""

    max_rules: int = 10_000
    """Most rules loaded together."""

    max_expression_depth: int = 100
    """Deepest nesting of an expression (parentheses, operators, calls, field reads)."""

    max_steps: int = 200_000_000
    """Evaluation work one rule may do against one bundle: every item a `for each` or a list
    function walks counts one step (nested walks multiply). A step costs well under a
    microsecond, so the default bounds a rule to minutes at worst, never forever."""


DEFAULT_RULE_LIMITS = RuleLimits()


class BudgetExceeded(BaseException):
    """A rule used up its evaluation steps. A BaseException, so neither a compiled fast path
    nor a careful path can mistake it for a problem of one item."""

    def __init__(self, steps: int):
        super().__init__(steps)
        self.steps = steps
