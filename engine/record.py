"""Plain record classes for what `clausegate check` makes on its way.

The dataclasses module costs a check before any work is done: importing it imports
`inspect` (with `dis`, `tokenize` and `ast`; 7 ms in a fresh process here), and each class
it makes compiles its methods with `exec` (0.3 to 1 ms a class). The records a check creates are written as plain classes instead:
each spells out its `__init__` and lists its `_fields`, from which these bases give a repr
and, where a record is a value, equality and a hash.
"""

from __future__ import annotations

from typing import Any


class Record:
    """Shown with its fields; equal only to itself (a bundle, a context, a schema set)."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({shown})"


class ValueRecord(Record):
    """Equal to a record of the same class whose fields are equal. It can change, so it
    has no hash."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]


class FrozenRecord(ValueRecord):
    """A value that cannot change once `__init__` has set its fields (through
    `object.__setattr__`), and so has a hash. A copy of it is itself."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} cannot be changed")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} cannot be changed")

    def __copy__(self) -> FrozenRecord:
        return self

    def __deepcopy__(self, memo: dict) -> FrozenRecord:
        return self

    def __reduce__(self) -> tuple:
        slots = [name for cls in type(self).__mro__ for name in cls.__dict__.get("__slots__", ())]
        return _restore, (type(self), {name: getattr(self, name) for name in slots if hasattr(self, name)})


def _restore(cls: type, state: dict[str, Any]) -> Any:
    """A pickled frozen record, made again without its `__init__`."""
    record = cls.__new__(cls)
    for name, value in state.items():
        object.__setattr__(record, name, value)
    return record
