"""Unions (``oneOf``, ``anyOf``, type lists) and how decoding tells their variants
apart: an explicit discriminator, one inferred from single-value properties, else
the JSON kind. Never by trying each variant in turn."""

from __future__ import annotations

from typing import Any

from .. import ir
from ..load import Location
from . import models as object_models
from . import schemas
from .context import Context
from .dialect import View, text
from .naming import pascal


def union(ctx: Context, view: View, hint: str) -> ir.TypeRef:
    """A ``oneOf``/``anyOf``: null members make it nullable; one member left is that member."""
    variants: list[ir.TypeRef] = []
    # `anyOf: [{inline object}, {type: 'null'}]` names the object after its field alone
    null_only = [isinstance(b, dict) and "$ref" not in b and View(b, bloc).is_null_only for b, bloc in view.branches]
    several = null_only.count(False) > 1
    # an inline variant whose title no sibling shares is named by its title
    titles = [text(b.get("title")) if isinstance(b, dict) and "$ref" not in b else None for b, _ in view.branches]
    # a member that is JSON Schema's null (not 3.0's `nullable: true` alone, which takes anything)
    null_typed = any(null_only[i] and View(b, bloc).is_null_type for i, (b, bloc) in enumerate(view.branches))
    for i, (b, bloc) in enumerate(view.branches):
        if null_only[i]:
            view.nullable = True
            continue
        title = titles[i]
        if title is not None and titles.count(title) == 1 and pascal(title):
            name_hint = pascal(title)
        else:
            name_hint = hint + (f"Variant{i + 1}" if several else "")
        t = schemas.type_of(ctx, b, bloc, name_hint)
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
    return make_union(ctx, tuple(variants), view.loc, hint, view.node.get("discriminator"),
                      exclusive=view.branch_keyword == "oneOf")


def intersection(ctx: Context, view: View, hint: str) -> ir.TypeRef:
    """An allOf with a union among its members: the union of each variant with the other
    members (``allOf: [{anyOf: [A, B]}, {properties: {id}}]`` is ``A+id | B+id``),
    decoded by the union's own dispatch. A variant that is no object (a string) is
    itself: object keywords do not apply to it."""
    parts = object_models.allof_parts(ctx, view)
    first = next(p for p in parts if p.branches)
    shared: list[tuple[Any, Location]] = []
    for p in parts:
        node = p.node
        if p is first:
            node = {k: v for k, v in node.items() if k not in ("oneOf", "anyOf", "discriminator")}
        shared.append((node, p.loc))
    own = View({k: v for k, v in view.node.items() if k != "allOf"}, view.loc)
    variants: list[ir.TypeRef] = []
    origin: dict[Location, ir.TypeRef] = {}
    for i, (b, bloc) in enumerate(first.branches):
        if isinstance(b, dict) and "$ref" in b:
            b, bloc = ctx.spec.resolve(b["$ref"], bloc)
        bview = View(b, bloc)
        if bview.is_null_only:
            continue  # null is no object: the intersection cannot be null through it
        part = pascal(schemas.schema_name(bloc) or text(bview.title) or f"Variant{i + 1}")
        # documented by its variant first, then by the shared members
        member = View({k: v for k, v in own.node.items() if k not in ("description", "title")}, view.loc)
        member.all_of = [(b, bloc)] + shared
        if bview.branches or object_models.has_union_part(ctx, bview):
            t = intersection(ctx, member, hint + part)
        elif schemas.is_model(ctx, bview) or (bview.enum is None and bview.types in ([], ["object"])):
            name = ctx.class_name(hint + part)
            object_models.build(ctx, member, name)
            t = ir.ModelType(name, name)
        else:
            t = schemas.type_of(ctx, b, bloc, hint + part)
        origin[bloc] = t
        variants.append(t)
    if not variants:
        return ir.AnyType()
    if len(variants) == 1:
        return variants[0]
    return make_union(ctx, tuple(variants), view.loc, hint, first.node.get("discriminator"), origin,
                      exclusive=first.branch_keyword == "oneOf")


