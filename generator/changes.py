"""Compare two specs in the terms of the package they generate.

``python -m generator changes OLD NEW [--format text|json]`` lowers both specs to the
IR (no rendering) and lists what changed for code that uses the package: operations,
models, fields, types, requiredness, nullability, enum values and union variants.

Each change is *breaking* (code written against OLD's package may stop working with
NEW's) or *additive* (everything else). Models and type aliases are matched first by
where they stand in the graph (an operation's response, then the field path that
reaches them; a union variant by its discriminator value or JSON kind), then by name,
then (models) by an identical field set; a match under another name is a rename, not
a removal plus an addition. Renames are not breaking: code that reads
``job.method.reinforcement.grader`` keeps working, only imports of the old name change.

Whether a field change breaks depends on the side the model is on. A response model
is decoded from the server: a field that becomes optional or nullable, or is removed,
breaks readers; a new field, even a required one, does not. A request model (reached
from parameters) is built by the caller: a field that becomes required breaks it.
Models not reached from any operation count as response models.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, assert_never

from . import ir
from .load import load
from .lower import lower

RESPONSE, REQUEST = "response", "request"

# The longest field path followed from an operation, and the most places recorded per
# named type: enough for any real spec, and a bound on combinatorial graphs.
MAX_DEPTH = 64
MAX_PLACES = 64


@dataclass(frozen=True)
class Change:
    kind: str
    path: str
    detail: str
    breaking: bool
    old: Any = None
    new: Any = None

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "detail": self.detail, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Report:
    old_label: str
    new_label: str
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.breaking)

    @property
    def additive(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if not c.breaking)

    @property
    def renames(self) -> dict[str, str]:
        return {c.old: c.new for c in self.changes if c.kind in ("model_renamed", "alias_renamed")}

    def text(self) -> str:
        lines: list[str] = []
        for title, group in (("Breaking changes", self.breaking), ("Additive changes", self.additive)):
            if not group:
                continue
            lines.append(f"{title} ({len(group)}):")
            lines.extend(f"- {c.path}: {c.detail}" for c in group)
            if not group[0].breaking and self.renames:
                lines.append("")
                lines.append("Renames keep code that reads the models working; imports of an old name must change.")
            lines.append("")
        if not self.changes:
            lines.append(f"No changes to the generated package between {self.old_label} and {self.new_label}.")
        else:
            b, a = len(self.breaking), len(self.additive)
            verdict = "breaking" if b else "not breaking"
            lines.append(
                f"{b} breaking and {a} additive change{'s' if a != 1 else ''} "
                f"between {self.old_label} and {self.new_label}: {verdict}."
            )
        return "\n".join(lines) + "\n"

    def json(self) -> str:
        data = {
            "old": self.old_label,
            "new": self.new_label,
            "breaking": [c.as_json() for c in self.breaking],
            "additive": [c.as_json() for c in self.additive],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# ----- the graph ---------------------------------------------------------------------

class Graph:
    """One package's named types, where each stands, and which side it is on."""

    def __init__(self, package: ir.Package) -> None:
        self.package = package
        self.models = {m.name: m for m in package.models}
        self.aliases = {a.name: a for a in package.aliases}
        self.places: dict[str, list[str]] = {}
        self.all_places: set[str] = set()
        self.sides: dict[str, set[str]] = {}
        self._expanded: dict[str, int] = {}
        for op in package.operations:
            if op.response is not None:
                self._walk(op.response, f"{op.operation_id}()", (), RESPONSE, 0)
            for p in op.parameters:
                self._walk(p.type, f"{op.operation_id}({p.name})", (), REQUEST, 0)
        # types no operation reaches stand at their own name, when nothing else names them
        referenced = {n for t in self._all_types() for n in ir.named_types(t)}
        for name in [m.name for m in package.models] + [a.name for a in package.aliases]:
            if name not in self.places and name not in referenced:
                self._walk(_ref(self, name), f"#{name}", (), RESPONSE, 0)

    def _all_types(self) -> Iterator[ir.TypeRef]:
        for m in self.package.models:
            for f in m.fields:
                yield f.type
            if m.extra_values is not None:
                yield m.extra_values
        for a in self.package.aliases:
            yield a.target

    def side(self, name: str) -> set[str]:
        return self.sides.get(name) or {RESPONSE}

    def _note(self, name: str, place: str, side: str) -> bool:
        """Record a place; False when the type should not be expanded again."""
        self.places.setdefault(name, [])
        if place not in self.places[name]:
            self.places[name].append(place)
        first_side = side not in self.sides.setdefault(name, set())
        self.sides[name].add(side)
        n = self._expanded.get(name, 0)
        if n >= MAX_PLACES and not first_side:
            return False
        self._expanded[name] = n + 1
        return True

    def _walk(self, t: ir.TypeRef, place: str, stack: tuple[str, ...], side: str, depth: int) -> None:
        self.all_places.add(place)
        if depth > MAX_DEPTH:
            return
        match t:
            case ir.NullableType():
                self._walk(t.inner, place, stack, side, depth)
            case ir.AliasType():
                if self._note(t.name, place, side) and t.name not in stack:
                    self._walk(self.aliases[t.name].target if t.name in self.aliases else t.target, place,
                               stack + (t.name,), side, depth + 1)
            case ir.ModelType():
                if self._note(t.name, place, side) and t.name not in stack and t.name in self.models:
                    model = self.models[t.name]
                    for f in model.fields:
                        self._walk(f.type, f"{place}.{f.json_name}", stack + (t.name,), side, depth + 1)
                    if model.extra_values is not None:
                        self._walk(model.extra_values, f"{place}{{}}", stack + (t.name,), side, depth + 1)
            case ir.ListType():
                self._walk(t.item, place + "[]", stack, side, depth + 1)
            case ir.MapType():
                self._walk(t.value, place + "{}", stack, side, depth + 1)
            case ir.UnionType():
                for key, v in variant_keys(t):
                    self._walk(v, f"{place}<{key}>", stack, side, depth + 1)
            case ir.Primitive() | ir.AnyType() | ir.LiteralType() | ir.RecursiveType():
                pass  # names nothing
            case _:
                assert_never(t)

    def uses(self, name: str) -> list[str]:
        """Where a named type is written down: ``Model.field`` (or ``Alias``)."""
        found: list[str] = []
        for m in self.package.models:
            for f in m.fields:
                if name in ir.named_types(f.type):
                    found.append(f"{m.name}.{f.json_name}")
        for a in self.package.aliases:
            if a.name != name and name in ir.named_types(a.target):
                found.append(a.name)
        return found


