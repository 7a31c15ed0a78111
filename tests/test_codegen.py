"""The code text generator/codegen.py gives for IR types, and the IR properties the
templates ask instead of deciding: fast, no rendering."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Any, Callable

import pytest

from fine_tuning_client import _runtime as rt
from generator import codegen, ir, render
from generator.load import load
from generator.lower import lower

FEATURES = Path(__file__).resolve().parent / "features"

INT = ir.Primitive("integer")
NUM = ir.Primitive("number")
STR = ir.Primitive("string")
BOOL = ir.Primitive("boolean")
ONE = ir.LiteralType(("auto",))
COLOURS = ir.LiteralType(("red", "green"))
MIXED = ir.LiteralType((1, 2.5, None))
PET = ir.ModelType("Pet", "Pet")
PETS = ir.ListType(PET, "list_Pet")
INTS = ir.ListType(INT, "list_int")
STR_OR_INT = ir.UnionType((STR, INT), (ir.Branch("integer", (INT,)), ir.Branch("string", (STR,))), "")
PET_OR_INTS = ir.UnionType((PET, INTS), (ir.Branch("array", (), INTS), ir.Branch("object", (), PET)), "union_x")

# the helpers the generated code calls, from a generated package
HELPERS = {"_is_int": rt.is_int, "_is_num": rt.is_num, "_json_in": rt.json_in, "_Model": rt.Model}
SAMPLES = [None, True, False, 0, 1, -3, 2.5, 1.0, "", "auto", "red", "green", [], {}, [1], {"a": 1}]


def holds(expression: str, value: Any) -> bool:
    return bool(eval(expression, dict(HELPERS), {"v": value}))


def recursive(resolved: ir.TypeRef | None) -> ir.RecursiveType:
    r = ir.RecursiveType("Tree")
    r.resolved = resolved
    return r


# ----- check / fails --------------------------------------------------------------------


@pytest.mark.parametrize(("t", "text"), [
    (INT, "(v.__class__ is int or _is_int(v))"),
    (NUM, "(v.__class__ is float or _is_num(v))"),
    (STR, "isinstance(v, str)"),
    (BOOL, "v.__class__ is bool"),
    (ir.AnyType(), "True"),
    (ONE, "v == 'auto'"),
    (COLOURS, "(isinstance(v, str) and v in {'red', 'green'})"),
    (MIXED, "_json_in(v, (1, 2.5, None, ))"),
    (ir.NullableType(STR), "(v is None or isinstance(v, str))"),
    (ir.AliasType("Colour", COLOURS), "(isinstance(v, str) and v in {'red', 'green'})"),
    (STR_OR_INT, "(isinstance(v, str) or (v.__class__ is int or _is_int(v)))"),
    (recursive(None), "True"),
    (recursive(STR), "isinstance(v, str)"),
])
def test_check_text(t: ir.TypeRef, text: str) -> None:
    assert codegen.check(t, "v") == text


@pytest.mark.parametrize(("t", "text"), [
    (ONE, "v != 'auto'"),
    (STR, "not isinstance(v, str)"),
    (BOOL, "v.__class__ is not bool"),
    (INT, "not (v.__class__ is int or _is_int(v))"),
    (ir.AliasType("Mode", ONE), "v != 'auto'"),
    (COLOURS, "not (isinstance(v, str) and v in {'red', 'green'})"),
])
def test_fails_text(t: ir.TypeRef, text: str) -> None:
    assert codegen.fails(t, "v") == text


INLINE = [INT, NUM, STR, BOOL, ir.AnyType(), ONE, COLOURS, MIXED, ir.NullableType(INT),
          ir.AliasType("Colour", COLOURS), STR_OR_INT, recursive(ONE)]


@pytest.mark.parametrize("t", INLINE, ids=repr)
def test_check_and_fails_judge_values_as_the_type_does(t: ir.TypeRef) -> None:
    accepts = {
        INT: lambda x: type(x) is int or type(x) is float and x.is_integer(),
        NUM: lambda x: type(x) in (int, float),
        STR: lambda x: type(x) is str,
        BOOL: lambda x: type(x) is bool,
        ONE: lambda x: x == "auto",
        COLOURS: lambda x: x in ("red", "green"),
        MIXED: lambda x: type(x) is not bool and x in (1, 2.5, None),
    }
    def valid(t: ir.TypeRef, x: Any) -> bool:
        if isinstance(t, ir.AnyType):
            return True
        if isinstance(t, ir.NullableType):
            return x is None or valid(t.inner, x)
        if isinstance(t, ir.UnionType):
            return any(valid(u, x) for u in t.variants)
        if isinstance(t, (ir.AliasType, ir.RecursiveType)):
            return valid(ir.unwrap(t), x)
        return accepts[t](x)
    for x in SAMPLES:
        assert holds(codegen.check(t, "v"), x) == valid(t, x), x
        assert holds(codegen.fails(t, "v"), x) == (not valid(t, x)), x


def test_fails_all_is_fails_for_one_type_and_a_negated_or_for_more() -> None:
    assert codegen.fails_all((STR,), "data") == "not isinstance(data, str)"
    assert codegen.fails_all((ONE, BOOL), "data") == "not (data == 'auto' or data.__class__ is bool)"


def test_unchecked_is_any_and_a_recursive_reference_to_it_only() -> None:
    assert codegen.unchecked(ir.AnyType())
    assert codegen.unchecked(recursive(None)) and codegen.unchecked(recursive(ir.AnyType()))
    assert not codegen.unchecked(recursive(STR))
    for t in (STR, ONE, PET, PETS, STR_OR_INT, ir.NullableType(INT)):
        assert not codegen.unchecked(t)
    # not looked through: the output has always checked an alias of Any (with `not True`)
    assert not codegen.unchecked(ir.AliasType("Anything", ir.AnyType()))


@pytest.mark.parametrize("t", [PET, PETS, ir.MapType(PET, "map_Pet")], ids=repr)
def test_types_with_a_codec_have_no_inline_check(t: ir.TypeRef) -> None:
    with pytest.raises(ValueError):
        codegen.check(t, "v")
    with pytest.raises(ValueError):
        codegen.fails(t, "v")


# ----- error / kind_test ---------------------------------------------------------------


def test_error_lists_an_enums_values_and_says_what_else_was_expected() -> None:
    assert codegen.error(COLOURS, "v") == "_not_one_of(v, \"'red', 'green'\")"
    # an alias of an enum is not looked through: the message is the mismatch one
    assert codegen.error(ir.AliasType("Colour", COLOURS), "v") == "_mismatch(v, \"one of 'red', 'green'\")"
    assert codegen.error(ir.NullableType(INT), "v") == "_mismatch(v, 'integer or null')"
    assert codegen.error(INT, "v", "integer or 'auto'") == "_mismatch(v, \"integer or 'auto'\")"


def test_kind_test_tells_each_json_kind_apart() -> None:
    kinds = {"null": None, "boolean": True, "integer": 3, "number": 2.5, "string": "s", "array": [], "object": {}}
    for kind in ir.KINDS:
        for other, value in kinds.items():
            # integer-valued numbers are integers, and integers numbers
            want = kind == other or {kind, other} == {"integer", "number"} and value == 3
            assert holds(codegen.kind_test(kind, "v"), value) == want, (kind, other)
    with pytest.raises(ValueError):
        codegen.kind_test("tuple", "v")


# ----- decode_into / encode ------------------------------------------------------------


def test_decode_into_checks_inline_types_in_strict_mode_only() -> None:
    assert codegen.decode_into(STR, "'name'") == (
        "if strict and not isinstance(v, str):\n    raise _mismatch(v, 'string').at('name')"
    )
    assert codegen.decode_into(COLOURS, "'c'", "ignored for enums") == (
        "if strict and not (isinstance(v, str) and v in {'red', 'green'}):\n"
        "    raise _not_one_of(v, \"'red', 'green'\").at('c')"
    )
    # the field's own description of what it takes
    assert codegen.decode_into(INT, "'n'", "integer or null").endswith("_mismatch(v, 'integer or null').at('n')")


def test_decode_into_assigns_what_a_codec_transforms_and_only_checks_the_rest() -> None:
    assert codegen.decode_into(PET, "'pet'") == (
        "try:\n    v = _dec_Pet(v, strict)\nexcept _DecodeError as e:\n    raise e.at('pet')"
    )
    assert codegen.decode_into(INTS, "0") == (
        "if strict:\n    try:\n        _dec_list_int(v, strict)\n"
        "    except _DecodeError as e:\n        raise e.at(0)"
    )
    # null is handled before: nullability and aliases are looked through
    assert codegen.decode_into(ir.NullableType(ir.AliasType("Pets", PETS)), "'k'") == codegen.decode_into(PETS, "'k'")
    assert codegen.decode_into(ir.AnyType(), "'k'") == "pass"


def test_encode_asks_models_and_transforming_codecs_only() -> None:
    assert codegen.encode(PET, "self.pet") == "self.pet.to_dict() if isinstance(self.pet, _Model) else self.pet"
    assert codegen.encode(PETS, "v") == "_enc_list_Pet(v)"
    assert codegen.encode(INTS, "v") == "v"
    assert codegen.encode(PET_OR_INTS, "v") == "_enc_union_x(v)"
    assert codegen.encode(STR_OR_INT, "v") == "v"
    assert codegen.encode(ir.NullableType(ir.AliasType("Pets", PETS)), "v") == "_enc_list_Pet(v)"


def test_encode_in_display_puts_a_models_conditional_in_parentheses() -> None:
    assert codegen.encode_in_display(PET, "self.pet") == (
        "(self.pet.to_dict() if isinstance(self.pet, _Model) else self.pet)"
    )
    assert codegen.encode_in_display(PETS, "self.pets") == "_enc_list_Pet(self.pets)"
    assert codegen.encode_in_display(STR, "self.name") == "self.name"


def test_the_model_encoding_gives_back_dicts_and_keeps_the_rest() -> None:
    class Pet(rt.Model):
        __slots__ = ()

        def to_dict(self) -> dict[str, Any]:
            return {"pet": True}

    expression = codegen.encode(PET, "v")
    assert eval(expression, dict(HELPERS), {"v": Pet.__new__(Pet)}) == {"pet": True}
    assert eval(expression, dict(HELPERS), {"v": {"raw": 1}}) == {"raw": 1}


# ----- models --------------------------------------------------------------------------


def field(name: str, required: bool) -> ir.Field:
    return ir.Field(name, name, STR, required=required, nullable=False, doc=None)


def model(*fields: ir.Field) -> ir.Model:
    return ir.Model("M", "M", None, fields, "#/components/schemas/M")


def test_exact_input_tests_only_the_notes_the_decoder_keeps() -> None:
    both = model(field("a", True), field("b", False), field("c", False))
    assert codegen.exact_input(both) == "missing is None and nulls is None and len(data) + absent == 3"
    assert codegen.exact_input(model(field("a", True))) == "missing is None and len(data) + absent == 1"
    assert codegen.exact_input(model(field("b", False))) == "nulls is None and len(data) + absent == 1"
    assert codegen.exact_input(model()) == "len(data) + absent == 0"


def test_a_union_branch_encodes_through_lists_and_maps_that_transform_only() -> None:
    assert ir.Branch("array", (), PETS).encodes
    assert ir.Branch("object", (), ir.MapType(PET, "map_Pet")).encodes
    assert not ir.Branch("array", (), INTS).encodes  # nothing to encode back
    assert not ir.Branch("object", (), PET).encodes  # models encode themselves first
    assert not ir.Branch("string", (STR,)).encodes
    assert not ir.Branch("object", raw=True).encodes


# ----- every class of TypeRef is handled --------------------------------------------------

ONE_OF_EACH: dict[type, ir.TypeRef] = {
    ir.Primitive: INT,
    ir.AnyType: ir.AnyType(),
    ir.LiteralType: ONE,
    ir.NullableType: ir.NullableType(INT),
    ir.ListType: PETS,
    ir.MapType: ir.MapType(INT, "map_int"),
    ir.ModelType: PET,
    ir.UnionType: PET_OR_INTS,
    ir.AliasType: ir.AliasType("Pets", PETS),
    ir.RecursiveType: recursive(PETS),
}

FUNCTIONS: list[Callable[[ir.TypeRef], object]] = [
    lambda t: codegen.check(t, "v"),
    lambda t: codegen.fails(t, "v"),
    lambda t: codegen.error(t, "v"),
    lambda t: codegen.decode_into(t, "'k'"),
    lambda t: codegen.encode(t, "v"),
    lambda t: codegen.encode_in_display(t, "v"),
    lambda t: str(codegen.unchecked(t)),
]


@pytest.mark.parametrize("cls", typing.get_args(ir.TypeRef), ids=lambda c: c.__name__)
def test_every_typeref_class_is_handled(cls: type) -> None:
    """mypy checks the ``match`` statements are exhaustive; this checks no class
    reaches ``assert_never`` at run time: each gives code or a ValueError."""
    t = ONE_OF_EACH[cls]
    for f in FUNCTIONS:
        try:
            assert isinstance(f(t), str)
        except ValueError:
            pass


# ----- operations (client.py.jinja) -------------------------------------------------------

WIDGET = ir.ModelType("Widget", "Widget")
EVENT = ir.ModelType("WidgetEvent", "WidgetEvent")
NAME = ir.BodyField("name", "name", STR, required=True, doc=None)


def operation(body: ir.Body | None = None, **options: Any) -> ir.Operation:
    options.setdefault("response", WIDGET)
    return ir.Operation("op", "create_widget", "POST", "/widgets", None, None, (), body=body, **options)


def body(kind: str, *fields: ir.BodyField) -> ir.Body:
    media = {"json": "application/json", "multipart": "multipart/form-data"}.get(kind, "image/png")
    return ir.Body(kind, media, fields, None if fields else STR, required=True)


@pytest.mark.parametrize(("b", "whole"), [
    (None, False),
    (body("json"), True),  # the body is the one `body` argument
    (body("json", NAME), False),  # field by field
    (body("raw"), True),
    (body("multipart", NAME), False),
    (body("multipart"), False),
], ids=["none", "json-whole", "json-fields", "raw", "multipart", "multipart-empty"])
def test_operation_body_arguments(b: ir.Body | None, whole: bool) -> None:
    op = operation(b)
    assert op.takes_body is whole


def test_operation_annotations_for_a_plain_response_and_a_stream() -> None:
    plain = operation()
    assert (plain.public_returns, plain.async_returns, plain.parsed_returns, plain.raw_returns) == (
        "Widget", "Widget", "Widget", "RawResponse[Widget]"
    )
    stream = operation(response=EVENT, media="stream")
    assert (stream.public_returns, stream.async_returns, stream.parsed_returns, stream.raw_returns) == (
        "Stream[WidgetEvent]", "AsyncStream[WidgetEvent]", "list[WidgetEvent]", "RawResponse[list[WidgetEvent]]"
    )


def test_operation_pager_names_and_annotations() -> None:
    page = ir.ModelType("WidgetList", "WidgetList")
    pages = operation(response=page, pagination=ir.Pagination(WIDGET, "last_id", "after"))
    assert (pages.iter_name, pages.iter_returns, pages.async_iter_returns) == (
        "iter_create_widget", "Iterator[Widget]", "AsyncIterator[Widget]"
    )
    assert (operation().iter_name, operation().iter_returns, operation().async_iter_returns) == (None, None, None)


# ----- the package (README.md.jinja) ------------------------------------------------------


@pytest.fixture(scope="module")
def lowered() -> ir.Package:
    return lower(load(FEATURES / "operations" / "spec.yaml"), "operations_client", "OPENAI")


def test_example_model_of_a_lowered_package(lowered: ir.Package) -> None:
    assert lowered.operations[0].response_kind == "model"
    assert lowered.example_model == "WidgetList" != lowered.models[0].name


def package(models: tuple[str, ...], operations: tuple[ir.Operation, ...], base: ir.Package) -> ir.Package:
    return dataclasses.replace(base, models=tuple(ir.Model(n, n, None, (), n) for n in models), operations=operations)


def test_example_model_is_the_first_operations_model_response_else_the_first_model(lowered: ir.Package) -> None:
    assert package(("Pet", "Widget"), (operation(),), lowered).example_model == "Widget"
    # only the first operation is asked
    later = (operation(response=None), operation())
    assert package(("Pet", "Widget"), later, lowered).example_model == "Pet"
    # a response that is not a model, or not JSON
    assert package(("Pet", "Widget"), (operation(response=PETS),), lowered).example_model == "Pet"
    assert package(("Pet", "Widget"), (operation(media="binary"),), lowered).example_model == "Pet"
    assert package(("Pet",), (), lowered).example_model == "Pet"
    assert package((), (), lowered).example_model is None


def test_markdown_cell_escapes_the_pipe_after_markdown_text() -> None:
    assert render.markdown_cell("a | b\n  <c>") == "a \\| b &lt;c>"
    assert render.markdown_cell("Stream[A | None]") == "Stream[A \\| None]"


def test_a_field_too_long_to_read_on_its_line_is_read_with_getattr() -> None:
    """black parenthesises ``v = self.<long attribute>``, ruff's formatter does not: the
    generator writes what both leave alike."""
    assert codegen.read_field("a" * 71) == "self." + "a" * 71  # 8 + 9 + 71 = 88 columns
    assert codegen.read_field("a" * 72) == f"getattr(self, {'a' * 72!r})"
