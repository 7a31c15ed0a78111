"""The transport: what goes over the wire, and the standard-library one that sends it.

``Transport`` and ``AsyncTransport`` are the protocols a transport of yours follows;
``HTTPTransport`` is the default (``http.client``, a keep-alive pool per host, verified
TLS, proxies from the environment). ``Timeout`` says how long an attempt may take;
``Request.max_response_bytes`` how much of a body may be read into memory.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import io
import ipaddress
import os
import select
import socket
import ssl
import threading
import time
import urllib.parse
import zlib
from dataclasses import dataclass, field
from typing import (
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Protocol,
    Union,
    runtime_checkable,
)

from ._encoding import masked_url
from .errors import APIConnectionError, ResponseTooLargeError

__all__ = [
    "AsyncStreamedResponse",
    "AsyncTransport",
    "HTTPTransport",
    "Headers",
    "Request",
    "Response",
    "StreamedResponse",
    "Timeout",
    "Transport",
]

_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "api-key", "x-api-key", "cookie"}
)

# 64 MiB: the most of a body read into memory unless the client or the call says else
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only HTTP headers; repeated headers are joined by ``, ``.

    ``repr`` masks credentials (``Authorization`` and the like).
    """

    __slots__ = ("_items", "_secret")

    def __init__(
        self, headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None
    ) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        self._secret: frozenset[str] = frozenset()  # more names masked in repr
        pairs = headers.items() if isinstance(headers, Mapping) else headers or ()
        for name, value in pairs:
            key = name.lower()
            seen = self._items.get(key)
            self._items[key] = (name, value if seen is None else f"{seen[1]}, {value}")

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def merged(self, other: Mapping[str, str] | None, secret: bool = False) -> Headers:
        """A copy with ``other``'s headers replacing same-named ones; ``secret``: their
        values are credentials, masked in ``repr``."""
        out = Headers()
        out._items = dict(self._items)
        out._secret = self._secret
        for name, value in (other or {}).items():
            out._items[name.lower()] = (name, value)
        if secret and other:
            out._secret = out._secret | {name.lower() for name in other}
        return out

    def __repr__(self) -> str:
        shown = {
            n: ("***" if k in _SECRET_HEADERS or k in self._secret else v)
            for k, (n, v) in self._items.items()
        }
        return f"Headers({shown!r})"


@dataclass(frozen=True)
class Timeout:
    """How long one attempt may take, in seconds (``None``: no limit).

    ``total`` bounds the whole attempt: connecting, sending, the answer's head and its
    body (checked before every read from the socket, so a body that trickles in ends in
    time). ``connect`` bounds opening the connection (TLS and proxy included) within
    that. For event streams ``total`` covers the time to the answer's head, and
    ``idle`` (``None``: the total) bounds each wait for more of the stream.

    A number ``n`` where a timeout is asked for means ``Timeout(total=n,
    connect=min(n, 5.0))``.
    """

    total: float | None = 600.0
    connect: float | None = 5.0
    idle: float | None = None

    def __post_init__(self) -> None:
        for name in ("total", "connect", "idle"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not value > 0
            ):
                raise ValueError(
                    f"Timeout.{name} must be a positive number of seconds or None, got {value!r}"
                )

    @classmethod
    def of(cls, value: float | Timeout | None) -> Timeout:
        """``value`` as a ``Timeout``: a number ``n`` is ``Timeout(n, min(n, 5.0))``;
        ``None`` is no limit at all."""
        if isinstance(value, Timeout):
            return value
        if value is None:
            return _NO_TIMEOUT
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(
                f"timeout must be a number of seconds, a Timeout or None, got {value!r}"
            )
        return cls(float(value), min(float(value), 5.0))

    @property
    def stream_idle(self) -> float | None:
        """The longest wait between two reads of an event stream."""
        return self.total if self.idle is None else self.idle


_NO_TIMEOUT = Timeout(None, None, None)


@dataclass
class Request:
    """What a transport sends. ``headers`` are left out of ``repr``.

    ``max_response_bytes`` is the most of the answer's body (after decoding gzip or
    deflate) a transport should read into memory (``None``: no limit); past it,
    ``HTTPTransport`` raises ``ResponseTooLargeError``. The client checks it again on
    what any transport returns. ``secret_query`` names the query parameters that carry
    a credential: ``repr`` and ``shown_url`` mask their values.
    """

    method: str
    url: str
    headers: Headers = field(repr=False)
    content: bytes | None = None
    max_response_bytes: int | None = None
    secret_query: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def shown_url(self) -> str:
        """``url`` with the values of credential query parameters masked."""
        return masked_url(self.url, self.secret_query)

    def __repr__(self) -> str:
        return (
            f"Request(method={self.method!r}, url={self.shown_url!r}, "
            f"content={self.content!r}, max_response_bytes={self.max_response_bytes!r})"
        )