def _ref(graph: Graph, name: str) -> ir.TypeRef:
    if name in graph.models:
        return ir.ModelType(name, graph.models[name].codec)
    return ir.AliasType(name, graph.aliases[name].target)


def variant_keys(t: ir.UnionType) -> list[tuple[str, ir.TypeRef]]:
    """A stable key per union variant: its discriminator value, else its JSON kinds."""
    by_model: dict[str, str] = {}
    for b in t.branches:
        if b.discriminator is not None:
            for value, m in b.discriminator.mapping:
                by_model.setdefault(m.name, f"{b.discriminator.property_name}={value}")
    out: list[tuple[str, ir.TypeRef]] = []
    seen: dict[str, int] = {}
    for v in t.variants:
        u = ir.unwrap(v)
        if isinstance(u, ir.ModelType) and u.name in by_model:
            key = by_model[u.name]
        else:
            key = "|".join(k for k in u.kinds if k != "null") or "null"
        n = seen.get(key, 0) + 1
        seen[key] = n
        out.append((key if n == 1 else f"{key}#{n}", v))
    return out


# ----- matching ----------------------------------------------------------------------


def _shape(graph: Graph, name: str) -> str:
    if name in graph.models:
        return "model"
    return "alias:" + ir.unwrap(graph.aliases[name].target).shape


