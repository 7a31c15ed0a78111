"""Oracle: datamodel-code-generator's reading of the fragment against ours.

For every object model of schema/fine_tuning.yaml we compare, field by field
(keyed by JSON name), three facts: the field is *present*, *required*, *nullable*;
and its *type*: the JSON type, the enum and const values (as JSON sees them), the
list item, the map value, the model, and a union's variants (``our_shape`` /
``their_shape``, nullability, bounds and formats left out).

* Ours is read from the generator's IR (``generator.lower``), and the IR is checked
  against the committed package in generated/fine_tuning_client/ twice: statically
  (a dataclass field has no default iff it is required) and behaviourally (strict
  decoding of a valid payload with the key set to null / removed).
* Theirs is read from the pydantic v2 models that datamodel-codegen writes for the
  same file (one subprocess per test session, offline): required is
  ``FieldInfo.is_required()``, nullable is "the annotation admits ``None``",
  looking through Union / Optional / Annotated / Literal / RootModel wrappers.

datamodel-codegen flags, and why (see ``DMCG_FLAGS``):

* ``--input-file-type openapi --output-model-type pydantic_v2.BaseModel``.
* ``--strict-nullable``: read OpenAPI nullability strictly. Without it a field with a
  default (``default: auto``) is typed ``X | None``.
* ``--use-missing-sentinel`` (with ``--target-pydantic-version 2.14`` so that it is
  ``pydantic.MISSING``, not the deprecated experimental import): an optional field
  without a default gets the default ``MISSING`` instead of ``None``. Without it
  every optional field without a default is typed ``X | None = None`` whatever the
  schema says, and nullability could not be read from their annotations at all
  (e.g. ``WandbIntegration.tags`` would look nullable and ``FineTuningJob.method``
  too). With it, ``None`` appears in the annotation exactly when the schema admits
  null.
* ``--no-use-annotated``, no ``--use-title-as-name`` (class names come from the
  component keys; several titles differ, e.g. EvalItem is "Eval message object"),
  no ``--collapse-root-models`` (aliases such as Metadata / ReasoningEffort stay
  RootModels, whose ``root`` annotation is walked for null), no ``--use-default``
  (a required property with a default, e.g. ``TextSimilarityGrader.type``, stays
  required), no ``--force-optional``.
* ``--enum-field-as-literal all``: enums as ``Literal[...]`` rather than Enum classes
  (no effect on the three facts, keeps the annotation walk simple).
* ``--no-allow-remote-refs``, ``--formatters builtin``, ``--disable-timestamp``:
  offline, no external formatter, reproducible. The subprocess runs in a temporary
  directory so that no pyproject.toml ``[tool.datamodel-codegen]`` is picked up.

Coverage of the behavioural checks: every example in schema/examples/ is a full
FineTuningJob; the JSON is walked alongside the IR's types to collect, per model,
the sub-objects that a strict decode reaches. Nullability is probed on *every*
field of a sampled model (the key is set to null, whether or not the example had
it); requiredness is probed by removing each key the sample has; a field absent
from every sample is behaviourally optional already (the sample decodes strictly
without it). Models that no example reaches are listed in ``UNSAMPLED_MODELS``:
their requiredness/nullability is checked via the IR (and the dataclass defaults)
only.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib.util
import json
import os
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
FRAGMENT_PATH = REPO / "schema" / "fine_tuning.yaml"
EXAMPLES_DIR = REPO / "schema" / "examples"
GENERATED_DIR = REPO / "generated"
PACKAGE = "fine_tuning_client"

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if str(GENERATED_DIR) not in sys.path:
    sys.path.insert(0, str(GENERATED_DIR))

DMCG_FLAGS: tuple[str, ...] = (
    "--input-file-type", "openapi",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--strict-nullable",
    "--use-missing-sentinel",
    "--target-pydantic-version", "2.14",
    "--no-use-annotated",
    "--enum-field-as-literal", "all",
    "--no-allow-remote-refs",
    "--formatters", "builtin",
    "--disable-timestamp",
)

# Our class name -> datamodel-codegen's class name, where they differ. Both name a
# component model after its component key, and every object model of this fragment
# is a component (the upstream inline objects were hoisted in the fragment itself),
# so the mapping is the identity today. An entry here must say why.
THEIR_CLASS_NAME: dict[str, str] = {}

# Deliberate differences: (model, JSON name, fact) -> reason, where fact is one of
# "present", "required", "nullable". A listed difference must be a real one: the
# test fails if it is listed but the two readings agree (a stale entry).
#
# None today. With the flags above datamodel-codegen and our IR agree on every
# field of every object model. The differences one meets with other flags are
# artefacts of the oracle's reading, not of the schema, and are avoided by the flags
# rather than listed here:
#   * without --use-missing-sentinel: every optional field without a default reads as
#     nullable (`X | None = None`), e.g. WandbIntegration.tags, PythonGrader.image_tag,
#     InputImage.detail, EvalItem.type, FineTuningJob.method, FineTuneMethod.*;
#   * without --strict-nullable: an optional field with a default reads as nullable,
#     e.g. SupervisedHyperparameters.n_epochs (`default: auto`).
DELIBERATE_DIFFERENCES: dict[tuple[str, str, str], str] = {}

# Object models that no example in schema/examples/ reaches: their requiredness and
# nullability are checked against datamodel-codegen via the IR only, plus the static
# dataclass check, not behaviourally. Kept explicit so that coverage cannot shrink
# silently (the test fails if this set is not exactly the unsampled one).
UNSAMPLED_MODELS: frozenset[str] = frozenset()

FACTS = ("present", "required", "nullable")


# ----------------------------------------------------------------------- the fragment

FRAGMENT: dict[str, Any] = yaml.safe_load(FRAGMENT_PATH.read_text(encoding="utf-8"))
SCHEMAS: dict[str, Any] = FRAGMENT["components"]["schemas"]


def _is_object_model(schema: Any) -> bool:
    return (
        isinstance(schema, dict)
        and isinstance(schema.get("properties"), dict)
        and bool(schema["properties"])
        and not any(k in schema for k in ("oneOf", "anyOf", "enum", "const"))
    )


OBJECT_MODELS: tuple[str, ...] = tuple(n for n, s in SCHEMAS.items() if _is_object_model(s))
EXAMPLE_FILES = sorted(EXAMPLES_DIR.glob("*.json"))


# ------------------------------------------------------------------------ our reading


@dataclasses.dataclass(frozen=True)
class Reading:
    """One generator's reading of one model: JSON names, required ones, nullable ones."""

    present: frozenset[str]
    required: frozenset[str]
    nullable: frozenset[str]

    def get(self, fact: str) -> frozenset[str]:
        return getattr(self, fact)


