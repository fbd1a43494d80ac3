"""RFC 6901 JSON Pointers: the one way evidence locations are named across the engine."""

from __future__ import annotations

from typing import Iterable


def parse_pointer(pointer: str) -> list[str]:
    """'/a~1b/0' → ['a/b', '0']. The empty pointer names the whole document."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"a JSON Pointer starts with '/': {pointer!r}")
    # ~1 before ~0, as the RFC requires, so '~01' stays '~1'.
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def format_pointer(tokens: Iterable[object]) -> str:
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens)


def array_index(token: str) -> int | None:
    """The list index a token names, or None: RFC 6901 forbids leading zeros and signs."""
    if token.isascii() and token.isdigit() and (token == "0" or token[0] != "0"):
        return int(token)
    return None