def _similar(old: Graph, new: Graph, o: str, n: str) -> bool:
    """Two types at the same place are one type renamed only if they look alike."""
    if _shape(old, o) != _shape(new, n):
        return False
    if o in old.models:
        a, b = set(old.models[o].json_names), set(new.models[n].json_names)
        return bool(a & b) or not (a or b)
    return True


def match(old: Graph, new: Graph) -> tuple[dict[str, str], dict[str, str]]:
    """old name -> new name for every type present in both, and how each was matched."""
    at_new: dict[str, list[str]] = {}
    for name, places in new.places.items():
        for p in places:
            at_new.setdefault(p, []).append(name)
    scores: dict[tuple[str, str], int] = {}
    for o, places in old.places.items():
        for p in places:
            for n in at_new.get(p, []):
                if _similar(old, new, o, n):
                    scores[(o, n)] = scores.get((o, n), 0) + 1
    mapping: dict[str, str] = {}
    how: dict[str, str] = {}
    taken: set[str] = set()
    for (o, n), _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0][0] != kv[0][1], kv[0])):
        if o in mapping or n in taken:
            continue
        mapping[o] = n
        taken.add(n)
        how[o] = "place"
    old_names = list(old.models) + list(old.aliases)
    new_names = list(new.models) + list(new.aliases)
    for o in old_names:
        if o not in mapping and o not in taken and o in new_names and _shape(old, o) == _shape(new, o):
            mapping[o] = o
            taken.add(o)
            how[o] = "name"
    # models by an identical, unambiguous field set
    by_fields_old: dict[frozenset[str], list[str]] = {}
    by_fields_new: dict[frozenset[str], list[str]] = {}
    for o, m in old.models.items():
        if o not in mapping and m.fields:
            by_fields_old.setdefault(frozenset(m.json_names), []).append(o)
    for n, m in new.models.items():
        if n not in taken and m.fields:
            by_fields_new.setdefault(frozenset(m.json_names), []).append(n)
    for key, olds in by_fields_old.items():
        news = by_fields_new.get(key, [])
        if len(olds) == 1 and len(news) == 1:
            mapping[olds[0]] = news[0]
            taken.add(news[0])
            how[olds[0]] = "fields"
    return mapping, how


# ----- comparing ---------------------------------------------------------------------


