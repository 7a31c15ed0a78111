"""The intermediate representation: every decision about the output, no text.

Templates receive these objects only; they ask, they do not compute. A ``TypeRef``
is one of the frozen dataclasses below. Composite types (lists, maps, unions,
models, aliases of those) carry the name of their generated codec function.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Iterator, Mapping, Union, assert_never


@dataclass(frozen=True)
class JsonType:
    """A JSON Schema type as generated code sees it."""

    name: str  # as JSON Schema spells it
    python: str  # the annotation of a value of this type
    short: str  # its part in a generated codec's name


# The JSON types, in the order union dispatch tests them: the one table from a JSON
# type to its Python annotation. (Which IR type a schema of a type and format lowers
# to is the table ``generator.lower.dialect.SCALARS``.)
JSON_TYPES: dict[str, JsonType] = {
    t.name: t
    for t in (
        JsonType("null", "None", "none"),
        JsonType("boolean", "bool", "bool"),
        JsonType("integer", "int", "int"),
        JsonType("number", "float", "float"),
        JsonType("string", "str", "str"),
        JsonType("array", "list[Any]", "list"),
        JsonType("object", "dict[str, Any]", "dict"),
    )
}
KINDS = tuple(JSON_TYPES)


@dataclass(frozen=True)
class Primitive:
    """A JSON scalar: ``json_type`` is string, integer, number, boolean or null (a
    schema that accepts null and nothing else, ``NULL``)."""

    shape = "primitive"

    json_type: str

    @property
    def annotation(self) -> str:
        return annotation_of(self)

    @property
    def kinds(self) -> tuple[str, ...]:
        return ("integer", "number") if self.json_type == "number" else (self.json_type,)

    transforms = False
    inline = True


NULL = Primitive("null")


@dataclass(frozen=True)
class AnyType:
    """Anything: no check, kept as it came."""

    shape = "any"

    @property
    def annotation(self) -> str:
        return annotation_of(self)

    kinds = KINDS
    transforms = False
    inline = True


@dataclass(frozen=True)
class JsonValue:
    """An enum or const value that is an object or an array, kept as its JSON text so
    the type stays hashable. ``value`` gives it back."""

    text: str

    @property
    def value(self) -> object:
        import json

        return json.loads(self.text)

    @property
    def kind(self) -> str:
        return "object" if self.text.startswith("{") else "array"


@dataclass(frozen=True)
class LiteralType:
    """An enum or const. ``values`` are JSON scalars.

    When every value is a str, int or bool the annotation is ``Literal[...]``;
    otherwise (floats) it falls back to the base type and the check stays at run time.
    """

    shape = "literal"

    values: tuple[Union[str, int, float, bool, None, JsonValue], ...]

    @property
    def literal_ok(self) -> bool:
        return all(isinstance(v, (str, int, bool)) or v is None for v in self.values)

    @property
    def allowed(self) -> str:
        """The values for an error message: ``'a', 'b', 'c'``."""
        if not self.values:
            return "no value (the schema's enum is empty)"
        return ", ".join(repr(v) if isinstance(v, str) else _json_text(v) for v in self.values)

    @property
    def all_strings(self) -> bool:
        return bool(self.values) and all(isinstance(v, str) for v in self.values)

    @property
    def kinds(self) -> tuple[str, ...]:
        found: list[str] = []
        for v in self.values:
            if v is None:
                k = "null"
            elif isinstance(v, bool):
                k = "boolean"
            elif isinstance(v, int):
                k = "integer"
            elif isinstance(v, float):
                k = "integer" if v.is_integer() else "number"
            elif isinstance(v, JsonValue):
                k = v.kind
            else:
                k = "string"
            if k not in found:
                found.append(k)
        return tuple(found)

    @property
    def annotation(self) -> str:
        return annotation_of(self)

    transforms = False
    inline = True


@dataclass(frozen=True)
class NullableType:
    """``inner | None``."""

    shape = "nullable"

    inner: "TypeRef"

    @property
    def annotation(self) -> str:
        return annotation_of(self)

    @property
    def kinds(self) -> tuple[str, ...]:
        return ("null",) + self.inner.kinds

    @property
    def transforms(self) -> bool:
        return self.inner.transforms

    @property
    def inline(self) -> bool:
        return self.inner.inline


@dataclass(frozen=True)
class ListType:
    item: "TypeRef"
    codec: str

    shape = "list"

    @property
    def annotation(self) -> str:
        return annotation_of(self)

    kinds = ("array",)
    inline = False

    @property
    def transforms(self) -> bool:
        return self.item.transforms


@dataclass(frozen=True)
class MapType:
    value: "TypeRef"
    codec: str

    shape = "map"

    @property
    def annotation(self) -> str:
        return annotation_of(self)

    kinds = ("object",)
    inline = False

    @property
    def transforms(self) -> bool:
        return self.value.transforms


@dataclass(frozen=True)
class ModelType:
    """A reference to a generated dataclass."""

    shape = "model"

    name: str
    codec: str

    @property
    def annotation(self) -> str:
        return annotation_of(self)

    kinds = ("object",)
    transforms = True
    inline = False


@dataclass(frozen=True)
class Discriminator:
    """Dispatch among object variants by one property's value."""

    property_name: str
    # (value, model) pairs in spec order; the values are of one JSON kind: strings (a
    # given discriminator's always are), or integers or booleans (inferred from consts)
    mapping: tuple[tuple[str | int | bool, ModelType], ...]

    @property
    def values(self) -> tuple[str | int | bool, ...]:
        return tuple(v for v, _ in self.mapping)

    @property
    def kind(self) -> str:
        """The JSON kind of the tag values, which the decoder tests before looking up."""
        first = self.values[0]
        return "boolean" if isinstance(first, bool) else "integer" if isinstance(first, int) else "string"

    @property
    def allowed(self) -> str:
        return ", ".join(repr(v) if isinstance(v, str) else _json_text(v) for v in self.values)