@pytest.fixture(scope="module")
def ir_package() -> Any:
    from generator.load import load
    from generator.lower import lower

    return lower(load(str(FRAGMENT_PATH)), PACKAGE)


@pytest.fixture(scope="module")
def ir_models(ir_package: Any) -> dict[str, Any]:
    return {m.name: m for m in ir_package.models}


def our_reading(model: Any) -> Reading:
    return Reading(
        present=frozenset(f.json_name for f in model.fields),
        required=frozenset(f.json_name for f in model.fields if f.required),
        nullable=frozenset(f.json_name for f in model.fields if f.nullable),
    )


@pytest.fixture(scope="module")
def client() -> types.ModuleType:
    import importlib

    return importlib.import_module(PACKAGE)


# ---------------------------------------------------------------------- their reading


@pytest.fixture(scope="module")
def dmcg_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[types.ModuleType]:
    """Run datamodel-codegen once on the fragment and import what it writes."""
    out_dir = tmp_path_factory.mktemp("dmcg")
    out = out_dir / "dmcg_models.py"
    env = dict(os.environ)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env.pop(var, None)
    env["NO_PROXY"] = env["no_proxy"] = "*"
    cmd = [
        sys.executable, "-m", "datamodel_code_generator",
        "--input", str(FRAGMENT_PATH),
        "--output", str(out),
        *DMCG_FLAGS,
    ]
    proc = subprocess.run(cmd, cwd=out_dir, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"datamodel-codegen failed:\n{proc.stdout}\n{proc.stderr}"
    name = "_oracle_dmcg_models"
    spec = importlib.util.spec_from_file_location(name, out)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # pydantic resolves forward references through it
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(name, None)


def _their_classes(module: types.ModuleType) -> dict[str, type]:
    from pydantic import BaseModel, RootModel

    return {
        n: c
        for n, c in vars(module).items()
        if isinstance(c, type)
        and issubclass(c, BaseModel)
        and not issubclass(c, RootModel)
        and c.__module__ == module.__name__
    }


def admits_none(annotation: Any, _seen: frozenset[type] = frozenset()) -> bool:
    """Whether a pydantic annotation admits ``None``: walk unions, Optional,
    Annotated, Literal and RootModel wrappers. ``MISSING`` (absent) is not null."""
    from pydantic import MISSING, RootModel

    if annotation is None or annotation is type(None):
        return True
    if annotation is MISSING:
        return False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(admits_none(a, _seen) for a in typing.get_args(annotation))
    if origin is typing.Annotated:
        return admits_none(typing.get_args(annotation)[0], _seen)
    if origin is typing.Literal:
        return None in typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, RootModel):
        if annotation in _seen:
            return False
        return admits_none(annotation.model_fields["root"].annotation, _seen | {annotation})
    return False


