"""Regular expressions for `matches`: RE2 only, so matching time is linear in the text."""

from __future__ import annotations

import re2


class PatternError(ValueError):
    pass


def _quiet_options():
    # RE2 logs every rejected pattern to stderr; the checker reports it as a diagnostic instead.
    options = re2.Options()
    options.log_errors = False
    return options


_OPTIONS = _quiet_options()


def compile_pattern(pattern: str):
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        raise PatternError(detail.decode() if isinstance(detail, bytes) else str(detail)) from None
