"""HTTP runtime shared by the generated clients: headers, the transport, retries,
request bodies (JSON, multipart), query strings and server-sent event streams.

``Transport`` and ``AsyncTransport`` are the two public protocols; ``HTTPTransport``
is the default (standard library only). ``Stream`` / ``AsyncStream`` are what
streaming methods return; ``FileInput`` is what uploads accept. Everything else is
private to the package.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import http.client
import ipaddress
import json
import logging
import mimetypes
import os
import platform
import random
import select
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
import uuid
import warnings
from dataclasses import dataclass, field
from typing import (
    IO,
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Generic,
    Iterable,
    Iterator,
    Mapping,
    Protocol,
    TypeVar,
    Union,
    runtime_checkable,
)

from .errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientError,
    ConflictError,
    DecodeError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)

__all__ = [
    "AsyncStream",
    "AsyncStreamedResponse",
    "AsyncTransport",
    "FileInput",
    "HTTPTransport",
    "Headers",
    "RawResponse",
    "Request",
    "Response",
    "Stream",
    "StreamedResponse",
    "Transport",
]

T = TypeVar("T")
R = TypeVar("R", "Response", "StreamedResponse", "AsyncStreamedResponse")
_C = TypeVar("_C", bound="SyncAPIClient")
_A = TypeVar("_A", bound="AsyncAPIClient")

log = logging.getLogger(__name__.rpartition(".")[0] or __name__)

# Retries: 0.5 s doubling up to 8 s, times a jitter in (0.75, 1]; a server's
# Retry-After / retry-after-ms wins when it asks for at most a minute.
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
RETRY_STATUSES = frozenset({408, 409, 429})

# The waits between attempts; tests replace these to keep retries fast.
sleep: Callable[[float], None] = time.sleep
async_sleep: Callable[[float], Any] = asyncio.sleep

_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "api-key", "x-api-key", "cookie"}
)


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only HTTP headers; repeated headers are joined by ``, ``.

    ``repr`` masks credentials (``Authorization`` and the like).
    """

    __slots__ = ("_items",)

    def __init__(
        self, headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None
    ) -> None:
        self._items: dict[str, tuple[str, str]] = {}
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

    def merged(self, other: Mapping[str, str] | None) -> Headers:
        """A copy with ``other``'s headers replacing same-named ones."""
        out = Headers()
        out._items = dict(self._items)
        for name, value in (other or {}).items():
            out._items[name.lower()] = (name, value)
        return out

    def __repr__(self) -> str:
        shown = {
            n: ("***" if k in _SECRET_HEADERS else v)
            for k, (n, v) in self._items.items()
        }
        return f"Headers({shown!r})"


@dataclass
class Request:
    """What a transport sends. ``headers`` are left out of ``repr``."""

    method: str
    url: str
    headers: Headers = field(repr=False)
    content: bytes | None = None


@dataclass
class Response:
    """What a transport gives back: the status, the headers and the whole body."""

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

    def read(self) -> Response:
        """The rest of the body, as a ``Response``; the stream is closed."""
        try:
            return Response(self.status_code, self.headers, b"".join(self.chunks))
        finally:
            self.close()


@dataclass
class AsyncStreamedResponse:
    """``StreamedResponse`` for ``AsyncTransport.astream``."""

    status_code: int
    headers: Headers
    chunks: AsyncIterator[bytes]
    aclose: Callable[[], Awaitable[None]]

    async def aread(self) -> Response:
        try:
            return Response(
                self.status_code, self.headers, b"".join([c async for c in self.chunks])
            )
        finally:
            await self.aclose()


class Transport(Protocol):
    """Sends one request and returns the whole response.

    Streaming methods (server-sent events) use the transport's ``stream(request, *,
    timeout) -> StreamedResponse`` when it has one (``HTTPTransport`` does); a
    transport with ``send`` only still works, the events then arrive once the whole
    body has.

    ``timeout`` is the time allowed for the whole exchange in seconds (``None``: no
    limit). Raise ``TimeoutError`` when it runs out and ``OSError`` (or
    ``APIConnectionError``) when there is no answer; the client retries both. Answer
    every HTTP status (4xx and 5xx too) with a ``Response``. A transport given to a
    client is closed by its owner, not by the client. It must be safe to call from
    several threads at once if the client is shared between threads.
    """

    def send(self, request: Request, *, timeout: float | None) -> Response: ...

    def close(self) -> None: ...


@runtime_checkable
class AsyncTransport(Protocol):
    """``Transport`` for ``AsyncClient``, with coroutines.

    ``AsyncClient`` also accepts a plain ``Transport`` and runs it in a worker thread.
    An optional ``astream(request, *, timeout) -> AsyncStreamedResponse`` serves
    streaming methods, as ``Transport.stream`` does.
    """

    async def asend(self, request: Request, *, timeout: float | None) -> Response: ...

    async def aclose(self) -> None: ...


