"""Python code text for the checks, decoders and encoders of IR types.

``templates/models.py.jinja`` calls these (``render.environment`` registers them); the
template keeps the shape of the generated code, these give the expressions and
statements that depend on a type. Each function that takes a type matches every class
of ``ir.TypeRef`` and ends in ``assert_never``: a new class fails mypy here until each
says what it gets (a class that cannot occur raises). ``v`` is the name of the
variable that holds the JSON value.
"""

from __future__ import annotations

from typing import Iterable, assert_never

from . import ir
from .render import literal


def check(t: ir.TypeRef, v: str) -> str:
    """An expression true when ``v`` is a valid value of the inline type ``t``."""
    match t:
        case ir.Primitive():
            return _primitive_check(t.json_type, v)
        case ir.AnyType():
            return "True"
        case ir.LiteralType():
            if t.all_strings and len(t.values) == 1:
                return f"{v} == {literal(t.values[0])}"
            if t.all_strings:
                return f"(isinstance({v}, str) and {v} in {{{', '.join(literal(x) for x in t.values)}}})"
            return f"_json_in({v}, ({''.join(literal(x) + ', ' for x in t.values)}))"
        case ir.NullableType():
            return f"({v} is None or {check(t.inner, v)})"
        case ir.AliasType():
            return check(t.target, v)
        case ir.UnionType():
            return "(" + " or ".join(check(x, v) for x in t.variants) + ")"
        case ir.RecursiveType():
            return "True" if t.resolved is None else check(t.resolved, v)
        case ir.ListType() | ir.MapType() | ir.ModelType():
            raise ValueError(f"{t!r} is not checked inline: its codec checks it")
        case _:
            assert_never(t)


def _primitive_check(json_type: str, v: str) -> str:
    """``kind_test`` with a fast path for the exact Python type of an integer or number."""
    fast = {"integer": "int", "number": "float"}.get(json_type)
    return f"({v}.__class__ is {fast} or {kind_test(json_type, v)})" if fast else kind_test(json_type, v)


def fails(t: ir.TypeRef, v: str) -> str:
    """The negation of ``check``, written the way a person would."""
    match t:
        case ir.LiteralType() if t.all_strings and len(t.values) == 1:
            return f"{v} != {literal(t.values[0])}"
        case ir.Primitive() if t.json_type == "string":
            return f"not isinstance({v}, str)"
        case ir.Primitive() if t.json_type == "boolean":
            return f"{v}.__class__ is not bool"
        case ir.Primitive() if t.json_type == "null":
            return f"{v} is not None"
        case ir.AliasType():
            return fails(t.target, v)
        case ir.RecursiveType() if t.resolved is not None:
            return fails(t.resolved, v)
        case ir.Primitive() | ir.AnyType() | ir.LiteralType() | ir.NullableType() | ir.UnionType() | ir.RecursiveType():
            return f"not {check(t, v)}"
        case ir.ListType() | ir.MapType() | ir.ModelType():
            raise ValueError(f"{t!r} is not checked inline: its codec checks it")
        case _:
            assert_never(t)


def fails_all(ts: tuple[ir.TypeRef, ...], v: str) -> str:
    """True when ``v`` passes none of the inline types ``ts``."""
    if len(ts) == 1:
        return fails(ts[0], v)
    return "not (" + " or ".join(check(x, v) for x in ts) + ")"


def error(t: ir.TypeRef, v: str, expected_text: str | None = None) -> str:
    """The ``DecodeError`` for a value ``v`` that fails ``t``'s inline check. An enum
    lists its values; any other type (an alias of an enum too) says what it expected,
    ``expected_text`` when given."""
    match t:
        case ir.LiteralType():
            return f"_not_one_of({v}, {literal(t.allowed)})"
        case (ir.Primitive() | ir.AnyType() | ir.NullableType() | ir.ListType() | ir.MapType() | ir.ModelType()
              | ir.UnionType() | ir.AliasType() | ir.RecursiveType()):
            return f"_mismatch({v}, {literal(expected_text or ir.expected(t))})"
        case _:
            assert_never(t)


def kind_test(kind: str, v: str) -> str:
    """An expression true when ``v`` is of the JSON kind ``kind`` (one of ``ir.KINDS``)."""
    match kind:
        case "null":
            return f"{v} is None"
        case "boolean":
            return f"{v}.__class__ is bool"
        case "integer":
            return f"_is_int({v})"
        case "number":
            return f"_is_num({v})"
        case "string":
            return f"isinstance({v}, str)"
        case "array":
            return f"isinstance({v}, list)"
        case "object":
            return f"isinstance({v}, dict)"
        case _:
            raise ValueError(f"no JSON kind {kind!r}")


