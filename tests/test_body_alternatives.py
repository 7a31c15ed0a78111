"""A body offered as JSON or as a multipart form with files (tests/features/body_alternatives):
the method sends JSON, ``<name>_multipart`` uploads the files, sync and async, against a
server on 127.0.0.1."""

from __future__ import annotations

import io
import json
import typing
from pathlib import Path
from typing import Any

from .loopback import Loopback, Reply, form_parts, sync_and_async
from .test_features import package

alt = package("body_alternatives")


def run_both(server: Loopback, call: Any) -> list[Any]:
    options = {"base_url": server.url, "timeout": 5.0, "max_retries": 0}
    return sync_and_async(alt.Client(**options), alt.AsyncClient(**options), call)


def test_json_method_sends_json() -> None:
    with Loopback() as server:
        server.responder = lambda seen: Reply(body={"id": "e1"})
        results = run_both(server, lambda c: c.create_edit(images=[alt.CreateEditRequestImagesItem(file_id="f1")],
                                                           prompt="brighter"))
        assert [r.id for r in results] == ["e1", "e1"]
        for seen in server.requests:
            assert seen.headers["content-type"] == "application/json"
            assert json.loads(seen.body) == {"images": [{"file_id": "f1"}], "prompt": "brighter"}


def test_multipart_variant_uploads_one_file_or_several(tmp_path: Path) -> None:
    photo = tmp_path / "photo"
    photo.write_bytes(b"from-a-path")
    with Loopback() as server:
        server.responder = lambda seen: Reply(body={"id": "e2"})
        one = run_both(server, lambda c: c.create_edit_multipart(image=b"one-image", prompt="p", n=2))
        several = run_both(server, lambda c: c.create_edit_multipart(
            image=[photo, io.BytesIO(b"from-a-file-object"), ("named", b"from-a-pair")], mask=b"m", prompt="q"))
        assert [r.id for r in one + several] == ["e2"] * 4
        first, _, third, _ = server.requests
        assert all((s.method, s.path) == ("POST", "/edits") for s in server.requests)
        assert [(n, f, d) for n, f, _, d in form_parts(first)] == [
            ("image", "upload", b"one-image"), ("prompt", None, b"p"), ("n", None, b"2")]
        assert [(n, f, d) for n, f, _, d in form_parts(third)] == [
            ("image", "photo", b"from-a-path"), ("image", "upload", b"from-a-file-object"),
            ("image", "named", b"from-a-pair"), ("mask", "upload", b"m"), ("prompt", None, b"q")]
        assert form_parts(server.requests[1]) == form_parts(first)  # async sends the same form


def test_a_form_without_files_adds_no_method() -> None:
    assert hasattr(alt.Client, "create_remix") and not hasattr(alt.Client, "create_remix_multipart")
    hints = typing.get_type_hints(alt.Client.create_edit_multipart, vars(alt.client) | vars(alt._encoding))
    assert "extra_body" in hints  # every method takes it: here it adds form fields
    assert str(hints["image"]).count("list[") == 1
