"""Every kind of operation against a server on 127.0.0.1: the exact request sent and
the decoded result, sync and async (tests/features/operations), and every operation of
the upstream snapshot lowered to the IR."""

from __future__ import annotations

import asyncio
import collections
import io
import json
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.load import load
from generator.lower import lower

from .loopback import Loopback, Reply, Seen, form_parts, sync_and_async, wait_for
from .snapshot import SNAPSHOT
from .test_features import package

KEY = "sk-test"
WIDGET = {"id": "w1", "name": "one", "size": {"width": 2, "height": 3}}

ops = package("operations")


@pytest.fixture
def server() -> Iterator[Loopback]:
    with Loopback() as s:
        yield s


def clients(server: Loopback) -> tuple[Any, Any]:
    options = {"api_key": KEY, "base_url": server.url + "/v1", "timeout": 5.0, "max_retries": 0}
    return ops.Client(**options), ops.AsyncClient(**options)


def both(server: Loopback, call: Any, acall: Any) -> list[Any]:
    """The result of ``call(client)`` and of ``await acall(aclient)``."""
    return sync_and_async(*clients(server), call, acall)


def test_json_body_required_optional_and_model_fields(server: Loopback) -> None:
    server.responder = lambda seen: Reply(body=WIDGET)
    size = ops.Dimensions(width=2, height=3)
    results = both(server, lambda c: c.create_widget(name="one", size=size, tags=["a"]),
                   lambda c: c.create_widget(name="one", size=size, tags=["a"]))
    for r in results:
        assert isinstance(r, ops.Widget) and r.to_dict() == WIDGET
    for seen in server.requests:
        assert (seen.method, seen.path) == ("POST", "/v1/widgets")
        assert seen.headers["content-type"] == "application/json"
        # optional fields not given are left out; the model goes as its to_dict()
        assert json.loads(seen.body) == {"name": "one", "size": {"width": 2, "height": 3}, "tags": ["a"]}
    # an explicit null goes through extra_body
    client, _ = clients(server)
    client.create_widget(name="n", size={"width": 1, "height": 1}, note=None, extra_body={"note": None})
    assert json.loads(server.requests[-1].body) == {"name": "n", "size": {"width": 1, "height": 1}, "note": None}
    with pytest.raises(TypeError):
        client.create_widget(name="n")  # required fields have no default


def test_a_required_field_that_takes_null_sends_null_and_an_optional_one_none_not_at_all(server: Loopback) -> None:
    server.responder = lambda seen: Reply(status=204, body=b"")
    both(server, lambda c: c.label_widget("w1", label=None), lambda c: c.label_widget("w1", label=None))
    both(server, lambda c: c.label_widget("w1", label="new", reason=None),
         lambda c: c.label_widget("w1", label="new", reason="r"))
    assert [json.loads(seen.body) for seen in server.requests] == [
        {"label": None}, {"label": None}, {"label": "new"}, {"label": "new", "reason": "r"}]


def test_query_list_boolean_enum_and_header(server: Loopback) -> None:
    server.responder = lambda seen: Reply(body={"object": "list", "data": [WIDGET], "has_more": False})
    results = both(
        server,
        lambda c: c.list_widgets(openai_organization="org-1", tag=["a", "b c"], include_deleted=True, order="asc"),
        lambda c: c.list_widgets(openai_organization="org-1", tag=["a", "b c"], include_deleted=True, order="asc"),
    )
    assert [r.data[0].id for r in results] == ["w1", "w1"]
    for seen in server.requests:
        assert (seen.method, seen.path) == ("GET", "/v1/widgets?tag=a&tag=b%20c&include_deleted=true&order=asc")
        assert seen.headers["openai-organization"] == "org-1"
        assert seen.body == b""
    client, _ = clients(server)
    client.list_widgets(openai_organization="o", limit=0)  # omitted when not given; 0 is given
    assert server.requests[-1].path == "/v1/widgets?limit=0"


