"""Compare two specs in the terms of the package they generate.

``python -m generator changes OLD NEW`` lowers both specs to the IR (no rendering) and
lists what changes for code that uses the package, each change judged from the side of
that code:

- **request** side: what a caller passes (parameters, request bodies, form fields, and
  every model they reach). Narrowing a request breaks callers (a new required argument,
  an argument or accepted value removed, a type narrowed, null no longer accepted);
  widening it does not.
- **response** side: what decoding returns. Removing (a field, an enum value, a
  variant), making optional or nullable, or changing a type breaks readers; new enum
  values and union variants are a *risk*: no annotation changes, yet the old package's
  strict decoding rejects the first response that carries one.
- a model used on both sides is judged on both; a model no operation reaches is still
  exported (side **package**) and judged as a response model.

Each change gets one tier, the highest its sides give: ``breaking`` (code written
against the old package fails: imports, signatures, attribute types), ``risk``,
``additive``. Renamed exports (models, aliases, methods, arguments, attributes) are
breaking, with both names. What the package does not expose (descriptions,
constraints strict decoding does not check) is not reported.

Models and type aliases are matched first by where they stand (an operation's
parameter, body or response, then the field path that reaches them; a union variant by
its discriminator value or JSON kind), then by name, then (models) by an identical
field set: a match under another name is a rename, not a removal plus an addition.

One upstream edit is one entry: findings are grouped by the JSON pointers they stand at
in both specs, so a property that many models inherit through ``allOf`` is reported
once, with the models listed. Formats, the accept file and the gate are in
``generator.reports``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, assert_never

from . import ir
from .errors import join_pointer
from .load import load
from .lower import lower

REQUEST, RESPONSE, BOTH, PACKAGE = "request", "response", "both", "package"
BREAKING, RISK, ADDITIVE = "breaking", "risk", "additive"
TIERS = (BREAKING, RISK, ADDITIVE)  # highest first
RANK = {ADDITIVE: 0, RISK: 1, BREAKING: 2}

# The longest field path followed from an operation, and the most places recorded per
# named type: enough for any real spec, and a bound on combinatorial graphs.
MAX_DEPTH = 64
MAX_PLACES = 64
# Annotations in messages are cut to this length (a 60-value Literal helps nobody).
SHOWN = 72


@dataclass(frozen=True)
class Change:
    """One entry of the report: one upstream edit, at its highest tier."""

    tier: str
    side: str  # request, response, both or package
    kind: str
    subject: str  # Model.field, Model, method() or method(argument): generated names
    methods: tuple[str, ...]  # base client methods it reaches
    models: tuple[str, ...]  # the models one edit reaches, when it reaches several
    old_pointer: str | None
    new_pointer: str | None
    renamed_from: str | None
    message: str
    accepted: str | None = None  # the reason an accept file gives

    def as_json(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "side": self.side,
            "kind": self.kind,
            "subject": self.subject,
            "methods": list(self.methods),
            "models": list(self.models),
            "old_pointer": self.old_pointer,
            "new_pointer": self.new_pointer,
            "renamed_from": self.renamed_from,
            "message": self.message,
            "accepted": self.accepted,
        }


@dataclass(frozen=True)
class Report:
    old_label: str
    new_label: str
    changes: tuple[Change, ...]

    @property
    def open(self) -> tuple[Change, ...]:
        """The changes no accept file covers."""
        return tuple(c for c in self.changes if c.accepted is None)

    @property
    def accepted(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.accepted is not None)

    def tier(self, tier: str) -> tuple[Change, ...]:
        """The open changes of one tier."""
        return tuple(c for c in self.open if c.tier == tier)

    @property
    def breaking(self) -> tuple[Change, ...]:
        return self.tier(BREAKING)

    @property
    def verdict(self) -> str:
        """The highest tier among the open changes, or ``none``."""
        for tier in TIERS:
            if self.tier(tier):
                return tier
        return "none"

    def fails(self, fail_on: str) -> bool:
        """Whether an open change is at ``fail_on`` or above."""
        return any(RANK[c.tier] >= RANK[fail_on] for c in self.open)

    @property
    def renames(self) -> dict[str, str]:
        """old name -> new name of every renamed model and type alias."""
        return {c.renamed_from: c.subject for c in self.changes
                if c.kind in ("model-renamed", "alias-renamed") and c.renamed_from is not None}


# ----- the graph ---------------------------------------------------------------------

class Graph:
    """One package's named types and the places where each stands (for matching)."""

    def __init__(self, package: ir.Package) -> None:
        self.package = package
        self.models = {m.name: m for m in package.models}
        self.aliases = {a.name: a for a in package.aliases}
        self.places: dict[str, list[str]] = {}
        self.all_places: set[str] = set()
        self._expanded: dict[str, int] = {}
        for op in package.operations:
            if op.response is not None:
                self._walk(op.response, f"{op.operation_id}()", (), 0)
            for p in op.parameters:
                self._walk(p.type, f"{op.operation_id}({p.name})", (), 0)
            if op.body is not None and op.body.type is not None:
                self._walk(op.body.type, f"{op.operation_id}(<{op.body.kind}>)", (), 0)
        # types no operation reaches stand at their own name, when nothing else names them
        referenced = {n for t in self._all_types() for n in ir.named_types(t)}
        for name in [m.name for m in package.models] + [a.name for a in package.aliases]:
            if name not in self.places and name not in referenced:
                self._walk(_ref(self, name), f"#{name}", (), 0)

    def _all_types(self) -> Iterator[ir.TypeRef]:
        for m in self.package.models:
            for f in m.fields:
                yield f.type
            if m.extra_values is not None:
                yield m.extra_values
        for a in self.package.aliases:
            yield a.target

    def _note(self, name: str, place: str) -> bool:
        """Record a place; False when the type should not be expanded again."""
        places = self.places.setdefault(name, [])
        if place not in places:
            places.append(place)
        n = self._expanded.get(name, 0)
        if n >= MAX_PLACES:
            return False
        self._expanded[name] = n + 1
        return True

    def _walk(self, t: ir.TypeRef, place: str, stack: tuple[str, ...], depth: int) -> None:
        self.all_places.add(place)
        if depth > MAX_DEPTH:
            return
        match t:
            case ir.NullableType():
                self._walk(t.inner, place, stack, depth)
            case ir.AliasType():
                if self._note(t.name, place) and t.name not in stack:
                    self._walk(self.aliases[t.name].target if t.name in self.aliases else t.target, place,
                               stack + (t.name,), depth + 1)
            case ir.ModelType():
                if self._note(t.name, place) and t.name not in stack and t.name in self.models:
                    model = self.models[t.name]
                    for f in model.fields:
                        self._walk(f.type, f"{place}.{f.json_name}", stack + (t.name,), depth + 1)
                    if model.extra_values is not None:
                        self._walk(model.extra_values, f"{place}{{}}", stack + (t.name,), depth + 1)
            case ir.ListType():
                self._walk(t.item, place + "[]", stack, depth + 1)
            case ir.MapType():
                self._walk(t.value, place + "{}", stack, depth + 1)
            case ir.UnionType():
                for key, v in variant_keys(t):
                    self._walk(v, f"{place}<{key}>", stack, depth + 1)
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
                    found.append(f"{m.name}.{f.attr}")
        for a in self.package.aliases:
            if a.name != name and name in ir.named_types(a.target):
                found.append(a.name)
        return found