class Differ:
    def __init__(self, old: ir.Package, new: ir.Package) -> None:
        self.old = Graph(old)
        self.new = Graph(new)
        self.mapping, self.how = match(self.old, self.new)
        self.changes: list[Change] = []
        self.expanding: set[tuple[str, str, str]] = set()

    # annotations in the other package's names
    def mapped(self, t: ir.TypeRef) -> str:
        return ir.annotation_of(t, self.mapping)

    def add(self, kind: str, path: str, detail: str, breaking: bool, old: Any = None, new: Any = None) -> None:
        self.changes.append(Change(kind, path, detail, breaking, old, new))

    def run(self) -> list[Change]:
        self.operations()
        self.named()
        return sorted(self.changes, key=lambda c: (c.path, c.kind, c.detail))

    # --- operations ----------------------------------------------------------------

    def operations(self) -> None:
        olds = {op.operation_id: op for op in self.old.package.operations}
        news = {op.operation_id: op for op in self.new.package.operations}
        pairs: list[tuple[ir.Operation, ir.Operation]] = []
        for op_id, op in olds.items():
            if op_id in news:
                pairs.append((op, news[op_id]))
        matched_old = {o.operation_id for o, _ in pairs}
        matched_new = {n.operation_id for _, n in pairs}
        by_route = {(op.http_method, op.path): op for op in news.values() if op.operation_id not in matched_new}
        for op_id, op in olds.items():
            if op_id in matched_old:
                continue
            twin = by_route.get((op.http_method, op.path))
            if twin is not None:
                matched_old.add(op_id)
                matched_new.add(twin.operation_id)
                pairs.append((op, twin))
                breaking = twin.method_name != op.method_name
                self.add("operation_renamed", f"{twin.method_name}()",
                         f"operation renamed from {op.method_name}() (operationId {op.operation_id!r} -> "
                         f"{twin.operation_id!r})", breaking, op.operation_id, twin.operation_id)
        for op_id, op in olds.items():
            if op_id not in matched_old:
                self.add("operation_removed", f"{op.method_name}()",
                         f"operation removed ({op.http_method} {op.path})", True, op.operation_id, None)
        for op_id, op in news.items():
            if op_id not in matched_new:
                self.add("operation_added", f"{op.method_name}()",
                         f"operation added ({op.http_method} {op.path})", False, None, op.operation_id)
        for o, n in pairs:
            self.operation(o, n)

    def operation(self, o: ir.Operation, n: ir.Operation) -> None:
        where = f"{n.method_name}()"
        if (o.http_method, o.path) != (n.http_method, n.path):
            self.add("operation_moved", where, f"now {n.http_method} {n.path} (was {o.http_method} {o.path})",
                     False, f"{o.http_method} {o.path}", f"{n.http_method} {n.path}")
        if n.deprecated and not o.deprecated:
            self.add("deprecated", where, "operation deprecated", False, False, True)
        oparams = {p.name: p for p in o.parameters}
        nparams = {p.name: p for p in n.parameters}
        for name, p in oparams.items():
            ppath = f"{n.method_name}({name})"
            if name not in nparams:
                self.add("parameter_removed", ppath, f"{p.location} parameter removed", True, p.arg, None)
                continue
            q = nparams[name]
            if p.arg != q.arg:
                self.add("parameter_renamed", ppath, f"argument renamed from {p.arg} to {q.arg}", True, p.arg, q.arg)
            if q.required and not p.required:
                self.add("required_changed", ppath, "parameter became required", True, False, True)
            elif p.required and not q.required:
                self.add("required_changed", ppath, "parameter became optional", False, True, False)
            self.compare(p.type, q.type, ppath, {REQUEST})
        for name, q in nparams.items():
            if name not in oparams:
                req = "required" if q.required else "optional"
                self.add("parameter_added", f"{n.method_name}({name})", f"{req} {q.location} parameter added",
                         q.required, None, q.arg)
        rpath = f"{n.method_name}() response"
        if o.response is None and n.response is not None:
            self.add("type_changed", rpath, f"now returns {n.response.annotation} (returned None)", False,
                     "None", n.response.annotation)
        elif o.response is not None and n.response is None:
            self.add("type_changed", rpath, f"now returns None (returned {self.mapped(o.response)})", True,
                     o.response.annotation, "None")
        elif o.response is not None and n.response is not None:
            self.compare(o.response, n.response, rpath, {RESPONSE})

    # --- models and aliases -----------------------------------------------------------

    def named(self) -> None:
        old, new = self.old, self.new
        matched_new = set(self.mapping.values())
        for o, n in self.mapping.items():
            if o != n:
                kind = "model" if o in old.models else "type alias"
                how = {"place": "same place", "fields": "same fields"}.get(self.how[o], self.how[o])
                self.add(f"{'model' if o in old.models else 'alias'}_renamed", n,
                         f"{kind} renamed from {o} ({how})", False, o, n)
        # places where a type is written inline: visited, but held by no type alias
        old_inline = old.all_places - {p for a in old.aliases for p in old.places.get(a, ())}
        new_inline = new.all_places - {p for a in new.aliases for p in new.places.get(a, ())}
        for o in list(old.models) + list(old.aliases):
            if o in self.mapping:
                continue
            is_model = o in old.models
            inline_in_new = any(p in new_inline for p in old.places.get(o, ()))
            if not is_model and inline_in_new:
                self.add("alias_inlined", o,
                         f"type alias removed; its type ({ir.annotation_of(old.aliases[o].target, self.mapping)}) "
                         "is now written inline where it was used", False, o, None)
            else:
                self.add("model_removed" if is_model else "alias_removed", o,
                         f"{'model' if is_model else 'type alias'} removed", True, o, None)
        for n in list(new.models) + list(new.aliases):
            if n in matched_new:
                continue
            is_model = n in new.models
            inline_in_old = any(p in old_inline for p in new.places.get(n, ()))
            uses = new.uses(n)
            where = f" (used by {', '.join(uses)})" if uses else ""
            if not is_model and inline_in_old:
                self.add("alias_named", n, f"type alias added for a type that was written inline{where}",
                         False, None, n)
            else:
                self.add("model_added" if is_model else "alias_added", n,
                         f"{'model' if is_model else 'type alias'} added{where}", False, None, n)
        for o, n in self.mapping.items():
            sides = old.side(o) | new.side(n)
            if o in old.models:
                self.model(old.models[o], new.models[n], sides)
            else:
                self.compare(old.aliases[o].target, new.aliases[n].target, n, sides)

    def model(self, om: ir.Model, nm: ir.Model, sides: set[str]) -> None:
        ofields = {f.json_name: f for f in om.fields}
        nfields = {f.json_name: f for f in nm.fields}
        for name, f in ofields.items():
            path = f"{nm.name}.{name}"
            if name not in nfields:
                self.add("field_removed", path, "field removed", True, f.annotation, None)
                continue
            g = nfields[name]
            if f.attr != g.attr:
                self.add("field_renamed", path, f"attribute renamed from {f.attr} to {g.attr}", True, f.attr, g.attr)
            if f.required != g.required:
                if g.required:
                    self.add("required_changed", path, "became required", REQUEST in sides, False, True)
                else:
                    self.add("required_changed", path, "became optional", RESPONSE in sides, True, False)
            if g.deprecated and not f.deprecated:
                self.add("deprecated", path, "field deprecated", False, False, True)
            self.compare(_with_null(f), _with_null(g), path, sides)
        for name, g in nfields.items():
            if name not in ofields:
                req = "required" if g.required else "optional"
                self.add("field_added", f"{nm.name}.{name}", f"{req} field added ({g.annotation})",
                         g.required and REQUEST in sides, None, g.annotation)
        path = f"{nm.name}{{}}"
        if om.extra_values is not None and nm.extra_values is not None:
            self.compare(om.extra_values.value if isinstance(om.extra_values, ir.MapType) else om.extra_values,
                         nm.extra_values.value if isinstance(nm.extra_values, ir.MapType) else nm.extra_values,
                         path, sides)
        elif om.extra_values is not None:
            self.add("type_changed", path, "additional properties are no longer typed", True,
                     om.extra_values.annotation, None)
        elif nm.extra_values is not None:
            self.add("type_changed", path, f"additional properties are now typed ({nm.extra_values.annotation})",
                     False, None, nm.extra_values.annotation)

    # --- types -----------------------------------------------------------------------

    def compare(self, o: ir.TypeRef, n: ir.TypeRef, path: str, sides: set[str]) -> None:
        if isinstance(o, ir.AliasType) and isinstance(n, ir.AliasType) and self.mapping.get(o.name) == n.name:
            return  # compared once, on its own
        on = "null" in o.kinds and not isinstance(o, ir.AnyType)
        nn = "null" in n.kinds and not isinstance(n, ir.AnyType)
        if on != nn and not isinstance(o, ir.AnyType) and not isinstance(n, ir.AnyType):
            if nn:
                self.add("nullable_changed", path, "became nullable", RESPONSE in sides, False, True)
            else:
                self.add("nullable_changed", path, "no longer nullable", REQUEST in sides, True, False)
        o, n = _strip(o), _strip(n)
        if isinstance(o, ir.AliasType) and isinstance(n, ir.AliasType) and self.mapping.get(o.name) == n.name:
            return
        if isinstance(o, (ir.AliasType, ir.RecursiveType)) or isinstance(n, (ir.AliasType, ir.RecursiveType)):
            # a type alias on one side only (named or inlined): compare what it stands for,
            # once per pair (a recursive alias refers to itself)
            pair = (ir.annotation_of(o, {}), ir.annotation_of(n, {}), path)
            if pair in self.expanding:
                return
            self.expanding.add(pair)
            self.compare(_strip(_target(o)), _strip(_target(n)), path, sides)
            return
        match o:
            case ir.ModelType():
                if not (isinstance(n, ir.ModelType) and self.mapping.get(o.name) == n.name):
                    self.type_changed(o, n, path)
            case ir.LiteralType() if isinstance(n, ir.LiteralType):
                for value in o.values:
                    if not _contains(n.values, value):
                        self.add("enum_value_removed", path, f"enum value {_show(value)} removed", True, value, None)
                for value in n.values:
                    if not _contains(o.values, value):
                        self.add("enum_value_added", path, f"enum value {_show(value)} added", False, None, value)
            case ir.UnionType() if isinstance(n, ir.UnionType):
                okeys = dict(variant_keys(o))
                nkeys = dict(variant_keys(n))
                for key, v in okeys.items():
                    if key not in nkeys:
                        self.add("variant_removed", path, f"variant {self.mapped(v)} ({key}) removed", True,
                                 v.annotation, None)
                    else:
                        self.compare(v, nkeys[key], f"{path}<{key}>", sides)
                for key, v in nkeys.items():
                    if key not in okeys:
                        self.add("variant_added", path, f"variant {v.annotation} ({key}) added", False, None,
                                 v.annotation)
            case ir.ListType() if isinstance(n, ir.ListType):
                self.compare(o.item, n.item, path + "[]", sides)
            case ir.MapType() if isinstance(n, ir.MapType):
                self.compare(o.value, n.value, path + "{}", sides)
            case ir.Primitive() if isinstance(n, ir.Primitive):
                if o.json_type != n.json_type:
                    self.type_changed(o, n, path)
            case ir.AnyType() if isinstance(n, ir.AnyType):
                pass
            case ir.LiteralType() | ir.UnionType() | ir.ListType() | ir.MapType() | ir.Primitive() | ir.AnyType():
                self.type_changed(o, n, path)  # a different kind of type
            case ir.NullableType() | ir.AliasType() | ir.RecursiveType():
                raise AssertionError(f"{o!r} was stripped or expanded above")
            case _:
                assert_never(o)

    def type_changed(self, o: ir.TypeRef, n: ir.TypeRef, path: str) -> None:
        self.add("type_changed", path, f"type changed from {self.mapped(o)} to {n.annotation}", True,
                 o.annotation, n.annotation)


