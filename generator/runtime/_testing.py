"""The machinery of the testing kit (the package's ``testing`` module): a fake API that
answers from the spec, checks each request against the contract and records it.

``testing.py`` describes each operation (``Operation``: method, path, parameters, body,
answer, credentials) and builds the clients; everything else is here. The kit plugs
in as the clients' transport, so calls go through the real retry and error code; its
clients never sleep (the waits are recorded in ``MockAPI.delays``).
"""

from __future__ import annotations

import difflib
import email.parser
import email.policy
import json
import re
import threading
import urllib.parse
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal, Mapping, TypeVar

from ._base_client import _Shared
from ._encoding import jsonable, list_separator
from ._runtime import is_int, is_num, json_in, mismatch, not_one_of
from ._transport import (
    _SECRET_HEADERS,
    AsyncStreamedResponse,
    Headers,
    Request,
    Response,
    StreamedResponse,
    Timeout,
)
from .errors import DecodeError

__all__ = ["Call", "ContractError", "MockAPI", "UploadedFile"]

# A check decodes a JSON value strictly (the package's own decoders) or raises
# ``DecodeError``; it gives back the decoded value.
Check = Callable[[Any], Any]

# The base URL of the kit's clients: nothing is ever sent there.
BASE_URL = "https://mock-api.invalid"
API_KEY = "test-api-key"


class ContractError(AssertionError):
    """A request the spec does not allow, or an answer registered with ``on()`` that
    its response schema rejects: the operation, the parameter or JSON path, the reason.

    An ``AssertionError``, so test runners show it as a failed assertion; the client
    raises it as it is and never retries it.
    """


@dataclass
class UploadedFile:
    """A file part of a multipart request, as ``Call.body`` records it."""

    filename: str | None
    content_type: str
    size: int
    content: bytes = field(repr=False)


@dataclass
class Call:
    """One request the fake API received, decoded as a server following the spec would."""

    operation: str
    """The method name (the base one for every variant: ``_stream``, ``_multipart``)."""
    method: str
    path: str
    path_params: dict[str, Any]
    """By Python argument name, typed as the spec says."""
    query: dict[str, Any]
    """By Python argument name, typed as the spec says."""
    headers: dict[str, str]
    """Every request header; credentials masked (``***``)."""
    body: Any
    """The decoded request model (or value), a dict of form fields (files as
    ``UploadedFile``), the bytes of a raw body, or ``None``."""


# ----- checks of JSON values (the package's decoders for everything composite) -----


def codec(decode: Callable[[Any, bool], Any]) -> Check:
    """A generated decoder, strict."""
    return lambda v: decode(v, True)


def anything(v: Any) -> Any:
    return v


def scalar(json_type: str) -> Check:
    test: Callable[[Any], bool] = {
        "string": lambda v: isinstance(v, str),
        "integer": is_int,
        "number": is_num,
        "boolean": lambda v: v.__class__ is bool,
    }[json_type]

    def check(v: Any) -> Any:
        if not test(v):
            raise mismatch(v, json_type)
        return v

    return check


def one_of(values: tuple[Any, ...], allowed: str) -> Check:
    def check(v: Any) -> Any:
        if not json_in(v, values):
            raise not_one_of(v, allowed)
        return v

    return check


def nullable(inner: Check) -> Check:
    return lambda v: None if v is None else inner(v)


def any_of(checks: tuple[Check, ...], expected: str) -> Check:
    """A union of scalars: the value passes one of the checks."""

    def check(v: Any) -> Any:
        for c in checks:
            try:
                return c(v)
            except DecodeError:
                pass
        raise mismatch(v, expected)

    return check


# ----- parameters: text from the URL or a header to a typed value ------------------


class Parse:
    """Reads a parameter's text (``ValueError`` with the reason when it cannot)."""

    kind = "scalar"  # scalar, list (repeated or comma-joined) or object

    def __call__(self, text: str) -> Any:
        return text


class _Scalar(Parse):
    def __init__(self, json_type: str) -> None:
        self.json_type = json_type

    def __call__(self, text: str) -> Any:
        if self.json_type == "integer" and re.fullmatch(r"-?[0-9]+", text):
            return int(text)
        if self.json_type == "number" and re.fullmatch(
            r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", text
        ):
            return float(text) if ("." in text or "e" in text.lower()) else int(text)
        if self.json_type == "boolean" and text in ("true", "false"):
            return text == "true"
        if self.json_type == "string":
            return text
        raise ValueError(f"expected {self.json_type}, got {text!r}")