def make_union(ctx: Context, variants: tuple[ir.TypeRef, ...], loc: Location, hint: str,
               discriminator: Any = None, origin: dict[Location, ir.TypeRef] | None = None,
               exclusive: bool = False) -> ir.TypeRef:
    """A union of ``variants`` with its dispatch: per JSON kind, the values to check or the
    one decoder, and for objects a discriminator table (given or inferred) or a required
    key that only one variant has. ``exclusive``: a oneOf, whose values match one
    variant only."""
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
    keyed = None
    # Variants of one JSON kind that nothing tells apart (no discriminator, given or
    # inferred, and no key of their own) are not tried in turn: values of that kind are
    # kept as they came (`Branch.raw`), and strict mode checks only the kind. See the
    # README.
    raw_object = False
    models = list(dict.fromkeys(models))
    if models:
        if decoders.get("object"):
            raw_object = True  # an object model beside a map
        elif len(models) > 1:
            disc = _discriminator(ctx, models, loc, discriminator, origin or {})
            if disc is None:
                keyed = _key_dispatch(ctx, models, exclusive)
            raw_object = disc is None and keyed is None
    for kind in ir.KINDS:
        kchecks = tuple(dict.fromkeys(checks.get(kind, [])))
        kdec = decoders.get(kind, [])
        if kind == "object" and models:
            if raw_object or (kchecks and not all(isinstance(c, ir.AnyType) for c in kchecks)):
                branches.append(ir.Branch(kind, raw=True))
            elif keyed is not None:
                branches.append(keyed)
            else:
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


def _discriminator(ctx: Context, models: list[ir.ModelType], loc: Location, given: Any,
                   origin: dict[Location, ir.TypeRef]) -> ir.Discriminator | None:
    """The table from a property's value to a variant: the given discriminator (its
    mapping's targets read through ``origin``, the variants an intersection made of
    them), else one inferred from a property every variant requires, each with a
    distinct single value."""
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
            t = origin.get(tloc) or schemas.component(ctx, target, tloc, "")
            if not isinstance(t, ir.ModelType) or t not in models:
                raise dloc.child("mapping", value).error(f"{ref!r} is not one of the union's object variants")
            mapping.append((str(value), t))
            claimed.add(t.name)
        for m in models:
            if m.name in claimed:
                continue
            values = const_values(ctx.models.get(m.name), prop)
            one = values[0] if values and len(values) == 1 else None
            mapping.append((one if isinstance(one, str) else m.name, m))
        return ir.Discriminator(prop, tuple(mapping))
    # infer: a property every variant requires, each with a distinct single value, all of
    # one JSON kind (strings, integers or booleans)
    first = by_name.get(models[0].name)
    candidates = [f.json_name for f in first.fields if f.required] if first else []
    for prop in candidates:
        tags = [_tag(const_values(ctx.models.get(m.name), prop, required=True)) for m in models]
        kinds = {type(tag) for tag in tags}
        if None in tags or len(kinds) != 1 or len(set(tags)) != len(tags):
            continue
        return ir.Discriminator(prop, tuple((tag, m) for tag, m in zip(tags, models) if tag is not None))
    return None


def _tag(values: list[Any] | None) -> str | int | bool | None:
    """The one value a variant's property takes, when it can be a dispatch table's key:
    a string, an integer (``2.0`` is ``2``) or a boolean."""
    if values is None or len(values) != 1:
        return None
    v = values[0]
    if isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return None


def _key_dispatch(ctx: Context, models: list[ir.ModelType], exclusive: bool) -> ir.Branch | None:
    """Object variants told apart by a required key that no other variant has (cattrs'
    way): each variant but at most one needs such a key; the one without takes objects
    that have none of them. None when that does not hold."""
    found = [ctx.models.get(m.name) for m in models]
    names = [{f.json_name for f in model.fields} if model is not None else None for model in found]
    keys: list[tuple[str, ir.ModelType]] = []
    fallback = None
    for i, (m, model) in enumerate(zip(models, found)):
        if model is None:
            return None  # a variant still being lowered (a recursive union)
        others: set[str] = set()
        for j, n in enumerate(names):
            if j != i and n is not None:
                others |= n
        own = [f.json_name for f in model.fields if f.required and f.json_name not in others]
        if own:
            keys.append((own[0], m))
        elif fallback is None:
            fallback = m
        else:
            return None
    if not keys:
        return None
    return ir.Branch("object", keys=tuple(keys), fallback=fallback, exclusive=exclusive)

# ----- operations ----------------------------------------------------------------


def const_values(model: ir.Model | None, prop: str, required: bool = False) -> list[Any] | None:
    """The values a model's property may take when it is an enum or const (None when it is
    not, or, with ``required``, when the property may be absent)."""
    if model is None:
        return None
    for f in model.fields:
        if f.json_name == prop:
            if required and not f.required:
                return None
            t = ir.unwrap(f.type)
            if isinstance(t, ir.LiteralType):
                return list(t.values)
            return None
    return None
