"""The corpus of real specs nobody here wrote (tests/corpus/, each with its licence and
source): each generates, its package imports and passes ``mypy --strict``, every
operation is a method, every JSON answer has a typed return, and every example the spec
gives decodes losslessly, strictly where JSON Schema says it is valid (and only there),
into values that match their annotations.

JSON Schema's verdict comes from ``jsonschema`` (Draft 2020-12) on the spec's own
schemas turned into 2020-12 (3.0's ``nullable``) with the keywords strict decoding
documents it does not check removed (bounds, lengths, patterns, formats), and object
keywords without a type read as an object, as the README's list of exclusions says.
"""

from __future__ import annotations

import copy
import importlib
import subprocess
import sys
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from generator import ir
from generator.load import Spec, load
from generator.lower import lower
from generator.output import write_tree
from generator.pipeline import Options, build

from .snapshot import CORPUS

GA4GH_REMOTE = "https://raw.githubusercontent.com/ga4gh-discovery/ga4gh-service-info/v1.0.0/"


@dataclass(frozen=True)
class Entry:
    name: str
    path: Path
    ref_map: tuple[tuple[str, Path], ...] = ()
    # the warnings the spec earns, as (JSON pointer, start of the message)
    warnings: tuple[tuple[str, str], ...] = ()


ENTRIES = (
    Entry("ga4gh_drs", CORPUS / "ga4gh-drs" / "openapi" / "data_repository_service.openapi.yaml",
          ((GA4GH_REMOTE, CORPUS / "ga4gh-drs" / "remote" / "ga4gh-service-info-v1.0.0"),)),
    Entry("oai_api_with_examples", CORPUS / "oai-api-with-examples" / "api-with-examples.yaml"),
    Entry("oai_callback_example", CORPUS / "oai-callback-example" / "callback-example.yaml"),
    Entry("oai_link_example", CORPUS / "oai-link-example" / "link-example.yaml"),
    Entry("oai_non_oauth_scopes", CORPUS / "oai-non-oauth-scopes" / "non-oauth-scopes.yaml",
          warnings=(("/paths/~1users/get", "the operation has no responses"),)),
    Entry("oai_uspto", CORPUS / "oai-uspto" / "uspto.yaml"),
    Entry("oai_webhook_example", CORPUS / "oai-webhook-example" / "webhook-example.yaml"),
    Entry("sendgrid_mail", CORPUS / "sendgrid-mail" / "tsg_mail_v3.yaml"),
    Entry("spotify", CORPUS / "spotify" / "fixed-spotify-open-api.yml"),
    Entry("xero_accounting", CORPUS / "xero-accounting" / "xero_accounting.yaml"),
    Entry("xero_identity", CORPUS / "xero-identity" / "xero-identity.yaml"),
)
IDS = [e.name for e in ENTRIES]


@dataclass
class Generated:
    entry: Entry
    spec: Spec
    package: ir.Package
    module: types.ModuleType
    warnings: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus")


@pytest.fixture(scope="module")
def generated(out: Path) -> dict[str, Generated]:
    """Every corpus spec generated (ruff, no cache) into one folder, imported."""
    found: dict[str, Generated] = {}
    for entry in ENTRIES:
        said: list[str] = []
        spec = load(entry.path, ref_map=entry.ref_map, on_warning=lambda w, said=said: said.append(str(w)))
        package = lower(spec, entry.name)
        options = Options(entry.path, out, entry.name, formatter="ruff", use_cache=False, ref_map=entry.ref_map)
        files = build(options)
        write_tree(out, entry.name, files)
        found[entry.name] = Generated(entry, spec, package, types.ModuleType(entry.name), said)
    sys.path.insert(0, str(out))
    for g in found.values():
        g.module = importlib.import_module(g.entry.name)
    return found


