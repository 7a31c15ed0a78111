"""Behaviour of the committed generated models (generated/fine_tuning_client)."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any, Callable

import jsonschema
import pytest
import referencing
import yaml
from referencing.jsonschema import DRAFT202012

import fine_tuning_client as ftc
from fine_tuning_client import DecodeError, FineTuningJob
from tests.instances import InstanceMaker

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "schema" / "examples").glob("*.json"))
RICH = ROOT / "schema" / "examples" / "reinforcement-multi-grader.json"
UPSTREAM_EXAMPLE = ROOT / "tests" / "data" / "upstream-resume-example.json"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fragment() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "schema" / "fine_tuning.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(fragment: dict[str, Any]) -> jsonschema.Draft202012Validator:
    resource = DRAFT202012.create_resource(fragment)
    registry = referencing.Registry().with_resource("urn:fragment", resource)
    return jsonschema.Draft202012Validator(
        {"$ref": "urn:fragment#/components/schemas/FineTuningJob"}, registry=registry
    )


# ----- round trips ----------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("strict", [True, False], ids=["strict", "lenient"])
def test_examples_round_trip(path: Path, strict: bool) -> None:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert FineTuningJob.from_dict(data, strict=strict).to_dict() == data
    job = FineTuningJob.from_json(text, strict=strict)
    assert job.to_dict() == data
    assert json.loads(job.to_json()) == data
    assert FineTuningJob.from_json(text.encode("utf-8"), strict=strict).to_dict() == data


def test_examples_cover_every_grader_and_content_kind() -> None:
    seen: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("type"), str):
                seen.add(node["type"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in EXAMPLES:
        walk(load(path))
    wanted = {"string_check", "text_similarity", "python", "score_model", "multi", "label_model",
              "input_text", "output_text", "input_image", "input_audio", "supervised", "dpo", "reinforcement"}
    assert wanted <= seen


def test_decoded_types_follow_the_schema() -> None:
    job = FineTuningJob.from_json(RICH.read_text(encoding="utf-8"))
    grader = job.method.reinforcement.grader  # type: ignore[union-attr]
    assert isinstance(grader, ftc.MultiGrader)
    assert isinstance(grader.graders, ftc.ScoreModelGrader)
    contents = [m.content for m in grader.graders.input]
    assert isinstance(contents[0], str)
    assert [type(c) for c in contents[1:5]] == [ftc.ResponseInputText, ftc.OutputText, ftc.InputImage, ftc.ResponseInputAudio]
    mixed = contents[5]
    assert isinstance(mixed, list)
    assert isinstance(mixed[0], str)
    assert {type(x) for x in mixed[1:]} == {ftc.ResponseInputText, ftc.OutputText, ftc.InputImage, ftc.ResponseInputAudio}
    assert isinstance(job.integrations[0].wandb, ftc.WandbIntegration)  # type: ignore[index]


@pytest.mark.parametrize("seed", range(150))
def test_unseen_valid_payloads_round_trip(seed: int, fragment: dict[str, Any],
                                         validator: jsonschema.Draft202012Validator) -> None:
    maker = InstanceMaker(fragment, random.Random(seed))
    data = maker.make({"$ref": "#/components/schemas/FineTuningJob"})
    validator.validate(data)  # the maker itself is checked against the schema
    for strict in (True, False):
        assert FineTuningJob.from_dict(copy.deepcopy(data), strict=strict).to_dict() == data
    assert FineTuningJob.from_json(json.dumps(data)).to_dict() == data


# ----- absent and null ------------------------------------------------------------------


def test_absent_stays_absent_and_null_stays_null() -> None:
    data = load(RICH)
    data["estimated_finish"] = None  # optional and nullable: explicit null
    data.pop("integrations", None)  # optional: absent
    data["method"]["reinforcement"]["grader"]["graders"]["sampling_params"] = {"seed": None}
    out = FineTuningJob.from_dict(data).to_dict()
    assert out == data
    assert "integrations" not in out and out["estimated_finish"] is None
    assert out["method"]["reinforcement"]["grader"]["graders"]["sampling_params"] == {"seed": None}


def test_object_built_in_code_writes_required_always_and_optional_when_set() -> None:
    err = ftc.FineTuningJobError(code="c", message="m", param=None)
    assert err.to_dict() == {"code": "c", "message": "m", "param": None}
    hp = ftc.SupervisedHyperparameters(n_epochs=3)
    assert hp.to_dict() == {"n_epochs": 3}
    method = ftc.FineTuneMethod(type="supervised", supervised=ftc.SupervisedMethod(hyperparameters=hp))
    assert method.to_dict() == {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 3}}}
    with pytest.raises(TypeError):
        ftc.FineTuningJobError("c", "m", None)  # type: ignore[misc]  # keyword-only


def test_mutation_after_decoding_is_followed_by_to_dict() -> None:
    data = load(RICH)
    job = FineTuningJob.from_dict(data)
    job.status = "cancelled"
    job.estimated_finish = None
    job.seed = 7
    job.metadata = None
    out = job.to_dict()
    assert out["status"] == "cancelled" and out["seed"] == 7
    assert "estimated_finish" not in out  # optional set to None: left out
    assert "metadata" not in out


def test_schema_defaults_are_documented_not_injected() -> None:
    hp = ftc.SupervisedHyperparameters.from_dict({})
    assert hp.batch_size is None and hp.to_dict() == {}
    assert "Server default" in (Path(ftc.models.__file__).read_text(encoding="utf-8"))


def test_unknown_keys_are_kept_and_written_back() -> None:
    data = load(RICH)
    data["brand_new"] = {"nested": [1, 2]}
    data["method"]["reinforcement"]["hyperparameters"]["future_knob"] = 0.5
    for strict in (True, False):
        assert FineTuningJob.from_dict(data, strict=strict).to_dict() == data


# ----- strict failures: one error, naming the JSON path ---------------------------------

G = ["method", "reinforcement", "grader"]
S = G + ["graders"]


def setp(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(d: dict[str, Any]) -> None:
        node: Any = d
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return apply


def delp(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def apply(d: dict[str, Any]) -> None:
        node: Any = d
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return apply


CONTENT_KINDS = "'input_text', 'output_text', 'input_image', 'input_audio'"
STRICT_CASES = [
    (setp(["seed"], True), "$.seed: expected integer, got true"),
    (setp(["seed"], "1"), "$.seed: expected integer, got '1'"),
    (setp(["created_at"], 1.5), "$.created_at: expected integer, got 1.5"),
    (delp(["model"]), "$: missing required key 'model'"),
    (setp(["model"], None), "$.model: expected string, got null"),
    (setp(["status"], "paused"),
     "$.status: 'paused' is not one of 'validating_files', 'queued', 'running', 'succeeded', 'failed', 'cancelled'"),
    (setp(["object"], "job"), "$.object: 'job' is not one of 'fine_tuning.job'"),
    (setp(["error"], "boom"), "$.error: expected object, got 'boom'"),
    (setp(["result_files"], ["file-a", 7]), "$.result_files[1]: expected string, got 7"),
    (setp(["metadata", "team"], 5), "$.metadata.team: expected string, got 5"),
    (setp(["hyperparameters", "batch_size"], "big"), "$.hyperparameters.batch_size: expected 'auto', integer or null, got 'big'"),
    (setp(["hyperparameters", "n_epochs"], None), "$.hyperparameters.n_epochs: expected 'auto' or integer, got null"),
    (setp(["method", "type"], "rlhf"), "$.method.type: 'rlhf' is not one of 'supervised', 'dpo', 'reinforcement'"),
    (setp(G + ["type"], "weird"),
     "$.method.reinforcement.grader.type: 'weird' is not one of 'string_check', 'text_similarity', 'python', 'score_model', 'multi'"),
    (delp(G + ["type"]), "$.method.reinforcement.grader: missing required key 'type'"),
    (setp(S + ["input", 2, "content", "type"], "weird"),
     f"$.method.reinforcement.grader.graders.input[2].content.type: 'weird' is not one of {CONTENT_KINDS}"),
    (setp(S + ["input", 5, "content", 3], {"type": "nope"}),
     f"$.method.reinforcement.grader.graders.input[5].content[3].type: 'nope' is not one of {CONTENT_KINDS}"),
    (setp(S + ["input", 0, "content"], 42),
     "$.method.reinforcement.grader.graders.input[0].content: expected string, object or array, got 42"),
    (setp(S + ["input", 1, "role"], "robot"),
     "$.method.reinforcement.grader.graders.input[1].role: 'robot' is not one of 'user', 'assistant', 'system', 'developer'"),
    (setp(S + ["input", 4, "content", "input_audio", "format"], "ogg"),
     "$.method.reinforcement.grader.graders.input[4].content.input_audio.format: 'ogg' is not one of 'mp3', 'wav'"),
    (setp(S + ["sampling_params", "reasoning_effort"], "max"),
     "$.method.reinforcement.grader.graders.sampling_params.reasoning_effort: "
     "'max' is not one of 'none', 'minimal', 'low', 'medium', 'high', 'xhigh'"),
    (setp(S + ["range", 0], "low"), "$.method.reinforcement.grader.graders.range[0]: expected number, got 'low'"),
    (setp(S, [{"type": "string_check"}]), "$.method.reinforcement.grader.graders: expected object, got an array"),
    (setp(["integrations", 0, "wandb", "tags"], "x"), "$.integrations[0].wandb.tags: expected array, got 'x'"),
    (setp(["integrations", 0, "type"], 1), "$.integrations[0].type: 1 is not one of 'wandb'"),
]


@pytest.mark.parametrize("mutate,message", STRICT_CASES, ids=[m for _, m in STRICT_CASES])
def test_strict_errors_name_the_path(mutate: Callable[[dict[str, Any]], None], message: str) -> None:
    data = load(RICH)
    mutate(data)
    with pytest.raises(DecodeError) as info:
        FineTuningJob.from_dict(data)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError) and isinstance(info.value, ftc.ClientError)
    # one error, not a cascade
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__
    # lenient decoding keeps the same payload exactly as it came
    assert FineTuningJob.from_dict(data, strict=False).to_dict() == data


def test_json_schema_integer_and_boolean_semantics() -> None:
    data = load(RICH)
    data["seed"] = 42.0  # 1.0 is an integer in JSON Schema
    assert FineTuningJob.from_dict(data).to_dict() == data
    data["seed"] = False
    with pytest.raises(DecodeError, match=r"\$\.seed: expected integer, got false"):
        FineTuningJob.from_dict(data)


def test_not_json_and_not_an_object() -> None:
    with pytest.raises(DecodeError, match="invalid JSON") as info:
        FineTuningJob.from_json("{not json")
    assert isinstance(info.value.__cause__, json.JSONDecodeError)
    for strict in (True, False):
        with pytest.raises(DecodeError, match=r"^\$: expected object, got an array$"):
            FineTuningJob.from_json("[1, 2]", strict=strict)


def test_decode_error_pickles_with_its_path() -> None:
    import pickle

    data = load(RICH)
    data["seed"] = "x"
    with pytest.raises(DecodeError) as info:
        FineTuningJob.from_dict(data)
    again = pickle.loads(pickle.dumps(info.value))
    assert str(again) == str(info.value) and again.path == "$.seed"


# ----- lenient: a server newer than the spec --------------------------------------------


def drifted() -> dict[str, Any]:
    data = load(RICH)
    data["status"] = "paused"  # the live API returns it; the snapshot does not list it
    data["method"]["reinforcement"]["hyperparameters"]["reasoning_effort"] = "max"
    data["method"]["reinforcement"]["grader"]["graders"]["sampling_params"]["reasoning_effort"] = "max"
    data["method"]["type"] = "distillation"
    data["method"]["distillation"] = {"teacher": "gpt-9"}
    data["shiny_new_field"] = [1, {"a": None}]
    data["integrations"].append({"type": "comet", "comet": {"project": "p"}})
    data["method"]["reinforcement"]["grader"]["graders"]["input"].append(
        {"role": "user", "content": {"type": "input_video", "video_url": "https://example.com/v.mp4"}}
    )
    del data["seed"]  # a required key missing
    data["trained_tokens"] = "lots"  # a mistyped value
    return data


def test_lenient_keeps_a_drifted_payload_exactly() -> None:
    data = drifted()
    with pytest.raises(DecodeError):
        FineTuningJob.from_dict(copy.deepcopy(data))
    job = FineTuningJob.from_dict(copy.deepcopy(data), strict=False)
    assert job.to_dict() == data
    assert json.loads(job.to_json()) == data
    assert job.status == "paused" and job.seed is None and job.trained_tokens == "lots"
    video = job.method.reinforcement.grader.graders.input[-1].content  # type: ignore[union-attr]
    assert video == {"type": "input_video", "video_url": "https://example.com/v.mp4"}  # kept raw


def test_lenient_unknown_grader_type_is_kept_raw() -> None:
    data = load(RICH)
    data["method"]["reinforcement"]["grader"] = {"type": "endpoint", "name": "e", "url": "https://x"}
    job = FineTuningJob.from_dict(data, strict=False)
    assert job.method.reinforcement.grader == data["method"]["reinforcement"]["grader"]  # type: ignore[union-attr]
    assert job.to_dict() == data


def test_lenient_multi_grader_as_name_keyed_map() -> None:
    # Upstream examples show `graders` as a map of named graders; the spec says one grader.
    data = load(RICH)
    data["method"]["reinforcement"]["grader"]["graders"] = {
        "a": {"type": "string_check", "name": "a", "input": "x", "reference": "y", "operation": "eq"},
    }
    with pytest.raises(DecodeError, match=r"graders\.type: missing|graders: missing required key 'type'"):
        FineTuningJob.from_dict(copy.deepcopy(data))
    assert FineTuningJob.from_dict(data, strict=False).to_dict() == data


def test_upstream_resume_example_is_kept_in_lenient_mode() -> None:
    data = load(UPSTREAM_EXAMPLE)
    with pytest.raises(DecodeError, match="missing required key"):
        FineTuningJob.from_dict(data)
    job = FineTuningJob.from_dict(data, strict=False)
    assert job.to_dict() == data
    assert job.hyperparameters is None  # absent required key reads None


def test_lenient_missing_required_key_stays_missing_until_set() -> None:
    data = load(RICH)
    del data["seed"]
    job = FineTuningJob.from_dict(data, strict=False)
    assert "seed" not in job.to_dict()
    job.seed = 3
    assert job.to_dict()["seed"] == 3


def test_lenient_never_raises_for_any_object(fragment: dict[str, Any]) -> None:
    rng = random.Random(7)
    values: list[Any] = [None, True, 0, -1.5, "", "x", [], [None], {}, {"type": "weird"}]
    base = load(RICH)

    def paths(node: Any, prefix: list[Any]) -> list[list[Any]]:
        out = [prefix]
        if isinstance(node, dict):
            for k, v in node.items():
                out += paths(v, prefix + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                out += paths(v, prefix + [i])
        return out

    all_paths = [p for p in paths(base, []) if p]
    for _ in range(300):
        data = copy.deepcopy(base)
        setp(rng.choice(all_paths), rng.choice(values))(data)
        assert FineTuningJob.from_dict(data, strict=False).to_dict() == data
