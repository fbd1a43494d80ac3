"""Only regular files are read; anything else is refused without blocking."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.evidence.loader import load_document
from evidence_helpers import refused

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")


@needs_fifo
def test_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "evidence.yaml"
    os.mkfifo(fifo)
    d = refused(fifo)
    assert (d.code, d.message) == ("CG302", "a named pipe (FIFO) is not an evidence file")


def test_directory_is_refused(tmp_path):
    (tmp_path / "dir.yaml").mkdir()
    d = refused(tmp_path / "dir.yaml")
    assert (d.code, d.message) == ("CG302", "a directory is not an evidence file")


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_device_is_refused(tmp_path):
    link = tmp_path / "null.json"
    link.symlink_to("/dev/null")
    d = refused(link)
    assert (d.code, d.message) == ("CG302", "a character device is not an evidence file")


def test_missing_file(tmp_path):
    d = refused(tmp_path / "nope.yaml")
    assert (d.code, d.message, str(d.span)) == ("CG301", "file not found", f"{tmp_path / 'nope.yaml'}:1:1")


def test_unsupported_extension(write):
    d = refused(write("notes.txt", "a: 1\n"))
    assert (d.code, d.message) == ("CG325", "'.txt' is not an evidence file type")


def test_display_name_is_used_in_messages(write):
    d = refused(write("a.yaml", "a: 1\na: 2\n"), display="bundle/a.yaml")
    assert str(d.span) == "bundle/a.yaml:2:1"


def test_yml_and_upper_case_suffixes(write):
    assert load_document(write("a.yml", "a: 1\n")).data == {"a": 1}
    assert load_document(write("b.JSON", '{"a": 1}')).data == {"a": 1}


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root reads anything")
def test_unreadable_file(write):
    path = write("a.yaml", "a: 1\n")
    path.chmod(0)
    d = refused(path)
    assert (d.code, d.message) == ("CG301", "permission denied")