class _Enum(Parse):
    def __init__(self, values: tuple[Any, ...], allowed: str) -> None:
        self.values = values
        self.allowed = allowed

    def __call__(self, text: str) -> Any:
        for v in self.values:
            if isinstance(v, bool):
                if text == ("true" if v else "false"):
                    return v
            elif isinstance(v, (str, int, float)) and text == str(v):
                return v
        raise ValueError(f"{text!r} is not one of {self.allowed}")


class _List(Parse):
    kind = "list"

    def __init__(self, item: Parse) -> None:
        self.item = item

    def __call__(self, text: str) -> Any:
        return self.item(text)


class _Union(Parse):
    def __init__(self, items: tuple[Parse, ...], expected: str) -> None:
        self.items = items
        self.expected = expected

    def __call__(self, text: str) -> Any:
        for p in self.items:
            try:
                return p(text)
            except ValueError:
                pass
        raise ValueError(f"expected {self.expected}, got {text!r}")


class _Object(Parse):
    """An object: from JSON text, or (in a form) from its keys' texts, each read by
    its property's parser (``props``), else by ``rest`` (a map's values); a key
    neither names is kept as text."""

    kind = "object"

    def __init__(
        self, props: Mapping[str, Parse] | None = None, rest: Parse | None = None
    ) -> None:
        self.props = dict(props or {})
        self.rest = rest

    def __call__(self, text: str) -> Any:
        try:
            return json.loads(text)
        except ValueError:
            return text

    def key(self, name: str) -> Parse | None:
        """The parser of the value under ``name`` (None: keep it as text)."""
        return self.props.get(name, self.rest)


STRING: Parse = _Scalar("string")
INTEGER: Parse = _Scalar("integer")
NUMBER: Parse = _Scalar("number")
BOOLEAN: Parse = _Scalar("boolean")
OBJECT: Parse = _Object()


def enum(values: tuple[Any, ...], allowed: str) -> Parse:
    return _Enum(values, allowed)


def array(item: Parse) -> Parse:
    return _List(item)


def either(items: tuple[Parse, ...], expected: str) -> Parse:
    return _Union(items, expected)


def fields(props: Mapping[str, Parse], rest: Parse | None = None) -> Parse:
    """An object whose keys a form sends one by one (exploded or ``deepObject``)."""
    return _Object(props, rest)


def _tree(parse: Parse | None, node: Any) -> Any:
    """A form value from its texts: ``node`` is one text, or the texts under a
    ``deepObject`` field's keys (``{"a": {"0": "1"}}`` for ``k[a][0]=1``), read as
    ``parse`` says. ``DecodeError`` naming the path when a text does not fit."""
    if parse is None:
        return node
    if isinstance(node, str):
        try:
            return [parse(node)] if parse.kind == "list" else parse(node)
        except ValueError as exc:
            raise DecodeError(str(exc)) from None
    if isinstance(parse, _List):
        if not all(k.isdigit() for k in node):
            raise DecodeError(f"expected array, got the keys {', '.join(node)}")
        out = []
        for i, k in enumerate(sorted(node, key=int)):
            try:
                out.append(_tree(parse.item, node[k]))
            except DecodeError as exc:
                raise exc.at(i) from None
        return out
    if isinstance(parse, _Object):
        found = {}
        for k, v in node.items():
            try:
                found[k] = _tree(parse.key(k), v)
            except DecodeError as exc:
                raise exc.at(k) from None
        return found
    raise DecodeError(f"expected {parse.kind}, got an object")


# ----- what testing.py says of each operation ---------------------------------------


@dataclass(frozen=True)
class Param:
    name: str  # on the wire
    arg: str  # the Python argument
    location: Literal["path", "query", "header"]
    parse: Parse
    required: bool
    explode: bool = True
    deep: bool = False


@dataclass(frozen=True)
class FormField:
    """A field of a multipart or URL-encoded form: ``files`` is "one", "list",
    "either" or "" (multipart); ``style`` and ``explode`` how a URL-encoded form
    writes it (form, spaceDelimited, pipeDelimited, deepObject, or json)."""

    name: str
    required: bool
    parse: Parse = STRING
    check: Check = anything
    files: str = ""
    style: str = "form"
    explode: bool = True


