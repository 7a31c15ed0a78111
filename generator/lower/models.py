"""Object schemas to models: ``allOf`` members merged in order, one field per
property, requiredness, nullability, documentation and defaults."""

from __future__ import annotations

from typing import Any

from .. import ir
from ..load import Location
from . import schemas
from .context import Context
from .dialect import View, branch_description, doc, text
from .naming import attribute_name, field_hint


def build(ctx: Context, view: View, name: str) -> None:
    """Lower an object schema (or an allOf of them) to the model ``name``."""
    loc = view.loc
    ctx.order.append(name)  # before the fields: the module follows the spec's order
    props: dict[str, tuple[Any, Location]] = {}
    required: list[str] = []
    docs = doc(view)
    extra: Any = view.node.get("additionalProperties")
    for sview in allof_parts(ctx, view):
        if sview.branches or (sview.types and sview.types != ["object"]):
            raise sview.loc.error("allOf members must be objects")
        for pname, pnode in (sview.node.get("properties") or {}).items():
            props[pname] = (pnode, sview.loc.child("properties", pname))
        for r in sview.node.get("required") or []:
            if r not in required:
                required.append(r)
        docs = docs or doc(sview)
        if extra is None:
            extra = sview.node.get("additionalProperties")
    for pname, pnode in (view.node.get("properties") or {}).items():
        props[pname] = (pnode, loc.child("properties", pname))
    for i, r in enumerate(view.node.get("required") or []):
        if not isinstance(r, str):
            raise loc.child("required", i).error("required entries must be strings")
        if r not in required:
            required.append(r)
    for r in required:
        if r not in props:
            # required but undeclared: an untyped field, as JSON Schema reads it (or of the
            # type additionalProperties gives the keys properties do not name)
            props[r] = (extra if isinstance(extra, dict) else {}, loc.child("required"))
    taken: set[str] = set()
    fields: list[ir.Field] = []
    for pname, (pnode, ploc) in props.items():
        attr = attribute_name(pname, taken)
        ftype = schemas.type_of(ctx, pnode, ploc, name + field_hint(pname))
        nullable = isinstance(ftype, ir.NullableType) or (
            isinstance(ftype, ir.AliasType) and isinstance(ftype.target, ir.NullableType)
        )
        if isinstance(ftype, ir.NullableType):
            ftype = ftype.inner
        if isinstance(ftype, ir.AnyType):
            nullable = True  # an untyped value may be null, as JSON Schema reads it
        pview_node = pnode
        if isinstance(pnode, dict) and "$ref" in pnode:
            target, _ = ctx.spec.resolve(pnode["$ref"], ploc)
            fdoc = text(pnode.get("description")) or text(target.get("description") if isinstance(target, dict) else None)
            pview_node = target
        else:
            fdoc = text(pnode.get("description")) if isinstance(pnode, dict) else None
            if fdoc is None and isinstance(pnode, dict):
                fdoc = branch_description(pnode)
        has_default = isinstance(pview_node, dict) and "default" in pview_node
        fields.append(
            ir.Field(
                json_name=pname,
                attr=attr,
                type=ftype,
                required=pname in required,
                nullable=nullable,
                doc=fdoc,
                default=pview_node.get("default") if has_default else None,
                has_default=has_default,
                deprecated=isinstance(pnode, dict) and pnode.get("deprecated") is True,
                source=ploc.pointer,
            )
        )
    extra_values = None
    if isinstance(extra, dict) and extra:
        extra_values = schemas.map_of(ctx, schemas.type_of(ctx, extra, loc.child("additionalProperties"), name + "Value"))
    ctx.models[name] = ir.Model(name, name, docs, tuple(fields), loc.pointer, extra_values, closed=extra is False)


def allof_parts(ctx: Context, view: View) -> list[View]:
    """The members of ``view``'s allOf, resolved and flattened depth first: a member's
    own allOf comes before the member's other keywords, which are read without it. A
    member met again (an allOf that includes itself) adds nothing more."""
    out: list[View] = []
    parts: list[tuple[Any, Location, bool]] = [(b, bl, False) for b, bl in reversed(view.all_of)]
    seen: set[Location] = {view.loc}
    while parts:
        sub, sloc, expanded = parts.pop()
        if isinstance(sub, dict) and "$ref" in sub:
            sub, sloc = ctx.spec.resolve(sub["$ref"], sloc)
        if not expanded:
            if sloc in seen:
                continue
            seen.add(sloc)
        sview = View(sub, sloc)
        if sview.all_of and not expanded:
            parts.append((sub, sloc, True))
            parts.extend((b, bl, False) for b, bl in reversed(sview.all_of))
            continue
        if sview.all_of:  # its members are in already: the rest of it (a description from
            # an annotating member included)
            sview = View({k: v for k, v in sview.node.items() if k != "allOf"}, sloc)
        out.append(sview)
    return out


def has_union_part(ctx: Context, view: View) -> bool:
    """An allOf with a oneOf/anyOf among its members: an intersection with a union."""
    return bool(view.all_of) and any(p.branches for p in allof_parts(ctx, view))
