"""Property tests (hypothesis): random schemas generate packages that import and
round-trip; random input files never give a traceback.

Bounded and deterministic for CI: ``derandomize=True`` (examples come from a fixed
seed), no example database, a few dozen examples per property. Everything runs in
process: ``generator.pipeline.build`` + ``output.write_tree`` for the schemas, and
``generator.cli.main`` for the input files.
"""

from __future__ import annotations

import copy
import importlib
import itertools
import json
import random
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import cli
from generator.load import load
from generator.lower import lower
from generator.output import write_tree
from generator.pipeline import Options, build
from tests.instances import InstanceMaker

FEATURES = Path(__file__).resolve().parent / "features"

PROFILE = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

# Names and text from the hostile alphabet: keywords, builtins, the model's methods,
# digits first, dashes, spaces, quotes, backslashes, Jinja, non-ASCII, controls.
NAMES = ["class", "None", "True", "def", "match", "type", "id", "self", "str", "list", "Any", "Literal",
         "to_dict", "from_dict", "_meta", "__init__", "_", "", " ", "1st", "Foo-Bar", "Foo_Bar", "a b",
         "ñandú", "日本", "ﬁle", "file", "UPPER", "upper", "json", "dataclass", "KeyError", "x.y", "a/b", "~",
         "{{ 7*7 }}", '"""', "a%20b"]
ALPHABET = st.sampled_from(list("aZ_-. /~0123456789'\"\\{}%$éß日😀\x00\x07\n\t\u2028\u202e"))
TEXT = st.one_of(st.sampled_from(['"""', "'''", "\\", '"""; import os; os.system("touch PWNED"); """', "{{ 7*7 }}",
                                  "{% raw %}", "ends with a quote\"", "\x00\x1b[31m"]),
                 st.text(ALPHABET, max_size=12))
NAME = st.one_of(st.sampled_from(NAMES), st.text(ALPHABET, max_size=8))


def ref(name: str) -> dict[str, str]:
    token = name.replace("~", "~0").replace("/", "~1")
    return {"$ref": "#/components/schemas/" + quote(token, safe="")}


@st.composite
def schemas(draw: st.DrawFn) -> dict[str, Any]:
    """A components/schemas mapping of 1-4 object models in the supported subset."""
    names = draw(st.lists(NAME, min_size=1, max_size=4, unique=True))

    def value(index: int, depth: int, required: bool) -> Any:
        kinds = ["string", "integer", "number", "boolean", "enum", "const", "union"]
        if depth < 2:
            kinds += ["array", "map", "nullable", "any"]
        # a required reference only points back (an instance must end); an optional
        # one, or one inside an array, may point anywhere, itself included
        targets = names[:index] if required else names
        if targets and depth < 3:
            kinds += ["ref", "ref"]
        kind = draw(st.sampled_from(kinds))
        node: dict[str, Any]
        if kind in ("string", "integer", "number", "boolean"):
            node = {"type": kind}
        elif kind == "enum":
            values = draw(st.one_of(st.lists(TEXT, min_size=1, max_size=4, unique=True),
                                    st.lists(st.integers(-5, 5), min_size=1, max_size=3, unique=True)))
            node = {"enum": values}
        elif kind == "const":
            node = {"const": draw(st.one_of(TEXT, st.integers(-3, 3), st.booleans()))}
        elif kind == "union":
            node = {"oneOf": [{"type": "string"}, draw(st.sampled_from(
                [{"type": "integer"}, {"type": "boolean"}, {"type": "array", "items": {"type": "string"}}]))]}
        elif kind == "array":
            node = {"type": "array", "items": value(index, depth + 1, False)}
        elif kind == "map":
            node = {"type": "object", "additionalProperties": value(index, depth + 1, False)}
        elif kind == "nullable":
            inner = value(index, depth + 1, required)
            node = draw(st.sampled_from([{"anyOf": [inner, {"type": "null"}]}, {"oneOf": [{"type": "null"}, inner]}]))
        elif kind == "any":
            node = {}
        else:
            node = ref(draw(st.sampled_from(targets)))
        if "$ref" not in node and draw(st.booleans()):
            node["description"] = draw(TEXT)
        return node

    out: dict[str, Any] = {}
    for index, name in enumerate(names):
        props = draw(st.lists(NAME, min_size=1, max_size=6, unique=True))
        required = [p for p in props if draw(st.booleans())]
        model: dict[str, Any] = {
            "type": "object",
            "properties": {p: value(index, 0, p in required) for p in props},
        }
        if required:
            model["required"] = required
        if draw(st.booleans()):
            model["description"] = draw(TEXT)
        if index and draw(st.integers(0, 3)) == 0:  # compose with an earlier model
            model = {"allOf": [ref(names[draw(st.integers(0, index - 1))]), model]}
        out[name] = model
    return out


