"""The testing kit every package carries (``<package>.testing``): a fake API that answers
from the spec, checks requests against it, records them, and plugs in as the clients'
transport. Tested on the fragment's package (``generated/``), on the operations feature's
golden package (one operation of each kind) and, directly, on the runtime module
``generator/runtime/_testing.py``. No network, no sleeping, no timing.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import warnings
from pathlib import Path
from typing import Any, Iterator

import pytest

from generator import ir
from generator.cli import read_config
from generator.errors import UsageError
from generator.load import load
from generator.lower import kit, lower
from generator.runtime import _testing
from generator.runtime._transport import Headers, Request, Timeout

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = ROOT / "tests" / "features" / "operations"
if str(OPERATIONS / "golden") not in sys.path:
    sys.path.insert(0, str(OPERATIONS / "golden"))

import operations_client as oc  # noqa: E402
from operations_client import testing  # noqa: E402
from operations_client.testing import Call, ContractError, MockAPI, UploadedFile  # noqa: E402

import fine_tuning_client as ftc  # noqa: E402
from fine_tuning_client import _retries  # noqa: E402
from fine_tuning_client import testing as ftc_testing  # noqa: E402
from fine_tuning_client.testing import MockAPI as FragmentAPI  # noqa: E402

# the operations spec's list_widgets example is broken on purpose (one test checks the warning)
pytestmark = pytest.mark.filterwarnings("ignore:list_widgets. the spec's example")


@pytest.fixture(autouse=True)
def never_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kit's clients never sleep: any real wait fails the test."""

    def refuse(delay: float) -> None:
        raise AssertionError(f"slept {delay}")

    monkeypatch.setattr(_retries, "sleep", refuse)
    monkeypatch.setattr(oc._retries, "sleep", refuse)
    monkeypatch.setattr(oc._retries, "async_sleep", refuse)


@pytest.fixture
def api() -> MockAPI:
    return MockAPI()


@pytest.fixture
def client(api: MockAPI) -> Iterator[oc.Client]:
    with api.client() as c:
        yield c


SIZE = oc.Dimensions(width=1, height=2)


# ----- the fragment's package ---------------------------------------------------------


def test_fragment_answers_the_resume_call_with_a_built_job() -> None:
    api = FragmentAPI()
    job = api.client().resume_fine_tuning_job("ftjob-1")
    assert isinstance(job, ftc.FineTuningJob) and job.object == "fine_tuning.job"
    assert job.status == "validating_files" and job.error is None  # first enum value; null where allowed
    assert api.default_answer("resume_fine_tuning_job")[1] == "built"
    call = api.calls[-1]
    assert (call.operation, call.method, call.path) == (
        "resume_fine_tuning_job", "POST", "/fine_tuning/jobs/ftjob-1/resume")
    assert call.path_params == {"fine_tuning_job_id": "ftjob-1"} and call.body is None
    assert call.headers["Authorization"] == "***"


def test_fragment_registered_answer_is_checked_and_returned() -> None:
    api = FragmentAPI()
    body = dict(api.default_answer("resume_fine_tuning_job")[0], id="ftjob-1", status="running")
    api.on("resume_fine_tuning_job", json=body)
    assert api.client().resume_fine_tuning_job("ftjob-1").status == "running"
    with pytest.raises(ftc_testing.ContractError, match=r"\$\.status: 'paused' is not one of"):
        api.on("resume_fine_tuning_job", json=dict(body, status="paused"))


# ----- default answers ----------------------------------------------------------------


def test_default_answer_is_the_spec_example(api: MockAPI, client: oc.Client) -> None:
    widget = client.create_widget(name="n", size=SIZE)
    assert (widget.id, widget.name, widget.size) == ("w_1", "Sprocket", oc.Dimensions(width=3, height=4))
    assert api.default_answer("create_widget")[1] == "example"