@dataclass(frozen=True)
class Branch:
    """What a union does with a value of one JSON kind."""

    kind: str
    # check-only variants (primitives, literals): the value is kept as it came
    checks: tuple["TypeRef", ...] = ()
    # the one variant that decodes values of this kind (a model, list or map)
    decoder: "TypeRef | None" = None
    # for objects: a table from a property's value to a model
    discriminator: Discriminator | None = None
    # variants of this kind that neither a discriminator nor the JSON type tells apart:
    # the value is kept as it came (strict mode checks only its JSON kind), never decoded
    # by trying each variant in turn
    raw: bool = False
    # for objects without a discriminator: a required key that only one variant has
    # picks that variant, tested in order (the way cattrs tells classes apart)...
    keys: tuple[tuple[str, "ModelType"], ...] = ()
    # ...and the one variant without such a key takes an object that has none of them;
    # without it, such an object matches no variant
    fallback: "ModelType | None" = None
    # a oneOf: an object with the keys of two variants matches both, which it must not
    exclusive: bool = False

    @property
    def kind_suffices(self) -> bool:
        """The JSON kind alone makes the value valid (a plain string among the variants)."""
        return any(isinstance(c, Primitive) and c.json_type == self.kind for c in map(unwrap, self.checks))

    @property
    def key_dispatch(self) -> tuple[tuple[str, "ModelType", tuple[str, ...]], ...]:
        """(key, the variant it picks, the keys of later variants that must then be
        absent) in the order the decoder tests them; the keys to check only for a
        oneOf (earlier keys are known absent by then)."""
        out = []
        for i, (key, model) in enumerate(self.keys):
            later = tuple(k for k, _ in self.keys[i + 1:]) if self.exclusive else ()
            out.append((key, model, later))
        return tuple(out)

    @property
    def keys_expected(self) -> str:
        """What an object that no variant's key picks was expected to be."""
        names = [repr(k) for k, _ in self.keys]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        return f"an object with the key {listed}"

    @property
    def clash_expected(self) -> str:
        """What an object with the keys of two variants of a oneOf was expected to be."""
        return "an object with only one of the keys " + ", ".join(repr(k) for k, _ in self.keys)

    @property
    def encodes(self) -> bool:
        """The union's encoder sends values of this kind through the decoder's own
        encoder: a list or map whose items change on decoding. (Models are encoded
        before the kinds are tested, by their ``to_dict``.)"""
        return self.decoder is not None and self.decoder.transforms and not isinstance(self.decoder, ModelType)


@dataclass(frozen=True)
class UnionType:
    variants: tuple["TypeRef", ...]
    branches: tuple[Branch, ...]
    codec: str

    shape = "union"

    @property
    def annotation(self) -> str:
        return annotation_of(self)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(b.kind for b in self.branches)

    @property
    def transforms(self) -> bool:
        return any(v.transforms for v in self.variants)

    @property
    def inline(self) -> bool:
        # a union of scalars only is checked by one expression
        return all(
            b.decoder is None and b.discriminator is None and not b.raw and not b.keys for b in self.branches
        ) and all(v.inline for v in self.variants)

    @property
    def ambiguous(self) -> tuple[str, ...]:
        """The JSON kinds whose values are kept raw (see ``Branch.raw``)."""
        return tuple(b.kind for b in self.branches if b.raw)

    def kept_raw(self, variant: "TypeRef") -> bool:
        """Whether decoding keeps this variant's values as they came: every JSON kind it
        takes (null aside) is one nothing tells apart."""
        kinds = [k for k in variant.kinds if k != "null"]
        raw = self.ambiguous
        return bool(kinds) and bool(raw) and all(k in raw for k in kinds)

    @property
    def raw_note(self) -> str | None:
        """What the docstring says of variants kept as they came."""
        kept = [v.annotation for v in dict.fromkeys(self.variants) if self.kept_raw(v)]
        if not kept:
            return None
        kinds = " or ".join(JSON_TYPES[k].python for k in self.ambiguous)
        return textwrap.fill(f"One of {', '.join(kept)}: nothing in the data tells them apart, so decoding "
                             f"keeps such a value as it came ({kinds}).", 80)

    @property
    def expected(self) -> str:
        return describe_kinds(self.kinds)


