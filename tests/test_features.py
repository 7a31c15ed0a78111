"""Behaviour of the small feature specs' golden packages (tests/features/*/golden)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

FEATURES = Path(__file__).resolve().parent / "features"


def package(name: str) -> ModuleType:
    golden = str(FEATURES / name / "golden")
    if golden not in sys.path:
        sys.path.insert(0, golden)
    return importlib.import_module(f"{name}_client")


def roundtrip(cls: Any, data: Any) -> None:
    for strict in (True, False):
        assert cls.from_dict(data, strict=strict).to_dict() == data


def rejects(cls: Any, data: Any, message: str) -> None:
    mod = sys.modules[cls.__module__.rsplit(".", 1)[0]]
    with pytest.raises(mod.DecodeError) as info:
        cls.from_dict(data)
    assert str(info.value) == message
    assert cls.from_dict(data, strict=False).to_dict() == data


# ----- nullable ------------------------------------------------------------------------


def test_nullable_absent_and_null() -> None:
    Thing = package("nullable").Thing
    roundtrip(Thing, {"a": "x", "b": None, "e": None})
    roundtrip(Thing, {"a": "x", "b": "y", "c": None, "d": "z", "e": {"x": 1}, "f": [None, "s"], "g": None})
    roundtrip(Thing, {"a": "x", "b": "y", "e": {}, "f": None, "g": {"any": ["thing"]}})
    rejects(Thing, {"a": None, "b": None, "e": None}, "$.a: expected string, got null")
    rejects(Thing, {"a": "x", "b": None, "e": None, "d": None}, "$.d: expected string, got null")
    rejects(Thing, {"a": "x", "e": None}, "$: missing required key 'b'")
    rejects(Thing, {"a": "x", "b": 1, "e": None}, "$.b: expected string or null, got 1")
    rejects(Thing, {"a": "x", "b": None, "e": None, "f": [1]}, "$.f[0]: expected string or null, got 1")


def test_null_taken_by_the_type_itself() -> None:
    """Not marked nullable, but a variant takes anything or the enum lists null: strict
    decoding accepts null there, as JSON Schema does, and only there."""
    N = package("nullable").NullInTheType
    roundtrip(N, {"any_or_string": None, "enum_with_null": None, "ref_or_any": None, "optional_enum_with_null": None})
    roundtrip(N, {"any_or_string": [1], "enum_with_null": "low", "ref_or_any": {"x": 1}})
    rejects(N, {"any_or_string": "s", "enum_with_null": "mid", "ref_or_any": None},
            "$.enum_with_null: 'mid' is not one of 'low', 'high'")
    rejects(N, {"any_or_string": "s", "enum_with_null": None, "ref_or_any": None, "optional_enum_with_null": 1},
            "$.optional_enum_with_null: 1 is not one of 'auto', 'manual'")


def test_nullable_built_in_code() -> None:
    mod = package("nullable")
    t = mod.Thing(a="x", b=None, e=None)
    assert t.to_dict() == {"a": "x", "b": None, "e": None}  # required: always written
    t.c = 3
    assert t.to_dict()["c"] == 3


# ----- enums ---------------------------------------------------------------------------


def test_enums_json_equality() -> None:
    Settings = package("enums").Settings
    roundtrip(Settings, {"colour": "red", "level": 2, "flag": True, "kind": "settings", "mode": None,
                         "ratio": 1.5, "case": "UPPER"})
    roundtrip(Settings, {"colour": "blue", "level": 1.0, "case": "upper"})  # 1.0 is 1
    rejects(Settings, {"colour": "red", "level": False}, "$.level: false is not one of 0, 1, 2")
    rejects(Settings, {"colour": "red", "level": 3}, "$.level: 3 is not one of 0, 1, 2")
    rejects(Settings, {"colour": "pink", "level": 0}, "$.colour: 'pink' is not one of 'red', 'green', 'blue'")
    rejects(Settings, {"colour": "red", "level": 0, "flag": 1}, "$.flag: 1 is not one of true")
    rejects(Settings, {"colour": "red", "level": 0, "ratio": 2.5}, "$.ratio: 2.5 is not one of 0.5, 1.5")
    rejects(Settings, {"colour": "red", "level": 0, "mode": "medium"}, "$.mode: 'medium' is not one of 'fast', 'slow'")
    rejects(Settings, {"colour": "red", "level": 0, "case": "Upper"}, "$.case: 'Upper' is not one of 'UPPER', 'upper'")


def test_enum_annotations() -> None:
    text = (FEATURES / "enums" / "golden" / "enums_client" / "models.py").read_text(encoding="utf-8")
    assert "Colour: TypeAlias = Literal['red', 'green', 'blue']".replace("'", '"') in text
    assert 'level: Literal[0, 1, 2]' in text
    assert 'case: Literal["UPPER", "upper"] | None = None' in text
    assert "ratio: float | None = None" in text  # floats are not Literal values
    assert 'mode: Literal["fast", "slow"] | None = None' in text


# ----- discriminated unions ------------------------------------------------------------


def test_discriminated_union_dispatch() -> None:
    mod = package("discriminated_union")
    cat = {"pet_type": "cat", "name": "Tom", "lives": 9}
    owner = mod.Owner.from_dict({"pet": cat, "shapes": [{"kind": "square", "side": 2}, {"kind": "circle", "radius": 1}]})
    assert isinstance(owner.pet, mod.Cat)
    assert [type(s) for s in owner.shapes] == [mod.Square, mod.Circle]
    roundtrip(mod.Owner, {"pet": {"pet_type": "dog", "name": "Rex", "good": True}, "tag": "label"})
    roundtrip(mod.Owner, {"pet": cat, "tag": 3})
    roundtrip(mod.Owner, {"pet": cat, "tag": {"kind": "circle", "radius": 2.5}})
    roundtrip(mod.Owner, {"pet": cat, "tag": [cat, {"pet_type": "dog", "name": "d"}]})
    assert isinstance(mod.Owner.from_dict({"pet": cat, "tag": [cat]}).tag[0], mod.Cat)
    rejects(mod.Owner, {"pet": {"pet_type": "fish", "name": "N"}}, "$.pet.pet_type: 'fish' is not one of 'cat', 'dog'")
    rejects(mod.Owner, {"pet": {"name": "N"}}, "$.pet: missing required key 'pet_type'")
    rejects(mod.Owner, {"pet": cat, "shapes": [{"kind": "circle", "radius": "big"}]}, "$.shapes[0].radius: expected number, got 'big'")
    rejects(mod.Owner, {"pet": cat, "tag": 1.5}, "$.tag: expected string, integer, object or array, got 1.5")
    rejects(mod.Owner, {"pet": cat, "tag": [cat, {"pet_type": "cow"}]}, "$.tag[1].pet_type: 'cow' is not one of 'cat', 'dog'")


def test_discriminator_tables_not_try_each_variant() -> None:
    text = (FEATURES / "discriminated_union" / "golden" / "discriminated_union_client" / "models.py").read_text(encoding="utf-8")
    assert '_TAGS_union_Pet = {\n    "cat": _dec_Cat,\n    "dog": _dec_Dog,\n}' in text
    assert '"circle": _dec_Circle' in text  # inferred from the required const `kind`
    assert "for variant in" not in text


# ----- arrays and maps -----------------------------------------------------------------


def test_arrays_and_maps() -> None:
    mod = package("arrays_maps")
    data = {
        "grid": [[1, 2], [], [3]],
        "points": [{"x": 1, "y": 2.5}],
        "by_name": {"a": {"x": 0, "y": 0}},
        "paths": {"p": [{"x": 1, "y": 1}, {"x": 2, "y": 2}]},
        "labels": {"k": "v"},
        "rows": [{"a": 1.5}, {}],
        "free": {"anything": [None, True]},
    }
    roundtrip(mod.Collections, data)
    c = mod.Collections.from_dict(data)
    assert isinstance(c.by_name["a"], mod.Point) and isinstance(c.paths["p"][1], mod.Point)
    rejects(mod.Collections, {"grid": [[1], [2, "x"]]}, "$.grid[1][1]: expected integer, got 'x'")
    rejects(mod.Collections, {"paths": {"p": [{"x": 1, "y": 1}, {"x": 1}]}}, "$.paths.p[1]: missing required key 'y'")
    rejects(mod.Collections, {"labels": {"odd key": 1}}, '$.labels["odd key"]: expected string, got 1')
    rejects(mod.Collections, {"rows": [{"a": "b"}]}, "$.rows[0].a: expected number, got 'b'")


def test_typed_additional_properties_beside_declared_ones() -> None:
    mod = package("arrays_maps")
    data = {"id": "t1", "home": {"x": 1, "y": 2}, "work": {"x": 3, "y": 4}}
    roundtrip(mod.Tagged, data)
    rejects(mod.Tagged, {"id": "t1", "home": {"x": 1}}, "$.home: missing required key 'y'")


# ----- dialects ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dialect_30", "dialect_31"])
def test_dialects_behave_the_same(name: str) -> None:
    Job = package(name).Job
    roundtrip(Job, {"id": "j", "finished_at": None, "note": None, "parent": None, "kind": "job", "rate": 0.5})
    roundtrip(Job, {"id": "j", "finished_at": 5, "parent": {"id": "p"}})
    rejects(Job, {"id": "j"}, "$: missing required key 'finished_at'")
    rejects(Job, {"id": "j", "finished_at": None, "kind": "task"}, "$.kind: 'task' is not one of 'job'")


# ----- ambiguous unions ------------------------------------------------------------------


def test_union_variants_nothing_tells_apart_are_kept_as_they_came() -> None:
    mod = package("ambiguous_union")
    Holder = mod.Holder
    data = {"filter": {"key": "a", "value": 1}, "lists": [{"key": "b", "value": "x"}], "choice": "auto"}
    for strict in (True, False):
        h = Holder.from_dict(data, strict=strict)
        assert h.filter == {"key": "a", "value": 1}  # not decoded: Comparison or Compound?
        assert h.lists == [{"key": "b", "value": "x"}]
        assert h.to_dict() == data
    # strict mode still checks the JSON kind
    rejects(Holder, {"filter": 3}, "$.filter: expected object or string, got 3")
    rejects(Holder, {"lists": {}}, "$.lists: expected array, got an object")
    # a model set in code is encoded
    h = Holder(filter=mod.Comparison(key="k", value="v"))
    assert h.to_dict() == {"filter": {"key": "k", "value": "v"}}


def test_annotation_only_all_of_members_add_null_and_docs() -> None:
    mod = package("ambiguous_union")
    assert mod.Holder.from_dict({"choice": None}).to_dict() == {"choice": None}
    assert mod.Holder.from_dict({"choice": {"key": "a", "value": 2}}).choice == mod.Comparison(key="a", value=2)


# ----- a discriminator without mapping ---------------------------------------------------


def test_discriminator_without_mapping_dispatches_on_each_variants_const() -> None:
    mod = package("discriminator_no_mapping")
    parts = [{"type": "text", "text": "hi"}, {"type": "image_url", "image_url": "https://x/y.png"},
             {"type": "LegacyPart", "payload": [1]}]
    message = mod.Message.from_dict({"parts": parts})
    assert [type(p) for p in message.parts] == [mod.TextPart, mod.ImagePart, mod.LegacyPart]
    assert message.to_dict() == {"parts": parts}
    assert isinstance(mod.decode(mod.Part, parts[0]), mod.TextPart)
    # the class name is no tag where the variant has a const
    for wrong in ("TextPart", "ImagePart", "Text"):
        rejects(mod.Message, {"parts": [{"type": wrong, "text": "hi", "image_url": "u"}]},
                f"$.parts[0].type: '{wrong}' is not one of 'text', 'image_url', 'LegacyPart'")
    rejects(mod.Message, {"parts": [{"text": "hi"}]}, "$.parts[0]: missing required key 'type'")