def unchecked(t: ir.TypeRef) -> bool:
    """Values of ``t`` are kept as they came with no statement at all (``Any``, or a
    recursive reference to it). An alias of ``Any`` is not looked through: it gets
    its target's check, which always passes."""
    match t:
        case ir.AnyType():
            return True
        case ir.RecursiveType():
            return t.resolved is None or unchecked(t.resolved)
        case (ir.Primitive() | ir.LiteralType() | ir.NullableType() | ir.ListType() | ir.MapType() | ir.ModelType()
              | ir.UnionType() | ir.AliasType()):
            return False
        case _:
            assert_never(t)


def decode_into(t: ir.TypeRef, key: str, expected_text: str | None = None) -> str:
    """Statements that check, or decode into ``v``, the value ``v`` (present, not
    null: nullability is looked through). ``key`` is the path segment (code text) an
    error adds; ``expected_text`` what the error says was expected."""
    match t:
        case ir.AnyType():
            return "pass"
        case ir.NullableType() | ir.AliasType():
            return decode_into(ir.unwrap(t), key, expected_text)
        case ir.RecursiveType():
            return "pass" if t.resolved is None else decode_into(t.resolved, key, expected_text)
        case ir.UnionType() if t.inline:
            return _inline_decode(t, key, expected_text)
        case ir.Primitive() | ir.LiteralType():
            return _inline_decode(t, key, expected_text)
        case ir.ListType() | ir.MapType() | ir.ModelType() | ir.UnionType():
            if t.transforms:
                return (
                    f"try:\n    v = _dec_{t.codec}(v, strict)\n"
                    f"except _DecodeError as e:\n    raise e.at({key})"
                )
            return (
                f"if strict:\n    try:\n        _dec_{t.codec}(v, strict)\n"
                f"    except _DecodeError as e:\n        raise e.at({key})"
            )
        case _:
            assert_never(t)


def _inline_decode(t: ir.TypeRef, key: str, expected_text: str | None) -> str:
    if t == ir.NULL:  # only for a value that is not null: it fails
        return f"if strict:\n    raise {error(t, 'v', expected_text)}.at({key})"
    return f"if strict and {fails(t, 'v')}:\n    raise {error(t, 'v', expected_text)}.at({key})"


def encode(t: ir.TypeRef, v: str) -> str:
    """An expression that encodes ``v``, a value of ``t`` or None, back to JSON."""
    match t:
        case ir.Primitive() | ir.AnyType() | ir.LiteralType():
            return v
        case ir.ModelType():
            return f"{v}.to_dict() if isinstance({v}, _Model) else {v}"
        case ir.ListType() | ir.MapType() | ir.UnionType():
            return f"_enc_{t.codec}({v})" if t.transforms else v
        case ir.NullableType():
            return encode(t.inner, v)  # every encoder gives None back
        case ir.AliasType():
            return encode(t.target, v)
        case ir.RecursiveType():
            return v if t.resolved is None else encode(t.resolved, v)
        case _:
            assert_never(t)


def encode_in_display(t: ir.TypeRef, v: str) -> str:
    """``encode`` as a value in a dict display: a conditional expression (a model's)
    goes in parentheses, so black and ruff split it alike."""
    text = encode(t, v)
    return f"({text})" if isinstance(ir.unwrap(t), ir.ModelType) else text


def read_field(attr: str) -> str:
    """The expression ``to_dict`` reads a field with into ``v`` (at its indent of 8).
    ``v = self.<attr>`` too long for its line is one black parenthesises and ruff's
    formatter does not: such an attribute is read with ``getattr``, which both split
    alike."""
    if len(f"        v = self.{attr}") <= 88:
        return f"self.{attr}"
    return f"getattr(self, {literal(attr)})"


def exact_input(m: ir.Model) -> str:
    """The test, in a model's decoder, that the input held exactly the model's keys
    (none missing, none unknown) and no optional one as null: the object then needs
    nothing remembered. The decoder notes ``missing`` keys only when the model has
    required fields, ``nulls`` only when it has optional ones."""
    tests = (["missing is None"] if m.required_fields else []) + (["nulls is None"] if m.optional_fields else [])
    return " and ".join(tests + [f"len(data) + absent == {len(m.fields)}"])


def decode_value(t: ir.TypeRef, expected_text: str | None = None) -> str:
    """The body of a function that decodes ``v``, a whole value of ``t`` (a named
    alias's, for the package's ``decode``), and returns it: null when ``t`` takes it, then
    the inline check or the codec. Errors name no path of their own."""
    u = ir.unwrap(t)
    text = expected_text or ir.expected(t)
    lines = []
    if "null" in t.kinds and "null" not in u.kinds:
        lines.append("if v is None:\n    return v")
    match u:
        case ir.ListType() | ir.MapType() | ir.ModelType() | ir.UnionType() if not u.inline:
            lines.append(f"return _dec_{u.codec}(v, strict)")
        case ir.RecursiveType() if u.resolved is None:
            lines.append("return v")
        case (ir.Primitive() | ir.AnyType() | ir.LiteralType() | ir.NullableType() | ir.ListType() | ir.MapType()
              | ir.ModelType() | ir.UnionType() | ir.AliasType() | ir.RecursiveType()):
            if not unchecked(u):
                lines.append(f"if strict and {fails(u, 'v')}:\n    raise {error(u, 'v', text)}")
            lines.append("return v")
        case _:
            assert_never(u)
    return "\n".join(lines)