@dataclass(frozen=True)
class AliasType:
    """A named type alias (``Metadata: TypeAlias = dict[str, str] | None``)."""

    shape = "alias"

    name: str
    target: "TypeRef"

    @property
    def annotation(self) -> str:
        return annotation_of(self)

    @property
    def kinds(self) -> tuple[str, ...]:
        return self.target.kinds

    @property
    def transforms(self) -> bool:
        return self.target.transforms

    @property
    def inline(self) -> bool:
        return self.target.inline


class RecursiveType:
    """The target of a named alias met again while it is still being lowered (a
    recursive schema such as a JSON value or a tree of lists). ``resolved`` is set when
    the alias is done; until then the reference holds only the name. Properties read
    through to the resolved type; a read that comes back round the cycle gives the
    neutral answer (``transforms`` False, ``inline`` True), so each is a fixed point."""

    __slots__ = ("name", "resolved", "_busy")

    def __init__(self, name: str) -> None:
        self.name = name
        self.resolved: TypeRef | None = None
        self._busy = False

    def __eq__(self, other: object) -> bool:
        return other is self or (isinstance(other, RecursiveType) and other.name == self.name)

    def __hash__(self) -> int:
        return hash(("recursive", self.name))

    def __repr__(self) -> str:
        """The name and the resolved type, cut where it comes round to itself: what code
        generated from this reference reads (``generator/units.py`` keys on it)."""
        if self.resolved is None or self._busy:
            return f"RecursiveType({self.name!r})"
        self._busy = True
        try:
            return f"RecursiveType({self.name!r}, {self.resolved!r})"
        finally:
            self._busy = False

    def _read(self, attr: str, on_cycle: object) -> object:
        if self.resolved is None or self._busy:
            return on_cycle
        self._busy = True
        try:
            return getattr(self.resolved, attr)
        finally:
            self._busy = False

    @property
    def shape(self) -> str:
        return str(self._read("shape", "any"))

    @property
    def annotation(self) -> str:
        return annotation_of(self)

    @property
    def kinds(self) -> tuple[str, ...]:
        return self._read("kinds", KINDS)  # type: ignore[return-value]

    @property
    def transforms(self) -> bool:
        return bool(self._read("transforms", False))

    @property
    def inline(self) -> bool:
        return bool(self._read("inline", True))

    @property
    def codec(self) -> str:
        return str(self._read("codec", ""))


TypeRef = Union[
    Primitive, AnyType, LiteralType, NullableType, ListType, MapType, ModelType, UnionType, AliasType, RecursiveType
]


def describe_kinds(kinds: tuple[str, ...]) -> str:
    ordered = [k for k in KINDS if k in kinds]
    if "integer" in kinds and "number" in kinds:
        ordered.remove("integer")
    if len(ordered) == 1:
        return ordered[0]
    return ", ".join(ordered[:-1]) + " or " + ordered[-1]


def expected(t: TypeRef) -> str:
    """What a value of this type looks like, for error messages: ``'auto', integer or null``."""
    parts = list(dict.fromkeys(_expected_parts(t)))
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " or " + parts[-1]


def _expected_parts(t: TypeRef) -> list[str]:
    match t:
        case AliasType():
            return _expected_parts(t.target)
        case RecursiveType():
            return ["any value"] if t.resolved is None else _expected_parts(t.resolved)
        case NullableType():
            return _expected_parts(t.inner) + ["null"]
        case LiteralType():
            if not t.values:
                return ["no value (an empty enum)"]
            if len(t.values) == 1 or not isinstance(t.values[0], str):
                return [repr(v) if isinstance(v, str) else _json_text(v) for v in t.values]
            return ["one of " + t.allowed]
        case UnionType():
            return [p for v in t.variants for p in _expected_parts(v)]
        case Primitive():
            return [t.json_type]
        case ListType():
            return ["array"]
        case MapType() | ModelType():
            return ["object"]
        case AnyType():
            return ["any value"]
        case _:
            assert_never(t)