class Reach:
    """Which client methods reach each named type, and from which side."""

    def __init__(self, package: ir.Package) -> None:
        refs: dict[str, set[str]] = {}
        for m in package.models:
            types = [f.type for f in m.fields] + ([m.extra_values] if m.extra_values is not None else [])
            refs[m.name] = {n for t in types for n in ir.named_types(t)}
        for a in package.aliases:
            refs[a.name] = set(ir.named_types(a.target))
        # the base method of each method: `_multipart` and `_stream` variants share an operationId
        first: dict[str, str] = {}
        self.base: dict[str, str] = {}
        for op in package.operations:
            self.base[op.method_name] = first.setdefault(op.operation_id, op.method_name)
        self.sides: dict[str, set[str]] = {}
        self.methods: dict[str, set[str]] = {}
        # models that are only ever a body taken field by field: their fields are arguments
        bodies: set[str] = set()
        written: set[str] = {n for names in refs.values() for n in names}
        for op in package.operations:
            base = self.base[op.method_name]
            request: list[ir.TypeRef] = [p.type for p in op.parameters]
            if op.body is not None and op.body.type is not None:
                request.append(op.body.type)
                if op.body.fields and isinstance(op.body.type, ir.ModelType):
                    bodies.add(op.body.type.name)
                else:
                    written.update(ir.named_types(op.body.type))
            written.update(n for p in op.parameters for n in ir.named_types(p.type))
            for side, roots in ((REQUEST, request), (RESPONSE, [op.response] if op.response is not None else [])):
                todo = [n for t in roots for n in ir.named_types(t)]
                seen: set[str] = set()
                while todo:
                    name = todo.pop()
                    if name in seen:
                        continue
                    seen.add(name)
                    self.sides.setdefault(name, set()).add(side)
                    self.methods.setdefault(name, set()).add(base)
                    todo.extend(refs.get(name, ()))
            if op.response is not None:
                written.update(ir.named_types(op.response))
        self.argument_models = bodies - written


def _ref(graph: Graph, name: str) -> ir.TypeRef:
    if name in graph.models:
        return ir.ModelType(name, graph.models[name].codec)
    return ir.AliasType(name, graph.aliases[name].target)


def variant_keys(t: ir.UnionType) -> list[tuple[str, ir.TypeRef]]:
    """A stable key per union variant: its discriminator value, else its JSON kinds."""
    by_model = _discriminated(t)
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


def _discriminated(t: ir.UnionType) -> dict[str, str]:
    """model name -> ``property=value`` for the union's discriminated variants."""
    by_model: dict[str, str] = {}
    for b in t.branches:
        if b.discriminator is not None:
            for value, m in b.discriminator.mapping:
                by_model.setdefault(m.name, f"{b.discriminator.property_name}={value}")
    return by_model


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
    """old name -> new name for every type present in both, and how each was matched.

    A name both packages export (as a model in both, or a type alias in both) is one
    type, whatever it now stands for or where: a type that still exists was not renamed,
    even where another type took its place (upstream's `ServiceTierResponses` took
    `ServiceTier`'s place in responses while `ServiceTier` stayed for requests). The
    rest are matched by place, then (models) by an identical field set."""
    mapping: dict[str, str] = {}
    how: dict[str, str] = {}
    taken: set[str] = set()
    new_names = set(new.models) | set(new.aliases)
    for o in list(old.models) + list(old.aliases):
        if o in new_names and (o in old.models) == (o in new.models):
            mapping[o] = o
            taken.add(o)
            how[o] = "name"
    at_new: dict[str, list[str]] = {}
    for name, places in new.places.items():
        for p in places:
            at_new.setdefault(p, []).append(name)
    scores: dict[tuple[str, str], int] = {}
    for o, places in old.places.items():
        if o in mapping:
            continue
        for p in places:
            for n in at_new.get(p, []):
                if n not in taken and _similar(old, new, o, n):
                    scores[(o, n)] = scores.get((o, n), 0) + 1
    for (o, n), _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])):
        if o in mapping or n in taken:
            continue
        mapping[o] = n
        taken.add(n)
        how[o] = "place"
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


