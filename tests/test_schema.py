"""Checks for the curated OpenAPI fragment schema/fine_tuning.yaml.

* every example payload in schema/examples/ validates as a FineTuningJob;
* the fragment is self-contained ($refs resolve, no orphan components, discriminators agree);
* requiredness, nullability, enums and descriptions match the upstream snapshot
  (tests/data/openai/);
* mutated examples and the upstream resume example are rejected.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .snapshot import SNAPSHOT

REPO = Path(__file__).resolve().parents[1]
FRAGMENT_PATH = REPO / "schema" / "fine_tuning.yaml"
EXAMPLES_DIR = REPO / "schema" / "examples"
UPSTREAM_EXAMPLE_PATH = REPO / "tests" / "data" / "upstream-resume-example.json"
UPSTREAM_PATH = SNAPSHOT
RESUME_PATH = "/fine_tuning/jobs/{fine_tuning_job_id}/resume"
URI = "urn:fine-tuning-fragment"

FRAGMENT: dict[str, Any] = yaml.safe_load(FRAGMENT_PATH.read_text(encoding="utf-8"))
SCHEMAS: dict[str, Any] = FRAGMENT["components"]["schemas"]
EXAMPLE_FILES = sorted(EXAMPLES_DIR.glob("*.json"))

# Fragment component -> upstream location, relative to #/components/schemas/.
# Hoisted inline objects point inside their upstream parent.
UPSTREAM_OF: dict[str, str] = {
    "FineTuningJob": "FineTuningJob",
    "FineTuningJobError": "FineTuningJob/properties/error/anyOf/0",
    "FineTuningJobHyperparameters": "FineTuningJob/properties/hyperparameters",
    "FineTuningIntegration": "FineTuningIntegration",
    "WandbIntegration": "FineTuningIntegration/properties/wandb",
    "Metadata": "Metadata",
    "FineTuneMethod": "FineTuneMethod",
    "SupervisedMethod": "FineTuneSupervisedMethod",
    "SupervisedHyperparameters": "FineTuneSupervisedHyperparameters",
    "DpoMethod": "FineTuneDPOMethod",
    "DpoHyperparameters": "FineTuneDPOHyperparameters",
    "ReinforcementMethod": "FineTuneReinforcementMethod",
    "ReinforcementHyperparameters": "FineTuneReinforcementHyperparameters",
    "ReinforcementGrader": "FineTuneReinforcementMethod/properties/grader",
    "MultiSubGrader": "GraderMulti/properties/graders",
    "StringCheckGrader": "GraderStringCheck",
    "TextSimilarityGrader": "GraderTextSimilarity",
    "PythonGrader": "GraderPython",
    "ScoreModelGrader": "GraderScoreModel",
    "ScoreModelSamplingParams": "GraderScoreModel/properties/sampling_params",
    "MultiGrader": "GraderMulti",
    "LabelModelGrader": "GraderLabelModel",
    "ReasoningEffort": "ReasoningEffort",
    "EvalItem": "EvalItem",
    "EvalItemContent": "EvalItemContent",
    "EvalItemContentItem": "EvalItemContentItem",
    "EvalItemContentText": "EvalItemContentText",
    "ResponseInputText": "InputTextContent",
    "OutputText": "EvalItemContentOutputText",
    "InputImage": "EvalItemInputImage",
    "ResponseInputAudio": "InputAudio",
    "InputAudioData": "InputAudio/properties/input_audio",
    "EvalItemContentArray": "EvalItemContentArray",
}

# The upstream x-oaiMeta example response of resumeFineTuningJob omits these
# required FineTuningJob fields (see schema/NOTES.md).
UPSTREAM_EXAMPLE_MISSING = {"error", "finished_at", "hyperparameters", "trained_tokens", "seed"}


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def upstream() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with UPSTREAM_PATH.open(encoding="utf-8") as fh:
        doc: dict[str, Any] = yaml.load(fh, Loader=loader)
    return doc


def _pointer(doc: Any, pointer: str) -> Any:
    """Resolve a JSON pointer ('' or '/a/b/0') against doc."""
    node = doc
    if not pointer:
        return node
    for raw in pointer.lstrip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _resolve_ref(ref: str, doc: dict[str, Any]) -> Any:
    assert ref.startswith("#"), f"non-local $ref {ref!r}"
    return _pointer(doc, ref[1:])


def _deref(schema: Any, doc: dict[str, Any]) -> Any:
    """Follow a chain of top-level $refs."""
    seen: set[str] = set()
    while isinstance(schema, dict) and "$ref" in schema:
        ref = schema["$ref"]
        assert ref not in seen, f"$ref cycle at {ref}"
        seen.add(ref)
        schema = _resolve_ref(ref, doc)
    return schema


def allows_null(schema: Any, doc: dict[str, Any], _seen: frozenset[str] = frozenset()) -> bool:
    """True if the schema admits JSON null: `type: 'null'` (in an anyOf/oneOf branch
    or as the schema itself), a type list containing null, `nullable: true`, or a
    const/enum containing null. $refs are followed (top level and in branches)."""
    if not isinstance(schema, dict):
        return False
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in _seen:
            return False
        return allows_null(_resolve_ref(ref, doc), doc, _seen | {ref})
    if schema.get("nullable") is True:
        return True
    typ = schema.get("type")
    if typ == "null" or (isinstance(typ, list) and "null" in typ):
        return True
    if "const" in schema and schema["const"] is None:
        return True
    if None in schema.get("enum", ()):
        return True
    return any(
        allows_null(branch, doc, _seen)
        for keyword in ("anyOf", "oneOf")
        for branch in schema.get(keyword, ())
    )


def _non_null_branches(schema: dict[str, Any]) -> list[Any]:
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            return [b for b in schema[keyword] if b != {"type": "null"}]
    return []


def effective_description(schema: Any, doc: dict[str, Any]) -> str | None:
    """The description a reader sees: own, else via $ref, else that of the single
    non-null anyOf/oneOf branch (where upstream tends to bury it)."""
    if not isinstance(schema, dict):
        return None
    if "description" in schema:
        return schema["description"].rstrip()
    if "$ref" in schema:
        return effective_description(_resolve_ref(schema["$ref"], doc), doc)
    branches = _non_null_branches(schema)
    if len(branches) == 1:
        return effective_description(branches[0], doc)
    return None


def literal_values(schema: Any, doc: dict[str, Any]) -> frozenset[Any] | None:
    """enum / const values of a property (const x == enum [x])."""
    schema = _deref(schema, doc)
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return frozenset([schema["const"]])
    if "enum" in schema:
        return frozenset(schema["enum"])
    return None


def _walk_refs(node: Any):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _walk_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_refs(item)


def _upstream_component(upstream: dict[str, Any], name: str) -> dict[str, Any]:
    return _pointer(upstream, "/components/schemas/" + UPSTREAM_OF[name])


@functools.lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    resource = Resource(contents=FRAGMENT, specification=DRAFT202012)
    registry = Registry().with_resource(URI, resource)
    return Draft202012Validator(
        {"$ref": f"{URI}#/components/schemas/FineTuningJob"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- examples


def test_enough_examples() -> None:
    assert len(EXAMPLE_FILES) >= 9, [p.name for p in EXAMPLE_FILES]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_example_is_valid_fine_tuning_job(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    instance = json.loads(text)
    assert text == json.dumps(instance, indent=2, ensure_ascii=False) + "\n", (
        f"{path.name} is not pretty JSON (2-space indent, trailing newline)"
    )
    errors = sorted(_validator().iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors
    )


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split("/")
    node: Any = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[int(last) if isinstance(node, list) else last] = value


def _delete(doc: dict[str, Any], path: str) -> None:
    *parents, last = path.split("/")
    node: Any = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    del node[int(last) if isinstance(node, list) else last]


_GRADER = "method/reinforcement/grader"
_SCORE_INPUT = f"{_GRADER}/graders/input"

MUTATIONS = [
    ("resume-page.json", "set", "status", "weird"),
    ("resume-page.json", "set", "object", "fine_tuning.job.v2"),
    ("resume-page.json", "del", "seed", None),
    ("resume-page.json", "del", "error", None),
    ("resume-page.json", "set", "hyperparameters", None),
    ("resume-page.json", "set", "created_at", None),
    ("resume-page.json", "set", "method/type", "weird"),
    ("resume-page.json", "set", "hyperparameters/n_epochs", 0),
    ("resume-page.json", "set", "hyperparameters/learning_rate_multiplier", 0),
    ("resume-page.json", "set", "metadata/foo", 1),
    ("resume-page.json", "del", "integrations/0/wandb/project", None),
    ("failed-job.json", "del", "error/param", None),
    ("dpo-job.json", "set", "method/dpo/hyperparameters/beta", 2.5),
    ("dpo-job.json", "set", "method/dpo/hyperparameters/beta", 0),
    ("grader-string-check.json", "set", f"{_GRADER}/type", "weird"),
    ("grader-string-check.json", "set", f"{_GRADER}/operation", "contains"),
    ("grader-string-check.json", "del", f"{_GRADER}/reference", None),
    ("grader-text-similarity.json", "set", f"{_GRADER}/evaluation_metric", "rouge_9"),
    ("grader-python.json", "del", f"{_GRADER}/source", None),
    ("grader-score-model.json", "set", f"{_GRADER}/range", [0, 1, 2]),
    ("grader-score-model.json", "set", f"{_GRADER}/sampling_params/max_completions_tokens", 0),
    ("grader-score-model.json", "set", f"{_GRADER}/input/0/role", "tool"),
    ("grader-multi.json", "set", f"{_GRADER}/graders/type", "multi"),  # no nested multi
    ("grader-label-model.json", "del", f"{_GRADER}/graders/passing_labels", None),
    ("reinforcement-multi-grader.json", "set", f"{_SCORE_INPUT}/1/content/type", "input_video"),
    ("reinforcement-multi-grader.json", "set", f"{_SCORE_INPUT}/4/content/input_audio/format", "ogg"),
    ("reinforcement-multi-grader.json", "set", f"{_SCORE_INPUT}/5/content/0", 42),
    ("reinforcement-multi-grader.json", "set", f"{_GRADER}/graders/sampling_params/reasoning_effort", "ultra"),
    ("reinforcement-multi-grader.json", "set", "method/reinforcement/hyperparameters/compute_multiplier", 0),
]


@pytest.mark.parametrize(
    ("name", "op", "path", "value"),
    MUTATIONS,
    ids=[f"{n}:{op}:{p}={v!r}" if op == "set" else f"{n}:{op}:{p}" for n, op, p, v in MUTATIONS],
)
def test_mutated_example_is_rejected(name: str, op: str, path: str, value: Any) -> None:
    instance = _load_json(EXAMPLES_DIR / name)
    assert _validator().is_valid(instance), f"{name} must be valid before mutation"
    mutated = copy.deepcopy(instance)
    if op == "set":
        _set(mutated, path, value)
    else:
        _delete(mutated, path)
    assert not _validator().is_valid(mutated), f"{name} still valid after {op} {path}"


def test_multi_grader_graders_as_list_is_rejected() -> None:
    """The fragment follows the spec: `graders` is ONE grader, not a list (NOTES.md)."""
    instance = _load_json(EXAMPLES_DIR / "grader-multi.json")
    grader = instance["method"]["reinforcement"]["grader"]
    grader["graders"] = [grader["graders"]]
    assert not _validator().is_valid(instance)


def test_upstream_resume_example_is_invalid() -> None:
    """Documents the upstream contradiction: the operation's own example response
    lacks required FineTuningJob fields."""
    instance = _load_json(UPSTREAM_EXAMPLE_PATH)
    errors = list(_validator().iter_errors(instance))
    assert errors, "upstream example unexpectedly valid"
    assert {e.validator for e in errors} == {"required"}
    missing = set(SCHEMAS["FineTuningJob"]["required"]) - set(instance)
    assert missing == UPSTREAM_EXAMPLE_MISSING
    assert instance["status"] in SCHEMAS["FineTuningJob"]["properties"]["status"]["enum"]


def test_upstream_resume_example_matches_snapshot(upstream: dict[str, Any]) -> None:
    meta = upstream["paths"][RESUME_PATH]["post"]["x-oaiMeta"]
    assert _load_json(UPSTREAM_EXAMPLE_PATH) == json.loads(meta["examples"]["response"])


# --------------------------------------------------------------------------- structure


def test_document_header() -> None:
    assert FRAGMENT["openapi"] == "3.1.0"
    assert list(FRAGMENT["paths"]) == [RESUME_PATH]
    op = FRAGMENT["paths"][RESUME_PATH]["post"]
    assert op["operationId"] == "resumeFineTuningJob"
    assert op["summary"] == "Resume a fine-tune job."
    assert not any(k.startswith("x-") for k in op)
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/FineTuningJob"}
    assert FRAGMENT["security"] == [{"ApiKeyAuth": []}]
    assert FRAGMENT["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }


def test_every_ref_resolves() -> None:
    refs = set(_walk_refs(FRAGMENT))
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        _resolve_ref(ref, FRAGMENT)  # raises KeyError if dangling


def test_every_component_is_reachable_from_the_operation() -> None:
    reached: set[str] = set()
    todo = list(_walk_refs(FRAGMENT["paths"]))
    while todo:
        name = todo.pop().rsplit("/", 1)[-1]
        if name not in reached:
            reached.add(name)
            todo.extend(_walk_refs(SCHEMAS[name]))
    assert reached == set(SCHEMAS), f"unreachable: {sorted(set(SCHEMAS) - reached)}"


def test_no_vendor_extensions_or_closed_objects() -> None:
    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                assert not (isinstance(key, str) and key.startswith("x-")), f"{where}/{key}"
                assert key != "additionalProperties" or value is not False, where
                assert key not in ("min_items", "max_items", "nullable"), f"{where}/{key}"
                if key == "exclusiveMinimum" or key == "exclusiveMaximum":
                    assert not isinstance(value, bool), f"{where}/{key} is 3.0-style"
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}/{i}")

    walk(FRAGMENT, "")


@pytest.mark.parametrize("name", ["ReinforcementGrader", "MultiSubGrader"])
def test_discriminator_mapping_matches_branches(name: str) -> None:
    schema = SCHEMAS[name]
    mapping = schema["discriminator"]["mapping"]
    assert schema["discriminator"]["propertyName"] == "type"
    assert sorted(mapping.values()) == sorted(b["$ref"] for b in schema["oneOf"])
    for tag, ref in mapping.items():
        assert _resolve_ref(ref, FRAGMENT)["properties"]["type"]["const"] == tag


def test_eval_content_item_has_no_discriminator() -> None:
    assert "discriminator" not in SCHEMAS["EvalItemContentItem"]


# --------------------------------------------------------------------------- upstream parity


def test_mapping_covers_every_component() -> None:
    assert set(UPSTREAM_OF) == set(SCHEMAS)


@pytest.mark.parametrize("name", sorted(UPSTREAM_OF))
def test_required_and_nullable_match_upstream(name: str, upstream: dict[str, Any]) -> None:
    ours = SCHEMAS[name]
    theirs = _upstream_component(upstream, name)
    ours_obj, theirs_obj = _deref(ours, FRAGMENT), _deref(theirs, upstream)

    assert allows_null(ours, FRAGMENT) == allows_null(theirs, upstream), "component nullability"
    our_props = ours_obj.get("properties", {})
    their_props = theirs_obj.get("properties", {})
    assert list(our_props) == list(their_props), "property names / order"
    assert set(ours_obj.get("required", [])) == set(theirs_obj.get("required", [])), "required"
    for prop in our_props:
        assert allows_null(our_props[prop], FRAGMENT) == allows_null(
            their_props[prop], upstream
        ), f"{name}.{prop} nullability"


@pytest.mark.parametrize("name", sorted(UPSTREAM_OF))
def test_descriptions_and_enums_match_upstream(name: str, upstream: dict[str, Any]) -> None:
    ours = SCHEMAS[name]
    theirs = _upstream_component(upstream, name)
    assert effective_description(ours, FRAGMENT) == effective_description(theirs, upstream)
    our_props = _deref(ours, FRAGMENT).get("properties", {})
    their_props = _deref(theirs, upstream).get("properties", {})
    for prop in our_props:
        assert effective_description(our_props[prop], FRAGMENT) == effective_description(
            their_props[prop], upstream
        ), f"{name}.{prop} description"
        assert literal_values(our_props[prop], FRAGMENT) == literal_values(
            their_props[prop], upstream
        ), f"{name}.{prop} enum/const"
