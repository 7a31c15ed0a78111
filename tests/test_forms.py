"""application/x-www-form-urlencoded bodies (tests/features/form_bodies): typed keyword
arguments encoded as each field's ``encoding`` says, sent to a server on 127.0.0.1,
sync and async; how form bodies are lowered."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.errors import SpecError
from generator.load import load
from generator.lower import lower

from .loopback import Loopback, Reply, sync_and_async
from .test_features import package

forms = package("form_bodies")

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def server() -> Iterator[Loopback]:
    with Loopback() as s:
        s.responder = lambda seen: Reply(body={"sid": "SM1"})
        yield s


def both(server: Loopback, call: Any) -> list[Any]:
    options = {"base_url": server.url + "/v1", "timeout": 5.0, "max_retries": 0}
    return sync_and_async(forms.Client(**options), forms.AsyncClient(**options), call)


def send_every_field(c: Any) -> Any:
    """One message with a value for every field and encoding of the form."""
    return c.send_message(
        from_="+1 555", to="+2", body_="Hi & bye", media_url=["a", "b"], tags=["x", "y"], events=["s", "d"],
        channels=[1, 2], metadata=forms.Metadata(source="web", labels={"k": "v"}, ids=[1, 2]),
        filter=forms.SendMessageFormFilter(status="open", limit=5), range={"from": 1, "to": 9},
        options={"a": [1]}, urgent=True, priority=0, sort="asc", extra_body={"Extra": 1},
    )


def test_every_field_encoded_as_its_encoding_says(server: Loopback) -> None:
    results = both(server, send_every_field)
    assert [r.sid for r in results] == ["SM1", "SM1"]
    for seen in server.requests:
        assert (seen.method, seen.path) == ("POST", "/v1/messages")
        assert seen.headers["content-type"] == FORM
        assert seen.headers["content-length"] == str(len(seen.body))
        assert seen.body == (
            b"From=%2B1+555&To=%2B2&Body=Hi+%26+bye"
            b"&MediaUrl=a&MediaUrl=b"  # form, exploded: the key repeats
            b"&Tags=x%2Cy"  # explode false: commas
            b"&Events=s+d"  # spaceDelimited
            b"&Channels=1%7C2"  # pipeDelimited
            # deepObject, nested as deep as it goes, list items by index
            b"&Metadata%5Bsource%5D=web&Metadata%5Blabels%5D%5Bk%5D=v&Metadata%5Bids%5D%5B0%5D=1"
            b"&Metadata%5Bids%5D%5B1%5D=2"
            b"&status=open&limit=5"  # an object, form exploded: its own keys
            b"&Range=from%2C1%2Cto%2C9"  # an object, explode false: k=sub,v,...
            b"&Options=%7B%22a%22%3A+%5B1%5D%7D"  # contentType application/json
            b"&Urgent=true&Priority=0&Sort=asc"
            b"&Extra=1"  # extra_body, last
        )


def test_optional_fields_left_at_none_are_not_sent(server: Loopback) -> None:
    both(server, lambda c: c.send_message(from_="a", to="b", metadata={"source": None, "ids": [3]}))
    for seen in server.requests:
        assert urllib.parse.parse_qsl(seen.body.decode()) == [("From", "a"), ("To", "b"), ("Metadata[ids][0]", "3")]
    client = forms.Client(base_url=server.url, max_retries=0)
    with pytest.raises(TypeError):
        client.send_message(to="b")  # From is required: the argument has no default


def test_a_form_without_a_schema_takes_the_bytes(server: Loopback) -> None:
    server.responder = lambda seen: Reply(204, b"")
    both(server, lambda c: c.post_raw_form(b"a=1&b=%20"))
    for seen in server.requests:
        assert (seen.path, seen.headers["content-type"], seen.body) == ("/v1/raw", FORM, b"a=1&b=%20")


def test_the_runtime_encoder_by_style_and_explode() -> None:
    from generator.runtime._encoding import form

    def sent(style: str, explode: bool, value: object) -> str:
        return urllib.parse.unquote_plus(form([("k", value, style, explode)], {}, None)[0].decode())

    for style in ("form", "spaceDelimited", "pipeDelimited"):
        assert sent(style, True, ["a", "b"]) == "k=a&k=b"  # exploded: the key repeats, whatever the style
    assert [sent(s, False, ["a", "b"]) for s in ("form", "spaceDelimited", "pipeDelimited")] == [
        "k=a,b", "k=a b", "k=a|b"]
    assert sent("form", True, {"x": 1, "y": None, "z": [True]}) == "x=1&z=[true]"  # nested values as JSON text
    assert sent("deepObject", True, {"x": {"y": [True, None]}}) == "k[x][y][0]=true"
    assert form([], {"stream": True}, {"n": None})[0] == b"stream=true"


SPEC = """\
openapi: 3.1.0
info: {{title: t, version: "1"}}
paths:
  /a:
    post:
      operationId: postA
      requestBody:
        content:
{content}
      responses: {{"204": {{description: ok}}}}
