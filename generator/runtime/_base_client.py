"""What every generated client shares: its resolved options (``ClientConfig``), the
calls with their per-call options and retries (``SyncAPIClient``, ``AsyncAPIClient``),
``with_options``, logging and the checks on URLs and headers."""

from __future__ import annotations

import base64
import copy
import functools
import ipaddress
import logging
import os
import platform
import time
import urllib.parse
import uuid
import warnings
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Generator, Mapping, TypeVar

from . import _retries
from ._encoding import Content, check_headers, header_safe, with_query
from ._response import (
    AsyncStreamedRawResponse,
    CallInfo,
    RawResponse,
    StreamedRawResponse,
    status_error,
)
from ._retries import connection_error, retry_delay, should_retry
from ._streaming import AsyncStream, Stream
from ._transport import (
    AsyncTransport,
    Headers,
    HTTPTransport,
    Request,
    Response,
    ThreadedTransport,
    Timeout,
    Transport,
    aopen_stream,
    open_stream,
)
from .errors import ClientError, InsecureURLWarning, ResponseTooLargeError

T = TypeVar("T")
_Self = TypeVar("_Self", bound="_Shared")
_O = TypeVar("_O")
_C = TypeVar("_C", bound="SyncAPIClient")
_A = TypeVar("_A", bound="AsyncAPIClient")

log = logging.getLogger(__name__.rpartition(".")[0] or __name__)

# query parameters whose values never reach a log line
_SECRET_WORDS = ("key", "token", "secret", "password", "signature", "sig", "auth")


def setup_logging(env: str) -> None:
    """``<ENV_PREFIX>_LOG=debug`` (or ``info``) turns the package's logger on, writing
    to stderr unless it already has a handler."""
    level = {"debug": logging.DEBUG, "info": logging.INFO}.get(
        (os.environ.get(env) or "").strip().lower()
    )
    if level is None:
        return
    log.setLevel(level)
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter("[%(asctime)s - %(name)s:%(levelname)s] %(message)s")
        )
        log.addHandler(handler)


def loggable_url(url: str, secret_query: frozenset[str] = frozenset()) -> str:
    """``url`` with the values of query parameters that may be secret masked."""
    parts = urllib.parse.urlsplit(url)
    if not parts.query:
        return url
    pairs = []
    for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        lower = name.lower()
        secret = lower in secret_query or any(w in lower for w in _SECRET_WORDS)
        pairs.append((name, "***" if secret else value))
    return urllib.parse.urlunsplit(
        parts._replace(query=urllib.parse.urlencode(pairs, safe="*"))
    )


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: object, env: str) -> str:
    """The base URL without a trailing slash; ``ClientError`` for one that would send
    calls elsewhere or show a secret (the URL is not repeated in the message), and an
    ``InsecureURLWarning`` for plain http to a host that is not loopback."""
    if not isinstance(base_url, str):
        raise ClientError(f"base_url must be a string, not {type(base_url).__name__}")
    try:
        parts = urllib.parse.urlsplit(base_url)
        _ = parts.port  # a bad port raises
    except ValueError:
        raise ClientError("base_url is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ClientError(
            f"base_url must be an absolute http:// or https:// URL (from base_url or {env})"
        )
    if parts.username is not None or parts.password is not None:
        raise ClientError(
            "base_url must not hold user information (user:password@); pass credentials "
            "as client options instead"
        )
    if parts.query or base_url.rstrip().endswith("?"):
        raise ClientError(
            "base_url must not have a query (?...): calls add their own; use "
            "default_query or extra_query"
        )
    if parts.fragment or "#" in base_url:
        raise ClientError("base_url must not have a fragment (#...)")
    if not header_safe(base_url) or " " in base_url:
        raise ClientError("base_url must be printable ASCII without spaces")
    if parts.scheme.lower() == "http" and not _is_loopback(parts.hostname):
        warnings.warn(
            f"base_url uses plain http:// to {parts.hostname}, which is not loopback: "
            "requests and credentials are sent unencrypted",
            InsecureURLWarning,
            stacklevel=5,
        )
    return base_url.rstrip("/")


