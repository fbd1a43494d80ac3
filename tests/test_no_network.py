"""The socket guard of tests/conftest.py works, here and in processes the tests start."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest


def test_opening_a_socket_fails_in_the_test_process() -> None:
    with pytest.raises(OSError, match="forbid opening sockets"):
        socket.socket()


def test_opening_a_socket_fails_in_a_child_process() -> None:
    child = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"],
                           capture_output=True, text=True, timeout=60)
    assert child.returncode != 0 and "forbid opening sockets" in child.stderr