# ----- findings ----------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """What a finding is about, and how to judge it."""

    subject: str
    label: str  # what the message calls it: `seed`, `result_files items`, `ReasoningEffort`
    old_pointer: str | None
    new_pointer: str | None
    owner: str | None = None  # the model or alias whose sides and methods apply
    model: str | None = None  # the model that declares it, when not the owner (a body taken as arguments)
    removed: bool = False  # the owner exists in OLD only (its name is OLD's)
    side: str | None = None  # a fixed side: what an operation takes or returns
    method: str | None = None  # the base method, with ``side``
    required: bool = True  # a required field or argument (null matters to callers then)
    # JSON kinds that a sibling union variant takes whole (a plain `str` beside an enum):
    # a value added to or removed from an enum of such a kind changes only the annotation
    absorbs: frozenset[str] = frozenset()

    def inner(self, label: str) -> Where:
        return dataclasses.replace(self, label=label)


@dataclass(frozen=True)
class Finding:
    where: Where
    kind: str
    message: str
    request: str  # the tier on the request side
    response: str  # the tier on the response side (and for exported models no operation reaches)
    renamed_from: str | None = None


@dataclass(frozen=True)
class Argument:
    """One argument of a client method, as ``changes`` compares them."""

    arg: str
    type: ir.TypeRef | None  # None: raw bytes
    required: bool
    pointer: str
    files: str = ""  # a multipart file: one, list or either
    model: str | None = None  # the body model whose field it is


def _op_pointer(op: ir.Operation) -> str:
    return join_pointer("", "paths", op.path, op.http_method.lower())