def test_an_example_that_does_not_decode_warns_once_and_a_built_value_answers(client: oc.Client) -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for _ in range(2):
            page = client.list_widgets(openai_organization="org")
            assert (page.object, page.data, page.has_more) == ("list", [], False)
    [warning] = seen
    assert "list_widgets" in str(warning.message) and "$.data: expected array" in str(warning.message)


def test_built_values_are_minimal_and_deterministic() -> None:
    widget = ir.ModelType("Widget", "Widget")
    node = ir.ModelType("Node", "Node")
    models = {
        "Widget": ir.Model("Widget", "Widget", None, (
            ir.Field("id", "id", ir.Primitive("string"), True, False, None),
            ir.Field("kind", "kind", ir.LiteralType(("a", "b")), True, False, None),
            ir.Field("note", "note", ir.Primitive("string"), True, True, None),
            ir.Field("size", "size", ir.Primitive("integer"), False, False, None),
        ), "x"),
        "Node": ir.Model("Node", "Node", None, (
            ir.Field("next", "next", node, True, True, None),
            ir.Field("kids", "kids", ir.ListType(node, "list_Node"), True, False, None),
        ), "x"),
    }
    assert kit.minimal(widget, models) == {"id": "", "kind": "a", "note": None}
    assert kit.minimal(node, models) == {"next": None, "kids": []}
    union = ir.UnionType((widget, node), (ir.Branch("object", discriminator=ir.Discriminator(
        "kind", (("w", widget), ("n", node)))),), "u")
    assert kit.minimal(union, models)["kind"] == "w"


def test_examples_come_from_configured_extensions_only() -> None:
    spec = load(OPERATIONS / "spec.yaml")
    plain = {op.method_name: op for op in lower(spec, "p").operations}
    configured = {op.method_name: op for op in lower(spec, "p", example_extensions=("x-oaiMeta",)).operations}
    assert plain["upload_photo"].example is None
    assert configured["upload_photo"].example == '{"id": "w_up", "name": "uploaded"}'
    assert configured["create_widget"].example == plain["create_widget"].example  # the media type's own first


def test_example_extensions_config_key(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.oas-dataclasses]\nexample_extensions = ["x-oaiMeta"]\n')
    assert read_config(tmp_path)["example_extensions"] == ["x-oaiMeta"]
    (tmp_path / "pyproject.toml").write_text('[tool.oas-dataclasses]\nexample_extensions = ["oaiMeta"]\n')
    with pytest.raises(UsageError, match="example_extensions"):
        read_config(tmp_path)


# ----- registered answers ---------------------------------------------------------------


def test_times_queues_answers_before_the_standing_one(api: MockAPI, client: oc.Client) -> None:
    api.on("create_widget", json={"id": "standing", "name": "s"})
    api.on("create_widget", json={"id": "once", "name": "o"}, times=2)
    ids = [client.create_widget(name="n", size=SIZE).id for _ in range(3)]
    assert ids == ["once", "once", "standing"]
    api.on("create_widget", json={"id": "queued", "name": "q"}, times=1)
    api.reset()
    assert api.calls == [] and client.create_widget(name="n", size=SIZE).id == "w_1"


def test_registered_json_that_the_schema_rejects_names_the_path(api: MockAPI, client: oc.Client) -> None:
    with pytest.raises(ContractError, match=r"create_widget: .*\$\.size\.width: expected integer"):
        api.on("create_widget", json={"id": "w", "name": "n", "size": {"width": "3", "height": 4}})
    api.on("create_widget", json={"id": 5, "name": "n"}, strict=False)  # drift, on purpose
    assert client.create_widget(name="n", size=SIZE).id == 5  # the client decodes leniently
    api.on("create_widget", status=500, json={"anything": "goes"})  # no body described: not checked


