"""Retries: which failures are tried again, and how long to wait before each attempt.

Connection errors, timeouts, 408, 409, 429 and 5xx are retried with exponential
backoff (0.5 s doubling, at most 8 s, times a jitter in (0.75, 1]) or the server's
``Retry-After`` / ``retry-after-ms``. A server that asks for more than ``MAX_RETRY_AFTER``
seconds ends the call at once; a TLS certificate failure is never retried.
"""

from __future__ import annotations

import asyncio
import email.utils
import http.client
import random
import ssl
import time
from typing import Any, Callable

from ._transport import Headers, Response
from .errors import APIConnectionError, APITimeoutError, ResponseTooLargeError

INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
RETRY_STATUSES = frozenset({408, 409, 429})

# The waits between attempts; tests replace these to keep retries fast.
sleep: Callable[[float], None] = time.sleep
async_sleep: Callable[[float], Any] = asyncio.sleep


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


def retry_delay(retries_taken: int, headers: Headers | None = None) -> float | None:
    """Seconds to wait before retry number ``retries_taken + 1``; ``None`` when the
    server asks for a longer wait than ``MAX_RETRY_AFTER`` (the call gives up)."""
    asked = retry_after(headers)
    if asked is not None and asked > MAX_RETRY_AFTER:
        return None
    if asked is not None and asked > 0:
        return asked
    delay = min(INITIAL_RETRY_DELAY * 2.0**retries_taken, MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())


def connection_error(exc: BaseException) -> tuple[APIConnectionError, bool] | None:
    """The library error for a transport failure and whether to retry it; ``None`` for
    anything else (a bug, or an error the client raises as it is)."""
    if isinstance(exc, ResponseTooLargeError):
        return None
    if isinstance(exc, APIConnectionError):
        return exc, not isinstance(exc.__cause__, ssl.SSLCertVerificationError)
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):
        return APITimeoutError(), True
    if isinstance(exc, ssl.SSLCertVerificationError) or (
        isinstance(exc, ssl.SSLError) and "CERTIFICATE" in str(exc).upper()
    ):
        return APIConnectionError(f"Connection error: {exc}"), False
    if isinstance(exc, (OSError, http.client.HTTPException)):
        detail = str(exc) or type(exc).__name__
        return APIConnectionError(f"Connection error: {detail}"), True
    return None