_PoolKey = tuple[str, str, int, Union[tuple[str, int, Union[str, None]], None]]


class HTTPTransport:
    """The default transport: ``http.client`` with a keep-alive pool per host.

    TLS is verified (``ssl.create_default_context()`` unless ``ssl_context`` is given).
    ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``NO_PROXY`` (or lowercase) are read from the
    environment at each request when ``trust_env`` is true; HTTPS goes through the
    proxy with ``CONNECT``. Up to ``max_idle_per_host`` idle connections are kept per
    host. Safe to share between threads: each request holds its connection alone.
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
        self._idle: dict[_PoolKey, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(trust_env={self._trust_env!r}, max_idle_per_host={self._max_idle!r})"

    def send(self, request: Request, *, timeout: float | None) -> Response:
        deadline = None if timeout is None else time.monotonic() + timeout
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
            try:
                _connect(conn, deadline)
                conn.request(
                    request.method, target, body=request.content, headers=headers
                )
                sock = conn.sock
                if sock is not None:
                    sock.settimeout(_remaining(deadline))
                response = conn.getresponse()
                body = _read_body(response, sock, deadline)
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
            if response.will_close:
                conn.close()
            else:
                self._release(key, conn)
            return Response(response.status, Headers(response.getheaders()), body)
        raise AssertionError("unreachable")  # pragma: no cover

    def stream(self, request: Request, *, timeout: float | None) -> StreamedResponse:
        """Like ``send``, but the body is read as it arrives. ``timeout`` limits the
        connection and the answer's head, then each wait for more of the body."""
        deadline = None if timeout is None else time.monotonic() + timeout
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
            try:
                _connect(conn, deadline)
                conn.request(
                    request.method, target, body=request.content, headers=headers
                )
                sock = conn.sock
                if sock is not None:
                    sock.settimeout(_remaining(deadline))
                response = conn.getresponse()
            except (
                ConnectionResetError,
                BrokenPipeError,
                ConnectionAbortedError,
                http.client.BadStatusLine,
            ):
                conn.close()
                if reused and attempt == 0:
                    continue
                raise
            except BaseException:
                conn.close()
                raise
            body = _BodyStream(self, key, conn, response, timeout)
            return StreamedResponse(
                response.status, Headers(response.getheaders()), iter(body), body.close
            )
        raise AssertionError("unreachable")  # pragma: no cover

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

    def _acquire(self, key: _PoolKey) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            conns = self._idle.get(key)
            while conns:
                conn = conns.pop()
                if _usable(conn):
                    return conn, True
                conn.close()
        return self._connection(key), False

    def _release(self, key: _PoolKey, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if not self._closed:
                conns = self._idle.setdefault(key, [])
                if len(conns) < self._max_idle:
                    conns.append(conn)
                    return
        conn.close()

    def _connection(self, key: _PoolKey) -> http.client.HTTPConnection:
        scheme, host, port, proxy = key
        conn: http.client.HTTPConnection
        if scheme == "https":
            if self._ssl_context is None:
                self._ssl_context = ssl.create_default_context()
            if proxy is None:
                conn = http.client.HTTPSConnection(
                    host, port, context=self._ssl_context
                )
            else:
                conn = http.client.HTTPSConnection(
                    proxy[0], proxy[1], context=self._ssl_context
                )
                auth = {} if proxy[2] is None else {"Proxy-Authorization": proxy[2]}
                conn.set_tunnel(host, port, headers=auth)
        elif proxy is None:
            conn = http.client.HTTPConnection(host, port)
        else:
            conn = http.client.HTTPConnection(proxy[0], proxy[1])
        return conn

    def _proxy_for(self, scheme: str, host: str) -> tuple[str, int, str | None] | None:
        """(host, port, Proxy-Authorization) of the proxy to use, from the environment."""
        if not self._trust_env:
            return None
        proxies = urllib.request.getproxies_environment()
        proxy = proxies.get(scheme)
        if not proxy or no_proxy(host, proxies.get("no", "")):
            return None
        u = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)
        if not u.hostname:
            return None
        auth = None
        if u.username is not None:
            pair = f"{urllib.parse.unquote(u.username)}:{urllib.parse.unquote(u.password or '')}"
            auth = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
        return (u.hostname, u.port or 80, auth)


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