def test_pagination_fetches_pages_as_it_goes(server: Loopback) -> None:
    def page(seen: Seen) -> Reply:
        if "after=w2" in seen.path:
            return Reply(body={"object": "list", "data": [dict(WIDGET, id="w3")], "has_more": False, "last_id": "w3"})
        return Reply(body={"object": "list", "data": [dict(WIDGET, id="w1"), dict(WIDGET, id="w2")],
                           "has_more": True, "last_id": "w2"})

    server.responder = page
    client, aclient = clients(server)
    it = client.iter_list_widgets(openai_organization="o", limit=2)
    assert next(it).id == "w1" and len(server.requests) == 1  # one page fetched so far
    assert [w.id for w in it] == ["w2", "w3"]
    assert [s.path for s in server.requests] == ["/v1/widgets?limit=2", "/v1/widgets?after=w2&limit=2"]

    async def go() -> list[str]:
        return [w.id async for w in aclient.iter_list_widgets(openai_organization="o", limit=2)]

    assert asyncio.run(go()) == ["w1", "w2", "w3"]


def test_multipart_upload(server: Loopback, tmp_path: Path) -> None:
    server.responder = lambda seen: Reply(body=WIDGET)
    photo = tmp_path / "cat.png"
    photo.write_bytes(b"\x89PNG-path")
    dims = ops.Dimensions(width=4, height=5)

    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-open")

    def arguments(opened: Any) -> dict[str, Any]:
        return {"file": photo, "purpose": "photo", "caption": "hi", "rotate": False, "meta": dims,
                "extras": [b"raw-bytes", io.BytesIO(b"file-object"), ("named.jpg", b"pair"), opened,
                           ("notes.txt", io.BytesIO(b"triple"), "text/markdown"), ("logs.tar.gz", b"gz"),
                           ("SHOUT.PNG", b"up"), ("data.unknownext", b"?")]}

    def call(c: Any) -> Any:
        with report.open("rb") as opened:
            return c.upload_photo("w 1", **arguments(opened))

    async def acall(c: Any) -> Any:
        with report.open("rb") as opened:
            return await c.upload_photo("w 1", **arguments(opened))

    results = both(server, call, acall)
    assert all(r.id == "w1" for r in results)
    for seen in server.requests:
        assert (seen.method, seen.path) == ("POST", "/v1/widgets/w%201/photo")
        # a file's type is guessed from its name (path, named file object, pair); bytes
        # and nameless file objects are octet-stream; a triple's type is the caller's
        assert form_parts(seen) == [
            ("file", "cat.png", "image/png", b"\x89PNG-path"),
            ("purpose", None, None, b"photo"),
            ("extras", "upload", "application/octet-stream", b"raw-bytes"),
            ("extras", "upload", "application/octet-stream", b"file-object"),
            ("extras", "named.jpg", "image/jpeg", b"pair"),
            ("extras", "report.pdf", "application/pdf", b"%PDF-open"),
            ("extras", "notes.txt", "text/markdown", b"triple"),
            ("extras", "logs.tar.gz", "application/octet-stream", b"gz"),  # compressed: not a tar
            ("extras", "SHOUT.PNG", "image/png", b"up"),
            ("extras", "data.unknownext", "application/octet-stream", b"?"),
            ("caption", None, None, b"hi"),
            ("rotate", None, None, b"false"),
            ("meta", None, None, b'{"width": 4, "height": 5}'),
        ]
    with pytest.raises(ValueError, match="content type of 'x.txt' must be printable ASCII"):
        ops._encoding.multipart([("f", ("x.txt", b"", "text/plain\r\nX-Injected: 1"), True)])
    body, ctype = ops._encoding.multipart([("a", "x", False), ("b", None, False)], boundary="B")
    assert (body, ctype) == (b'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--B--\r\n',
                             "multipart/form-data; boundary=B")


def test_binary_download(server: Loopback) -> None:
    server.responder = lambda seen: Reply(body=b"\x00\x01png", headers={"Content-Type": "image/png"})
    assert both(server, lambda c: c.download_photo("w1"), lambda c: c.download_photo("w1")) == [b"\x00\x01png"] * 2
    for seen in server.requests:
        assert (seen.method, seen.path, seen.headers["accept"]) == ("GET", "/v1/widgets/w1/photo", "image/png")