_counter = itertools.count()


@pytest.fixture(scope="module")
def format_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("format-cache")


@settings(PROFILE, max_examples=30)
@given(components=schemas(), seed=st.integers(0, 2**32), junk=st.lists(
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(ALPHABET),
                 lambda c: st.lists(c, max_size=3) | st.dictionaries(NAME, c, max_size=3), max_leaves=8),
    min_size=3, max_size=3))
def test_random_schemas_generate_import_and_roundtrip(
    components: dict[str, Any], seed: int, junk: list[Any], tmp_path_factory: pytest.TempPathFactory,
    format_cache: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(format_cache))
    document = {"openapi": "3.1.0", "info": {"title": "Random", "version": "1"}, "paths": {},
                "components": {"schemas": components}}
    base = tmp_path_factory.mktemp("random")
    spec_file = base / "spec.json"
    spec_file.write_text(json.dumps(document), encoding="utf-8")
    name = f"random_pkg_{next(_counter)}"
    write_tree(base, name, build(Options(spec_file, base, name)))
    package_ir = lower(load(spec_file), name)
    sys.path.insert(0, str(base))
    try:
        mod = importlib.import_module(name)
        maker = InstanceMaker(document, random.Random(seed))
        for schema_name, schema in components.items():
            source = "/components/schemas/" + schema_name.replace("~", "~0").replace("/", "~1")
            model = next(m for m in package_ir.models if m.source == source)
            cls = getattr(mod, model.name)
            for _ in range(8):
                data = maker.make(schema)
                assert cls.from_dict(data).to_dict() == data
                assert cls.from_json(json.dumps(data)).to_dict() == data
            for value in junk:  # anything at all: lenient keeps it, strict keeps it or says why
                data = value if isinstance(value, dict) else {"x": value}
                assert cls.from_dict(data, strict=False).to_dict() == data
                try:
                    assert cls.from_dict(data).to_dict() == data
                except mod.DecodeError:
                    pass
    finally:
        sys.path.remove(str(base))
        for m in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[m]
    assert not list(base.rglob("*PWNED*"))


# ----- input that is not a valid spec: exit 0 or 2, never a traceback ---------------------


def _run(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["generate", "--schema", str(path), "--out", str(path.parent / "out"), "--package", "p"])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err, err
    # one line each: warnings about what the spec gets wrong, then (exit 2) the error
    lines = err.splitlines()
    warnings = lines[:-1] if code == 2 else lines
    assert all(line.startswith("warning: ") for line in warnings), err
    if code == 2:
        assert lines and lines[-1].startswith("error: "), err


@pytest.fixture
def quiet_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder without pyproject.toml to run in, and a formatting cache of its own."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path / ".cache"))
    return tmp_path


@settings(PROFILE, max_examples=40)
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".yaml", ".json"]))
def test_random_bytes(data: bytes, suffix: str, quiet_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = quiet_cwd / ("spec" + suffix)
    path.write_bytes(data)
    _run(path, capsys)


VOCAB = ["openapi", "info", "title", "version", "paths", "components", "schemas", "type", "properties", "items",
         "required", "enum", "const", "$ref", "oneOf", "anyOf", "allOf", "additionalProperties", "nullable",
         "discriminator", "propertyName", "mapping", "description", "get", "operationId", "parameters",
         "responses", "200", "content", "application/json", "schema", "in", "name", "servers", "url"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 300), st.floats(allow_nan=True),
                    st.sampled_from(["3.1.0", "3.0.3", "2.0", "string", "object", "array", "integer", "null",
                                     "#/components/schemas/A", "#/components/schemas/B", "#/nope", "path", "A", "B"]),
                    st.text(ALPHABET, max_size=6))