def test_registered_error_answers_are_checked_against_the_schema_for_their_status(
        api: MockAPI, client: oc.Client) -> None:
    """The exact code's schema, else the range's (4XX), else default's; a status the
    spec describes no body for is not checked, nor one it does not describe at all."""
    api.on("create_widget", status=404, json={"error": {"message": "gone", "code": None}})  # 404: Error
    with pytest.raises(ContractError, match=r"create_widget: the answer for status 404 does not match "
                                            r"the 404 response's schema: \$\.error: missing required key 'message'"):
        api.on("create_widget", status=404, json={"error": {}})
    api.on("create_widget", status=409, json={"message": "taken"})  # 4XX: {message}
    with pytest.raises(ContractError, match=r"status 409 .*the 4XX response's schema: \$\.message: expected string"):
        api.on("create_widget", status=409, json={"message": 1})
    api.on("create_widget", status=429, json={"whatever": 1})  # described, without a body
    api.on("create_widget", status=500, json={"anything": "goes"})  # not described: no default here
    with pytest.raises(ContractError, match=r"polish_widget: .*status 503 .*the default response's schema: \$: missing required key 'error'"):
        api.on("polish_widget_stream", status=503, json={"message": "down"})  # a variant: its base's errors
    api.on("polish_widget", status=503, json={"message": "down"}, strict=False)  # drift, on purpose
    api.on("create_widget", status=400, json={"message": "bad"}, times=1)
    with pytest.raises(oc.BadRequestError, match="400"):
        client.create_widget(name="n", size=SIZE)


def test_unknown_operation_names_close_matches(api: MockAPI) -> None:
    with pytest.raises(KeyError, match="did you mean create_widget"):
        api.on("create_widgets", json={})


def test_status_errors_go_through_the_client(api: MockAPI, client: oc.Client) -> None:
    api.on("create_widget", status=404, json={"error": {"message": "no such widget"}})
    with pytest.raises(oc.NotFoundError, match="no such widget"):
        client.create_widget(name="n", size=SIZE)


# ----- retries and faults: the client's own code, no sleeping -----------------------------


def test_retry_after_is_retried_and_the_wait_recorded(api: MockAPI, client: oc.Client) -> None:
    api.on("create_widget", status=429, headers={"Retry-After": "3"}, times=1)
    assert client.create_widget(name="n", size=SIZE).id == "w_1"
    assert len(api.calls) == 2 and api.delays == [3.0]


@pytest.mark.parametrize("error, raised", [("timeout", oc.APITimeoutError), ("connection", oc.APIConnectionError)])
def test_faults_are_retried_then_raised(api: MockAPI, error: Any, raised: type[Exception]) -> None:
    api.fail("download_photo", error=error)
    with pytest.raises(raised):
        api.client(max_retries=2).download_photo("w")
    assert len(api.calls) == 3 and len(api.delays) == 2


def test_options_pass_through_to_the_client(api: MockAPI) -> None:
    api.on("create_widget", status=503, times=1)
    with pytest.raises(oc.InternalServerError):
        api.client(max_retries=0).create_widget(name="n", size=SIZE)
    with pytest.raises(TypeError):
        api.client(transport=oc.HTTPTransport())


# ----- requests are checked against the contract ------------------------------------------


def refused(api: MockAPI, call: Any, match: str) -> ContractError:
    """The call raises ContractError itself (not wrapped), once, and is never retried."""
    before = len(api.delays)
    with pytest.raises(ContractError, match=match) as info:
        call()
    assert type(info.value) is ContractError and len(api.delays) == before
    return info.value


def test_query_parameters_are_known_and_typed(api: MockAPI, client: oc.Client) -> None:
    refused(api, lambda: client.list_widgets(openai_organization="o", extra_query={"limit": "ten"}),
            r"list_widgets: query parameter 'limit': expected integer, got 'ten'")
    refused(api, lambda: client.list_widgets(openai_organization="o", order="sideways"),  # type: ignore[arg-type]
            r"query parameter 'order': 'sideways' is not one of 'asc', 'desc'")
    refused(api, lambda: client.list_widgets(openai_organization="o", extra_query={"colour": "red"}),
            r"query parameter 'colour': not in the spec")
    client.list_widgets(openai_organization="o", tag=["a", "b"], include_deleted=True, limit=5)
    assert api.calls[-1].query == {"tag": ["a", "b"], "include_deleted": True, "limit": 5}


