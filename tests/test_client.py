"""The generated client against real servers on 127.0.0.1 (tests/loopback.py).

Retry waits are recorded, not slept (``_retries.sleep`` / ``_retries.async_sleep`` are
patched); timeouts are a few tenths of a second.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import pickle
import ssl
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Iterator

import pytest

import fine_tuning_client as ftc
from fine_tuning_client import _retries, _transport

from .loopback import ConnectProxy, Loopback, Reply, envelope, free_port, job, self_signed

KEY = "sk-test-SECRET-0123456789abcdef"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
                 "http_proxy", "https_proxy", "no_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits between attempts, recorded instead of slept."""
    recorded: list[float] = []

    async def async_sleep(delay: float) -> None:
        recorded.append(delay)
        await asyncio.sleep(0)

    monkeypatch.setattr(_retries, "sleep", recorded.append)
    monkeypatch.setattr(_retries, "async_sleep", async_sleep)
    return recorded


@pytest.fixture
def server() -> Iterator[Loopback]:
    with Loopback() as s:
        yield s


def make(server: Loopback, **options: Any) -> ftc.Client:
    options.setdefault("base_url", server.url + "/v1")
    options.setdefault("timeout", 5.0)
    return ftc.Client(KEY, **options)


def make_async(server: Loopback, **options: Any) -> ftc.AsyncClient:
    options.setdefault("base_url", server.url + "/v1")
    options.setdefault("timeout", 5.0)
    return ftc.AsyncClient(KEY, **options)


RESUME = "/v1/fine_tuning/jobs/ftjob-abc123/resume"

# ----- the happy path --------------------------------------------------------------------


def test_resume_returns_a_decoded_job_and_sends_the_expected_request(server: Loopback) -> None:
    with make(server) as client:
        result = client.resume_fine_tuning_job("ftjob-abc123")
    assert isinstance(result, ftc.FineTuningJob)
    assert result.id == "ftjob-abc123" and result.status == "failed"
    assert result.error is not None and result.error.code == "invalid_training_file"
    assert result.to_dict() == job()
    [seen] = server.requests
    assert (seen.method, seen.path, seen.body) == ("POST", RESUME, b"")
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.headers["accept"] == "application/json"
    assert seen.headers["content-length"] == "0"
    assert seen.headers["user-agent"].startswith("fine_tuning_client/2.3.0 (oas-dataclasses ")
    assert len(seen.headers["idempotency-key"]) >= 32


def test_method_has_the_operation_docstring_and_exports() -> None:
    doc = ftc.Client.resume_fine_tuning_job.__doc__ or ""
    assert doc.startswith("Resume a fine-tune job.")
    assert "The ID of the fine-tuning job to resume." in doc
    assert ftc.AsyncClient.resume_fine_tuning_job.__doc__ == doc
    for name in ("Client", "AsyncClient", "APIError", "APIStatusError", "NotFoundError", "RateLimitError",
                 "APIConnectionError", "APITimeoutError", "APIResponseValidationError", "Transport"):
        assert name in ftc.__all__ and hasattr(ftc, name)


def test_default_and_extra_headers(server: Loopback) -> None:
    with make(server, default_headers={"OpenAI-Organization": "org-1", "X-Both": "client"}) as client:
        client.resume_fine_tuning_job("ftjob-abc123", extra_headers={"x-both": "call", "X-Trace": "t1"})
    headers = server.requests[0].headers
    assert headers["openai-organization"] == "org-1"
    assert headers["x-both"] == "call" and headers["x-trace"] == "t1"


@pytest.mark.parametrize(
    "job_id, sent",
    [("a/b c?d", "a%2Fb%20c%3Fd"), ("...", "..."), ("x#y%z", "x%23y%25z"), ("é", "%C3%A9")],
)
def test_path_parameters_are_percent_encoded_with_nothing_safe(server: Loopback, job_id: str, sent: str) -> None:
    with make(server) as client:
        client.resume_fine_tuning_job(job_id)
    assert server.requests[0].path == f"/v1/fine_tuning/jobs/{sent}/resume"


def test_empty_path_parameter_raises_before_any_request(server: Loopback) -> None:
    with make(server) as client:
        with pytest.raises(ValueError, match="fine_tuning_job_id"):
            client.resume_fine_tuning_job("")
        with pytest.raises(ValueError):
            client.with_raw_response.resume_fine_tuning_job("")
    assert server.requests == []


def test_raw_response(server: Loopback) -> None:
    server.script(Reply(headers={"X-Request-Id": "req_123", "OpenAI-Processing-Ms": "42"}))
    with make(server) as client:
        raw = client.with_raw_response.resume_fine_tuning_job("ftjob-abc123")
    assert raw.status_code == 200
    assert raw.request_id == "req_123"
    assert raw.headers["openai-processing-ms"] == raw.headers["OPENAI-PROCESSING-MS"] == "42"
    assert "x-request-id" in raw.headers and raw.headers.get("Content-Type") == "application/json"
    assert raw.content.startswith(b"{") and raw.text == raw.content.decode()
    parsed = raw.parse()
    assert isinstance(parsed, ftc.FineTuningJob) and parsed.id == "ftjob-abc123"
    assert raw.parse() is parsed
    assert raw.retries_taken == 0
    assert repr(raw) == f"<RawResponse [200] POST {server.url}{RESUME}>"