def test_every_corpus_spec_passes_mypy_strict(generated: dict[str, Generated], out: Path) -> None:
    """One mypy run over every package, as a user's CI would check the vendored code."""
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", "--no-incremental",
                           *[e.name for e in ENTRIES]], cwd=out, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:]
    assert f"in {len(list(out.glob('*/*.py')))} source files" in done.stdout


@pytest.mark.parametrize("name", IDS)
def test_warnings_are_the_ones_the_spec_earns(generated: dict[str, Generated], name: str) -> None:
    g = generated[name]
    got = [w.split(": ", 2)[1:] for w in g.warnings]
    assert len(got) == len(g.entry.warnings), g.warnings
    for (pointer, message), (want_pointer, start) in zip(got, g.entry.warnings):
        assert pointer == want_pointer and message.startswith(start)


@pytest.mark.parametrize("name", IDS)
def test_every_operation_is_a_method_with_a_typed_json_answer(generated: dict[str, Generated], name: str) -> None:
    g = generated[name]
    spec_ops = list(_spec_operations(g.spec))
    by_route = {(op.http_method, op.path): op for op in g.package.operations}
    assert len(by_route) == len(spec_ops)
    client = getattr(g.module, "Client", None)
    for method, path, op, _ in spec_ops:
        lowered = by_route[(method.upper(), path)]
        assert client is not None and callable(getattr(client, lowered.method_name))
        if any(_json_schema(op, code) is not None for code in _success_codes(op)):
            assert lowered.response is not None and lowered.returns not in ("Any", "None"), (path, lowered.returns)


@pytest.mark.parametrize("name", IDS)
def test_examples_decode_losslessly_and_strictly_exactly_where_json_schema_allows(
        generated: dict[str, Generated], name: str) -> None:
    g = generated[name]
    validators = _Validators(g.spec)
    checked = refused = 0
    for pointer, t, example in _examples(g):
        decode, encode = _codec(g.module, t)
        assert encode(decode(example, False)) == example, f"{pointer}: lenient decoding lost data"
        valid = validators.valid(pointer, example)
        try:
            value = decode(example, True)
        except g.module.DecodeError as exc:
            assert not valid, f"{pointer}: strict decoding refused a valid example: {exc}"
            refused += 1
        else:
            assert valid, f"{pointer}: strict decoding accepted an example JSON Schema refuses"
            assert encode(value) == example
            _check_annotations(value, g.module, pointer)
        checked += 1
    print(f"{name}: {checked} examples, {refused} refused")
    assert checked >= MIN_EXAMPLES[name]


# How many examples each spec gives that a generated type decodes (a floor, so a change
# that silently stops reading them fails).
MIN_EXAMPLES = {
    "ga4gh_drs": 0, "oai_api_with_examples": 3, "oai_callback_example": 0, "oai_link_example": 0,
    "oai_non_oauth_scopes": 0, "oai_uspto": 1, "oai_webhook_example": 0, "sendgrid_mail": 4, "spotify": 17,
    "xero_accounting": 277, "xero_identity": 1,
}


# ----- the spec's operations and examples ------------------------------------------------

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _spec_operations(spec: Spec) -> Any:
    for path, item in (spec.data.get("paths") or {}).items():
        loc = spec.root.child("paths", path)
        if "$ref" in item:
            item, loc = spec.resolve(item["$ref"], loc)
        for method in METHODS:
            if method in item:
                op, oloc = item[method], loc.child(method)
                if "$ref" in op:
                    op, oloc = spec.resolve(op["$ref"], oloc)
                yield method, path, op, oloc


def _success_codes(op: dict[str, Any]) -> list[str]:
    return sorted(str(c) for c in (op.get("responses") or {}) if str(c).startswith("2"))


def _json_schema(op: dict[str, Any], code: str) -> Any:
    resp = op["responses"][code] if code in op["responses"] else op["responses"][int(code)]
    for media, mt in (resp.get("content") or {}).items() if "$ref" not in resp else ():
        if media.split(";")[0].strip().endswith("json") and isinstance(mt, dict) and "schema" in mt:
            return mt["schema"]
    return None


