"""Schema nodes to IR types: the dispatch over what a schema is, named components
(models and aliases), lists and maps with their codecs."""

from __future__ import annotations

import re
from typing import Any, Callable, TypeVar

from .. import ir
from ..load import Location
from . import models, unions
from .context import Context
from .dialect import View, doc, scalar, sub_view, text

# where a named schema stands in its document: a component, or a JSON Schema definition
_NAMED = re.compile(r"^/(?:components/schemas|\$defs|definitions)/([^/]*)$")


def schema_name(loc: Location) -> str | None:
    """The name a ``$ref`` target is generated under: a component's (or definition's)
    own, or a whole file's stem (``./ContentsObject.yaml``); None for anything else."""
    m = _NAMED.match(loc.pointer)
    if m:
        return m.group(1).replace("~1", "/").replace("~0", "~")
    if loc.pointer == "" and loc.file.suffix:
        return loc.file.stem
    return None


def type_of(ctx: Context, node: Any, loc: Location, hint: str) -> ir.TypeRef:
    """The type of a schema node, nullability included. ``hint`` names a model or
    union hoisted from it."""
    if isinstance(node, dict) and "$ref" in node:
        target, tloc = ctx.spec.resolve(node["$ref"], loc)
        return component(ctx, target, tloc, hint)
    return from_view(ctx, View(node, loc), hint)


def component(ctx: Context, node: Any, loc: Location, hint: str) -> ir.TypeRef:
    """The named type of a ``$ref`` target: a component under ``#/components/schemas``
    (or a schema that is a whole file) is a model or an alias, lowered once; anything
    else is inlined."""
    if loc in ctx.named:
        return ctx.named[loc]
    if loc in ctx.in_progress:
        return ctx.in_progress[loc]
    raw_name = schema_name(loc)
    if raw_name is None:  # a $ref into the middle of something: inline it
        if loc in ctx.inlining:
            raise loc.error("$ref cycle that never reaches a named schema")
        ctx.inlining.add(loc)
        try:
            return type_of(ctx, node, loc, hint)
        finally:
            ctx.inlining.discard(loc)
    if isinstance(node, dict) and "$ref" in node:
        # a component that only names another: an alias of it
        return _alias(ctx, raw_name, loc, lambda name: type_of(ctx, node, loc, name), text(node.get("description")))
    view = View(node, loc)
    if not is_model(ctx, view):
        return _alias(ctx, raw_name, loc, lambda name: from_view(ctx, view, name), doc(view))
    name = ctx.class_name(raw_name, spec_name=True)
    ref = ir.ModelType(name, name)
    ctx.in_progress[loc] = ref
    models.build(ctx, view, name)
    result: ir.TypeRef = ir.NullableType(ref) if view.nullable else ref
    del ctx.in_progress[loc]
    ctx.named[loc] = result
    return result


def _alias(ctx: Context, raw_name: str, loc: Location, lower: Callable[[str], ir.TypeRef],
           doc_text: str | None) -> ir.AliasType:
    """A named alias; while its target is lowered, a reference back to it (a recursive
    schema) is an alias of a ``RecursiveType`` that is resolved at the end."""
    name = ctx.class_name(raw_name, spec_name=True)
    ctx.order.append(name)
    pending = ir.RecursiveType(name)
    ctx.in_progress[loc] = ir.AliasType(name, pending)
    target = lower(name)
    pending.resolved = _not_only_itself(target, name, loc)
    ctx.aliases[name] = ir.Alias(name, target, doc_text, loc.pointer)
    del ctx.in_progress[loc]
    result = ir.AliasType(name, target)
    ctx.named[loc] = result
    return result


def is_model(ctx: Context, view: View) -> bool:
    """Whether a schema becomes a dataclass: an object with properties, or an allOf
    of objects."""
    if view.branches or view.enum is not None or models.has_union_part(ctx, view):
        return False
    if view.all_of:
        if len(view.all_of) == 1 and "properties" not in view.node:
            # `allOf: [$ref]` names a model only when the member is one
            member, mloc = view.all_of[0]
            if isinstance(member, dict) and "$ref" in member:
                member, mloc = ctx.spec.resolve(member["$ref"], mloc)
            mview = View(member, mloc)
            if mview.all_of or mview.is_null_type:
                return is_model(ctx, mview)
            return not mview.branches and mview.enum is None and mview.types in ([], ["object"])
        return True
    if view.types and view.types != ["object"]:
        return False
    # object keywords that a map cannot check: properties, required keys, no other keys
    node = view.node
    return (isinstance(node.get("properties"), dict) and bool(node["properties"])) or bool(node.get("required")) \
        or node.get("additionalProperties") is False