@dataclass
class Response:
    """What a transport gives back: the status, the headers and the whole body
    (decoded when it came gzip- or deflate-encoded)."""

    status_code: int
    headers: Headers
    content: bytes


@dataclass
class StreamedResponse:
    """A response whose body is read as it arrives (``chunks``); ``close()`` ends it early.

    What a transport's optional ``stream`` method returns.
    """

    status_code: int
    headers: Headers
    chunks: Iterator[bytes]
    close: Callable[[], None]

    def read(self, max_bytes: int | None = None) -> Response:
        """The rest of the body, as a ``Response``; the stream is closed.
        ``ResponseTooLargeError`` past ``max_bytes``."""
        try:
            return Response(
                self.status_code, self.headers, _collect(self.chunks, max_bytes)
            )
        finally:
            self.close()


@dataclass
class AsyncStreamedResponse:
    """``StreamedResponse`` for ``AsyncTransport.astream``."""

    status_code: int
    headers: Headers
    chunks: AsyncIterator[bytes]
    aclose: Callable[[], Awaitable[None]]

    async def aread(self, max_bytes: int | None = None) -> Response:
        try:
            out: list[bytes] = []
            size = 0
            async for chunk in self.chunks:
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise ResponseTooLargeError(max_bytes)
                out.append(chunk)
            return Response(self.status_code, self.headers, b"".join(out))
        finally:
            await self.aclose()


def _collect(chunks: Iterable[bytes], max_bytes: int | None) -> bytes:
    out: list[bytes] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise ResponseTooLargeError(max_bytes)
        out.append(chunk)
    return b"".join(out)


class Transport(Protocol):
    """Sends one request and returns the whole response.

    Streaming methods (server-sent events, ``with_streaming_response``) use the
    transport's ``stream(request, *, timeout) -> StreamedResponse`` when it has one
    (``HTTPTransport`` does); a transport with ``send`` only still works, the body then
    arrives whole.

    ``timeout`` is a ``Timeout``: ``total`` for the whole exchange, ``connect`` for
    opening the connection. Raise ``TimeoutError`` when it runs out and ``OSError`` (or
    ``APIConnectionError``) when there is no answer; the client retries both. Answer
    every HTTP status (4xx and 5xx too) with a ``Response`` whose ``content`` is
    decoded (no gzip). A transport given to a client is closed by its owner, not by the
    client. It must be safe to call from several threads at once if the client is
    shared between threads.
    """

    def send(self, request: Request, *, timeout: Timeout) -> Response: ...

    def close(self) -> None: ...


@runtime_checkable
class AsyncTransport(Protocol):
    """``Transport`` for ``AsyncClient``, with coroutines.

    ``AsyncClient`` also accepts a plain ``Transport`` and runs it in a worker thread.
    An optional ``astream(request, *, timeout) -> AsyncStreamedResponse`` serves
    streaming methods, as ``Transport.stream`` does.
    """

    async def asend(self, request: Request, *, timeout: Timeout) -> Response: ...

    async def aclose(self) -> None: ...


_PoolKey = tuple[str, str, int, Union[tuple[str, int, Union[str, None]], None]]


class _Clock:
    """The limits of the exchange a connection is serving now: every read from its
    socket waits at most until ``deadline`` (or ``idle`` seconds when there is none)."""

    __slots__ = ("deadline", "idle")

    def __init__(self) -> None:
        self.deadline: float | None = None
        self.idle: float | None = None

    def left(self) -> float | None:
        if self.deadline is None:
            return self.idle
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        return left


class _DeadlineIO(io.RawIOBase):
    """A socket's reads, each limited to the time the clock has left. It holds the file
    ``http.client`` made of the socket until it is closed itself: that file keeps the
    socket open when the connection lets go of it first (``Connection: close``), as
    ``socket.makefile`` does, so the body can still be read."""

    def __init__(self, sock: socket.socket, clock: _Clock, keep: Any) -> None:
        self._sock = sock
        self._clock = clock
        self._keep = keep

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(self._clock.left())
        return self._sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._keep.close()
        super().close()


