"""Exceptions raised by this package. All derive from :class:`ClientError`.

    ClientError                      bad client options, a call without the credentials it needs, ...
    ├── DecodeError (ValueError)     a JSON value that does not match the schema
    └── APIError                     anything that went wrong talking to the API
        ├── APIStatusError           a non-2xx answer: status_code, request_id, body
        │   ├── BadRequestError              400
        │   ├── AuthenticationError          401
        │   ├── PermissionDeniedError        403
        │   ├── NotFoundError                404
        │   ├── ConflictError                409
        │   ├── UnprocessableEntityError     422
        │   ├── RateLimitError               429
        │   └── InternalServerError          5xx
        ├── APIConnectionError       no answer: refused, reset, TLS failure, ...
        │   └── APITimeoutError      no answer in time
        ├── APIResponseValidationError   a 2xx body that is not JSON or fails strict decoding
        └── ResponseTooLargeError    a body larger than ``max_response_bytes``

    InsecureURLWarning (UserWarning)  plain http:// to a host that is not loopback

No exception carries request headers or a credential's value, so no credential shows in one.
"""

from __future__ import annotations

from typing import Any, Literal, Mapping, Protocol

__all__ = [
    "ClientError",
    "DecodeError",
    "APIError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "APIConnectionError",
    "APITimeoutError",
    "APIResponseValidationError",
    "ResponseTooLargeError",
    "InsecureURLWarning",
    "RawResponseLike",
]


class RawResponseLike(Protocol):
    """What an error's ``response`` offers: the package's ``RawResponse`` (declared by
    its interface here, so that a package without operations needs no HTTP runtime)."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> bytes: ...

    @property
    def method(self) -> str: ...

    @property
    def url(self) -> str: ...

    @property
    def request_id(self) -> str | None: ...

    @property
    def text(self) -> str: ...

    def json(self) -> Any: ...


class ClientError(Exception):
    """Base class of every error this package raises."""


class DecodeError(ClientError, ValueError):
    """A JSON value does not match the schema (strict decoding) or is not JSON at all.

    ``path`` is a JSONPath to the offending value (``$.method.type``) and ``reason``
    says what was expected.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self._segments: list[str | int] = []  # innermost first

    def at(self, segment: str | int) -> DecodeError:
        """Prefix the path with an object key or array index; returns ``self``."""
        self._segments.append(segment)
        return self

    @property
    def path(self) -> str:
        out = ["$"]
        for seg in reversed(self._segments):
            if isinstance(seg, int):
                out.append(f"[{seg}]")
            elif seg.isidentifier():
                out.append("." + seg)
            else:
                out.append("[" + _quote(seg) + "]")
        return "".join(out)

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.reason, list(self._segments)))


def _quote(key: str) -> str:
    import json

    return json.dumps(key)


def _rebuild(reason: str, segments: list[str | int]) -> DecodeError:
    err = DecodeError(reason)
    err._segments = segments
    return err


class APIError(ClientError):
    """Something went wrong talking to the API.

    ``body`` is the decoded JSON body of the answer when there was one (the raw text
    when it is not JSON); ``code``, ``param`` and ``type`` come from OpenAI's error
    envelope (``{"error": {"message", "type", "param", "code"}}``) when it has them.
    """

    message: str
    body: object
    code: str | None
    param: str | None
    type: str | None

    def __init__(self, message: str, *, body: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.body = body
        envelope = body.get("error") if isinstance(body, dict) else None
        if not isinstance(envelope, dict):
            envelope = {}
        self.code = _text_or_none(envelope.get("code"))
        self.param = _text_or_none(envelope.get("param"))
        self.type = _text_or_none(envelope.get("type"))

    def __reduce__(self) -> tuple[object, ...]:
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class _AnsweredError(APIError):
    """An error about an answer: ``response`` is the raw response (``status_code``,
    ``headers``, ``content``, ``text``), whose ``status_code`` and ``request_id`` it
    repeats."""

    status_code: int
    request_id: str | None
    response: RawResponseLike

    def __init__(
        self, message: str, *, response: RawResponseLike, body: object = None
    ) -> None:
        super().__init__(message, body=body)
        self.response = response
        self.status_code = response.status_code
        self.request_id = response.request_id


class APIStatusError(_AnsweredError):
    """The API answered with a status that is not 2xx.

    ``str(exc)`` holds the status and the server's ``error.message``; ``response`` is
    the raw response (``status_code``, ``headers``, ``content``, ``text``).
    """


class BadRequestError(APIStatusError):
    """400 Bad Request."""

    status_code: Literal[400]


class AuthenticationError(APIStatusError):
    """401 Unauthorized: a missing, wrong or revoked API key."""

    status_code: Literal[401]


class PermissionDeniedError(APIStatusError):
    """403 Forbidden."""

    status_code: Literal[403]


class NotFoundError(APIStatusError):
    """404 Not Found."""

    status_code: Literal[404]


class ConflictError(APIStatusError):
    """409 Conflict (retried)."""

    status_code: Literal[409]


class UnprocessableEntityError(APIStatusError):
    """422 Unprocessable Entity."""

    status_code: Literal[422]


class RateLimitError(APIStatusError):
    """429 Too Many Requests (retried, honouring ``Retry-After`` up to a minute; a
    longer ``Retry-After`` ends the call at once)."""

    status_code: Literal[429]


class InternalServerError(APIStatusError):
    """A 5xx answer (retried)."""


class APIConnectionError(APIError):
    """No answer: the connection failed, was refused or reset, or TLS failed."""

    def __init__(self, message: str = "Connection error.") -> None:
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """No answer within the timeout."""

    def __init__(self, message: str = "Request timed out.") -> None:
        super().__init__(message)


class APIResponseValidationError(_AnsweredError):
    """A 2xx body that is not JSON, or that strict decoding rejects.

    The ``DecodeError`` (or JSON error) is chained as ``__cause__``.
    """


class ResponseTooLargeError(APIError):
    """A response body larger than ``max_response_bytes`` (after decoding gzip or
    deflate): refused from its ``Content-Length``, or stopped at the limit. Not
    retried. ``max_bytes`` is the limit."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            f"Response body is larger than max_response_bytes={max_bytes}; "
            "pass a larger max_response_bytes (0 for no limit) to read it"
        )
        self.max_bytes = max_bytes


class InsecureURLWarning(UserWarning):
    """A client sends to plain ``http://`` on a host that is not loopback: credentials
    and data would cross the network unencrypted."""


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _restore(
    cls: type[APIError], args: tuple[object, ...], state: dict[str, object]
) -> APIError:
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err
