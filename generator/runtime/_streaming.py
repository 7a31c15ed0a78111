"""Server-sent event streams: ``Stream`` and ``AsyncStream``, what streaming methods
return, decoding each event as it arrives."""

from __future__ import annotations

import http.client
import json
from typing import Any, AsyncIterator, Callable, Generic, Iterable, Iterator, TypeVar

from ._response import AsyncCloses, CallInfo, Closes, Opened, RawResponse, S, _broken
from ._transport import AsyncStreamedResponse, StreamedResponse
from .errors import (
    APIError,
    APIResponseValidationError,
    DecodeError,
    ResponseTooLargeError,
)

T = TypeVar("T")


class _SSEDecoder:
    """Server-sent events from chunks of bytes: ``data:`` lines joined by newlines,
    dispatched at a blank line; ``data: [DONE]`` ends the stream. One event may hold
    at most ``max_bytes`` (``ResponseTooLargeError`` past it)."""

    def __init__(self, max_bytes: int | None = None) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._size = 0
        self._max_bytes = max_bytes
        self._event: str | None = None
        self.done = False

    def feed(self, chunk: bytes) -> list[tuple[str | None, str]]:
        self._buffer += chunk
        if self._max_bytes is not None and (
            len(self._buffer) + self._size > self._max_bytes
        ):
            raise ResponseTooLargeError(self._max_bytes)
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
            self._data, self._event, self._size = [], None, 0
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
            self._size += len(value) + 1
        elif name == "event":
            self._event = value
        return None


def sse(
    chunks: Iterable[bytes], max_bytes: int | None = None
) -> Iterator[tuple[str | None, str]]:
    """(event name, data) for each server-sent event in ``chunks``, as they arrive."""
    decoder = _SSEDecoder(max_bytes)
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


class _Events(Opened[S], Generic[T, S]):
    """What ``Stream`` and ``AsyncStream`` share: the answer, how to decode an event,
    and how an event or a broken connection ends the stream."""

    def __init__(
        self,
        response: S,
        decode: Callable[[Any, bool], T],
        call: CallInfo,
        max_bytes: int | None = None,
    ) -> None:
        super().__init__(response, call, max_bytes)
        self._decode = decode

    def _event(self, data: str) -> T:
        return _event(self._decode, data, self.strict, self)


class Stream(_Events[T, StreamedResponse], Closes):
    """The events of a streaming answer, decoded one by one as they arrive.

    Iterate once (``for event in stream``); leaving the loop early, ``close()`` or a
    ``with`` block releases the connection. An event carrying an error object
    (``{"error": {"message": ...}}``) raises ``APIError`` and ends the stream.
    ``status_code``, ``headers`` and ``request_id`` describe the answer.
    """

    def __iter__(self) -> Iterator[T]:
        try:
            for _, data in sse(self._response.chunks, self._max_bytes):
                yield self._event(data)
        except (OSError, http.client.HTTPException) as exc:
            raise _broken(exc) from exc
        finally:
            self.close()


class AsyncStream(_Events[T, AsyncStreamedResponse], AsyncCloses):
    """``Stream`` for ``AsyncClient``: ``async for event in stream``."""

    async def __aiter__(self) -> AsyncIterator[T]:
        decoder = _SSEDecoder(self._max_bytes)
        try:
            async for chunk in self._response.chunks:
                for _, data in decoder.feed(chunk):
                    yield self._event(data)
                if decoder.done:
                    try:  # as ``sse`` does after [DONE]
                        async for _ in self._response.chunks:
                            pass
                    except Exception:  # noqa: BLE001
                        pass
                    return
            for _, data in decoder.flush():
                yield self._event(data)
        except (OSError, http.client.HTTPException) as exc:
            raise _broken(exc) from exc
        finally:
            await self.aclose()