EVENTS = [b'data: {"type": "start"}\n\n',
          b'event: update\ndata: {"type": "update",\ndata:  "widget": {"id": "w1", "name": "one"}}\n\n',
          b"data: [DONE]\n\n", b'data: {"type": "never"}\n\n']


def test_event_stream_is_read_as_it_arrives(server: Loopback) -> None:
    gate = threading.Event()
    server.script(Reply(chunks=EVENTS, gate=gate))
    client, aclient = clients(server)
    stream = client.watch_widget("w1", body=ops.Dimensions(width=1, height=2))
    it = iter(stream)
    first = next(it)  # the server holds the rest back until the gate opens
    assert isinstance(first, ops.WidgetEvent) and first.type == "start"
    gate.set()
    rest = list(it)
    assert [e.type for e in rest] == ["update"] and rest[0].widget.id == "w1"
    seen = server.requests[0]
    assert (seen.method, seen.path, seen.headers["accept"]) == ("POST", "/v1/widgets/w1/events", "text/event-stream")
    assert json.loads(seen.body) == {"width": 1, "height": 2}

    async def go() -> list[str]:
        agate = threading.Event()
        server.script(Reply(chunks=EVENTS, gate=agate))
        async with aclient:
            astream = await aclient.watch_widget("w1", body="plain")
            out = []
            async for event in astream:
                out.append(event.type)
                agate.set()
            return out

    assert asyncio.run(go()) == ["start", "update"]
    assert json.loads(server.requests[-1].body) == "plain"


def test_event_stream_through_a_transport_without_stream() -> None:
    class Whole:
        def __init__(self) -> None:
            self.sent: list[Any] = []

        def send(self, request: Any, *, timeout: float | None) -> Any:
            self.sent.append(request)
            return ops.Response(200, ops.Headers({"content-type": "text/event-stream"}), b"".join(EVENTS))

        def close(self) -> None:
            pass

    transport = Whole()
    client = ops.Client(api_key=KEY, base_url="https://x/v1", transport=transport)
    assert [e.type for e in client.watch_widget("w1")] == ["start", "update"]
    assert transport.sent[0].content is None  # an optional body not given is not sent
    raw = client.with_raw_response.watch_widget("w1")
    assert [e.type for e in raw.parse()] == ["start", "update"]


def test_event_stream_through_an_async_transport_without_astream() -> None:
    class AsyncWhole:
        async def asend(self, request: Any, *, timeout: float | None) -> Any:
            return ops.Response(200, ops.Headers({}), b"".join(EVENTS))

        async def aclose(self) -> None:
            pass

    async def go() -> list[str]:
        client = ops.AsyncClient(api_key=KEY, base_url="https://x/v1", transport=AsyncWhole())
        return [e.type async for e in await client.watch_widget("w1")]

    assert asyncio.run(go()) == ["start", "update"]


def test_strict_responses_reach_event_streams_and_streamed_responses() -> None:
    drifted_event = b'data: {"type": 5}\n\n'
    drifted_widget = json.dumps({**WIDGET, "name": 5}).encode()

    class Whole:
        def send(self, request: Any, *, timeout: float | None) -> Any:
            body = drifted_event if request.url.endswith("/events") else drifted_widget
            return ops.Response(200, ops.Headers({}), body)

        def close(self) -> None:
            pass

    class AsyncWhole(Whole):
        async def asend(self, request: Any, *, timeout: float | None) -> Any:
            return self.send(request, timeout=timeout)

        async def aclose(self) -> None:
            pass

    def calls(strict: bool) -> list[Any]:
        client = ops.Client(api_key=KEY, base_url="https://x/v1", transport=Whole(), strict_responses=strict)
        with client.with_streaming_response.create_widget(name="n", size=ops.Dimensions(width=1, height=2)) as r:
            assert r.strict is strict
            widget = r.parse()
        stream = client.watch_widget("w1")
        assert stream.strict is strict
        return [widget.name, *(e.type for e in stream)]

    async def acalls(strict: bool) -> list[Any]:
        client = ops.AsyncClient(api_key=KEY, base_url="https://x/v1", transport=AsyncWhole(),
                                 strict_responses=strict)
        size = ops.Dimensions(width=1, height=2)
        async with client.with_streaming_response.create_widget(name="n", size=size) as r:
            widget = await r.parse()
        return [widget.name, *[e.type async for e in await client.watch_widget("w1")]]

    assert calls(False) == asyncio.run(acalls(False)) == [5, 5]  # lenient: kept as they came
    with pytest.raises(ops.APIResponseValidationError, match=r"\$\.name"):
        calls(True)
    with pytest.raises(ops.APIResponseValidationError, match=r"\$\.name"):
        asyncio.run(acalls(True))
    client = ops.Client(api_key=KEY, base_url="https://x/v1", transport=Whole(), strict_responses=True)
    with pytest.raises(ops.APIResponseValidationError, match=r"Stream event .*\$\.type"):
        list(client.watch_widget("w1"))

    async def astream() -> list[Any]:
        aclient = ops.AsyncClient(api_key=KEY, base_url="https://x/v1", transport=AsyncWhole(), strict_responses=True)
        return [e.type async for e in await aclient.watch_widget("w1")]

    with pytest.raises(ops.APIResponseValidationError, match=r"Stream event .*\$\.type"):
        asyncio.run(astream())


