"""``python -m generator changes OLD NEW``: what a spec change does to code using the package.

Real history: the curated fragment against the same operation extracted from the
upstream snapshot (the snapshot is loaded once; skipped when absent). Synthetic
history: hand-made edits of the curated fragment, each with exactly the changes it
must report.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from generator import changes, extract
from generator.load import load

from .snapshot import SNAPSHOT

REPO = Path(__file__).resolve().parents[1]
FRAGMENT = REPO / "schema" / "fine_tuning.yaml"

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


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def by_path(change: tuple[str, str, str]) -> tuple[str, str, str]:
    kind, path, detail = change
    return path, kind, detail


def triples(group: tuple[changes.Change, ...]) -> list[tuple[str, str, str]]:
    return [(c.kind, c.path, c.detail) for c in group]


# ----- real history ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def upstream_fragment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    doc = extract.extract(load(SNAPSHOT).data, SNAPSHOT.name, ["resumeFineTuningJob"])
    path = tmp_path_factory.mktemp("upstream") / "resume.yaml"
    path.write_text(extract.dump(doc, as_json=False), encoding="utf-8")
    return path


def test_upstream_to_curated_is_renames_only(upstream_fragment: Path) -> None:
    report = changes.compare_files(str(upstream_fragment), str(FRAGMENT))
    assert report.breaking == ()
    assert report.renames == RENAMES
    named = [(c.path, c.detail) for c in report.changes if c.kind == "alias_named"]
    assert named == [
        (alias, f"type alias added for a type that was written inline (used by {use})")
        for alias, use in sorted(HOISTED_UNIONS.items())
    ]
    # nothing else: fields, types, requiredness, nullability and enums agree upstream
    assert len(report.changes) == len(RENAMES) + len(HOISTED_UNIONS)
    renamed = [c for c in report.changes if c.kind == "model_renamed"]
    assert ("model_renamed", "StringCheckGrader", "model renamed from GraderStringCheck (same place)") in triples(
        tuple(renamed))


def test_curated_to_upstream_is_renames_only(upstream_fragment: Path) -> None:
    report = changes.compare_files(str(FRAGMENT), str(upstream_fragment))
    assert report.breaking == ()
    assert report.renames == {new: old for old, new in RENAMES.items()}
    assert sorted(c.path for c in report.changes if c.kind == "alias_inlined") == sorted(HOISTED_UNIONS)
    assert len(report.changes) == len(RENAMES) + len(HOISTED_UNIONS)


def test_real_history_through_the_cli(upstream_fragment: Path) -> None:
    result = run_cli("changes", str(upstream_fragment), "schema/fine_tuning.yaml")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Additive changes ({len(RENAMES) + 2}):"
    assert "- StringCheckGrader: model renamed from GraderStringCheck (same place)" in lines
    assert lines[-1] == (f"0 breaking and {len(RENAMES) + 2} additive changes between {upstream_fragment} "
                         "and schema/fine_tuning.yaml: not breaking.")
    assert "Breaking" not in result.stdout
    result = run_cli("changes", str(upstream_fragment), "schema/fine_tuning.yaml", "--format", "json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["breaking"] == []
    assert {"kind": "model_renamed", "path": "StringCheckGrader",
            "detail": "model renamed from GraderStringCheck (same place)",
            "old": "GraderStringCheck", "new": "StringCheckGrader"} in data["additive"]


# ----- synthetic history: edits of the curated fragment ---------------------------------------

BASE: dict[str, Any] = yaml.safe_load(FRAGMENT.read_text(encoding="utf-8"))


def schemas(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["components"]["schemas"]


def job(doc: dict[str, Any]) -> dict[str, Any]:
    return schemas(doc)["FineTuningJob"]


def _status_add(d: dict[str, Any]) -> None:
    job(d)["properties"]["status"]["enum"].append("paused")


def _status_remove(d: dict[str, Any]) -> None:
    job(d)["properties"]["status"]["enum"].remove("cancelled")


def _model_optional(d: dict[str, Any]) -> None:
    job(d)["required"].remove("model")


def _model_nullable(d: dict[str, Any]) -> None:
    job(d)["properties"]["model"]["type"] = ["string", "null"]


def _estimated_finish_required(d: dict[str, Any]) -> None:
    job(d)["required"].append("estimated_finish")


def _trained_tokens_removed(d: dict[str, Any]) -> None:
    del job(d)["properties"]["trained_tokens"]
    job(d)["required"].remove("trained_tokens")


def _priority_added(d: dict[str, Any]) -> None:
    job(d)["properties"]["priority"] = {"type": "integer"}
    job(d)["required"].append("priority")


def _seed_string(d: dict[str, Any]) -> None:
    job(d)["properties"]["seed"]["type"] = "string"


def _result_files_ints(d: dict[str, Any]) -> None:
    job(d)["properties"]["result_files"]["items"]["type"] = "integer"


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


def _string_check_renamed(d: dict[str, Any]) -> None:
    text = yaml.safe_dump(d, sort_keys=False, allow_unicode=True)
    d.clear()
    d.update(yaml.safe_load(text.replace("StringCheckGrader", "StrCheckGrader")))


def _reasoning_effort_max(d: dict[str, Any]) -> None:
    node = schemas(d)["ReasoningEffort"]
    branch = next(b for b in node["anyOf"] if "enum" in b) if "anyOf" in node else node
    branch["enum"].append("max")


def _metadata_not_nullable(d: dict[str, Any]) -> None:
    node = schemas(d)["Metadata"]
    node.pop("anyOf")
    node.update({"type": "object", "additionalProperties": {"type": "string"}})


def _operation_renamed(d: dict[str, Any]) -> None:
    next(iter(d["paths"].values()))["post"]["operationId"] = "resumeJob"


def _operation_removed(d: dict[str, Any]) -> None:
    d["paths"] = {}


def _integrations_removed(d: dict[str, Any]) -> None:
    del job(d)["properties"]["integrations"]
    del schemas(d)["FineTuningIntegration"]
    del schemas(d)["WandbIntegration"]


EDITS: dict[str, tuple[Callable[[dict[str, Any]], None], list[tuple[str, str, str]], list[tuple[str, str, str]]]] = {
    # name: (edit, breaking [(kind, path, detail)], additive [...])
    "enum value added": (_status_add, [], [
        ("enum_value_added", "FineTuningJob.status", "enum value 'paused' added")]),
    "enum value removed": (_status_remove, [
        ("enum_value_removed", "FineTuningJob.status", "enum value 'cancelled' removed")], []),
    "response field became optional": (_model_optional, [
        ("required_changed", "FineTuningJob.model", "became optional")], []),
    "response field became nullable": (_model_nullable, [
        ("nullable_changed", "FineTuningJob.model", "became nullable")], []),
    "response field became required": (_estimated_finish_required, [], [
        ("required_changed", "FineTuningJob.estimated_finish", "became required")]),
    "field removed": (_trained_tokens_removed, [
        ("field_removed", "FineTuningJob.trained_tokens", "field removed")], []),
    "required response field added": (_priority_added, [], [
        ("field_added", "FineTuningJob.priority", "required field added (int)")]),
    "type changed": (_seed_string, [
        ("type_changed", "FineTuningJob.seed", "type changed from int to str")], []),
    "list item type changed": (_result_files_ints, [
        ("type_changed", "FineTuningJob.result_files[]", "type changed from str to int")], []),
    "variant removed": (_python_grader_dropped, [
        ("variant_removed", "ReinforcementGrader", "variant PythonGrader (type=python) removed")], []),
    "variant added": (_dummy_grader_added, [], [
        ("model_added", "DummyGrader", "model added (used by MultiSubGrader)"),
        ("variant_added", "MultiSubGrader", "variant DummyGrader (type=dummy) added")]),
    "model renamed": (_string_check_renamed, [], [
        ("model_renamed", "StrCheckGrader", "model renamed from StringCheckGrader (same place)")]),
    "alias enum value added": (_reasoning_effort_max, [], [
        ("enum_value_added", "ReasoningEffort", "enum value 'max' added")]),
    "alias no longer nullable": (_metadata_not_nullable, [], [
        ("nullable_changed", "Metadata", "no longer nullable")]),
    "operation renamed": (_operation_renamed, [
        ("operation_renamed", "resume_job()",
         "operation renamed from resume_fine_tuning_job() (operationId 'resumeFineTuningJob' -> 'resumeJob')")], []),
    "operation removed": (_operation_removed, [
        ("operation_removed", "resume_fine_tuning_job()",
         "operation removed (POST /fine_tuning/jobs/{fine_tuning_job_id}/resume)")], []),
    "field and its models removed": (_integrations_removed, [
        ("field_removed", "FineTuningJob.integrations", "field removed"),
        ("model_removed", "FineTuningIntegration", "model removed"),
        ("model_removed", "WandbIntegration", "model removed")], []),
}


def edited(tmp_path: Path, edit: Callable[[dict[str, Any]], None], name: str = "new.yaml") -> Path:
    doc = copy.deepcopy(BASE)
    edit(doc)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(EDITS))
def test_hand_made_edit(tmp_path: Path, name: str) -> None:
    edit, breaking, additive = EDITS[name]
    report = changes.compare_files(str(FRAGMENT), str(edited(tmp_path, edit)))
    assert triples(report.breaking) == sorted(breaking, key=by_path)
    assert triples(report.additive) == sorted(additive, key=by_path)


def test_no_change() -> None:
    report = changes.compare_files(str(FRAGMENT), str(FRAGMENT))
    assert report.changes == ()
    assert json.loads(report.json()) == {"old": str(FRAGMENT), "new": str(FRAGMENT), "breaking": [], "additive": []}
    result = run_cli("changes", "schema/fine_tuning.yaml", "schema/fine_tuning.yaml")
    assert result.returncode == 0
    assert result.stdout == (
        "No changes to the generated package between schema/fine_tuning.yaml and schema/fine_tuning.yaml.\n"
    )


def test_cli_text_and_json_for_a_breaking_change(tmp_path: Path) -> None:
    def several(d: dict[str, Any]) -> None:
        _status_add(d)
        _status_remove(d)
        _model_optional(d)
        _string_check_renamed(d)

    new = edited(tmp_path, several)
    result = run_cli("changes", str(FRAGMENT), str(new))
    assert result.returncode == 1, result.stderr
    assert result.stdout == (
        "Breaking changes (2):\n"
        "- FineTuningJob.model: became optional\n"
        "- FineTuningJob.status: enum value 'cancelled' removed\n"
        "\n"
        "Additive changes (2):\n"
        "- FineTuningJob.status: enum value 'paused' added\n"
        "- StrCheckGrader: model renamed from StringCheckGrader (same place)\n"
        "\n"
        "Renames keep code that reads the models working; imports of an old name must change.\n"
        "\n"
        f"2 breaking and 2 additive changes between {FRAGMENT} and {new}: breaking.\n"
    )
    again = run_cli("changes", str(FRAGMENT), str(new), "--format", "json")
    assert again.returncode == 1
    data = json.loads(again.stdout)
    assert list(data) == ["old", "new", "breaking", "additive"]
    assert data["breaking"] == [
        {"kind": "required_changed", "path": "FineTuningJob.model", "detail": "became optional",
         "old": True, "new": False},
        {"kind": "enum_value_removed", "path": "FineTuningJob.status", "detail": "enum value 'cancelled' removed",
         "old": "cancelled", "new": None},
    ]
    assert [c["kind"] for c in data["additive"]] == ["enum_value_added", "model_renamed"]
    assert run_cli("changes", str(FRAGMENT), str(new), "--format", "json").stdout == again.stdout


def test_bad_input_exits_2(tmp_path: Path) -> None:
    result = run_cli("changes", "schema/fine_tuning.yaml", "missing.yaml")
    assert result.returncode == 2
    assert result.stdout == "" and result.stderr == "error: missing.yaml: no such file\n"
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n"
                   "    A: {type: object, properties: {x: {type: int}}}\n", encoding="utf-8")
    result = run_cli("changes", "schema/fine_tuning.yaml", str(bad))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "/components/schemas/A/properties/x/type: unknown type 'int'" in result.stderr
    result = run_cli("changes", "schema/fine_tuning.yaml", "--format", "xml", "schema/fine_tuning.yaml")
    assert result.returncode == 2


# ----- request and response sides --------------------------------------------------------------

SIDES = """\
openapi: 3.1.0
info: {title: Sides, version: "1"}
paths:
  /things/{filter}:
    get:
      operationId: getThing
      parameters:
        - {name: filter, in: path, required: true, schema: {$ref: "#/components/schemas/Filter"}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
components:
  schemas:
    Filter:
      type: object
      required: [a]
      properties: {a: {type: string}, b: {type: string}}
    Thing:
      type: object
      required: [id]
      properties: {id: {type: string}, note: {type: string}}
"""


def _sides(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> changes.Report:
    old = tmp_path / "old.yaml"
    old.write_text(SIDES, encoding="utf-8")
    doc = yaml.safe_load(SIDES)
    edit(doc)
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return changes.compare_files(str(old), str(new))


def test_request_and_response_sides(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        f, t = schemas(d)["Filter"], schemas(d)["Thing"]
        f["required"] = ["b", "c"]  # a: optional (fine), b: required (breaks callers)
        f["properties"]["c"] = {"type": "string"}  # a new required request field breaks callers
        t["required"] = ["note", "extra"]  # id: optional (breaks readers), note: required (fine)
        t["properties"]["extra"] = {"type": "string"}  # a new required response field is fine
        f["properties"]["a"]["type"] = ["string", "null"]  # accepting null is fine
        t["properties"]["note"]["type"] = ["string", "null"]  # sending null breaks readers

    report = _sides(tmp_path, edit)
    assert triples(report.breaking) == [
        ("required_changed", "Filter.b", "became required"),
        ("field_added", "Filter.c", "required field added (str)"),
        ("required_changed", "Thing.id", "became optional"),
        ("nullable_changed", "Thing.note", "became nullable"),
    ]
    assert triples(report.additive) == [
        ("nullable_changed", "Filter.a", "became nullable"),
        ("required_changed", "Filter.a", "became optional"),
        ("field_added", "Thing.extra", "required field added (str)"),
        ("required_changed", "Thing.note", "became required"),
    ]


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
    assert triples(report.changes) == [
        ("model_renamed", "Animal", "model renamed from Pet (same fields)"),
        ("type_changed", "Tag.label", "type changed from str to int"),
    ]
    assert [c.breaking for c in report.changes] == [False, True]


def test_extracting_the_fragment_from_itself_changes_nothing(tmp_path: Path) -> None:
    doc = extract.extract(copy.deepcopy(BASE), "fine_tuning.yaml", ["resumeFineTuningJob"])
    assert set(schemas(doc)) == set(schemas(BASE))
    assert list(schemas(doc)) == sorted(schemas(BASE))  # only the order differs
    path = tmp_path / "self.yaml"
    path.write_text(extract.dump(doc, as_json=False), encoding="utf-8")
    assert changes.compare_files(str(FRAGMENT), str(path)).changes == ()
