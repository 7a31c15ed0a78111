"""The differential test: random schemas over the keywords strict mode claims, all
generated into one package, and random values near them. Strict decoding accepts a
value if and only if ``jsonschema`` (Draft 2020-12) accepts it (outside the documented
exclusions, see ``tests/schema_gen.py`` and ``strict_cases.referee``); lenient decoding
gives every value back exactly; a value strict accepts is given back exactly too.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.differential import fragment_judge, generate, lenient_roundtrip, same, strict_accepts, validator
from tests.schema_gen import SchemaMaker, ValueMaker
from tests.strict_cases import referee

SCHEMAS = 150
SCHEMA_LIST = [SchemaMaker(random.Random(i)).schema() for i in range(SCHEMAS)]
REFEREES = [validator(referee(s)) for s in SCHEMA_LIST]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    components: dict[str, Any] = {}
    for i, schema in enumerate(SCHEMA_LIST):
        components[f"S{i}"] = schema
        components[f"W{i}"] = {"type": "object", "properties": {"v": schema}, "required": ["v"]}
    return generate(components, tmp_path_factory.mktemp("differential"), "differential")


def _type(mod: ModuleType, i: int) -> Any:
    t = getattr(mod, f"S{i}")
    schema = SCHEMA_LIST[i]
    if isinstance(t, type) and isinstance(schema, dict) and schema.get("nullable") is True:
        return t | None  # a class is the object; null is taken where the model is used
    return t


@settings(deadline=None, derandomize=True, database=None, max_examples=800,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, SCHEMAS - 1), seed=st.integers(0, 2**32), mistakes=st.sampled_from([0.0, 0.05, 0.3]))
def test_strict_is_json_schema_and_lenient_is_lossless(package: ModuleType, index: int, seed: int,
                                                       mistakes: float) -> None:
    value = ValueMaker(random.Random(seed), mistakes).value(SCHEMA_LIST[index])
    want = REFEREES[index].is_valid(value)
    why = (SCHEMA_LIST[index], value, "jsonschema accepts" if want else "jsonschema rejects")
    # as the property of a model (every field's decoder) and as a whole value (decode());
    # an alias that is a bare builtin (`S1: TypeAlias = float`, a float const) is that
    # builtin, which decode() reads as itself: its const is checked where it is used
    wrapper = getattr(package, f"W{index}")
    got = strict_accepts(package, wrapper, {"v": value})
    assert got == want, why
    assert same(wrapper.from_dict({"v": value}, strict=False).to_dict(), {"v": value})
    type_ = _type(package, index)
    if type_ not in (str, int, float, bool, None):
        assert strict_accepts(package, type_, value) == want, why
    assert same(lenient_roundtrip(package, type_, value), value)
    if got:
        assert same(package.encode(package.decode(type_, value)), value)
        assert same(wrapper.from_dict({"v": value}).to_dict(), {"v": value})


def test_the_random_schemas_use_every_keyword() -> None:
    """The generator reaches what strict mode claims (a change to it that stopped, say,
    making oneOfs would leave the differential test blind there)."""
    text = json.dumps(SCHEMA_LIST)
    for keyword in ("type", '"null"', "enum", "const", "required", "properties", "items", "additionalProperties",
                    "allOf", "anyOf", "oneOf", "discriminator", "nullable"):
        assert f'"{keyword}"' in text or keyword in text, keyword


# ----- every example payload the suite's specs carry -----------------------------------

REPO = Path(__file__).resolve().parent.parent
FEATURES = REPO / "tests" / "features"


def _examples(node: Any, found: list[tuple[Any, Any]]) -> None:
    """(schema, example) pairs: a schema's own ``example``/``examples`` and a media
    type's, anywhere in a document."""
    if isinstance(node, dict):
        if "schema" in node and isinstance(node["schema"], dict):
            if "example" in node:
                found.append((node["schema"], node["example"]))
            for ex in (node.get("examples") or {}).values() if isinstance(node.get("examples"), dict) else ():
                if isinstance(ex, dict) and "value" in ex:
                    found.append((node["schema"], ex["value"]))
        for v in node.values():
            _examples(v, found)
    elif isinstance(node, list):
        for v in node:
            _examples(v, found)


def _mutations(value: Any, rng: random.Random, n: int) -> list[Any]:
    """``value`` with one node replaced by something else, ``n`` times."""
    out = []
    for _ in range(n):
        copy = json.loads(json.dumps(value))
        node, key = None, None
        cur: Any = copy
        while isinstance(cur, (dict, list)) and cur and rng.random() < 0.8:
            node = cur
            key = rng.choice(list(cur)) if isinstance(cur, dict) else rng.randrange(len(cur))
            cur = cur[key]
        if node is None:
            continue
        if isinstance(node, dict) and rng.random() < 0.3:
            del node[key]
        else:
            node[key] = ValueMaker(rng, 1.0).junk()
        out.append(copy)
    return out


def test_fragment_examples_and_their_mutations() -> None:
    """Every example payload of the fragment, and 40 mutations of each: strict decoding
    agrees with jsonschema on the fragment, and lenient decoding loses nothing."""
    import fine_tuning_client as ftc

    judge = fragment_judge()
    rng = random.Random(14)
    checked = rejected = 0
    for path in sorted((REPO / "schema" / "examples").glob("*.json")):
        example = json.loads(path.read_text(encoding="utf-8"))
        assert judge.is_valid(example), path.name
        for value in [example, *_mutations(example, rng, 40)]:
            want = judge.is_valid(value)
            assert strict_accepts(ftc, ftc.FineTuningJob, value) == want, (path.name, value)
            assert same(ftc.FineTuningJob.from_dict(value, strict=False).to_dict(), value)
            checked += 1
            rejected += not want
    assert checked > 300 and rejected > 50, (checked, rejected)
