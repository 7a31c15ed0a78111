"""The whole upstream OpenAI snapshot as one package, client included: every operation
has a sync and an async method, the package passes ``mypy --strict``, and a sample of
its operations of each kind (a JSON body, a paginated list, query lists, uploads, a
binary download, event streams and their errors) works against a loopback server,
sync and async, with the exact request checked and the answer decoded strictly.

Skips, saying why, when the snapshot (outside the repository) or ruff (the ``dev``
extra; black needs minutes for a package this size) is absent.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import io
import itertools
import json
import os
import re
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator import ir
from generator.load import load
from generator.lower import kit, lower
from generator.output import write_tree
from generator.pipeline import Options, build
from tests.loopback import Loopback, Reply, form_parts, job, sync_and_async, wait_for
from tests.snapshot import SNAPSHOT
from tests.test_snapshot import _have_ruff

PACKAGE = "openai_snapshot_full"
# as the repository's pyproject.toml configures for OpenAI's spec: the testing kit's examples
EXTENSIONS = ("x-oaiMeta",)

pytestmark = pytest.mark.slow  # the whole snapshot: minutes, not seconds (make test-fast leaves it out)



@dataclass
class Full:
    out: Path
    module: ModuleType
    package: ir.Package


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Full:
    if not _have_ruff():
        pytest.skip("ruff is not installed (the dev extra): formatting the snapshot with black takes minutes")
    os.environ.setdefault("OAS_DATACLASSES_CACHE_DIR", str(tmp_path_factory.mktemp("format-cache")))
    out = tmp_path_factory.mktemp("snapshot-full")
    started = time.perf_counter()
    write_tree(out, PACKAGE, build(Options(SNAPSHOT, out, PACKAGE, formatter="ruff", example_extensions=EXTENSIONS)))
    print(f"\nwhole snapshot package generated in {time.perf_counter() - started:.1f} s")
    sys.path.insert(0, str(out))
    try:
        module = importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
    return Full(out, module, lower(load(SNAPSHOT), PACKAGE, example_extensions=EXTENSIONS))


def test_every_operation_has_a_sync_and_an_async_method(full: Full) -> None:
    # 242 operations; the 6 that can also answer with an event stream add a `_stream` method,
    # the 7 whose body can also be a form with files a `_multipart` one
    assert len({op.operation_id for op in full.package.operations}) == 242
    assert len(full.package.operations) == 255
    client, aclient = full.module.Client, full.module.AsyncClient
    for op in full.package.operations:
        assert callable(getattr(client, op.method_name)), op.operation_id
        assert inspect.iscoroutinefunction(getattr(aclient, op.method_name)), op.operation_id


def test_mypy_strict_on_the_whole_package(full: Full) -> None:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", "--no-incremental",
         "--cache-dir", os.devnull, PACKAGE],
        cwd=full.out, capture_output=True, text=True,
    )
    print(f"\nmypy --strict on the whole snapshot package: {time.perf_counter() - started:.0f} s")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_json_body_operation(full: Full) -> None:
    answer = {"id": "modr-1", "model": "omni-moderation-latest", "results": []}
    with Loopback() as server:
        server.script(Reply(body=answer))
        client = full.module.Client(api_key_auth="sk-test", admin_api_key_auth="sk-admin", base_url=server.url, max_retries=0)
        try:
            result = client.create_moderation(input="is this fine?")
        finally:
            client.close()
        seen = server.requests[0]
    assert (seen.method, seen.path) == ("POST", "/moderations")
    assert json.loads(seen.body) == {"input": "is this fine?"}  # the optional model is not sent
    assert seen.headers["authorization"] == "Bearer sk-test"
    assert result.to_dict() == answer


def test_paginated_list_fetches_pages_as_the_loop_goes(full: Full) -> None:
    first = {"object": "list", "data": [job("ftjob-1"), job("ftjob-2")], "has_more": True}
    second = {"object": "list", "data": [job("ftjob-3")], "has_more": False}

    async def run(url: str) -> list[str]:
        async with full.module.AsyncClient(api_key_auth="sk-test", admin_api_key_auth="sk-admin", base_url=url, max_retries=0) as client:
            return [j.id async for j in client.iter_list_paginated_fine_tuning_jobs(limit=2)]

    with Loopback() as server:
        server.script(Reply(body=first), Reply(body=second))
        client = full.module.Client(api_key_auth="sk-test", admin_api_key_auth="sk-admin", base_url=server.url, max_retries=0)
        try:
            ids = [j.id for j in client.iter_list_paginated_fine_tuning_jobs(limit=2)]
        finally:
            client.close()
        assert ids == ["ftjob-1", "ftjob-2", "ftjob-3"]
        assert [r.path for r in server.requests] == ["/fine_tuning/jobs?limit=2", "/fine_tuning/jobs?after=ftjob-2&limit=2"]
        server.script(Reply(body=first), Reply(body=second))
        assert asyncio.run(run(server.url)) == ["ftjob-1", "ftjob-2", "ftjob-3"]


def clients(full: Full, server: Loopback) -> tuple[Any, Any]:
    """A sync and an async client on ``server`` that decode strictly, so an answer the
    schema rejects fails the test instead of passing through leniently."""
    options = {"api_key_auth": "sk-test", "admin_api_key_auth": "sk-admin", "base_url": server.url, "max_retries": 0, "timeout": 5.0,
               "strict_responses": True}
    return full.module.Client(**options), full.module.AsyncClient(**options)


def both(full: Full, server: Loopback, call: Callable[[Any], Any]) -> list[Any]:
    """``call(client)`` then ``await call(aclient)``: the sync and the async result."""
    return sync_and_async(*clients(full, server), call)


USAGE_PAGE: dict[str, Any] = {
    "object": "page",
    "data": [{"object": "bucket", "start_time": 1730419200, "end_time": 1730422800, "results": [
        {"object": "organization.usage.completions.result", "input_tokens": 10, "output_tokens": 5,
         "num_model_requests": 1, "model": "gpt-4o", "batch": False, "project_id": "proj_1"}]}],
    "has_more": False,
    "next_page": None,
}


def test_query_list_boolean_and_enum(full: Full) -> None:
    with Loopback() as server:
        server.responder = lambda seen: Reply(body=USAGE_PAGE)
        results = both(full, server, lambda c: c.usage_completions(
            start_time=1730419200, bucket_width="1h", project_ids=["proj_1", "proj 2"], batch=False,
            group_by=["model", "project_id"], limit=0))
        for result in results:
            assert isinstance(result, full.module.UsageResponse) and result.to_dict() == USAGE_PAGE
            assert isinstance(result.data[0].results[0], full.module.UsageCompletionsResult)
        assert len(server.requests) == 2
        # an admin endpoint (security: AdminApiKeyAuth) sends the admin key, not the other
        assert [seen.headers["authorization"] for seen in server.requests] == ["Bearer sk-admin"] * 2
        for seen in server.requests:
            # a list repeats its key, false is `false`, 0 is given; what was not given is left out
            assert (seen.method, seen.body) == ("GET", b"")
            assert seen.path == ("/organization/usage/completions?start_time=1730419200&bucket_width=1h"
                                 "&project_ids=proj_1&project_ids=proj%202&batch=false&group_by=model"
                                 "&group_by=project_id&limit=0")
            assert "content-type" not in seen.headers

        # `include[]` (a bracketed name, an array of one enum) and an `order` enum
        steps = {"object": "list", "data": [], "first_id": "step_1", "last_id": "step_2", "has_more": False}
        server.responder = lambda seen: Reply(body=steps)
        include = ["step_details.tool_calls[*].file_search.results[*].content"]
        results = both(full, server, lambda c: c.list_run_steps("thread/1", "run_1", order="desc", limit=1,
                                                                include=include))
        assert [r.to_dict() for r in results] == [steps, steps]
        path = ("/threads/thread%2F1/runs/run_1/steps?limit=1&order=desc&include%5B%5D="
                "step_details.tool_calls%5B%2A%5D.file_search.results%5B%2A%5D.content")
        assert [s.path for s in server.requests[2:]] == [path, path]


FILE = {"id": "file-1", "object": "file", "bytes": 9, "created_at": 1730419200, "filename": "x",
        "purpose": "fine-tune", "status": "uploaded"}


def test_upload_bytes_path_file_object_and_triple(full: Full, tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n-path")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.7 object\r\n")
    expires = full.module.FileExpirationAfter(anchor="created_at", seconds=3600)
    line = b'{"messages": []}\n'
    opened: list[Any] = []  # the file objects handed over: the caller closes them, not the client

    def open_scan() -> Any:
        opened.append(scan.open("rb"))
        return opened[-1]

    # (the file argument, the file part the server should see)
    cases: list[tuple[Callable[[], Any], tuple[str, str, str, bytes]]] = [
        (lambda: line, ("file", "upload", "application/octet-stream", line)),
        (lambda: photo, ("file", "photo.png", "image/png", b"\x89PNG\r\n\x1a\n-path")),
        (open_scan, ("file", "scan.pdf", "application/pdf", b"%PDF-1.7 object\r\n")),
        (lambda: ("train.jsonl", io.BytesIO(line), "application/jsonl"),
         ("file", "train.jsonl", "application/jsonl", line)),
    ]
    with Loopback() as server:
        server.responder = lambda seen: Reply(body=FILE)
        for make, part in cases:
            def call(c: Any, make: Callable[[], Any] = make) -> Any:
                return c.create_file(file=make(), purpose="fine-tune", expires_after=expires)

            results = both(full, server, call)
            assert all(isinstance(r, full.module.OpenAIFile) and r.to_dict() == FILE for r in results)
            for seen in server.requests[-2:]:
                assert (seen.method, seen.path) == ("POST", "/files")
                assert form_parts(seen) == [
                    part,
                    ("purpose", None, None, b"fine-tune"),
                    ("expires_after", None, None, b'{"anchor": "created_at", "seconds": 3600}'),
                ]
                assert int(seen.headers["content-length"]) == len(seen.body)
    assert len(server.requests) == 2 * len(cases)
    assert len(opened) == 2 and not any(f.closed for f in opened)
    for f in opened:
        f.close()


def test_binary_download_returns_the_bytes(full: Full) -> None:
    audio = b"RIFF" + bytes(range(256)) * 800  # every byte value, 200 KB: nothing decodes or trims it
    with Loopback() as server:
        server.responder = lambda seen: Reply(body=audio, headers={"Content-Type": "audio/wav"})
        results = both(full, server, lambda c: c.create_speech(model="gpt-4o-mini-tts", input="Hi", voice="alloy",
                                                               response_format="wav"))
        assert [type(r) for r in results] == [bytes, bytes] and results == [audio, audio]
        assert len(server.requests) == 2
        for seen in server.requests:
            assert (seen.method, seen.path) == ("POST", "/audio/speech")
            assert (seen.headers["accept"], seen.headers["content-type"]) == ("application/octet-stream",
                                                                              "application/json")
            assert seen.body == b'{"model": "gpt-4o-mini-tts", "input": "Hi", "voice": "alloy", "response_format": "wav"}'



def test_speech_stream_asks_for_server_sent_events(full: Full) -> None:
    """The speech endpoint streams events only with ``stream_format: "sse"``: the
    ``_stream`` method sends it (it is not an argument) and decodes the typed events."""
    events = [{"type": "speech.audio.delta", "audio": "UklGRg=="},
              {"type": "speech.audio.done", "usage": {"input_tokens": 3, "output_tokens": 9, "total_tokens": 12}}]
    body = sse_bytes(*events)

    def call(c: Any) -> Any:
        if inspect.iscoroutinefunction(c.create_speech_stream):
            async def collect() -> list[Any]:
                async with await c.create_speech_stream(model="gpt-4o-mini-tts", input="Hi", voice="alloy") as s:
                    return [e async for e in s]
            return collect()
        with c.create_speech_stream(model="gpt-4o-mini-tts", input="Hi", voice="alloy") as s:
            return list(s)

    assert "stream_format" not in inspect.signature(full.module.Client.create_speech_stream).parameters
    with Loopback() as server:
        server.responder = lambda seen: Reply(body=body, headers={"Content-Type": "text/event-stream"})
        results = both(full, server, call)
        for got in results:
            assert [type(e).__name__ for e in got] == ["SpeechAudioDeltaEvent", "SpeechAudioDoneEvent"]
            assert [e.to_dict() for e in got] == events
        for seen in server.requests:
            assert json.loads(seen.body) == {"model": "gpt-4o-mini-tts", "input": "Hi", "voice": "alloy",
                                             "stream_format": "sse"}
            assert seen.headers["accept"] == "text/event-stream"

def chunk(cid: str, content: str | None, finish: str | None = None) -> dict[str, Any]:
    return {"id": cid, "object": "chat.completion.chunk", "created": 1730419200, "model": "gpt-4o",
            "choices": [{"index": 0, "delta": {} if content is None else {"content": content},
                         "finish_reason": finish}]}


CHUNKS = [chunk("c1", "Hel"), chunk("c1", "lo"), chunk("c1", None, "stop")]


def sse_bytes(*payloads: Any, event: str | None = None) -> bytes:
    head = f"event: {event}\n".encode() if event else b""
    return b"".join(head + b"data: " + json.dumps(p).encode() + b"\n\n" for p in payloads)


def test_event_stream_decodes_typed_events_until_done(full: Full) -> None:
    body = [sse_bytes(CHUNKS[0]), sse_bytes(*CHUNKS[1:]), b"data: [DONE]\n\n", sse_bytes(chunk("never", "x"))]
    message = full.module.ChatCompletionRequestUserMessage(role="user", content="Hi")

    async def agen(c: Any) -> list[Any]:
        async with c:
            return [e async for e in await c.create_chat_completion_stream(messages=[message], model="gpt-4o")]

    with Loopback() as server:
        server.script(Reply(chunks=body), Reply(chunks=body))
        client, aclient = clients(full, server)
        with client:
            events = list(client.create_chat_completion_stream(messages=[message], model="gpt-4o"))
        aevents = asyncio.run(agen(aclient))
        for got in (events, aevents):
            assert all(isinstance(e, full.module.CreateChatCompletionStreamResponse) for e in got)
            assert [e.to_dict() for e in got] == CHUNKS  # nothing after [DONE]
            assert "".join(e.choices[0].delta.content or "" for e in got) == "Hello"
        assert len(server.requests) == 2
        for seen in server.requests:
            assert (seen.method, seen.path, seen.headers["accept"]) == ("POST", "/chat/completions",
                                                                        "text/event-stream")
            assert json.loads(seen.body) == {"messages": [{"role": "user", "content": "Hi"}], "model": "gpt-4o",
                                             "stream": True}


def test_leaving_an_event_stream_early_drops_the_connection(full: Full) -> None:
    body = [sse_bytes(CHUNKS[0]), sse_bytes(CHUNKS[1]), b"data: [DONE]\n\n"]
    message = {"role": "user", "content": "Hi"}  # plain JSON data works as well as the model

    async def first_then_leave(c: Any, gate: threading.Event) -> str:
        async with c, await c.create_chat_completion_stream(messages=[message], model="gpt-4o") as stream:
            async for event in stream:
                break
        gate.set()
        return str(event.choices[0].delta.content)

    with Loopback() as server:
        gate = threading.Event()
        server.script(Reply(chunks=body, gate=gate))
        client, aclient = clients(full, server)
        stream = client.create_chat_completion_stream(messages=[message], model="gpt-4o")
        for event in stream:
            break
        assert event.choices[0].delta.content == "Hel"
        # the server sends the rest only now: a client that kept the connection for
        # another request would leave it open
        gate.set()
        assert wait_for(lambda: server.closed_connections == 1)
        agate = threading.Event()
        server.script(Reply(chunks=body, gate=agate))
        assert asyncio.run(first_then_leave(aclient, agate)) == "Hel"
        assert wait_for(lambda: server.closed_connections == 2)
        client.close()


def test_an_error_in_a_stream_raises_api_error(full: Full) -> None:
    envelope = {"error": {"message": "The server had an error while processing your request.",
                          "type": "server_error", "param": None, "code": None}}
    message = {"role": "user", "content": "Hi"}

    with Loopback() as server:
        server.responder = lambda seen: Reply(chunks=[sse_bytes(CHUNKS[0]), sse_bytes(envelope, CHUNKS[1])])
        seen: list[list[str]] = []

        def call(c: Any) -> Any:
            got: list[str] = []
            seen.append(got)
            if isinstance(c, full.module.Client):
                with pytest.raises(full.module.APIError) as info:
                    got.extend(e.id for e in c.create_chat_completion_stream(messages=[message], model="gpt-4o"))
                return info.value

            async def go() -> Any:
                with pytest.raises(full.module.APIError) as info:
                    async for e in await c.create_chat_completion_stream(messages=[message], model="gpt-4o"):
                        got.append(e.id)
                return info.value

            return go()

        for error in both(full, server, call):
            assert type(error) is full.module.APIError
            assert str(error) == "The server had an error while processing your request."
            assert (error.type, error.code, error.body) == ("server_error", None, envelope)
        assert seen == [["c1"], ["c1"]]  # the event before the error was delivered

        # the Responses API: a documented `error` event is an event; an error object raises
        delta = {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0,
                 "delta": "Hi", "sequence_number": 1, "logprobs": []}
        failed = {"type": "error", "code": "rate_limit_exceeded", "message": "slow down", "param": None,
                  "sequence_number": 2}
        server.responder = lambda seen: Reply(chunks=[
            sse_bytes(delta, event="response.output_text.delta"), sse_bytes(failed, event="error"),
            sse_bytes({"error": {"message": "gone", "code": "E1"}}, event="error")])
        client, _ = clients(full, server)
        events: list[Any] = []
        with client, pytest.raises(full.module.APIError, match="^gone$") as info:
            events.extend(client.create_response_stream(model="gpt-5", input="hi"))
        assert info.value.code == "E1"
        assert [type(e).__name__ for e in events] == ["ResponseTextDeltaEvent", "ResponseErrorEvent"]
        assert events[1].to_dict() == failed


def test_upload_that_answers_an_event_stream(full: Full) -> None:
    # create_transcription_stream: a multipart body whose `stream` field the method sets
    events = [{"type": "transcript.text.delta", "delta": "Hel"}, {"type": "transcript.text.delta", "delta": "lo"},
              {"type": "transcript.text.done", "text": "Hello"}]
    mp3 = b"ID3\x04\x00" + bytes(range(256))
    with Loopback() as server:
        server.responder = lambda seen: Reply(chunks=[sse_bytes(*events[:2]), sse_bytes(events[2])])

        def call(c: Any) -> Any:
            stream = c.create_transcription_stream(file=("hello.mp3", mp3), model="gpt-4o-transcribe",
                                                   include=["logprobs"])
            if isinstance(c, full.module.Client):
                return list(stream)

            async def go() -> list[Any]:
                return [e async for e in await stream]

            return go()

        for got in both(full, server, call):
            assert [type(e).__name__ for e in got] == ["TranscriptTextDeltaEvent"] * 2 + ["TranscriptTextDoneEvent"]
            assert [e.to_dict() for e in got] == events
        assert len(server.requests) == 2
        for seen in server.requests:
            assert (seen.method, seen.path, seen.headers["accept"]) == ("POST", "/audio/transcriptions",
                                                                        "text/event-stream")
            assert form_parts(seen) == [
                ("file", "hello.mp3", "audio/mpeg", mp3),
                ("model", None, None, b"gpt-4o-transcribe"),
                ("include", None, None, b"logprobs"),
                ("stream", None, None, b"true"),  # set by the method: without it the answer is JSON
            ]
    assert "stream" not in inspect.signature(full.module.Client.create_transcription_stream).parameters


def test_json_or_form_body_uploads_through_the_multipart_method(full: Full, tmp_path: Path) -> None:
    """POST /images/edits takes JSON (image references) or a form with files: the plain
    method sends JSON, ``create_image_edit_multipart`` uploads the images."""
    images = {"created": 1730419200, "data": [{"b64_json": "aGk="}]}
    first = tmp_path / "first.png"
    first.write_bytes(b"\x89PNG first")
    with Loopback() as server:
        server.responder = lambda seen: Reply(body=images)
        uploaded = both(full, server, lambda c: c.create_image_edit_multipart(
            image=[first, ("second.png", b"\x89PNG second")], prompt="add a hat", model="gpt-image-1", n=1))
        referenced = both(full, server, lambda c: c.create_image_edit(
            images=[{"file_id": "file-1"}], prompt="add a hat"))
        assert all(r.to_dict() == images for r in uploaded + referenced)
        assert all((s.method, s.path) == ("POST", "/images/edits") for s in server.requests)
        for seen in server.requests[:2]:
            assert form_parts(seen) == [
                ("image", "first.png", "image/png", b"\x89PNG first"),
                ("image", "second.png", "image/png", b"\x89PNG second"),
                ("prompt", None, None, b"add a hat"),
                ("model", None, None, b"gpt-image-1"),
                ("n", None, None, b"1"),
            ]
        for seen in server.requests[2:]:
            assert seen.headers["content-type"] == "application/json"
            assert json.loads(seen.body) == {"images": [{"file_id": "file-1"}], "prompt": "add a hat"}
    assert not hasattr(full.module.Client, "create_video_remix_multipart")  # its form has no file


def test_prism_accepts_the_requests_and_its_answers_decode(full: Full) -> None:
    """Prism, an independent mock server, serves the whole snapshot: it validates each
    request against the spec as far as its validator goes (query strings and multipart
    forms are checked; an invalid request gets 422, which raises) and answers from
    the spec's examples or schemas. One operation of each kind; every answer decodes
    and gives its JSON back from ``to_dict()``. Prism cannot mock event streams."""
    from tests.test_prism import Prism, require_prism

    binary = require_prism()
    m = full.module
    message = m.ChatCompletionRequestUserMessage(role="user", content="Hi")
    calls: dict[str, Callable[[Any], Any]] = {
        "JSON body": lambda c: c.create_chat_completion(messages=[message], model="gpt-4o", temperature=0.5),
        "query list, boolean, enum": lambda c: c.usage_completions(
            start_time=1730419200, bucket_width="1h", project_ids=["proj_1", "proj 2"], batch=False,
            group_by=["model", "project_id"], limit=2),
        "bracketed query list": lambda c: c.list_run_steps(
            "thread_1", "run_1", order="desc", include=["step_details.tool_calls[*].file_search.results[*].content"]),
        "upload": lambda c: c.create_file(file=("train.jsonl", b'{"messages": []}\n'), purpose="fine-tune"),
        "upload, JSON-or-form body": lambda c: c.create_image_edit_multipart(
            image=[("a.png", b"\x89PNG a"), ("b.png", b"\x89PNG b")], prompt="add a hat", n=1),
        "JSON-or-form body as JSON": lambda c: c.create_image_edit(images=[{"file_id": "file-1"}], prompt="hat"),
        "page": lambda c: c.list_paginated_fine_tuning_jobs(after="ftjob-1", limit=2),
        "path parameter": lambda c: c.resume_fine_tuning_job("ftjob-1"),
        "delete": lambda c: c.delete_file("file-1"),
    }
    prism = Prism(binary, spec=SNAPSHOT)
    try:
        prism.wait(120)  # the snapshot is 2.8 MB of YAML: several seconds
        with m.Client(api_key_auth="sk-test", admin_api_key_auth="sk-admin", base_url=prism.url, max_retries=0) as client:
            for kind, call in calls.items():
                raw = call(client.with_raw_response)
                assert raw.status_code == 200, kind
                result = raw.parse()
                assert hasattr(result, "to_dict") and result.to_dict() == raw.json(), kind
            speech = client.create_speech(model="gpt-4o-mini-tts", input="Hi", voice="alloy")
            assert isinstance(speech, bytes)
            # Prism answers every page with the same example (has_more: true): stop after three jobs
            pages = itertools.islice(client.iter_list_paginated_fine_tuning_jobs(limit=2), 3)
            assert all(isinstance(j, m.FineTuningJob) for j in pages)
    finally:
        output = prism.output()
        prism.stop()
    assert "422" not in output and "Invalid request" not in output, output


# ----- the testing kit on the whole snapshot ------------------------------------------------


def minimal_arguments(op: ir.Operation, package: ir.Package) -> tuple[list[Any], dict[str, Any]]:
    """Arguments the spec allows for every required parameter and body field."""
    models = {m.name: m for m in package.models}

    def value(t: ir.TypeRef) -> Any:
        # not null: the client leaves out a keyword argument that is None, even a
        # required nullable one (send null with extra_body)
        built = kit.minimal(t, models)
        return kit.minimal(ir.unwrap(t), models) if built is None else built

    args: list[Any] = [value(p.type) or "x1" for p in op.path_parameters]
    if op.takes_body and op.body is not None and op.body.required:
        args.append(b"x" if op.body.kind == "raw" else value(op.body.type) if op.body.type else {})
    kwargs: dict[str, Any] = {}
    for a in op.keyword_arguments:
        if a.required:
            file = isinstance(a, ir.BodyField) and a.file
            kwargs[a.arg] = ([b"x"] if a.files == "list" else b"x") if file else value(a.type)  # type: ignore[union-attr]
    return args, kwargs


def test_testing_kit_answers_every_operation_with_a_value_that_decodes_strictly(full: Full) -> None:
    testing = importlib.import_module(PACKAGE + ".testing")
    api = testing.MockAPI()
    client = api.client(strict_responses=True)
    sources: dict[str, dict[str, str]] = {}
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for op in full.package.operations:
            args, kwargs = minimal_arguments(op, full.package)
            result = getattr(client, op.method_name)(*args, **kwargs)  # valid requests pass the contract
            if op.streams:
                assert len(list(result)) == (1 if op.response is not None else 0), op.method_name
            value, source = api.default_answer(op.method_name)
            if source != "none":
                api._operations[op.method_name].check(value)  # strict, again, by the package's decoders
            sources.setdefault(source, {})[op.method_name] = op.media
    broken = [str(w.message) for w in seen if "example answer" in str(w.message)]
    json_ops = {s: sum(1 for m in ops.values() if m == "json") for s, ops in sources.items()}
    example, built = json_ops.get("example", 0), json_ops.get("built", 0)
    events = len(sources.get("built", {})) - built
    print(f"\ntesting kit, whole snapshot: {len(api.calls)} calls; JSON answers: the spec's example {example}, "
          f"built {built} ({len(broken)} examples do not decode strictly, warned once each); event streams "
          f"built {events}; no JSON answer {len(sources.get('none', {}))}")
    assert len(api.calls) == len(full.package.operations) == 255
    assert json_ops["example"] >= 100 and json_ops["example"] + json_ops["built"] == 239


def test_testing_kit_refuses_a_wrong_request_of_each_kind_with_the_right_path(full: Full) -> None:
    testing = importlib.import_module(PACKAGE + ".testing")
    api = testing.MockAPI()
    client = api.client()
    ops = [op for op in full.package.operations if not op.deprecated]
    refused: list[str] = []

    def refuse(op: ir.Operation, expected: str, **wrong: Any) -> None:
        args, kwargs = minimal_arguments(op, full.package)
        with pytest.raises(testing.ContractError, match=re.escape(f"{op.method_name}: {expected}")), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = getattr(client, op.method_name)(*args, **{**kwargs, **wrong})
            if op.streams:
                list(result)
        refused.append(expected.split(":")[0])

    def first(test: Callable[[ir.Operation], Any]) -> tuple[ir.Operation, Any]:
        return next((op, found) for op in ops if (found := test(op)))

    def param(kind: type, required: bool = False) -> Callable[[ir.Operation], Any]:
        return lambda op: next((p for p in op.query_parameters if isinstance(ir.unwrap(p.type), kind)
                                and (p.required or not required)), None)

    op, p = first(lambda op: next((p for p in op.query_parameters if isinstance(ir.unwrap(p.type), ir.Primitive)
                                   and ir.unwrap(p.type).json_type == "integer"), None))  # type: ignore[union-attr]
    refuse(op, f"query parameter {p.name!r}: expected integer, got 'ten'", extra_query={p.name: "ten"})
    op, p = first(param(ir.LiteralType))
    refuse(op, f"query parameter {p.name!r}: 'sideways' is not one of", **{p.arg: "sideways"})
    op, _ = first(lambda op: not op.query_parameters and op.http_method == "GET")
    refuse(op, "query parameter 'colour': not in the spec", extra_query={"colour": "red"})
    op, f = first(lambda op: op.body is not None and op.body.kind == "json" and next(
        (f for f in op.body.fields if f.required and isinstance(ir.unwrap(f.type), ir.Primitive)
         and ir.unwrap(f.type).json_type == "string"), None))  # type: ignore[union-attr]
    refuse(op, f"request body: $.{f.name}: expected string, got 5", **{f.arg: 5})
    op, f = first(lambda op: op.body is not None and op.body.kind == "json" and next(
        (f for f in op.body.fields if isinstance(ir.unwrap(f.type), ir.ModelType)), None))
    refuse(op, f"request body: $.{f.name}: expected object, got 5", **{f.arg: 5})
    op, f = first(lambda op: op.body is not None and op.body.kind == "multipart" and next(
        (f for f in op.body.fields if not f.file and isinstance(ir.unwrap(f.type), ir.LiteralType)), None))
    refuse(op, f"request body: $.{f.name}: 'sideways' is not one of", **{f.arg: "sideways"})
    op, f = first(lambda op: op.body is not None and op.body.kind == "multipart" and next(
        (f for f in op.body.fields if f.file and f.required), None))
    refuse(op, f"request body: $.{f.name}: required, not given", **{f.arg: None})
    op, _ = first(lambda op: op.kit_credentials and op.kit_credentials[0] == (("bearer", ""),))
    refuse(op, "credentials:", extra_headers={"Authorization": ""})
    # the snapshot's path parameters are all strings: a path the spec does not have is refused, named
    op, _ = first(lambda op: op.path_parameters and op.http_method == "GET")
    path = op.path.replace("{", "").replace("}", "") + "/nowhere"
    with pytest.raises(testing.ContractError, match=re.escape(f"no operation is GET {path} in the spec")):
        client._transport.send(testing._testing.Request("GET", client.base_url + path, testing._testing.Headers(
            [("Authorization", "Bearer t")])), timeout=testing._testing.Timeout(5.0))
    assert api.calls == [] and api.delays == []  # refused before recording, never retried
    assert len(refused) == 8
    # (the snapshot has no header parameters, typed path parameters or URL-encoded forms:
    # the operations and form_bodies features refuse those, tests/test_testing_kit.py and
    # tests/test_forms.py)


def test_testing_kit_checks_error_answers_against_the_schema_for_their_status(full: Full) -> None:
    """Every operation whose spec describes a JSON body for an error status: a minimal
    valid body of that schema is accepted, a body it rejects is refused, naming the path."""
    testing = importlib.import_module(PACKAGE + ".testing")
    api = testing.MockAPI()
    models = {m.name: m for m in full.package.models}
    checked = 0
    for op in full.package.operations:
        for e in op.errors:
            if e.type is None or not e.status.isdigit():
                continue
            api.on(op.method_name, status=int(e.status), json=kit.minimal(e.type, models))
            with pytest.raises(testing.ContractError, match=re.escape(
                    f"{op.base_method}: the answer for status {e.status} does not match the {e.status} response's schema: $")):
                api.on(op.method_name, status=int(e.status), json=[])
            checked += 1
    print(f"\ntesting kit, whole snapshot: {checked} error answers checked against their status's schema")
    assert checked == 14