class Differ:
    def __init__(self, old: ir.Package, new: ir.Package) -> None:
        self.old = Graph(old)
        self.new = Graph(new)
        self.mapping, self.how = match(self.old, self.new)
        self.back = {n: o for o, n in self.mapping.items()}
        self.old_reach = Reach(old)
        self.new_reach = Reach(new)
        self.findings: list[Finding] = []
        self.expanding: set[tuple[str, str, str]] = set()
        self.method_renames: dict[str, str] = {}  # old base method -> new

    def mapped(self, t: ir.TypeRef) -> str:
        """An OLD annotation in NEW's names."""
        return _short(ir.annotation_of(t, self.mapping))

    def add(self, where: Where, kind: str, message: str, request: str, response: str,
            renamed_from: str | None = None) -> None:
        self.findings.append(Finding(where, kind, message, request, response, renamed_from))

    def run(self) -> list[Change]:
        self.operations()
        self.named()
        return self.resolve()

    # --- operations ----------------------------------------------------------------

    def operations(self) -> None:
        olds, news = self.old.package.operations, self.new.package.operations
        obase, nbase = self.old_reach.base, self.new_reach.base

        def suffix(op: ir.Operation, base: dict[str, str]) -> str:
            return op.method_name[len(base[op.method_name]):]

        by_id = {(op.operation_id, suffix(op, nbase)): op for op in news}
        pairs: list[tuple[ir.Operation, ir.Operation]] = []
        matched_new: set[str] = set()
        unmatched: list[ir.Operation] = []
        for op in olds:
            twin = by_id.get((op.operation_id, suffix(op, obase)))
            if twin is not None:
                pairs.append((op, twin))
                matched_new.add(twin.method_name)
            else:
                unmatched.append(op)
        by_route = {(op.http_method, op.path, suffix(op, nbase)): op for op in news if op.method_name not in matched_new}
        removed: list[ir.Operation] = []
        for op in unmatched:
            twin = by_route.pop((op.http_method, op.path, suffix(op, obase)), None)
            if twin is None:
                removed.append(op)
                continue
            pairs.append((op, twin))
            matched_new.add(twin.method_name)
            if op.method_name != twin.method_name and not suffix(op, obase):
                self.method_renames[op.method_name] = twin.method_name
                self.add(Where(f"{twin.method_name}()", f"{twin.method_name}()", _op_pointer(op), _op_pointer(twin),
                               side=REQUEST, method=twin.method_name),
                         "operation-renamed",
                         f"method renamed from {op.method_name}() to {twin.method_name}() (operationId "
                         f"{op.operation_id!r} is now {twin.operation_id!r})", BREAKING, BREAKING,
                         renamed_from=f"{op.method_name}()")
        removed_bases = {op.method_name for op in removed if not suffix(op, obase)}
        for op in removed:
            base = obase[op.method_name]
            if suffix(op, obase) and base in removed_bases:
                continue  # said with its base method
            self.add(Where(f"{op.method_name}()", f"{op.method_name}()", _op_pointer(op), None, side=REQUEST,
                           method=base),
                     "operation-removed", f"method {op.method_name}() removed ({op.http_method} {op.path})",
                     BREAKING, BREAKING)
        added = [op for op in news if op.method_name not in matched_new]
        added_bases = {op.method_name for op in added if not suffix(op, nbase)}
        for op in added:
            base = nbase[op.method_name]
            if suffix(op, nbase) and base in added_bases:
                continue
            self.add(Where(f"{op.method_name}()", f"{op.method_name}()", None, _op_pointer(op), side=REQUEST,
                           method=base),
                     "operation-added", f"new method {op.method_name}() ({op.http_method} {op.path})",
                     ADDITIVE, ADDITIVE)
        for o, n in pairs:
            self.operation(o, n, nbase[n.method_name])

    def operation(self, o: ir.Operation, n: ir.Operation, base: str) -> None:
        at = Where(f"{base}()", f"{base}()", _op_pointer(o), _op_pointer(n), side=REQUEST, method=base)
        if (o.http_method, o.path) != (n.http_method, n.path):
            self.add(at, "operation-moved", f"{base}() now sends {n.http_method} {n.path} "
                     f"(was {o.http_method} {o.path})", ADDITIVE, ADDITIVE)
        if n.deprecated and not o.deprecated:
            self.add(at, "operation-deprecated", f"{base}() is deprecated", ADDITIVE, ADDITIVE)
        self.arguments(o, n, base)
        self.response(o, n, base)

    def _arguments(self, op: ir.Operation, package: Graph, skip_fields: bool) -> dict[tuple[str, ...], Argument]:
        out: dict[tuple[str, ...], Argument] = {}
        for p in op.parameters:
            out[("param", p.location, p.name)] = Argument(p.arg, p.type, p.required, p.source or _op_pointer(op))
        body = op.body
        if body is None:
            return out
        where = join_pointer(_op_pointer(op), "requestBody")
        if body.kind == "raw":
            out[("body",)] = Argument("body", None, body.required, where)
        elif body.whole:
            out[("body",)] = Argument("body", body.type or ir.AnyType(), body.required, where)
        elif not skip_fields:
            model = package.models.get(body.type.name) if isinstance(body.type, ir.ModelType) else None
            sources = {f.json_name: f.source for f in model.fields} if model is not None else {}
            name = model.name if model is not None else None
            for f in body.fields:
                out[("field", f.name)] = Argument(f.arg, f.type, f.required, sources.get(f.name) or where, f.files,
                                                  name)
        return out

    def _body_as_model(self, o: ir.Operation, n: ir.Operation) -> bool:
        """Whether both bodies are one model, compared field by field at model level."""
        ot = o.body.type if o.body is not None and o.body.fields else None
        nt = n.body.type if n.body is not None and n.body.fields else None
        if not (isinstance(ot, ir.ModelType) and isinstance(nt, ir.ModelType)):
            return False
        if self.mapping.get(ot.name) != nt.name:
            return False
        arguments_only = ot.name in self.old_reach.argument_models and nt.name in self.new_reach.argument_models
        return not arguments_only

    def arguments(self, o: ir.Operation, n: ir.Operation, base: str) -> None:
        skip = self._body_as_model(o, n)
        oargs = self._arguments(o, self.old, skip)
        nargs = self._arguments(n, self.new, skip)
        for key, a in oargs.items():
            b = nargs.get(key)
            if b is None:
                self.add(Where(f"{base}({a.arg})", a.arg, a.pointer, None, side=REQUEST, method=base, model=a.model,
                               removed=True),
                         "argument-removed", f"argument {a.arg} removed", BREAKING, BREAKING)
                continue
            at = Where(f"{base}({b.arg})", b.arg, a.pointer, b.pointer, side=REQUEST, method=base,
                       required=b.required, model=b.model)
            self.member("argument", at, (a.arg, a.required), (b.arg, b.required), f"{base}({a.arg})")
            if a.files or b.files or a.type is None or b.type is None:
                self.files(a, b, at)
            else:
                self.compare(a.type, b.type, at)
        for key, b in nargs.items():
            if key in oargs:
                continue
            req = "required" if b.required else "optional"
            tier = BREAKING if b.required else ADDITIVE
            self.add(Where(f"{base}({b.arg})", b.arg, None, b.pointer, side=REQUEST, method=base,
                           required=b.required, model=b.model),
                     "argument-added", f"new {req} argument {b.arg}", tier, tier)
        opath = [a.arg for k, a in oargs.items() if k[:2] == ("param", "path")]
        npath = [a.arg for k, a in nargs.items() if k[:2] == ("param", "path")]
        if sorted(opath) == sorted(npath) and opath != npath:
            self.add(Where(f"{base}()", f"{base}()", _op_pointer(o), _op_pointer(n), side=REQUEST, method=base),
                     "arguments-reordered", f"positional arguments reordered: ({', '.join(npath)}), was "
                     f"({', '.join(opath)})", BREAKING, BREAKING)

    def member(self, kind: str, at: Where, old: tuple[str, bool], new: tuple[str, bool], renamed_from: str) -> None:
        """An argument or a field kept under its wire name: a new Python name, and a change of requiredness
        (a field is read as well as sent, so its verdicts differ by side; an argument's do not)."""
        (old_name, was_required), (name, required) = old, new
        if old_name != name:
            word = "attribute" if kind == "field" else kind
            self.add(at, f"{kind}-renamed", f"{word} renamed from {old_name} to {name}", BREAKING, BREAKING,
                     renamed_from=renamed_from)
        if required and not was_required:
            self.add(at, f"{kind}-required", f"{name} is now required", BREAKING,
                     ADDITIVE if kind == "field" else BREAKING)
        elif was_required and not required:
            self.add(at, f"{kind}-optional", f"{name} is now optional", ADDITIVE,
                     BREAKING if kind == "field" else ADDITIVE)

    def files(self, a: Argument, b: Argument, at: Where) -> None:
        """An argument that is (or was) a file or raw bytes."""
        def shown(x: Argument) -> str:
            if x.type is None:
                return "bytes"
            if x.files:
                return {"one": "FileInput", "list": "list[FileInput]", "either": "FileInput | list[FileInput]"}[x.files]
            return _short(x.type.annotation)

        if (a.type is None) != (b.type is None) or bool(a.files) != bool(b.files):
            self.add(at, "type-changed", f"{at.label} changed type from {shown(a)} to {shown(b)}", BREAKING, BREAKING)
        elif a.files != b.files:
            wider = b.files == "either"
            self.add(at, "type-widened" if wider else "type-narrowed",
                     f"{at.label} {'widened' if wider else 'narrowed'} from {shown(a)} to {shown(b)}",
                     ADDITIVE if wider else BREAKING, BREAKING)

    def response(self, o: ir.Operation, n: ir.Operation, base: str) -> None:
        at = Where(f"{base}()", f"what {base}() returns", join_pointer(_op_pointer(o), "responses"),
                   join_pointer(_op_pointer(n), "responses"), side=RESPONSE, method=base)
        if o.response is not None and n.response is not None and o.media == n.media:
            self.compare(o.response, n.response, at)
            return
        old = o.public_returns if o.response is None else ir.annotation_of(o.response, self.mapping)
        if o.response is not None and o.streams:
            old = f"Stream[{old}]"
        if old != n.public_returns:
            self.add(at, "response-changed", f"{base}() now returns {_short(n.public_returns)} "
                     f"(returned {_short(old)})", BREAKING, BREAKING)

    # --- models and aliases -----------------------------------------------------------

    def _source(self, name: str, graph: Graph) -> str | None:
        if name in graph.models:
            return graph.models[name].source or None
        if name in graph.aliases:
            return graph.aliases[name].source or None
        return None

    def named(self) -> None:
        old, new = self.old, self.new
        matched_new = set(self.mapping.values())
        for o, n in self.mapping.items():
            if o != n:
                word = "model" if o in old.models else "type alias"
                how = {"place": "same place", "fields": "same fields", "name": "same name"}[self.how[o]]
                self.add(Where(n, n, self._source(o, old), self._source(n, new), owner=n),
                         f"{'model' if o in old.models else 'alias'}-renamed",
                         f"{word} {o} is now {n} ({how})", BREAKING, BREAKING, renamed_from=o)
        # places where a type is written inline: visited, but held by no type alias
        old_inline = old.all_places - {p for a in old.aliases for p in old.places.get(a, ())}
        new_inline = new.all_places - {p for a in new.aliases for p in new.places.get(a, ())}
        for o in list(old.models) + list(old.aliases):
            if o in self.mapping:
                continue
            is_model = o in old.models
            at = Where(o, o, self._source(o, old), None, owner=o, removed=True)
            if o not in matched_new and (o in new.models or o in new.aliases):
                # one name, now a model where it was a type alias or the other way round
                what = "a model" if o in new.models else f"a type alias of {_short(new.aliases[o].target.annotation)}"
                self.add(dataclasses.replace(at, new_pointer=self._source(o, new)),
                         f"{'model' if is_model else 'alias'}-replaced",
                         f"{'model' if is_model else 'type alias'} {o} is now {what}", BREAKING, BREAKING)
            elif not is_model and any(p in new_inline for p in old.places.get(o, ())):
                target = _short(ir.annotation_of(old.aliases[o].target, self.mapping))
                self.add(at, "alias-inlined", f"type alias {o} removed; its type ({target}) is now written "
                         "where it was used", BREAKING, BREAKING)
            else:
                word = "model" if is_model else "type alias"
                self.add(at, f"{'model' if is_model else 'alias'}-removed", f"{word} {o} removed", BREAKING, BREAKING)
        replaced = {o for o in list(old.models) + list(old.aliases) if o not in self.mapping}
        for n in list(new.models) + list(new.aliases):
            if n in matched_new or n in replaced:
                continue
            is_model = n in new.models
            uses = new.uses(n)
            where = f" (used by {', '.join(uses[:3])}{', ...' if len(uses) > 3 else ''})" if uses else ""
            at = Where(n, n, None, self._source(n, new), owner=n)
            if not is_model and any(p in old_inline for p in new.places.get(n, ())):
                self.add(at, "alias-named", f"new type alias {n} for a type that was written inline{where}",
                         ADDITIVE, ADDITIVE)
            else:
                word = "model" if is_model else "type alias"
                self.add(at, f"{'model' if is_model else 'alias'}-added", f"new {word} {n}{where}",
                         ADDITIVE, ADDITIVE)
        for o, n in self.mapping.items():
            if o in old.models:
                self.model(old.models[o], new.models[n])
            else:
                oa, na = old.aliases[o], new.aliases[n]
                self.compare(oa.target, na.target, Where(n, n, oa.source or None, na.source or None, owner=n))

    def model(self, om: ir.Model, nm: ir.Model) -> None:
        fields_are_arguments = om.name in self.old_reach.argument_models and nm.name in self.new_reach.argument_models
        ofields = {f.json_name: f for f in om.fields}
        nfields = {f.json_name: f for f in nm.fields}
        owner = nm.name
        if not fields_are_arguments:
            for name, f in ofields.items():
                if name not in nfields:
                    self.add(Where(f"{nm.name}.{f.attr}", f.attr, f.source or om.source, None, owner=owner),
                             "field-removed", f"field {f.attr} removed", BREAKING, BREAKING)
                    continue
                g = nfields[name]
                at = Where(f"{nm.name}.{g.attr}", g.attr, f.source or om.source, g.source or nm.source, owner=owner,
                           required=g.required)
                self.member("field", at, (f.attr, f.required), (g.attr, g.required), f"{nm.name}.{f.attr}")
                if g.deprecated and not f.deprecated:
                    self.add(at, "field-deprecated", f"{g.attr} is deprecated", ADDITIVE, ADDITIVE)
                self.compare(_with_null(f), _with_null(g), at)
            for name, g in nfields.items():
                if name in ofields:
                    continue
                req = "required" if g.required else "optional"
                self.add(Where(f"{nm.name}.{g.attr}", g.attr, None, g.source or nm.source, owner=owner,
                               required=g.required),
                         "field-added", f"new {req} field {g.attr} ({_short(g.annotation)})",
                         BREAKING if g.required else ADDITIVE, ADDITIVE)
        at = Where(nm.name, f"{nm.name} additional properties", om.source or None, nm.source or None, owner=owner)
        if om.extra_values is not None and nm.extra_values is not None:
            self.compare(_values(om.extra_values), _values(nm.extra_values), at)
        elif om.extra_values is not None:
            self.add(at, "type-changed", f"{at.label} are no longer typed (were {self.mapped(om.extra_values)})",
                     BREAKING, BREAKING)
        elif nm.extra_values is not None:
            self.add(at, "type-changed", f"{at.label} are now typed ({_short(nm.extra_values.annotation)})",
                     BREAKING, BREAKING)

    # --- types -----------------------------------------------------------------------

    def _same_alias(self, o: ir.TypeRef, n: ir.TypeRef) -> bool:
        return isinstance(o, ir.AliasType) and isinstance(n, ir.AliasType) and self.mapping.get(o.name) == n.name

    def compare(self, o: ir.TypeRef, n: ir.TypeRef, at: Where) -> None:
        if self._same_alias(_strip(o), _strip(n)):
            # one type alias, compared once on its own: only a `| None` written around it counts here
            on, nn = isinstance(o, ir.NullableType), isinstance(n, ir.NullableType)
        else:
            any_type = isinstance(o, ir.AnyType) or isinstance(n, ir.AnyType)
            on, nn = ("null" in o.kinds, "null" in n.kinds) if not any_type else (False, False)
        if on != nn:
            if nn:
                self.add(at, "nullable-added", f"{at.label} is now nullable", ADDITIVE, BREAKING)
            else:
                self.add(at, "nullable-removed", f"{at.label} is no longer nullable",
                         BREAKING if at.required else ADDITIVE, ADDITIVE)
        o, n = _strip(o), _strip(n)
        if self._same_alias(o, n):
            return
        if isinstance(o, (ir.AliasType, ir.RecursiveType)) or isinstance(n, (ir.AliasType, ir.RecursiveType)):
            # a type alias on one side only, or two that do not match: compare what they
            # stand for, once per pair (a recursive alias refers to itself)
            pair = (ir.annotation_of(o, {}), ir.annotation_of(n, {}), at.subject + " " + at.label)
            if pair in self.expanding:
                return
            self.expanding.add(pair)
            self.compare(_strip(_target(o)), _strip(_target(n)), at)
            return
        match o:
            case ir.ModelType():
                if not (isinstance(n, ir.ModelType) and self.mapping.get(o.name) == n.name):
                    self.type_changed(o, n, at)
            case ir.LiteralType() if isinstance(n, ir.LiteralType):
                for value in o.values:
                    if not _contains(n.values, value):
                        # still accepted by a plain type beside it: only the annotation changes
                        absorbed = _kind_of(value) in at.absorbs
                        self.add(at, "enum-value-removed", f"enum value {_show(value)} removed from {at.label}",
                                 ADDITIVE if absorbed else BREAKING, ADDITIVE if absorbed else BREAKING)
                for value in n.values:
                    if not _contains(o.values, value):
                        absorbed = _kind_of(value) in at.absorbs
                        self.add(at, "enum-value-added", f"new enum value {_show(value)} in {at.label}",
                                 ADDITIVE, ADDITIVE if absorbed else RISK)
            case ir.UnionType() if isinstance(n, ir.UnionType):
                self.variants(o, n, at)
            case ir.UnionType() if _one_variant_of(n, o):
                # all variants but one dropped (a single type becoming a union is a widened
                # type, not new variants: its annotation changes, which breaks readers)
                self.variants(o, ir.UnionType((n,), (), ""), at)
            case ir.ListType() if isinstance(n, ir.ListType):
                self.compare(o.item, n.item, at.inner(f"{at.label} items"))
            case ir.MapType() if isinstance(n, ir.MapType):
                self.compare(o.value, n.value, at.inner(f"{at.label} values"))
            case ir.Primitive() if isinstance(n, ir.Primitive):
                if o.json_type != n.json_type:
                    self.type_changed(o, n, at)
            case ir.AnyType() if isinstance(n, ir.AnyType):
                pass
            case ir.LiteralType() | ir.UnionType() | ir.ListType() | ir.MapType() | ir.Primitive() | ir.AnyType():
                self.type_changed(o, n, at)  # a different kind of type
            case ir.NullableType() | ir.AliasType() | ir.RecursiveType():
                raise AssertionError(f"{o!r} was stripped or expanded above")
            case _:
                assert_never(o)

    def variants(self, o: ir.UnionType, n: ir.UnionType, at: Where) -> None:
        """Union variants, matched by name (through the renames), then by discriminator
        value, then by JSON kind."""
        odisc, ndisc = _discriminated(o), _discriminated(n)
        olds = list(o.variants)
        news = list(n.variants)
        pairs: list[tuple[ir.TypeRef, ir.TypeRef]] = []

        def take(key_old: Callable[[ir.TypeRef], str | None], key_new: Callable[[ir.TypeRef], str | None]) -> None:
            for v in list(olds):
                k = key_old(v)
                if k is None:
                    continue
                for w in news:
                    if key_new(w) == k:
                        pairs.append((v, w))
                        olds.remove(v)
                        news.remove(w)
                        break

        def name(v: ir.TypeRef) -> str | None:
            u = _strip(v)
            return u.name if isinstance(u, (ir.ModelType, ir.AliasType)) else None

        take(lambda v: self.mapping.get(name(v) or "", None), name)
        take(lambda v: odisc.get(name(v) or ""), lambda v: ndisc.get(name(v) or ""))
        take(lambda v: None if name(v) else _kinds(v), lambda v: None if name(v) else _kinds(v))
        absorbs = frozenset(_absorbed(o, 0) & _absorbed(n, 0))
        for v in olds:
            self.add(at, "variant-removed", f"variant {self._variant(v, odisc, True)} removed from {at.label}",
                     BREAKING, BREAKING)
        for v in news:
            # a variant whose values the old union took anyway changes only the annotation
            absorbed = set(_kinds(v).split("|")) <= absorbs
            self.add(at, "variant-added", f"new variant {self._variant(v, ndisc, False)} in {at.label}",
                     ADDITIVE, ADDITIVE if absorbed else RISK)
        inner = dataclasses.replace(at, absorbs=absorbs)
        for a, b in pairs:
            self.compare(a, b, inner)

    def _variant(self, v: ir.TypeRef, disc: dict[str, str], old: bool) -> str:
        shown = self.mapped(v) if old else _short(v.annotation)
        u = _strip(v)
        if isinstance(u, ir.ModelType) and u.name in disc:
            return f"{shown} ({disc[u.name]})"
        return shown

    def type_changed(self, o: ir.TypeRef, n: ir.TypeRef, at: Where) -> None:
        was, now = self.mapped(o), _short(n.annotation)
        if self.widens(o, n):
            self.add(at, "type-widened", f"{at.label} widened from {was} to {now}", ADDITIVE, BREAKING)
        elif self.widens(n, o, old_first=False):
            self.add(at, "type-narrowed", f"{at.label} narrowed from {was} to {now}", BREAKING, BREAKING)
        else:
            self.add(at, "type-changed", f"{at.label} changed type from {was} to {now}", BREAKING, BREAKING)

    def widens(self, a: ir.TypeRef, b: ir.TypeRef, old_first: bool = True, depth: int = 0) -> bool:
        """Whether every value of ``a`` is a value of ``b`` (``a`` from OLD unless
        ``old_first`` is False)."""
        if depth > 16:
            return False
        a, b = _target(a), _target(b)
        if isinstance(b, ir.AnyType):
            return True
        if "null" in a.kinds and "null" not in b.kinds:
            return False
        a, b = _target(_strip(a)), _target(_strip(b))
        if isinstance(b, ir.UnionType) and not isinstance(a, ir.UnionType):
            return any(self.widens(a, v, old_first, depth + 1) for v in b.variants)
        match a:
            case ir.UnionType():
                return all(self.widens(v, b, old_first, depth + 1) for v in a.variants)
            case ir.Primitive():
                return isinstance(b, ir.Primitive) and (
                    a.json_type == b.json_type or (a.json_type, b.json_type) == ("integer", "number"))
            case ir.LiteralType():
                if isinstance(b, ir.LiteralType):
                    return all(_contains(b.values, v) for v in a.values)
                return isinstance(b, ir.Primitive) and all(
                    k == b.json_type or (k, b.json_type) == ("integer", "number") for k in a.kinds)
            case ir.ListType():
                return isinstance(b, ir.ListType) and self.widens(a.item, b.item, old_first, depth + 1)
            case ir.MapType():
                return isinstance(b, ir.MapType) and self.widens(a.value, b.value, old_first, depth + 1)
            case ir.ModelType():
                if not isinstance(b, ir.ModelType):
                    return False
                return (self.mapping.get(a.name) == b.name) if old_first else (self.mapping.get(b.name) == a.name)
            case ir.AnyType():
                return False
            case ir.NullableType() | ir.AliasType() | ir.RecursiveType():
                return False  # an unresolved recursion: say nothing
            case _:
                assert_never(a)

    # --- entries -----------------------------------------------------------------------

    def _place(self, w: Where) -> tuple[set[str], set[str]]:
        """(sides, base methods) of a finding."""
        if w.side is not None:
            return {w.side}, {w.method} if w.method else set()
        if w.owner is None:
            return set(), set()
        if w.removed:
            return set(self.old_reach.sides.get(w.owner, ())), set(self.old_reach.methods.get(w.owner, ()))
        sides = set(self.new_reach.sides.get(w.owner, ()))
        methods = set(self.new_reach.methods.get(w.owner, ()))
        old = self.back.get(w.owner)
        if old is not None:
            sides |= self.old_reach.sides.get(old, set())
            methods |= {self.method_renames.get(m, m) for m in self.old_reach.methods.get(old, ())}
        return sides, methods

    def _defines(self, w: Where) -> int:
        """How closely a finding's model declares the pointer (the allOf base that holds
        an inherited field scores highest); 0 when it does not."""
        model = w.model or w.owner
        if model is None:
            return 0
        graph = self.old if w.removed else self.new
        source = self._source(model, graph) or ""
        pointer = (w.old_pointer if w.removed else w.new_pointer) or w.old_pointer or ""
        return len(source) if source and (pointer == source or pointer.startswith(source + "/")) else 0

    def resolve(self) -> list[Change]:
        # one upstream edit, one entry: findings at the same pointers in both specs are one
        groups: dict[tuple[Any, ...], list[Finding]] = {}
        for i, f in enumerate(self.findings):
            w = f.where
            if w.old_pointer or w.new_pointer:
                key: tuple[Any, ...] = (f.kind, w.old_pointer, w.new_pointer, f.message, f.renamed_from)
            else:
                key = (i,)
            groups.setdefault(key, []).append(f)
        # and what several methods say alike (a `_multipart` variant's body field) is one too
        merged: dict[tuple[str, str, str], Change] = {}
        for group in groups.values():
            change = self._entry(group)
            key2 = (change.subject, change.kind, change.message)
            had = merged.get(key2)
            if had is not None:
                change = dataclasses.replace(
                    had, tier=max(had.tier, change.tier, key=RANK.__getitem__),
                    side=_side_label(_sides_of(had.side) | _sides_of(change.side)),
                    methods=tuple(sorted(set(had.methods) | set(change.methods))),
                    models=tuple(sorted(set(had.models) | set(change.models))))
            merged[key2] = change
        return sorted(merged.values(), key=lambda c: (-RANK[c.tier], c.subject, c.kind, c.message))

    def _entry(self, group: list[Finding]) -> Change:
        sides: set[str] = set()
        methods: set[str] = set()
        tier = ADDITIVE
        exported_only = False  # a member no operation reaches: judged, and shown, as a response
        for f in group:
            s, m = self._place(f.where)
            sides |= s
            exported_only |= not s
            methods |= m
            tiers = ([f.request] if REQUEST in s else []) + ([f.response] if RESPONSE in s or not s else [])
            tier = max([tier, *tiers], key=RANK.__getitem__)
        if sides and exported_only:
            sides.add(RESPONSE)
        # the subject: the allOf base that declares the property, else the first by name
        first = min(group, key=lambda f: (-self._defines(f.where), f.where.subject))
        models = sorted({m for f in group for m in [f.where.model or f.where.owner] if m is not None})
        w = first.where
        return Change(tier, _side_label(sides), first.kind, w.subject, tuple(sorted(methods)),
                      tuple(models) if len(models) > 1 else (), w.old_pointer, w.new_pointer,
                      first.renamed_from, first.message)