def their_reading(cls: Any) -> Reading:
    fields = {(info.alias or name): info for name, info in cls.model_fields.items()}
    return Reading(
        present=frozenset(fields),
        required=frozenset(k for k, f in fields.items() if f.is_required()),
        nullable=frozenset(k for k, f in fields.items() if admits_none(f.annotation)),
    )


# ------------------------------------------------------------------------- comparison


def disagreements(model: str, ours: Reading, theirs: Reading) -> dict[tuple[str, str, str], str]:
    """Every (model, JSON name, fact) on which the two readings differ."""
    found: dict[tuple[str, str, str], str] = {}
    for fact in FACTS:
        a, b = ours.get(fact), theirs.get(fact)
        for key in sorted(a - b):
            found[(model, key, fact)] = f"ours: {fact}, datamodel-codegen: not {fact}"
        for key in sorted(b - a):
            found[(model, key, fact)] = f"ours: not {fact}, datamodel-codegen: {fact}"
    return found


def _undeliberate(model: str, ours: Reading, theirs: Reading) -> dict[tuple[str, str, str], str]:
    return {k: v for k, v in disagreements(model, ours, theirs).items() if k not in DELIBERATE_DIFFERENCES}


# ------------------------------------------------------------------------------ tests


def test_object_models_are_the_same_set(ir_models: dict[str, Any], dmcg_module: types.ModuleType) -> None:
    """The fragment's object components, our models and theirs are one set of names."""
    theirs = set(_their_classes(dmcg_module))
    expected_theirs = {THEIR_CLASS_NAME.get(n, n) for n in OBJECT_MODELS}
    assert set(ir_models) == set(OBJECT_MODELS)
    assert theirs == expected_theirs


@pytest.mark.parametrize("model", OBJECT_MODELS)
def test_fields_agree_with_datamodel_codegen(
    model: str, ir_models: dict[str, Any], dmcg_module: types.ModuleType
) -> None:
    cls = _their_classes(dmcg_module)[THEIR_CLASS_NAME.get(model, model)]
    ours, theirs = our_reading(ir_models[model]), their_reading(cls)
    assert _undeliberate(model, ours, theirs) == {}


def test_deliberate_differences_are_real(ir_models: dict[str, Any], dmcg_module: types.ModuleType) -> None:
    """A listed difference that has gone away must be removed from the list."""
    classes = _their_classes(dmcg_module)
    for (model, key, fact), reason in DELIBERATE_DIFFERENCES.items():
        assert fact in FACTS and reason.strip(), (model, key, fact)
        found = disagreements(
            model, our_reading(ir_models[model]), their_reading(classes[THEIR_CLASS_NAME.get(model, model)])
        )
        assert (model, key, fact) in found, f"stale deliberate difference {(model, key, fact)}"


def test_their_nullability_reader_matches_pydantic(dmcg_module: types.ModuleType) -> None:
    """The annotation walk says None is admitted iff pydantic accepts None there."""
    from pydantic import TypeAdapter, ValidationError

    checked = 0
    for name, cls in _their_classes(dmcg_module).items():
        for fname, info in cls.model_fields.items():
            try:
                TypeAdapter(info.annotation).validate_python(None)
                accepts = True
            except ValidationError:
                accepts = False
            assert accepts == admits_none(info.annotation), (name, fname, info.annotation)
            checked += 1
    assert checked > 0


