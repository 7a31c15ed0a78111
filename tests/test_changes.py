"""``python -m generator changes OLD NEW``: what a spec change does to code using the package.

- Real history: the curated fragment against the same operation cut out of the upstream
  snapshot, and ten consecutive upstream edits (tests/data/upstream-history: cuts of
  each pair and the verdicts judged by hand from their diffs).
- Hand-made pairs: what the history lacks, and one pair per request-side rule, on a
  small spec with a request body, query and path parameters, a model used on both
  sides, a discriminated union, an allOf base and a model no operation reaches.
- Reports (text, json, markdown, github), the gate (--fail-on, accept files) and bad input.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import lzma
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from generator import changes, cli, extract, reports
from generator.load import load
from generator.lower import lower

from .snapshot import SNAPSHOT

REPO = Path(__file__).resolve().parents[1]
FRAGMENT = REPO / "schema" / "fine_tuning.yaml"
HISTORY = REPO / "tests" / "data" / "upstream-history"

# upstream name (as the generator names it from the extracted fragment) -> fragment name;
# schema/NOTES.md lists the same renames in spec terms
RENAMES = {
    "FineTuneDPOHyperparameters": "DpoHyperparameters",
    "FineTuneDPOMethod": "DpoMethod",
    "FineTuneReinforcementHyperparameters": "ReinforcementHyperparameters",
    "FineTuneReinforcementMethod": "ReinforcementMethod",
    "FineTuneSupervisedHyperparameters": "SupervisedHyperparameters",
    "FineTuneSupervisedMethod": "SupervisedMethod",
    "GraderStringCheck": "StringCheckGrader",
    "GraderTextSimilarity": "TextSimilarityGrader",
    "GraderPython": "PythonGrader",
    "GraderScoreModel": "ScoreModelGrader",
    "GraderMulti": "MultiGrader",
    "GraderLabelModel": "LabelModelGrader",
    "InputTextContent": "ResponseInputText",
    "EvalItemContentOutputText": "OutputText",
    "EvalItemInputImage": "InputImage",
    "InputAudio": "ResponseInputAudio",
    # inline objects upstream, hoisted by the generator under a name built from the field
    "FineTuningIntegrationWandb": "WandbIntegration",
    "GraderScoreModelSamplingParams": "ScoreModelSamplingParams",
    "InputAudioInputAudio": "InputAudioData",
}
# inline unions upstream, named type aliases in the fragment
HOISTED_UNIONS = {"ReinforcementGrader": "ReinforcementMethod.grader", "MultiSubGrader": "MultiGrader.graders"}

Entry = tuple[str, str, str, str]  # tier, side, kind, subject


def entries(report: changes.Report) -> list[Entry]:
    return sorted((c.tier, c.side, c.kind, c.subject) for c in report.changes)


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@dataclasses.dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def main(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """``changes`` in this process, from a folder without a pyproject.toml (so without
    the project's accept file) unless ``cwd`` says otherwise."""
    def run(*args: str, cwd: Path = tmp_path) -> Run:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = cli.main(["changes", *args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


# ----- real history: the fragment against upstream ---------------------------------------


@pytest.fixture(scope="module")
def upstream_fragment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    doc = extract.extract(load(SNAPSHOT).data, SNAPSHOT.name, ["resumeFineTuningJob"])
    path = tmp_path_factory.mktemp("upstream") / "resume.yaml"
    path.write_text(extract.dump(doc, as_json=False), encoding="utf-8")
    return path


def test_upstream_to_curated_is_renames_only(upstream_fragment: Path) -> None:
    report = changes.compare_files(str(upstream_fragment), str(FRAGMENT))
    assert report.renames == RENAMES
    renamed = [c for c in report.changes if c.kind == "model-renamed"]
    # a renamed export breaks `from package import OldName`: breaking, with both names
    assert {(c.tier, c.side) for c in renamed} == {("breaking", "response")}
    grader = next(c for c in renamed if c.subject == "StringCheckGrader")
    assert grader.renamed_from == "GraderStringCheck"
    assert grader.message == "model GraderStringCheck is now StringCheckGrader (same place)"
    assert grader.methods == ("resume_fine_tuning_job",)
    assert (grader.old_pointer, grader.new_pointer) == ("/components/schemas/GraderStringCheck",
                                                       "/components/schemas/StringCheckGrader")
    named = sorted((c.tier, c.subject, c.message) for c in report.changes if c.kind == "alias-named")
    assert named == [
        ("additive", alias, f"new type alias {alias} for a type that was written inline (used by {use})")
        for alias, use in sorted(HOISTED_UNIONS.items())
    ]
    # nothing else: fields, types, requiredness, nullability and enums agree upstream
    assert len(report.changes) == len(RENAMES) + len(HOISTED_UNIONS)


def test_curated_to_upstream_is_renames_only(upstream_fragment: Path) -> None:
    report = changes.compare_files(str(FRAGMENT), str(upstream_fragment))
    assert report.renames == {new: old for old, new in RENAMES.items()}
    inlined = sorted((c.tier, c.subject) for c in report.changes if c.kind == "alias-inlined")
    assert inlined == [("breaking", alias) for alias in sorted(HOISTED_UNIONS)]  # the alias is no longer exported
    assert len(report.changes) == len(RENAMES) + len(HOISTED_UNIONS)
    assert report.verdict == "breaking"


def test_the_projects_accept_file_passes_the_readme_comparison(upstream_fragment: Path) -> None:
    # README, "Updating the fragment": compare the fragment with an upstream cut; the
    # project's [tool.oas-dataclasses] accept file holds the fragment's names
    result = run_cli("changes", "schema/fine_tuning.yaml", str(upstream_fragment))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    n = len(RENAMES) + len(HOISTED_UNIONS)
    assert result.stdout.splitlines()[0] == f"Accepted ({n}):"
    assert result.stdout.splitlines()[-1] == (
        f"0 breaking, 0 risk and 0 additive changes ({n} accepted) between schema/fine_tuning.yaml and "
        f"{upstream_fragment}: none.")
    assert "    accepted: the fragment's name StringCheckGrader for upstream's GraderStringCheck (schema/NOTES.md)" \
        in result.stdout.splitlines()
    # without it, the renames are what they are
    result = run_cli("changes", "schema/fine_tuning.yaml", str(upstream_fragment), "--no-accept")
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == f"Breaking ({n}):"


# ----- real history: ten upstream edits ---------------------------------------------------

VERDICTS: list[dict[str, Any]] = yaml.safe_load((HISTORY / "verdicts.yaml").read_text(encoding="utf-8"))


def history_pair(pair: str, tmp_path: Path) -> tuple[Path, Path]:
    out = []
    for side in ("old", "new"):
        path = tmp_path / f"{side}.yaml"
        path.write_bytes(lzma.decompress((HISTORY / pair / f"{side}.yaml.xz").read_bytes()))
        out.append(path)
    return out[0], out[1]


def test_every_upstream_pair_has_a_verdict() -> None:
    pairs = [line.split()[:2] for line in (HISTORY / "PAIRS.txt").read_text(encoding="utf-8").splitlines()]
    assert sorted(v["pair"] for v in VERDICTS) == sorted(f"{a}-{b}" for a, b in pairs)
    assert len(VERDICTS) == 10
    assert (HISTORY / "LICENSE").read_text(encoding="utf-8").startswith("The MIT License")


@pytest.mark.parametrize("verdict", VERDICTS, ids=[v["pair"] for v in VERDICTS])
def test_upstream_history(verdict: dict[str, Any], tmp_path: Path, main: Callable[..., Run]) -> None:
    old, new = history_pair(verdict["pair"], tmp_path)
    report = changes.compare_files(str(old), str(new))
    assert entries(report) == sorted(tuple(e) for e in verdict["changes"]), verdict["why"]
    for fail_on in ("breaking", "risk"):
        run = main(str(old), str(new), "--fail-on", fail_on, "--format", "json")
        assert run.code == verdict["exit"][fail_on], (fail_on, run.out)
        assert json.loads(run.out)["summary"]["verdict"] == report.verdict


def test_one_upstream_edit_inherited_through_allof_is_one_entry(tmp_path: Path) -> None:
    old, new = history_pair("0410f5a-ef05a7d", tmp_path)
    report = changes.compare_files(str(old), str(new))
    name = next(c for c in report.changes if c.subject == "FunctionToolCallOutput.name")
    assert name.models == ("FunctionToolCallOutput", "FunctionToolCallOutputResource")
    assert name.new_pointer == "/components/schemas/FunctionToolCallOutput/properties/name"
    assert name.old_pointer is None
    assert name.methods == ("get_conversation_item",)
    assert name.message == "new optional field name (str | None)"


# ----- hand-made pairs ---------------------------------------------------------------------

JOBS = """\
openapi: 3.1.0
info: {title: Jobs, version: "1"}
paths:
  /jobs:
    post:
      operationId: createJob
      parameters:
        - {name: dry_run, in: query, schema: {type: boolean}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CreateJobRequest"}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Job"}}}
  /jobs/{job_id}:
    get:
      operationId: getJob
      parameters:
        - {name: job_id, in: path, required: true, schema: {type: string}}
        - {name: expand, in: query, schema: {type: string, enum: [events, files]}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Job"}}}
components:
  schemas:
    CreateJobRequest:
      type: object
      required: [model, training_file, validation_file]
      properties:
        model: {type: string}
        training_file: {type: string}
        validation_file: {type: [string, "null"]}
        seed: {type: integer}
        suffix: {type: string}
        epochs: {type: number}
        tier: {type: string, enum: [default, flex]}
        input: {oneOf: [{type: string}, {type: array, items: {type: string}}]}
        method: {$ref: "#/components/schemas/Method"}
    Method:
      type: object
      required: [type]
      properties:
        type: {type: string, enum: [supervised, dpo]}
        batch_size: {type: integer}
    Job:
      type: object
      required: [id, status, model, created_at]
      properties:
        id: {type: string}
        status: {type: string, enum: [queued, running, succeeded]}
        model: {type: string}
        created_at: {type: integer}
        finished_at: {type: [integer, "null"]}
        tags: {type: array, items: {type: string}}
        method: {$ref: "#/components/schemas/Method"}
        grader: {$ref: "#/components/schemas/Grader"}
        usage: {$ref: "#/components/schemas/Usage"}
    Grader:
      oneOf:
        - {$ref: "#/components/schemas/StringCheckGrader"}
        - {$ref: "#/components/schemas/PythonGrader"}
      discriminator:
        propertyName: type
        mapping:
          string_check: "#/components/schemas/StringCheckGrader"
          python: "#/components/schemas/PythonGrader"
    StringCheckGrader:
      type: object
      required: [type, reference]
      properties:
        type: {type: string, const: string_check}
        reference: {type: string}
    PythonGrader:
      type: object
      required: [type, source]
      properties:
        type: {type: string, const: python}
        source: {type: string}
    Counts:
      type: object
      properties:
        tokens: {type: integer}
    Usage:
      allOf:
        - {$ref: "#/components/schemas/Counts"}
        - type: object
          properties: {seconds: {type: number}}
    Archive:
      type: object
      properties:
        note: {type: string}
        kept: {type: boolean}
"""
JOBS_DOC: dict[str, Any] = yaml.safe_load(JOBS)


def schemas(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["components"]["schemas"]


def request(doc: dict[str, Any]) -> dict[str, Any]:
    return schemas(doc)["CreateJobRequest"]


def job(doc: dict[str, Any]) -> dict[str, Any]:
    return schemas(doc)["Job"]


def get_job(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["paths"]["/jobs/{job_id}"]["get"]


def remove(model: dict[str, Any], name: str) -> None:
    del model["properties"][name]
    if name in model.get("required", []):
        model["required"].remove(name)


def add(model: dict[str, Any], name: str, schema: dict[str, Any], required: bool) -> None:
    model["properties"][name] = schema
    if required:
        model.setdefault("required", []).append(name)


def _variant_dropped(d: dict[str, Any]) -> None:
    grader = schemas(d)["Grader"]
    grader["oneOf"] = grader["oneOf"][:1]
    del grader["discriminator"]["mapping"]["python"]


def _optional_and_nullable(d: dict[str, Any]) -> None:
    job(d)["required"].remove("model")
    job(d)["properties"]["model"]["type"] = ["string", "null"]


def _schema_renamed(d: dict[str, Any]) -> None:
    schemas(d)["TrainingJob"] = schemas(d).pop("Job")
    for op in (d["paths"]["/jobs"]["post"], get_job(d)):
        op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] = "#/components/schemas/TrainingJob"


def _operation_renamed_and_request_fields_nullable(d: dict[str, Any]) -> None:
    d["paths"]["/jobs"]["post"]["operationId"] = "startJob"
    request(d)["properties"]["model"]["type"] = ["string", "null"]  # required: str -> str | None
    request(d)["properties"]["seed"]["type"] = ["integer", "null"]  # optional: still int | None


def _variant_added(d: dict[str, Any]) -> None:
    schemas(d)["DummyGrader"] = {"type": "object", "required": ["type"],
                                 "properties": {"type": {"type": "string", "const": "dummy"}}}
    schemas(d)["Grader"]["oneOf"].append({"$ref": "#/components/schemas/DummyGrader"})
    schemas(d)["Grader"]["discriminator"]["mapping"]["dummy"] = "#/components/schemas/DummyGrader"


def _not_exposed(d: dict[str, Any]) -> None:
    # a description, and constraints strict decoding does not check: the package is the same
    job(d)["properties"]["id"].update(description="The job's ID.", maxLength=64)
    request(d)["properties"]["seed"]["minimum"] = 0
    get_job(d)["summary"] = "Get a job."


def _binary_answer(d: dict[str, Any]) -> None:
    get_job(d)["responses"]["200"]["content"] = {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


def _grader_renamed(d: dict[str, Any]) -> None:
    schemas(d)["GraderUnion"] = schemas(d).pop("Grader")
    job(d)["properties"]["grader"]["$ref"] = "#/components/schemas/GraderUnion"


def _required_not_nullable(d: dict[str, Any]) -> None:
    job(d)["required"].append("finished_at")
    job(d)["properties"]["finished_at"]["type"] = "integer"


def _deprecations(d: dict[str, Any]) -> None:
    get_job(d)["deprecated"] = True
    job(d)["properties"]["tags"]["deprecated"] = True


def _set(path: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(d: dict[str, Any]) -> None:
        path(d)[key] = value
    return edit


def _prop(model: str, name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda d: schemas(d)[model]["properties"][name]


HAND_MADE: dict[str, tuple[Callable[[dict[str, Any]], None], list[Entry]]] = {
    # --- what the upstream history lacks --------------------------------------------------
    "response field removed": (lambda d: remove(job(d), "tags"), [
        ("breaking", "response", "field-removed", "Job.tags")]),
    "union variant dropped": (_variant_dropped, [
        ("breaking", "response", "variant-removed", "Grader")]),  # PythonGrader stays exported
    "response field made optional and nullable": (_optional_and_nullable, [
        ("breaking", "response", "field-optional", "Job.model"),
        ("breaking", "response", "nullable-added", "Job.model")]),
    "response enum widened": (lambda d: job(d)["properties"]["status"]["enum"].append("paused"), [
        ("risk", "response", "enum-value-added", "Job.status")]),
    "response union gains a variant": (_variant_added, [
        ("additive", "response", "model-added", "DummyGrader"),
        ("risk", "response", "variant-added", "Grader")]),
    "schema renamed": (_schema_renamed, [
        ("breaking", "response", "model-renamed", "TrainingJob")]),
    "operationId renamed, request-only fields made nullable": (_operation_renamed_and_request_fields_nullable, [
        ("breaking", "request", "operation-renamed", "start_job()"),
        ("additive", "request", "nullable-added", "start_job(model)"),
        ("additive", "request", "nullable-added", "start_job(seed)")]),
    # --- one per request-side rule ----------------------------------------------------------
    "new required body field": (lambda d: add(request(d), "purpose", {"type": "string"}, True), [
        ("breaking", "request", "argument-added", "create_job(purpose)")]),
    "new optional body field": (lambda d: add(request(d), "purpose", {"type": "string"}, False), [
        ("additive", "request", "argument-added", "create_job(purpose)")]),
    "new required query parameter": (lambda d: get_job(d)["parameters"].append(
        {"name": "include", "in": "query", "required": True, "schema": {"type": "string"}}), [
        ("breaking", "request", "argument-added", "get_job(include)")]),
    "new optional query parameter": (lambda d: get_job(d)["parameters"].append(
        {"name": "limit", "in": "query", "schema": {"type": "integer"}}), [
        ("additive", "request", "argument-added", "get_job(limit)")]),
    "body field made required": (lambda d: request(d)["required"].append("seed"), [
        ("breaking", "request", "argument-required", "create_job(seed)")]),
    "query parameter made required": (_set(lambda d: d["paths"]["/jobs"]["post"]["parameters"][0], "required", True), [
        ("breaking", "request", "argument-required", "create_job(dry_run)")]),
    "body field made optional": (lambda d: request(d)["required"].remove("training_file"), [
        ("additive", "request", "argument-optional", "create_job(training_file)")]),
    "body field removed": (lambda d: remove(request(d), "suffix"), [
        ("breaking", "request", "argument-removed", "create_job(suffix)")]),
    "query parameter removed": (lambda d: get_job(d)["parameters"].pop(1), [
        ("breaking", "request", "argument-removed", "get_job(expand)")]),
    "accepted value removed from a body field": (
        lambda d: request(d)["properties"]["tier"]["enum"].remove("flex"), [
            ("breaking", "request", "enum-value-removed", "create_job(tier)")]),
    "accepted value removed from a query parameter": (
        lambda d: get_job(d)["parameters"][1]["schema"]["enum"].remove("files"), [
            ("breaking", "request", "enum-value-removed", "get_job(expand)")]),
    "request enum widened": (lambda d: request(d)["properties"]["tier"]["enum"].append("scale"), [
        ("additive", "request", "enum-value-added", "create_job(tier)")]),
    "request type narrowed": (_set(_prop("CreateJobRequest", "epochs"), "type", "integer"), [
        ("breaking", "request", "type-narrowed", "create_job(epochs)")]),
    "request type widened": (_set(_prop("CreateJobRequest", "seed"), "type", "number"), [
        ("additive", "request", "type-widened", "create_job(seed)")]),
    "request type changed": (_set(lambda d: get_job(d)["parameters"][0], "schema", {"type": "integer"}), [
        ("breaking", "request", "type-changed", "get_job(job_id)")]),
    "required argument no longer takes null": (_set(_prop("CreateJobRequest", "validation_file"), "type", "string"), [
        ("breaking", "request", "nullable-removed", "create_job(validation_file)")]),
    "request union variant removed": (_set(_prop("CreateJobRequest", "input"), "oneOf", [{"type": "string"}]), [
        ("breaking", "request", "variant-removed", "create_job(input)")]),
    "request union gains a variant": (lambda d: request(d)["properties"]["input"]["oneOf"].append(
        {"type": "integer"}), [
        ("additive", "request", "variant-added", "create_job(input)")]),
    # --- models used on both sides, on none, and inherited -------------------------------
    "enum widened in a model on both sides": (
        lambda d: schemas(d)["Method"]["properties"]["type"]["enum"].append("reinforcement"), [
            ("risk", "both", "enum-value-added", "Method.type")]),
    "required field added to a model on both sides": (
        lambda d: add(schemas(d)["Method"], "epochs", {"type": "integer"}, True), [
            ("breaking", "both", "field-added", "Method.epochs")]),
    "field removed from a model no operation reaches": (lambda d: remove(schemas(d)["Archive"], "note"), [
        ("breaking", "package", "field-removed", "Archive.note")]),
    "field added to a model no operation reaches": (
        lambda d: add(schemas(d)["Archive"], "size", {"type": "integer"}, False), [
            ("additive", "package", "field-added", "Archive.size")]),
    "model becomes a type alias": (_set(schemas, "Archive", {"type": "object", "additionalProperties": {"type": "string"}}), [
        ("breaking", "package", "model-replaced", "Archive")]),
    "an allOf base edited once": (_set(_prop("Counts", "tokens"), "type", "string"), [
        ("breaking", "response", "type-changed", "Counts.tokens")]),
    "response field made required and not nullable": (_required_not_nullable, [
            ("additive", "response", "field-required", "Job.finished_at"),
            ("additive", "response", "nullable-removed", "Job.finished_at")]),
    "response type widened": (_set(_prop("Job", "created_at"), "type", "number"), [
        ("breaking", "response", "type-widened", "Job.created_at")]),
    "deprecations": (_deprecations, [
        ("additive", "request", "operation-deprecated", "get_job()"),
        ("additive", "response", "field-deprecated", "Job.tags")]),
    "operation removed": (lambda d: d["paths"].pop("/jobs/{job_id}"), [
        ("breaking", "request", "operation-removed", "get_job()")]),
    "description and constraints only": (_not_exposed, []),
    "operation answers bytes instead of JSON": (_binary_answer, [
        ("breaking", "response", "response-changed", "get_job()")]),
    "operation moved to another path": (lambda d: d["paths"].update({"/v2/jobs/{job_id}": d["paths"].pop(
        "/jobs/{job_id}")}), [
        ("additive", "request", "operation-moved", "get_job()")]),
    "union alias renamed": (_grader_renamed, [
        ("breaking", "response", "alias-renamed", "GraderUnion")]),
    "additional properties typed": (_set(job, "additionalProperties", {"type": "string"}), [
        ("breaking", "response", "type-changed", "Job")]),
}


def write(tmp_path: Path, doc: dict[str, Any], name: str) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def jobs_pair(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> tuple[Path, Path]:
    old = tmp_path / "old.yaml"
    old.write_text(JOBS, encoding="utf-8")
    doc = copy.deepcopy(JOBS_DOC)
    edit(doc)
    return old, write(tmp_path, doc, "new.yaml")


@pytest.mark.parametrize("name", list(HAND_MADE))
def test_hand_made_pair(tmp_path: Path, name: str) -> None:
    edit, expected = HAND_MADE[name]
    old, new = jobs_pair(tmp_path, edit)
    report = changes.compare_files(str(old), str(new))
    assert entries(report) == sorted(expected)
    # and the gate, as the exit code gives it
    tiers = {tier for tier, *_ in expected}
    assert report.fails("breaking") == ("breaking" in tiers)
    assert report.fails("risk") == bool(tiers & {"breaking", "risk"})
    assert report.fails("additive") == bool(tiers)


def test_where_and_why_of_an_entry(tmp_path: Path) -> None:
    old, new = jobs_pair(tmp_path, lambda d: request(d)["required"].append("seed"))
    (change,) = changes.compare_files(str(old), str(new)).changes
    assert change == changes.Change(
        tier="breaking", side="request", kind="argument-required", subject="create_job(seed)",
        methods=("create_job",), models=(), old_pointer="/components/schemas/CreateJobRequest/properties/seed",
        new_pointer="/components/schemas/CreateJobRequest/properties/seed", renamed_from=None,
        message="seed is now required")


def test_renames_carry_both_names(tmp_path: Path) -> None:
    old, new = jobs_pair(tmp_path, _schema_renamed)
    (change,) = changes.compare_files(str(old), str(new)).changes
    assert (change.subject, change.renamed_from, change.old_pointer, change.new_pointer) == (
        "TrainingJob", "Job", "/components/schemas/Job", "/components/schemas/TrainingJob")
    assert change.methods == ("create_job", "get_job")
    old, new = jobs_pair(tmp_path, _operation_renamed_and_request_fields_nullable)
    renamed = next(c for c in changes.compare_files(str(old), str(new)).changes if c.kind == "operation-renamed")
    assert (renamed.subject, renamed.renamed_from, renamed.methods) == ("start_job()", "create_job()", ("start_job",))


def test_an_allof_base_edit_lists_the_models_it_reaches(tmp_path: Path) -> None:
    old, new = jobs_pair(tmp_path, _set(_prop("Counts", "tokens"), "type", "string"))
    (change,) = changes.compare_files(str(old), str(new)).changes
    assert change.models == ("Counts", "Usage")
    assert change.subject == "Counts.tokens"  # the model that declares it
    assert change.methods == ("create_job", "get_job")
    assert change.message == "tokens changed type from int to str"


UPLOADS = """\
openapi: 3.1.0
info: {title: Uploads, version: "1"}
paths:
  /files/{a}/{b}:
    post:
      operationId: upload
      parameters:
        - {name: a, in: path, required: true, schema: {type: string}}
        - {name: b, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file: {type: string, format: binary}
                purpose: {type: string}
      responses: {"200": {description: ok}}
  /raw:
    post:
      operationId: putRaw
      requestBody:
        required: true
        content: {application/octet-stream: {schema: {type: string, format: binary}}}
      responses: {"200": {description: ok}}
components:
  schemas:
    Archive:
      type: object
      properties:
        class: {type: string}
"""


def _form(d: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = d["paths"]["/files/{a}/{b}"]["post"]["requestBody"]["content"]["multipart/form-data"][
        "schema"]["properties"]
    return props


def _class_first(d: dict[str, Any]) -> None:
    # `class_` declared before `class` takes its attribute name: `class` becomes `class__`
    schemas(d)["Archive"]["properties"] = {"class_": {"type": "string"}, **schemas(d)["Archive"]["properties"]}


UPLOAD_EDITS: dict[str, tuple[Callable[[dict[str, Any]], None], list[tuple[str, str, str, str, str]]]] = {
    "a file argument also takes a list of files": (
        lambda d: _form(d).update(file={"oneOf": [{"type": "string", "format": "binary"},
                                                  {"type": "array", "items": {"type": "string", "format": "binary"}}]}),
        [("additive", "request", "type-widened", "upload(file)", "file widened from FileInput to FileInput | "
          "list[FileInput]")]),
    "a text argument becomes a file": (lambda d: _form(d).update(purpose={"type": "string", "format": "binary"}), [
        ("breaking", "request", "type-changed", "upload(purpose)", "purpose changed type from str to FileInput")]),
    "positional arguments reordered": (lambda d: d["paths"]["/files/{a}/{b}"]["post"]["parameters"].reverse(), [
        ("breaking", "request", "arguments-reordered", "upload()", "positional arguments reordered: (b, a), was (a, b)")]),
    "a raw body becomes JSON": (lambda d: d["paths"]["/raw"]["post"]["requestBody"].update(
        content={"application/json": {"schema": {"type": "object"}}}), [
        ("breaking", "request", "type-changed", "put_raw(body)", "body changed type from bytes to dict[str, Any]")]),
    # CLASS: the attribute `class` takes beside `class_` (as lowering names clashes)
    "an attribute renamed": (_class_first, [
        ("additive", "package", "field-added", "Archive.class_", "new optional field class_ (str | None)"),
        ("breaking", "package", "field-renamed", "Archive.CLASS", "attribute renamed from class_ to CLASS")]),
}


@pytest.mark.parametrize("name", list(UPLOAD_EDITS))
def test_uploads_raw_bodies_and_positions(tmp_path: Path, name: str) -> None:
    edit, expected = UPLOAD_EDITS[name]
    old = tmp_path / "old.yaml"
    old.write_text(UPLOADS, encoding="utf-8")
    doc = yaml.safe_load(UPLOADS)
    edit(doc)
    new = write(tmp_path, doc, "new.yaml")
    report = changes.compare_files(str(old), str(new))
    archive = next(m for m in lower(load(new), "package").models if m.name == "Archive")
    attr = next(f.attr for f in archive.fields if f.json_name == "class")
    expected = [tuple(x.replace("CLASS", attr) for x in e) for e in expected]
    assert sorted((c.tier, c.side, c.kind, c.subject, c.message) for c in report.changes) == sorted(expected)
    renamed = [c for c in report.changes if c.kind == "field-renamed"]
    assert [c.renamed_from for c in renamed] == (["Archive.class_"] if renamed else [])


def test_one_edit_to_a_body_that_an_exported_model_inherits(tmp_path: Path) -> None:
    # upstream's CreateResponse: the body of create_response, and the allOf base of an event
    # model no operation reaches (judged as a response): one entry, both models listed
    doc = copy.deepcopy(JOBS_DOC)
    schemas(doc)["CreateJobEvent"] = {"allOf": [{"$ref": "#/components/schemas/CreateJobRequest"},
                                                {"type": "object", "properties": {"event_id": {"type": "string"}}}]}
    old = write(tmp_path, doc, "old.yaml")
    request(doc)["properties"]["tier"]["enum"].append("scale")
    (change,) = changes.compare_files(str(old), str(write(tmp_path, doc, "new.yaml"))).changes
    assert (change.tier, change.side, change.kind, change.subject) == ("risk", "both", "enum-value-added",
                                                                       "create_job(tier)")
    assert change.models == ("CreateJobEvent", "CreateJobRequest")
    assert change.methods == ("create_job",)


def test_a_union_that_holds_an_alias(tmp_path: Path) -> None:
    # a variant that is itself a union alias: dropping another variant is that one change
    def base(d: dict[str, Any]) -> None:
        schemas(d)["Text"] = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
        schemas(d)["Parts"] = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
        schemas(d)["Content"] = {"anyOf": [{"$ref": "#/components/schemas/Text"},
                                           {"$ref": "#/components/schemas/Parts"},
                                           {"type": "integer"}]}
        job(d)["properties"]["content"] = {"$ref": "#/components/schemas/Content"}

    doc = copy.deepcopy(JOBS_DOC)
    base(doc)
    old = write(tmp_path, doc, "old.yaml")
    dropped = copy.deepcopy(doc)
    schemas(dropped)["Content"]["anyOf"].pop(2)
    report = changes.compare_files(str(old), str(write(tmp_path, dropped, "new.yaml")))
    assert [(c.kind, c.subject, c.message) for c in report.changes] == [
        ("variant-removed", "Content", "variant int removed from Content")]
    without_alias = copy.deepcopy(doc)
    schemas(without_alias)["Content"]["anyOf"].pop(1)
    report = changes.compare_files(str(old), str(write(tmp_path, without_alias, "new2.yaml")))
    assert [(c.kind, c.subject, c.message) for c in report.changes] == [
        ("variant-removed", "Content", "variant Parts removed from Content")]


def test_a_type_that_still_exists_is_not_renamed(tmp_path: Path) -> None:
    # upstream 855e5d4 on the whole spec: ServiceTierResponses takes ServiceTier's place in
    # responses, while ServiceTier stays in requests: a new alias and a wider response enum
    doc = copy.deepcopy(JOBS_DOC)
    schemas(doc)["Tier"] = {"type": "string", "enum": ["auto", "default"]}
    request(doc)["properties"]["tier"] = {"$ref": "#/components/schemas/Tier"}
    job(doc)["properties"]["tier"] = {"$ref": "#/components/schemas/Tier"}
    old = write(tmp_path, doc, "old.yaml")
    schemas(doc)["TierResponses"] = {"type": "string", "enum": ["auto", "default", "ultrafast"]}
    job(doc)["properties"]["tier"] = {"$ref": "#/components/schemas/TierResponses"}
    report = changes.compare_files(str(old), str(write(tmp_path, doc, "new.yaml")))
    assert entries(report) == [("additive", "response", "alias-added", "TierResponses"),
                               ("risk", "response", "enum-value-added", "Job.tier")]


def test_a_new_value_beside_a_plain_string_changes_only_the_annotation(tmp_path: Path) -> None:
    # `anyOf: [string, enum]` (upstream's model ids): strict decoding took any string already
    def base(d: dict[str, Any]) -> None:
        job(d)["properties"]["model"] = {"anyOf": [{"type": "string"}, {"type": "string", "enum": ["a", "b"]}]}

    doc = copy.deepcopy(JOBS_DOC)
    base(doc)
    old = write(tmp_path, doc, "old.yaml")
    doc["components"]["schemas"]["Job"]["properties"]["model"]["anyOf"][1]["enum"].append("c")
    report = changes.compare_files(str(old), str(write(tmp_path, doc, "new.yaml")))
    assert entries(report) == [("additive", "response", "enum-value-added", "Job.model")]


# ----- hand-made edits of the curated fragment ---------------------------------------------

BASE: dict[str, Any] = yaml.safe_load(FRAGMENT.read_text(encoding="utf-8"))


def fjob(doc: dict[str, Any]) -> dict[str, Any]:
    return schemas(doc)["FineTuningJob"]


def _status_add(d: dict[str, Any]) -> None:
    fjob(d)["properties"]["status"]["enum"].append("paused")


def _status_remove(d: dict[str, Any]) -> None:
    fjob(d)["properties"]["status"]["enum"].remove("cancelled")


def _model_optional(d: dict[str, Any]) -> None:
    fjob(d)["required"].remove("model")


def _string_check_renamed(d: dict[str, Any]) -> None:
    text = yaml.safe_dump(d, sort_keys=False, allow_unicode=True)
    d.clear()
    d.update(yaml.safe_load(text.replace("StringCheckGrader", "StrCheckGrader")))


def _python_grader_dropped(d: dict[str, Any]) -> None:
    union = schemas(d)["ReinforcementGrader"]
    union["oneOf"] = [b for b in union["oneOf"] if not b["$ref"].endswith("/PythonGrader")]
    del union["discriminator"]["mapping"]["python"]


def _dummy_grader_added(d: dict[str, Any]) -> None:
    schemas(d)["DummyGrader"] = {
        "type": "object", "required": ["type"], "properties": {"type": {"type": "string", "const": "dummy"}},
    }
    union = schemas(d)["MultiSubGrader"]
    union["oneOf"].append({"$ref": "#/components/schemas/DummyGrader"})
    union["discriminator"]["mapping"]["dummy"] = "#/components/schemas/DummyGrader"


def _reasoning_effort_max(d: dict[str, Any]) -> None:
    node = schemas(d)["ReasoningEffort"]
    branch = next(b for b in node["anyOf"] if "enum" in b) if "anyOf" in node else node
    branch["enum"].append("max")


def _metadata_not_nullable(d: dict[str, Any]) -> None:
    node = schemas(d)["Metadata"]
    node.pop("anyOf")
    node.update({"type": "object", "additionalProperties": {"type": "string"}})


def _integrations_removed(d: dict[str, Any]) -> None:
    del fjob(d)["properties"]["integrations"]
    del schemas(d)["FineTuningIntegration"]
    del schemas(d)["WandbIntegration"]


def _operation_renamed(d: dict[str, Any]) -> None:
    next(iter(d["paths"].values()))["post"]["operationId"] = "resumeJob"


FRAGMENT_EDITS: dict[str, tuple[Callable[[dict[str, Any]], None], list[tuple[str, str, str, str, str]]]] = {
    # name: (edit, [(tier, side, kind, subject, message)])
    "enum value added": (_status_add, [
        ("risk", "response", "enum-value-added", "FineTuningJob.status", "new enum value 'paused' in status")]),
    "enum value removed": (_status_remove, [
        ("breaking", "response", "enum-value-removed", "FineTuningJob.status",
         "enum value 'cancelled' removed from status")]),
    "response field became optional": (_model_optional, [
        ("breaking", "response", "field-optional", "FineTuningJob.model", "model is now optional")]),
    "response field became nullable": (_set(_prop("FineTuningJob", "model"), "type", ["string", "null"]), [
        ("breaking", "response", "nullable-added", "FineTuningJob.model", "model is now nullable")]),
    "list item type changed": (lambda d: fjob(d)["properties"]["result_files"]["items"].update(type="integer"), [
        ("breaking", "response", "type-changed", "FineTuningJob.result_files",
         "result_files items changed type from str to int")]),
    "variant removed": (_python_grader_dropped, [
        ("breaking", "response", "variant-removed", "ReinforcementGrader",
         "variant PythonGrader (type=python) removed from ReinforcementGrader")]),
    "variant added": (_dummy_grader_added, [
        ("additive", "response", "model-added", "DummyGrader", "new model DummyGrader (used by MultiSubGrader)"),
        ("risk", "response", "variant-added", "MultiSubGrader", "new variant DummyGrader (type=dummy) in MultiSubGrader")]),
    "model renamed": (_string_check_renamed, [
        ("breaking", "response", "model-renamed", "StrCheckGrader",
         "model StringCheckGrader is now StrCheckGrader (same place)")]),
    "alias enum value added": (_reasoning_effort_max, [
        ("risk", "response", "enum-value-added", "ReasoningEffort", "new enum value 'max' in ReasoningEffort")]),
    "alias no longer nullable": (_metadata_not_nullable, [
        ("additive", "response", "nullable-removed", "Metadata", "Metadata is no longer nullable")]),
    "operation renamed": (_operation_renamed, [
        ("breaking", "request", "operation-renamed", "resume_job()",
         "method renamed from resume_fine_tuning_job() to resume_job() (operationId 'resumeFineTuningJob' is now "
         "'resumeJob')")]),
    "field and its models removed": (_integrations_removed, [
        ("breaking", "response", "field-removed", "FineTuningJob.integrations", "field integrations removed"),
        ("breaking", "response", "model-removed", "FineTuningIntegration", "model FineTuningIntegration removed"),
        ("breaking", "response", "model-removed", "WandbIntegration", "model WandbIntegration removed")]),
}


@pytest.mark.parametrize("name", list(FRAGMENT_EDITS))
def test_edit_of_the_fragment(tmp_path: Path, name: str) -> None:
    edit, expected = FRAGMENT_EDITS[name]
    doc = copy.deepcopy(BASE)
    edit(doc)
    report = changes.compare_files(str(FRAGMENT), str(write(tmp_path, doc, "new.yaml")))
    assert sorted((c.tier, c.side, c.kind, c.subject, c.message) for c in report.changes) == sorted(expected)


def test_no_change(main: Callable[..., Run]) -> None:
    report = changes.compare_files(str(FRAGMENT), str(FRAGMENT))
    assert report.changes == () and report.verdict == "none"
    run = main(str(FRAGMENT), str(FRAGMENT))
    assert (run.code, run.err) == (0, "")
    assert run.out == f"No changes to the generated package between {FRAGMENT} and {FRAGMENT}.\n"


def test_renames_by_field_set_and_by_name(tmp_path: Path) -> None:
    spec = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n" \
           "    Pet: {type: object, properties: {id: {type: integer}, name: {type: string}}}\n" \
           "    Tag: {type: object, properties: {label: {type: string}}}\n"
    old = tmp_path / "old.yaml"
    old.write_text(spec, encoding="utf-8")
    new = tmp_path / "new.yaml"
    new.write_text(spec.replace("Pet:", "Animal:").replace("label: {type: string}", "label: {type: integer}"),
                   encoding="utf-8")
    report = changes.compare_files(str(old), str(new))
    assert [(c.tier, c.side, c.kind, c.subject, c.message) for c in report.changes] == [
        ("breaking", "package", "model-renamed", "Animal", "model Pet is now Animal (same fields)"),
        ("breaking", "package", "type-changed", "Tag.label", "label changed type from str to int"),
    ]


def test_extracting_the_fragment_from_itself_changes_nothing(tmp_path: Path) -> None:
    doc = extract.extract(copy.deepcopy(BASE), "fine_tuning.yaml", ["resumeFineTuningJob"])
    assert set(schemas(doc)) == set(schemas(BASE))
    assert list(schemas(doc)) == sorted(schemas(BASE))  # only the order differs
    path = tmp_path / "self.yaml"
    path.write_text(extract.dump(doc, as_json=False), encoding="utf-8")
    assert changes.compare_files(str(FRAGMENT), str(path)).changes == ()


# ----- the whole snapshot --------------------------------------------------------------------


def test_a_whole_spec(tmp_path: Path) -> None:
    # the gate runs on a whole current spec (bench/run.py times it); one edit, one entry
    spec = load(SNAPSHOT)
    data = copy.deepcopy(spec.data)
    effort = data["components"]["schemas"]["ReasoningEffort"]
    branch = next(b for b in effort["anyOf"] if "enum" in b) if "anyOf" in effort else effort
    branch["enum"].append("max")
    old = lower(spec, "package")
    new = lower(dataclasses.replace(spec, data=data, documents={**spec.documents, spec.root_file: data}), "package")
    report = changes.diff(old, new)
    (change,) = report.changes
    assert (change.tier, change.kind, change.subject) == ("risk", "enum-value-added", "ReasoningEffort")
    assert change.side == "both" and len(change.methods) > 20
    assert changes.diff(old, old).changes == ()


# ----- reports ---------------------------------------------------------------------------------


def _three_tiers(d: dict[str, Any]) -> None:
    request(d)["required"].append("seed")  # breaking (request)
    job(d)["properties"]["status"]["enum"].append("paused")  # risk (response)
    add(job(d), "priority", {"type": "integer"}, False)  # additive (response)


def test_text_report(tmp_path: Path, main: Callable[..., Run]) -> None:
    old, new = jobs_pair(tmp_path, _three_tiers)
    run = main(str(old), str(new))
    assert run.code == 1 and run.err == ""
    assert run.out == (
        "Breaking (1):\n"
        "- create_job(seed) (request): seed is now required\n"
        "    methods: create_job\n"
        "    spec: /components/schemas/CreateJobRequest/properties/seed\n"
        "\n"
        "Risk (1):\n"
        "- Job.status (response): new enum value 'paused' in status\n"
        "    methods: create_job, get_job\n"
        "    spec: /components/schemas/Job/properties/status\n"
        "\n"
        "Additive (1):\n"
        "- Job.priority (response): new optional field priority (int | None)\n"
        "    methods: create_job, get_job\n"
        "    spec: /components/schemas/Job/properties/priority (new)\n"
        "\n"
        f"1 breaking, 1 risk and 1 additive changes between {old} and {new}: breaking.\n"
    )


def test_json_report(tmp_path: Path, main: Callable[..., Run]) -> None:
    old, new = jobs_pair(tmp_path, _three_tiers)
    run = main(str(old), str(new), "--format", "json")
    assert run.code == 1
    data = json.loads(run.out)
    assert list(data) == ["old", "new", "summary", "changes"]
    assert data["summary"] == {"breaking": 1, "risk": 1, "additive": 1, "verdict": "breaking", "accepted": 0}
    assert data["changes"][0] == {
        "tier": "breaking", "side": "request", "kind": "argument-required", "subject": "create_job(seed)",
        "methods": ["create_job"], "models": [], "old_pointer": "/components/schemas/CreateJobRequest/properties/seed",
        "new_pointer": "/components/schemas/CreateJobRequest/properties/seed", "renamed_from": None,
        "message": "seed is now required", "accepted": None}
    assert [c["tier"] for c in data["changes"]] == ["breaking", "risk", "additive"]
    assert data["changes"][2]["old_pointer"] is None  # a pointer is null where the thing does not exist
    assert main(str(old), str(new), "--format", "json").out == run.out  # stable


def test_markdown_report(tmp_path: Path, main: Callable[..., Run]) -> None:
    old, new = jobs_pair(tmp_path, _three_tiers)
    run = main(str(old), str(new), "--format", "markdown")
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0] == f"**API changes: breaking** (1 breaking, 1 risk, 1 additive) between `{old}` and `{new}`."
    assert [line for line in lines if line.startswith("#### ")] == ["#### Breaking (1)", "#### Risk (1)",
                                                                     "#### Additive (1)"]
    assert ("| `create_job(seed)` | request | seed is now required | `create_job` | "
            "`/components/schemas/CreateJobRequest/properties/seed` |") in lines
    assert "| `Job.status` | response | new enum value 'paused' in status | `create_job`, `get_job` | " \
           "`/components/schemas/Job/properties/status` |" in lines
    assert lines.count("| Subject | Side | Change | Methods | Spec |") == 3


def test_the_readme_markdown_example_is_what_changes_prints(tmp_path: Path, main: Callable[..., Run]) -> None:
    old, new = history_pair("9382a83-855e5d4", tmp_path)
    old.rename(tmp_path / "openai-old.yaml")
    new.rename(tmp_path / "openai-new.yaml")
    run = main("openai-old.yaml", "openai-new.yaml", "--format", "markdown")
    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    start = readme.index("> **API changes: breaking** (1 breaking, 1 risk, 1 additive) between `openai-old.yaml` and "
                         "`openai-new.yaml`.")
    block = []
    for line in readme[start:]:
        if not line.startswith(">"):
            break
        block.append(line[2:])
    assert run.out == "\n".join(block) + "\n"


def test_markdown_cells_hold_spec_text(tmp_path: Path, main: Callable[..., Run]) -> None:
    old, new = jobs_pair(tmp_path, lambda d: job(d)["properties"]["status"]["enum"].append("a|b\n<script>"))
    run = main(str(old), str(new), "--format", "markdown")
    row = next(line for line in run.out.splitlines() if line.startswith("| `Job.status`"))
    assert row.count(" | ") == 4 and "<script>" not in row and "a\\|b" in row


def test_github_annotations(tmp_path: Path, main: Callable[..., Run]) -> None:
    def edit(d: dict[str, Any]) -> None:
        _three_tiers(d)
        remove(job(d), "tags")

    old, new = jobs_pair(tmp_path, edit)
    run = main(str(old), str(new), "--format", "github")
    assert run.code == 1
    lines = run.out.splitlines()
    text = new.read_text(encoding="utf-8").splitlines()

    def line_of(fragment: str, after: str) -> int:
        start = next(i for i, line in enumerate(text) if line.strip().startswith(after))
        return next(i for i in range(start, len(text)) if text[i].strip().startswith(fragment)) + 1

    assert lines[1] == (f"::error file={new},line={line_of('seed:', 'CreateJobRequest:')},title=breaking (request)%3A "
                        "create_job(seed)::seed is now required; methods: create_job")
    # a removed field: the nearest place that still stands in NEW (Job's properties)
    assert lines[0].startswith(f"::error file={new},line={line_of('properties:', 'Job:')},title=breaking (response)%3A "
                               "Job.tags::field tags removed")
    assert lines[2].startswith(f"::warning file={new},line={line_of('status:', 'Job:')},title=risk")
    assert lines[3].startswith(f"::notice file={new},line={line_of('priority:', 'Job:')},title=additive")
    assert lines[-1].startswith("2 breaking, 1 risk and 1 additive changes between ")


# ----- the gate ------------------------------------------------------------------------------


@pytest.mark.parametrize("edit, codes", [
    (_three_tiers, {"breaking": 1, "risk": 1, "additive": 1}),
    (lambda d: job(d)["properties"]["status"]["enum"].append("paused"), {"breaking": 0, "risk": 1, "additive": 1}),
    (lambda d: add(job(d), "priority", {"type": "integer"}, False), {"breaking": 0, "risk": 0, "additive": 1}),
    (lambda d: None, {"breaking": 0, "risk": 0, "additive": 0}),
], ids=["breaking", "risk", "additive", "nothing"])
def test_fail_on(tmp_path: Path, main: Callable[..., Run], edit: Callable[[dict[str, Any]], None],
                 codes: dict[str, int]) -> None:
    old, new = jobs_pair(tmp_path, edit)
    for tier, code in codes.items():
        assert main(str(old), str(new), "--fail-on", tier).code == code, tier
    assert main(str(old), str(new)).code == codes["breaking"]  # the default


def test_accept_file(tmp_path: Path, main: Callable[..., Run]) -> None:
    old, new = jobs_pair(tmp_path, _three_tiers)
    accept = tmp_path / "accepted.yaml"
    accept.write_text(
        "- {subject: create_job(seed), tier: breaking, reason: every caller passes a seed already}\n"
        "- {subject: Job.status, tier: breaking, reason: 'wrong tier: matches nothing'}\n"
        "- {subject: Job.priority, tier: additive, side: request, reason: 'wrong side: matches nothing'}\n",
        encoding="utf-8")
    run = main(str(old), str(new), "--accept", str(accept), "--format", "json")
    assert run.code == 0  # the risk does not fail --fail-on breaking
    assert run.err.splitlines() == [
        f"warning: {accept}: /1: accepts nothing: no breaking change to Job.status",
        f"warning: {accept}: /2: accepts nothing: no additive change to Job.priority on the request side",
    ]
    data = json.loads(run.out)
    assert data["summary"] == {"breaking": 0, "risk": 1, "additive": 1, "verdict": "risk", "accepted": 1}
    assert [c["accepted"] for c in data["changes"]] == ["every caller passes a seed already", None, None]
    assert main(str(old), str(new), "--accept", str(accept), "--fail-on", "risk").code == 1
    text = main(str(old), str(new), "--accept", str(accept)).out
    assert "Accepted (1):\n- create_job(seed) (breaking, request): seed is now required\n" in text
    assert "    accepted: every caller passes a seed already\n" in text
    assert text.endswith(f"0 breaking, 1 risk and 1 additive changes (1 accepted) between {old} and {new}: risk.\n")
    markdown = main(str(old), str(new), "--accept", str(accept), "--format", "markdown").out
    assert "| `create_job(seed)` | breaking | request | seed is now required | every caller passes a seed already |" \
        in markdown.splitlines()
    github = main(str(old), str(new), "--accept", str(accept), "--format", "github").out
    assert github.splitlines()[0].startswith("::notice ") and "accepted: every caller" in github.splitlines()[0]


def test_accept_from_the_configuration(tmp_path: Path, main: Callable[..., Run]) -> None:
    old, new = jobs_pair(tmp_path, lambda d: request(d)["required"].append("seed"))
    (tmp_path / "reviewed.yaml").write_text(
        "- subject: create_job(seed)\n  tier: breaking\n  side: request\n  reason: reviewed\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.oas-dataclasses]\naccept = "reviewed.yaml"\n', encoding="utf-8")
    assert main(str(old), str(new)).code == 0
    assert main(str(old), str(new), "--no-accept").code == 1
    (tmp_path / "other.yaml").write_text("[]\n", encoding="utf-8")
    assert main(str(old), str(new), "--accept", "other.yaml").code == 1  # the flag wins


@pytest.mark.parametrize("text, message", [
    ("{subject: x}\n", "/: an accept file is a list of {subject, tier, reason} entries"),
    ("- just a string\n", "/0: an entry is a mapping with subject, tier and reason"),
    ("- {subject: x, tier: breaking}\n", "/0/reason: reason is required and must be a non-empty string"),
    ("- {subject: x, tier: severe, reason: r}\n", "/0/tier: 'severe' is not a tier (expected one of breaking, risk, "
                                                   "additive)"),
    ("- {subject: x, tier: risk, reason: r, side: server}\n", "/0/side: 'server' is not a side"),
    ("- {subject: x, tier: risk, reason: r, why: r}\n", "/0: unknown key(s) why"),
    ("- {subject: x, tier: risk\n", "line 2, column 1: invalid YAML"),
])
def test_bad_accept_file(tmp_path: Path, main: Callable[..., Run], text: str, message: str) -> None:
    accept = tmp_path / "accepted.yaml"
    accept.write_text(text, encoding="utf-8")
    run = main(str(FRAGMENT), str(FRAGMENT), "--accept", str(accept))
    assert run.code == 2 and run.out == ""
    assert run.err.startswith(f"error: {accept}: {message}") and run.err.count("\n") == 1, run.err


def test_bad_input_exits_2(tmp_path: Path) -> None:
    result = run_cli("changes", "schema/fine_tuning.yaml", "missing.yaml", "--no-accept")
    assert result.returncode == 2
    assert result.stdout == "" and result.stderr == "error: missing.yaml: no such file\n"
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n"
                   "    A: {type: object, properties: {x: {type: int}}}\n", encoding="utf-8")
    result = run_cli("changes", "schema/fine_tuning.yaml", str(bad), "--no-accept")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "/components/schemas/A/properties/x/type: unknown type 'int'" in result.stderr
    for flag, value, expected in (
        ("--format", "xml", "error: --format 'xml': expected one of text, json, markdown, github\n"),
        ("--fail-on", "minor", "error: --fail-on 'minor': expected one of breaking, risk, additive\n"),
        ("--accept", "missing-accept.yaml", "error: missing-accept.yaml: no such file\n"),
    ):
        result = run_cli("changes", "schema/fine_tuning.yaml", "schema/fine_tuning.yaml", flag, value)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", expected)


def test_report_helpers() -> None:
    change = changes.Change("risk", "response", "enum-value-added", "A.b", (), (), "/x", "/x", None, "m")
    report = changes.Report("o", "n", (change, dataclasses.replace(change, tier="additive", accepted="ok")))
    assert report.verdict == "risk" and len(report.open) == 1 and len(report.accepted) == 1
    assert report.fails("risk") and not report.fails("breaking")
    assert reports.summary(report) == "0 breaking, 1 risk and 0 additive change (1 accepted) between o and n: risk."