def _examples(g: Generated) -> Any:
    """(JSON pointer of the schema, IR type, example) for every example a generated type
    decodes: an operation's JSON answers and bodies, and components."""
    spec = g.spec
    by_route = {(op.http_method, op.path): op for op in g.package.operations if op.media == "json"}
    for method, path, op, base in _spec_operations(spec):
        lowered = by_route.get((method.upper(), path))
        if lowered is None:
            continue
        for code in _success_codes(op):
            resp = op["responses"].get(code, op["responses"].get(int(code) if code.isdigit() else code))
            rloc = base.child("responses", code)
            if "$ref" in resp:
                resp, rloc = spec.resolve(resp["$ref"], rloc)
            for media, mt in (resp.get("content") or {}).items():
                if media.split(";")[0].strip().endswith("json") and lowered.response is not None:
                    mloc = rloc.child("content", media)
                    for value in _media_examples(spec, mt, mloc):
                        yield _schema_pointer(spec, mt, mloc), lowered.response, value
                    break
        body = lowered.body
        if body is not None and body.kind == "json" and body.type is not None and "requestBody" in op:
            rb, rloc = op["requestBody"], base.child("requestBody")
            if "$ref" in rb:
                rb, rloc = spec.resolve(rb["$ref"], rloc)
            for media, mt in (rb.get("content") or {}).items():
                if media.split(";")[0].strip().endswith("json"):
                    mloc = rloc.child("content", media)
                    for value in _media_examples(spec, mt, mloc):
                        yield _schema_pointer(spec, mt, mloc), body.type, value
                    break
    named = {m.source: ir.ModelType(m.name, m.codec) for m in g.package.models}
    named.update({a.source: ir.AliasType(a.name, a.target) for a in g.package.aliases})
    for name, schema in ((spec.data.get("components") or {}).get("schemas") or {}).items():
        pointer = f"/components/schemas/{name}"
        if isinstance(schema, dict) and "example" in schema and pointer in named:
            yield (str(spec.root_file), pointer), named[pointer], schema["example"]


def _media_examples(spec: Spec, mt: dict[str, Any], loc: Any) -> list[Any]:
    found = []
    if "example" in mt:
        found.append(mt["example"])
    for key, ex in (mt.get("examples") or {}).items():
        if "$ref" in ex:
            ex, _ = spec.resolve(ex["$ref"], loc.child("examples", key))
        if "value" in ex:
            found.append(ex["value"])
    schema = mt.get("schema")
    if isinstance(schema, dict) and "$ref" not in schema and "example" in schema:
        found.append(schema["example"])
    return found


def _schema_pointer(spec: Spec, mt: dict[str, Any], loc: Any) -> tuple[str, str] | None:
    """Where the media type's schema stands; None without one (any JSON value is valid)."""
    return (str(loc.file), loc.child("schema").pointer) if "schema" in mt else None


# ----- decoding any generated type -------------------------------------------------------


def _codec(module: types.ModuleType, t: ir.TypeRef) -> tuple[Any, Any]:
    """decode(data, strict) and encode(value) for an IR type of ``module``."""
    models = importlib.import_module(module.__name__ + ".models")
    u = ir.unwrap(t)
    if isinstance(u, ir.ModelType):
        cls = getattr(models, u.name)

        def decode_model(d: Any, strict: bool) -> Any:
            if d is None and "null" in t.kinds:
                return None
            return cls.from_dict(d, strict=strict) if isinstance(d, dict) or strict else d

        return decode_model, (lambda v: v.to_dict() if isinstance(v, models._Model) else v)
    codec = getattr(u, "codec", "")
    if not codec or u.inline:
        return (lambda d, strict: d), (lambda v: v)
    dec = getattr(models, f"_dec_{codec}")
    enc = getattr(models, f"_enc_{codec}", lambda v: v)

    def decode(d: Any, strict: bool) -> Any:
        return None if d is None and "null" in t.kinds else dec(d, strict)

    return decode, enc