def _check_max_bytes(value: object, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ClientError(
            f"{name} must be a non-negative integer (0: no limit) or None, got {value!r}"
        )
    return value or None


def _check_retries(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ClientError(f"{name} must be a non-negative integer, got {value!r}")
    return value


def _check_timeout(value: object, name: str) -> Timeout:
    try:
        return Timeout.of(value)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ClientError(f"{name}: {exc}") from None


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


def deprecated(name: str) -> None:
    warnings.warn(f"{name} is deprecated", DeprecationWarning, stacklevel=3)


@dataclass(frozen=True)
class ClientOption:
    """A configured client option sent as a header (``organization`` ->
    ``OpenAI-Organization``), from its argument or else its environment variable."""

    arg: str
    header: str
    env: str


@dataclass(frozen=True)
class Credential:
    """A constructor argument that holds a secret, from the argument or else its
    environment variable. ``sent`` is where it goes: ``header``, ``cookie``, ``query``,
    ``username`` or ``password`` (HTTP basic)."""

    arg: str
    env: str
    sent: str


@dataclass(frozen=True)
class Scheme:
    """How one security scheme of the spec sends its credentials (``args``):
    ``bearer`` (``Authorization: Bearer``), ``basic`` (``Authorization: Basic`` of
    username and password), or an API key in the ``header``, ``query`` parameter or
    ``cookie`` named ``param``."""

    kind: str
    param: str
    args: tuple[str, ...]


# What an operation sends: alternatives, each the schemes it sends together; ``()``
# needs nothing, and so does an empty alternative when no other's credentials are given.
Security = tuple[tuple[Scheme, ...], ...]


def _credential(value: object, spec: Credential) -> str | None:
    """A credential's value (the argument, else the environment variable; empty is
    not given, but for a password), checked for where it goes without repeating it."""
    if value == "" and spec.sent == "password":
        return value  # HTTP basic allows an empty password, when given
    if value is None or value == "":
        value = os.environ.get(spec.env) or None
    if value is None:
        return None
    where = f"(from {spec.arg} or {spec.env}; it is not shown here)"
    if not isinstance(value, str):
        raise ClientError(f"{spec.arg} must be a string, not {type(value).__name__}")
    if spec.sent in ("header", "cookie") and not header_safe(value):
        raise ClientError(
            f"{spec.arg} must be a string of printable ASCII characters (it is sent as a "
            f"header) {where}"
        )
    if spec.sent == "cookie" and (";" in value or "," in value or " " in value):
        raise ClientError(
            f"{spec.arg} cannot hold ';', ',' or spaces (it is sent as a cookie) {where}"
        )
    if spec.sent == "username" and ":" in value:
        raise ClientError(
            f"{spec.arg} cannot hold ':' (HTTP basic authentication) {where}"
        )
    return value


def _missing(
    method: str, url: str, alternatives: Security, envs: Mapping[str, str]
) -> ClientError:
    """The error of a call that needs credentials nobody gave: it names the
    arguments of each alternative and their environment variables."""
    alts = [[a for scheme in alt for a in scheme.args] for alt in alternatives if alt]
    args = ", or ".join(" and ".join(alt) for alt in alts)
    env = ", or ".join(" and ".join(envs.get(a, a) for a in alt) for alt in alts)
    path = urllib.parse.urlsplit(url).path
    return ClientError(
        f"{method} {path} needs credentials: pass {args} to the client "
        f"(or set {env} in the environment)"
    )


@dataclass(frozen=True)
class RequestOptions:
    """One call as its generated method describes it, built once: the ``method``, the
    ``url`` below the base URL (with the query parameters), the header parameters,
    the body (``(bytes, content type)``), the caller's per-call options (``None``:
    the client's) and the security alternatives the operation accepts."""

    method: str
    url: str
    headers: Mapping[str, str] | None = None
    content: Content | None = None
    timeout: float | Timeout | None = None
    max_retries: int | None = None
    max_response_bytes: int | None = None
    extra_headers: Mapping[str, str] | None = None
    extra_query: Mapping[str, object] | None = None
    security: Security = ()


@dataclass(frozen=True)
class ClientConfig:
    """A client's resolved options. Credentials are left out of ``repr``."""

    base_url: str
    timeout: Timeout
    max_retries: int
    max_response_bytes: int | None
    strict_responses: bool
    headers: Headers = field(repr=False)
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    # the environment variable of each credential argument, for error messages
    credential_envs: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def resolve(
        cls,
        *,
        credentials: Mapping[str, str | None],
        base_url: str | None,
        timeout: float | Timeout | None,
        max_retries: int,
        max_response_bytes: int | None,
        default_headers: Mapping[str, str] | None,
        strict_responses: bool,
        options: Mapping[str, str | None],
        option_specs: tuple[ClientOption, ...],
        credential_specs: tuple[Credential, ...],
        base_url_env: str,
        log_env: str,
        default_base_url: str | None,
        user_agent: str,
    ) -> ClientConfig:
        setup_logging(log_env)
        given: dict[str, str] = {}
        for cred in credential_specs:
            value = _credential(credentials.get(cred.arg), cred)
            if value is not None:
                given[cred.arg] = value
        if base_url is None:
            base_url = os.environ.get(base_url_env) or default_base_url
        if not base_url:
            raise ClientError(
                f"No base URL: pass base_url or set the {base_url_env} environment variable"
            )
        own = {
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
            "User-Agent": user_agent,
        }
        for spec in option_specs:
            value = options.get(spec.arg)
            if value is None:
                value = os.environ.get(spec.env) or None
            if value is not None:
                if not isinstance(value, str) or not header_safe(value):
                    raise ClientError(
                        f"{spec.arg} must be a string of printable ASCII characters "
                        f"(it is sent as the {spec.header} header; from {spec.arg} or {spec.env})"
                    )
                own[spec.header] = value
        check_headers(default_headers, "default_headers")
        return cls(
            check_base_url(base_url, base_url_env),
            _check_timeout(timeout, "timeout"),
            _check_retries(max_retries, "max_retries"),
            _check_max_bytes(max_response_bytes, "max_response_bytes"),
            bool(strict_responses),
            Headers(own).merged(default_headers),
            given,
            {cred.arg: cred.env for cred in credential_specs},
        )

    def with_options(
        self,
        *,
        timeout: float | Timeout | None,
        max_retries: int | None,
        max_response_bytes: int | None,
        default_headers: Mapping[str, str] | None,
        strict_responses: bool | None,
    ) -> ClientConfig:
        check_headers(default_headers, "default_headers")
        return replace(
            self,
            timeout=(
                self.timeout if timeout is None else _check_timeout(timeout, "timeout")
            ),
            max_retries=(
                self.max_retries
                if max_retries is None
                else _check_retries(max_retries, "max_retries")
            ),
            max_response_bytes=(
                self.max_response_bytes
                if max_response_bytes is None
                else _check_max_bytes(max_response_bytes, "max_response_bytes")
            ),
            strict_responses=(
                self.strict_responses
                if strict_responses is None
                else bool(strict_responses)
            ),
            headers=self.headers.merged(default_headers),
        )

    def authorize(
        self,
        security: Security,
        method: str,
        url: str,
        supplied: Headers,
        extra_query: Mapping[str, object] | None,
    ) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """The headers and query parameters that carry a call's credentials: of the
        alternatives, the first whose credentials were all given (a header the caller
        set itself, in ``default_headers`` or ``extra_headers``, stands in for its
        scheme's). ``ClientError`` naming the arguments and their environment variables
        when none was, and the call needs one."""
        if not security:
            return {}, []
        for alt in security:
            if alt and all(self._has(scheme, supplied, extra_query) for scheme in alt):
                return self._send_credentials(alt, supplied)
        if any(not alt for alt in security):
            return {}, []
        raise _missing(method, url, security, self.credential_envs)

    def _has(
        self,
        scheme: Scheme,
        supplied: Headers,
        extra_query: Mapping[str, object] | None,
    ) -> bool:
        if all(a in self.credentials for a in scheme.args):
            return True
        if scheme.kind in ("bearer", "basic"):
            return "Authorization" in supplied
        if scheme.kind == "header":
            return scheme.param in supplied
        return scheme.kind == "query" and scheme.param in (extra_query or {})

    def _send_credentials(
        self, alt: tuple[Scheme, ...], supplied: Headers
    ) -> tuple[dict[str, str], list[tuple[str, str]]]:
        headers: dict[str, str] = {}
        query: list[tuple[str, str]] = []
        cookies: list[str] = []
        for scheme in alt:
            values = [self.credentials.get(a) for a in scheme.args]
            if any(v is None for v in values):
                continue  # the caller's own header stands in for it
            if scheme.kind == "bearer":
                headers["Authorization"] = f"Bearer {values[0]}"
            elif scheme.kind == "basic":
                pair = f"{values[0]}:{values[1]}".encode("utf-8")
                headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
            elif scheme.kind == "header":
                headers[scheme.param] = str(values[0])
            elif scheme.kind == "query":
                query.append((scheme.param, str(values[0])))
            else:
                cookies.append(f"{scheme.param}={values[0]}")
        if cookies:
            if "Cookie" in supplied:
                cookies.insert(0, supplied["Cookie"])
            headers["Cookie"] = "; ".join(cookies)
        return headers, query

    def prepare(self, options: RequestOptions) -> tuple[Request, Timeout, int]:
        """One call's request (every attempt sends it as is, Idempotency-Key
        included), its timeout and the retries it may take. ``ClientError`` before
        any request when the call needs a credential that was not given."""
        own = {"Idempotency-Key": str(uuid.uuid4())}
        if options.content is not None:
            own["Content-Type"] = options.content[1]
        if options.headers:
            check_headers(options.headers, "header parameters")
            own.update(options.headers)
        if options.extra_headers:
            check_headers(options.extra_headers, "extra_headers")
            own.update(options.extra_headers)
        merged = self.headers.merged(own)
        auth, auth_query = self.authorize(
            options.security, options.method, options.url, merged, options.extra_query
        )
        # a header the caller set itself wins (the cookie header holds both)
        auth = {k: v for k, v in auth.items() if k == "Cookie" or k not in merged}
        full_url = self.base_url + with_query(options.url, options.extra_query)
        if auth_query:
            sep = "&" if "?" in full_url else "?"
            full_url += sep + urllib.parse.urlencode(
                auth_query, quote_via=urllib.parse.quote
            )
        max_bytes = options.max_response_bytes
        return (
            Request(
                options.method,
                full_url,
                merged.merged(auth, secret=True),
                None if options.content is None else options.content[0],
                (
                    self.max_response_bytes
                    if max_bytes is None
                    else _check_max_bytes(max_bytes, "max_response_bytes")
                ),
                frozenset(name for name, _ in auth_query),
            ),
            (
                self.timeout
                if options.timeout is None
                else _check_timeout(options.timeout, "timeout")
            ),
            (
                self.max_retries
                if options.max_retries is None
                else _check_retries(options.max_retries, "max_retries")
            ),
        )


def _capped(response: Response, max_bytes: int | None) -> Response:
    """Any transport's answer, held to the limit (``HTTPTransport`` stops reading at it)."""
    if max_bytes is not None and len(response.content) > max_bytes:
        raise ResponseTooLargeError(max_bytes)
    return response


def _unparsed(raw: RawResponse[Any]) -> Any:
    return raw.json()


def _done(request: Request, status: int, start: float, retries: int) -> None:
    if log.isEnabledFor(logging.INFO):
        log.info(
            "%s %s -> %d in %.3f s%s",
            request.method,
            loggable_url(request.shown_url),
            status,
            time.monotonic() - start,
            f" after {retries} retries" if retries else "",
        )


# One step of a call, for its client to take: called, it sends the request, reads a
# refused answer's body or waits before a retry (``AsyncAPIClient`` awaits what it
# returns), and what it returns (or raises) goes back to the call.
_Step = Callable[[], Any]


@dataclass(frozen=True)
class _Answered:
    """An answer to a call (a ``Response``, or a streamed one before its body is read)
    and what a raw response tells of the call."""

    answer: Any
    request: Request
    retries: int
    start: float
    strict: bool

    def call(self) -> CallInfo:
        request = self.request
        elapsed = time.monotonic() - self.start
        return CallInfo(
            request.method, request.shown_url, self.strict, self.retries, elapsed
        )

    def raw(self, parser: Callable[[RawResponse[Any]], T]) -> RawResponse[T]:
        """The answer read whole, held to the call's limit."""
        body = _capped(self.answer, self.request.max_response_bytes)
        return RawResponse(body, parser, self.call())

    def opened(self, cls: Callable[..., _O], handler: Callable[..., Any]) -> _O:
        """The streamed answer as ``cls`` (a streamed raw response or an event stream,
        with its parser or decoder), its body read on demand."""
        return cls(self.answer, handler, self.call(), self.request.max_response_bytes)


def _refused(answered: _Answered, max_retries: int) -> float:
    """The wait before retrying a non-2xx answer, or its ``APIStatusError``."""
    response: Response = answered.answer
    delay = retry_delay(answered.retries, response.headers)
    if answered.retries >= max_retries or delay is None or not should_retry(response):
        raise status_error(answered.raw(_unparsed))
    log.info(
        "%s %s answered %d; retrying in %.2f s (request id %s)",
        answered.request.method,
        loggable_url(answered.request.shown_url),
        response.status_code,
        delay,
        response.headers.get("x-request-id"),
    )
    return delay


def _failed(
    request: Request, error: Exception, retries: int, max_retries: int
) -> float:
    """The wait before retrying an attempt that raised, or the exception that ends
    the call (the error itself when it is not a connection error)."""
    found = connection_error(error)
    if found is None:
        raise error
    api_error, retryable = found
    if not retryable or retries >= max_retries:
        raise api_error from error
    delay = retry_delay(retries) or 0.0
    log.info(
        "%s %s failed (%s); retrying in %.2f s",
        request.method,
        loggable_url(request.shown_url),
        api_error,
        delay,
    )
    return delay


class _Steps:
    """A call's steps (``_Shared._steps``) as a client takes them: ``step`` is the
    next one, ``answered`` the 2xx answer once there are no more."""

    def __init__(self, steps: Generator[_Step, Any, _Answered]) -> None:
        self._steps = steps
        self.step: _Step = next(steps)
        self.answered: _Answered | None = None

    def went(self, outcome: Any, error: Exception | None) -> None:
        """Give the call what the step returned, or the exception it raised."""
        try:
            if error is not None:
                self.step = self._steps.throw(error)
            else:
                self.step = self._steps.send(outcome)
        except StopIteration as stop:
            self.answered = stop.value


class _Shared:
    """Options and helpers both clients share."""

    _config: ClientConfig
    _owns_transport: bool
    # what waits before a retry instead of sleeping (the testing kit records the delay)
    _wait: Callable[[float], None] | None = None

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def timeout(self) -> Timeout:
        return self._config.timeout

    @property
    def max_retries(self) -> int:
        return self._config.max_retries

    @property
    def max_response_bytes(self) -> int | None:
        return self._config.max_response_bytes

    def with_options(
        self: _Self,
        *,
        timeout: float | Timeout | None = None,
        max_retries: int | None = None,
        max_response_bytes: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        strict_responses: bool | None = None,
    ) -> _Self:
        """A client with these options changed (``None``: as this one has it) that
        shares this one's connections. ``default_headers`` are added to this client's.
        ``Timeout(None, None)`` turns timeouts off, ``max_response_bytes=0`` the limit.
        """
        new = copy.copy(self)
        new._config = self._config.with_options(
            timeout=timeout,
            max_retries=max_retries,
            max_response_bytes=max_response_bytes,
            default_headers=default_headers,
            strict_responses=strict_responses,
        )
        new._owns_transport = False  # the pool stays with the client that made it
        for name, attr in vars(type(self)).items():
            if isinstance(attr, functools.cached_property):
                new.__dict__.pop(name, None)
        return new

    def _steps(
        self, options: RequestOptions, send: Callable[..., Any]
    ) -> Generator[_Step, Any, _Answered]:
        """A call, written once for both clients without their I/O: it yields each
        step (``send(request, timeout=...)``, reading a refused answer's body, the
        wait before a retry), is sent what the step returned or thrown what it
        raised, and returns the 2xx answer."""
        request, limit, max_retries = self._config.prepare(options)
        strict = self._config.strict_responses
        start = time.monotonic()
        retries = 0
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s", request.method, loggable_url(request.shown_url))
        while True:
            try:
                answer = yield functools.partial(send, request, timeout=limit)
                refused = not 200 <= answer.status_code < 300
                if refused and not isinstance(answer, Response):
                    # streamed: read the refused answer's body; breaking while it is
                    # read is a failed attempt like any other
                    limit_bytes = request.max_response_bytes
                    answer = yield functools.partial(self._read, answer, limit_bytes)
            except Exception as exc:
                delay = _failed(request, exc, retries, max_retries)
            else:
                if not refused:
                    _done(request, answer.status_code, start, retries)
                    return _Answered(answer, request, retries, start, strict)
                answered = _Answered(answer, request, retries, start, strict)
                delay = _refused(answered, max_retries)
            retries += 1
            yield functools.partial(self._pause, delay)

    def _read(self, answer: Any, max_bytes: int | None) -> Any:
        """The step that reads a streamed answer's whole body."""
        raise NotImplementedError

    def _pause(self, delay: float) -> Any:
        """The step that waits before a retry (``_wait``, else ``_retries``' sleep)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} base_url={self.base_url!r} max_retries={self.max_retries}>"


class SyncAPIClient(_Shared):
    """What ``Client`` shares with every generated client: config, transport, retries."""

    def __init__(self, config: ClientConfig, transport: Transport | None) -> None:
        self._config = config
        self._owns_transport = transport is None
        self._transport: Transport = HTTPTransport() if transport is None else transport

    def _read(self, answer: Any, max_bytes: int | None) -> Any:
        return answer.read(max_bytes)

    def _pause(self, delay: float) -> None:
        if self._wait is not None:
            self._wait(delay)
        else:
            _retries.sleep(delay)

    def _take(self, options: RequestOptions, send: Callable[..., Any]) -> _Answered:
        """The call's steps, taken one after the other."""
        call = _Steps(self._steps(options, send))
        while call.answered is None:
            try:
                outcome, error = call.step(), None
            except Exception as exc:
                outcome, error = None, exc
            call.went(outcome, error)
        return call.answered

    def _request(
        self, options: RequestOptions, parser: Callable[[RawResponse[Any]], T]
    ) -> RawResponse[T]:
        return self._take(options, self._transport.send).raw(parser)

    def _request_streamed(
        self, options: RequestOptions, parser: Callable[[RawResponse[Any]], T]
    ) -> StreamedRawResponse[T]:
        """``_request`` for ``with_streaming_response``: the body is read on demand."""
        send = functools.partial(open_stream, self._transport)
        return self._take(options, send).opened(StreamedRawResponse, parser)

    def _stream(
        self, options: RequestOptions, decode: Callable[[Any, bool], T]
    ) -> Stream[T]:
        """Open a server-sent event stream: retried like ``_request`` until the answer's
        head arrives, then read as it comes."""
        send = functools.partial(open_stream, self._transport)
        return self._take(options, send).opened(Stream, decode)

    def close(self) -> None:
        """Release the connections (of the default transport; yours stays open)."""
        if self._owns_transport:
            self._transport.close()

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncAPIClient(_Shared):
    """``SyncAPIClient`` for ``AsyncClient``: the same retries, awaited."""

    def __init__(
        self, config: ClientConfig, transport: Transport | AsyncTransport | None
    ) -> None:
        self._config = config
        self._owns_transport = transport is None
        self._transport: AsyncTransport
        if transport is None:
            self._transport = ThreadedTransport(HTTPTransport())
        elif isinstance(transport, AsyncTransport):
            self._transport = transport
        else:
            self._transport = ThreadedTransport(transport)

    def _read(self, answer: Any, max_bytes: int | None) -> Any:
        return answer.aread(max_bytes)

    async def _pause(self, delay: float) -> None:
        if self._wait is not None:
            self._wait(delay)
        else:
            await _retries.async_sleep(delay)

    async def _take(
        self, options: RequestOptions, send: Callable[..., Any]
    ) -> _Answered:
        """``SyncAPIClient._take``, awaiting each step."""
        call = _Steps(self._steps(options, send))
        while call.answered is None:
            try:
                outcome, error = await call.step(), None
            except Exception as exc:
                outcome, error = None, exc
            call.went(outcome, error)
        return call.answered

    async def _request(
        self, options: RequestOptions, parser: Callable[[RawResponse[Any]], T]
    ) -> RawResponse[T]:
        return (await self._take(options, self._transport.asend)).raw(parser)

    async def _request_streamed(
        self, options: RequestOptions, parser: Callable[[RawResponse[Any]], T]
    ) -> AsyncStreamedRawResponse[T]:
        send = functools.partial(aopen_stream, self._transport)
        return (await self._take(options, send)).opened(
            AsyncStreamedRawResponse, parser
        )

    async def _stream(
        self, options: RequestOptions, decode: Callable[[Any, bool], T]
    ) -> AsyncStream[T]:
        send = functools.partial(aopen_stream, self._transport)
        return (await self._take(options, send)).opened(AsyncStream, decode)

    async def close(self) -> None:
        """Release the connections (of the default transport; yours stays open)."""
        if self._owns_transport:
            await self._transport.aclose()

    async def __aenter__(self: _A) -> _A:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