def annotation_of(t: TypeRef, names: Mapping[str, str] | None = None) -> str:
    """The Python annotation of a type. ``names`` renames named types (``changes``
    writes one package's types in the other's names)."""
    match t:
        case Primitive():
            return JSON_TYPES[t.json_type].python
        case AnyType():
            return "Any"
        case LiteralType():
            if not t.values:
                return "Any"  # no valid value: decoding keeps whatever lenient mode is given
            if t.literal_ok:
                return "Literal[" + ", ".join(repr(v) for v in t.values) + "]"
            return " | ".join(dict.fromkeys(JSON_TYPES[k].python for k in t.kinds))
        case NullableType():
            return f"{annotation_of(t.inner, names)} | None"
        case ListType():
            return f"list[{annotation_of(t.item, names)}]"
        case MapType():
            return f"dict[str, {annotation_of(t.value, names)}]"
        case UnionType():
            # a variant decoding keeps as it came is written as the JSON type it is
            return " | ".join(dict.fromkeys(
                " | ".join(JSON_TYPES[k].python for k in v.kinds if k != "null") if t.kept_raw(v)
                else annotation_of(v, names) for v in t.variants
            ))
        case ModelType() | AliasType() | RecursiveType():
            return names.get(t.name, t.name) if names else t.name
        case _:
            assert_never(t)


def named_types(t: TypeRef) -> Iterator[str]:
    """The models and aliases an annotation of ``t`` names, in the order it writes
    them (not looking inside them): the one walk over named types."""
    match t:
        case ModelType() | AliasType():
            yield t.name
        case NullableType():
            yield from named_types(t.inner)
        case ListType():
            yield from named_types(t.item)
        case MapType():
            yield from named_types(t.value)
        case UnionType():
            for v in t.variants:
                yield from named_types(v)
        case Primitive() | AnyType() | LiteralType() | RecursiveType():
            return
        case _:
            assert_never(t)


def wire_name(name: str) -> str:
    """A wire name in a docstring, as code (``"DateSent<"``)."""
    return f"``{name}``" if name and "`" not in name and name.strip() == name else repr(name)


def argument_doc(arg: str, name: str, doc: str | None) -> str:
    """An argument's line in a method's docstring: its description (the wire name when
    it has none), then the wire name when the argument is named otherwise."""
    if doc is None:
        return name if arg == name else wire_name(name)
    return doc if arg == name else f"{doc} (wire name: {wire_name(name)})"


def raw_notes(t: TypeRef) -> list[str]:
    """The notes of the unions written in ``t``'s annotation (not inside named types)
    whose values of some kind decoding keeps as they came."""
    match t:
        case UnionType():
            own = [t.raw_note] if t.raw_note else []
            return own + [n for v in t.variants for n in raw_notes(v) if n not in own]
        case NullableType():
            return raw_notes(t.inner)
        case ListType():
            return raw_notes(t.item)
        case MapType():
            return raw_notes(t.value)
        case Primitive() | AnyType() | LiteralType() | ModelType() | AliasType() | RecursiveType():
            return []
        case _:
            assert_never(t)


def codec_part(t: TypeRef) -> str:
    """A type's part in the name of a list or map codec that holds it."""
    match t:
        case Primitive():
            return JSON_TYPES[t.json_type].short
        case AnyType():
            return "any"
        case ModelType() | AliasType():
            return t.name
        case NullableType():
            return "opt_" + codec_part(t.inner)
        case ListType() | MapType():
            return t.codec
        case UnionType():
            return t.codec or "union_" + "_".join(codec_part(v) for v in t.variants)
        case LiteralType():
            return "lit"
        case RecursiveType():
            raise AssertionError(f"{t!r} is only ever the target of an alias")
        case _:
            assert_never(t)


def _json_dump(v: object) -> str:
    import json

    return json.dumps(v, ensure_ascii=False, sort_keys=True)


def _json_text(v: object) -> str:
    if isinstance(v, JsonValue):
        return v.text
    return {True: "true", False: "false", None: "null"}.get(v, repr(v)) if isinstance(v, (bool, type(None))) else repr(v)


def unwrap(t: TypeRef) -> TypeRef:
    """Look through aliases and nullability to the type that decodes."""
    while True:
        if isinstance(t, AliasType):
            t = t.target
        elif isinstance(t, RecursiveType) and t.resolved is not None:
            t = t.resolved
        elif isinstance(t, NullableType):
            t = t.inner
        else:
            return t


