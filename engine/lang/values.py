"""Runtime values beyond JSON: dates, durations, and the missing-evidence marker."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Union

from engine.diagnostics import Span
from engine.record import FrozenRecord

UTC = dt.timezone.utc


class EvalError(Exception):
    """A runtime problem in one rule (type mismatch, bad value): it becomes an `error` finding."""

    def __init__(self, message: str, span: Span | None = None):
        super().__init__(message)
        self.message = message
        self.span = span


class Missing:
    """Evidence that is absent. `where` says where it was expected: a JSON Pointer when known
    (`{item}` stands for the pointer of the current item), else a description of the path.

    Every comparison raises, so a compiled fast path that meets one falls back to the exact
    evaluation instead of treating absence as a value.
    """

    __slots__ = ("where",)

    def __init__(self, where: str):
        self.where = where

    def __repr__(self) -> str:
        return f"Missing({self.where!r})"

    def _refuse(self, *_args):
        raise TypeError("missing evidence is not a value")

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __bool__ = __hash__ = _refuse  # type: ignore[assignment]
    __add__ = __radd__ = __sub__ = __rsub__ = __len__ = __iter__ = _refuse  # type: ignore[assignment]


class CalendarPeriod(FrozenRecord):
    """A duration with months in it: its length depends on the date it is added to."""

    __slots__ = _fields = ("months", "rest")

    def __init__(self, months: int, rest: dt.timedelta = dt.timedelta(0)):
        object.__setattr__(self, "months", months)
        object.__setattr__(self, "rest", rest)

    def __str__(self) -> str:
        return format_duration(self)


Duration = Union[dt.timedelta, CalendarPeriod]

_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}


def duration_literal(amount: int | float, unit: str) -> Duration:
    unit = unit[:-1] if unit.endswith("s") else unit
    if unit in ("month", "year"):
        if amount != int(amount):
            raise ValueError(f"a number of {unit}s must be whole")
        return CalendarPeriod(int(amount) * (12 if unit == "year" else 1))
    return dt.timedelta(seconds=amount * _UNIT_SECONDS[unit])


_ISO_DURATION = re.compile(
    r"P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)


def parse_iso_duration(text: str) -> Duration | None:
    match = _ISO_DURATION.fullmatch(text)
    if not match:
        return None
    years, months, weeks, days, hours, minutes, seconds = (float(g) if g else 0 for g in match.groups())
    rest = dt.timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    total_months = int(years) * 12 + int(months)
    return CalendarPeriod(total_months, rest) if total_months else rest


def format_duration(value: Duration) -> str:
    months, rest = (value.months, value.rest) if isinstance(value, CalendarPeriod) else (0, value)
    if months < 0 or (months == 0 and rest < dt.timedelta(0)):
        return "-" + format_duration(CalendarPeriod(-months, -rest) if months else -rest)
    parts = []
    if months:
        parts.append(f"{months} month" + ("s" if abs(months) != 1 else ""))
    seconds = int(rest.total_seconds())
    for name, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}" + ("s" if count != 1 else ""))
    if seconds or not parts:
        parts.append(f"{seconds} seconds")
    return " ".join(parts)


def parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def parse_datetime(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar arithmetic: the 31st plus one month is the last day of the next month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.datetime):
        return "date-time"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, (dt.timedelta, CalendarPeriod)):
        return "duration"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, Missing):
        return "missing"
    return type(value).__name__


_PLAIN = (str, int, bool, type(None))


def to_json(value: object) -> object:
    """A value as it appears in reports: dates and durations as ISO-style text."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (dt.timedelta, CalendarPeriod)):
        return format_duration(value)
    if isinstance(value, Missing):
        return {"missing": value.where}
    if isinstance(value, list):
        return [to_json(v) for v in value[:20]] + (["…"] if len(value) > 20 else [])
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in list(value.items())[:20]}
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