def test_a_with_block_releases_streams_and_streamed_responses_left_unread() -> None:
    closed: list[str] = []

    class Streaming:
        def send(self, request: Any, *, timeout: float | None) -> Any:
            raise AssertionError("streamed calls use stream()")

        def stream(self, request: Any, *, timeout: float | None) -> Any:
            name = request.url.rpartition("/")[2]
            return ops._transport.StreamedResponse(200, ops.Headers({}), iter([b""]), lambda: closed.append(name))

        def close(self) -> None:
            pass

    class AsyncStreaming:
        async def asend(self, request: Any, *, timeout: float | None) -> Any:
            raise AssertionError("streamed calls use astream()")

        async def astream(self, request: Any, *, timeout: float | None) -> Any:
            name = "async " + request.url.rpartition("/")[2]

            async def chunks() -> Any:
                yield b""

            async def aclose() -> None:
                closed.append(name)

            return ops._transport.AsyncStreamedResponse(200, ops.Headers({}), chunks(), aclose)

        async def aclose(self) -> None:
            pass

    client = ops.Client(api_key=KEY, base_url="https://x/v1", transport=Streaming())
    with client.watch_widget("w1"):
        pass
    with client.with_streaming_response.create_widget(name="n", size=ops.Dimensions(width=1, height=2)):
        pass

    async def go() -> None:
        aclient = ops.AsyncClient(api_key=KEY, base_url="https://x/v1", transport=AsyncStreaming())
        async with await aclient.watch_widget("w1"):
            pass
        async with aclient.with_streaming_response.create_widget(name="n", size=ops.Dimensions(width=1, height=2)):
            pass

    asyncio.run(go())
    assert closed == ["events", "widgets", "async events", "async widgets"]


def test_deprecated_operation_warns_and_stream_variant_sets_stream(server: Loopback) -> None:
    server.script(Reply(body=WIDGET), Reply(chunks=EVENTS[:1]))
    client, _ = clients(server)
    with pytest.warns(DeprecationWarning, match="polish_widget is deprecated") as record:
        assert client.polish_widget("w1", level=2, stream=False).id == "w1"
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        events = list(client.polish_widget_stream("w1", level=3))
    assert [e.type for e in events] == ["start"]
    assert json.loads(server.requests[0].body) == {"level": 2, "stream": False}
    assert json.loads(server.requests[1].body) == {"level": 3, "stream": True}


def test_stream_error_status_is_an_api_error(server: Loopback) -> None:
    server.script(Reply(status=404, body={"error": {"message": "no widget"}}))
    client, _ = clients(server)
    with pytest.raises(ops.NotFoundError, match="no widget"):
        client.watch_widget("w1")


ERROR_EVENT = (b'event: error\ndata: {"error": {"message": "overloaded", "type": "server_error", '
               b'"param": null, "code": "busy"}}\n\n')