def from_view(ctx: Context, view: View, hint: str) -> ir.TypeRef:
    if view.is_null_type:
        return ir.NULL
    t = _core(ctx, view, hint)
    if t == ir.NULL:  # a union or allOf of nothing but `type: null`
        return t
    if view.nullable and not isinstance(t, ir.NullableType):
        return ir.NullableType(t)
    return t


def _core(ctx: Context, view: View, hint: str) -> ir.TypeRef:
    """The type without the schema's own nullability."""
    node, loc = view.node, view.loc
    if view.enum is not None:
        if view.empty_enum:
            ctx.spec.warn(loc.child("enum"), "enum: [] allows no value: strict decoding refuses every value here, "
                          "lenient decoding keeps it")
            return ir.LiteralType(())
        return ir.LiteralType(tuple(view.enum))
    if view.branches:
        return unions.union(ctx, view, hint)
    if len(view.all_of) == 1 and "properties" not in node:
        # the 3.0 idiom for a $ref with siblings: `allOf: [$ref]` plus nullable/description
        member, mloc = view.all_of[0]
        return type_of(ctx, member, mloc, hint)
    if models.has_union_part(ctx, view):
        return unions.intersection(ctx, view, hint)
    if view.all_of or is_model(ctx, view):
        name = ctx.class_name(hint)
        models.build(ctx, view, name)
        return ir.ModelType(name, name)
    kinds = view.types
    if len(kinds) > 1:
        variants = tuple(_core(ctx, sub_view(view, t), hint) for t in kinds)
        return unions.make_union(ctx, variants, loc, hint)
    kind = kinds[0] if kinds else None
    if kind is None:
        if "properties" in node or "additionalProperties" in node:
            kind = "object"
        elif "items" in node:
            kind = "array"
        else:
            return ir.AnyType()
    if kind == "array":
        items = node.get("items", {})
        if isinstance(items, list):
            raise loc.child("items").error("tuple-style items lists are not supported")
        return list_of(ctx, type_of(ctx, items, loc.child("items"), hint + "Item"))
    if kind == "object":
        extra = node.get("additionalProperties", True)
        if extra is True or extra is False or extra == {}:
            value: ir.TypeRef = ir.AnyType()
        else:
            value = type_of(ctx, extra, loc.child("additionalProperties"), hint + "Value")
        return map_of(ctx, value)
    return scalar(kind, node.get("format"))


def list_of(ctx: Context, item: ir.TypeRef) -> ir.ListType:
    return _container(ctx, ir.ListType, "list_", item)


def map_of(ctx: Context, value: ir.TypeRef) -> ir.MapType:
    return _container(ctx, ir.MapType, "map_", value)


_C = TypeVar("_C", ir.ListType, ir.MapType)


def _container(ctx: Context, kind: type[_C], prefix: str, inner: ir.TypeRef) -> _C:
    """A list or map type with a codec name of its own: the same structure shares
    one codec; a different structure that would get the same name is numbered."""
    base, n = prefix + ir.codec_part(inner), 2
    t = kind(inner, base)
    while t.codec in ctx.codecs and ctx.codecs[t.codec].type != t:
        t = kind(inner, f"{base}{n}")
        n += 1
    ctx.codecs[t.codec] = ir.Codec(t.codec, t)
    return t


def _not_only_itself(t: ir.TypeRef, name: str, loc: Location) -> ir.TypeRef:
    """An alias must reach a type: ``A: {oneOf: [{$ref: A}]}`` (or a longer loop of
    aliases) names only itself."""
    u = t
    while True:
        if isinstance(u, ir.NullableType):
            u = u.inner
        elif isinstance(u, (ir.AliasType, ir.RecursiveType)):
            if u.name == name:
                raise loc.error(f"the schema refers only to itself ({name}) without reaching a type")
            target = u.target if isinstance(u, ir.AliasType) else u.resolved
            if target is None:
                return t
            u = target
        else:
            return t