def _side_label(sides: set[str]) -> str:
    if {REQUEST, RESPONSE} <= sides:
        return BOTH
    return REQUEST if REQUEST in sides else RESPONSE if RESPONSE in sides else PACKAGE


def _sides_of(label: str) -> set[str]:
    return {BOTH: {REQUEST, RESPONSE}, REQUEST: {REQUEST}, RESPONSE: {RESPONSE}}.get(label, set())


def _with_null(f: ir.Field) -> ir.TypeRef:
    """A field's type with its nullability written in."""
    if f.nullable and "null" not in f.type.kinds:
        return ir.NullableType(f.type)
    return f.type


def _values(t: ir.TypeRef) -> ir.TypeRef:
    return t.value if isinstance(t, ir.MapType) else t


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


def _kinds(t: ir.TypeRef) -> str:
    return "|".join(k for k in ir.unwrap(t).kinds if k != "null") or "null"


def _one_variant_of(t: ir.TypeRef, union: ir.TypeRef) -> bool:
    """Whether ``t`` is like one of the union's variants (same kind of type, same name)."""
    if not isinstance(union, ir.UnionType) or isinstance(t, ir.UnionType):
        return False
    name = t.name if isinstance(t, (ir.ModelType, ir.AliasType)) else None
    for v in union.variants:
        u = _strip(v)
        if name is not None and isinstance(u, (ir.ModelType, ir.AliasType)):
            return True  # matched (or not) by name in `variants`
        if name is None and not isinstance(u, (ir.ModelType, ir.AliasType)) and _kinds(u) == _kinds(t):
            return True
    return False


