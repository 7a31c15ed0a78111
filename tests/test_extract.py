"""``python -m generator extract``: a self-contained fragment cut from a large spec.

The snapshot tests read ``tests/data/openai/openai-openapi-2026-05-13.yaml`` (loaded
once in this process, once more by the one end-to-end CLI run) and skip when it is
absent. The rest use small specs written inline.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import extract
from generator.errors import SpecError
from generator.load import Spec, load
from generator.output import write_tree
from generator.pipeline import Options, build

from .snapshot import SNAPSHOT

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "schema" / "examples").glob("*.json"))
RESUME = "/fine_tuning/jobs/{fine_tuning_job_id}/resume"

# What resumeFineTuningJob reaches upstream: the upstream names of schema/NOTES.md.
RESUME_SCHEMAS = {
    "EvalItem", "EvalItemContent", "EvalItemContentArray", "EvalItemContentItem",
    "EvalItemContentOutputText", "EvalItemContentText", "EvalItemInputImage",
    "FineTuneDPOHyperparameters", "FineTuneDPOMethod", "FineTuneMethod",
    "FineTuneReinforcementHyperparameters", "FineTuneReinforcementMethod",
    "FineTuneSupervisedHyperparameters", "FineTuneSupervisedMethod", "FineTuningIntegration",
    "FineTuningJob", "GraderLabelModel", "GraderMulti", "GraderPython", "GraderScoreModel",
    "GraderStringCheck", "GraderTextSimilarity", "InputAudio", "InputTextContent", "Metadata",
    "ReasoningEffort",
}


def run_cli(*args: str, cwd: Path = REPO, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    if cache is not None:
        env["OAS_DATACLASSES_CACHE_DIR"] = str(cache)
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def local_refs(node: Any) -> set[str]:
    """Every local reference below a node, found by a plain scan of its JSON text."""
    text = json.dumps(node, default=str)
    return set(re.findall(r'"\$ref": "(#/components/[^"]+)"', text))


def reachable(doc: dict[str, Any], roots: list[Any]) -> set[tuple[str, str]]:
    """(section, name) of every component the roots reach, computed independently."""
    seen: set[tuple[str, str]] = set()
    todo = list(roots)
    while todo:
        for ref in local_refs(todo.pop()):
            _, _, section, name = ref.split("/")[:4]
            if (section, name) not in seen:
                seen.add((section, name))
                todo.append(doc["components"][section][name])
    return seen


# ----- the snapshot ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def snapshot() -> Spec:
    return load(SNAPSHOT)


@pytest.fixture(scope="module")
def resume(snapshot: Spec) -> dict[str, Any]:
    return extract.extract(snapshot.data, "snapshot.yaml", ["resumeFineTuningJob"])


@pytest.fixture(scope="module")
def resume_yaml(resume: dict[str, Any]) -> str:
    return extract.dump(resume, as_json=False)


def test_snapshot_resume_holds_exactly_what_the_operation_reaches(snapshot: Spec, resume: dict[str, Any]) -> None:
    upstream = snapshot.data
    assert list(resume) == ["openapi", "info", "servers", "security", "tags", "paths", "components"]
    assert resume["info"] == upstream["info"]
    assert resume["servers"] == upstream["servers"]
    assert resume["security"] == upstream["security"]
    assert [t["name"] for t in resume["tags"]] == ["Fine-tuning"]
    assert list(resume["paths"]) == [RESUME]
    assert list(resume["paths"][RESUME]) == ["post"]
    assert resume["paths"][RESUME]["post"] == upstream["paths"][RESUME]["post"]
    schemas = resume["components"]["schemas"]
    assert set(schemas) == RESUME_SCHEMAS
    # an independent walk over the snapshot agrees
    assert {n for s, n in reachable(upstream, [upstream["paths"][RESUME]]) if s == "schemas"} == RESUME_SCHEMAS
    assert list(schemas) == sorted(schemas)
    for name, node in schemas.items():
        assert node == upstream["components"]["schemas"][name]
    assert list(resume["components"]) == ["schemas", "securitySchemes"]
    assert resume["components"]["securitySchemes"] == {"ApiKeyAuth": upstream["components"]["securitySchemes"]["ApiKeyAuth"]}


def test_snapshot_fragment_is_self_contained_and_parses_back(resume: dict[str, Any], resume_yaml: str) -> None:
    back = yaml.load(resume_yaml, Loader=yaml.CSafeLoader)
    assert back == resume
    for ref in local_refs(back):
        _, _, section, name = ref.split("/")[:4]
        assert name in back["components"][section], ref
    assert "&id" not in resume_yaml and "*id" not in resume_yaml  # no YAML anchors
    as_json = extract.dump(resume, as_json=True)
    assert as_json.endswith("}\n") and json.loads(as_json) == back


def test_snapshot_fragment_is_deterministic(snapshot: Spec, resume_yaml: str) -> None:
    again = extract.extract(snapshot.data, "snapshot.yaml", ["resumeFineTuningJob", "resumeFineTuningJob"])
    assert extract.dump(again, as_json=False) == resume_yaml
    two = extract.extract(snapshot.data, "s", ["resumeFineTuningJob", "pauseFineTuningJob"])
    owt = extract.extract(snapshot.data, "s", ["pauseFineTuningJob", "resumeFineTuningJob"])
    assert extract.dump(two, as_json=False) == extract.dump(owt, as_json=False)
    paths = list(snapshot.data["paths"])
    assert list(two["paths"]) == sorted(two["paths"], key=paths.index)  # source order


def test_snapshot_fragment_generates_a_working_package(resume_yaml: str, tmp_path: Path) -> None:
    spec = tmp_path / "resume.yaml"
    spec.write_text(resume_yaml, encoding="utf-8")
    files = build(Options(schema=spec, out=tmp_path / "out", package="upstream_client", use_cache=False))
    write_tree(tmp_path / "out", "upstream_client", files)
    code = textwrap.dedent(
        """
        import json, sys
        sys.path.insert(0, sys.argv[1])
        import upstream_client as pkg
        from upstream_client.models import FineTuningJob, GraderStringCheck, FineTuneReinforcementMethod
        for path in sys.argv[2:]:
            data = json.load(open(path, encoding="utf-8"))
            for strict in (True, False):
                assert FineTuningJob.from_dict(data, strict=strict).to_dict() == data, path
        data["status"] = "paused"
        try:
            FineTuningJob.from_dict(data)
        except pkg.DecodeError as exc:
            assert exc.path == "$.status", exc.path
        else:
            raise SystemExit("strict decoding accepted a status outside the enum")
        assert FineTuningJob.from_dict(data, strict=False).status == "paused"
        assert callable(pkg.Client.resume_fine_tuning_job)
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-S", "-I", "-c", code, str(tmp_path / "out"), *map(str, EXAMPLES)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_cli_on_the_snapshot(resume_yaml: str, tmp_path: Path) -> None:
    out = tmp_path / "resume.yaml"
    result = run_cli("extract", "--spec", str(SNAPSHOT), "--operation", "resumeFineTuningJob", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert out.read_text(encoding="utf-8") == resume_yaml
    assert [p.name for p in tmp_path.iterdir()] == ["resume.yaml"]  # no temporary file left


# ----- small specs ------------------------------------------------------------------------

SPEC = """\
openapi: 3.0.3
info: {title: Zoo, version: "2"}
servers: [{url: "https://zoo.example"}]
security: [{key: []}]
tags:
  - {name: other}
  - {name: animals, description: Animals.}
paths:
  /unrelated:
    get:
      operationId: unrelated
      responses: {"200": {$ref: "#/components/responses/Unused"}}
  /animals/{id}:
    parameters:
      - $ref: "#/components/parameters/Id"
    summary: One animal.
    get:
      operationId: getAnimal
      tags: [animals]
      security: [{oauth: [read]}]
      responses:
        "200": {$ref: "#/components/responses/AnimalResponse"}
    delete:
      operationId: deleteAnimal
      responses: {"204": {description: gone}}
components:
  securitySchemes:
    oauth: {type: oauth2, flows: {}}
    key: {type: apiKey, in: header, name: X-Key}
    unused: {type: http, scheme: basic}
  parameters:
    Id: {name: id, in: path, required: true, schema: {$ref: "#/components/schemas/Id"}}
  responses:
    Unused: {description: no, content: {application/json: {schema: {$ref: "#/components/schemas/Unused"}}}}
    AnimalResponse:
      description: ok
      headers: {X-Rate: {$ref: "#/components/headers/Rate"}}
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Animal"}
          examples: {leo: {$ref: "#/components/examples/Leo"}}
  examples:
    Leo: {value: {kind: lion, $ref: "#/data/is/not/followed"}}
    Unused: {value: 1}
  headers:
    Rate: {schema: {type: integer}}
  schemas:
    Unused: {type: string}
    Id: {type: string}
    Zebra:
      type: object
      properties:
        kind: {type: string, enum: [zebra]}
        stripes: {$ref: "#/components/schemas/Count/properties/n"}
    Count: {type: object, properties: {n: {type: integer}}}
    Lion:
      type: object
      example: {$ref: "#/examples/are/data"}
      properties:
        kind: {type: string, enum: [lion]}
        pride: {type: array, items: {$ref: "#/components/schemas/Animal"}}
        example: {$ref: "#/components/schemas/Mane"}
        default: {type: string, default: {$ref: "#/defaults/are/data"}}
    Mane: {type: string}
    Animal:
      oneOf:
        - $ref: "#/components/schemas/Lion"
      discriminator:
        propertyName: kind
        mapping: {lion: "#/components/schemas/Lion", zebra: Zebra}
"""


def test_extract_follows_every_kind_of_reference(tmp_path: Path) -> None:
    spec = write(tmp_path / "zoo.yaml", SPEC)
    doc = extract.extract(load(spec).data, "zoo.yaml", ["getAnimal"])
    assert list(doc) == ["openapi", "info", "servers", "security", "tags", "paths", "components"]
    assert doc["tags"] == [{"name": "animals", "description": "Animals."}]
    item = doc["paths"]["/animals/{id}"]
    assert list(item) == ["parameters", "summary", "get"]  # path-level keys kept, other methods dropped
    comps = doc["components"]
    # reached through a path-level parameter, a response, a header, a discriminator
    # mapping by bare name, a pointer into another schema, a property named `example`,
    # an Example object, and a cycle; a `$ref` inside example or default data is text
    assert list(comps) == ["schemas", "responses", "parameters", "examples", "headers", "securitySchemes"]
    assert list(comps["schemas"]) == ["Animal", "Count", "Id", "Lion", "Mane", "Zebra"]
    assert list(comps["examples"]) == ["Leo"]
    assert list(comps["responses"]) == ["AnimalResponse"]
    assert list(comps["parameters"]) == ["Id"]
    assert list(comps["headers"]) == ["Rate"]
    assert list(comps["securitySchemes"]) == ["key", "oauth"]  # the document's and the operation's


def test_cli_json_and_stdout(tmp_path: Path) -> None:
    write(tmp_path / "zoo.yaml", SPEC)
    result = run_cli("extract", "--schema", "zoo.yaml", "--operation", "deleteAnimal", "--operation", "getAnimal",
                     "--out", "z.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "z.json").read_text(encoding="utf-8")
    assert text.startswith('{\n  "openapi": "3.0.3",') and text.endswith("}\n")
    doc = json.loads(text)
    assert list(doc["paths"]["/animals/{id}"]) == ["parameters", "summary", "get", "delete"]
    result = run_cli("extract", "--spec", "zoo.yaml", "--operation", "getAnimal", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)["paths"]["/animals/{id}"]["get"]["operationId"] == "getAnimal"
    # the generator takes the YAML fragment as it is
    (tmp_path / "z.yaml").write_text(result.stdout, encoding="utf-8")
    assert yaml.safe_load((tmp_path / "z.yaml").read_text(encoding="utf-8")) == yaml.safe_load(result.stdout)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--operation", "getAnimals"], r"zoo\.yaml: /paths: no operation has operationId 'getAnimals' \(did you mean 'getAnimal'"),
        (["--operation", "nothingLikeIt"], r"zoo\.yaml: /paths: no operation has operationId 'nothingLikeIt'$"),
    ],
    ids=["close", "unlike"],
)
def test_unknown_operation_exits_2_naming_it(tmp_path: Path, args: list[str], message: str) -> None:
    write(tmp_path / "zoo.yaml", SPEC)
    result = run_cli("extract", "--spec", "zoo.yaml", *args, "--out", "x.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and re.match(r"error: " + message, lines[0]), result.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_references_extract_cannot_follow_are_clean_errors(tmp_path: Path) -> None:
    base = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n"
    other = base + "      responses: {'200': {$ref: 'other.yaml#/components/responses/R'}}\n"
    with pytest.raises(SpecError, match=r"points into another file"):
        extract.extract(yaml.safe_load(other), "s.yaml", ["a"])
    dangling = base + "      responses: {'200': {$ref: '#/components/responses/R'}}\n"
    with pytest.raises(SpecError, match=r"'#/components/responses/R' points to nothing"):
        extract.extract(yaml.safe_load(dangling), "s.yaml", ["a"])
    unknown_scheme = base + "      security: [{key: []}]\n      responses: {'204': {description: none}}\n"
    with pytest.raises(SpecError, match=r"^s\.yaml: /paths/~1a/get/security/0: security scheme 'key' is not in"):
        extract.extract(yaml.safe_load(unknown_scheme), "s.yaml", ["a"])
    write(tmp_path / "s.yaml", other)
    result = run_cli("extract", "--spec", "s.yaml", "--operation", "a", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: s.yaml: /paths/~1a: $ref 'other.yaml#")


def test_missing_spec_or_operation_is_bad_input(tmp_path: Path) -> None:
    result = run_cli("extract", "--spec", "nope.yaml", "--operation", "a", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr == "error: nope.yaml: no such file\n"
    result = run_cli("extract", "--spec", "nope.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "--operation" in result.stderr