def _with_null(f: ir.Field) -> ir.TypeRef:
    """A field's type with its nullability written in."""
    if f.nullable and "null" not in f.type.kinds:
        return ir.NullableType(f.type)
    return f.type


def _target(t: ir.TypeRef) -> ir.TypeRef:
    """What a type alias stands for; any other type itself."""
    if isinstance(t, ir.AliasType):
        return t.target
    if isinstance(t, ir.RecursiveType) and t.resolved is not None:
        return t.resolved
    return t


def _strip(t: ir.TypeRef) -> ir.TypeRef:
    while isinstance(t, ir.NullableType):
        t = t.inner
    return t


def _contains(values: Iterable[Any], v: Any) -> bool:
    # JSON equality: True is not 1
    return any(type(x) is type(v) and x == v for x in values)


def _show(v: Any) -> str:
    return repr(v)


# ----- entry points ------------------------------------------------------------------


def diff(old: ir.Package, new: ir.Package, old_label: str = "OLD", new_label: str = "NEW") -> Report:
    return Report(old_label, new_label, tuple(Differ(old, new).run()))


def compare_files(old_path: str, new_path: str) -> Report:
    old = lower(load(old_path), "package")
    new = lower(load(new_path), "package")
    return diff(old, new, str(old_path), str(new_path))