def test_comparison_catches_mutations(ir_models: dict[str, Any], dmcg_module: types.ModuleType) -> None:
    """The oracle can fail: a field that loses its required flag, gains nullability
    or disappears from our IR is reported."""
    classes = _their_classes(dmcg_module)
    job = ir_models["FineTuningJob"]
    theirs = their_reading(classes[THEIR_CLASS_NAME.get("FineTuningJob", "FineTuningJob")])

    def mutated(json_name: str, **changes: Any) -> Reading:
        fields = tuple(
            dataclasses.replace(f, **changes) if f.json_name == json_name else f for f in job.fields
        )
        return our_reading(dataclasses.replace(job, fields=fields))

    assert _undeliberate("FineTuningJob", mutated("seed", required=False), theirs) == {
        ("FineTuningJob", "seed", "required"): "ours: not required, datamodel-codegen: required"
    }
    assert _undeliberate("FineTuningJob", mutated("method", nullable=True), theirs) == {
        ("FineTuningJob", "method", "nullable"): "ours: nullable, datamodel-codegen: not nullable"
    }
    assert _undeliberate("FineTuningJob", mutated("error", nullable=False), theirs) == {
        ("FineTuningJob", "error", "nullable"): "ours: not nullable, datamodel-codegen: nullable"
    }
    dropped = dataclasses.replace(job, fields=tuple(f for f in job.fields if f.json_name != "metadata"))
    assert ("FineTuningJob", "metadata", "present") in _undeliberate("FineTuningJob", our_reading(dropped), theirs)


# ------------------------------------------------------------------ types, enums, consts


# (model, JSON name) -> reason, for a field whose type the two read differently on
# purpose. None today; a listed entry must be a real difference (a stale one fails).
DELIBERATE_TYPE_DIFFERENCES: dict[tuple[str, str], str] = {}


def _shape_union(shapes: list[Any]) -> Any:
    """One shape for a union: nested unions flattened, literal members merged into one
    literal, a single member standing for itself."""
    flat: list[Any] = []
    literals: set[Any] = set()
    for sh in shapes:
        members = sh[1] if isinstance(sh, tuple) and sh[0] == "union" else frozenset([sh])
        for m in members:
            if isinstance(m, tuple) and m[0] == "literal":
                literals |= m[1]
            elif m not in flat:
                flat.append(m)
    if literals:
        flat.append(("literal", frozenset(literals)))
    return flat[0] if len(flat) == 1 else ("union", frozenset(flat))


def _literal_key(v: Any) -> Any:
    """A literal value as JSON sees it (``True`` is not ``1``)."""
    return (type(v).__name__, json.dumps(v, sort_keys=True))


def our_shape(t: Any) -> Any:
    """A field type read off our IR, nullability left out (it is its own fact)."""
    from generator import ir

    match t:
        case ir.NullableType():
            return our_shape(t.inner)
        case ir.AliasType():
            return our_shape(t.target)
        case ir.RecursiveType():
            return "any" if t.resolved is None else our_shape(t.resolved)
        case ir.Primitive():
            return t.json_type
        case ir.AnyType():
            return "any"
        case ir.LiteralType():
            return ("literal", frozenset(_literal_key(v.value if isinstance(v, ir.JsonValue) else v)
                                         for v in t.values))
        case ir.ListType():
            return ("list", our_shape(t.item))
        case ir.MapType():
            return ("map", our_shape(t.value))
        case ir.ModelType():
            return ("model", t.name)
        case ir.UnionType():
            return _shape_union([our_shape(v) for v in t.variants])
    raise AssertionError(f"no shape for {t!r}")


def their_shape(annotation: Any, seen: frozenset[type] = frozenset()) -> Any:
    """A field type read off datamodel-codegen's pydantic annotation, null and
    ``MISSING`` left out; constrained types (``conint``, ``PositiveFloat``) are their
    base type, ``AnyUrl`` a string (formats and bounds are not types)."""
    from pydantic import MISSING, AnyUrl, BaseModel, RootModel

    if annotation is typing.Any:
        return "any"
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return their_shape(args[0], seen)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None) and a is not None and a is not MISSING]
        return _shape_union([their_shape(a, seen) for a in members])
    if origin is typing.Literal:
        return ("literal", frozenset(_literal_key(v) for v in args if v is not None))
    if origin is list:
        return ("list", their_shape(args[0], seen))
    if origin is dict:
        return ("map", their_shape(args[1], seen))
    scalars = {str: "string", int: "integer", float: "number", bool: "boolean", AnyUrl: "string"}
    if annotation in scalars:
        return scalars[annotation]
    if isinstance(annotation, type) and issubclass(annotation, RootModel):
        if annotation in seen:
            return "any"
        return their_shape(annotation.model_fields["root"].annotation, seen | {annotation})
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        name = annotation.__name__
        return ("model", next((ours for ours, theirs in THEIR_CLASS_NAME.items() if theirs == name), name))
    raise AssertionError(f"no shape for {annotation!r}")


