"""Work on a bundle done in a second process while this one goes on (`--jobs 2`).

A check spends most of its time reading the bundle's files, validating them and
evaluating the rules. On Linux with two processors or more, two of those move to a forked
child, each where the child's answer is small beside the work it saves:

- while this process reads the JSON Lines and CSV records, a child parses the YAML files
  (bundle.py), whose values cost far more to build than to send;
- once the bundle is loaded, while this process evaluates the rules, a child validates the
  bundle and sends back only its diagnostics (`BackgroundValidation`).

A child is made only where it can help and do no harm: while a processor is free for it,
and memory for a copy of this process (which the validating child comes to make, page by
page, as it reads the bundle). It already holds
everything it needs (fork copies the process), sends its answer as marshal data (plain
values only) through a pipe, never writes a file or to the terminal, and leaves by
`os._exit`, so that no buffer or exit handler runs twice. Whatever
goes wrong on the way (no fork on this platform, a child that dies or refuses its input)
ends in the parent doing that work itself, as with `--jobs 1`: the result is the same
either way, errors included.
"""

from __future__ import annotations

import marshal
import os
import select
import signal
import sys
from pathlib import Path
from typing import Any, Callable

from engine.diagnostics import Diagnostic, Span


def can_fork() -> bool:
    """Linux only: elsewhere fork is missing (Windows) or unsafe with system libraries (macOS)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and len(os.sched_getaffinity(0)) >= 2


def processor_to_spare(loadavg: str = "/proc/loadavg") -> bool:
    """Whether a child would have a processor to itself: fewer processes are running or
    ready to run at this moment, this one included, than there are processors for it. On
    a machine busy with other work the child would only take turns with the parent, and
    make the check slower. (Linux counts them in /proc/loadavg; the load averages there
    trail by a minute or more, long after a build step before the check has ended.)"""
    try:
        running = int(_read(Path(loadavg)).split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return True
    return running < len(os.sched_getaffinity(0))


def memory_to_spare(meminfo: str = "/proc/meminfo", cgroup: str = "/sys/fs/cgroup") -> bool:
    """Whether the machine could hold a second copy of this process, and as much again: a
    child that reads all the data it shares with the parent (as validating a bundle does,
    reference counts being writes) ends up with its own copy of every page it touched. The
    memory available is the system's, or the container's (cgroup v2) where that is less."""
    try:
        resident = int(_read(Path("/proc/self/statm")).split()[1]) * os.sysconf("SC_PAGE_SIZE")
        available = next(int(line.split()[1]) * 1024 for line in _read(Path(meminfo)).splitlines()
                         if line.startswith("MemAvailable:"))
    except (OSError, ValueError, IndexError, StopIteration):
        return True
    try:
        limit = _read(Path(cgroup) / "memory.max").strip()
        if limit != "max":
            available = min(available, int(limit) - int(_read(Path(cgroup) / "memory.current")))
    except (OSError, ValueError):
        pass  # no cgroup v2 limit to heed
    return available >= 2 * resident


def _read(path: Path) -> str:
    with open(path, encoding="ascii") as file:
        return file.read()


class ForkedCall:
    """`work()` run in a forked child, its result (marshal-able data) sent back."""

    def __init__(self, pid: int, pipe: int):
        self._pid: int | None = pid
        self._pipe: int | None = pipe
        self._answer: tuple[bool, Any] | None = None
        self._waiting = select.poll()  # not select(), which cannot watch a descriptor above 1023
        self._waiting.register(pipe, select.POLLIN)

    @classmethod
    def start(cls, work: Callable[[], Any]) -> ForkedCall | None:
        """None where no child can be made, or none would help: the caller then does the
        work itself."""
        if not can_fork() or not processor_to_spare() or not memory_to_spare():
            return None
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # out of processes or memory
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:
            _child(work, read_end, write_end)
        os.close(write_end)
        return cls(pid, read_end)

    def answered(self) -> bool:
        """Without waiting: whether the child has finished (well or not)."""
        if self._answer is None and self._pipe is not None:
            return bool(self._waiting.poll(0))
        return True

    def result(self) -> tuple[bool, Any]:
        """(True, what work() returned), or (False, None) when the child gave no answer.
        Waits for the child if need be."""
        if self._answer is None:
            answer: tuple[bool, Any] = (False, None)
            if self._pid is not None and self._pipe is not None:
                data = _read_to_end(self._pipe)
                _, status = os.waitpid(self._pid, 0)
                self._pid = None
                if os.waitstatus_to_exitcode(status) == 0:
                    try:
                        answer = (True, marshal.loads(data))
                    except (EOFError, ValueError, TypeError):  # cut off mid-answer
                        pass
            self.close()
            self._answer = answer
        return self._answer

    def close(self) -> None:
        """Stop and reap the child if it has not answered (its work is no longer wanted)."""
        if self._pid is not None:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None


class BackgroundValidation:
    """A bundle's validation in a forked child; `validate` is how the parent would do it."""

    def __init__(self, call: ForkedCall, validate: Callable[[], list[Diagnostic]]):
        self._call = call
        self._validate = validate
        self._problems: list[Diagnostic] | None = None

    @classmethod
    def start(cls, validate: Callable[[], list[Diagnostic]]) -> BackgroundValidation | None:
        call = ForkedCall.start(lambda: [_encode(d) for d in validate()])
        return cls(call, validate) if call is not None else None

    def found_problems(self) -> bool:
        """Without waiting: whether the child has answered, and found the bundle invalid."""
        return (self._problems is not None or self._call.answered()) and bool(self.problems())

    def problems(self) -> list[Diagnostic]:
        """The bundle's diagnostics, waiting for the child if need be."""
        if self._problems is None:
            done, answer = self._call.result()
            self._problems = [_decode(d) for d in answer] if done else self._validate()
        return self._problems

    def close(self) -> None:
        self._call.close()


def _child(work: Callable[[], Any], read_end: int, write_end: int) -> None:
    status = 1
    try:
        os.close(read_end)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the child with the parent
        data = marshal.dumps(work())
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view):]
        os.close(write_end)
        status = 0
    finally:
        os._exit(status)


def _encode(diagnostic: Diagnostic) -> tuple:
    span = tuple(diagnostic.span) if diagnostic.span is not None else None
    return (diagnostic.code, diagnostic.message, span, diagnostic.hint, diagnostic.source_line, diagnostic.severity)


def _decode(encoded: tuple) -> Diagnostic:
    code, message, span, hint, source_line, severity = encoded
    return Diagnostic(code, message, Span(*span) if span is not None else None, hint, source_line, severity)


def _read_to_end(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)
