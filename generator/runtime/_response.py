"""Responses: ``RawResponse`` (a whole answer, decoded on demand with ``parse()``),
``StreamedRawResponse`` (an answer whose body is read only when asked for) and the
exception for a status that is not 2xx."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable, Generic, Iterator, TypeVar, Union

from ._retries import connection_error
from ._transport import AsyncStreamedResponse, Response, StreamedResponse
from .errors import (
    APIError,
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DecodeError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)

T = TypeVar("T")
S = TypeVar("S", bound=Union[StreamedResponse, AsyncStreamedResponse])


@dataclass(frozen=True)
class CallInfo:
    """What an answer tells of the call that got it: the request's ``method`` and
    ``url`` (secret query values masked), whether decoding is ``strict``, the retries
    the call took and the seconds until the answer's head."""

    method: str
    url: str
    strict: bool
    retries_taken: int = 0
    elapsed: float = 0.0


class Answer:
    """What every answer shows: ``status_code``, ``headers``, ``request_id``, and
    what it tells of its call (``CallInfo``'s fields)."""

    def __init__(
        self,
        response: Response | StreamedResponse | AsyncStreamedResponse,
        call: CallInfo,
    ) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.method = call.method
        self.url = call.url
        self.strict = call.strict
        self.retries_taken = call.retries_taken
        self.elapsed = call.elapsed
        self._call = call

    @property
    def request_id(self) -> str | None:
        """The ``x-request-id`` header: quote it when asking OpenAI for help."""
        return self.headers.get("x-request-id")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status_code}] {self.method} {self.url}>"


class RawResponse(Answer, Generic[T]):
    """A response as it came: ``status_code``, ``headers``, ``content``, ``text``.

    ``parse()`` decodes the body into the operation's return type (once; the result is
    kept); a body that is not JSON or that strict decoding rejects raises
    ``APIResponseValidationError``.
    """

    def __init__(
        self, response: Response, parser: Callable[[RawResponse[T]], T], call: CallInfo
    ) -> None:
        super().__init__(response, call)
        self.content = response.content
        self._parser = parser
        self._parsed: list[T] = []

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


class Opened(Answer, Generic[S]):
    """An answer whose body is read as it arrives (``StreamedResponse`` or
    ``AsyncStreamedResponse``): what both streamed raw responses and both event
    streams hold."""

    def __init__(self, response: S, call: CallInfo, max_bytes: int | None) -> None:
        super().__init__(response, call)
        self._response = response
        self._max_bytes = max_bytes


_W = TypeVar("_W", bound="Closes")
_AW = TypeVar("_AW", bound="AsyncCloses")


class Closes:
    """``close()`` releases the connection; so does the end of a ``with`` block."""

    _response: StreamedResponse

    def close(self) -> None:
        self._response.close()

    def __enter__(self: _W) -> _W:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncCloses:
    """``Closes`` for the async answers: ``await aclose()``, ``async with``."""

    _response: AsyncStreamedResponse

    async def aclose(self) -> None:
        await self._response.aclose()

    async def __aenter__(self: _AW) -> _AW:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def _broken(exc: OSError | http.client.HTTPException) -> APIError:
    """The library error for a connection that broke while a stream was read."""
    found = connection_error(exc)
    assert found is not None  # every OSError and HTTPException is a connection error
    return found[0]


class _Streamed(Opened[S], Generic[T, S]):
    """What ``StreamedRawResponse`` and ``AsyncStreamedRawResponse`` share: the call's
    details, and the whole body, once it is read, as a ``RawResponse``."""

    def __init__(
        self,
        response: S,
        parser: Callable[[RawResponse[T]], T],
        call: CallInfo,
        max_bytes: int | None,
    ) -> None:
        super().__init__(response, call, max_bytes)
        self._parser = parser
        self._raw: RawResponse[T] | None = None

    def _keep(self, whole: Response) -> RawResponse[T]:
        self._raw = RawResponse(whole, self._parser, self._call)
        return self._raw


class StreamedRawResponse(_Streamed[T, StreamedResponse], Closes):
    """A 2xx answer whose body is read only on demand (``with_streaming_response``):
    ``iter_bytes()`` as it arrives, or ``read()`` / ``parse()`` / ``text`` / ``json()``
    into memory within ``max_response_bytes``. Use it in a ``with`` block (or call
    ``close()``) to release the connection."""

    def iter_bytes(self) -> Iterator[bytes]:
        """The body's chunks as they arrive (decoded); the connection is released at
        the end."""
        try:
            yield from self._response.chunks
        except (OSError, http.client.HTTPException) as exc:
            raise _broken(exc) from exc
        finally:
            self.close()

    def read(self) -> bytes:
        """The whole body; ``ResponseTooLargeError`` past ``max_response_bytes``."""
        return self._whole().content

    @property
    def text(self) -> str:
        return self._whole().text

    def json(self) -> Any:
        return self._whole().json()

    def parse(self) -> T:
        """The body decoded into the operation's return type."""
        return self._whole().parse()

    def _whole(self) -> RawResponse[T]:
        if self._raw is None:
            try:
                whole = self._response.read(self._max_bytes)
            except (OSError, http.client.HTTPException) as exc:
                raise _broken(exc) from exc
            return self._keep(whole)
        return self._raw


class AsyncStreamedRawResponse(_Streamed[T, AsyncStreamedResponse], AsyncCloses):
    """``StreamedRawResponse`` for ``AsyncClient``: ``async for chunk in
    r.iter_bytes()``, ``await r.read()``, ``await r.parse()``."""

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.chunks:
                yield chunk
        except (OSError, http.client.HTTPException) as exc:
            raise _broken(exc) from exc
        finally:
            await self.aclose()

    async def read(self) -> bytes:
        return (await self._whole()).content

    async def text(self) -> str:
        return (await self._whole()).text

    async def json(self) -> Any:
        return (await self._whole()).json()

    async def parse(self) -> T:
        return (await self._whole()).parse()

    async def _whole(self) -> RawResponse[T]:
        if self._raw is None:
            try:
                whole = await self._response.aread(self._max_bytes)
            except (OSError, http.client.HTTPException) as exc:
                raise _broken(exc) from exc
            return self._keep(whole)
        return self._raw

    async def close(self) -> None:
        """``aclose()``."""
        await self.aclose()