def type_disagreements(model: str, ours: Any, theirs: Any) -> dict[tuple[str, str], tuple[Any, Any]]:
    """(model, JSON name) -> (our shape, theirs) where the two read a field's type
    (with its enum and const values and union variants) differently."""
    mine = {f.json_name: our_shape(f.type) for f in ours.fields}
    fields = {(info.alias or name): info for name, info in theirs.model_fields.items()}
    found = {}
    for key in sorted(mine.keys() & fields.keys()):
        other = their_shape(fields[key].annotation)
        if mine[key] != other:
            found[(model, key)] = (mine[key], other)
    return found


@pytest.mark.parametrize("model", OBJECT_MODELS)
def test_field_types_enums_consts_and_variants_agree(
    model: str, ir_models: dict[str, Any], dmcg_module: types.ModuleType
) -> None:
    cls = _their_classes(dmcg_module)[THEIR_CLASS_NAME.get(model, model)]
    found = type_disagreements(model, ir_models[model], cls)
    assert {k: v for k, v in found.items() if k not in DELIBERATE_TYPE_DIFFERENCES} == {}
    for key in DELIBERATE_TYPE_DIFFERENCES:
        if key[0] == model:
            assert key in found, f"stale deliberate type difference {key}"


def test_type_comparison_catches_mutations(ir_models: dict[str, Any], dmcg_module: types.ModuleType) -> None:
    """The type oracle can fail: an integer lowered as a number, a lost enum value, a
    const changed, a union variant dropped are each reported."""
    from generator import ir

    classes = _their_classes(dmcg_module)

    def changed(model: str, json_name: str, edit: Any) -> set[tuple[str, str]]:
        m = ir_models[model]
        fields = tuple(dataclasses.replace(f, type=edit(f.type)) if f.json_name == json_name else f
                       for f in m.fields)
        cls = classes[THEIR_CLASS_NAME.get(model, model)]
        return set(type_disagreements(model, dataclasses.replace(m, fields=fields), cls))

    def fewer(t: Any) -> Any:
        t = ir.unwrap(t)
        return ir.LiteralType(t.values[:-1])

    assert changed("FineTuningJob", "created_at", lambda t: ir.Primitive("number")) == {("FineTuningJob", "created_at")}
    assert changed("FineTuningJob", "status", fewer) == {("FineTuningJob", "status")}
    assert changed("FineTuningJob", "object", lambda t: ir.LiteralType(("fine_tuning.jobs",))) == {
        ("FineTuningJob", "object")}
    grader = ir_models["ReinforcementMethod"]
    gfield = next(f for f in grader.fields if f.json_name == "grader")
    union = ir.unwrap(gfield.type)
    assert isinstance(union, ir.UnionType)
    assert changed("ReinforcementMethod", "grader",
                   lambda t: dataclasses.replace(union, variants=union.variants[:-1])) == {
        ("ReinforcementMethod", "grader")}


# ------------------------------------------------- the IR against the generated code


@pytest.mark.parametrize("model", OBJECT_MODELS)
def test_dataclass_matches_ir(model: str, ir_models: dict[str, Any], client: types.ModuleType) -> None:
    """Statically: the dataclass has one field per IR field; no default iff required."""
    cls = getattr(client.models, model)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    irm = ir_models[model]
    assert set(fields) == {f.attr for f in irm.fields}
    for f in irm.fields:
        has_default = fields[f.attr].default is not dataclasses.MISSING or (
            fields[f.attr].default_factory is not dataclasses.MISSING
        )
        assert has_default == (not f.required), (model, f.json_name)