def direct_decoder(t: ir.TypeRef) -> str | None:
    """The codec function that decodes a whole value of ``t`` as ``decode_value`` would,
    when there is one (a list, map, model or union that takes no null beside it)."""
    u = ir.unwrap(t)
    if "null" in t.kinds and "null" not in u.kinds:
        return None
    if isinstance(u, (ir.ListType, ir.MapType, ir.ModelType, ir.UnionType)) and not u.inline:
        return f"_dec_{u.codec}"
    return None


# ----- the testing kit (templates/testing.py.jinja) -------------------------------------


def kit_check(t: ir.TypeRef) -> str:
    """An expression for a ``_testing`` check of ``t``: strict decoding of a JSON value,
    by the package's own decoder for anything composite (``_models._dec_<codec>``)."""
    match t:
        case ir.Primitive():
            return f"_testing.scalar({literal(t.json_type)})"
        case ir.AnyType():
            return "_testing.anything"
        case ir.LiteralType():
            return f"_testing.one_of({tuple_display(literal(x) for x in t.values)}, {literal(t.allowed)})"
        case ir.NullableType():
            return f"_testing.nullable({kit_check(t.inner)})"
        case ir.AliasType():
            return kit_check(t.target)
        case ir.RecursiveType():
            return "_testing.anything" if t.resolved is None else kit_check(t.resolved)
        case ir.UnionType() if t.inline:
            return f"_testing.any_of({tuple_display(kit_check(v) for v in t.variants)}, {literal(t.expected)})"
        case ir.ListType() | ir.MapType() | ir.ModelType() | ir.UnionType():
            return f"_testing.codec(_models._dec_{t.codec})"
        case _:
            assert_never(t)


def kit_parse(t: ir.TypeRef) -> str:
    """An expression for the ``_testing`` parser of a parameter (or form field) of
    type ``t``: its text to a typed value."""
    match t:
        case ir.Primitive():
            return f"_testing.{t.json_type.upper()}"
        case ir.LiteralType():
            return f"_testing.enum({tuple_display(literal(x) for x in t.values)}, {literal(t.allowed)})"
        case ir.NullableType():
            return kit_parse(t.inner)
        case ir.AliasType():
            return kit_parse(t.target)
        case ir.RecursiveType():
            return "_testing.OBJECT" if t.resolved is None else kit_parse(t.resolved)
        case ir.ListType():
            return f"_testing.array({kit_parse(t.item)})"
        case ir.UnionType() if all(not isinstance(ir.unwrap(v), ir.ListType) for v in t.variants) and t.inline:
            return f"_testing.either({tuple_display(kit_parse(v) for v in t.variants)}, {literal(t.expected)})"
        case ir.UnionType():
            lists = [ir.unwrap(v) for v in t.variants if isinstance(ir.unwrap(v), ir.ListType)]
            if lists and all(not isinstance(ir.unwrap(v), (ir.ModelType, ir.MapType)) for v in t.variants):
                return kit_parse(lists[0])
            return "_testing.OBJECT"
        case ir.MapType() | ir.ModelType() | ir.AnyType():
            return "_testing.OBJECT"
        case _:
            assert_never(t)


def kit_form_parse(t: ir.TypeRef, models: tuple[ir.Model, ...], stack: tuple[str, ...] = ()) -> str:
    """As ``kit_parse``, for a field of a URL-encoded form, which sends an object key by
    key: an object's parser knows its properties' parsers (``_testing.fields``), a map's
    its values', down to a model met again (read as JSON text, ``_testing.OBJECT``)."""
    match t:
        case ir.ModelType():
            model = next((m for m in models if m.name == t.name), None)
            if model is None or t.name in stack:
                return "_testing.OBJECT"
            props = ", ".join(f"{literal(f.json_name)}: {kit_form_parse(f.type, models, stack + (t.name,))}"
                              for f in model.fields)
            return f"_testing.fields({{{props}}})"
        case ir.MapType():
            return f"_testing.fields({{}}, {kit_form_parse(t.value, models, stack)})"
        case ir.ListType():
            return f"_testing.array({kit_form_parse(t.item, models, stack)})"
        case ir.NullableType():
            return kit_form_parse(t.inner, models, stack)
        case ir.AliasType():
            return kit_form_parse(t.target, models, stack)
        case ir.RecursiveType():
            return "_testing.OBJECT" if t.resolved is None else kit_form_parse(t.resolved, models, stack)
        case ir.Primitive() | ir.LiteralType() | ir.UnionType() | ir.AnyType():
            return kit_parse(t)
        case _:
            assert_never(t)


def tuple_display(items: Iterable[str]) -> str:
    """A tuple display without a trailing comma the formatters would read as magic."""
    texts = list(items)
    return f"({texts[0]},)" if len(texts) == 1 else "(" + ", ".join(texts) + ")"