class _TimedResponse(http.client.HTTPResponse):
    def __init__(
        self,
        sock: socket.socket,
        clock: _Clock,
        debuglevel: int = 0,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(sock, debuglevel, method, url)
        # reads go through the clock; the plain file http.client made is kept open
        self.fp = io.BufferedReader(_DeadlineIO(sock, clock, self.fp))


class _Timed:
    """A connection whose answers read their socket through its ``clock``."""

    clock: _Clock

    def response_class(
        self, sock: socket.socket, *args: Any, **kwargs: Any
    ) -> http.client.HTTPResponse:
        return _TimedResponse(sock, self.clock, *args, **kwargs)


class _HTTPConnection(_Timed, http.client.HTTPConnection):  # type: ignore[misc]
    pass


class _HTTPSConnection(_Timed, http.client.HTTPSConnection):  # type: ignore[misc]
    pass


_Connection = Union[_HTTPConnection, _HTTPSConnection]


class HTTPTransport:
    """The default transport: ``http.client`` with a keep-alive pool per host.

    TLS is verified (``ssl.create_default_context()`` unless ``ssl_context`` is given).
    ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``NO_PROXY`` (or lowercase) are read from the
    environment at each request when ``trust_env`` is true; HTTPS goes through the
    proxy with ``CONNECT``. Up to ``max_idle_per_host`` idle connections are kept per
    host. Bodies encoded with gzip or deflate are decoded as they are read, within
    ``Request.max_response_bytes``. Safe to share between threads: each request holds
    its connection alone.
    """

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        trust_env: bool = True,
        max_idle_per_host: int = 10,
    ) -> None:
        self._ssl_context = ssl_context
        self._trust_env = trust_env
        self._max_idle = max_idle_per_host
        self._idle: dict[_PoolKey, list[_Connection]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(trust_env={self._trust_env!r}, max_idle_per_host={self._max_idle!r})"

    def send(self, request: Request, *, timeout: Timeout) -> Response:
        key, conn, response = self._open(request, Timeout.of(timeout))
        try:
            body = _read_body(response, request.max_response_bytes)
        except BaseException:
            conn.close()
            raise
        self._finish(key, conn, response)
        return Response(response.status, Headers(response.getheaders()), body)

    def stream(self, request: Request, *, timeout: Timeout) -> StreamedResponse:
        """Like ``send``, but the body is read as it arrives: ``timeout.total`` limits
        the connection and the answer's head, then ``timeout.idle`` each wait for more
        of the body."""
        timeout = Timeout.of(timeout)
        key, conn, response = self._open(request, timeout)
        conn.clock.deadline = None
        conn.clock.idle = timeout.stream_idle
        body = _BodyStream(self, key, conn, response)
        return StreamedResponse(
            response.status, Headers(response.getheaders()), iter(body), body.close
        )

    def _open(
        self, request: Request, timeout: Timeout
    ) -> tuple[_PoolKey, _Connection, http.client.HTTPResponse]:
        """Send the request and read the answer's head, on a pooled connection."""
        deadline = None if timeout.total is None else time.monotonic() + timeout.total
        url = urllib.parse.urlsplit(request.url)
        scheme = url.scheme.lower()
        if scheme not in ("http", "https") or not url.hostname:
            raise APIConnectionError(f"cannot send to a URL of scheme {scheme!r}")
        host = url.hostname
        port = url.port or (443 if scheme == "https" else 80)
        target = (url.path or "/") + ("?" + url.query if url.query else "")
        proxy = self._proxy_for(scheme, host)
        headers = dict(request.headers.items())
        if proxy is not None and scheme == "http":
            target = urllib.parse.urlunsplit(
                (scheme, url.netloc, url.path or "/", url.query, "")
            )
            if proxy[2] is not None:
                headers["Proxy-Authorization"] = proxy[2]
        key: _PoolKey = (scheme, host, port, proxy)
        for attempt in (0, 1):
            conn, reused = self._acquire(key)
            conn.clock.deadline = deadline
            conn.clock.idle = None
            try:
                if conn.sock is None:
                    left = conn.clock.left()
                    conn.timeout = (
                        timeout.connect
                        if left is None
                        else min(left, timeout.connect or left)
                    )
                    conn.connect()
                if conn.sock is not None:
                    conn.sock.settimeout(conn.clock.left())
                conn.request(
                    request.method, target, body=request.content, headers=headers
                )
                response = conn.getresponse()
            except (
                ConnectionResetError,
                BrokenPipeError,
                ConnectionAbortedError,
                http.client.BadStatusLine,
            ):
                conn.close()
                # a kept-alive connection the server closed meanwhile: one fresh try
                if reused and attempt == 0:
                    continue
                raise
            except BaseException:
                conn.close()
                raise
            return key, conn, response
        raise AssertionError("unreachable")  # pragma: no cover

    def _finish(
        self, key: _PoolKey, conn: _Connection, response: http.client.HTTPResponse
    ) -> None:
        if response.will_close:
            conn.close()
        else:
            self._release(key, conn)

    def close(self) -> None:
        """Close the idle connections; connections in use close when they finish."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()

    def __enter__(self) -> HTTPTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _acquire(self, key: _PoolKey) -> tuple[_Connection, bool]:
        with self._lock:
            conns = self._idle.get(key)
            while conns:
                conn = conns.pop()
                if _usable(conn):
                    return conn, True
                conn.close()
        return self._connection(key), False

    def _release(self, key: _PoolKey, conn: _Connection) -> None:
        with self._lock:
            if not self._closed:
                conns = self._idle.setdefault(key, [])
                if len(conns) < self._max_idle:
                    conns.append(conn)
                    return
        conn.close()

    def _connection(self, key: _PoolKey) -> _Connection:
        scheme, host, port, proxy = key
        conn: _Connection
        if scheme == "https":
            if self._ssl_context is None:
                self._ssl_context = ssl.create_default_context()
            if proxy is None:
                conn = _HTTPSConnection(host, port, context=self._ssl_context)
            else:
                conn = _HTTPSConnection(proxy[0], proxy[1], context=self._ssl_context)
                auth = {} if proxy[2] is None else {"Proxy-Authorization": proxy[2]}
                conn.set_tunnel(host, port, headers=auth)
        elif proxy is None:
            conn = _HTTPConnection(host, port)
        else:
            conn = _HTTPConnection(proxy[0], proxy[1])
        conn.clock = _Clock()
        return conn

    def _proxy_for(self, scheme: str, host: str) -> tuple[str, int, str | None] | None:
        """(host, port, Proxy-Authorization) of the proxy to use, from the environment."""
        if not self._trust_env:
            return None
        proxy = _env_proxy(scheme)
        if not proxy or no_proxy(host, _env_proxy("no") or ""):
            return None
        u = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)
        if not u.hostname:
            return None
        auth = None
        if u.username is not None:
            pair = f"{urllib.parse.unquote(u.username)}:{urllib.parse.unquote(u.password or '')}"
            auth = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
        return (u.hostname, u.port or 80, auth)


def _env_proxy(scheme: str) -> str | None:
    """``<scheme>_proxy`` from the environment as ``urllib`` reads it (lowercase wins;
    ``HTTP_PROXY`` is ignored under CGI), without walking the whole environment."""
    value = os.environ.get(scheme + "_proxy")
    if value:
        return value
    if scheme == "http" and "REQUEST_METHOD" in os.environ:
        return None
    return os.environ.get(scheme.upper() + "_PROXY") or None


def no_proxy(host: str, rules: str) -> bool:
    """Whether ``NO_PROXY`` exempts ``host``: ``*``, a host or domain (``example.com``
    and ``.example.com`` cover subdomains), an IP address or a CIDR block."""
    host = host.lower().strip("[]").rstrip(".")
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = (
            ipaddress.ip_address(host)
        )
    except ValueError:
        address = None
    for rule in rules.replace(" ", ",").split(","):
        rule = rule.strip().lower()
        if not rule:
            continue
        if rule == "*":
            return True
        if address is not None:
            try:
                if address in ipaddress.ip_network(rule.strip("[]"), strict=False):
                    return True
            except ValueError:
                pass
            continue
        rule = rule.lstrip("*").lstrip(".").rstrip(".")
        if rule.rpartition(":")[2].isdigit():
            rule = rule.rpartition(":")[0]
        if rule and (host == rule or host.endswith("." + rule)):
            return True
    return False


class _Decoder:
    """Undoes a ``Content-Encoding`` of gzip or deflate as the body arrives, never
    giving more than ``max_bytes`` in all (``ResponseTooLargeError`` past it)."""

    def __init__(self, encoding: str, max_bytes: int | None) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else 0)
        self._first = True
        self._left = max_bytes
        self._max = max_bytes

    def feed(self, data: bytes) -> bytes:
        if not data:
            return b""
        limit = 0 if self._left is None else self._left + 1
        try:
            out = self._zlib.decompress(data, limit)
        except zlib.error:
            if self._gzip or not self._first:
                raise
            # deflate as many servers send it: raw, without the zlib header
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._zlib.decompress(data, limit)
        self._first = False
        if self._left is not None:
            if len(out) > self._left or self._zlib.unconsumed_tail:
                assert self._max is not None
                raise ResponseTooLargeError(self._max)
            self._left -= len(out)
        return out

    def flush(self) -> bytes:
        out = self._zlib.flush()
        if self._left is not None and len(out) > self._left:
            assert self._max is not None
            raise ResponseTooLargeError(self._max)
        return out


def _decoder(
    response: http.client.HTTPResponse, max_bytes: int | None
) -> _Decoder | None:
    encoding = (response.getheader("content-encoding") or "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _Decoder(encoding, max_bytes)
    return None


def _read_body(response: http.client.HTTPResponse, max_bytes: int | None) -> bytes:
    """The whole body, decoded, at most ``max_bytes`` of it. A ``Content-Length``
    over the limit is refused before reading."""
    length = response.length
    if max_bytes is not None and length is not None and length > max_bytes:
        raise ResponseTooLargeError(max_bytes)
    decoder = _decoder(response, max_bytes)
    if decoder is None and length is not None:
        return response.read()
    chunks: list[bytes] = []
    size = 0
    while not response.isclosed():  # closed: the body is complete
        chunk = response.read(65536)
        if not chunk:
            break
        if decoder is not None:
            chunk = decoder.feed(chunk)
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise ResponseTooLargeError(max_bytes)
        chunks.append(chunk)
    if decoder is not None:
        chunks.append(decoder.flush())
    return b"".join(chunks)


class _BodyStream:
    """A response body read chunk by chunk (decoded); the connection goes back to the
    pool when the body is complete, and is closed when the reader stops early."""

    def __init__(
        self,
        transport: HTTPTransport,
        key: _PoolKey,
        conn: _Connection,
        response: http.client.HTTPResponse,
    ) -> None:
        self._transport = transport
        self._key = key
        self._conn: _Connection | None = conn
        self._response = response
        self._decoder = _decoder(response, None)

    def __iter__(self) -> Iterator[bytes]:
        while self._conn is not None:
            conn = self._conn
            try:
                raw = (
                    self._response.read1(65536)
                    if not self._response.isclosed()
                    else b""
                )
                if self._decoder is None:
                    chunk = raw
                elif raw:
                    chunk = self._decoder.feed(raw)
                else:
                    chunk = self._decoder.flush()
            except BaseException:
                self.close()
                raise
            if not raw and self._response.length:
                # the peer closed before the bytes Content-Length promised came
                self.close()
                raise http.client.IncompleteRead(b"", self._response.length)
            if not raw:
                self._conn = None
                if not self._response.isclosed():
                    # Python 3.11's read1 leaves a fully read Content-Length body open,
                    # and http.client refuses the connection's next request: finish it
                    self._response.read()
                self._transport._finish(self._key, conn, self._response)
                if chunk:
                    yield chunk
                return
            if chunk:
                yield chunk

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def _usable(conn: http.client.HTTPConnection) -> bool:
    """An idle connection is usable when the server has not closed it (not readable)."""
    sock = conn.sock
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


class ThreadedTransport:
    """A blocking ``Transport`` run in worker threads, so the event loop never waits."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    async def asend(self, request: Request, *, timeout: Timeout) -> Response:
        return await asyncio.to_thread(self.transport.send, request, timeout=timeout)

    async def aclose(self) -> None:
        self.transport.close()

    async def astream(
        self, request: Request, *, timeout: Timeout
    ) -> AsyncStreamedResponse:
        opened = await asyncio.to_thread(
            open_stream, self.transport, request, timeout=timeout
        )
        chunks = opened.chunks

        async def read() -> AsyncIterator[bytes]:
            while True:
                chunk = await asyncio.to_thread(next, chunks, b"")
                if not chunk:
                    return
                yield chunk

        async def aclose() -> None:
            await asyncio.to_thread(opened.close)

        return AsyncStreamedResponse(opened.status_code, opened.headers, read(), aclose)


def open_stream(
    transport: Transport, request: Request, *, timeout: Timeout
) -> StreamedResponse:
    """The transport's ``stream``, or its ``send`` for a transport without one."""
    stream = getattr(transport, "stream", None)
    if callable(stream):
        opened: StreamedResponse = stream(request, timeout=timeout)
        return opened
    response = transport.send(request, timeout=timeout)
    return StreamedResponse(
        response.status_code, response.headers, iter([response.content]), lambda: None
    )


async def _one(content: bytes) -> AsyncIterator[bytes]:
    yield content


async def _noop() -> None:
    return None


async def aopen_stream(
    transport: AsyncTransport, request: Request, *, timeout: Timeout
) -> AsyncStreamedResponse:
    astream = getattr(transport, "astream", None)
    if callable(astream):
        opened: AsyncStreamedResponse = await astream(request, timeout=timeout)
        return opened
    response = await transport.asend(request, timeout=timeout)
    return AsyncStreamedResponse(
        response.status_code, response.headers, _one(response.content), _noop
    )