def _remaining(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    return left


def _connect(conn: http.client.HTTPConnection, deadline: float | None) -> None:
    """Connect (through the proxy's CONNECT and TLS) if need be, within the time left."""
    if conn.sock is None:
        conn.timeout = _remaining(deadline)
        conn.connect()
    if conn.sock is not None:
        conn.sock.settimeout(_remaining(deadline))


def _read_body(
    response: http.client.HTTPResponse,
    sock: socket.socket | None,
    deadline: float | None,
) -> bytes:
    """The whole body, each read limited to the time left."""
    chunks: list[bytes] = []
    while not response.isclosed():  # closed: the body is complete
        if sock is not None:
            sock.settimeout(_remaining(deadline))
        chunk = response.read(65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


class _BodyStream:
    """A response body read chunk by chunk; the connection goes back to the pool when
    the body is complete, and is closed when the reader stops early."""

    def __init__(
        self,
        transport: HTTPTransport,
        key: _PoolKey,
        conn: http.client.HTTPConnection,
        response: http.client.HTTPResponse,
        timeout: float | None,
    ) -> None:
        self._transport = transport
        self._key = key
        self._conn: http.client.HTTPConnection | None = conn
        self._response = response
        self._timeout = timeout

    def __iter__(self) -> Iterator[bytes]:
        while self._conn is not None:
            conn = self._conn
            try:
                if conn.sock is not None:
                    conn.sock.settimeout(self._timeout)
                chunk = (
                    self._response.read1(65536)
                    if not self._response.isclosed()
                    else b""
                )
            except BaseException:
                self.close()
                raise
            if not chunk:
                self._conn = None
                if not self._response.isclosed():
                    # Python 3.11's read1 leaves a fully read Content-Length body open,
                    # and http.client refuses the connection's next request: finish it
                    self._response.read()
                if self._response.will_close:
                    conn.close()
                else:
                    self._transport._release(self._key, conn)
                return
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


# ----- responses --------------------------------------------------------------------


class RawResponse(Generic[T]):
    """A response as it came: ``status_code``, ``headers``, ``content``, ``text``.

    ``parse()`` decodes the body into the operation's return type (once; the result is
    kept); a body that is not JSON or that strict decoding rejects raises
    ``APIResponseValidationError``.
    """

    def __init__(
        self,
        response: Response,
        *,
        method: str,
        url: str,
        parser: Callable[[RawResponse[T]], T],
        strict: bool,
        retries_taken: int,
        elapsed: float,
    ) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.content = response.content
        self.method = method
        self.url = url
        self.strict = strict
        self.retries_taken = retries_taken
        self.elapsed = elapsed
        self._parser = parser
        self._parsed: list[T] = []

    @property
    def request_id(self) -> str | None:
        """The ``x-request-id`` header: quote it when asking OpenAI for help."""
        return self.headers.get("x-request-id")

    @property
    def text(self) -> str:
        return self.content.decode(
            _charset(self.headers.get("content-type")), errors="replace"
        )

    def json(self) -> Any:
        """The body as JSON; ``APIResponseValidationError`` when it is not JSON."""
        try:
            return json.loads(self.content)
        except (ValueError, RecursionError) as exc:
            raise APIResponseValidationError(
                f"Response body is not valid JSON ({self.status_code}, {len(self.content)} bytes): {exc}",
                response=self,
                body=self.text,
            ) from exc

    def parse(self) -> T:
        """The body decoded into the operation's return type."""
        if not self._parsed:
            try:
                self._parsed.append(self._parser(self))
            except DecodeError as exc:
                raise APIResponseValidationError(
                    f"Response body does not match the schema: {exc}",
                    response=self,
                    body=_json_or_text(self),
                ) from exc
        return self._parsed[0]

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] {self.method} {self.url}>"


def _charset(content_type: str | None) -> str:
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"')
            try:
                "".encode(charset)
                return charset
            except LookupError:
                break
    return "utf-8"


def _json_or_text(raw: RawResponse[Any]) -> object:
    if not raw.content:
        return None
    try:
        return json.loads(raw.content)
    except (ValueError, RecursionError):
        return raw.text


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(raw: RawResponse[Any]) -> APIStatusError:
    """The exception for a non-2xx answer, with the server's ``error.message``."""
    body = _json_or_text(raw)
    envelope = body.get("error") if isinstance(body, dict) else None
    if isinstance(envelope, dict) and isinstance(envelope.get("message"), str):
        message = envelope["message"]
    elif isinstance(body, dict) and isinstance(body.get("message"), str):
        message = body["message"]
    elif isinstance(body, str):
        message = body if len(body) <= 500 else body[:500] + "..."
    elif body is not None:
        message = json.dumps(body)[:500]
    else:
        message = http.client.responses.get(raw.status_code, "no body")
    status = raw.status_code
    cls = _STATUS_ERRORS.get(status) or (
        InternalServerError if status >= 500 else APIStatusError
    )
    return cls(f"Error code: {status} - {message}", response=raw, body=body)


# ----- retries ----------------------------------------------------------------------


def should_retry(response: Response) -> bool:
    """408, 409, 429 and 5xx are retried, unless the server says ``x-should-retry``."""
    verdict = response.headers.get("x-should-retry", "").strip().lower()
    if verdict == "true":
        return True
    if verdict == "false":
        return False
    return response.status_code in RETRY_STATUSES or response.status_code >= 500


def retry_after(headers: Headers | None) -> float | None:
    """Seconds the server asks us to wait (``retry-after-ms``, ``Retry-After``), if any."""
    if headers is None:
        return None
    value = headers.get("retry-after-ms")
    if value is not None:
        try:
            return float(value) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return email.utils.mktime_tz(parsed) - time.time()


def retry_delay(retries_taken: int, headers: Headers | None = None) -> float:
    """Seconds to wait before retry number ``retries_taken + 1``."""
    asked = retry_after(headers)
    if asked is not None and 0 < asked <= MAX_RETRY_AFTER:
        return asked
    delay = min(INITIAL_RETRY_DELAY * 2.0**retries_taken, MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())


def connection_error(exc: BaseException) -> APIConnectionError | None:
    """The library error for a transport failure; ``None`` for anything else (a bug)."""
    if isinstance(exc, APIConnectionError):
        return exc
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):
        return APITimeoutError()
    if isinstance(exc, (OSError, http.client.HTTPException)):
        detail = str(exc) or type(exc).__name__
        return APIConnectionError(f"Connection error: {detail}")
    return None


