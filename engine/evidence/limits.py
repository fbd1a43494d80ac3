"""How much of what an evidence file may contain before the loader refuses it."""

from __future__ import annotations

from typing import NamedTuple


class Limits(NamedTuple):
    """Upper bounds that keep a hostile or broken file from exhausting memory or the stack.

    The defaults are far above what a real service-management export needs: an ITSM export
    of a million tickets fits in 64 MiB of JSON Lines, no evidence structure nests 64 deep,
    and no field of evidence is a megabyte of text.
    """

    max_file_bytes: int = 64 * 1024 * 1024
    """Largest file read, in bytes; checked before reading and again while reading."""

    max_depth: int = 64
    """Deepest nesting of mappings and lists; the top-level mapping is depth 1."""

    max_string_length: int = 1024 * 1024
    """Longest text value or key, in characters."""

    max_bundle_bytes: int = 1024 * 1024 * 1024
    """Largest bundle directory: the sizes of its evidence files added up."""


DEFAULT_LIMITS = Limits()