# ----- configuration ----------------------------------------------------------------------


def test_a_client_without_a_key_is_built_and_a_call_that_needs_one_raises_before_any_request(
        server: Loopback) -> None:
    message = ("POST /fine_tuning/jobs/ftjob-abc123/resume needs credentials: pass api_key to the client "
               "(or set OPENAI_API_KEY in the environment)")
    for client in (ftc.Client(base_url=server.url + "/v1"), ftc.Client("", base_url=server.url + "/v1")):
        with client, pytest.raises(ftc.ClientError) as info:
            client.resume_fine_tuning_job("ftjob-abc123")
        assert str(info.value) == message
        with pytest.raises(ftc.ClientError, match="OPENAI_API_KEY"):
            client.with_raw_response.resume_fine_tuning_job("ftjob-abc123")
        with pytest.raises(ftc.ClientError, match="OPENAI_API_KEY"):
            with client.with_streaming_response.resume_fine_tuning_job("ftjob-abc123"):
                pass

    async def go() -> None:
        async with ftc.AsyncClient(api_key="", base_url=server.url + "/v1") as aclient:
            with pytest.raises(ftc.ClientError) as info:
                await aclient.resume_fine_tuning_job("ftjob-abc123")
            assert str(info.value) == message

    asyncio.run(go())
    assert server.requests == []


def test_an_authorization_header_given_by_the_caller_stands_in_for_the_key(server: Loopback) -> None:
    with ftc.Client(base_url=server.url + "/v1", default_headers={"Authorization": "Bearer from-defaults"}) as c:
        c.resume_fine_tuning_job("ftjob-abc123")
    with make(server) as c:  # the caller's own header wins over the key, as before
        c.resume_fine_tuning_job("ftjob-abc123", extra_headers={"Authorization": "Bearer per-call"})
    assert [s.headers["authorization"] for s in server.requests] == ["Bearer from-defaults", "Bearer per-call"]