def _walk(value: Any, t: Any, models: dict[str, Any], out: dict[str, list[dict[str, Any]]]) -> None:
    """Collect, per model, the JSON objects that decoding ``value`` as ``t`` reaches."""
    from generator import ir

    t = ir.unwrap(t)
    if value is None:
        return
    if isinstance(t, ir.ModelType):
        if isinstance(value, dict):
            out.setdefault(t.name, []).append(value)
            for f in models[t.name].fields:
                if f.json_name in value:
                    _walk(value[f.json_name], f.type, models, out)
    elif isinstance(t, ir.ListType):
        if isinstance(value, list):
            for item in value:
                _walk(item, t.item, models, out)
    elif isinstance(t, ir.MapType):
        if isinstance(value, dict):
            for item in value.values():
                _walk(item, t.value, models, out)
    elif isinstance(t, ir.UnionType):
        kind = "object" if isinstance(value, dict) else "array" if isinstance(value, list) else None
        branch = next((b for b in t.branches if b.kind == kind), None)
        if branch is None:
            return
        if branch.discriminator is not None:
            target = dict(branch.discriminator.mapping).get(value.get(branch.discriminator.property_name))
            if target is not None:
                _walk(value, target, models, out)
        elif branch.decoder is not None:
            _walk(value, branch.decoder, models, out)


@pytest.fixture(scope="module")
def samples(ir_models: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Per model, the distinct JSON objects the examples hold for it."""
    from generator import ir

    assert EXAMPLE_FILES, "no examples in schema/examples/"
    found: dict[str, list[dict[str, Any]]] = {}
    root = ir.ModelType("FineTuningJob", "FineTuningJob")
    for path in EXAMPLE_FILES:
        _walk(json.loads(path.read_text(encoding="utf-8")), root, ir_models, found)
    unique: dict[str, list[dict[str, Any]]] = {}
    for name, objs in found.items():
        seen: dict[str, dict[str, Any]] = {}
        for o in objs:
            seen.setdefault(json.dumps(o, sort_keys=True), o)
        unique[name] = list(seen.values())
    return unique


def test_examples_decode_strictly(client: types.ModuleType) -> None:
    for path in EXAMPLE_FILES:
        client.FineTuningJob.from_dict(json.loads(path.read_text(encoding="utf-8")), strict=True)


def test_unsampled_models_are_listed(samples: dict[str, list[dict[str, Any]]]) -> None:
    assert set(OBJECT_MODELS) - set(samples) == set(UNSAMPLED_MODELS)


def _decodes(cls: Any, data: dict[str, Any], errors: type[Exception]) -> bool:
    try:
        cls.from_dict(data, strict=True)
    except errors:
        return False
    return True


@pytest.mark.parametrize("model", OBJECT_MODELS)
def test_nullability_behaviour(
    model: str,
    ir_models: dict[str, Any],
    samples: dict[str, list[dict[str, Any]]],
    client: types.ModuleType,
) -> None:
    """A key set to null decodes strictly iff the IR says the field is nullable.

    Every field is probed, including those absent from the sample (the null is added).
    """
    if model in UNSAMPLED_MODELS:
        pytest.skip(f"{model}: no example reaches it; checked via the IR only")
    cls = getattr(client.models, model)
    wrong: list[str] = []
    for sample in samples[model]:
        assert _decodes(cls, sample, client.DecodeError), f"{model}: sample does not decode: {sample}"
        for f in ir_models[model].fields:
            data = copy.deepcopy(sample)
            data[f.json_name] = None
            if _decodes(cls, data, client.DecodeError) != f.nullable:
                wrong.append(f"{f.json_name}: IR nullable={f.nullable}, generated code disagrees")
    assert wrong == []


@pytest.mark.parametrize("model", OBJECT_MODELS)
def test_requiredness_behaviour(
    model: str,
    ir_models: dict[str, Any],
    samples: dict[str, list[dict[str, Any]]],
    client: types.ModuleType,
) -> None:
    """Removing a key makes strict decoding fail iff the IR says it is required.

    A field absent from a sample that decodes strictly is optional by the sample itself.
    """
    if model in UNSAMPLED_MODELS:
        pytest.skip(f"{model}: no example reaches it; checked via the IR only")
    cls = getattr(client.models, model)
    wrong: list[str] = []
    for sample in samples[model]:
        assert _decodes(cls, sample, client.DecodeError), f"{model}: sample does not decode: {sample}"
        for f in ir_models[model].fields:
            if f.json_name not in sample:
                if f.required:
                    wrong.append(f"{f.json_name}: IR required, but a sample decodes without it")
                continue
            data = copy.deepcopy(sample)
            del data[f.json_name]
            if _decodes(cls, data, client.DecodeError) == f.required:
                wrong.append(f"{f.json_name}: IR required={f.required}, generated code disagrees")
    assert wrong == []