# ----- requests -----------------------------------------------------------------------

# What an upload accepts: the bytes, a path, a binary file object, a (filename, bytes
# or file object) pair, or a (filename, bytes or file object, content type) triple.
FileInput = Union[
    bytes,
    "os.PathLike[str]",
    IO[bytes],
    tuple[str, Union[bytes, IO[bytes]]],
    tuple[str, Union[bytes, IO[bytes]], str],
]

# A request body as it is sent: (bytes, content type).
Content = tuple[bytes, str]


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def query(items: Iterable[tuple[str, object, bool, bool]]) -> str:
    """``?k=v&...`` for (name, value, explode, deep) query parameters; ``None`` values
    are left out. Booleans are ``true``/``false``; a list repeats its key when
    ``explode`` (``k=a&k=b``), else joins with commas; an object is ``k[sub]=v`` when
    ``deep``, else its own ``sub=v`` pairs."""
    pairs: list[tuple[str, str]] = []
    for name, value, explode, deep in items:
        if value is None:
            continue
        value = jsonable(value)
        if isinstance(value, list):
            if explode:
                pairs.extend((name, _scalar(v)) for v in value)
            else:
                pairs.append((name, ",".join(_scalar(v) for v in value)))
        elif isinstance(value, dict):
            for k, v in value.items():
                if v is not None:
                    pairs.append((f"{name}[{k}]" if deep else k, _scalar(v)))
        else:
            pairs.append((name, _scalar(value)))
    return (
        "?" + urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote)
        if pairs
        else ""
    )


def headers(
    values: Mapping[str, object], extra: Mapping[str, str] | None
) -> dict[str, str]:
    """An operation's header parameters (``None``: not sent), then ``extra``."""
    out = {name: _scalar(v) for name, v in values.items() if v is not None}
    out.update(extra or {})
    return out


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: a generated model gives its ``to_dict()``."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def json_content(value: object) -> Content:
    body = json.dumps(jsonable(value), ensure_ascii=False).encode("utf-8")
    return body, "application/json"


def json_fields(
    fields: Iterable[tuple[str, object]],
    consts: Mapping[str, object],
    extra: Mapping[str, object] | None,
) -> Content:
    """A JSON object body: each field given (not ``None``), the operation's constants,
    then ``extra`` as is (``extra_body={"x": None}`` sends an explicit null)."""
    body = {name: jsonable(v) for name, v in fields if v is not None}
    body.update(consts)
    body.update({k: jsonable(v) for k, v in (extra or {}).items()})
    return json_content(body)


def raw_content(value: bytes | None, media: str) -> Content | None:
    return None if value is None else (bytes(value), media)


_mime_types: mimetypes.MimeTypes | None = None


def _media_type(filename: str) -> str:
    """A file part's media type, guessed from its name's extension with the standard
    library's own table (not the system's, so every machine guesses alike);
    ``application/octet-stream`` when it does not know it or the name is compressed."""
    global _mime_types
    if _mime_types is None:
        _mime_types = mimetypes.MimeTypes()
    kind, encoding = _mime_types.guess_type("upload" + os.path.splitext(filename)[1])
    return kind if kind is not None and encoding is None else "application/octet-stream"


