"""Servers that fail, for the tests of outages: a port that refuses connections, and one that
accepts them and never says a word (a hung Redis or PostgreSQL)."""

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class SilentListener:
    port: int
    connections: list[socket.socket] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return len(self.connections)


@contextlib.contextmanager
def silent_listener() -> Iterator[SilentListener]:
    """127.0.0.1:<free port>, accepting every connection and never answering."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    listener = SilentListener(port=server.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            listener.connections.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        stop.set()
        thread.join(timeout=2)
        for connection in listener.connections:
            connection.close()
        server.close()


def refused_port() -> int:
    """A port where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
