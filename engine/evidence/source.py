"""Reading one evidence file: only regular files, within the size limit, strict UTF-8."""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from pathlib import Path

from engine.evidence import problems as P
from engine.evidence.limits import Limits
from engine.evidence.lines import LineIndex

# A FIFO opened for reading blocks until a writer appears; O_NONBLOCK makes open return at
# once so the fstat check below can refuse it. It has no effect on regular files.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


# Above this size the SHA-256 of a file is computed on another thread while the file is
# decoded and parsed: hashlib releases the interpreter lock while it hashes, so on two
# cores the digest costs no time at all (about 0.2 s for 250 MB otherwise). Starting and
# joining the thread costs about half of what hashing this threshold's bytes does.
_HASH_IN_BACKGROUND = 256 * 1024


class Source:
    """One file's text. `sha256` is the hex digest of its bytes."""

    __slots__ = ("display", "text", "lines", "_sha256", "_hashing")

    def __init__(self, display: str, text: str, sha256: str | None, lines: LineIndex,
                 hashing: threading.Thread | None = None, digest: list | None = None):
        self.display, self.text, self.lines = display, text, lines
        self._sha256 = sha256
        self._hashing = (hashing, digest) if hashing is not None else None

    @property
    def sha256(self) -> str:
        if self._sha256 is None and self._hashing is not None:
            thread, digest = self._hashing
            thread.join()
            self._sha256, self._hashing = digest[0], None
        return self._sha256 or ""


def read_source(path: Path, display: str, limits: Limits) -> Source:
    raw = _read_bytes(path, display, limits)
    if len(raw) < _HASH_IN_BACKGROUND:
        text = decode(raw, display)
        return Source(display, text, hashlib.sha256(raw).hexdigest(), LineIndex(text))
    digest: list[str] = []
    thread = threading.Thread(target=lambda: digest.append(hashlib.sha256(raw).hexdigest()),
                              name="clausegate-sha256", daemon=True)
    thread.start()
    try:
        text = decode(raw, display)
    except BaseException:
        thread.join()
        raise
    return Source(display, text, None, LineIndex(text), thread, digest)


def _read_bytes(path: Path, display: str, limits: Limits) -> bytes:
    # stat before open so that a device or FIFO is refused without being opened at all.
    try:
        _check_regular(os.stat(path), display, limits)
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise _unreadable(error, display) from None
    with os.fdopen(fd, "rb") as handle:
        # Checked again on the open descriptor: the path may have been swapped meanwhile.
        _check_regular(os.fstat(fd), display, limits)
        raw = handle.read(limits.max_file_bytes + 1)
    if len(raw) > limits.max_file_bytes:
        raise _too_large(display, limits)
    return raw


def _check_regular(status: os.stat_result, display: str, limits: Limits) -> None:
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _KINDS if test(status.st_mode)), "not a regular file")
        raise P.refuse(P.NOT_REGULAR, f"{kind} is not an evidence file", display,
                       hint="evidence must be regular files")
    if status.st_size > limits.max_file_bytes:
        raise _too_large(display, limits)


def _too_large(display: str, limits: Limits) -> Exception:
    return P.refuse(P.TOO_LARGE, f"file is larger than the limit of {limits.max_file_bytes} bytes", display,
                    hint="split the evidence into several files, or raise the file size limit")


def _unreadable(error: OSError, display: str) -> Exception:
    if isinstance(error, FileNotFoundError):
        message = "file not found"
    elif isinstance(error, PermissionError):
        message = "permission denied"
    else:
        message = f"cannot read the file: {error.strerror or error}"
    return P.refuse(P.UNREADABLE, message, display)


_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SAVE_AS_UTF8 = "save the file as UTF-8 without a byte order mark"


def decode(raw: bytes, display: str) -> str:
    """Strict UTF-8 with no BOM and no NUL: the only text encoding evidence may use."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise P.refuse(P.BAD_ENCODING, "file starts with a UTF-8 byte order mark", display, hint=_SAVE_AS_UTF8)
    if raw.startswith(_UTF32_BOMS):
        raise P.refuse(P.BAD_ENCODING, "file is encoded as UTF-32", display, hint=_SAVE_AS_UTF8)
    if raw.startswith(_UTF16_BOMS):
        raise P.refuse(P.BAD_ENCODING, "file is encoded as UTF-16", display, hint=_SAVE_AS_UTF8)
    nul = raw.find(b"\x00")
    if nul >= 0:
        # UTF-16 without a BOM shows a NUL beside every ASCII character.
        if nul < 2 and len(raw) >= 2 and (raw[0] == 0) != (raw[1] == 0):
            raise P.refuse(P.BAD_ENCODING, "file looks like UTF-16 or UTF-32 text", display, hint=_SAVE_AS_UTF8)
        raise _at_byte(raw, nul, display, P.NUL, "file contains a NUL byte",
                       "evidence is text; NUL bytes usually mean a binary or wrongly encoded file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = raw[error.start]
        raise _at_byte(raw, error.start, display, P.BAD_UTF8, f"invalid UTF-8 byte 0x{byte:02x}", _SAVE_AS_UTF8) from None


def _at_byte(raw: bytes, offset: int, display: str, code: str, message: str, hint: str) -> Exception:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    line_end = raw.find(b"\n", offset)
    line_bytes = raw[line_start:] if line_end < 0 else raw[line_start:line_end]
    column = len(raw[line_start:offset].decode("utf-8", "replace")) + 1
    source_line = line_bytes.decode("utf-8", "replace").replace("\x00", "\ufffd")
    return P.refuse(code, message, display, raw.count(b"\n", 0, offset) + 1, column,
                    hint=hint, source_line=source_line)
