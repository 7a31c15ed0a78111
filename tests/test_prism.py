"""The generated client against Prism, an independent mock server for schema/.

Prism (``@stoplight/prism-cli``) validates each request against the spec and answers
from its examples (static mode, here with ``--errors``: a response that breaks the
spec becomes an error) or with random schema-valid data (``-d``). Every answer must
decode. ``.ci/run`` installs Prism and sets ``PRISM_BIN``; without Prism these tests
fail under CI (``CI`` set) and skip elsewhere.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import fine_tuning_client as ftc

from .differential import fragment_judge
from .loopback import free_port

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "schema" / "fine_tuning.yaml"
PRISM_VERSION = "5.14.2"  # keep in step with .ci/run
KEY = "sk-prism-SECRET"


def prism_bin() -> str | None:
    found = os.environ.get("PRISM_BIN")
    if found:
        return found if os.access(found, os.X_OK) else None
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    cached = cache / "oas-dataclasses" / f"prism-{PRISM_VERSION}" / "node_modules" / ".bin" / "prism"
    if os.access(cached, os.X_OK):
        return str(cached)
    return shutil.which("prism")


class Prism:
    def __init__(self, binary: str, *options: str, spec: Path = SPEC) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        env.update(NO_UPDATE_NOTIFIER="1", npm_config_update_notifier="false", NODE_NO_WARNINGS="1")
        # A local file, no remote $refs: Prism has nothing to fetch.
        self.log = tempfile.TemporaryFile()  # a file, not a pipe: Prism logs every request
        self.process = subprocess.Popen(
            [binary, "mock", "-h", "127.0.0.1", "-p", str(self.port), *options, str(spec)],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
        )

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def wait(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"prism exited with {self.process.returncode}:\n{self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.fail(f"prism did not listen on port {self.port} within {seconds} s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()


def require_prism() -> str:
    """Prism's binary; without it, fail under CI (``CI`` set) and skip elsewhere."""
    binary = prism_bin()
    if binary is None:
        message = "prism not installed: run .ci/run or set PRISM_BIN"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


@pytest.fixture(scope="module")
def prisms() -> Iterator[dict[str, Prism]]:
    binary = require_prism()
    # both at once: each takes a few seconds to start
    servers: dict[str, Prism] = {}
    try:
        servers["static"] = Prism(binary, "--errors")
        servers["dynamic"] = Prism(binary, "-d")
        for server in servers.values():
            server.wait()
        yield servers
    finally:
        for server in servers.values():
            server.stop()


@functools.lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    uri = "urn:fine-tuning-fragment"
    fragment = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    registry = Registry().with_resource(uri, Resource(contents=fragment, specification=DRAFT202012))
    return Draft202012Validator({"$ref": f"{uri}#/components/schemas/FineTuningJob"}, registry=registry)


JOB_IDS = ["ft-AF1WoRqd3aJAHsqc9NY7iL8F", "a/b c?d", "ftjob-é"]


def test_static_examples_decode_strictly(prisms: dict[str, Prism]) -> None:
    with ftc.Client(KEY, base_url=prisms["static"].url, strict_responses=True, max_retries=0) as client:
        for job_id in JOB_IDS:
            raw = client.with_raw_response.resume_fine_tuning_job(job_id)
            job = raw.parse()
            assert isinstance(job, ftc.FineTuningJob)
            assert job.object == "fine_tuning.job"
            assert job.to_dict() == raw.json()


def test_dynamic_answers_decode_and_lose_nothing(prisms: dict[str, Prism]) -> None:
    bodies: list[Any] = []
    with ftc.Client(KEY, base_url=prisms["dynamic"].url, max_retries=0) as client:
        for i in range(40):
            raw = client.with_raw_response.resume_fine_tuning_job(f"ftjob-{i}")
            job = raw.parse()  # lenient: whatever Prism made up, it decodes
            assert isinstance(job, ftc.FineTuningJob)
            assert job.to_dict() == raw.json()
            bodies.append(raw.json())
    assert len({repr(b) for b in bodies}) > 1, "prism -d should vary its answers"


# json-schema-faker often breaks bounds (about 9 answers in 10 fail jsonschema on a `oneOf`
# of "auto" and a bounded number): ask until this many schema-valid answers were judged
VALID_AT_LEAST = 10
MAX_ASKED = 500
MAX_SECONDS = 120.0


def test_strict_judges_prism_answers_as_jsonschema_does(prisms: dict[str, Prism]) -> None:
    """Strict decoding accepts an answer iff jsonschema does on the fragment as strict reads
    it (bounds and formats not checked); at least ``VALID_AT_LEAST`` of the answers must be
    valid against the fragment itself, bounds included, or the cross-check saw too little."""
    judge = fragment_judge()
    valid = asked = 0
    deadline = time.monotonic() + MAX_SECONDS
    with ftc.Client(KEY, base_url=prisms["dynamic"].url, max_retries=0) as client:
        while valid < VALID_AT_LEAST:
            if asked >= MAX_ASKED or time.monotonic() > deadline:
                pytest.fail(f"only {valid} of {asked} Prism answers were schema-valid (need {VALID_AT_LEAST})")
            body = client.with_raw_response.resume_fine_tuning_job(f"ftjob-{asked}").json()
            asked += 1
            try:
                ftc.FineTuningJob.from_dict(body, strict=True)
                accepted = True
            except ftc.DecodeError:
                accepted = False
            assert accepted == judge.is_valid(body), body
            valid += validator().is_valid(body)


def test_prism_rejects_a_request_without_the_bearer_token(prisms: dict[str, Prism]) -> None:
    with ftc.Client(KEY, base_url=prisms["static"].url, max_retries=0) as client:
        with pytest.raises(ftc.AuthenticationError) as info:
            client.resume_fine_tuning_job("ft-1", extra_headers={"Authorization": "Basic eDp5"})
    assert info.value.status_code == 401
    assert KEY not in str(info.value)


def test_async_client_against_prism(prisms: dict[str, Prism]) -> None:
    async def main() -> list[ftc.FineTuningJob]:
        async with ftc.AsyncClient(KEY, base_url=prisms["dynamic"].url, max_retries=0) as client:
            return list(await asyncio.gather(*(client.resume_fine_tuning_job(f"ft-{i}") for i in range(6))))

    jobs = asyncio.run(main())
    assert len(jobs) == 6 and all(isinstance(j, ftc.FineTuningJob) for j in jobs)