def test_key_and_base_url_from_the_environment(server: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1/")
    with ftc.Client() as client:
        assert client.base_url == server.url + "/v1"
        client.resume_fine_tuning_job("ftjob-abc123")
    assert server.requests[0].headers["authorization"] == "Bearer sk-from-env"
    assert server.requests[0].path == RESUME


@pytest.mark.parametrize("cls", [ftc.Client, ftc.AsyncClient], ids=["Client", "AsyncClient"])
def test_defaults_the_spec_server_ten_minutes_two_retries(cls: Any) -> None:
    client = cls(KEY)
    assert client.base_url == "https://api.openai.com/v1"
    assert (client.timeout, client.max_retries) == (ftc.Timeout(600.0, 5.0), 2)
    assert client.max_response_bytes == 64 * 1024 * 1024
    if cls is ftc.Client:
        client.close()
    else:
        asyncio.run(client.close())


@pytest.mark.parametrize("cls", [ftc.Client, ftc.AsyncClient], ids=["Client", "AsyncClient"])
def test_configuration_from_arguments_and_the_environment(cls: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/env")
    client = cls()
    assert (client.base_url, client.timeout, client.max_retries) == ("http://127.0.0.1:9/env", ftc.Timeout(600.0, 5.0), 2)
    client = cls(KEY, base_url="http://127.0.0.1:9/v2", timeout=7.5, max_retries=0)
    assert (client.base_url, client.timeout, client.max_retries) == ("http://127.0.0.1:9/v2", ftc.Timeout(7.5, 5.0), 0)
    monkeypatch.delenv("OPENAI_API_KEY")
    cls()  # built without credentials: a call that needs one raises (test_a_client_without_a_key_...)
    for bad in ({"max_retries": -1}, {"timeout": 0}, {"timeout": True}, {"base_url": "ftp://x"}):
        with pytest.raises(ftc.ClientError):
            cls(KEY, **bad)


@pytest.mark.parametrize("asynchronous", [False, True], ids=["Client", "AsyncClient"])
def test_the_configured_and_per_call_timeouts_reach_the_transport(asynchronous: bool) -> None:
    """The client's timeout (the default too) and a per-call one, as the transport sees them."""
    seen: list[ftc.Timeout] = []

    class Recorder:
        def send(self, request: ftc.Request, *, timeout: ftc.Timeout) -> ftc.Response:
            seen.append(timeout)
            return ftc.Response(200, ftc.Headers([("content-type", "application/json")]), json.dumps(job()).encode())

        async def asend(self, request: ftc.Request, *, timeout: ftc.Timeout) -> ftc.Response:
            return self.send(request, timeout=timeout)

        def close(self) -> None:
            pass

        async def aclose(self) -> None:
            pass

    if asynchronous:
        async def main() -> None:
            for options in ({}, {"timeout": 3.0}):
                async with ftc.AsyncClient(KEY, transport=Recorder(), **options) as client:
                    await client.resume_fine_tuning_job("a")
                    await client.resume_fine_tuning_job("a", timeout=1.25)

        asyncio.run(main())
    else:
        for options in ({}, {"timeout": 3.0}):
            with ftc.Client(KEY, transport=Recorder(), **options) as client:
                client.resume_fine_tuning_job("a")
                client.resume_fine_tuning_job("a", timeout=1.25)
    # a number n is Timeout(total=n, connect=min(n, 5))
    assert seen == [ftc.Timeout(600.0, 5.0), ftc.Timeout(1.25, 1.25), ftc.Timeout(3.0, 3.0), ftc.Timeout(1.25, 1.25)]


@pytest.mark.parametrize(
    "options",
    [{"base_url": "ftp://example.com"}, {"base_url": "/v1"}, {"max_retries": -1}, {"timeout": 0}],
)
def test_bad_options_are_client_errors(options: dict[str, Any]) -> None:
    with pytest.raises(ftc.ClientError):
        ftc.Client(KEY, **options)


def test_a_key_that_cannot_be_a_header_is_rejected_without_echoing_it() -> None:
    with pytest.raises(ftc.ClientError) as info:
        ftc.Client("sk-bad\r\nX-Injected: 1")
    assert "sk-bad" not in str(info.value)


# ----- errors -----------------------------------------------------------------------------

STATUS_ERRORS = [
    (400, ftc.BadRequestError, 1),
    (401, ftc.AuthenticationError, 1),
    (403, ftc.PermissionDeniedError, 1),
    (404, ftc.NotFoundError, 1),
    (408, ftc.APIStatusError, 3),
    (409, ftc.ConflictError, 3),
    (422, ftc.UnprocessableEntityError, 1),
    (429, ftc.RateLimitError, 3),
    (500, ftc.InternalServerError, 3),
    (502, ftc.InternalServerError, 3),
    (503, ftc.InternalServerError, 3),
    (418, ftc.APIStatusError, 1),
]


@pytest.mark.parametrize("status, cls, attempts", STATUS_ERRORS, ids=[str(s) for s, _, _ in STATUS_ERRORS])
def test_error_statuses(server: Loopback, sleeps: list[float], status: int, cls: type[Exception],
                        attempts: int) -> None:
    body = envelope(f"Something about status {status}.", code="some_code", param="fine_tuning_job_id")
    server.responder = lambda seen: Reply(status, body, {"x-request-id": f"req_{len(server.requests)}"})
    with make(server) as client:
        with pytest.raises(cls) as info:
            client.resume_fine_tuning_job("ftjob-abc123")
    exc = info.value
    assert type(exc) is cls
    assert isinstance(exc, ftc.APIStatusError) and isinstance(exc, ftc.APIError) and isinstance(exc, ftc.ClientError)
    assert exc.status_code == status
    assert exc.request_id == f"req_{attempts}"  # the last attempt's
    assert exc.body == body
    assert (exc.code, exc.param, exc.type) == ("some_code", "fine_tuning_job_id", "invalid_request_error")
    assert str(exc) == f"Error code: {status} - Something about status {status}."
    assert exc.response.status_code == status and exc.response.headers["x-request-id"] == exc.request_id
    assert len(server.requests) == attempts
    assert len(sleeps) == attempts - 1
    assert KEY not in str(exc) and KEY not in repr(exc)


@pytest.mark.parametrize("status, cls, attempts", STATUS_ERRORS, ids=[str(s) for s, _, _ in STATUS_ERRORS])
def test_async_error_statuses(server: Loopback, sleeps: list[float], status: int, cls: type[Exception],
                              attempts: int) -> None:
    """The same table on AsyncClient: which statuses raise what, after how many attempts."""
    server.responder = lambda seen: Reply(status, envelope(f"status {status}"))

    async def main() -> None:
        async with make_async(server) as client:
            with pytest.raises(cls) as info:
                await client.resume_fine_tuning_job("ftjob-abc123")
            assert type(info.value) is cls and info.value.status_code == status

    asyncio.run(main())
    assert len(server.requests) == attempts and len(sleeps) == attempts - 1


def test_error_without_an_envelope(server: Loopback) -> None:
    server.script(Reply(404, "<html>no such page</html>"), Reply(400, b""), Reply(400, {"detail": "x"}))
    with make(server, max_retries=0) as client:
        with pytest.raises(ftc.NotFoundError, match="no such page") as info:
            client.resume_fine_tuning_job("x")
        assert info.value.body == "<html>no such page</html>" and info.value.code is None
        with pytest.raises(ftc.BadRequestError, match="Error code: 400 - Bad Request"):
            client.resume_fine_tuning_job("x")
        with pytest.raises(ftc.BadRequestError, match='"detail"'):
            client.resume_fine_tuning_job("x")


def test_errors_pickle(server: Loopback) -> None:
    server.script(Reply(404, envelope("No such job.", code="not_found")))
    with make(server) as client:
        with pytest.raises(ftc.NotFoundError) as info:
            client.resume_fine_tuning_job("x")
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is ftc.NotFoundError
    assert (str(copy), copy.status_code, copy.code) == (str(info.value), 404, "not_found")


def test_non_json_2xx_body_is_a_validation_error_not_a_json_error(server: Loopback) -> None:
    server.script(Reply(200, "<html>gateway says hi</html>"), Reply(200, "<html>again</html>"))
    with make(server) as client:
        with pytest.raises(ftc.APIResponseValidationError) as info:
            client.resume_fine_tuning_job("ftjob-abc123")
        assert isinstance(info.value.__cause__, ValueError)
        assert info.value.status_code == 200
        raw = client.with_raw_response.resume_fine_tuning_job("ftjob-abc123")
        assert raw.text == "<html>again</html>"
        with pytest.raises(ftc.APIResponseValidationError):
            raw.parse()
    assert len(server.requests) == 2  # not retried


def test_a_json_body_that_is_not_an_object(server: Loopback) -> None:
    server.script(Reply(200, ["not", "a", "job"]))
    with make(server) as client, pytest.raises(ftc.APIResponseValidationError) as info:
        client.resume_fine_tuning_job("ftjob-abc123")
    assert isinstance(info.value.__cause__, ftc.DecodeError)


def drifted() -> dict[str, Any]:
    body = job(status="paused", brand_new_field={"nested": [1, 2]})
    body["method"] = {
        "type": "reinforcement",
        "reinforcement": {
            "grader": {"type": "telepathy_grader", "name": "new", "mind": "read"},
            "hyperparameters": {"n_epochs": 2, "future_knob": True},
        },
    }
    return body


def test_a_drifted_body_decodes_leniently_and_loses_nothing(server: Loopback) -> None:
    server.script(Reply(200, drifted()))
    with make(server) as client:
        result = client.resume_fine_tuning_job("ftjob-abc123")
    assert result.status == "paused"  # type: ignore[comparison-overlap]
    assert result.to_dict() == drifted()


def test_strict_responses_reject_a_drifted_body(server: Loopback) -> None:
    server.script(Reply(200, drifted()), Reply(200, job()))
    with make(server, strict_responses=True) as client:
        with pytest.raises(ftc.APIResponseValidationError) as info:
            client.resume_fine_tuning_job("ftjob-abc123")
        assert isinstance(info.value.__cause__, ftc.DecodeError)
        assert "$.status" in str(info.value)
        assert info.value.body == drifted()
        assert client.resume_fine_tuning_job("ftjob-abc123").to_dict() == job()


# ----- retries ----------------------------------------------------------------------------


def test_every_kind_of_answer_tells_of_its_call(server: Loopback, sleeps: list[float]) -> None:
    """The raw, streamed and parsed-from-streamed answers, sync and async, carry the
    retries the call took, its time, method and URL."""
    url = server.url + RESUME
    server.script(Reply(500), Reply(200, job()), Reply(503), Reply(429), Reply(200, job()))
    with make(server) as client:
        raw = client.with_raw_response.resume_fine_tuning_job("ftjob-abc123")
        with client.with_streaming_response.resume_fine_tuning_job("ftjob-abc123") as streamed:
            whole = streamed.parse()
            seen = [(r.retries_taken, r.method, r.url, r.elapsed > 0) for r in (raw, streamed, streamed._whole())]
    assert whole.to_dict() == job()
    assert seen == [(1, "POST", url, True), (2, "POST", url, True), (2, "POST", url, True)]

    async def go() -> list[Any]:
        server.script(Reply(502), Reply(200, job()))
        async with make_async(server) as aclient:
            async with aclient.with_streaming_response.resume_fine_tuning_job("ftjob-abc123") as r:
                await r.parse()
                return [r.retries_taken, (await r._whole()).retries_taken, r.url]

    assert asyncio.run(go()) == [1, 1, url]


def test_5xx_then_success_keeps_one_idempotency_key(server: Loopback, sleeps: list[float]) -> None:
    server.script(Reply(500, envelope("boom", "server_error")), Reply(503, envelope("busy", "server_error")))
    with make(server) as client:
        raw = client.with_raw_response.resume_fine_tuning_job("ftjob-abc123")
    assert raw.status_code == 200 and raw.retries_taken == 2
    keys = {seen.headers["idempotency-key"] for seen in server.requests}
    assert len(server.requests) == 3 and len(keys) == 1
    assert 0.375 <= sleeps[0] <= 0.5 and 0.75 <= sleeps[1] <= 1.0
    with make(server) as client:
        client.resume_fine_tuning_job("ftjob-abc123")
    assert server.requests[-1].headers["idempotency-key"] not in keys  # a new call, a new key


def test_max_retries_zero_and_x_should_retry(server: Loopback, sleeps: list[float]) -> None:
    server.script(Reply(500), Reply(400, headers={"x-should-retry": "true"}), Reply(500, headers={"x-should-retry": "false"}))
    with make(server, max_retries=0) as client, pytest.raises(ftc.InternalServerError):
        client.resume_fine_tuning_job("x")
    with make(server, max_retries=1) as client:
        with pytest.raises(ftc.InternalServerError):  # 400 retried, then a 500 that must not be
            client.resume_fine_tuning_job("x")
    assert len(server.requests) == 3 and len(sleeps) == 1


RETRY_AFTER = [
    ({"Retry-After": "1.5"}, 1.5, 1.5),
    ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25, 0.25),
    ({"Retry-After": "60"}, 60.0, 60.0),  # the cap itself is honoured
    ({"retry-after-ms": "60000"}, 60.0, 60.0),
    ({"Retry-After": "0"}, 0.375, 0.5),
]


@pytest.mark.parametrize("asynchronous", [False, True], ids=["Client", "AsyncClient"])
@pytest.mark.parametrize("headers, low, high", RETRY_AFTER, ids=[str(h) for h, _, _ in RETRY_AFTER])
def test_retry_after_at_and_past_its_cap(server: Loopback, sleeps: list[float], headers: dict[str, str],
                                        low: float, high: float, asynchronous: bool) -> None:
    server.script(Reply(429, envelope("slow down", "rate_limit_exceeded"), headers))
    if asynchronous:
        async def main() -> None:
            async with make_async(server) as client:
                await client.resume_fine_tuning_job("ftjob-abc123")

        asyncio.run(main())
    else:
        with make(server) as client:
            client.resume_fine_tuning_job("ftjob-abc123")
    assert len(server.requests) == 2 and len(sleeps) == 1
    assert low <= sleeps[0] <= high


@pytest.mark.parametrize("asynchronous", [False, True], ids=["Client", "AsyncClient"])
@pytest.mark.parametrize("headers", [{"Retry-After": "60.5"}, {"retry-after-ms": "60001"}], ids=str)
def test_a_retry_after_just_past_its_cap_ends_the_call_at_once(server: Loopback, sleeps: list[float],
                                                               headers: dict[str, str], asynchronous: bool) -> None:
    """Past the 60 s cap the server's wait is not honoured and not guessed at either: the
    status error comes back at once, as the official SDK does."""
    server.script(Reply(429, envelope("slow down", "rate_limit_exceeded"), headers))
    with pytest.raises(ftc.RateLimitError):
        if asynchronous:
            async def main() -> None:
                async with make_async(server) as client:
                    await client.resume_fine_tuning_job("ftjob-abc123")

            asyncio.run(main())
        else:
            with make(server) as client:
                client.resume_fine_tuning_job("ftjob-abc123")
    assert len(server.requests) == 1 and sleeps == []


@pytest.mark.parametrize(
    "headers, low, high",
    [
        ({"Retry-After": "1.5"}, 1.5, 1.5),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25, 0.25),
        ({"Retry-After": "soon"}, 0.375, 0.5),
        ({"Retry-After": "HTTP-DATE"}, 0.5, 3.0),
    ],
)
def test_retry_after_is_honoured_under_a_minute(server: Loopback, sleeps: list[float], headers: dict[str, str],
                                               low: float, high: float) -> None:
    if headers.get("Retry-After") == "HTTP-DATE":
        headers = {"Retry-After": email.utils.formatdate(time.time() + 3, usegmt=True)}
    server.script(Reply(429, envelope("slow down", "rate_limit_exceeded"), headers))
    with make(server) as client:
        client.resume_fine_tuning_job("ftjob-abc123")
    assert len(server.requests) == 2
    assert low <= sleeps[0] <= high