@dataclass(frozen=True)
class Field:
    json_name: str
    attr: str
    type: TypeRef  # without the nullability
    required: bool
    nullable: bool
    doc: str | None
    default: object = None  # documented, never injected
    has_default: bool = False
    deprecated: bool = False
    # the JSON pointer of the property where it is declared (for an inherited field, in
    # the allOf member that declares it): ``changes`` tells one upstream edit by it
    source: str = ""

    @property
    def annotation(self) -> str:
        ann = self.type.annotation
        if isinstance(self.type, AnyType):
            return ann
        if (self.nullable or not self.required) and "null" not in self.type.kinds:
            ann += " | None"
        return ann

    @property
    def decodes(self) -> TypeRef:
        return unwrap(self.type)

    @property
    def expected(self) -> str:
        """What the field accepts, for error messages."""
        return expected(NullableType(self.type) if self.nullable else self.type)

    @property
    def takes_null(self) -> bool:
        """Null is a valid value: the field is nullable, or its type takes null itself
        (an enum that lists it, a variant that takes anything)."""
        return self.nullable or "null" in self.decodes.kinds

    @property
    def null_fails_check(self) -> bool:
        """Null fails the field's own check (or decoder) with the very message a
        separate null test would give, so the decoder needs no such test."""
        t = self.decodes
        return not self.takes_null and t.shape != "literal" and self.expected == expected(t)

    @property
    def doc_text(self) -> str | None:
        """The field's docstring: the description, then what the schema documents."""
        parts = [self.doc] if self.doc else []
        if self.has_default:
            parts.append(f"Server default: `{_json_dump(self.default)}`.")
        if self.deprecated:
            parts.append("Deprecated.")
        parts.extend(raw_notes(self.type))
        if self.attr != self.json_name:
            parts.append(f"Wire name: {wire_name(self.json_name)}.")
        return "\n\n".join(parts) or None


@dataclass(frozen=True)
class Model:
    name: str
    codec: str
    doc: str | None
    fields: tuple[Field, ...]
    # where it came from, for messages and for ``changes``
    source: str
    # a typed map of the remaining keys (additionalProperties with a schema), if any
    extra_values: TypeRef | None = None
    # `additionalProperties: false`: strict decoding rejects a key the model does not name
    closed: bool = False

    @property
    def required_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)

    @property
    def optional_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.required)

    @property
    def leading_required(self) -> tuple[Field, ...]:
        """The required fields before the first optional one: ``to_dict`` writes them
        in one dict display, keeping the schema's order of keys."""
        out: list[Field] = []
        for f in self.fields:
            if not f.required:
                break
            out.append(f)
        return tuple(out)

    @property
    def json_names(self) -> tuple[str, ...]:
        return tuple(f.json_name for f in self.fields)


@dataclass(frozen=True)
class Alias:
    name: str
    target: TypeRef
    doc: str | None
    source: str
    # the annotation names this alias or one defined after it: quote it, or the module
    # would fail at import with a NameError
    forward: bool = False

    @property
    def doc_text(self) -> str | None:
        """The alias's docstring: its description, then what decoding keeps as it came."""
        parts = ([self.doc] if self.doc else []) + raw_notes(self.target)
        return "\n\n".join(parts) or None

    @property
    def keyed(self) -> bool:
        """The package's ``decode`` knows the alias by identity. An alias whose value is a
        builtin (``str``, ``float``, ``None``, ``Any``) is that very object, which
        ``decode`` reads as itself."""
        return self.value not in ("str", "int", "float", "bool", "None", "Any")

    @property
    def value(self) -> str:
        """The right-hand side of ``Name: TypeAlias = ...``."""
        text = self.target.annotation
        return repr(text) if self.forward else text


@dataclass(frozen=True)
class Parameter:
    name: str  # as in the spec
    arg: str  # the Python argument name
    location: str  # path, query, header
    type: TypeRef
    required: bool
    doc: str | None
    # query serialisation: ``explode`` repeats a list's key (``k=a&k=b``), else joins
    # with commas; ``deep`` writes an object as ``k[sub]=v``
    explode: bool = True
    deep: bool = False
    source: str = ""  # the JSON pointer of the parameter (for ``changes``)

    @property
    def annotation(self) -> str:
        ann = self.type.annotation
        if not self.required and "null" not in self.type.kinds and not isinstance(self.type, AnyType):
            ann += " | None"
        return ann

    @property
    def arg_doc(self) -> str:
        return argument_doc(self.arg, self.name, self.doc)


@dataclass(frozen=True)
class BodyField:
    """One property of a request body, taken as a keyword-only argument."""

    name: str  # the JSON / form field name
    arg: str
    type: TypeRef
    required: bool
    doc: str | None
    # multipart: "one" file (``FileInput``), a "list" of files, or "either"; "" for none
    files: str = ""
    # URL-encoded forms, from the media type's ``encoding``: the ``style`` (form,
    # spaceDelimited, pipeDelimited, deepObject, or json for a ``contentType`` that is
    # JSON) and ``explode``
    style: str = "form"
    explode: bool = True

    @property
    def file(self) -> bool:
        return bool(self.files)

    @property
    def arg_doc(self) -> str:
        return argument_doc(self.arg, self.name, self.doc)

    @property
    def annotation(self) -> str:
        if self.file:
            ann = {"one": "FileInput", "list": "list[FileInput]", "either": "FileInput | list[FileInput]"}[self.files]
        else:
            ann = self.type.annotation
            if isinstance(self.type, AnyType):
                return ann
        if not self.required and "null" not in (() if self.file else self.type.kinds):
            ann += " | None"
        return ann