"""

SCHEMA = "{type: object, properties: {To: {type: string}, Ids: {type: array, items: {type: integer}}}}"


def body(tmp_path: Path, content: str) -> Any:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.format(content=content), encoding="utf-8")
    return lower(load(path), "p").operations[0].body


def test_form_fields_take_their_encoding(tmp_path: Path) -> None:
    b = body(tmp_path, f"          application/x-www-form-urlencoded:\n            schema: {SCHEMA}\n"
                       "            encoding: {Ids: {style: pipeDelimited}}")
    assert b.kind == "form" and b.media == FORM
    assert [(f.name, f.arg, f.style, f.explode) for f in b.fields] == [
        ("To", "to", "form", True), ("Ids", "ids", "pipeDelimited", False)]  # explode: true for form only
    # JSON, when the body may also be JSON; a form without files adds no second method
    both_kinds = body(tmp_path, f"          application/x-www-form-urlencoded:\n            schema: {SCHEMA}\n"
                                f"          application/json:\n            schema: {SCHEMA}")
    assert both_kinds.kind == "json"


def test_a_form_field_style_that_does_not_exist_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        body(tmp_path, f"          application/x-www-form-urlencoded:\n            schema: {SCHEMA}\n"
                       "            encoding: {Ids: {style: matrix}}")
    assert str(info.value).endswith(
        "/paths/~1a/post/requestBody/content/application~1x-www-form-urlencoded/encoding/Ids/style: style 'matrix' "
        "is not one of form, spaceDelimited, pipeDelimited, deepObject (for a form field)")


def test_the_uspto_search_form_takes_typed_arguments() -> None:
    from .test_corpus import ENTRIES

    entry = next(e for e in ENTRIES if e.name == "oai_uspto")
    ops = lower(load(entry.path), "p").operations
    search = next(op for op in ops if op.method_name == "perform_search")
    assert search.body is not None and search.body.kind == "form"
    assert [(f.arg, f.annotation, f.required) for f in search.body.fields] == [
        ("criteria", "str", True), ("start", "int | None", False), ("rows", "int | None", False)]


def test_a_renamed_argument_names_its_wire_name_once() -> None:
    doc = forms.Client.send_message.__doc__
    assert "from_: The sender. (wire name: ``From``)" in doc and "to: ``To``" in doc
    assert doc.count("``From``") == 1


# ----- the testing kit reads a form as a server following the spec would -------------------


def kit_api() -> Any:
    import importlib

    return importlib.import_module("form_bodies_client.testing").MockAPI()


def test_the_kit_decodes_every_field_as_its_encoding_says() -> None:
    api = kit_api()
    assert [r.sid for r in sync_and_async(api.client(), api.async_client(), send_every_field)] == ["", ""]
    for record in api.calls:
        assert record.operation == "send_message" and record.headers["Content-Type"] == FORM
        assert record.body == {
            "From": "+1 555", "To": "+2", "Body": "Hi & bye", "MediaUrl": ["a", "b"], "Tags": ["x", "y"],
            "Events": ["s", "d"], "Channels": [1, 2],  # typed as the schema says
            "Metadata": forms.Metadata(source="web", labels={"k": "v"}, ids=[1, 2]),  # deepObject
            "Filter": forms.SendMessageFormFilter(status="open", limit=5),  # its own keys
            "Range": forms.SendMessageFormRange.from_dict({"from": 1, "to": 9}),  # k=sub,v,...
            "Options": {"a": [1]}, "Urgent": True, "Priority": 0, "Sort": "asc",
            "Extra": "1",  # a field the spec does not list: kept as text
        }
    api.client().send_message(from_="a", to="b")
    assert api.calls[-1].body == {"From": "a", "To": "b"}


@pytest.mark.parametrize("wrong, where", [
    ({"from_": None}, r"\$\.From: required, not given"),
    ({"sort": "sideways"}, r"\$\.Sort: 'sideways' is not one of 'asc', 'desc'"),
    ({"extra_body": {"Priority": "high"}}, r"\$\.Priority: expected integer, got 'high'"),
    ({"extra_body": {"Urgent": "yes"}}, r"\$\.Urgent: expected boolean, got 'yes'"),
    ({"channels": ["1", "x"]}, r"\$\.Channels\[1\]: expected integer, got 'x'"),  # pipe-joined
    ({"metadata": {"ids": [1, "two"]}}, r"\$\.Metadata\.ids\[1\]: expected integer, got 'two'"),  # deepObject
    ({"filter": {"status": "open", "limit": "all"}}, r"\$\.Filter\.limit: expected integer, got 'all'"),  # own keys
    ({"range": {"from": "x"}}, r"\$\.Range\.from: expected integer, got 'x'"),  # k=sub,v
    ({"extra_body": {"Range": "from"}}, r"\$\.Range: expected key,value pairs"),
    ({"options": ["not", "a", "map"]}, r"\$\.Options: expected object"),  # JSON text
])
def test_the_kit_refuses_a_form_the_spec_does_not_allow(wrong: dict[str, Any], where: str) -> None:
    api = kit_api()
    with pytest.raises(AssertionError, match=r"send_message: request body: " + where) as info:
        api.client(max_retries=2).send_message(**{"from_": "a", "to": "b", **wrong})
    assert type(info.value).__name__ == "ContractError" and api.calls == [] and api.delays == []


def test_the_kit_takes_a_form_without_a_schema_as_bytes() -> None:
    api = kit_api()
    api.client().post_raw_form(b"a=1&b")
    assert api.calls[-1].body == b"a=1&b"
