"""Issue 15: deadlines, size limits, compression, URL safety, per-call options,
``with_options``, ``with_streaming_response``, configured client options, retries that
give up, logging, header checks and typed errors, each against loopback servers on
``Client`` and ``AsyncClient``.

No test asserts a time: a deadline is shown to hold by the server still having most of
its body left to send when the client gave up.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import threading
import typing
import warnings
import zlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

import fine_tuning_client as ftc
from fine_tuning_client import _retries, _transport

from .loopback import Loopback, Reply, envelope, job, self_signed

KEY = "sk-test-SECRET-0123456789abcdef"
RESUME = "/v1/fine_tuning/jobs/ftjob-abc123/resume"
MODES = ["sync", "async"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_LOG",
                 "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
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


def options(server: Loopback, **given: Any) -> dict[str, Any]:
    given.setdefault("base_url", server.url + "/v1")
    given.setdefault("timeout", 5.0)
    return given


def call(mode: str, server: Loopback, *args: Any, client: dict[str, Any] | None = None,
         method: str = "resume_fine_tuning_job", **kwargs: Any) -> Any:
    """``client.<method>(*args, **kwargs)`` on a fresh Client or AsyncClient."""
    opts = options(server, **(client or {}))
    if mode == "sync":
        with ftc.Client(KEY, **opts) as c:
            return getattr(c, method)(*(args or ("ftjob-abc123",)), **kwargs)

    async def go() -> Any:
        async with ftc.AsyncClient(KEY, **opts) as c:
            return await getattr(c, method)(*(args or ("ftjob-abc123",)), **kwargs)

    return asyncio.run(go())


def head(h: BaseHTTPRequestHandler, headers: dict[str, str]) -> None:
    h.send_response(200)
    for name, value in headers.items():
        h.send_header(name, value)
    h.end_headers()


def trickle(body: bytes, sent: list[int], every: float = 0.02) -> Callable[[BaseHTTPRequestHandler], None]:
    """An answer whose body comes one byte at a time; ``sent`` counts the bytes out."""

    def write(h: BaseHTTPRequestHandler) -> None:
        head(h, {"Content-Type": "application/json", "Content-Length": str(len(body))})
        h.wfile.flush()
        for i in range(len(body)):
            h.wfile.write(body[i:i + 1])
            h.wfile.flush()
            sent.append(1)
            if h.server.owner._stop.wait(every):  # type: ignore[attr-defined]
                return

    return write


def endless(sent: list[int], chunk: bytes = b" " * 65536) -> Callable[[BaseHTTPRequestHandler], None]:
    """A chunked body that never ends (until the client hangs up)."""

    def write(h: BaseHTTPRequestHandler) -> None:
        head(h, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        while not h.server.owner._stop.is_set():  # type: ignore[attr-defined]
            h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent.append(len(chunk))

    return write


def encoded(body: bytes, encoding: str, chunked: bool = False) -> Callable[[BaseHTTPRequestHandler], None]:
    def write(h: BaseHTTPRequestHandler) -> None:
        headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
        if chunked:
            head(h, {**headers, "Transfer-Encoding": "chunked"})
            for i in range(0, len(body), 1000):
                piece = body[i:i + 1000]
                h.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            h.wfile.write(b"0\r\n\r\n")
        else:
            head(h, {**headers, "Content-Length": str(len(body))})
            h.wfile.write(body)

    return write


JOB = json.dumps(job()).encode()

# ----- deadlines ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_trickling_body_ends_at_the_deadline(server: Loopback, mode: str) -> None:
    sent: list[int] = []
    server.script(Reply(write=trickle(JOB, sent)))
    with pytest.raises(ftc.APITimeoutError):
        call(mode, server, client={"timeout": 0.3, "max_retries": 0})
    # most of the body was still to come: the client did not wait for it
    assert len(sent) < len(JOB) // 2


def test_timeout_numbers_and_objects() -> None:
    assert ftc.Timeout.of(3) == ftc.Timeout(total=3.0, connect=3.0, idle=None)
    assert ftc.Timeout.of(30.0) == ftc.Timeout(total=30.0, connect=5.0)
    assert ftc.Timeout.of(None) == ftc.Timeout(None, None, None)
    t = ftc.Timeout(total=10, connect=1, idle=2)
    assert ftc.Timeout.of(t) is t and t.stream_idle == 2 and ftc.Timeout(9, 1).stream_idle == 9
    for bad in (0, -1, "3", True):
        with pytest.raises(ValueError):
            ftc.Timeout(total=bad)  # type: ignore[arg-type]
    with pytest.raises(ftc.ClientError, match="timeout"):
        ftc.Client(KEY, timeout="soon")  # type: ignore[arg-type]


def test_the_connect_timeout_bounds_connecting(server: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[float | None] = []
    real = _transport._HTTPConnection.connect

    def connect(self: Any) -> None:
        seen.append(self.timeout)
        real(self)

    monkeypatch.setattr(_transport._HTTPConnection, "connect", connect)
    call("sync", server, client={"timeout": ftc.Timeout(total=30.0, connect=0.75)})
    call("sync", server, client={"timeout": 0.5})
    assert seen == [0.75, pytest.approx(0.5, abs=0.05)]


# ----- size limits and compression ----------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_large_content_length_is_refused_before_reading(server: Loopback, mode: str) -> None:
    sent: list[int] = []
    server.script(Reply(write=trickle(JOB, sent, every=0.05)))
    with pytest.raises(ftc.ResponseTooLargeError, match="max_response_bytes=100") as info:
        call(mode, server, client={"max_response_bytes": 100, "max_retries": 2})
    assert info.value.max_bytes == 100
    assert len(server.requests) == 1  # not retried
    assert len(sent) < 20  # refused from the header, not after reading


@pytest.mark.parametrize("mode", MODES)
def test_an_endless_body_stops_at_the_limit(server: Loopback, mode: str) -> None:
    sent: list[int] = []
    server.script(Reply(write=endless(sent)))
    with pytest.raises(ftc.ResponseTooLargeError):
        call(mode, server, client={"max_response_bytes": 1 << 20})


def test_the_limit_per_call_and_off(server: Loopback) -> None:
    with ftc.Client(KEY, **options(server, max_response_bytes=None)) as client:
        with pytest.raises(ftc.ResponseTooLargeError):
            client.resume_fine_tuning_job("ftjob-abc123", max_response_bytes=100)
        assert client.with_options(max_response_bytes=100).max_response_bytes == 100
    with ftc.Client(KEY, **options(server, max_response_bytes=100)) as client:
        assert client.resume_fine_tuning_job("ftjob-abc123", max_response_bytes=0).id == "ftjob-abc123"
        with pytest.raises(ftc.ClientError, match="max_response_bytes"):
            client.resume_fine_tuning_job("ftjob-abc123", max_response_bytes=-1)


def test_a_custom_transport_is_held_to_the_limit() -> None:
    class Big:
        def send(self, request: ftc.Request, *, timeout: ftc.Timeout) -> ftc.Response:
            assert request.max_response_bytes == 10
            return ftc.Response(200, ftc.Headers(), b"x" * 11)

        def close(self) -> None:
            pass

    with pytest.raises(ftc.ResponseTooLargeError):
        ftc.Client(KEY, transport=Big(), max_response_bytes=10).resume_fine_tuning_job("a")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("encoding, data, chunked", [
    ("gzip", gzip.compress(JOB), False),
    ("gzip", gzip.compress(JOB), True),
    ("deflate", zlib.compress(JOB), False),
    ("deflate", zlib.compress(JOB)[2:-4], True),  # raw deflate, as some servers send it
])
def test_gzip_and_deflate_bodies_are_decoded(server: Loopback, mode: str, encoding: str, data: bytes,
                                             chunked: bool) -> None:
    server.script(Reply(write=encoded(data, encoding, chunked)))
    result = call(mode, server, method="resume_fine_tuning_job")
    assert result.to_dict() == job()
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


def test_raw_content_is_the_decoded_body(server: Loopback) -> None:
    server.script(Reply(write=encoded(gzip.compress(JOB), "gzip")))
    with ftc.Client(KEY, **options(server)) as client:
        raw = client.with_raw_response.resume_fine_tuning_job("ftjob-abc123")
    assert raw.content == JOB and raw.headers["content-encoding"] == "gzip"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("chunked", [False, True])
def test_a_gzip_bomb_stops_at_the_limit(server: Loopback, mode: str, chunked: bool) -> None:
    bomb = gzip.compress(b"\0" * (8 << 20), compresslevel=9)  # 8 MiB of zeros in about 8 KB
    assert len(bomb) < 64 << 10
    server.script(Reply(write=encoded(bomb, "gzip", chunked)))
    with pytest.raises(ftc.ResponseTooLargeError):
        call(mode, server, client={"max_response_bytes": 1 << 20})


def test_the_decoder_never_unpacks_past_the_limit() -> None:
    import tracemalloc

    bomb = gzip.compress(b"\0" * (64 << 20), compresslevel=9)  # 64 MiB in about 64 KB
    decoder = _transport._Decoder("gzip", 1000)
    tracemalloc.start()
    try:
        with pytest.raises(ftc.ResponseTooLargeError):
            decoder.feed(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20  # never the 64 MiB
    assert _transport._Decoder("gzip", None).feed(gzip.compress(b"ab")) == b"ab"


# ----- URLs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url, words", [
    ("https://api.example.com/v1?x=1", "query"),
    ("https://api.example.com/v1#f", "fragment"),
    ("https://user:hunter2pw@api.example.com/v1", "user information"),
    ("ftp://api.example.com/v1", "http"),
    ("/v1", "http"),
    ("https://api.example.com:99999/v1", "not a valid URL"),
])
def test_bad_base_urls_are_refused_without_echoing_them(url: str, words: str) -> None:
    for cls in (ftc.Client, ftc.AsyncClient):
        with pytest.raises(ftc.ClientError, match=words) as info:
            cls(KEY, base_url=url)
        assert "hunter2pw" not in str(info.value) and url not in str(info.value)


def test_plain_http_warns_unless_loopback() -> None:
    with pytest.warns(ftc.InsecureURLWarning, match="api.example.com"):
        ftc.Client(KEY, base_url="http://api.example.com/v1")
    with pytest.warns(ftc.InsecureURLWarning):
        ftc.AsyncClient(KEY, base_url="http://10.0.0.8/v1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for url in ("http://localhost:8080/v1", "http://127.0.0.1/v1", "http://[::1]:80", "https://api.example.com"):
            ftc.Client(KEY, base_url=url).close()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("value", [".", ".."])
def test_dot_path_values_raise_before_any_request(server: Loopback, mode: str, value: str) -> None:
    with pytest.raises(ValueError, match="would change the path"):
        call(mode, server, value)
    assert server.requests == []


# ----- per-call options ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_extra_query_and_extra_body_per_call(server: Loopback, mode: str) -> None:
    call(mode, server, extra_query={"trace": "a b", "n": [1, 2]}, extra_body={"note": None, "k": 1},
         extra_headers={"X-Trace": "t"})
    seen = server.requests[0]
    assert seen.path == RESUME + "?trace=a%20b&n=1&n=2"
    assert json.loads(seen.body) == {"note": None, "k": 1}  # no body of its own: extra_body is the body
    assert seen.headers["content-type"] == "application/json" and seen.headers["x-trace"] == "t"


@pytest.mark.parametrize("mode", MODES)
def test_max_retries_per_call(server: Loopback, mode: str, sleeps: list[float]) -> None:
    server.responder = lambda seen: Reply(500, envelope("boom"))
    with pytest.raises(ftc.InternalServerError):
        call(mode, server, client={"max_retries": 3}, max_retries=0)
    assert len(server.requests) == 1 and sleeps == []
    with pytest.raises(ftc.InternalServerError):
        call(mode, server, client={"max_retries": 0}, max_retries=1)
    assert len(server.requests) == 3


def test_every_method_takes_the_call_options() -> None:
    for cls in (ftc.Client, ftc.AsyncClient, ftc.client.ClientWithRawResponse,
                ftc.client.AsyncClientWithRawResponse, ftc.client.ClientWithStreamingResponse,
                ftc.client.AsyncClientWithStreamingResponse):
        hints = typing.get_type_hints(cls.resume_fine_tuning_job, vars(ftc.client))
        for name in ("extra_headers", "extra_query", "extra_body", "timeout", "max_retries", "max_response_bytes"):
            assert name in hints, (cls, name)


# ----- with_options and with_streaming_response ----------------------------------------------


def test_with_options_shares_the_pool(server: Loopback) -> None:
    with ftc.Client(KEY, **options(server, max_retries=2)) as client:
        client.resume_fine_tuning_job("ftjob-abc123")
        assert client.with_raw_response._client is client  # cached before the copy is made
        fast = client.with_options(timeout=1.5, max_retries=0, default_headers={"X-Team": "a"})
        assert fast._transport is client._transport
        assert (fast.timeout, fast.max_retries, client.max_retries) == (ftc.Timeout(1.5, 1.5), 0, 2)
        assert fast.with_raw_response._client is fast and client.with_raw_response._client is client
        fast.resume_fine_tuning_job("ftjob-abc123")
        fast.close()  # the copy does not own the pool
        client.resume_fine_tuning_job("ftjob-abc123")
    assert server.connections == 1
    assert "x-team" not in server.requests[0].headers and server.requests[1].headers["x-team"] == "a"
    assert "x-team" not in server.requests[2].headers


def test_async_with_options(server: Loopback) -> None:
    async def go() -> None:
        async with ftc.AsyncClient(KEY, **options(server)) as client:
            copy = client.with_options(default_headers={"X-Team": "b"})
            assert copy._transport is client._transport
            await copy.resume_fine_tuning_job("ftjob-abc123")

    asyncio.run(go())
    assert server.requests[0].headers["x-team"] == "b"


def test_streaming_response_reads_the_body_on_demand(server: Loopback) -> None:
    gate = threading.Event()
    body = JOB
    server.script(Reply(chunks=[body[:10], body[10:]], gate=gate, headers={"Content-Type": "application/json"}))
    with ftc.Client(KEY, **options(server)) as client:
        with client.with_streaming_response.resume_fine_tuning_job("ftjob-abc123") as response:
            assert response.status_code == 200  # the head is here; the body is not all sent
            gate.set()
            assert b"".join(response.iter_bytes()) == body
        server.script(Reply(body=job("ftjob-2")))
        with client.with_streaming_response.resume_fine_tuning_job("ftjob-2") as response:
            assert response.parse().id == "ftjob-2"
        server.script(Reply(404, envelope("nope")))
        with pytest.raises(ftc.NotFoundError):
            with client.with_streaming_response.resume_fine_tuning_job("x"):
                pass


def test_async_streaming_response(server: Loopback) -> None:
    async def go() -> None:
        async with ftc.AsyncClient(KEY, **options(server)) as client:
            async with client.with_streaming_response.resume_fine_tuning_job("ftjob-abc123") as response:
                assert response.status_code == 200
                assert (await response.parse()).id == "ftjob-abc123"
            async with client.with_streaming_response.resume_fine_tuning_job("ftjob-abc123") as response:
                assert b"".join([c async for c in response.iter_bytes()]) == JOB

    asyncio.run(go())


# ----- configured client options -------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_organization_and_project(server: Loopback, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    call(mode, server, client={"organization": "org-1", "project": "proj-1"})
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    call(mode, server)
    monkeypatch.delenv("OPENAI_ORG_ID")
    call(mode, server)
    first, second, third = (r.headers for r in server.requests)
    assert (first["openai-organization"], first["openai-project"]) == ("org-1", "proj-1")
    assert second["openai-organization"] == "org-env" and "openai-project" not in second
    assert "openai-organization" not in third


def test_a_client_option_that_cannot_be_a_header() -> None:
    with pytest.raises(ftc.ClientError, match="organization") as info:
        ftc.Client(KEY, organization="org\r\nX-Evil: 1")
    assert "X-Evil" not in str(info.value)


# ----- retries -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("headers", [{"Retry-After": "3600"}, {"retry-after-ms": "61000"}])
def test_a_retry_after_past_the_cap_ends_the_call(server: Loopback, mode: str, sleeps: list[float],
                                                   headers: dict[str, str]) -> None:
    server.responder = lambda seen: Reply(429, envelope("slow down"), headers)
    with pytest.raises(ftc.RateLimitError):
        call(mode, server, client={"max_retries": 3})
    assert len(server.requests) == 1 and sleeps == []


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    made = self_signed(tmp_path_factory.mktemp("tls"))
    if made is None:
        pytest.skip("openssl is not installed")
    return made


@pytest.mark.parametrize("mode", MODES)
def test_a_certificate_failure_is_not_retried(certificate: tuple[Path, Path], mode: str,
                                              sleeps: list[float]) -> None:
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with Loopback(tls=context) as tls:
        with pytest.raises(ftc.APIConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            call(mode, tls, client={"base_url": tls.url + "/v1", "max_retries": 3})
        assert sleeps == []


# ----- logging, headers, typed errors --------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_log_env_turns_on_the_logger(server: Loopback, mode: str, monkeypatch: pytest.MonkeyPatch,
                                     caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("fine_tuning_client")
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setenv("OPENAI_LOG", "debug")
    server.script(Reply(500), Reply(200, headers={"x-request-id": "req_1"}))
    with caplog.at_level(logging.NOTSET, logger="fine_tuning_client"):
        call(mode, server, extra_query={"api_key": "qsecret", "page": "2"})
        assert logger.level == logging.DEBUG and logger.handlers
    text = caplog.text
    assert "POST http://127.0.0.1" in text and "answered 500; retrying" in text and "-> 200 in" in text
    assert "api_key=***&page=2" in text and "qsecret" not in text and KEY not in text


def test_without_the_log_env_the_logger_stays_quiet(server: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    logger = logging.getLogger("fine_tuning_client")
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    call("sync", server)
    assert logger.level == logging.NOTSET


@pytest.mark.parametrize("headers, name", [
    ({"X-Bad": "a\r\nX-Injected: 1"}, "X-Bad"),
    ({"X-Bad": "line\nbreak"}, "X-Bad"),
    ({"Bad Name": "v"}, "Bad Name"),
])
def test_header_values_are_checked_when_built_and_per_call(server: Loopback, headers: dict[str, str],
                                                           name: str) -> None:
    for cls in (ftc.Client, ftc.AsyncClient):
        with pytest.raises(ftc.ClientError, match=name) as info:
            cls(KEY, base_url=server.url, default_headers=headers)
        assert "Injected" not in str(info.value) and "break" not in str(info.value)
    for mode in MODES:
        with pytest.raises(ftc.ClientError, match=name) as info:
            call(mode, server, extra_headers=headers)
        assert "Injected" not in str(info.value)
    with ftc.Client(KEY, base_url=server.url) as client, pytest.raises(ftc.ClientError, match=name):
        client.with_options(default_headers=headers)
    assert server.requests == []


def test_status_errors_are_typed(server: Loopback) -> None:
    hints = typing.get_type_hints(ftc.NotFoundError)
    assert hints["status_code"] == typing.Literal[404]
    assert typing.get_type_hints(ftc.RateLimitError)["status_code"] == typing.Literal[429]
    assert typing.get_type_hints(ftc.InternalServerError)["status_code"] is int
    server.script(Reply(404, envelope("no such job")))
    with pytest.raises(ftc.NotFoundError) as info:
        call("sync", server)
    assert isinstance(info.value.response, ftc.RawResponse)
    assert info.value.response.status_code == 404 and info.value.status_code == 404


# ----- the generated README ------------------------------------------------------------------


def readme_snippets(readme: Path) -> list[str]:
    text = readme.read_text(encoding="utf-8")
    return [block.split("```", 1)[0] for block in text.split("```python\n")[1:]]


def test_every_readme_snippet_compiles() -> None:
    from tests import golden

    readmes = [Path(ftc.__file__).parent / "README.md"] + [
        f / "golden" / golden.package_name(f) / "README.md" for f in golden.features()]
    for readme in readmes:
        for snippet in readme_snippets(readme):
            compile(snippet, str(readme), "exec")


def test_the_readme_snippets_run(server: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every client snippet of the fragment's README, run as written against a loopback
    server (the environment gives the key and the base URL)."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
    snippets = readme_snippets(Path(ftc.__file__).parent / "README.md")
    ran = 0
    for snippet in snippets:
        if "Client" not in snippet:  # the models' snippet decodes a `text` of yours
            continue
        exec(compile(snippet, "README.md", "exec"), {"__name__": "readme"})
        ran += 1
    assert ran >= 6 and len(server.requests) >= 5


# ----- bodies that break: a failed attempt, a library error, never a short body ---------------


def cut(status: int, body: bytes, chunked: bool) -> Callable[[BaseHTTPRequestHandler], None]:
    """An answer whose body stops half way and whose connection then closes."""

    def write(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        if chunked:
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            h.wfile.write(b"%x\r\n%s" % (len(body), body[: len(body) // 2]))
        else:
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body[: len(body) // 2])

    return write


def streamed(mode: str, server: Loopback, use: Callable[[Any], Any]) -> Any:
    """``use(r)`` on ``with_streaming_response.resume_fine_tuning_job``'s answer, sync or async."""
    if mode == "sync":
        with ftc.Client(KEY, **options(server)) as c:
            with c.with_streaming_response.resume_fine_tuning_job("ftjob-abc123") as r:
                return use(r)

    async def go() -> Any:
        async with ftc.AsyncClient(KEY, **options(server)) as c:
            async with c.with_streaming_response.resume_fine_tuning_job("ftjob-abc123") as r:
                found = use(r)
                return await found if asyncio.iscoroutine(found) else found

    return asyncio.run(go())


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
@pytest.mark.parametrize("mode", MODES)
def test_a_refused_streamed_answer_whose_body_breaks_is_retried(server: Loopback, mode: str, chunked: bool,
                                                                sleeps: list[float]) -> None:
    error = json.dumps(envelope("busy")).encode()
    server.script(Reply(write=cut(503, error, chunked)), Reply(body=job()))
    assert streamed(mode, server, lambda r: r.retries_taken) == 1
    assert len(server.requests) == 2 and len(sleeps) == 1


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
@pytest.mark.parametrize("mode", MODES)
def test_a_streamed_answer_whose_body_breaks_is_a_connection_error(server: Loopback, mode: str,
                                                                   chunked: bool) -> None:
    # a body cut short of its Content-Length is never handed over as if it were whole
    server.script(Reply(write=cut(200, JOB, chunked)))
    with pytest.raises(ftc.APIConnectionError):
        streamed(mode, server, lambda r: r.read())
    server.script(Reply(write=cut(200, JOB, chunked)))
    if mode == "sync":
        with pytest.raises(ftc.APIConnectionError):
            streamed(mode, server, lambda r: b"".join(r.iter_bytes()))