@dataclass(frozen=True)
class Body:
    """A request body: ``json``, ``multipart``, ``form`` (URL-encoded) or ``raw``
    (bytes of ``media``).

    With ``fields``, each property of the body's object schema is an argument; without,
    the whole body is one ``body`` argument of ``type``. ``consts`` are written into a
    JSON or multipart body whatever the caller passes (``"stream": True`` for a
    streaming variant).
    """

    kind: str
    media: str
    fields: tuple[BodyField, ...]
    type: TypeRef | None
    required: bool
    consts: tuple[tuple[str, object], ...] = ()

    @property
    def whole(self) -> bool:
        return not self.fields and self.kind != "multipart"

    @property
    def annotation(self) -> str:
        """The ``body`` argument's annotation (``whole`` bodies)."""
        if self.kind == "raw" or self.type is None:
            ann = "bytes" if self.kind == "raw" else "Any"
        else:
            ann = self.type.annotation
        if not self.required and ann != "Any" and "null" not in (self.type.kinds if self.type else ()):
            ann += " | None"
        return ann


@dataclass(frozen=True)
class Pagination:
    """A list that pages with ``after`` / ``has_more``: ``iter_<name>`` yields items.

    The next page starts after ``page.last_id`` when the page has one (``cursor`` is
    ``"last_id"``), else after the last item's ``id`` (``"id"``).
    """

    item: TypeRef
    cursor: str
    after_arg: str


@dataclass(frozen=True)
class Credential:
    """A constructor argument that holds a secret, read from ``env`` when not given.
    ``sent`` says where it goes, which decides what it may hold: ``header`` (a bearer
    token or an API key in a header), ``cookie``, ``query``, ``username`` or
    ``password`` (HTTP basic)."""

    arg: str
    env: str
    sent: str


@dataclass(frozen=True)
class SecurityScheme:
    """How one of the spec's security schemes sends its credentials. ``kind`` is
    ``bearer`` (HTTP bearer, OAuth2 and OpenID Connect: ``Authorization: Bearer``),
    ``basic`` (``Authorization: Basic``), or ``header``, ``query`` or ``cookie`` (an
    ``apiKey`` under the name ``param``)."""

    name: str  # its key in components/securitySchemes
    kind: str
    param: str
    credentials: tuple[Credential, ...]
    const: str  # the client module's constant that describes it

    @property
    def args(self) -> tuple[str, ...]:
        return tuple(c.arg for c in self.credentials)

    @property
    def sent_as(self) -> str:
        """Where the credentials go, as the generated README says it (Markdown code)."""
        where = {"header": "header", "query": "query parameter", "cookie": "cookie"}
        if self.kind in where:
            return f"the `{self.param}` {where[self.kind]}"
        return f"`Authorization: {self.kind.capitalize()}`"


@dataclass(frozen=True)
class ErrorResponse:
    """A response the spec describes for a status that is not a success: its key in
    ``responses`` (``404``, a range such as ``4XX``, or ``default``) and the type of its
    JSON body (``None`` when it describes none: no content, or none that is JSON). The
    testing kit checks an answer registered for such a status against it."""

    status: str
    type: TypeRef | None


