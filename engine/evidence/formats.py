"""The `format` checks evidence validation applies, written here so that none silently
passes for want of an optional package (jsonschema skips formats it cannot check)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from jsonschema import FormatChecker

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# RFC 3339: the offset is required, so every instant is unambiguous.
_DATE_TIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})")
# ISO 8601 durations as RFC 3339 appendix A has them, weeks combinable with days as the
# rule language accepts; at least one part, and a T only before time parts.
_DURATION = re.compile(r"P(?!$)(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+W)?(?:[0-9]+D)?(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]+")


def is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.fullmatch(value)
    if not match or not is_date(match.group(1)):
        return False
    hour, minute, second = (int(match.group(i)) for i in (2, 3, 4))
    offset = match.group(6)
    if offset not in ("Z", "z") and (int(offset[1:3]) > 23 or int(offset[4:6]) > 59):
        return False
    return hour <= 23 and minute <= 59 and second <= 59


def is_duration(value: object) -> bool:
    return not isinstance(value, str) or _DURATION.fullmatch(value) is not None


def is_email(value: object) -> bool:
    return not isinstance(value, str) or _EMAIL.fullmatch(value) is not None


def is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _URI.fullmatch(value):
        return False
    try:
        urlsplit(value)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return False
    return True


CHECKS = {"date": is_date, "date-time": is_date_time, "duration": is_duration, "email": is_email, "uri": is_uri}


def format_checker() -> "FormatChecker":
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for name, check in CHECKS.items():
        checker.checks(name)(check)
    return checker


# -- quick forms for the bulk validation pass ------------------------------------------------
#
# A million date-times cost two seconds through `is_date_time`. These regexes accept only
# values the checks above accept (every valid date except 29 February, whose year must be
# looked at), so a value they match is valid; one they do not match is decided by the
# check itself. They hold no line break, so many values can be checked in one match (see
# engine.evidence.batch.BatchCheck).

_YEAR = "(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"  # 0000 is not a year Python knows
_MONTH_DAY = ("(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
              "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
              "|02-(?:0[1-9]|1[0-9]|2[0-8]))")
_TIME = "[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:[.][0-9]++)?+(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"

QUICK: dict[str, str] = {
    "date": f"{_YEAR}-{_MONTH_DAY}",
    "date-time": f"{_YEAR}-{_MONTH_DAY}{_TIME}",
}
"""Per format, a regex (for `fullmatch`) that matches only valid values, most of them."""


def quick_check(name: str) -> Callable[[object], bool] | None:
    """The format's check with its quick regex in front, or None for an unknown format."""
    check = CHECKS.get(name)
    if check is None or name not in QUICK:
        return check
    quick = re.compile(QUICK[name]).fullmatch

    def checked(value: object) -> bool:
        return not isinstance(value, str) or quick(value) is not None or check(value)

    return checked
