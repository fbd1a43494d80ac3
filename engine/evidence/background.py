"""Validating a bundle in a second process while this one evaluates the rules.

`clausegate check` validates the bundle before it trusts any finding, and validation and
evaluation each take a good part of a check. On Linux with two processors or more, the
check forks once the bundle is loaded: the child already holds the bundle (fork copies the
process), validates it, sends its diagnostics back through a pipe as JSON and exits. It
never writes a file or to the terminal, and it leaves by `os._exit`, so no buffer or exit
handler of the parent runs twice.

Meanwhile the parent evaluates, asking between rules whether the child has found the
bundle invalid, so that a bad bundle costs little more evaluation than it would have
without the fork. The report is the same either way: a child that cannot be made or that
fails without an answer is replaced by validating here, and an invalid bundle is refused
with the child's diagnostics, exactly as validating first would have refused it.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
from typing import Any, Callable

from engine.diagnostics import Diagnostic, Span

Validate = Callable[[], "list[Diagnostic]"]


def can_fork() -> bool:
    """Linux only: elsewhere fork is missing (Windows) or unsafe with system libraries (macOS)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    return len(os.sched_getaffinity(0)) >= 2


class BackgroundValidation:
    """A validation running in a forked child; `start` gives None where none can run."""

    def __init__(self, validate: Validate, pid: int, pipe: int):
        self._validate = validate
        self._pid: int | None = pid
        self._pipe: int | None = pipe
        self._problems: list[Diagnostic] | None = None

    @classmethod
    def start(cls, validate: Validate) -> BackgroundValidation | None:
        if not can_fork():
            return None
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # out of processes or memory: validate here instead
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:
            _child(validate, read_end, write_end)
        os.close(write_end)
        return cls(validate, pid, read_end)

    def found_problems(self) -> bool:
        """Without waiting: whether the child has answered, and found the bundle invalid."""
        if self._problems is None:
            if self._pipe is None or not select.select([self._pipe], [], [], 0)[0]:
                return False
            self._collect()
        return bool(self._problems)

    def problems(self) -> list[Diagnostic]:
        """The child's diagnostics, waiting for them if need be."""
        if self._problems is None:
            self._collect()
        assert self._problems is not None
        return self._problems

    def close(self) -> None:
        """Stop and reap the child if it has not answered (the check ended another way)."""
        if self._pid is not None:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None

    def _collect(self) -> None:
        problems = None
        if self._pid is not None and self._pipe is not None:
            answer = _read_to_end(self._pipe)
            _, status = os.waitpid(self._pid, 0)
            self._pid = None
            if os.waitstatus_to_exitcode(status) == 0:
                problems = _decode(answer)
        self.close()
        self._problems = problems if problems is not None else self._validate()


def _child(validate: Validate, read_end: int, write_end: int) -> None:
    status = 1
    try:
        os.close(read_end)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the child with the parent
        _write_all(write_end, json.dumps([_encode(d) for d in validate()]).encode("utf-8"))
        status = 0
    finally:
        os._exit(status)


def _encode(diagnostic: Diagnostic) -> list[Any]:
    span = list(diagnostic.span) if diagnostic.span is not None else None
    return [diagnostic.code, diagnostic.message, span, diagnostic.hint, diagnostic.source_line, diagnostic.severity]


def _decode(answer: bytes) -> list[Diagnostic] | None:
    try:
        return [Diagnostic(code, message, Span(*span) if span is not None else None, hint, source_line, severity)
                for code, message, span, hint, source_line, severity in json.loads(answer)]
    except (ValueError, TypeError):  # a child cut off mid-answer
        return None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.close(fd)


def _read_to_end(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)