def test_backoff_doubles_from_half_a_second_up_to_eight_with_jitter() -> None:
    for retries, base in enumerate([0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]):
        delays = [_retries.retry_delay(retries) for _ in range(200)]
        assert all(0.75 * base <= d <= base for d in delays)
        assert len(set(delays)) > 1


def test_timeout_is_retried_then_raised(server: Loopback, sleeps: list[float]) -> None:
    server.responder = lambda seen: Reply(delay=3.0)
    # each attempt gives up after 0.3 s: had the client waited for the server's 3 s, the
    # answer would have come and no timeout been raised (no time is asserted)
    with make(server, timeout=0.3, max_retries=1) as client:
        with pytest.raises(ftc.APITimeoutError) as info:
            client.resume_fine_tuning_job("ftjob-abc123")
    assert isinstance(info.value, ftc.APIConnectionError)
    assert len(server.requests) == 2 and len(sleeps) == 1


def test_per_call_timeout_overrides_the_client_timeout(server: Loopback) -> None:
    server.script(Reply(delay=3.0))
    with make(server, timeout=30.0, max_retries=0) as client:
        with pytest.raises(ftc.APITimeoutError):
            client.resume_fine_tuning_job("ftjob-abc123", timeout=0.3)
    server.script(Reply(delay=0.2))
    with make(server, timeout=0.05, max_retries=0) as client:
        assert client.resume_fine_tuning_job("ftjob-abc123", timeout=5.0).id == "ftjob-abc123"


