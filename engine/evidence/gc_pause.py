"""Pausing Python's cyclic garbage collector while large, acyclic data is built or walked.

Parsing a million records allocates millions of containers; each allocation counts towards
the collector's next pass, and each pass walks every container still alive, so that with
the collector running, `json.loads` of such a file takes two to three times as long. The
data the loaders build holds no reference cycles (it is JSON's: mappings, lists and
scalars), so nothing is lost by pausing: reference counting frees it as usual. The
previous state is restored, so a caller that has switched the collector off keeps it off.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
