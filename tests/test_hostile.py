"""Valid but hostile specs: tests/features/hostile_text, hostile_names, hostile_shapes.

Their golden packages are also checked by tests/test_golden.py (equal to a fresh
generation, ``mypy --strict`` in one run, black, standard-library-only import). Here:
what they do. Spec text stays text (no file appears that it tried to create, ``{{ 7*7 }}``
stays literal, controls are escaped); every JSON name round-trips; recursive and
composed shapes decode and give their input back.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import os
import random
import subprocess
import sys
import unicodedata
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from generator.load import load
from generator.lower import lower
from tests.instances import InstanceMaker

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "tests" / "features"
HOSTILE = ("hostile_text", "hostile_names", "hostile_shapes")


def golden(name: str) -> Path:
    return FEATURES / name / "golden" / f"{name}_client"


def package(name: str) -> ModuleType:
    path = str(golden(name).parent)
    if path not in sys.path:
        sys.path.insert(0, path)
    import importlib

    return importlib.import_module(f"{name}_client")


def spec(name: str) -> dict[str, Any]:
    return yaml.safe_load((FEATURES / name / "spec.yaml").read_text(encoding="utf-8"))


def roundtrip(cls: Any, data: Any) -> Any:
    for strict in (True, False):
        obj = cls.from_dict(data, strict=strict)
        assert obj.to_dict() == data
    return cls.from_dict(data)


def pwned(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*PWNED*")]


# ----- every hostile family: a fresh process, random payloads --------------------------


@pytest.mark.parametrize("name", HOSTILE)
def test_imports_in_a_fresh_process_and_creates_nothing(name: str, tmp_path: Path) -> None:
    code = (
        "import importlib, sys\n"
        "pkg = importlib.import_module(sys.argv[1])\n"
        "for m in ('models', 'errors', '_runtime', 'client', '_base_client', '_transport', '_encoding', '_response', '_streaming', '_retries'):\n"
        "    try:\n"
        "        importlib.import_module(sys.argv[1] + '.' + m)\n"
        "    except ModuleNotFoundError as e:\n"
        "        assert e.name == sys.argv[1] + '.' + m, e\n"
        "exec('from ' + sys.argv[1] + ' import *')\n"
        "print(len(pkg.__all__))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(golden(name).parent), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "-c", code, f"{name}_client"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []
    assert not pwned(golden(name), tmp_path, ROOT)


@pytest.mark.parametrize("name", HOSTILE)
def test_random_payloads_roundtrip(name: str) -> None:
    mod = package(name)
    document = spec(name)
    for schema_name, schema in document["components"]["schemas"].items():
        ours = _class_for(name, schema_name)
        if ours is None:
            continue
        maker = InstanceMaker(document, random.Random(f"{name}/{schema_name}"))
        for _ in range(25):
            data = maker.make(schema)
            if isinstance(data, dict):
                roundtrip(getattr(mod, ours), data)


def _class_for(feature: str, schema_name: str) -> str | None:
    """The generated class for a component, read from the IR (None: not a model)."""
    package_ir = _ir(feature)
    for model in package_ir.models:
        if model.source == "/components/schemas/" + schema_name.replace("~", "~0").replace("/", "~1"):
            return model.name
    return None


_IR_CACHE: dict[str, Any] = {}


def _ir(feature: str) -> Any:
    if feature not in _IR_CACHE:
        _IR_CACHE[feature] = lower(load(FEATURES / feature / "spec.yaml"), f"{feature}_client")
    return _IR_CACHE[feature]


# ----- text --------------------------------------------------------------------------


def _docstrings(path: Path) -> dict[str, str]:
    """Class docstrings and the docstring under each field: "Class" / "Class.attr"."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            found[node.name] = ast.get_docstring(node, clean=False) or ""
            body = node.body
            for before, after in zip(body, body[1:]):
                if (isinstance(before, ast.AnnAssign) and isinstance(before.target, ast.Name)
                        and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)):
                    found[f"{node.name}.{before.target.id}"] = _dedent(after.value.value)
    return found


def _dedent(doc: str) -> str:
    """A field docstring without the 4-space indent of its continuation lines (tabs stay)."""
    first, *rest = doc.split("\n")
    return "\n".join([first] + [line[4:] if line.startswith("    ") else line for line in rest])