def test_connection_refused_is_retried_then_a_connection_error(sleeps: list[float]) -> None:
    client = ftc.Client(KEY, base_url=f"http://127.0.0.1:{free_port()}/v1", max_retries=2)
    with client, pytest.raises(ftc.APIConnectionError) as info:
        client.resume_fine_tuning_job("ftjob-abc123")
    assert type(info.value) is ftc.APIConnectionError
    assert isinstance(info.value.__cause__, OSError)
    assert len(sleeps) == 2


# ----- the key stays secret ---------------------------------------------------------------


def test_the_key_appears_in_no_error_repr_or_log(server: Loopback, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    server.script(Reply(401, envelope("Incorrect API key provided.")), Reply(500), Reply(500), Reply(500),
                  Reply(200, "not json"), Reply(delay=2.0))
    with make(server, max_retries=2) as client:
        texts += [repr(client), str(client), repr(client._config), repr(client._config.prepare(ftc._base_client.RequestOptions("POST", "/x"))[0])]
        request = client._config.prepare(ftc._base_client.RequestOptions(
            "POST", "/x", security=((ftc.client._AUTH_API_KEY_AUTH,),)))[0]
        assert request.headers["authorization"] == f"Bearer {KEY}"
        texts += [repr(request), repr(request.headers)]
        for _ in range(3):
            try:
                client.resume_fine_tuning_job("ftjob-abc123", timeout=0.3)
            except ftc.APIError as exc:
                texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc)), repr(exc.__dict__)]
    refused = ftc.Client(KEY, base_url=f"http://127.0.0.1:{free_port()}", max_retries=0)
    try:
        refused.resume_fine_tuning_job("x")
    except ftc.APIConnectionError as exc:
        texts += [str(exc), "".join(traceback.format_exception(exc))]
    texts.append(caplog.text)
    assert len(texts) > 10 and "retrying" in caplog.text
    for text in texts:
        assert KEY not in text
    assert "***" in repr(request.headers)