def check_stream_error(exc: Any) -> None:
    assert type(exc) is ops.APIError  # not a status error: the answer was 200
    assert (str(exc), exc.code, exc.type, exc.param) == ("overloaded", "busy", "server_error", None)
    assert exc.body == {"error": {"message": "overloaded", "type": "server_error", "param": None, "code": "busy"}}


def test_event_stream_error_event_raises_and_drops_the_connection(server: Loopback) -> None:
    # the start event and the error arrive together; the rest waits behind the gate
    gate = threading.Event()
    server.script(Reply(chunks=[EVENTS[0] + ERROR_EVENT, b'data: {"type": "never"}\n\n'], gate=gate))
    client, aclient = clients(server)
    stream = client.watch_widget("w1")
    seen: list[str] = []
    with pytest.raises(ops.APIError) as info:
        for event in stream:
            seen.append(event.type)
    assert seen == ["start"]
    check_stream_error(info.value)
    gate.set()  # the server sends the rest, then sees the client's end of the connection
    assert wait_for(lambda: server.closed_connections == 1)

    async def go() -> tuple[list[str], BaseException]:
        agate = threading.Event()
        server.script(Reply(chunks=[EVENTS[0] + ERROR_EVENT, b'data: {"type": "never"}\n\n'], gate=agate))
        out: list[str] = []
        async with aclient:
            astream = await aclient.watch_widget("w1")
            with pytest.raises(ops.APIError) as ainfo:
                async for event in astream:
                    out.append(event.type)
            agate.set()
            return out, ainfo.value

    events, error = asyncio.run(go())
    assert events == ["start"]
    check_stream_error(error)
    assert wait_for(lambda: server.closed_connections == 2)


def test_event_stream_error_object_without_event_name() -> None:
    body = [EVENTS[0], b'data: {"type": "update", "error": null}\n\n', b'data: {"error": "plain words"}\n\n',
            b'data: {"error": {"code": "x"}}\n\n']

    class Whole:
        upto = 0  # how many of ``body``'s events the answer holds

        def send(self, request: Any, *, timeout: float | None) -> Any:
            return ops.Response(200, ops.Headers({}), b"".join(body[: self.upto]))

        def close(self) -> None:
            pass

    transport = Whole()
    client = ops.Client(api_key=KEY, base_url="https://x/v1", transport=transport)
    transport.upto = 3
    got: list[str] = []
    with pytest.raises(ops.APIError, match="^plain words$") as info:
        got.extend(e.type for e in client.watch_widget("w1"))
    assert got == ["start", "update"]  # a null (or absent) error is no error
    assert info.value.body == {"error": "plain words"} and info.value.code is None
    transport.upto = 4
    with pytest.raises(ops.APIError, match="^plain words$"):  # with_raw_response's whole-body parse too
        client.with_raw_response.watch_widget("w1").parse()
    transport.upto = 2
    assert [e.type for e in client.with_raw_response.watch_widget("w1").parse()] == ["start", "update"]
    body[2] = b""  # an error object without a message gets the SDK's words

    async def go() -> None:
        class AsyncWhole:
            async def asend(self, request: Any, *, timeout: float | None) -> Any:
                return transport.send(request, timeout=timeout)

            async def aclose(self) -> None:
                pass

        aclient = ops.AsyncClient(api_key=KEY, base_url="https://x/v1", transport=AsyncWhole())
        transport.upto = 4
        with pytest.raises(ops.APIError, match="^An error occurred during streaming$") as ainfo:
            async for _ in await aclient.watch_widget("w1"):
                pass
        assert ainfo.value.code == "x"

    asyncio.run(go())