def _file(value: FileInput) -> tuple[str, bytes, str]:
    """(filename, content, content type) of a file part."""
    if isinstance(value, tuple):
        name, content, *given = value
        if given and not (given[0] and _header_safe(given[0])):
            raise ValueError(
                f"the content type of {name!r} must be printable ASCII, got {given[0]!r}"
            )
        data = content if isinstance(content, bytes) else content.read()
        return name, data, given[0] if given else _media_type(name)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "upload", bytes(value), "application/octet-stream"
    if isinstance(value, os.PathLike):
        with open(value, "rb") as f:
            name = os.path.basename(os.fspath(value))
            return name, f.read(), _media_type(name)
    given_name = getattr(value, "name", None)
    if isinstance(given_name, str) and given_name:
        name = os.path.basename(given_name)
        return name, value.read(), _media_type(name)
    return "upload", value.read(), "application/octet-stream"


def _quote_param(text: str) -> str:
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def multipart(
    fields: Iterable[tuple[str, object, bool]], boundary: str | None = None
) -> Content:
    """A ``multipart/form-data`` body for (name, value, is a file) fields; ``None``
    values are left out. Files (or lists of files) become file parts; strings go as
    they are, booleans as ``true``/``false``, numbers as text, lists of scalars as
    repeated parts and objects (models included) as JSON text."""
    boundary = boundary or uuid.uuid4().hex
    out: list[bytes] = []

    def part(
        name: str, data: bytes, filename: str | None = None, media: str = ""
    ) -> None:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote_param(name)}"'
        if filename is not None:
            head += f'; filename="{_quote_param(filename)}"\r\nContent-Type: {media}'
        out.append(head.encode("utf-8") + b"\r\n\r\n" + data + b"\r\n")

    for name, value, is_file in fields:
        if value is None:
            continue
        if is_file:
            for f in value if isinstance(value, list) else [value]:
                filename, data, media = _file(f)  # type: ignore[arg-type]
                part(name, data, filename, media)
            continue
        value = jsonable(value)
        if isinstance(value, list) and all(
            not isinstance(v, (dict, list)) for v in value
        ):
            for v in value:
                part(name, _scalar(v).encode("utf-8"))
        elif isinstance(value, (dict, list)):
            part(name, json.dumps(value, ensure_ascii=False).encode("utf-8"))
        else:
            part(name, _scalar(value).encode("utf-8"))
    out.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def deprecated(name: str) -> None:
    warnings.warn(f"{name} is deprecated", DeprecationWarning, stacklevel=3)


# ----- server-sent events ---------------------------------------------------------------


class _SSEDecoder:
    """Server-sent events from chunks of bytes: ``data:`` lines joined by newlines,
    dispatched at a blank line; ``data: [DONE]`` ends the stream."""

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._event: str | None = None
        self.done = False

    def feed(self, chunk: bytes) -> list[tuple[str | None, str]]:
        self._buffer += chunk
        held = b""
        if self._buffer.endswith(b"\r"):  # maybe half of a \r\n
            self._buffer, held = self._buffer[:-1], b"\r"
        *lines, self._buffer = (
            self._buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        )
        self._buffer += held
        events: list[tuple[str | None, str]] = []
        for line in lines:
            event = self._line(line.decode("utf-8", errors="replace"))
            if event is not None:
                events.append(event)
                if self.done:
                    break
        return events

    def flush(self) -> list[tuple[str | None, str]]:
        lines = (
            [self._buffer.decode("utf-8", errors="replace"), ""]
            if self._buffer
            else [""]
        )
        self._buffer = b""
        events = [e for e in map(self._line, lines) if e is not None]
        return events

    def _line(self, line: str) -> tuple[str | None, str] | None:
        if self.done:
            return None
        if not line:
            if not self._data:
                self._event = None
                return None
            data, event = "\n".join(self._data), self._event
            self._data, self._event = [], None
            if data == "[DONE]":
                self.done = True
                return None
            return event, data
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        return None


def sse(chunks: Iterable[bytes]) -> Iterator[tuple[str | None, str]]:
    """(event name, data) for each server-sent event in ``chunks``, as they arrive."""
    decoder = _SSEDecoder()
    chunks = iter(chunks)
    for chunk in chunks:
        yield from decoder.feed(chunk)
        if decoder.done:
            # read what follows [DONE], as the official SDK does, so that the body ends
            # and its connection can serve the next request; the events are all in, so
            # a body that ends badly now only costs the connection
            try:
                for _ in chunks:
                    pass
            except Exception:  # noqa: BLE001
                pass
            return
    yield from decoder.flush()


def _event_json(data: str, response: Any) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise APIResponseValidationError(
            f"Stream event is not valid JSON: {exc}", response=response, body=data
        ) from exc