def test_required_headers_are_present(api: MockAPI, client: oc.Client) -> None:
    refused(api, lambda: client.list_widgets(openai_organization=None),  # type: ignore[arg-type]
            r"header 'OpenAI-Organization': required, not given")


def test_credentials_where_the_security_asks(api: MockAPI, client: oc.Client) -> None:
    refused(api, lambda: client.create_widget(name="n", size=SIZE, extra_headers={"Authorization": ""}),
            r"create_widget: credentials: the operation's security asks for Authorization: Bearer \.\.\., not given")
    assert client.download_photo("w", extra_headers={"Authorization": ""}) == b""  # security: [{}]


def test_json_body_is_strictly_decoded(api: MockAPI, client: oc.Client) -> None:
    refused(api, lambda: client.create_widget(name="n", size=SIZE, extra_body={"colour": "mauve"}),
            r"create_widget: request body: \$\.colour: 'mauve' is not one of 'red', 'green', 'blue'")
    refused(api, lambda: client.create_widget(name="n", size={"width": 1}),  # type: ignore[arg-type]
            r"request body: \$\.size: missing required key 'height'")
    client.create_widget(name="n", size=SIZE, tags=["x"])
    body = api.calls[-1].body
    assert isinstance(body, oc.CreateWidgetRequest) and body.size == SIZE and body.tags == ["x"]
    assert api.calls[-1].headers["Authorization"] == "***"  # credentials masked
    assert api.calls[-1].headers["Content-Type"] == "application/json"


def test_a_body_where_none_is_allowed_or_none_where_one_is_required(api: MockAPI, client: oc.Client) -> None:
    refused(api, lambda: client.download_photo("w", extra_body={"a": 1}), r"download_photo: request body: the operation takes none")
    refused(api, lambda: client._request(  # sent by hand: the method always sends a body
        oc._base_client.RequestOptions("POST", "/widgets/w/polish", extra_headers={"Authorization": "Bearer t"}),
        lambda r: None),
        r"polish_widget: request body: required, not given")


def test_path_parameters_are_typed() -> None:
    op = _testing.Operation("get_version", "get_version", "GET", "/w/{id}/v/{n}", params=(
        _testing.Param("id", "id", "path", _testing.STRING, True),
        _testing.Param("n", "n", "path", _testing.INTEGER, True),
    ))
    api = _testing.MockAPI([op])
    transport = _testing.MockTransport(api)

    def send(path: str) -> None:
        transport.send(Request("GET", _testing.BASE_URL + path, Headers()), timeout=Timeout())

    send("/w/a%2Fb/v/3")
    assert api.calls[-1].path_params == {"id": "a/b", "n": 3}
    send("/w/a/v/3/")
    with pytest.raises(_testing.ContractError, match=r"get_version: path parameter 'n': expected integer, got 'three'"):
        send("/w/a/v/three")
    with pytest.raises(_testing.ContractError, match=r"no operation is GET /w/a in the spec"):
        send("/w/a")


def test_query_lists_exploded_or_joined_and_deep_objects() -> None:
    op = _testing.Operation("find", "find", "GET", "/find", params=(
        _testing.Param("ids", "ids", "query", _testing.array(_testing.INTEGER), False, explode=False),
        _testing.Param("tag", "tags", "query", _testing.array(_testing.STRING), True),
        _testing.Param("filter", "filter", "query", _testing.OBJECT, False, deep=True),
    ))
    api = _testing.MockAPI([op])
    transport = _testing.MockTransport(api)

    def send(query: str) -> None:
        transport.send(Request("GET", _testing.BASE_URL + "/find?" + query, Headers()), timeout=Timeout())

    send("ids=1,2&tag=a&tag=b&filter[kind]=x")
    assert api.calls[-1].query == {"ids": [1, 2], "tags": ["a", "b"], "filter": {"kind": "x"}}
    with pytest.raises(_testing.ContractError, match=r"query parameter 'ids': expected integer, got 'x'"):
        send("ids=1,x&tag=a")
    with pytest.raises(_testing.ContractError, match=r"query parameter 'tag': required, not given"):
        send("ids=1")


