"""A scripted HTTP/1.1 server on 127.0.0.1 for tests, running in a thread.

Each path gets a script: one :class:`Reply`, a list of them (served in order; the last one
repeats), or a callable that gets the :class:`RecordedRequest` and returns a Reply. Every
request, whatever its method, is recorded with its headers and body before it is answered,
so a test can assert what was sent. Paths without a script answer 404.

    with HTTPTestServer() as server:
        server.route("/page", [Reply(500), Reply(200, "<p>hi</p>", {"Content-Type": "text/html"})])
        server.route("/hub", lambda req: Reply(202))          # records POST bodies too
        fetch(server.url("/page"))
        assert server.requests_to("/page")[1].headers["user-agent"] == "..."

A Reply can also misbehave: ``delay`` before the status line (a stall, when longer than
the client's read timeout), ``body_delay`` in the middle of the body, ``reset`` ("before"
or "mid-body": close the socket with SO_LINGER 0, so the client sees a TCP reset),
``chunked`` transfer encoding (no Content-Length). Waits end at once when the server stops.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class Reply:
    """One scripted response."""

    status: int = 200
    body: bytes | str = b""  # str is sent as UTF-8
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = ()
    delay: float = 0.0  # seconds to wait before the status line
    body_delay: float = 0.0  # seconds to wait after the first half of the body
    chunked: bool = False  # Transfer-Encoding: chunked instead of Content-Length
    chunk_size: int = 16_384
    reset: Literal["before", "mid-body"] | None = None  # abort with a TCP RST
    close: bool = False  # send Connection: close and close after this reply

    @classmethod
    def html(cls, body: bytes | str, status: int = 200, **kwargs: Any) -> Reply:
        headers = dict(kwargs.pop("headers", {}))
        headers.setdefault("Content-Type", "text/html; charset=utf-8")
        return cls(status, body, headers, **kwargs)

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Reply:
        return cls(status, b"", {"Location": location})

    @classmethod
    def stall(cls, seconds: float) -> Reply:
        """Accept the request, then say nothing for ``seconds`` (or until the server stops)."""
        return cls(delay=seconds, close=True)

    @classmethod
    def connection_reset(cls, *, mid_body: bool = False, body: bytes | str = b"") -> Reply:
        return cls(body=body, reset="mid-body" if mid_body else "before")

    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body

    def header_items(self) -> list[tuple[str, str]]:
        if isinstance(self.headers, Mapping):
            return list(self.headers.items())
        return list(self.headers)


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server saw it; ``headers`` keys are lower-case."""

    method: str
    target: str  # path with query string, as sent
    headers: dict[str, str]
    body: bytes
    time: float = field(default_factory=time.monotonic)

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""


Script = Reply | Sequence[Reply] | Callable[[RecordedRequest], Reply]


class HTTPTestServer:
    """The server; use as a context manager (or call :meth:`start` and :meth:`stop`)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        if host not in LOOPBACK:
            raise ValueError(f"tests serve on loopback only, not {host!r}")
        self.host = host
        self._lock = threading.Condition()
        self._routes: dict[str, Callable[[RecordedRequest], Reply]] = {}
        self._requests: list[RecordedRequest] = []
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.errors: list[BaseException] = []  # unexpected exceptions in handler threads

    # --- lifecycle ---
    def start(self) -> HTTPTestServer:
        httpd = _Server((self.host, 0), _Handler)
        httpd.owner = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"httpserver:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> HTTPTestServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- addresses ---
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # --- scripting ---
    def route(self, path: str, script: Script) -> HTTPTestServer:
        """Script ``path`` (query strings are ignored when matching); replaces any script."""
        if callable(script):
            handler = script
        else:
            queue = [script] if isinstance(script, Reply) else list(script)
            if not queue:
                raise ValueError("a route needs at least one Reply")
            handler = _Queue(queue)
        with self._lock:
            self._routes[path] = handler
        return self

    def clear(self) -> None:
        """Forget every route and recorded request."""
        with self._lock:
            self._routes.clear()
            self._requests.clear()

    # --- what was sent ---
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until at least ``count`` requests arrived; TimeoutError otherwise."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._requests) >= count, timeout):
                raise TimeoutError(f"{len(self._requests)} of {count} requests in {timeout} s")
            return list(self._requests)

    # --- used by the handler ---
    def _record_and_script(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self._requests.append(request)
            self._lock.notify_all()
            handler = self._routes.get(request.path)
        if handler is None:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        return handler(request)

    def _wait(self, seconds: float) -> bool:
        """Sleep; True when the server is stopping."""
        return self._stopping.wait(seconds) if seconds > 0 else self._stopping.is_set()


class _Queue:
    def __init__(self, replies: Iterable[Reply]) -> None:
        self._replies = list(replies)
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Reply:
        with self._lock:
            return self._replies.pop(0) if len(self._replies) > 1 else self._replies[0]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: HTTPTestServer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake handler threads parked on idle keep-alive connections."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        exc = sys.exc_info()[1]
        if exc is not None and not isinstance(exc, ConnectionError | TimeoutError):
            self.owner.errors.append(exc)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # an idle keep-alive connection is dropped after this
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        owner = self.server.owner
        request = RecordedRequest(
            method=self.command,
            target=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self._read_body(),
        )
        reply = owner._record_and_script(request)
        try:
            self._send(reply, owner)
        except OSError:  # the client went away (reset, broken pipe): tests do that on purpose
            self.close_connection = True

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, reply: Reply, owner: HTTPTestServer) -> None:
        if owner._wait(reply.delay):
            self.close_connection = True
            return
        if reply.reset == "before":
            self._reset()
            return
        body = b"" if self.command == "HEAD" else reply.body_bytes()
        self.send_response(reply.status)
        names = set()
        for name, value in reply.header_items():
            self.send_header(name, value)
            names.add(name.lower())
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif "content-length" not in names:
            self.send_header("Content-Length", str(len(reply.body_bytes())))
        if reply.close or reply.reset:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        split = len(body) // 2 if reply.body_delay or reply.reset == "mid-body" else len(body)
        self._write(body[:split], reply)
        if reply.reset == "mid-body":
            self._reset()
            return
        if owner._wait(reply.body_delay):
            self.close_connection = True
            return
        self._write(body[split:], reply)
        if reply.chunked and self.command != "HEAD":
            self.wfile.write(b"0\r\n\r\n")

    def _write(self, data: bytes, reply: Reply) -> None:
        step = max(1, reply.chunk_size)
        for i in range(0, len(data), step):
            piece = data[i : i + step]
            if reply.chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)

    def _reset(self) -> None:
        """Close with SO_LINGER 0: the kernel sends RST instead of FIN."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.rfile.close()  # drops the last reference: the socket really closes now