def test_docstrings_hold_the_spec_text_exactly() -> None:
    props = spec("hostile_text")["components"]["schemas"]["Thing"]["properties"]
    docs = _docstrings(golden("hostile_text") / "models.py")
    assert docs["Thing"].strip() == spec("hostile_text")["components"]["schemas"]["Thing"]["description"]
    for attr in ("docstring_escape", "single_quotes", "jinja", "control", "quotes_everywhere", "dunder_text"):
        text = props[attr]["description"]
        assert docs[f"Thing.{attr}"].startswith(text.strip()), (attr, docs[f"Thing.{attr}"])
    # a backslash at the end, and the default written after it
    assert docs["Thing.backslashes"].startswith(props["backslashes"]["description"])
    assert '`"C:\\\\path\\\\to\\\\"`' in docs["Thing.backslashes"]


def test_jinja_syntax_stays_literal() -> None:
    models = (golden("hostile_text") / "models.py").read_text(encoding="utf-8")
    client = (golden("hostile_text") / "client.py").read_text(encoding="utf-8")
    assert "{{ 7*7 }}" in models and "{% for x in range(3) %}{{ x }}{% endfor %}" in models
    assert "{{ package.name }}" in models
    assert '"/things/{thing_id}/\\"quoted\\"/\'single\'/\\\\back/{{ 7*7 }}"' in client
    assert models.count("{{ 7*7 }}") >= 4  # the description, two enum values and a default


