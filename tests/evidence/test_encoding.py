"""Bytes that are not plain UTF-8 text are refused, located where a position makes sense."""

from __future__ import annotations

import pytest

from engine.evidence.limits import Limits
from evidence_helpers import refused, where


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_utf8_byte_order_mark_is_refused(write, suffix):
    d = refused(write("a" + suffix, b"\xef\xbb\xbf" + b'{"a": 1}'))
    assert (d.code, d.message) == ("CG306", "file starts with a UTF-8 byte order mark")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("a: 1\n".encode("utf-16"), "file is encoded as UTF-16"),
        ("a: 1\n".encode("utf-16-be"), "file looks like UTF-16 or UTF-32 text"),
        ("a: 1\n".encode("utf-16-le"), "file looks like UTF-16 or UTF-32 text"),
        ("a: 1\n".encode("utf-32"), "file is encoded as UTF-32"),
    ],
)
def test_utf16_and_utf32_are_refused(write, raw, message):
    d = refused(write("a.yaml", raw))
    assert (d.code, d.message) == ("CG306", message)


def test_invalid_utf8_is_located(write):
    d = refused(write("a.yaml", b"a: 1\nb: caf\xe9 au lait\n"))
    assert (d.code, d.message, where(d)) == ("CG305", "invalid UTF-8 byte 0xe9", (2, 7))
    assert d.source_line == "b: caf\ufffd au lait"


def test_utf8_encoded_surrogate_is_invalid_utf8(write):
    d = refused(write("a.json", b'{"a": "\xed\xa0\x80"}'))
    assert (d.code, where(d)) == ("CG305", (1, 8))


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_nul_byte_is_refused_and_located(write, suffix):
    d = refused(write("a" + suffix, b'{"a": 1,\n "b": "x\x00y"}'))
    assert (d.code, d.message, where(d)) == ("CG307", "file contains a NUL byte", (2, 9))


@pytest.mark.parametrize(("suffix", "text"), [(".yaml", ""), (".json", ""), (".json", " \n\t\n"), (".yaml", "# only a comment\n")])
def test_empty_file_is_refused(write, suffix, text):
    assert refused(write("a" + suffix, text)).code == "CG304"


def test_empty_yaml_document_is_refused(write):
    d = refused(write("a.yaml", "---\n...\n"))
    assert (d.code, d.message) == ("CG304", "document is empty")


def test_file_over_the_size_limit_is_refused(write):
    path = write("a.json", '{"a": "' + "x" * 100 + '"}')
    d = refused(path, limits=Limits(max_file_bytes=64))
    assert (d.code, d.message) == ("CG303", "file is larger than the limit of 64 bytes")
    assert refused(path, limits=Limits(max_file_bytes=64)).span.line == 1


def test_file_at_the_size_limit_is_read(write):
    from engine.evidence.loader import load_document

    path = write("a.json", '{"a": 1}')
    assert load_document(path, limits=Limits(max_file_bytes=8)).data == {"a": 1}


def test_sha256_is_of_the_raw_bytes(write):
    import hashlib

    from engine.evidence.loader import load_document

    raw = b"a: 1\r\nb: two\r\n"
    document = load_document(write("a.yaml", raw))
    assert document.sha256 == hashlib.sha256(raw).hexdigest()
    assert document.data == {"a": 1, "b": "two"}