# The keyword-only options every client method takes after the operation's own arguments.
CALL_OPTIONS = ("extra_headers", "extra_query", "extra_body", "timeout", "max_retries", "max_response_bytes")


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method_name: str
    http_method: str
    path: str
    summary: str | None
    description: str | None
    parameters: tuple[Parameter, ...]
    response: TypeRef | None
    deprecated: bool = False
    body: Body | None = None
    # how a 2xx body is read: json, binary (bytes), stream (server-sent events of
    # ``response``) or none
    media: str = "json"
    accept: str | None = None  # the Accept header, when not JSON
    pagination: Pagination | None = None
    # for the testing kit: the spec's example answer and a minimal valid one, as JSON
    # text (the example as the spec gives it, checked at run time)
    example: str | None = None
    minimal: str | None = None
    # the status of the first success response, which the testing kit answers with
    status: int = 200
    # the responses for other statuses, in the spec's order, for the testing kit
    errors: tuple[ErrorResponse, ...] = ()
    # the method this one is a variant of (``create`` for ``create_stream``)
    variant_of: str | None = None

    @property
    def base_method(self) -> str:
        """The method name this operation's calls are recorded under, for every variant."""
        return self.variant_of or self.method_name

    # what the call must send, as alternatives (the first whose credentials were given
    # is used); each alternative is the schemes it sends together. ``()`` needs
    # nothing, and so does an empty alternative (``security: [{}]``) when no other's
    # credentials were given
    security: tuple[tuple[SecurityScheme, ...], ...] = ()

    @property
    def needs(self) -> str | None:
        """The credentials the call needs, for its docstring (None when none)."""
        if not self.security:
            return None
        alts = [" and ".join(f"``{a}``" for s in alt for a in s.args) for alt in self.security if alt]
        if not alts:
            return None
        if any(not alt for alt in self.security):
            alts.append("none")
        return "Credentials: " + ", or ".join(alts) + "."

    @property
    def kit_credentials(self) -> tuple[tuple[tuple[str, str], ...], ...]:
        """What the testing kit requires a call to carry: the (kind, name) of each scheme
        of each alternative; nothing when the operation needs nothing, or may go
        without (an empty alternative)."""
        if not self.security or any(not alt for alt in self.security):
            return ()
        return tuple(tuple((s.kind, s.param if s.kind in ("header", "query", "cookie") else "") for s in alt)
                     for alt in self.security)

    @property
    def path_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "path")

    @property
    def query_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "query")

    @property
    def header_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "header")

    @property
    def keyword_arguments(self) -> tuple[Parameter | BodyField, ...]:
        """Query, header and body-field arguments: required ones first."""
        args: list[Parameter | BodyField] = [p for p in self.parameters if p.location != "path"]
        if self.body is not None:
            args.extend(self.body.fields)
        return tuple(a for a in args if a.required) + tuple(a for a in args if not a.required)

    @property
    def streams(self) -> bool:
        return self.media == "stream"

    @property
    def call_shape(self) -> str:
        """The arguments as the README shows them: ``id, *, name, limit=...``."""
        args = [p.arg for p in self.path_parameters]
        if self.body is not None and self.body.whole:
            args.append("body" if self.body.required else "body=...")
        kw = [a.arg if a.required else a.arg + "=..." for a in self.keyword_arguments]
        return ", ".join(args + (["*"] + kw if kw else []))

    @property
    def example_args(self) -> str:
        """Arguments for a README snippet: a sample value for each path parameter, and
        ``...`` for what else is required."""
        args = ['"abc123"' if "string" in p.type.kinds or not p.type.kinds else "1" for p in self.path_parameters]
        if self.body is not None and self.body.whole and self.body.required:
            args.append("...")
        args += [f"{a.arg}=..." for a in self.keyword_arguments if a.required]
        return ", ".join(args)

    @property
    def public_returns(self) -> str:
        """What the client method returns (``Stream[...]`` for an event stream)."""
        return f"Stream[{self.returns}]" if self.streams else self.returns

    @property
    def doc(self) -> str | None:
        parts = [p.strip() for p in (self.summary, self.description) if p and p.strip()]
        return "\n\n".join(dict.fromkeys(parts)) or None

    # --- read by templates/client.py.jinja -----------------------------------------

    @property
    def response_kind(self) -> str:
        """How the client decodes a 2xx body: ``none`` (no body), ``model`` (the model's
        ``from_dict``), ``codec`` (a generated decoder, ``response_codec``) or ``json``
        (scalars and untyped values, kept as parsed)."""
        if self.media == "binary":
            return "binary"
        if self.response is None:
            return "none"
        if isinstance(self.response, ModelType):
            return "model"
        return "json" if self.response_codec is None else "codec"

    @property
    def response_codec(self) -> str | None:
        """The codec that decodes a 2xx body, for ``response_kind == "codec"``."""
        if self.response is None or isinstance(self.response, ModelType):
            return None
        t = unwrap(self.response)
        return None if t.inline else getattr(t, "codec", None) or None

    @property
    def response_nullable(self) -> bool:
        return self.response is not None and "null" in self.response.kinds

    @property
    def returns(self) -> str:
        """The return annotation of the client method (of one event, for streams)."""
        if self.media == "binary":
            return "bytes"
        if self.response is None:
            return "Any" if self.media == "stream" else "None"
        return self.response.annotation

    @property
    def async_returns(self) -> str:
        """What the async client method returns (``AsyncStream[...]`` for a stream)."""
        return f"AsyncStream[{self.returns}]" if self.streams else self.returns

    @property
    def parsed_returns(self) -> str:
        """What the response's ``parse()`` gives: every event, for a stream."""
        return f"list[{self.returns}]" if self.streams else self.returns

    @property
    def raw_returns(self) -> str:
        """What the ``with_raw_response`` methods return."""
        return f"RawResponse[{self.parsed_returns}]"

    @property
    def takes_body(self) -> bool:
        """The whole request body is one ``body`` argument, after the path parameters."""
        return self.body is not None and self.body.whole

    @property
    def iter_name(self) -> str | None:
        """The method that yields every item of a paginated list, page after page."""
        return None if self.pagination is None else f"iter_{self.method_name}"

    @property
    def iter_returns(self) -> str | None:
        """What ``iter_name`` returns."""
        return None if self.pagination is None else f"Iterator[{self.pagination.item.annotation}]"

    @property
    def async_iter_returns(self) -> str | None:
        """What the async client's ``iter_name`` returns."""
        return None if self.pagination is None else f"AsyncIterator[{self.pagination.item.annotation}]"