def _event(
    decode: Callable[[Any, bool], T], text: str, strict: bool, response: Any
) -> T:
    """One event's ``data`` decoded; an error object in it (``{"error": {...}}``, as the
    API sends when a stream fails midway, with or without ``event: error``) raises
    ``APIError`` with its message, as the official SDK does."""
    data = _event_json(text, response)
    error = data.get("error") if isinstance(data, dict) else None
    if error:
        message = error.get("message") if isinstance(error, dict) else error
        if not isinstance(message, str) or not message:
            message = "An error occurred during streaming"
        raise APIError(message, body=data)
    try:
        return decode(data, strict)
    except DecodeError as exc:
        raise APIResponseValidationError(
            f"Stream event does not match the schema: {exc}",
            response=response,
            body=data,
        ) from exc


def events(raw: RawResponse[Any], decode: Callable[[Any, bool], T]) -> list[T]:
    """The decoded events of a whole event-stream body (``with_raw_response``)."""
    return [_event(decode, data, raw.strict, raw) for _, data in sse([raw.content])]


class Stream(Generic[T]):
    """The events of a streaming answer, decoded one by one as they arrive.

    Iterate once (``for event in stream``); leaving the loop early, ``close()`` or a
    ``with`` block releases the connection. An event carrying an error object
    (``{"error": {"message": ...}}``) raises ``APIError`` and ends the stream.
    ``status_code``, ``headers`` and ``request_id`` describe the answer.
    """

    def __init__(
        self,
        response: StreamedResponse,
        decode: Callable[[Any, bool], T],
        *,
        strict: bool,
        method: str,
        url: str,
    ) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.method = method
        self.url = url
        self._response = response
        self._decode = decode
        self._strict = strict

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-request-id")

    def __iter__(self) -> Iterator[T]:
        try:
            for _, data in sse(self._response.chunks):
                yield _event(self._decode, data, self._strict, self)
        finally:
            self.close()

    def close(self) -> None:
        self._response.close()

    def __enter__(self) -> Stream[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Stream [{self.status_code}] {self.method} {self.url}>"


class AsyncStream(Generic[T]):
    """``Stream`` for ``AsyncClient``: ``async for event in stream``."""

    def __init__(
        self,
        response: AsyncStreamedResponse,
        decode: Callable[[Any, bool], T],
        *,
        strict: bool,
        method: str,
        url: str,
    ) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.method = method
        self.url = url
        self._response = response
        self._decode = decode
        self._strict = strict

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-request-id")

    async def __aiter__(self) -> AsyncIterator[T]:
        decoder = _SSEDecoder()
        try:
            async for chunk in self._response.chunks:
                for _, data in decoder.feed(chunk):
                    yield _event(self._decode, data, self._strict, self)
                if decoder.done:
                    try:  # as ``sse`` does after [DONE]
                        async for _ in self._response.chunks:
                            pass
                    except Exception:  # noqa: BLE001
                        pass
                    return
            for _, data in decoder.flush():
                yield _event(self._decode, data, self._strict, self)
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        await self._response.aclose()

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<AsyncStream [{self.status_code}] {self.method} {self.url}>"


def open_stream(
    transport: Transport, request: Request, *, timeout: float | None
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
    transport: AsyncTransport, request: Request, *, timeout: float | None
) -> AsyncStreamedResponse:
    astream = getattr(transport, "astream", None)
    if callable(astream):
        opened: AsyncStreamedResponse = await astream(request, timeout=timeout)
        return opened
    response = await transport.asend(request, timeout=timeout)
    return AsyncStreamedResponse(
        response.status_code, response.headers, _one(response.content), _noop
    )


# ----- clients ----------------------------------------------------------------------


def _header_safe(value: str) -> bool:
    return all(" " <= ch <= "~" for ch in value)


def user_agent(package: str, version: str, generator: str) -> str:
    def token(s: str) -> str:
        return (
            "".join(ch if ch.isalnum() or ch in "._-+" else "-" for ch in s)
            or "unknown"
        )

    return (
        f"{token(package)}/{token(version)} (oas-dataclasses {token(generator)}; "
        f"Python {platform.python_version()}; {token(platform.system())})"
    )


@dataclass(frozen=True)
class ClientConfig:
    """A client's resolved options. The API key is left out of ``repr``."""

    base_url: str
    timeout: float | None
    max_retries: int
    strict_responses: bool
    headers: Headers = field(repr=False)

    @classmethod
    def resolve(
        cls,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float | None,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        strict_responses: bool,
        api_key_env: str,
        base_url_env: str,
        default_base_url: str | None,
        user_agent: str,
    ) -> ClientConfig:
        if api_key is None:
            api_key = os.environ.get(api_key_env) or None
        if not api_key:
            raise ClientError(
                "The api_key client option must be set either by passing api_key to the client "
                f"or by setting the {api_key_env} environment variable"
            )
        if not isinstance(api_key, str) or not _header_safe(api_key):
            raise ClientError(
                "api_key must be a string of printable ASCII characters (it is sent as a header)"
            )
        if base_url is None:
            base_url = os.environ.get(base_url_env) or default_base_url
        if not base_url:
            raise ClientError(
                f"No base URL: pass base_url or set the {base_url_env} environment variable"
            )
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ClientError(
                f"base_url must be an absolute http or https URL, got {base_url!r}"
            )
        if timeout is not None and (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or timeout <= 0
        ):
            raise ClientError(
                f"timeout must be a positive number of seconds or None, got {timeout!r}"
            )
        if (
            isinstance(max_retries, bool)
            or not isinstance(max_retries, int)
            or max_retries < 0
        ):
            raise ClientError(
                f"max_retries must be a non-negative integer, got {max_retries!r}"
            )
        headers = Headers(
            {
                "Accept": "application/json",
                "User-Agent": user_agent,
                "Authorization": f"Bearer {api_key}",
            }
        ).merged(default_headers)
        return cls(
            base_url.rstrip("/"),
            None if timeout is None else float(timeout),
            max_retries,
            bool(strict_responses),
            headers,
        )

    def request(
        self,
        method: str,
        path: str,
        extra_headers: Mapping[str, str] | None,
        content: Content | None = None,
    ) -> Request:
        """One call's request: every attempt sends it as is, Idempotency-Key included."""
        own = {"Idempotency-Key": str(uuid.uuid4())}
        if content is not None:
            own["Content-Type"] = content[1]
        headers = self.headers.merged(own).merged(extra_headers)
        return Request(
            method,
            self.base_url + path,
            headers,
            None if content is None else content[0],
        )


def path(template: str, values: Mapping[str, object]) -> str:
    """Fill ``{name}`` placeholders, percent-encoding each value with nothing safe."""
    out = template
    for name, value in values.items():
        if value is None or value == "":
            raise ValueError(
                f"Expected a non-empty value for `{name}` but received {value!r}"
            )
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        out = out.replace("{" + name + "}", urllib.parse.quote(text, safe=""))
    return out


def _unparsed(raw: RawResponse[Any]) -> Any:
    return raw.json()


class SyncAPIClient:
    """What ``Client`` shares with every generated client: config, transport, retries."""

    def __init__(self, config: ClientConfig, transport: Transport | None) -> None:
        self._config = config
        self._owns_transport = transport is None
        self._transport: Transport = HTTPTransport() if transport is None else transport

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def timeout(self) -> float | None:
        return self._config.timeout

    @property
    def max_retries(self) -> int:
        return self._config.max_retries

    def _request(
        self,
        method: str,
        path: str,
        parser: Callable[[RawResponse[Any]], T],
        timeout: float | None,
        extra_headers: Mapping[str, str] | None,
        content: Content | None = None,
    ) -> RawResponse[T]:
        config = self._config
        request = config.request(method, path, extra_headers, content)
        limit = config.timeout if timeout is None else timeout
        start = time.monotonic()
        response, retries = self._send(
            request, lambda: self._transport.send(request, timeout=limit)
        )
        return RawResponse(
            response,
            method=method,
            url=request.url,
            parser=parser,
            strict=config.strict_responses,
            retries_taken=retries,
            elapsed=time.monotonic() - start,
        )

    def _stream(
        self,
        method: str,
        path: str,
        decode: Callable[[Any, bool], T],
        timeout: float | None,
        extra_headers: Mapping[str, str] | None,
        content: Content | None = None,
    ) -> Stream[T]:
        """Open a server-sent event stream: retried like ``_request`` until the answer's
        head arrives, then read as it comes."""
        config = self._config
        request = config.request(method, path, extra_headers, content)
        limit = config.timeout if timeout is None else timeout
        opened, _ = self._send(
            request, lambda: open_stream(self._transport, request, timeout=limit)
        )
        return Stream(
            opened,
            decode,
            strict=config.strict_responses,
            method=method,
            url=request.url,
        )

    def _send(self, request: Request, send: Callable[[], R]) -> tuple[R, int]:
        """Send with retries: the 2xx answer and the retries taken, or the error."""
        config = self._config
        start = time.monotonic()
        retries = 0
        while True:
            try:
                answer = send()
            except Exception as exc:
                error = connection_error(exc)
                if error is None:
                    raise
                if retries >= config.max_retries:
                    raise error from exc
                delay = retry_delay(retries)
                log.info(
                    "%s %s failed (%s); retrying in %.2f s",
                    request.method,
                    request.url,
                    error,
                    delay,
                )
            else:
                if 200 <= answer.status_code < 300:
                    return answer, retries
                response = (
                    answer.read() if isinstance(answer, StreamedResponse) else answer
                )
                assert isinstance(response, Response)
                if retries >= config.max_retries or not should_retry(response):
                    raise status_error(
                        RawResponse(
                            response,
                            method=request.method,
                            url=request.url,
                            parser=_unparsed,
                            strict=config.strict_responses,
                            retries_taken=retries,
                            elapsed=time.monotonic() - start,
                        )
                    )
                delay = retry_delay(retries, response.headers)
                log.info(
                    "%s %s answered %d; retrying in %.2f s",
                    request.method,
                    request.url,
                    response.status_code,
                    delay,
                )
            retries += 1
            sleep(delay)

    def close(self) -> None:
        """Release the connections (of the default transport; yours stays open)."""
        if self._owns_transport:
            self._transport.close()

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} base_url={self.base_url!r} max_retries={self.max_retries}>"