@dataclass(frozen=True)
class Body:
    """``json`` (checked by ``check``), ``multipart`` or URL-encoded ``form`` (by
    ``fields``) or ``raw``."""

    kind: Literal["json", "multipart", "form", "raw"]
    media: str
    required: bool
    check: Check = anything
    fields: tuple[FormField, ...] = ()


@dataclass(frozen=True)
class Operation:
    """One client method: how its request looks and how it is answered by default.

    ``media`` is how a 2xx body is read (json, binary, stream or none); ``check``
    decodes a JSON answer (one event, for a stream); ``example`` is the spec's example
    answer as JSON text, ``minimal`` a minimal valid one; ``credentials`` what a call
    must carry (alternatives of the schemes the spec's security names); ``status`` the
    status of the default answer (the spec's first success response).
    """

    name: str
    base: str
    method: str
    path: str
    params: tuple[Param, ...] = ()
    body: Body | None = None
    media: Literal["json", "binary", "stream", "none"] = "json"
    check: Check = anything
    example: str | None = None
    minimal: str | None = None
    # the credentials a call must carry, as alternatives: each the (kind, name) of the
    # schemes it sends together (``("bearer", "")``, ``("basic", "")``, ``("header",
    # "X-API-Key")``, ``("query", "key")``, ``("cookie", "session")``); none when empty
    credentials: tuple[tuple[tuple[str, str], ...], ...] = ()
    status: int = 200
    # the responses the spec describes for other statuses, in its order: the key
    # (``404``, ``4XX`` or ``default``) and the check of the JSON body (None: none
    # described, so an answer's body is not checked)
    errors: tuple[tuple[str, Check | None], ...] = ()

    def error_check(self, status: int) -> tuple[str, Check | None]:
        """The response the spec describes for ``status`` (not a success) and the check
        of its JSON body: the exact code's, else its range's (``4XX``), else
        ``default``'s; ``("", None)`` when the spec describes none."""
        for key in (str(status), f"{status // 100}XX", "DEFAULT"):
            for given, check in self.errors:
                if given.upper() == key:
                    return given, check
        return "", None

    def matcher(self) -> re.Pattern[str]:
        """The path template as a pattern: the i-th placeholder is group ``p<i>``."""
        out, last = [], 0
        for i, m in enumerate(re.finditer(r"\{([^{}]+)\}", self.path)):
            out.append(re.escape(self.path[last : m.start()]))
            out.append(f"(?P<p{i}>[^/]+)")
            last = m.end()
        out.append(re.escape(self.path[last:]))
        return re.compile("".join(out) + r"/?\Z")


@dataclass
class _Answer:
    status: int = 200
    headers: Mapping[str, str] | None = None
    content: bytes | None = None  # None: the default answer's body (for a 2xx)
    media: str = ""
    fault: str = ""  # "timeout" or "connection"


_UNSET: Any = object()
_C = TypeVar("_C", bound=_Shared)