def test_every_snapshot_operation_lowers() -> None:
    """All 242 operations of the upstream snapshot lower (IR only), each kind counted."""
    pkg = lower(load(SNAPSHOT), "openai_client")
    counts: collections.Counter[str] = collections.Counter()
    for op in pkg.operations:
        if op.streams:
            counts["stream"] += 1
            continue
        if op.method_name.endswith("_multipart"):
            counts["multipart variant"] += 1
            continue
        counts["operation"] += 1
        if op.body is not None:
            counts["json body" if op.body.kind == "json" else op.body.kind] += 1
        counts["binary"] += op.media == "binary"
        counts["paginated"] += op.pagination is not None
        counts["deprecated"] += op.deprecated
    print(dict(counts))
    assert len({op.operation_id for op in pkg.operations}) == 242
    # each text/event-stream answer here is an alternative to JSON or audio: `<name>_stream`
    assert all(op.method_name.endswith("_stream") for op in pkg.operations if op.streams)
    assert dict(counts) == {"operation": 242, "json body": 85, "multipart": 9, "binary": 2, "stream": 6,
                            "paginated": 47, "deprecated": 5, "multipart variant": 7}
    # a body that is JSON or a form with files: the JSON method, and `<name>_multipart` to upload
    by_name = {op.method_name: op for op in pkg.operations}
    variants = sorted(name for name in by_name if name.endswith("_multipart"))
    assert variants == ["create_container_file_multipart", "create_image_edit_multipart", "create_skill_multipart",
                        "create_skill_version_multipart", "create_video_edit_multipart",
                        "create_video_extend_multipart", "create_video_multipart"]
    for name in variants:
        upload, plain = by_name[name], by_name[name.removesuffix("_multipart")]
        assert upload.operation_id == plain.operation_id and plain.body is not None and upload.body is not None
        assert (plain.body.kind, upload.body.kind) == ("json", "multipart")
        assert any(f.file for f in upload.body.fields), name
    image = {f.arg: f.annotation for f in by_name["create_image_edit_multipart"].body.fields if f.file}
    assert image == {"image": "FileInput | list[FileInput]", "mask": "FileInput | None"}


def test_a_stream_read_to_its_end_leaves_its_connection_reusable(server: Loopback) -> None:
    """A streamed answer with a Content-Length (an error status, or events sent in one
    piece) goes back to the pool fully read: the next calls reuse that connection.
    (Python 3.11's ``read1`` never closes such a response by itself; found with Prism.)"""
    events = b"".join(EVENTS[:3])  # nothing after [DONE]: the body is read to its end
    server.script(Reply(status=500, body={"error": {"message": "mock failed"}}),
                  Reply(body=events, headers={"Content-Type": "text/event-stream"}),
                  Reply(body=WIDGET))
    client, aclient = clients(server)
    with client:
        with pytest.raises(ops.InternalServerError, match="mock failed"):
            client.watch_widget("w1")
        assert [e.type for e in client.watch_widget("w1")] == ["start", "update"]
        assert client.create_widget(name="one", size=ops.Dimensions(width=2, height=3)).id == "w1"
    assert len(server.requests) == 3 and server.connections == 1

    async def go() -> list[str]:
        server.script(Reply(status=500, body={"error": {"message": "mock failed"}}),
                      Reply(body=events, headers={"Content-Type": "text/event-stream"}), Reply(body=WIDGET))
        async with aclient:
            with pytest.raises(ops.InternalServerError):
                await aclient.watch_widget("w1")
            types = [e.type async for e in await aclient.watch_widget("w1")]
            return types + [(await aclient.create_widget(name="one", size=ops.Dimensions(width=2, height=3))).id]

    assert asyncio.run(go()) == ["start", "update", "w1"]
    assert len(server.requests) == 6


def test_stream_switches() -> None:
    """The body fields a `_stream` method sets: a boolean or `const: true` `stream`, and a
    string enum that offers `sse`; nothing else."""
    from generator import ir
    from generator.lower.operations import stream_switches as _stream_switches

    def field(name: str, t: ir.TypeRef) -> ir.BodyField:
        return ir.BodyField(name=name, arg=name, type=t, required=False, doc=None)

    boolean, string = ir.Primitive("boolean"), ir.Primitive("string")
    fields = (field("stream", ir.NullableType(boolean)), field("stream_format", ir.LiteralType(("sse", "audio"))),
              field("format", ir.LiteralType(("mp3", "wav"))), field("name", string))
    assert _stream_switches(fields) == (("stream", True), ("stream_format", "sse"))
    assert _stream_switches((field("stream", ir.LiteralType((True,))),)) == (("stream", True),)
    assert _stream_switches((field("stream", string), field("mode", ir.LiteralType(("a", "b"))))) == ()