def _check_annotations(value: Any, module: types.ModuleType, where: Any) -> None:
    """Every field of every decoded model holds what its annotation says."""
    if isinstance(value, list):
        for v in value:
            _check_annotations(v, module, where)
        return
    if isinstance(value, dict):
        for v in value.values():
            _check_annotations(v, module, where)
        return
    if not is_dataclass(value):
        return
    namespace = vars(sys.modules[type(value).__module__])
    # the model's own fields (the base class's private slot aside), in its module's names
    hints = {f.name: eval(f.type, namespace) if isinstance(f.type, str) else f.type for f in fields(value)}  # noqa: S307
    for f in fields(value):
        v = getattr(value, f.name)
        assert _matches(v, hints[f.name]), f"{where}: {type(value).__name__}.{f.name} = {v!r} is no {hints[f.name]}"
        _check_annotations(v, module, where)


def _matches(v: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if hint is Any:
        return True
    if hint is None or hint is type(None):
        return v is None
    if origin in (typing.Union, types.UnionType):
        return any(_matches(v, h) for h in typing.get_args(hint))
    if origin is typing.Literal:
        return any(v == a and type(v) is type(a) or (isinstance(a, int) and _is_int(v) and v == a)
                   for a in typing.get_args(hint))
    if origin is list:
        (item,) = typing.get_args(hint)
        return isinstance(v, list) and all(_matches(x, item) for x in v)
    if origin is dict:
        _, value = typing.get_args(hint)
        return isinstance(v, dict) and all(isinstance(k, str) and _matches(x, value) for k, x in v.items())
    if hint is float:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if hint is int:
        return _is_int(v)
    if hint is bool:
        return isinstance(v, bool)
    if isinstance(hint, type):
        return isinstance(v, hint)
    raise AssertionError(f"no rule for the annotation {hint!r}")


def _is_int(v: Any) -> bool:
    return not isinstance(v, bool) and (isinstance(v, int) or isinstance(v, float) and v.is_integer())


# ----- JSON Schema's verdict ------------------------------------------------------------

# What strict decoding documents it does not check (README: strict mode's scope).
UNCHECKED = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
                       "pattern", "format", "minItems", "maxItems", "uniqueItems", "multipleOf",
                       "minProperties", "maxProperties", "discriminator"})


class _Validators:
    """jsonschema (Draft 2020-12) over the spec's documents turned into 2020-12."""

    def __init__(self, spec: Spec) -> None:
        self.registry: Registry[Any] = Registry()
        for file, doc in spec.documents.items():
            if isinstance(doc, (dict, list)):
                res = Resource(contents=_to_2020(copy.deepcopy(doc)), specification=DRAFT202012)
                self.registry = self.registry.with_resource(file.as_uri(), res)
        for prefix, folder in spec.ref_map:
            for f in Path(folder).rglob("*.yaml"):
                doc = spec.document(f.resolve(), spec.root)
                res = Resource(contents=_to_2020(copy.deepcopy(doc)), specification=DRAFT202012)
                self.registry = self.registry.with_resource(prefix + f.relative_to(folder).as_posix(), res)

    def valid(self, where: tuple[str, str] | None, value: Any) -> bool:
        if where is None:
            return True
        file, pointer = where
        schema = {"$ref": Path(file).as_uri() + "#" + pointer}
        return Draft202012Validator(schema, registry=self.registry).is_valid(value)


def _to_2020(node: Any) -> Any:
    if isinstance(node, list):
        return [_to_2020(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_2020(v) for k, v in node.items()
           if not (k in UNCHECKED and not isinstance(v, dict))}
    if isinstance(out.get("properties"), dict) and "type" not in out:
        out["type"] = "object"  # object keywords without a type mean an object
    if out.pop("nullable", None) is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if isinstance(out.get("enum"), list) and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        elif "type" not in out:
            return {"anyOf": [out, {"type": "null"}]}
    return out