class _ThreadedTransport:
    """A blocking ``Transport`` run in worker threads, so the event loop never waits."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    async def asend(self, request: Request, *, timeout: float | None) -> Response:
        return await asyncio.to_thread(self.transport.send, request, timeout=timeout)

    async def aclose(self) -> None:
        self.transport.close()

    async def astream(
        self, request: Request, *, timeout: float | None
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


class AsyncAPIClient:
    """``SyncAPIClient`` for ``AsyncClient``: the same retries, awaited."""

    def __init__(
        self, config: ClientConfig, transport: Transport | AsyncTransport | None
    ) -> None:
        self._config = config
        self._owns_transport = transport is None
        self._transport: AsyncTransport
        if transport is None:
            self._transport = _ThreadedTransport(HTTPTransport())
        elif isinstance(transport, AsyncTransport):
            self._transport = transport
        else:
            self._transport = _ThreadedTransport(transport)

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def timeout(self) -> float | None:
        return self._config.timeout

    @property
    def max_retries(self) -> int:
        return self._config.max_retries

    async def _request(
        self,
        method: str,
        path: str,
        parser: Callable[[RawResponse[Any]], T],
        timeout: float | None,
        extra_headers: Mapping[str, str] | None,
        content: Content | None = None,
    ) -> RawResponse[T]:
        config = self._config
        request = config.request(method, path, extra_headers, content)
        limit = config.timeout if timeout is None else timeout
        start = time.monotonic()
        response, retries = await self._send(
            request, lambda: self._transport.asend(request, timeout=limit)
        )
        return RawResponse(
            response,
            method=method,
            url=request.url,
            parser=parser,
            strict=config.strict_responses,
            retries_taken=retries,
            elapsed=time.monotonic() - start,
        )

    async def _stream(
        self,
        method: str,
        path: str,
        decode: Callable[[Any, bool], T],
        timeout: float | None,
        extra_headers: Mapping[str, str] | None,
        content: Content | None = None,
    ) -> AsyncStream[T]:
        config = self._config
        request = config.request(method, path, extra_headers, content)
        limit = config.timeout if timeout is None else timeout
        opened, _ = await self._send(
            request, lambda: aopen_stream(self._transport, request, timeout=limit)
        )
        return AsyncStream(
            opened,
            decode,
            strict=config.strict_responses,
            method=method,
            url=request.url,
        )

    async def _send(
        self, request: Request, send: Callable[[], Awaitable[R]]
    ) -> tuple[R, int]:
        config = self._config
        start = time.monotonic()
        retries = 0
        while True:
            try:
                answer = await send()
            except Exception as exc:
                error = connection_error(exc)
                if error is None:
                    raise
                if retries >= config.max_retries:
                    raise error from exc
                delay = retry_delay(retries)
                log.info(
                    "%s %s failed (%s); retrying in %.2f s",
                    request.method,
                    request.url,
                    error,
                    delay,
                )
            else:
                if 200 <= answer.status_code < 300:
                    return answer, retries
                response = (
                    await answer.aread()
                    if isinstance(answer, AsyncStreamedResponse)
                    else answer
                )
                assert isinstance(response, Response)
                if retries >= config.max_retries or not should_retry(response):
                    raise status_error(
                        RawResponse(
                            response,
                            method=request.method,
                            url=request.url,
                            parser=_unparsed,
                            strict=config.strict_responses,
                            retries_taken=retries,
                            elapsed=time.monotonic() - start,
                        )
                    )
                delay = retry_delay(retries, response.headers)
                log.info(
                    "%s %s answered %d; retrying in %.2f s",
                    request.method,
                    request.url,
                    response.status_code,
                    delay,
                )
            retries += 1
            await async_sleep(delay)

    async def close(self) -> None:
        """Release the connections (of the default transport; yours stays open)."""
        if self._owns_transport:
            await self._transport.aclose()

    async def __aenter__(self: _A) -> _A:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} base_url={self.base_url!r} max_retries={self.max_retries}>"
