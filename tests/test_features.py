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
    data = {"level": {"level": 1}, "lists": [{"key": "b", "value": "x"}], "choice": "auto"}
    for strict in (True, False):
        h = Holder.from_dict(data, strict=strict)
        assert h.level == {"level": 1}  # not decoded: Low or High?
        assert h.lists == [{"key": "b", "value": "x"}]
        assert h.to_dict() == data
    # strict mode still checks the JSON kind
    rejects(Holder, {"level": 3}, "$.level: expected object, got 3")
    rejects(Holder, {"lists": {}}, "$.lists: expected array, got an object")
    # a model set in code is encoded
    h = Holder(level=mod.Low(level=2))
    assert h.to_dict() == {"level": {"level": 2}}


def test_a_union_kept_as_it_came_is_annotated_as_what_decoding_returns() -> None:
    text = (FEATURES / "ambiguous_union" / "golden" / "ambiguous_union_client" / "models.py").read_text(encoding="utf-8")
    assert "Level: TypeAlias = dict[str, Any]\n" in text
    assert "One of Low, High: nothing in the data tells them apart" in text
    assert "lists: list[Any] | None = None" in text
    assert "One of list[str], list[Comparison]: nothing in the data tells them apart" in text


def test_a_required_key_of_its_own_picks_the_variant() -> None:
    mod = package("ambiguous_union")
    h = mod.Holder.from_dict({"filter": {"key": "a", "value": 1}})
    assert isinstance(h.filter, mod.Comparison) and h.filter.value == 1
    assert isinstance(mod.Holder.from_dict({"filter": {"filters": []}}).filter, mod.Compound)
    assert mod.Holder.from_dict({"filter": "text"}).filter == "text"
    rejects(mod.Holder, {"filter": {"other": 1}}, "$.filter: expected an object with the key 'key' or 'filters', got an object")


def _union(feature: str, name: str) -> Any:
    """A union alias's decoder, as a field of that type would call it."""
    models = importlib.import_module(f"{feature}_client.models")
    return getattr(models, f"_dec_union_{name}")


def test_dispatch_by_required_key_with_a_variant_that_has_none() -> None:
    mod = package("union_dispatch")
    decode = _union("union_dispatch", "Payment")
    assert type(decode({"card_number": "4242", "amount": 3}, True)) is mod.ByCard
    assert type(decode({"iban": "DE00", "amount": 3}, True)) is mod.ByBank
    assert type(decode({"amount": 3}, True)) is mod.Free  # none of the keys: the variant without one
    with pytest.raises(mod.DecodeError, match=r"^\$: expected object, got 'x'$"):
        decode("x", True)


def test_a_one_of_told_apart_by_keys_refuses_none_and_both() -> None:
    mod = package("union_dispatch")
    decode = _union("union_dispatch", "Transfer")
    assert type(decode({"iban": "DE00"}, True)) is mod.ByBank
    both = {"card_number": "4242", "iban": "DE00"}
    with pytest.raises(mod.DecodeError, match=r"^\$: expected an object with only one of the keys 'card_number', 'iban'"):
        decode(both, True)
    with pytest.raises(mod.DecodeError, match=r"^\$: expected an object with the key 'card_number' or 'iban'"):
        decode({"amount": 1}, True)
    assert decode(both, False) == both and decode({"amount": 1}, False) == {"amount": 1}


def test_tags_inferred_from_integer_and_boolean_consts() -> None:
    mod = package("union_dispatch")
    channel = _union("union_dispatch", "Channel")
    assert type(channel({"type": 2, "number": "+1"}, True)) is mod.SmsChannel
    assert type(channel({"type": 1.0, "address": "a@b"}, True)) is mod.EmailChannel  # JSON: 1.0 is 1
    with pytest.raises(mod.DecodeError, match=r"^\$\.type: true is not one of 1, 2$"):
        channel({"type": True, "address": "a@b"}, True)  # true is not 1
    switch = _union("union_dispatch", "Switch")
    assert type(switch({"on": True}, True)) is mod.Enabled and type(switch({"on": False}, True)) is mod.Disabled
    with pytest.raises(mod.DecodeError, match=r"^\$\.on: 1 is not one of true, false$"):
        switch({"on": 1}, True)


def test_inline_variants_take_their_titles_as_class_names() -> None:
    mod = package("union_dispatch")
    monitor = _union("union_dispatch", "Monitor")
    assert type(monitor({"pager": "p"}, True)) is mod.PagerChannel
    assert type(monitor({"nagios_host": "h"}, True)) is mod.NagiosChannel


def test_annotation_only_all_of_members_add_null_and_docs() -> None:
    mod = package("ambiguous_union")
    assert mod.Holder.from_dict({"choice": None}).to_dict() == {"choice": None}
    assert mod.Holder.from_dict({"choice": {"key": "a", "value": 2}}).choice == mod.Comparison(key="a", value=2)


# ----- intersections with unions ---------------------------------------------------------


def test_all_of_over_a_union_gives_every_variant_the_shared_part() -> None:
    mod = package("intersections")
    delta = {"type": "text.delta", "delta": "Hi", "stream_id": "s1"}
    event = mod.StreamEventTextDelta.from_dict(delta)
    assert (event.type, event.delta, event.stream_id) == ("text.delta", "Hi", "s1")
    assert list(mod.StreamEventDone.__dataclass_fields__) == ["type", "reason", "stream_id"]
    roundtrip(mod.StreamEventDone, {"type": "done", "stream_id": "s1"})
    # the union's own dispatch decodes it, and both parts are checked strictly
    rejects(mod.StreamEventTextDelta, {"type": "text.delta", "delta": "Hi"}, "$: missing required key 'stream_id'")
    rejects(mod.StreamEventDone, {"type": "done", "stream_id": 5}, "$.stream_id: expected string, got 5")
    text = (FEATURES / "intersections" / "golden" / "intersections_client" / "models.py").read_text(encoding="utf-8")
    assert "StreamEvent: TypeAlias = StreamEventTextDelta | StreamEventDone" in text
    assert '"text.delta": _dec_StreamEventTextDelta' in text


def test_intersection_keeps_a_mapped_discriminator_and_scalar_variants() -> None:
    mod = package("intersections")
    text = (FEATURES / "intersections" / "golden" / "intersections_client" / "models.py").read_text(encoding="utf-8")
    assert '_TAGS_union_OwnedPet = {\n    "cat": _dec_OwnedPetCat,\n    "dog": _dec_OwnedPetDog,\n}' in text
    pet = mod.OwnedPetDog.from_dict({"kind": "dog", "name": "Rex", "owner": "Ann"})
    assert (pet.name, pet.owner) == ("Rex", "Ann")
    assert "LabelOrBox: TypeAlias = str | LabelOrBoxBox" in text
    assert list(mod.LabelOrBoxBox.__dataclass_fields__) == ["width", "note"]


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