def test_no_raw_controls_in_generated_source() -> None:
    for path in golden("hostile_text").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        bad = {ch for ch in text if ch not in "\n\t"
               and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")}
        assert not bad, (path.name, bad)
    models = (golden("hostile_text") / "models.py").read_text(encoding="utf-8")
    for escaped in ("\\x00", "\\x07", "\\x1b", "\\x7f", "\\x85", "\\u2028", "\\u2029", "\\ufeff", "\\u202e"):
        assert escaped in models, escaped


def test_control_and_quote_values_decode_exactly() -> None:
    mod = package("hostile_text")
    props = spec("hostile_text")["components"]["schemas"]["Thing"]["properties"]
    for key in ("control", "jinja", "quotes_everywhere", "unicode", "empty_and_space"):
        for value in props[key]["enum"]:
            roundtrip(mod.Thing, {"docstring_escape": "x", key: value})
    with pytest.raises(mod.DecodeError):
        mod.Thing.from_dict({"docstring_escape": "x", "control": "\\x00"})  # the escape is not the value
    roundtrip(mod.Weird, {"label": "x\"\"\"; import os; os.system('touch PWNED_ENUM'); \"\"\"x"})
    assert mod.client._DEFAULT_BASE_URL == spec("hostile_text")["servers"][0]["url"]


def test_generating_hostile_text_writes_only_the_package(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_bytes((FEATURES / "hostile_text" / "spec.yaml").read_bytes())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "generator", "generate", "--schema", "spec.yaml",
                             "--out", "out", "--package", "p"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "spec.yaml"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["p"]
    assert not pwned(tmp_path)


# ----- names -------------------------------------------------------------------------


def _value_for(field: Any) -> Any:
    t = field.decodes
    shape = getattr(t, "shape", "any")
    if shape == "primitive":
        return {"string": "s", "integer": 1, "number": 1.5, "boolean": True}[t.json_type]
    if shape == "literal":
        return t.values[0]
    if shape == "list":
        return []
    if shape in ("map", "model"):
        return {} if shape == "map" else None
    return ["any", None]


def test_every_json_name_roundtrips() -> None:
    mod = package("hostile_names")
    for model in _ir("hostile_names").models:
        cls = getattr(mod, model.name)
        data = {f.json_name: _value_for(f) for f in model.fields}
        data = {k: v for k, v in data.items() if v is not None}
        obj = roundtrip(cls, data)
        for f in model.fields:
            if f.json_name in data:
                assert getattr(obj, f.attr) == data[f.json_name], (model.name, f.json_name, f.attr)
        # built in code, keyword by keyword, it writes the same JSON
        built = cls(**{f.attr: getattr(obj, f.attr) for f in model.fields})
        assert built.to_dict() == data
        assert [f.name for f in dataclasses.fields(cls)] == [f.attr for f in model.fields]
        for f in model.fields:
            assert f.attr.isidentifier() and unicodedata.normalize("NFKC", f.attr) == f.attr


def test_python_names_follow_the_rules() -> None:
    mod = package("hostile_names")
    attrs = {m.name: {f.json_name: f.attr for f in m.fields} for m in _ir("hostile_names").models}
    kw = attrs["Keywords"]
    # the snake case of the wire name; hard keywords take `_`
    assert (kw["class"], kw["None"], kw["True"], kw["def"], kw["async"]) == ("class_", "none", "true", "def_", "async_")
    # soft keywords and builtins stay as they are
    assert (kw["match"], kw["case"], kw["type"], kw["_"], kw["id"], kw["print"], kw["self"]) == (
        "match", "case", "type", "field_", "id", "print", "self")
    methods = attrs["Methods"]
    assert (methods["to_dict"], methods["from_dict"], methods["to_dict_"], methods["_meta"]) == (
        "to_dict_", "from_dict_", "to_dict_2", "meta_")
    builtins = attrs["Builtins"]
    assert (builtins["str"], builtins["Any"], builtins["classmethod"], builtins["Builtins"], builtins["Keywords"]) == (
        "str_", "any", "classmethod_", "builtins", "keywords")
    shapes = attrs["ShapesOfNames"]
    # clashes left after the snake case take a number
    assert (shapes["Foo-Bar"], shapes["Foo_Bar"], shapes["foo.bar"], shapes["1st"], shapes["ﬁle"], shapes["file"]) == (
        "foo_bar", "foo_bar_2", "foo_bar_3", "n1st", "file", "file_2")
    assert (shapes["camelCase"], shapes["UPPER"], shapes["upper"], shapes["enum_case"]) == (
        "camel_case", "upper", "upper_2", "enum_case")
    assert shapes["ñandú"] == "ñandú" and shapes["日本語"] == "日本語"
    # classes that would shadow an import or a builtin are renamed; clashes get a number
    for renamed in ("AnyModel", "LiteralModel", "MappingModel", "KeyErrorModel", "DecodeErrorModel", "ClientModel",
                    "NoneModel", "TrueModel", "Dataclass", "Json", "FooBar", "FooBar2", "Ñandú", "Class"):
        assert renamed in mod.__all__, renamed
    assert mod.models.Mapping is not mod.MappingModel and mod.DecodeError is not mod.DecodeErrorModel
    keyerror = mod.KeyErrorModel.from_dict({"key": "k"})
    assert keyerror.key == "k"  # the decoder's `except KeyError` still means the builtin
    with pytest.raises(mod.DecodeError, match="missing required key 'class'"):
        mod.Keywords.from_dict({})


def test_client_method_names() -> None:
    mod = package("hostile_names")
    names = {n for n, _ in inspect.getmembers(mod.Client, inspect.isfunction)}
    assert {"class_", "close_", "float_", "with_raw_response_", "op_2_fa_setup", "obtener_ñandú"} <= names
    assert inspect.getsource(mod.Client.close) == inspect.getsource(mod._base_client.SyncAPIClient.close)
    params = list(inspect.signature(mod.Client.class_).parameters)
    assert params[:6] == ["self", "class_", "self_", "timeout_", "extra_headers_", "n2nd"]


# ----- shapes ------------------------------------------------------------------------


def _tree(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"label": "leaf", "parent": None}
    for i in range(depth):
        node = {"label": f"level {i}", "children": [node, {"label": "x"}], "by_name": {"k": {"label": "k"}}}
    return node


def test_a_tree_60_levels_deep_roundtrips() -> None:
    mod = package("hostile_shapes")
    data = _tree(60)
    tree = roundtrip(mod.Tree, data)
    depth = 0
    while tree.children:
        assert isinstance(tree.by_name, dict) and isinstance(tree.by_name["k"], mod.Tree)
        assert isinstance(tree.children[1], mod.Tree) and tree.children[1].label == "x"
        tree = tree.children[0]
        assert isinstance(tree, mod.Tree)
        depth += 1
    assert tree.by_name is None and tree.label == "leaf"  # the leaf has no map
    assert depth == 60
    assert mod.Tree.from_json(mod.Tree.from_dict(data).to_json()).to_dict() == data
    bad = _tree(60)
    node = bad
    for _ in range(59):
        node = node["children"][0]
    node["children"][1]["label"] = 5
    with pytest.raises(mod.DecodeError, match=r"^\$(\.children\[0\]){59}\.children\[1\]\.label: expected string"):
        mod.Tree.from_dict(bad)


def test_recursion_through_aliases_decodes_every_level() -> None:
    mod = package("hostile_shapes")
    expr = {"kind": "bin", "op": "+", "left": {"kind": "num", "value": 1},
            "right": {"kind": "negate", "operand": {"kind": "bin", "op": "*", "left": {"kind": "num", "value": 2},
                                                     "right": {"kind": "num", "value": 3.5}}}}
    for _ in range(40):
        expr = {"kind": "negate", "operand": expr}
    json_value: Any = "leaf"
    for i in range(40):
        json_value = {"k": [json_value, i, None, True]} if i % 2 else [json_value, {"x": 1.5}]
    registry = roundtrip(mod.Registry, {"expr": expr, "json": json_value})
    node = registry.expr
    while isinstance(node, mod.Neg):
        node = node.operand
    assert isinstance(node, mod.BinOp) and isinstance(node.right.operand.left, mod.Num)
    bad = {"kind": "negate", "operand": {"kind": "bin", "op": "+", "left": {"kind": "num", "value": 1}, "right": {
        "kind": "negate", "operand": {"kind": "bin", "op": "*", "left": {"kind": "num", "value": "2"},
                                      "right": {"kind": "num", "value": 1}}}}}
    with pytest.raises(mod.DecodeError, match=r"^\$\.expr\.operand\.right\.operand\.left\.value: expected number"):
        mod.Registry.from_dict({"expr": bad})
    with pytest.raises(mod.DecodeError, match=r"^\$\.json\[0\]\.k\[0\]\[1\]: expected"):
        mod.Registry.from_dict({"json": [{"k": [[1, object()]]}]})
    forest = mod.Tree.from_dict({"label": "a", "children": [{"label": "b", "children": [{"label": "c"}]}]})
    assert isinstance(forest.children[0].children[0], mod.Tree)


def test_composition_maps_and_consts() -> None:
    mod = package("hostile_shapes")
    extended = roundtrip(mod.Extended, {"id": "1", "created": 3, "name": "n", "tags": ["a"]})
    assert [f.name for f in dataclasses.fields(mod.Extended)] == ["id", "created", "name", "tags"]
    assert extended.name == "n"
    with pytest.raises(mod.DecodeError, match="missing required key 'created'"):
        mod.Extended.from_dict({"id": "1", "name": "n"})
    registry = roundtrip(mod.Registry, {
        "trees": {"a": {"label": "t", "by_name": {"b": {"label": "u"}}}},
        "lists": {"x": [{"id": "1"}], "y": []},
        "maybe": {"a": None, "b": 2},
        "nested": {"a": {"b": [[True], []]}},
        "optional_models": [None, {"id": "x"}, None],
    })
    assert isinstance(registry.trees["a"].by_name["b"], mod.Tree)
    assert registry.optional_models[0] is None and isinstance(registry.optional_models[1], mod.Base)
    with pytest.raises(mod.DecodeError, match=r"^\$\.optional_models\[2\]\.id: expected string, got 1$"):
        mod.Registry.from_dict({"optional_models": [None, {"id": "x"}, {"id": 1}]})
    extras = roundtrip(mod.Extras, {"id": "x", "other": {"id": "y"}})
    assert extras.to_dict()["other"] == {"id": "y"}
    with pytest.raises(mod.DecodeError, match=r"^\$\.other: missing required key 'id'$"):
        mod.Extras.from_dict({"id": "x", "other": {}})
    roundtrip(mod.Consts, {"kind": "consts", "version": 2, "enabled": True, "ratio": 0.5, "single": "only",
                           "single_int": 7.0, "mixed": "one", "legacy": None,
                           "shape": {"sides": [1, 1, 2.0], "kind": "square"}, "either": {"a": None}, "multi": None})
    for bad, message in [({"kind": "other"}, "'other' is not one of 'consts'"),
                         ({"kind": "consts", "enabled": 1}, "1 is not one of true"),
                         ({"kind": "consts", "ratio": 1}, "1 is not one of 0.5"),
                         ({"kind": "consts", "shape": {"kind": "square", "sides": [1, 1, True]}}, "is not one of"),
                         ({"kind": "consts", "either": [1, 2, 3]}, "is not one of"),
                         ({"kind": "consts", "mixed": False}, "false is not one of")]:
        with pytest.raises(mod.DecodeError, match=message):
            mod.Consts.from_dict(bad)
        assert mod.Consts.from_dict(bad, strict=False).to_dict() == bad


def test_a_component_named_by_the_empty_string_is_a_model_its_refs_reach(tmp_path: Path) -> None:
    # "#/components/schemas/" points at the key "" (found by the property test: it was
    # read as a $ref into the middle of something, inlined, and recursed forever)
    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {
        "": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/"}, "n": {"type": "integer"}}},
        "User": {"type": "object", "properties": {"chain": {"$ref": "#/components/schemas/"}}},
    }}}
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(yaml.safe_dump(document), encoding="utf-8")
    package_ir = lower(load(spec_file), "empty_name")
    empty = next(m for m in package_ir.models if m.source == "/components/schemas/")
    user = next(m for m in package_ir.models if m.source == "/components/schemas/User")
    assert user.fields[0].annotation == f"{empty.name} | None"
    assert {f.attr: f.annotation for f in empty.fields} == {"next": f"{empty.name} | None", "n": "int | None"}