@dataclass(frozen=True)
class Codec:
    """A generated decode/encode function pair for a composite type."""

    name: str
    type: TypeRef


@dataclass(frozen=True)
class ClientOption:
    """A configured constructor option sent as a header, read from ``env`` when not given."""

    arg: str
    header: str
    env: str


@dataclass(frozen=True)
class Package:
    name: str
    title: str
    version: str
    description: str | None
    license: str | None
    spec_file: str
    sha256: str
    models: tuple[Model, ...]
    aliases: tuple[Alias, ...]
    codecs: tuple[Codec, ...]
    operations: tuple[Operation, ...]
    servers: tuple[str, ...]
    env_prefix: str
    generator_version: str
    # names that the models module defines, in the order they appear
    exports: tuple[str, ...] = field(default=())
    client_options: tuple[ClientOption, ...] = ()
    # the security schemes some operation uses, in the spec's order
    security_schemes: tuple[SecurityScheme, ...] = ()

    @property
    def credentials(self) -> tuple[Credential, ...]:
        """The client's credential arguments, in the order of their schemes."""
        return tuple(c for s in self.security_schemes for c in s.credentials)

    @property
    def positional_credential(self) -> str | None:
        """The one credential argument a constructor takes positionally
        (``Client("sk-...")``); several are taken only by name."""
        return self.credentials[0].arg if len(self.credentials) == 1 else None

    @property
    def keyword_credentials(self) -> tuple[Credential, ...]:
        """The credential arguments taken only by name."""
        return () if self.positional_credential else self.credentials

    @property
    def credential_args(self) -> tuple[str, ...]:
        """The names of the client's credential arguments (the testing kit fills them)."""
        return tuple(dict.fromkeys(c.arg for c in self.credentials))

    # --- read by templates/client.py.jinja -----------------------------------------

    @property
    def base_url_env(self) -> str:
        return f"{self.env_prefix}_BASE_URL"

    @property
    def default_base_url(self) -> str | None:
        """The spec's first server, the client's base URL when none is configured."""
        return self.servers[0] if self.servers else None

    @property
    def log_env(self) -> str:
        return f"{self.env_prefix}_LOG"

    @property
    def uses_streams(self) -> bool:
        return any(op.streams for op in self.operations)

    @property
    def uses_files(self) -> bool:
        return any(op.body is not None and any(f.file for f in op.body.fields) for op in self.operations)

    @property
    def client_names(self) -> tuple[str, ...]:
        """Names from the models module that the client's signatures mention."""
        found: set[str] = set()
        for op in self.operations:
            types = [p.type for p in op.parameters] + ([op.response] if op.response else [])
            if op.body is not None:
                types += [f.type for f in op.body.fields if not f.file]
                if op.body.whole and op.body.type is not None:
                    types.append(op.body.type)
            if op.pagination is not None:
                types.append(op.pagination.item)
            for t in types:
                found.update(named_types(t))
        return tuple(n for n in self.exports if n in found)

    # --- read by templates/README.md.jinja -----------------------------------------

    @property
    def example_operation(self) -> Operation | None:
        """The operation the README's client snippets call: the first one that needs
        nothing but path parameters (so the snippets run as written), else the first."""
        for op in self.operations:
            if not op.streams and not (op.body is not None and op.body.required) and not any(
                a.required for a in op.keyword_arguments
            ):
                return op
        return self.operations[0] if self.operations else None

    @property
    def streaming_operation(self) -> Operation | None:
        return next((op for op in self.operations if op.streams), None)

    @property
    def paginated_operation(self) -> Operation | None:
        return next((op for op in self.operations if op.pagination is not None), None)

    @property
    def upload_operation(self) -> Operation | None:
        return next((op for op in self.operations if op.body is not None and any(f.file for f in op.body.fields)),
                    None)

    @property
    def example_model(self) -> str | None:
        """The model the README's example decodes: the first operation's response when
        it is a model, else the first model (None without models)."""
        first = self.operations[0] if self.operations else None
        if first is not None and first.response_kind == "model" and isinstance(first.response, ModelType):
            return first.response.name
        return self.models[0].name if self.models else None

