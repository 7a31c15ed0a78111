"""The whole upstream OpenAI snapshot as one package, client included: every operation
has a sync and an async method, the package passes ``mypy --strict``, and a sample of
its operations (a JSON body, a paginated list) works against a loopback server.

Skips, saying why, when the snapshot (outside the repository) or ruff (the ``dev``
extra; black needs minutes for a package this size) is absent.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from generator import ir
from generator.load import load
from generator.lower import lower
from generator.output import write_tree
from generator.pipeline import Options, build
from tests.loopback import Loopback, Reply, job
from tests.snapshot import SNAPSHOT
from tests.test_snapshot import _have_ruff

PACKAGE = "openai_snapshot_full"

pytestmark = pytest.mark.skipif(not SNAPSHOT.is_file(), reason=f"the upstream snapshot is absent ({SNAPSHOT})")


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
    write_tree(out, PACKAGE, build(Options(SNAPSHOT, out, PACKAGE, formatter="ruff")))
    print(f"\nwhole snapshot package generated in {time.perf_counter() - started:.1f} s")
    sys.path.insert(0, str(out))
    try:
        module = importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
    return Full(out, module, lower(load(SNAPSHOT), PACKAGE))


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
        client = full.module.Client(api_key="sk-test", base_url=server.url, max_retries=0)
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
        async with full.module.AsyncClient(api_key="sk-test", base_url=url, max_retries=0) as client:
            return [j.id async for j in client.iter_list_paginated_fine_tuning_jobs(limit=2)]

    with Loopback() as server:
        server.script(Reply(body=first), Reply(body=second))
        client = full.module.Client(api_key="sk-test", base_url=server.url, max_retries=0)
        try:
            ids = [j.id for j in client.iter_list_paginated_fine_tuning_jobs(limit=2)]
        finally:
            client.close()
        assert ids == ["ftjob-1", "ftjob-2", "ftjob-3"]
        assert [r.path for r in server.requests] == ["/fine_tuning/jobs?limit=2", "/fine_tuning/jobs?after=ftjob-2&limit=2"]
        server.script(Reply(body=first), Reply(body=second))
        assert asyncio.run(run(server.url)) == ["ftjob-1", "ftjob-2", "ftjob-3"]