def test_uploads_are_recorded_and_form_fields_checked(api: MockAPI, client: oc.Client) -> None:
    client.upload_photo("w", file=("a.png", b"12345"), purpose="photo", extras=[b"x", ("b.txt", b"yy")],
                        rotate=True, meta=oc.Dimensions(width=1, height=1))
    body = api.calls[-1].body
    assert body["file"] == UploadedFile("a.png", "image/png", 5, b"12345")
    assert [(f.filename, f.size) for f in body["extras"]] == [("upload", 1), ("b.txt", 2)]
    assert body["purpose"] == "photo" and body["rotate"] is True and body["meta"] == oc.Dimensions(width=1, height=1)
    refused(api, lambda: client.upload_photo("w", file=b"1", purpose="banner"),  # type: ignore[arg-type]
            r"upload_photo: request body: \$\.purpose: 'banner' is not one of")
    refused(api, lambda: client.upload_photo("w", file=b"1", purpose="photo", extra_body={"rotate": "yes"}),
            r"\$\.rotate: expected boolean")


def test_contract_errors_reach_async_callers_unwrapped(api: MockAPI) -> None:
    async def main() -> None:
        async with api.async_client() as ac:
            with pytest.raises(ContractError, match="request body"):
                await ac.create_widget(name="n", size=SIZE, extra_body={"colour": 1})
            assert (await ac.create_widget(name="n", size=SIZE)).id == "w_1"

    asyncio.run(main())
    assert len(api.calls) == 1


# ----- streams, downloads, variants ---------------------------------------------------------


def test_events_answer_event_streams(api: MockAPI, client: oc.Client) -> None:
    assert [e.type for e in client.watch_widget("w", body="x")] == [""]  # one built event by default
    api.on("watch_widget", events=[{"type": "start"}, oc.WidgetEvent(type="end")])
    assert [e.type for e in client.watch_widget("w", body="x")] == ["start", "end"]
    with pytest.raises(ContractError, match=r"event 0 .*\$\.type: expected string"):
        api.on("watch_widget", events=[{"type": 1}])


def test_a_registered_stream_of_many_events_answers_sync_and_async_clients(api: MockAPI) -> None:
    """Every event registered is sent, in order, to both clients; each is checked against
    the stream's event schema (the first bad one named), unless strict=False."""
    events = [{"type": "start"}, oc.WidgetEvent(type="progress", widget=oc.Widget(id="w", name="n")), {"type": "end"}]
    api.on("polish_widget_stream", events=events)
    with pytest.warns(DeprecationWarning):
        seen = [(e.type, e.widget) for e in api.client().polish_widget_stream("w", level=1)]

    async def main() -> list[Any]:
        async with api.async_client() as ac:
            with pytest.warns(DeprecationWarning):
                return [(e.type, e.widget) async for e in await ac.polish_widget_stream("w", level=1)]

    expected = [("start", None), ("progress", oc.Widget(id="w", name="n")), ("end", None)]
    assert seen == asyncio.run(main()) == expected
    with pytest.raises(ContractError, match=r"polish_widget: event 2 .*\$\.widget: missing required key 'name'"):
        api.on("polish_widget_stream", events=[{"type": "a"}, {"type": "b"}, {"type": "c", "widget": {"id": "w"}}])
    api.on("watch_widget", events=[{"type": "a"}, {"kind": "drift"}], strict=False)
    assert [e.type for e in api.client().watch_widget("w", body="x")][0] == "a"  # sent as registered


