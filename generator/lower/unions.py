"""Unions (``oneOf``, ``anyOf``, type lists) and how decoding tells their variants
apart: an explicit discriminator, one inferred from single-value properties, else
the JSON kind. Never by trying each variant in turn."""

from __future__ import annotations

from typing import Any

from .. import ir
from ..load import Location
from . import schemas
from .context import Context
from .dialect import View


def union(ctx: Context, view: View, hint: str) -> ir.TypeRef:
    """A ``oneOf``/``anyOf``: null members make it nullable; one member left is that member."""
    variants: list[ir.TypeRef] = []
    # `anyOf: [{inline object}, {type: 'null'}]` names the object after its field alone
    null_only = [isinstance(b, dict) and "$ref" not in b and View(b, bloc).is_null_only for b, bloc in view.branches]
    several = null_only.count(False) > 1
    # a member that is JSON Schema's null (not 3.0's `nullable: true` alone, which takes anything)
    null_typed = any(null_only[i] and View(b, bloc).is_null_type for i, (b, bloc) in enumerate(view.branches))
    for i, (b, bloc) in enumerate(view.branches):
        if null_only[i]:
            view.nullable = True
            continue
        t = schemas.type_of(ctx, b, bloc, hint + (f"Variant{i + 1}" if several else ""))
        if t == ir.NULL:  # `{allOf: [{type: null}]}` and such: null, as a bare `type: null`
            null_typed = view.nullable = True
            continue
        if isinstance(t, ir.NullableType):
            view.nullable = True
            t = t.inner
        variants.append(t)
    if not variants:
        # only null members: null, unless all were 3.0's `nullable: true`, which alone takes anything
        return ir.NULL if null_typed else ir.AnyType()
    if len(variants) == 1:
        return variants[0]
    return make_union(ctx, tuple(variants), view.loc, hint, view.node.get("discriminator"))


def make_union(ctx: Context, variants: tuple[ir.TypeRef, ...], loc: Location, hint: str,
               discriminator: Any = None) -> ir.TypeRef:
    """A union of ``variants`` with its dispatch: per JSON kind, the values to check or the
    one decoder, and for objects a discriminator table (given or inferred)."""
    checks: dict[str, list[ir.TypeRef]] = {}
    decoders: dict[str, list[ir.TypeRef]] = {}
    models: list[ir.ModelType] = []

    def add(t: ir.TypeRef) -> None:
        u = t
        while isinstance(u, (ir.AliasType, ir.RecursiveType)):
            if isinstance(u, ir.RecursiveType):
                if u.resolved is None:
                    return  # the union being lowered names itself: that adds nothing
                u = u.resolved
            else:
                u = u.target
        if isinstance(u, ir.NullableType):
            add(u.inner)
            return
        if isinstance(u, ir.UnionType):
            for v in u.variants:
                add(v)
            return
        if isinstance(u, ir.ModelType):
            models.append(u)
            return
        if u.inline:
            for k in u.kinds:
                checks.setdefault(k, []).append(u)
            return
        for k in u.kinds:
            decoders.setdefault(k, []).append(u)

    for v in variants:
        add(v)
    branches: list[ir.Branch] = []
    disc = None
    # Variants of one JSON kind that nothing tells apart (no discriminator, given or
    # inferred) are not tried in turn: values of that kind are kept as they came
    # (`Branch.raw`), and strict mode checks only the kind. See the README.
    raw_object = False
    if models:
        if decoders.get("object"):
            raw_object = True  # an object model beside a map
        elif len(models) > 1:
            disc = _discriminator(ctx, models, loc, discriminator)
            raw_object = disc is None
    for kind in ir.KINDS:
        kchecks = tuple(dict.fromkeys(checks.get(kind, [])))
        kdec = decoders.get(kind, [])
        if kind == "object" and models:
            if raw_object or (kchecks and not all(isinstance(c, ir.AnyType) for c in kchecks)):
                branches.append(ir.Branch(kind, raw=True))
                continue
            branches.append(ir.Branch(kind, (), models[0] if disc is None else None, disc))
            continue
        if len(set(kdec)) > 1 or (kdec and kchecks):
            branches.append(ir.Branch(kind, raw=True))
            continue
        if kdec:
            branches.append(ir.Branch(kind, (), kdec[0]))
        elif kchecks:
            branches.append(ir.Branch(kind, kchecks))
    t = ir.UnionType(tuple(dict.fromkeys(variants)), tuple(branches), "")
    if not t.inline:
        base, n = "union_" + hint, 2
        name = base
        while name in ctx.codecs or name in ctx.union_names:
            name = f"{base}{n}"
            n += 1
        ctx.union_names.add(name)
        t = ir.UnionType(t.variants, t.branches, name)
        ctx.codecs[name] = ir.Codec(name, t)
    return t


def _discriminator(ctx: Context, models: list[ir.ModelType], loc: Location, given: Any) -> ir.Discriminator | None:
    by_name = {m.name: ctx.models[m.name] for m in models if m.name in ctx.models}
    if given is not None:
        dloc = loc.child("discriminator")
        if not isinstance(given, dict) or not isinstance(given.get("propertyName"), str):
            raise dloc.error("discriminator must have a string propertyName")
        prop = given["propertyName"]
        mapping: list[tuple[str, ir.ModelType]] = []
        explicit = given.get("mapping") or {}
        if not isinstance(explicit, dict):
            raise dloc.child("mapping").error("mapping must be a mapping")
        claimed: set[str] = set()
        for value, ref in explicit.items():
            target, tloc = ctx.spec.resolve(ref, dloc.child("mapping", value))
            t = schemas.component(ctx, target, tloc, "")
            if not isinstance(t, ir.ModelType) or t not in models:
                raise dloc.child("mapping", value).error(f"{ref!r} is not one of the union's object variants")
            mapping.append((str(value), t))
            claimed.add(t.name)
        for m in models:
            if m.name in claimed:
                continue
            values = const_values(ctx.models.get(m.name), prop)
            mapping.append((values[0] if values and len(values) == 1 else m.name, m))
        return ir.Discriminator(prop, tuple(mapping))
    # infer: a property every variant requires, each with a distinct single value
    first = by_name.get(models[0].name)
    candidates = [f.json_name for f in first.fields if f.required] if first else []
    for prop in candidates:
        mapping = []
        seen: set[str] = set()
        ok = True
        for m in models:
            values = const_values(ctx.models.get(m.name), prop, required=True)
            if values is None or len(values) != 1 or values[0] in seen:
                ok = False
                break
            seen.add(values[0])
            mapping.append((values[0], m))
        if ok:
            return ir.Discriminator(prop, tuple(mapping))
    return None  # nothing tells the object variants apart

# ----- operations ----------------------------------------------------------------


def const_values(model: ir.Model | None, prop: str, required: bool = False) -> list[str] | None:
    if model is None:
        return None
    for f in model.fields:
        if f.json_name == prop:
            if required and not f.required:
                return None
            t = ir.unwrap(f.type)
            if isinstance(t, ir.LiteralType) and t.all_strings:
                return [str(v) for v in t.values]
            return None
    return None