JSONISH = st.recursive(SCALARS, lambda c: st.lists(c, max_size=3) | st.dictionaries(
    st.one_of(st.sampled_from(VOCAB + ["A", "B"]), st.text(ALPHABET, max_size=4)), c, max_size=4), max_leaves=25)


@settings(PROFILE, max_examples=40)
@given(doc=st.dictionaries(st.sampled_from(VOCAB), JSONISH, max_size=5),
       version=st.sampled_from(["3.1.0", "3.0.3", None]), as_yaml=st.booleans())
def test_random_documents(doc: dict[str, Any], version: str | None, as_yaml: bool, quiet_cwd: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    if version is not None:
        doc["openapi"] = version
    if as_yaml:
        path = quiet_cwd / "spec.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    else:
        path = quiet_cwd / "spec.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
    _run(path, capsys)


FEATURE_SPECS = {p.parent.name: yaml.safe_load(p.read_text(encoding="utf-8"))
                 for p in sorted(FEATURES.glob("*/spec.yaml"))}


def _places(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(node, dict):
        for k, v in node.items():
            found += _places(v, at + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _places(v, at + (i,))
    return found


@settings(PROFILE, max_examples=40)
@given(name=st.sampled_from(sorted(FEATURE_SPECS)), rng=st.randoms(use_true_random=False),
       values=st.lists(JSONISH, min_size=1, max_size=3))
def test_mutated_feature_specs(name: str, rng: random.Random, values: list[Any], quiet_cwd: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    """A real spec with a few nodes (below the version) replaced by anything: valid, or
    one clean error."""
    doc = copy.deepcopy(FEATURE_SPECS[name])
    for value in values:
        place = rng.choice([p for p in _places(doc) if p and p[0] != "openapi"])
        parent = doc
        for token in place[:-1]:
            parent = parent[token]
        parent[place[-1]] = value
    path = quiet_cwd / "spec.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    _run(path, capsys)


def _json_outcome(parse: Any, text: Any) -> tuple[str, Any]:
    try:
        return "value", parse(text)
    except (ValueError, RecursionError) as exc:
        return type(exc).__name__, str(exc)


_WHITESPACE = st.text(alphabet=" \t\n\r\x0b\u00a0", max_size=3)


@settings(PROFILE, max_examples=300)
@given(value=JSONISH, before=_WHITESPACE, after=_WHITESPACE,
       tail=st.sampled_from(["", "x", "]", "}", ",", "1", "//", "\x00"]), cut=st.integers(0, 40),
       as_bytes=st.booleans())
def test_runtime_loads_is_json_loads(value: Any, before: str, after: str, tail: str, cut: int,
                                     as_bytes: bool) -> None:
    """The generated runtime's ``loads`` (the scanner without json's Python-level layers)
    gives json's value or json's own error for whole, padded, cut and trailed text."""
    from fine_tuning_client import _runtime

    text = json.dumps(value)
    for candidate in (text, before + text + after, text + after + tail, text[: max(0, len(text) - cut)]):
        arg: Any = candidate.encode() if as_bytes else candidate
        got, want = _json_outcome(_runtime.loads, arg), _json_outcome(json.loads, arg)
        assert got[0] == want[0] and repr(got[1]) == repr(want[1]), (candidate, got, want)


def test_runtime_loads_on_the_edges() -> None:
    from fine_tuning_client import _runtime

    deep = "[" * 100_000 + "]" * 100_000
    for text in ("", " ", "NaN", "-Infinity", "1e999", "\ufeff{}", '{"a": 1}\n', '"\\ud800"', '{"a": 1} {"b": 2}',
                 "9" * 5000, deep):
        got, want = _json_outcome(_runtime.loads, text), _json_outcome(json.loads, text)
        assert got[0] == want[0] and repr(got[1]) == repr(want[1]), text[:40]