def test_a_body_that_ends_badly_after_done_costs_only_the_connection(server: Loopback) -> None:
    """After [DONE] the rest of the body is read so the connection can be kept; when that
    rest never comes (the server holds it, then drops the connection), the events are
    still all delivered, nothing is raised, and the next call gets a new connection."""
    held = threading.Event()  # never set: the server waits, then drops the connection
    server.script(Reply(chunks=[EVENTS[0] + EVENTS[2], EVENTS[3]], gate=held), Reply(body=WIDGET))
    options = {"api_key": KEY, "base_url": server.url + "/v1", "timeout": 0.5, "max_retries": 0}
    with ops.Client(**options) as client:
        assert [e.type for e in client.watch_widget("w1")] == ["start"]
        assert client.create_widget(name="one", size=ops.Dimensions(width=2, height=3)).id == "w1"
    assert server.connections == 2


def test_event_stream_idle_timeout_bounds_each_wait(server: Loopback) -> None:
    """``Timeout.idle`` bounds the wait between events, sync and async; the server holds
    the second event back (its gate never opens) for longer than that."""
    options = {"api_key": KEY, "base_url": server.url + "/v1", "max_retries": 0,
               "timeout": ops.Timeout(total=30.0, idle=0.3)}
    server.script(Reply(chunks=EVENTS, gate=threading.Event()))
    with ops.Client(**options) as client:
        it = iter(client.watch_widget("w1"))
        assert next(it).type == "start"
        with pytest.raises(ops.APITimeoutError):
            next(it)

    async def go() -> None:
        server.script(Reply(chunks=EVENTS, gate=threading.Event()))
        async with ops.AsyncClient(**options) as aclient:
            it = (await aclient.watch_widget("w1")).__aiter__()
            assert (await it.__anext__()).type == "start"
            with pytest.raises(ops.APITimeoutError):
                await it.__anext__()

    asyncio.run(go())


def test_spec_parameters_named_like_call_options_take_an_underscore(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(json.dumps({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {"operationId": "getX", "parameters": [
            {"name": name, "in": "query", "schema": {"type": "string"}}
            for name in ("timeout", "extra_query", "max_retries", "max_response_bytes", "extra_headers", "limit")
        ], "responses": {"200": {"description": "ok"}}}}},
    }), encoding="utf-8")
    [op] = lower(load(spec), "p").operations
    assert [p.arg for p in op.parameters] == [
        "timeout_", "extra_query_", "max_retries_", "max_response_bytes_", "extra_headers_", "limit"]
    assert [p.name for p in op.parameters][0] == "timeout"  # the wire name stays


def test_pagination_after_the_last_items_id(server: Loopback) -> None:
    """Without ``last_id`` on the page, the next page starts after the page's last item."""
    paged = package("pagination_item_id")
    pages = {None: ([{"id": "t1"}, {"id": "t2", "label": "two"}], True), "t2": ([{"id": "t3"}], True),
             "t3": ([], True)}

    def page(seen: Seen) -> Reply:
        after = seen.path.partition("after=")[2].partition("&")[0] or None
        data, more = pages[after]
        return Reply(body={"data": data, "has_more": more})

    server.responder = page
    # the spec has no security: the client takes no credentials
    options = {"base_url": server.url + "/v1", "timeout": 5.0, "max_retries": 0}
    client, aclient = paged.Client(**options), paged.AsyncClient(**options)
    it = client.iter_list_things(limit=2)
    assert next(it).id == "t1" and len(server.requests) == 1
    assert [t.id for t in it] == ["t2", "t3"]  # an empty page ends it, has_more or not
    assert [s.path for s in server.requests] == ["/v1/things?limit=2", "/v1/things?after=t2&limit=2",
                                                 "/v1/things?after=t3&limit=2"]

    async def go() -> list[str]:
        return [t.id async for t in aclient.iter_list_things(limit=2)]

    assert asyncio.run(go()) == ["t1", "t2", "t3"]
    assert [s.path for s in server.requests[3:]] == [s.path for s in server.requests[:3]]