def _absorbed(t: ir.TypeRef, depth: int) -> set[str]:
    """The JSON kinds of which a union takes every value (through a plain type, or
    anything), whatever its enums say."""
    t = _strip(_target(t))
    if depth > 16:
        return set()
    match t:
        case ir.Primitive():
            return {"integer", "number"} if t.json_type == "number" else {t.json_type}
        case ir.AnyType():
            return set(ir.KINDS)
        case ir.UnionType():
            return {k for v in t.variants for k in _absorbed(v, depth + 1)}
        case ir.AliasType() | ir.RecursiveType():
            return _absorbed(_target(t), depth + 1) if _target(t) is not t else set()
        case ir.LiteralType() | ir.ListType() | ir.MapType() | ir.ModelType() | ir.NullableType():
            return set()
        case _:
            assert_never(t)


def _kind_of(value: Any) -> str:
    return ir.LiteralType((value,)).kinds[0]


def _contains(values: Iterable[Any], v: Any) -> bool:
    # JSON equality: True is not 1
    return any(type(x) is type(v) and x == v for x in values)


def _show(v: Any) -> str:
    return repr(v)


def _short(text: str) -> str:
    return text if len(text) <= SHOWN else text[:SHOWN - 3] + "..."


# ----- entry points ------------------------------------------------------------------


def diff(old: ir.Package, new: ir.Package, old_label: str = "OLD", new_label: str = "NEW") -> Report:
    return Report(old_label, new_label, tuple(Differ(old, new).run()))


def compare_files(old_path: str, new_path: str) -> Report:
    old = lower(load(old_path), "package")
    new = lower(load(new_path), "package")
    return diff(old, new, str(old_path), str(new_path))