# ----- connections ------------------------------------------------------------------------


def test_keep_alive_reuses_one_connection(server: Loopback) -> None:
    with make(server) as client:
        for i in range(5):
            client.resume_fine_tuning_job(f"job-{i}")
    assert len(server.requests) == 5
    assert server.connections == 1


def test_a_connection_the_server_closed_is_replaced() -> None:
    with Loopback(idle_timeout=0.1) as server, make(server, max_retries=0) as client:
        client.resume_fine_tuning_job("a")
        deadline = time.monotonic() + 3
        while server.closed_connections < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        client.resume_fine_tuning_job("b")  # no retry allowed: the stale connection is not an error
        server.script(Reply(close=True))
        client.resume_fine_tuning_job("c")
        client.resume_fine_tuning_job("d")
    assert server.connections == 3


def test_context_manager_releases_connections(server: Loopback) -> None:
    with make(server) as client:
        client.resume_fine_tuning_job("a")
    deadline = time.monotonic() + 3
    while server.closed_connections < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.closed_connections == server.connections == 1


def test_one_client_shared_by_eight_threads(server: Loopback) -> None:
    server.responder = lambda seen: Reply(body=job(seen.path.split("/")[4]))
    errors: list[BaseException] = []
    results: dict[str, str] = {}
    barrier = threading.Barrier(8)

    with make(server) as client:

        def work(n: int) -> None:
            barrier.wait()
            try:
                for i in range(10):
                    job_id = f"job-{n}-{i}"
                    results[job_id] = client.resume_fine_tuning_job(job_id).id
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert errors == []
    assert len(results) == 80 and all(k == v for k, v in results.items())
    assert len(server.requests) == 80
    assert server.connections <= 8


# ----- proxies and TLS --------------------------------------------------------------------