class MockAPI:
    """A fake of the API for tests: every operation answers from the spec by default
    (its example answer, else a minimal valid value), every request is checked against
    the contract (``ContractError`` when the spec does not allow it) and recorded in
    ``calls``; ``on()`` and ``fail()`` change the answers. Safe to use from several
    threads and from ``AsyncClient``.
    """

    def __init__(
        self, operations: Iterable[Operation], credentials: Iterable[str] = ()
    ) -> None:
        self._operations = {op.name: op for op in operations}
        # the client's credential arguments, each given a test value by ``client()``
        self._credential_args = tuple(credentials)
        self._routes = sorted(
            (
                (op.path.count("{"), -len(op.path), op.matcher(), op)
                for op in self._operations.values()
            ),
            key=lambda r: (r[0], r[1]),
        )
        self._lock = threading.Lock()
        self._defaults: dict[str, tuple[Any, str]] = {}
        self.calls: list[Call] = []
        """Every request received, in order."""
        self.delays: list[float] = []
        """The waits before retries that the kit's clients skipped, in seconds."""
        self._queued: dict[str, list[_Answer]] = {}
        self._standing: dict[str, _Answer] = {}

    # ----- configuring answers ------------------------------------------------------

    def _base(self, operation: str) -> str:
        op = self._operations.get(operation)
        if op is None:
            names = sorted({o.name for o in self._operations.values()})
            close = difflib.get_close_matches(operation, names, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise KeyError(f"no operation {operation!r}{hint}")
        return op.base

    def _variant(self, base: str, media: str) -> Operation | None:
        return next(
            (
                o
                for o in self._operations.values()
                if o.base == base and o.media == media
            ),
            None,
        )

    def on(
        self,
        operation: str,
        *,
        status: int = 200,
        json: Any = _UNSET,
        content: bytes | None = None,
        events: list[Any] | None = None,
        headers: Mapping[str, str] | None = None,
        times: int | None = None,
        strict: bool = True,
    ) -> None:
        """Answer ``operation`` (a method name) with ``status`` and a JSON body, raw
        ``content`` or a list of server-sent ``events`` (models or JSON values); with
        no body, a 2xx answers with the default body and any other status with none.

        ``times=N`` queues the answer for the next N calls; without it, the answer
        replaces the standing one, used whenever the queue is empty. A JSON body or
        event of a 2xx answer must decode strictly against the response schema, and
        the JSON body of any other status against the schema the spec gives that
        status (its code's, else its range's such as ``4XX``, else ``default``'s):
        ``ContractError`` naming the JSON path, unless ``strict=False``. A status the
        spec describes no JSON body for is not checked.
        """
        base = self._base(operation)
        given = [x for x in (json is not _UNSET, content is not None, events) if x]
        if len(given) > 1:
            raise ValueError("give one of json, content and events")
        answer = _Answer(status, dict(headers or {}))
        ok = 200 <= status < 300
        if json is not _UNSET:
            data = jsonable(json)
            variant = self._variant(base, "json")
            if strict and ok and variant is not None:
                _answer_check(variant, data, "the answer")
            elif strict and not ok:
                key, check = self._operations[base].error_check(status)
                if check is not None:
                    _answer_check(
                        self._operations[base],
                        data,
                        f"the answer for status {status}",
                        check,
                        f"the {key} response's schema",
                    )
            answer.content = _json_bytes(data)
            answer.media = "application/json"
        elif events is not None:
            items = [jsonable(e) for e in events]
            variant = self._variant(base, "stream")
            if strict and ok and variant is not None:
                for i, item in enumerate(items):
                    _answer_check(variant, item, f"event {i}")
            answer.content = _sse(items)
            answer.media = "text/event-stream"
        elif content is not None:
            answer.content = bytes(content)
            answer.media = "application/octet-stream"
        elif not ok:
            answer.content = b""
        self._register(base, answer, times)

    def fail(
        self,
        operation: str,
        *,
        error: Literal["timeout", "connection"],
        times: int | None = None,
    ) -> None:
        """Make calls of ``operation`` time out or fail to connect (the client's
        retries apply), for the next ``times`` calls or, without it, every call."""
        if error not in ("timeout", "connection"):
            raise ValueError(f"error must be 'timeout' or 'connection', not {error!r}")
        self._register(self._base(operation), _Answer(fault=error), times)

    def _register(self, base: str, answer: _Answer, times: int | None) -> None:
        if times is not None and (
            isinstance(times, bool) or not isinstance(times, int) or times < 1
        ):
            raise ValueError(f"times must be a positive integer or None, got {times!r}")
        with self._lock:
            if times is None:
                self._standing[base] = answer
            else:
                self._queued.setdefault(base, []).extend([answer] * times)

    def reset(self) -> None:
        """Forget the calls, the delays and every answer given to ``on()``/``fail()``."""
        with self._lock:
            self.calls.clear()
            self.delays.clear()
            self._queued.clear()
            self._standing.clear()

    # ----- the clients --------------------------------------------------------------

    def _options(self, options: dict[str, Any]) -> dict[str, Any]:
        if "transport" in options:
            raise TypeError("the kit's clients use the MockAPI as their transport")
        return {
            **dict.fromkeys(self._credential_args, API_KEY),
            "base_url": BASE_URL,
            **options,
            "transport": MockTransport(self),
        }

    def _wire(self, client: _C) -> _C:
        transport = getattr(client, "_transport", None)
        assert isinstance(transport, MockTransport)
        transport.base_path = urllib.parse.urlsplit(client.base_url).path.rstrip("/")
        client._wait = self._record_delay
        return client

    def _record_delay(self, delay: float) -> None:
        with self._lock:
            self.delays.append(delay)

    # ----- answering ----------------------------------------------------------------

    def default_answer(self, operation: str) -> tuple[Any, str]:
        """The JSON value ``operation`` answers with by default (one event, for an
        event stream) and where it comes from: ``"example"`` (the spec's),
        ``"built"`` (a minimal valid value) or ``"none"`` (no JSON answer)."""
        self._base(operation)
        op = self._operations[operation]
        with self._lock:
            found = self._defaults.get(op.name)
        if found is not None:
            return found
        found = (None, "none")
        if op.example is not None:
            try:
                value = json.loads(op.example)
                op.check(value)
                found = (value, "example")
            except (ValueError, RecursionError) as exc:
                reason = (
                    str(exc) if isinstance(exc, DecodeError) else f"not JSON ({exc})"
                )
                warnings.warn(
                    f"{op.name}: the spec's example answer does not decode strictly "
                    f"({reason}); answering with a value built from the schema",
                    stacklevel=2,
                )
        if found[1] == "none" and op.minimal is not None:
            found = (json.loads(op.minimal), "built")
        with self._lock:
            return self._defaults.setdefault(op.name, found)

    def _handle(self, request: Request, base_path: str) -> Response:
        op, call = _Receiver(self, request, base_path).run()
        with self._lock:
            self.calls.append(call)
            queue = self._queued.get(op.base)
            answer = queue.pop(0) if queue else self._standing.get(op.base)
        if answer is not None and answer.fault == "timeout":
            raise TimeoutError(f"{op.name}: timed out (MockAPI.fail)")
        if answer is not None and answer.fault:
            raise ConnectionRefusedError(
                f"{op.name}: connection refused (MockAPI.fail)"
            )
        status = op.status if answer is None else answer.status
        content = None if answer is None else answer.content
        media = "" if answer is None else answer.media
        if content is None:
            content, media = self._default_body(op)
        headers = {"Content-Type": media} if media else {}
        headers["x-request-id"] = f"req_mock_{len(self.calls)}"
        if answer is not None and answer.headers:
            headers.update(answer.headers)
        return Response(status, Headers(headers), content)

    def _default_body(self, op: Operation) -> tuple[bytes, str]:
        if op.media == "binary":
            return b"", "application/octet-stream"
        value, source = self.default_answer(op.name)
        if source == "none":
            return b"", ""
        if op.media == "stream":
            return _sse([value]), "text/event-stream"
        return _json_bytes(value), "application/json"


class _Receiver:
    """Decodes one request as a server following the spec would: ``run()`` gives the
    operation and the record, or raises ``ContractError``."""

    def __init__(self, api: MockAPI, request: Request, base_path: str) -> None:
        self.api = api
        self.request = request
        self.parts = urllib.parse.urlsplit(request.url)
        self.base_path = base_path
        self.headers = request.headers

    def fail(self, op: Operation | None, where: str, reason: str) -> ContractError:
        name = op.name if op is not None else f"{self.request.method} {self.parts.path}"
        return ContractError(f"{name}: {where}: {reason}")

    def run(self) -> tuple[Operation, Call]:
        path = self.parts.path
        if self.base_path and path.startswith(self.base_path):
            path = path[len(self.base_path) :]
        found = []
        for _, _, pattern, op in self.api._routes:
            if op.method != self.request.method:
                continue
            m = pattern.match(path)
            if m is not None:
                found.append((op, m))
        if not found:
            raise ContractError(
                f"no operation is {self.request.method} {path or '/'} in the spec"
            )
        op, match = self.pick([f for f in found if f[0].path == found[0][0].path])
        path_params = self.path_params(op, match)
        query = self.query(op)
        self.check_headers(op)
        body = self.body(op)
        secret = _SECRET_HEADERS | {
            name.lower()
            for alt in op.credentials
            for kind, name in alt
            if kind == "header"
        }
        shown = {
            name: ("***" if name.lower() in secret else value)
            for name, value in self.headers.items()
        }
        return op, Call(op.base, op.method, path, path_params, query, shown, body)

    def pick(
        self, found: list[tuple[Operation, re.Match[str]]]
    ) -> tuple[Operation, re.Match[str]]:
        """The variant a request is for: an event stream when it accepts one, the
        multipart form when it sends one."""
        wants_stream = "text/event-stream" in self.headers.get("accept", "")
        kind = _body_kind(self.headers.get("content-type", ""))

        def body_fits(op: Operation) -> bool:
            return (
                op.body is None
                or self.request.content is None
                or op.body.kind in (kind, "raw")
            )

        for test in (
            lambda op: (op.media == "stream") == wants_stream and body_fits(op),
            body_fits,
        ):
            for op, m in found:
                if test(op):
                    return op, m
        return found[0]

    def path_params(self, op: Operation, match: re.Match[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        params = [p for p in op.params if p.location == "path"]
        names = re.findall(r"\{([^{}]+)\}", op.path)
        for i, name in enumerate(names):
            text = urllib.parse.unquote(match.group(f"p{i}"))
            param = next((p for p in params if p.name == name), None)
            if param is None:
                out[name] = text
                continue
            try:
                out[param.arg] = param.parse(text)
            except ValueError as exc:
                raise self.fail(op, f"path parameter {name!r}", str(exc)) from None
        return out

    def query(self, op: Operation) -> dict[str, Any]:
        given: dict[str, list[str]] = {}
        for name, value in urllib.parse.parse_qsl(
            self.parts.query, keep_blank_values=True
        ):
            given.setdefault(name, []).append(value)
        out: dict[str, Any] = {}
        objects = []
        for p in op.params:
            if p.location != "query":
                continue
            where = f"query parameter {p.name!r}"
            if p.deep:
                prefix = p.name + "["
                keys = [k for k in given if k.startswith(prefix) and k.endswith("]")]
                if keys:
                    out[p.arg] = {k[len(prefix) : -1]: given.pop(k)[-1] for k in keys}
                elif p.required:
                    raise self.fail(op, where, "required, not given")
                continue
            if p.parse.kind == "object":
                objects.append(p)
                continue
            values = given.pop(p.name, None)
            if values is None:
                if p.required:
                    raise self.fail(op, where, "required, not given")
                continue
            try:
                if p.parse.kind == "list":
                    if not p.explode:
                        values = [v for text in values for v in text.split(",")]
                    out[p.arg] = [p.parse(v) for v in values]
                elif len(values) > 1:
                    raise ValueError(f"given {len(values)} times")
                else:
                    out[p.arg] = p.parse(values[0])
            except ValueError as exc:
                raise self.fail(op, where, str(exc)) from None
        for alternative in op.credentials:  # an API key in the query is no parameter
            for kind, name in alternative:
                if kind == "query":
                    given.pop(name, None)
        if objects and given:  # an object's own key=value pairs
            out[objects[0].arg] = {k: v[-1] for k, v in given.items()}
            given = {}
        if given:
            known = sorted(p.name for p in op.params if p.location == "query")
            raise self.fail(
                op,
                f"query parameter {next(iter(given))!r}",
                "not in the spec"
                + (f" (it knows {', '.join(known)})" if known else " (it takes none)"),
            )
        return out

    def check_headers(self, op: Operation) -> None:
        for p in op.params:
            if p.location != "header":
                continue
            where = f"header {p.name!r}"
            value = self.headers.get(p.name)
            if value is None:
                if p.required:
                    raise self.fail(op, where, "required, not given")
                continue
            try:
                p.parse(value)
            except ValueError as exc:
                raise self.fail(op, where, str(exc)) from None
        if op.credentials and not any(map(self.carries, op.credentials)):
            asked = " or ".join(
                " and ".join(_describe(kind, name) for kind, name in alternative)
                for alternative in op.credentials
            )
            raise self.fail(
                op,
                "credentials",
                f"the operation's security asks for {asked}, not given",
            )

    def carries(self, alternative: tuple[tuple[str, str], ...]) -> bool:
        """Whether the request carries every scheme of one alternative."""
        for kind, name in alternative:
            scheme, _, token = self.headers.get("authorization", "").partition(" ")
            if kind in ("bearer", "basic"):
                found = scheme.lower() == kind and bool(token.strip())
            elif kind == "header":
                found = bool(self.headers.get(name))
            elif kind == "query":
                found = name in urllib.parse.parse_qs(self.parts.query)
            else:
                cookies = self.headers.get("cookie", "")
                found = any(
                    c.strip().startswith(name + "=") for c in cookies.split(";")
                )
            if not found:
                return False
        return True

    def body(self, op: Operation) -> Any:
        content = self.request.content
        spec = op.body
        if spec is None:
            if content:
                raise self.fail(op, "request body", "the operation takes none")
            return None
        if content is None:
            if spec.required:
                raise self.fail(op, "request body", "required, not given")
            return None
        ctype = self.headers.get("content-type", "")
        if spec.kind == "raw":
            return content
        if _body_kind(ctype) != spec.kind:
            raise self.fail(
                op,
                "request body",
                f"sent as {ctype or 'no type'}, expected {spec.media}",
            )
        if spec.kind == "json":
            try:
                data = json.loads(content)
            except (ValueError, RecursionError) as exc:
                raise self.fail(op, "request body", f"not JSON ({exc})") from None
            try:
                return spec.check(data)
            except DecodeError as exc:
                raise self.fail(op, "request body", str(exc)) from None
        if spec.kind == "form":
            return self.urlencoded(op, spec, content)
        return self.form(op, spec, ctype, content)

    def urlencoded(self, op: Operation, spec: Body, content: bytes) -> Any:
        """The fields of a URL-encoded form, read as its ``encoding`` says: a list
        repeated (exploded) or joined by commas, spaces or pipes; an object as its own
        keys (exploded), ``k=a,1,b,2`` (not), or ``k[a][b]=v`` (deepObject); JSON
        text (``json``); each then strictly decoded. Fields the spec does not list
        are kept as text."""
        try:
            pairs = urllib.parse.parse_qsl(
                content.decode("utf-8"), keep_blank_values=True, strict_parsing=True
            )
        except (UnicodeDecodeError, ValueError) as exc:
            if content.strip():
                raise self.fail(
                    op, "request body", f"not URL-encoded ({exc})"
                ) from None
            pairs = []
        given: dict[str, list[str]] = {}
        for name, text in pairs:
            given.setdefault(name, []).append(text)
        out: dict[str, Any] = {}
        # an exploded object's keys are fields of their own: read once the named
        # fields have taken theirs (one with known keys first, a map last)
        spread = [
            f
            for f in spec.fields
            if isinstance(f.parse, _Object) and f.explode and f.style == "form"
        ]
        spread.sort(key=lambda f: not isinstance(f.parse, _Object) or not f.parse.props)
        for f in [f for f in spec.fields if f not in spread] + spread:
            try:
                found = self.form_value(f, given, f in spread)
                if found is _UNSET:
                    if f.required:
                        raise DecodeError("required, not given")
                    continue
                out[f.name] = f.check(found)
            except DecodeError as exc:
                raise self.fail(op, "request body", str(exc.at(f.name))) from None
        for name, values in given.items():  # fields the spec does not list: kept
            out[name] = values[0] if len(values) == 1 else values
        return out

    def form_value(
        self, f: FormField, given: dict[str, list[str]], spread: bool
    ) -> Any:
        """The value of one URL-encoded field, its texts taken from ``given``
        (``_UNSET`` when absent)."""
        parse = f.parse
        if spread and isinstance(parse, _Object):
            keys = [k for k in given if (k in parse.props if parse.props else True)]
            if not keys:
                return _UNSET
            return _tree(parse, {k: given.pop(k)[-1] for k in keys})
        if f.style == "deepObject" and parse.kind in ("object", "list"):
            tree: dict[str, Any] = {}
            for k in [k for k in given if k.startswith(f.name + "[")]:
                segments = re.findall(r"\[([^\[\]]*)\]", k[len(f.name) :])
                if "".join(f"[{x}]" for x in segments) != k[len(f.name) :]:
                    continue
                node = tree
                for seg in segments[:-1]:
                    child = node.setdefault(seg, {})
                    if not isinstance(child, dict):
                        raise DecodeError(f"{k!r} nests under a value").at(seg)
                    node = child
                node[segments[-1]] = given.pop(k)[-1]
            return _tree(parse, tree) if tree else _UNSET
        values = given.pop(f.name, None)
        if values is None:
            return _UNSET
        if f.style == "json":
            try:
                return json.loads(values[-1])
            except ValueError as exc:
                raise DecodeError(f"not JSON ({exc})") from None
        if parse.kind == "list":
            if not f.explode:
                sep = list_separator(f.style)
                values = [
                    v for text in values for v in (text.split(sep) if text else [])
                ]
            return _tree(parse, {str(i): v for i, v in enumerate(values)})
        if len(values) > 1:
            raise DecodeError(f"given {len(values)} times")
        if isinstance(parse, _Object) and not f.explode and f.style == "form":
            items = values[0].split(",") if values[0] else []
            if len(items) % 2:
                raise DecodeError(f"expected key,value pairs, got {values[0]!r}")
            return _tree(parse, dict(zip(items[::2], items[1::2])))
        return _tree(parse, values[0])

    def form(self, op: Operation, spec: Body, ctype: str, content: bytes) -> Any:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + content
        )
        boundary = message.get_param("boundary")
        empty = content.strip() == f"--{boundary}--".encode("latin-1")
        if not message.is_multipart() and not empty:
            raise self.fail(op, "request body", "not a multipart form")
        parts: dict[str, list[Any]] = {}
        for part in () if empty else message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                raise self.fail(op, "request body", "a form part without a name")
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is not None:
                parts.setdefault(name, []).append(
                    UploadedFile(filename, part.get_content_type(), len(data), data)
                )
            else:
                parts.setdefault(name, []).append(data.decode("utf-8"))
        out: dict[str, Any] = {}
        for f in spec.fields:
            where = f"request body: $.{f.name}"
            values = parts.pop(f.name, None)
            if values is None:
                if f.required:
                    raise self.fail(op, where, "required, not given")
                continue
            if f.files:
                if not all(isinstance(v, UploadedFile) for v in values):
                    raise self.fail(op, where, "expected a file part")
                out[f.name] = (
                    values
                    if f.files == "list"
                    else (values[0] if len(values) == 1 else values)
                )
                continue
            if any(isinstance(v, UploadedFile) for v in values):
                raise self.fail(op, where, "expected a field, got a file part")
            try:
                if f.parse.kind == "list" and not (
                    len(values) == 1 and values[0].startswith("[")
                ):
                    value: Any = [f.parse(v) for v in values]
                elif f.parse.kind == "list":
                    value = json.loads(values[0])
                else:
                    value = f.parse(values[-1])
                out[f.name] = f.check(value)
            except (ValueError, DecodeError) as exc:
                raise self.fail(op, where, str(exc)) from None
        for name, values in parts.items():  # fields the spec does not list: kept
            out[name] = values[0] if len(values) == 1 else values
        return out


def _answer_check(
    op: Operation,
    data: Any,
    what: str,
    check: Check | None = None,
    schema: str = "the response schema",
) -> None:
    try:
        (op.check if check is None else check)(data)
    except DecodeError as exc:
        raise ContractError(
            f"{op.base}: {what} does not match {schema}: {exc} "
            "(pass strict=False to send it anyway)"
        ) from None


def _body_kind(ctype: str) -> str:
    media = ctype.split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return "json"
    if media == "multipart/form-data":
        return "multipart"
    if media == "application/x-www-form-urlencoded":
        return "form"
    return "raw"


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _sse(events: list[Any]) -> bytes:
    return b"".join(b"data: " + _json_bytes(e) + b"\n\n" for e in events)


class MockTransport:
    """The transport of the kit's clients: each request goes to the ``MockAPI``."""

    def __init__(self, api: MockAPI) -> None:
        self.api = api
        self.base_path = ""

    def _answer(self, request: Request) -> Response:
        return self.api._handle(request, self.base_path)

    def send(self, request: Request, *, timeout: Timeout) -> Response:
        return self._answer(request)

    def stream(self, request: Request, *, timeout: Timeout) -> StreamedResponse:
        r = self._answer(request)
        return StreamedResponse(
            r.status_code, r.headers, iter([r.content]), lambda: None
        )

    def close(self) -> None:
        return None

    async def asend(self, request: Request, *, timeout: Timeout) -> Response:
        return self._answer(request)

    async def astream(
        self, request: Request, *, timeout: Timeout
    ) -> AsyncStreamedResponse:
        r = self._answer(request)

        async def chunks() -> Any:
            yield r.content

        async def aclose() -> None:
            return None

        return AsyncStreamedResponse(r.status_code, r.headers, chunks(), aclose)

    async def aclose(self) -> None:
        return None


def _describe(kind: str, name: str) -> str:
    """A scheme as a contract error names it: ``Authorization: Bearer ...``."""
    if kind in ("bearer", "basic"):
        return f"Authorization: {kind.capitalize()} ..."
    return f"the {kind} {name!r}"
