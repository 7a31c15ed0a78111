"""Scripted servers on 127.0.0.1 for the client tests (standard library, threaded).

``Loopback`` is an HTTP/1.1 server with keep-alive that answers each request with the
next scripted ``Reply`` (or with ``responder`` once the script is used up) and records
what it saw. ``ConnectProxy`` is a CONNECT-only proxy that tunnels to another port.
``self_signed`` makes a certificate for 127.0.0.1 and localhost with openssl.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import socketserver
import ssl
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_JOB: dict[str, Any] = json.loads((ROOT / "schema" / "examples" / "failed-job.json").read_text("utf-8"))


def job(job_id: str = "ftjob-abc123", **changes: Any) -> dict[str, Any]:
    """A valid FineTuningJob body."""
    body = json.loads(json.dumps(EXAMPLE_JOB))
    body["id"] = job_id
    body.update(changes)
    return body


def envelope(message: str, type_: str = "invalid_request_error", code: str | None = None,
             param: str | None = None) -> dict[str, Any]:
    """OpenAI's error envelope."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # bytes or str as is; anything else as JSON
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    close: bool = False  # answer with Connection: close
    # a chunked body sent piece by piece; before each piece after the first the server
    # waits for ``gate`` (when given; 5 s, then it drops the connection), so a test can
    # prove the client reads as it goes
    chunks: list[bytes] | None = None
    gate: threading.Event | None = None
    # writes the whole answer itself (status line, headers, body), for answers the
    # fields above cannot describe: trickling, endless or encoded bodies
    write: Callable[[BaseHTTPRequestHandler], None] | None = None

    def payload(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode("utf-8"), "text/html; charset=utf-8"
        return json.dumps(self.body if self.body is not None else job()).encode("utf-8"), "application/json"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    connection: int  # which TCP connection (1, 2, ...) it came on


def form_parts(seen: Seen) -> list[tuple[str, str | None, str | None, bytes]]:
    """(name, filename, content type, data) of each part of a multipart body."""
    ctype = seen.headers["content-type"]
    assert ctype.startswith("multipart/form-data; boundary=")
    boundary = ctype.split("boundary=", 1)[1].encode()
    body = seen.body
    assert body.endswith(b"--" + boundary + b"--\r\n")
    parts = []
    for chunk in body.split(b"--" + boundary)[1:-1]:
        head, _, data = chunk[2:-2].partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        disp = dict(p.strip().split("=", 1) for p in lines[0].split(";")[1:])
        ctype_line = next((line.split(": ", 1)[1] for line in lines[1:] if line.lower().startswith("content-type")),
                          None)
        parts.append((disp["name"].strip('"'), disp.get("filename", "").strip('"') or None, ctype_line, data))
    return parts


def sync_and_async(client: Any, aclient: Any, call: Callable[[Any], Any],
                   acall: Callable[[Any], Any] | None = None) -> list[Any]:
    """``call(client)``, then ``await acall(aclient)`` (``call`` when no ``acall``): the
    sync and the async result, each client closed after its call."""
    with client:
        first = call(client)

    async def go() -> Any:
        async with aclient:
            return await (acall or call)(aclient)

    return [first, asyncio.run(go())]


def wait_for(condition: Callable[[], bool], seconds: float = 3.0) -> bool:
    """Whether ``condition()`` comes true within ``seconds`` (polled)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without this, Nagle's algorithm and
    # the client's delayed ACK add 40 ms to every keep-alive answer
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.opened += 1
            self.conn_id = self.server.opened
        if self.server.idle_timeout is not None:
            self.connection.settimeout(self.server.idle_timeout)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.lock:
                self.server.finished += 1

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, TimeoutError, ssl.SSLError):
            pass

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body, self.conn_id)
        reply = self.server.owner._next(seen)
        if reply.delay and self.server.owner._stop.wait(reply.delay):
            return
        if reply.write is not None:
            self.close_connection = True
            try:
                reply.write(self)
            except (ConnectionError, ssl.SSLError, TimeoutError):
                pass
            return
        if reply.chunks is not None:
            self._chunked(reply)
            return
        payload, content_type = reply.payload()
        try:
            self.send_response(reply.status)
            headers = {"Content-Type": content_type, **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            if reply.close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(payload)
        except (ConnectionError, ssl.SSLError):
            self.close_connection = True

    def _chunked(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            for name, value in {"Content-Type": "text/event-stream", **reply.headers}.items():
                self.send_header(name, value)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i, chunk in enumerate(reply.chunks or []):
                if i and reply.gate is not None and not reply.gate.wait(5):
                    # nobody opened the gate: a client that waits for the whole body
                    # gets a broken one instead
                    self.close_connection = True
                    return
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except (ConnectionError, ssl.SSLError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: Loopback
    lock: threading.Lock
    opened: int
    finished: int
    idle_timeout: float | None

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class Loopback:
    """``with Loopback() as server: server.script(Reply(...), ...)``; ``server.url``."""

    def __init__(self, *, tls: ssl.SSLContext | None = None, idle_timeout: float | None = None) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._server.lock = threading.Lock()
        self._server.opened = 0
        self._server.finished = 0
        self._server.idle_timeout = idle_timeout
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port: int = self._server.server_address[1]
        self.scheme = "https" if tls is not None else "http"
        self.requests: list[Seen] = []
        self.responder: Callable[[Seen], Reply] = lambda seen: Reply()
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def connections(self) -> int:
        """TCP connections accepted so far."""
        return self._server.opened

    @property
    def closed_connections(self) -> int:
        return self._server.finished

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def _next(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            if self._script:
                return self._script.popleft()
        return self.responder(seen)

    def close(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> Loopback:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ConnectProxy:
    """A proxy that only tunnels (``CONNECT host:port``); records each request head."""

    def __init__(self) -> None:
        self.heads: list[str] = []
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                client: socket.socket = self.request
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = client.recv(4096)
                    if not chunk:
                        return
                    head += chunk
                text = head.decode("latin-1")
                proxy.heads.append(text)
                method, target, _ = text.split("\r\n", 1)[0].split(" ", 2)
                if method != "CONNECT":
                    client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                    return
                host, _, port = target.rpartition(":")
                upstream = socket.create_connection((host, int(port)))
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                pump = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
                pump.start()
                _pipe(client, upstream)
                pump.join(5)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ConnectProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def self_signed(folder: Path) -> tuple[Path, Path] | None:
    """(certificate, key) for localhost and 127.0.0.1, or None without openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
