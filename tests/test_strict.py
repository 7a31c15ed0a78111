"""Strict decoding means JSON Schema: the schemas of ``tests/strict_cases.py`` (in the
manner of the JSON Schema Test Suite) generated into one package, each as a whole value
(``decode``) and as the required property ``v`` of a model, judged against
``jsonschema`` (Draft 2020-12). Lenient decoding gives every value back."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import pytest

from tests.differential import generate, lenient_roundtrip, strict_accepts, validator
from tests.strict_cases import AS_READ, GROUPS, referee


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    components: dict[str, Any] = {}
    for i, (_, schema, _, _) in enumerate(GROUPS):
        components[f"G{i}"] = schema
        components[f"W{i}"] = {"type": "object", "properties": {"v": schema}, "required": ["v"]}
    return generate(components, tmp_path_factory.mktemp("strict-suite"), "strict_suite")


def _param(i: int) -> Any:
    name, _, _, note = GROUPS[i]
    marks = [pytest.mark.xfail(reason=note.removeprefix("xfail: "), strict=True)] if note and note.startswith(
        "xfail:") else []
    return pytest.param(i, id=name, marks=marks)


@pytest.mark.parametrize("index", [_param(i) for i in range(len(GROUPS))])
def test_strict_agrees_with_json_schema(suite: ModuleType, index: int) -> None:
    name, schema, values, note = GROUPS[index]
    # an exclusion is checked as the README states it: against the schema as strict reads it
    judge = validator(referee(AS_READ[name] if note and note.startswith("exclusion:") else schema))
    whole, wrapper = getattr(suite, f"G{index}"), getattr(suite, f"W{index}")
    if isinstance(whole, type) and isinstance(schema, dict) and schema.get("nullable") is True:
        whole = whole | None  # a class is the object; null is taken where the model is used
    wrong = []
    for value in values:
        want = judge.is_valid(value)
        if strict_accepts(suite, whole, value) != want:
            wrong.append(("decode", value, want))
        if strict_accepts(suite, wrapper, {"v": value}) != want:
            wrong.append(("property", value, want))
    assert not wrong, wrong


@pytest.mark.parametrize("index", range(len(GROUPS)), ids=[g[0] for g in GROUPS])
def test_lenient_gives_every_value_back(suite: ModuleType, index: int) -> None:
    _, _, values, _ = GROUPS[index]
    whole, wrapper = getattr(suite, f"G{index}"), getattr(suite, f"W{index}")
    for value in values:
        assert lenient_roundtrip(suite, whole, value) == value
        assert lenient_roundtrip(suite, wrapper, {"v": value}) == {"v": value}
        assert wrapper.from_dict({"v": value}, strict=False).to_dict() == {"v": value}


def test_every_exclusion_differs_from_plain_json_schema_somewhere(suite: ModuleType) -> None:
    """The exclusions are real: on each, plain JSON Schema and strict disagree on some value
    (else the group is no exclusion and belongs with the others)."""
    for i, (name, schema, values, note) in enumerate(GROUPS):
        if note and note.startswith("exclusion:"):
            plain = validator(referee(schema) if "no type" not in name else schema)
            assert any(plain.is_valid(v) != strict_accepts(suite, getattr(suite, f"G{i}"), v) for v in values), name


# ----- decode() and encode(): any type of the package ----------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "schema" / "examples"


def _example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def test_decode_and_encode_models_lists_and_maps() -> None:
    import fine_tuning_client as ftc

    job = _example("resume-page.json")
    assert ftc.decode(ftc.FineTuningJob, job) == ftc.FineTuningJob.from_dict(job)
    jobs = ftc.decode(list[ftc.FineTuningJob], [job, job])
    assert all(isinstance(j, ftc.FineTuningJob) for j in jobs) and ftc.encode(jobs) == [job, job]
    by_id = ftc.decode(dict[str, ftc.FineTuningJob], {"a": job})
    assert isinstance(by_id["a"], ftc.FineTuningJob) and ftc.encode(by_id) == {"a": job}
    assert ftc.decode(ftc.FineTuningJob | None, None) is None
    bad = {**job, "status": "paused"}
    with pytest.raises(ftc.DecodeError) as info:
        ftc.decode(list[ftc.FineTuningJob], [job, bad])
    assert info.value.path == "$[1].status"
    with pytest.raises(ftc.DecodeError) as info:
        ftc.decode(dict[str, ftc.FineTuningJob], {"k": bad})
    assert info.value.path == "$.k.status"
    lenient = ftc.decode(list[ftc.FineTuningJob], [bad, 5], strict=False)
    assert lenient[0].status == "paused" and lenient[1] == 5 and ftc.encode(lenient) == [bad, 5]
    with pytest.raises(ftc.DecodeError, match=r"^\$: expected object, got 5"):
        ftc.decode(ftc.FineTuningJob, 5)


def test_decode_aliases_unions_and_scalars() -> None:
    import fine_tuning_client as ftc

    grader = _example("grader-multi.json")["method"]["reinforcement"]["grader"]
    decoded = ftc.decode(ftc.ReinforcementGrader, grader)
    assert isinstance(decoded, ftc.MultiGrader) and ftc.encode(decoded) == grader
    with pytest.raises(ftc.DecodeError, match=r"^\$\.type: 'nope' is not one of"):
        ftc.decode(ftc.ReinforcementGrader, {**grader, "type": "nope"})
    assert ftc.decode(ftc.ReinforcementGrader, {**grader, "type": "nope"}, strict=False) == {**grader, "type": "nope"}
    assert ftc.decode(ftc.Metadata, None) is None
    assert ftc.decode(ftc.Metadata, {"a": "b"}) == {"a": "b"}
    with pytest.raises(ftc.DecodeError, match=r"^\$\.a: expected string, got 1"):
        ftc.decode(ftc.Metadata, {"a": 1})
    with pytest.raises(ftc.DecodeError, match=r"is not one of"):
        ftc.decode(ftc.ReasoningEffort, "max")
    assert ftc.decode(ftc.ReasoningEffort, "max", strict=False) == "max"
    assert ftc.decode(ftc.EvalItemContent, "text") == "text"
    with pytest.raises(ftc.DecodeError, match=r"^\$\[0\]\.type"):
        ftc.decode(ftc.EvalItemContentArray, [{"type": "weird"}])
    # scalars with JSON Schema's meaning
    assert ftc.decode(int, 1.0) == 1.0
    for type_, value in ((int, True), (int, 1.5), (float, False), (bool, 0), (str, None), (None, 0)):
        with pytest.raises(ftc.DecodeError):
            ftc.decode(type_, value)
    assert ftc.decode(Literal["a", 1], 1.0) == 1.0
    with pytest.raises(ftc.DecodeError):
        ftc.decode(Literal[0], False)
    with pytest.raises(ftc.DecodeError, match="expected integer or string"):
        ftc.decode(int | str, [])
    assert ftc.decode(Any, {"x": [1]}) == {"x": [1]}
    with pytest.raises(TypeError, match="does not know"):
        ftc.decode(set[int], [])
