"""Loaded by every Python process the tests start (tests/conftest.py puts this folder on
PYTHONPATH): clausegate must never open a network connection, so any socket fails loudly."""

import socket


class _NoNetwork(socket.socket):
    def __init__(self, *args, **kwargs):
        raise OSError("clausegate tests forbid opening sockets")


socket.socket = _NoNetwork  # type: ignore[misc]
socket.create_connection = lambda *a, **k: _NoNetwork()  # type: ignore[assignment]