def test_http_proxy_from_the_environment(server: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://user:p%40ss@127.0.0.1:{server.port}")
    with pytest.warns(ftc.InsecureURLWarning), ftc.Client(KEY, base_url="http://api.example.test/v1") as client:
        client.resume_fine_tuning_job("ftjob-abc123")
    seen = server.requests[0]
    assert seen.path == "http://api.example.test" + RESUME
    assert seen.headers["host"] == "api.example.test"
    assert seen.headers["proxy-authorization"] == "Basic dXNlcjpwQHNz"  # user:p@ss


def test_no_proxy_bypasses_the_proxy(server: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")  # nobody listens there
    monkeypatch.setenv("NO_PROXY", "localhost, 127.0.0.0/8")
    with make(server, max_retries=0) as client:
        client.resume_fine_tuning_job("ftjob-abc123")
    assert server.requests[0].path == RESUME


def test_no_proxy_rules() -> None:
    assert _transport.no_proxy("api.openai.com", "*")
    assert _transport.no_proxy("api.openai.com", "openai.com")
    assert _transport.no_proxy("api.openai.com", ".openai.com,example.org")
    assert _transport.no_proxy("API.OpenAI.com", "api.openai.com:443")
    assert not _transport.no_proxy("api.openai.com", "penai.com")
    assert not _transport.no_proxy("api.openai.com", "")
    assert _transport.no_proxy("10.1.2.3", "10.0.0.0/8")
    assert _transport.no_proxy("::1", "::1")
    assert not _transport.no_proxy("10.1.2.3", "10.1.2.4,example.com")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    made = self_signed(tmp_path_factory.mktemp("tls"))
    if made is None:
        pytest.skip("openssl is not installed")
    return made


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[Loopback]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with Loopback(tls=context) as s:
        yield s


def test_tls_is_verified(tls_server: Loopback, certificate: tuple[Path, Path]) -> None:
    with make(tls_server, max_retries=0) as client, pytest.raises(ftc.APIConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        client.resume_fine_tuning_job("ftjob-abc123")
    trusted = ssl.create_default_context(cafile=str(certificate[0]))
    transport = ftc.HTTPTransport(ssl_context=trusted)
    with transport, make(tls_server, transport=transport) as client:
        assert client.resume_fine_tuning_job("ftjob-abc123").id == "ftjob-abc123"
        client.resume_fine_tuning_job("ftjob-abc123")
    assert tls_server.connections == 1


def test_https_through_a_connect_proxy(tls_server: Loopback, certificate: tuple[Path, Path],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    trusted = ssl.create_default_context(cafile=str(certificate[0]))
    with ConnectProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", f"http://me:secret@127.0.0.1:{proxy.port}")
        transport = ftc.HTTPTransport(ssl_context=trusted)
        with transport, ftc.Client(KEY, base_url=f"https://localhost:{tls_server.port}/v1",
                                   transport=transport, max_retries=0) as client:
            assert client.resume_fine_tuning_job("ftjob-abc123").id == "ftjob-abc123"
    [head] = proxy.heads
    assert head.startswith(f"CONNECT localhost:{tls_server.port} HTTP/1.")
    assert "Proxy-Authorization: Basic bWU6c2VjcmV0" in head
    assert KEY not in head  # the tunnel carries the key encrypted, not the proxy request
    assert tls_server.requests[0].path == RESUME


# ----- plugging a transport ---------------------------------------------------------------


class FakeTransport:
    """An in-memory ``Transport``: answers from a list, records requests."""

    def __init__(self, *answers: ftc.Response | BaseException) -> None:
        self.answers = list(answers)
        self.requests: list[tuple[ftc.Request, float | None]] = []
        self.closed = False

    def send(self, request: ftc.Request, *, timeout: float | None) -> ftc.Response:
        self.requests.append((request, timeout))
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def close(self) -> None:
        self.closed = True


def ok(body: Any = None) -> ftc.Response:
    import json

    return ftc.Response(200, ftc.Headers({"content-type": "application/json"}), json.dumps(body or job()).encode())


def test_a_custom_transport(sleeps: list[float]) -> None:
    transport = FakeTransport(TimeoutError("slow"), ConnectionResetError("reset"), ok())
    with ftc.Client(KEY, transport=transport, timeout=12.5) as client:
        assert client.resume_fine_tuning_job("a b").id == "ftjob-abc123"
    assert not transport.closed  # the client does not close a transport it was given
    assert len(transport.requests) == 3 and len(sleeps) == 2
    request, timeout = transport.requests[0]
    assert (request.method, request.url) == ("POST", "https://api.openai.com/v1/fine_tuning/jobs/a%20b/resume")
    assert timeout == ftc.Timeout(total=12.5, connect=5.0, idle=None)
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in repr(request)
    with ftc.Client(KEY, transport=FakeTransport(TimeoutError()), max_retries=0) as client:
        with pytest.raises(ftc.APITimeoutError):
            client.resume_fine_tuning_job("a")
    with ftc.Client(KEY, transport=FakeTransport(RuntimeError("a bug")), max_retries=3) as client:
        with pytest.raises(RuntimeError, match="a bug"):  # not a connection problem: not retried
            client.resume_fine_tuning_job("a")


def test_async_client_with_an_async_transport_and_a_blocking_one() -> None:
    class AsyncFake:
        def __init__(self) -> None:
            self.sent: list[ftc.Request] = []
            self.closed = False

        async def asend(self, request: ftc.Request, *, timeout: float | None) -> ftc.Response:
            self.sent.append(request)
            await asyncio.sleep(0)
            return ok(job("from-async"))

        async def aclose(self) -> None:
            self.closed = True

    async def main() -> None:
        fake = AsyncFake()
        async with ftc.AsyncClient(KEY, transport=fake) as client:
            assert (await client.resume_fine_tuning_job("x")).id == "from-async"
        assert len(fake.sent) == 1 and not fake.closed
        blocking = FakeTransport(ok(job("from-thread")))
        async with ftc.AsyncClient(KEY, transport=blocking) as client:
            assert (await client.resume_fine_tuning_job("x")).id == "from-thread"

    asyncio.run(main())


# ----- async ------------------------------------------------------------------------------


def test_async_call_raw_response_and_errors(server: Loopback, sleeps: list[float]) -> None:
    server.script(
        Reply(headers={"x-request-id": "req_a"}),
        Reply(429, envelope("slow down"), {"retry-after-ms": "10"}),
        Reply(),
        Reply(404, envelope("No such job.", code="not_found"), {"x-request-id": "req_404"}),
        Reply(200, "nope"),
    )

    async def main() -> None:
        async with make_async(server) as client:
            raw = await client.with_raw_response.resume_fine_tuning_job("ftjob-abc123")
            assert raw.status_code == 200 and raw.request_id == "req_a"
            assert raw.parse().id == "ftjob-abc123"
            assert (await client.resume_fine_tuning_job("ftjob-abc123")).to_dict() == job()
            with pytest.raises(ftc.NotFoundError) as info:
                await client.resume_fine_tuning_job("ftjob-abc123")
            assert info.value.request_id == "req_404" and str(info.value) == "Error code: 404 - No such job."
            with pytest.raises(ftc.APIResponseValidationError):
                await client.resume_fine_tuning_job("ftjob-abc123")
            with pytest.raises(ValueError):
                await client.resume_fine_tuning_job("")

    asyncio.run(main())
    assert sleeps == [0.01]
    assert len(server.requests) == 5
    assert server.requests[1].headers["idempotency-key"] == server.requests[2].headers["idempotency-key"]


def test_async_timeout_does_not_block_the_loop(server: Loopback, sleeps: list[float]) -> None:
    server.responder = lambda seen: Reply(delay=3.0)

    async def main() -> int:
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        tick = asyncio.create_task(ticker())
        async with make_async(server, timeout=0.3, max_retries=1) as client:
            with pytest.raises(ftc.APITimeoutError):
                await client.resume_fine_tuning_job("ftjob-abc123")
        done.set()
        await tick
        return ticks

    ticks = asyncio.run(main())
    assert ticks >= 10  # the loop kept running during the 2 x 0.3 s attempts
    assert len(server.requests) == 2 and len(sleeps) == 1


def test_async_concurrent_calls_and_close(server: Loopback) -> None:
    server.responder = lambda seen: Reply(body=job(seen.path.split("/")[4]), delay=0.05)

    async def main() -> list[str]:
        async with make_async(server) as client:
            jobs = await asyncio.gather(*(client.resume_fine_tuning_job(f"job-{i}") for i in range(8)))
        return [j.id for j in jobs]

    assert asyncio.run(main()) == [f"job-{i}" for i in range(8)]
    deadline = time.monotonic() + 3
    while server.closed_connections < server.connections and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.closed_connections == server.connections


# ----- generation -------------------------------------------------------------------------


def test_a_spec_without_operations_gets_no_client(tmp_path: Path) -> None:
    from generator.pipeline import Options, build

    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n    Thing:\n      type: object\n      properties:\n        a: {type: string}\n",
        encoding="utf-8",
    )
    files = build(Options(schema=spec, out=tmp_path / "out", package="things"))
    assert "client.py" not in files and "_transport.py" not in files
    init = files["__init__.py"].decode()
    assert "Client" not in init.replace("ClientError", "") and "models and a client" not in init


def _late_body_then_close(handler: Any) -> None:
    """Headers with Connection: close, then the body a moment later, in its own segment."""
    body = json.dumps(job()).encode("utf-8")
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    handler.wfile.flush()
    time.sleep(0.2)
    handler.wfile.write(body)
    handler.wfile.flush()
    handler.close_connection = True


def test_a_body_after_connection_close_headers_is_read_in_full() -> None:
    """http.client lets go of a connection whose answer says Connection: close as soon
    as the headers are in; the body that follows must still be readable (it was not:
    the socket was closed under the reader, Errno 9)."""
    with Loopback() as server, make(server, max_retries=0) as client:
        server.script(Reply(write=_late_body_then_close), Reply(write=_late_body_then_close))
        assert client.resume_fine_tuning_job("a").id == job()["id"]
        assert client.resume_fine_tuning_job("b").id == job()["id"]
