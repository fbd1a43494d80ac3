"""Test-wide guards: no test, and no process a test starts, may open a socket."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

GUARD = Path(__file__).parent / "netguard"
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(GUARD), os.environ.get("PYTHONPATH", "")) if p)


class _NoNetwork(socket.socket):
    def __init__(self, *args, **kwargs):
        raise OSError("clausegate tests forbid opening sockets")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "socket", _NoNetwork)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: _NoNetwork())