def test_variants_are_recorded_under_the_base_name(api: MockAPI, client: oc.Client) -> None:
    with pytest.warns(DeprecationWarning):  # the stream variant answers with events by default
        assert [e.type for e in client.polish_widget_stream("w", level=1)] == [""]
        assert client.polish_widget("w", level=1).id == ""
    api.on("polish_widget_stream", events=[{"type": "polished"}])  # a variant's name means its base
    with pytest.warns(DeprecationWarning):
        assert [e.type for e in client.polish_widget_stream("w", level=1)] == ["polished"]
    call = api.calls[-1]
    assert call.operation == "polish_widget" and isinstance(call.body, oc.PolishWidgetRequest)
    assert call.body.stream is True


def test_binary_downloads_answer_with_bytes(api: MockAPI, client: oc.Client) -> None:
    api.on("download_photo", content=b"\x89PNG")
    assert client.download_photo("w") == b"\x89PNG"


# ----- threads ----------------------------------------------------------------------------


def test_many_threads_share_one_api(api: MockAPI) -> None:
    api.on("create_widget", json={"id": "queued", "name": "q"}, times=50)
    client = api.client()
    seen: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(20):
            wid = client.create_widget(name="n", size=SIZE).id
            with lock:
                seen.append(wid)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(api.calls) == 160 and seen.count("queued") == 50 and seen.count("w_1") == 110
    assert all(isinstance(c, Call) for c in api.calls)


def test_the_module_is_standard_library_and_not_imported_by_the_package() -> None:
    assert "operations_client.testing" not in sys.modules or testing is sys.modules["operations_client.testing"]
    init = (OPERATIONS / "golden" / "operations_client" / "__init__.py").read_text()
    assert "testing" not in init


def test_the_readme_fixture_runs() -> None:
    """The generated README's "Testing your code" snippet, run as written."""
    readme = (ROOT / "generated" / "fine_tuning_client" / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Testing your code", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict[str, Any] = {"__name__": "readme"}
    exec(compile(snippet, "README.md", "exec"), scope)
    scope["test_my_code"](FragmentAPI())


def test_the_default_answer_has_the_status_of_the_specs_first_success_response() -> None:
    api = MockAPI()
    client = api.client()
    raw = client.with_raw_response.label_widget("w1", label=None)
    assert raw.status_code == 204 and raw.content == b""
    assert client.with_raw_response.create_widget(name="n", size={"width": 1, "height": 1}).status_code == 200
    assert api.calls[0].body.to_dict() == {"label": None}  # the decoded request model
    assert kit.success_status({"responses": {"201": {}, "202": {}, "400": {}}}) == 201
    assert kit.success_status({"responses": {"2XX": {}}}) == 200 and kit.success_status({}) == 200


def test_the_kit_checks_each_kind_of_credential_the_spec_asks_for() -> None:
    """Basic, bearer, an API key in a header, a cookie and the query: a client of the kit
    is given a test value for each credential argument, and every call carries what its
    operation's security asks for; a request that leaves one out is refused, naming it."""
    import importlib

    from tests.test_features import package

    sec = package("security")
    sec.testing = importlib.import_module("security_client.testing")
    api = sec.testing.MockAPI()
    client = api.client()
    client.get_me()
    client.get_report()
    client.search(q="x")
    client.get_partner()
    assert "key" not in api.calls[2].query  # an API key in the query is no parameter
    assert api.calls[1].headers["X-Acme-Token"] == "***"  # credentials masked in the record
    transport = client._transport
    bare = Request("GET", "https://api.example.com/partner", Headers([]), None)
    with pytest.raises(sec.testing.ContractError, match=r"get_partner: credentials: .*Authorization: Bearer"):
        transport.send(bare, timeout=Timeout(5.0))
    only_token = Request("GET", "https://api.example.com/reports", Headers([("X-Acme-Token", "t")]), None)
    with pytest.raises(sec.testing.ContractError, match=r"the header 'X-Acme-Token' and the cookie 'session'"):
        transport.send(only_token, timeout=Timeout(5.0))
