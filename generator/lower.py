"""Lower a loaded spec to the IR: every decision about the output is made here."""

from __future__ import annotations

import re
from typing import Any

from . import __version__, ir
from .errors import SpecError
from .load import Location, Spec
from .names import attribute_name, class_name, snake

# Names the generated models module imports; a schema by one of these names is renamed.
RESERVED_NAMES = frozenset({"Any", "Literal", "TypeAlias", "Mapping", "dataclass", "field", "annotations"})

_TYPES = {"string", "integer", "number", "boolean", "object", "array", "null"}
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_COMPONENT = re.compile(r"^/components/schemas/([^/]+)$")


class _View:
    """One schema node read in a single dialect (3.0 and 3.1 keyword shapes alike)."""

    def __init__(self, node: Any, loc: Location) -> None:
        if node is True or node == {}:
            node = {}
        elif node is False:
            raise loc.error("the schema `false` accepts nothing and cannot be generated")
        elif not isinstance(node, dict):
            raise loc.error(f"a schema must be a mapping, not {type(node).__name__}")
        self.node = node
        self.loc = loc
        self.nullable = node.get("nullable") is True
        raw_type = node.get("type")
        types: list[str] = []
        if raw_type is not None:
            items = raw_type if isinstance(raw_type, list) else [raw_type]
            for i, t in enumerate(items):
                if not isinstance(t, str):
                    where = loc.child("type", i) if isinstance(raw_type, list) else loc.child("type")
                    raise where.error(f"type must be a string, not {type(t).__name__}")
                if t not in _TYPES:
                    where = loc.child("type", i) if isinstance(raw_type, list) else loc.child("type")
                    raise where.error(f"unknown type {t!r} (expected one of {', '.join(sorted(_TYPES))})")
                if t == "null":
                    self.nullable = True
                elif t not in types:
                    types.append(t)
        self.types = types
        self.enum: list[Any] | None = None
        if "const" in node:
            self.enum = [node["const"]]
        elif "enum" in node:
            values = node["enum"]
            if not isinstance(values, list) or not values:
                raise loc.child("enum").error("enum must be a non-empty list")
            self.enum = list(values)
        if self.enum is not None:
            if None in self.enum:
                self.nullable = True
            self.enum = [v for v in self.enum if v is not None]
            for i, v in enumerate(self.enum):
                if isinstance(v, (dict, list)):
                    raise loc.child("enum", i).error("enum values that are objects or arrays are not supported")
        self.branches: list[tuple[Any, Location]] = []
        self.branch_keyword: str | None = None
        for kw in ("oneOf", "anyOf"):
            if kw in node:
                if not isinstance(node[kw], list) or not node[kw]:
                    raise loc.child(kw).error(f"{kw} must be a non-empty list")
                self.branch_keyword = kw
                self.branches = [(b, loc.child(kw, i)) for i, b in enumerate(node[kw])]
                break
        self.all_of: list[tuple[Any, Location]] = []
        if "allOf" in node:
            if not isinstance(node["allOf"], list) or not node["allOf"]:
                raise loc.child("allOf").error("allOf must be a non-empty list")
            self.all_of = [(b, loc.child("allOf", i)) for i, b in enumerate(node["allOf"])]
        for key, kind in (("properties", dict), ("required", list), ("description", str), ("title", str)):
            if key in node and not isinstance(node[key], kind):
                raise loc.child(key).error(f"{key} must be {'a mapping' if kind is dict else 'a ' + kind.__name__}")
        self.description = node.get("description")
        self.title = node.get("title")

    @property
    def is_null_only(self) -> bool:
        return self.nullable and not self.types and self.enum in (None, []) and not self.branches and not self.all_of \
            and "properties" not in self.node


class Lowerer:
    def __init__(self, spec: Spec, package: str, env_prefix: str = "OPENAI", formatter: str = "black") -> None:
        self.spec = spec
        self.package_name = package
        self.env_prefix = env_prefix
        self.formatter = formatter
        self.models: dict[str, ir.Model] = {}
        self.aliases: dict[str, ir.Alias] = {}
        self.codecs: dict[str, ir.Codec] = {}
        self.named: dict[Location, ir.TypeRef] = {}
        self.in_progress: dict[Location, ir.TypeRef] = {}
        self.class_names: set[str] = set()
        self.union_names: set[str] = set()
        self.order: list[str] = []  # model and alias names in the order they were met

    # ----- schemas -------------------------------------------------------------------

    def type_of(self, node: Any, loc: Location, hint: str) -> ir.TypeRef:
        """The type of a schema node, nullability included."""
        if isinstance(node, dict) and "$ref" in node:
            target, tloc = self.spec.resolve(node["$ref"], loc)
            return self.component(target, tloc, hint)
        view = _View(node, loc)
        return self._from_view(view, hint)

    def component(self, node: Any, loc: Location, hint: str) -> ir.TypeRef:
        if loc in self.named:
            return self.named[loc]
        if loc in self.in_progress:
            return self.in_progress[loc]
        m = _COMPONENT.match(loc.pointer)
        if not m:  # a $ref into the middle of something: inline it
            return self.type_of(node, loc, hint)
        raw_name = m.group(1).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and "$ref" in node:
            # a component that only names another: an alias of it
            name = class_name(raw_name, self.class_names, RESERVED_NAMES)
            self.order.append(name)
            self.in_progress[loc] = ir.AliasType(name, ir.AnyType())
            target_t = self.type_of(node, loc, name)
            self.aliases[name] = ir.Alias(name, target_t, _text(node.get("description")), loc.pointer)
            del self.in_progress[loc]
            self.named[loc] = ir.AliasType(name, target_t)
            return self.named[loc]
        view = _View(node, loc)
        if self._is_model(view):
            name = class_name(raw_name, self.class_names, RESERVED_NAMES)
            ref = ir.ModelType(name, name)
            self.in_progress[loc] = ref
            self._model(view, name)
            result: ir.TypeRef = ref
            if view.nullable:
                result = ir.NullableType(ref)
        else:
            name = class_name(raw_name, self.class_names, RESERVED_NAMES)
            self.in_progress[loc] = ir.AliasType(name, ir.AnyType())  # recursion through an alias
            self.order.append(name)
            target = self._from_view(view, name)
            alias = ir.Alias(name, target, _doc(view), loc.pointer)
            self.aliases[name] = alias
            result = ir.AliasType(name, target)
        del self.in_progress[loc]
        self.named[loc] = result
        return result

    def _is_model(self, view: _View) -> bool:
        if view.branches or view.enum is not None:
            return False
        if view.all_of:
            return True
        if view.types and view.types != ["object"]:
            return False
        return isinstance(view.node.get("properties"), dict) and bool(view.node["properties"])

    def _from_view(self, view: _View, hint: str) -> ir.TypeRef:
        core = self._core(view, hint)
        if view.nullable and not isinstance(core, ir.NullableType):
            return ir.NullableType(core)
        return core

    def _core(self, view: _View, hint: str) -> ir.TypeRef:
        node, loc = view.node, view.loc
        if view.enum is not None:
            if not view.enum:  # `enum: [null]`: only null, which the caller adds
                return ir.AnyType()
            return ir.LiteralType(tuple(view.enum))
        if view.branches:
            return self._union(view, hint)
        if len(view.all_of) == 1 and "properties" not in node:
            # the 3.0 idiom for a $ref with siblings: `allOf: [$ref]` plus nullable/description
            member, mloc = view.all_of[0]
            return self.type_of(member, mloc, hint)
        if view.all_of or self._is_model(view):
            name = class_name(hint, self.class_names, RESERVED_NAMES)
            self._model(view, name)
            return ir.ModelType(name, name)
        kinds = view.types
        if len(kinds) > 1:
            variants = tuple(self._core(_sub(view, t), hint) for t in kinds)
            return self._make_union(variants, loc, hint)
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
            item = self.type_of(items, loc.child("items"), hint + "Item")
            return self._list(item)
        if kind == "object":
            extra = node.get("additionalProperties", True)
            if extra is True or extra is False or extra == {}:
                value: ir.TypeRef = ir.AnyType()
            else:
                value = self.type_of(extra, loc.child("additionalProperties"), hint + "Value")
            return self._map(value)
        return ir.Primitive(kind)

    def _list(self, item: ir.TypeRef) -> ir.ListType:
        base, n = "list_" + _codec_part(item), 2
        t = ir.ListType(item, base)
        while t.codec in self.codecs and self.codecs[t.codec].type != t:
            t = ir.ListType(item, f"{base}{n}")
            n += 1
        self.codecs[t.codec] = ir.Codec(t.codec, t)
        return t

    def _map(self, value: ir.TypeRef) -> ir.MapType:
        base, n = "map_" + _codec_part(value), 2
        t = ir.MapType(value, base)
        while t.codec in self.codecs and self.codecs[t.codec].type != t:
            t = ir.MapType(value, f"{base}{n}")
            n += 1
        self.codecs[t.codec] = ir.Codec(t.codec, t)
        return t

    def _model(self, view: _View, name: str) -> None:
        loc = view.loc
        self.order.append(name)  # before the fields: the module follows the spec's order
        props: dict[str, tuple[Any, Location]] = {}
        required: list[str] = []
        docs = _doc(view)
        extra: Any = view.node.get("additionalProperties")
        parts = view.all_of or []
        for sub, sloc in parts:
            if isinstance(sub, dict) and "$ref" in sub:
                sub, sloc = self.spec.resolve(sub["$ref"], sloc)
            sview = _View(sub, sloc)
            if sview.branches or (sview.types and sview.types != ["object"]):
                raise sloc.error("allOf members must be objects")
            for pname, pnode in (sub.get("properties") or {}).items():
                props[pname] = (pnode, sloc.child("properties", pname))
            for r in sub.get("required") or []:
                if r not in required:
                    required.append(r)
            docs = docs or _doc(sview)
            if extra is None:
                extra = sub.get("additionalProperties")
        for pname, pnode in (view.node.get("properties") or {}).items():
            props[pname] = (pnode, loc.child("properties", pname))
        for i, r in enumerate(view.node.get("required") or []):
            if not isinstance(r, str):
                raise loc.child("required", i).error("required entries must be strings")
            if r not in required:
                required.append(r)
        for r in required:
            if r not in props:
                # required but undeclared: an untyped field, as JSON Schema reads it
                props[r] = ({}, loc.child("required"))
        taken: set[str] = set()
        fields: list[ir.Field] = []
        for pname, (pnode, ploc) in props.items():
            attr = attribute_name(pname, taken)
            ftype = self.type_of(pnode, ploc, name + _pascal_hint(pname))
            nullable = isinstance(ftype, ir.NullableType) or (
                isinstance(ftype, ir.AliasType) and isinstance(ftype.target, ir.NullableType)
            )
            if isinstance(ftype, ir.NullableType):
                ftype = ftype.inner
            if isinstance(ftype, ir.AnyType):
                nullable = True  # an untyped value may be null, as JSON Schema reads it
            pview_node = pnode
            if isinstance(pnode, dict) and "$ref" in pnode:
                target, _ = self.spec.resolve(pnode["$ref"], ploc)
                doc = _text(pnode.get("description")) or _text(target.get("description") if isinstance(target, dict) else None)
                pview_node = target
            else:
                doc = _text(pnode.get("description")) if isinstance(pnode, dict) else None
                if doc is None and isinstance(pnode, dict):
                    doc = _branch_description(pnode)
            has_default = isinstance(pview_node, dict) and "default" in pview_node
            fields.append(
                ir.Field(
                    json_name=pname,
                    attr=attr,
                    type=ftype,
                    required=pname in required,
                    nullable=nullable,
                    doc=doc,
                    default=pview_node.get("default") if has_default else None,
                    has_default=has_default,
                    deprecated=isinstance(pnode, dict) and pnode.get("deprecated") is True,
                )
            )
        extra_values = None
        if isinstance(extra, dict) and extra:
            extra_values = self._map(self.type_of(extra, loc.child("additionalProperties"), name + "Value"))
        self.models[name] = ir.Model(name, name, docs, tuple(fields), loc.pointer, extra_values)

    def _union(self, view: _View, hint: str) -> ir.TypeRef:
        variants: list[ir.TypeRef] = []
        for i, (b, bloc) in enumerate(view.branches):
            if isinstance(b, dict) and "$ref" not in b and _View(b, bloc).is_null_only:
                view.nullable = True
                continue
            t = self.type_of(b, bloc, hint + (f"Variant{i + 1}" if len(view.branches) > 1 else ""))
            if isinstance(t, ir.NullableType):
                view.nullable = True
                t = t.inner
            variants.append(t)
        if not variants:
            return ir.AnyType()
        if len(variants) == 1:
            return variants[0]
        return self._make_union(tuple(variants), view.loc, hint, view.node.get("discriminator"))

    def _make_union(self, variants: tuple[ir.TypeRef, ...], loc: Location, hint: str,
                    discriminator: Any = None) -> ir.TypeRef:
        checks: dict[str, list[ir.TypeRef]] = {}
        decoders: dict[str, list[ir.TypeRef]] = {}
        models: list[ir.ModelType] = []

        def add(t: ir.TypeRef) -> None:
            u = t
            while isinstance(u, ir.AliasType):
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
        if models:
            if decoders.get("object"):
                raise loc.error("a union of an object model and a map cannot be told apart")
            if len(models) > 1:
                disc = self._discriminator(models, loc, discriminator)
        for kind in ir.KINDS:
            kchecks = tuple(dict.fromkeys(checks.get(kind, [])))
            kdec = decoders.get(kind, [])
            if kind == "object" and models:
                if kchecks and not all(isinstance(c, ir.AnyType) for c in kchecks):
                    raise loc.error("a union of an object model and other objects cannot be told apart")
                branches.append(ir.Branch(kind, (), models[0] if disc is None else None, disc))
                continue
            if len(set(kdec)) > 1:
                raise loc.error(
                    f"the union has {len(set(kdec))} {kind} variants and nothing tells them apart "
                    "(add a discriminator)"
                )
            if kdec and kchecks:
                raise loc.error(f"the union's {kind} variants cannot be told apart")
            if kdec:
                branches.append(ir.Branch(kind, (), kdec[0]))
            elif kchecks:
                branches.append(ir.Branch(kind, kchecks))
        t = ir.UnionType(tuple(dict.fromkeys(variants)), tuple(branches), "")
        if not t.inline:
            base, n = "union_" + hint, 2
            name = base
            while name in self.codecs or name in self.union_names:
                name = f"{base}{n}"
                n += 1
            self.union_names.add(name)
            t = ir.UnionType(t.variants, t.branches, name)
            self.codecs[name] = ir.Codec(name, t)
        return t

    def _discriminator(self, models: list[ir.ModelType], loc: Location, given: Any) -> ir.Discriminator:
        by_name = {m.name: self.models[m.name] for m in models if m.name in self.models}
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
                target, tloc = self.spec.resolve(ref, dloc.child("mapping", value))
                t = self.component(target, tloc, "")
                if not isinstance(t, ir.ModelType) or t not in models:
                    raise dloc.child("mapping", value).error(f"{ref!r} is not one of the union's object variants")
                mapping.append((str(value), t))
                claimed.add(t.name)
            for m in models:
                if m.name in claimed:
                    continue
                values = _const_values(self.models.get(m.name), prop)
                mapping.append((values[0] if values and len(values) == 1 else m.name, m))
            return ir.Discriminator(prop, tuple(mapping), inferred=False)
        # infer: a property every variant requires, each with a distinct single value
        first = by_name.get(models[0].name)
        candidates = [f.json_name for f in first.fields if f.required] if first else []
        for prop in candidates:
            mapping = []
            seen: set[str] = set()
            ok = True
            for m in models:
                values = _const_values(self.models.get(m.name), prop, required=True)
                if values is None or len(values) != 1 or values[0] in seen:
                    ok = False
                    break
                seen.add(values[0])
                mapping.append((values[0], m))
            if ok:
                return ir.Discriminator(prop, tuple(mapping), inferred=True)
        names = ", ".join(m.name for m in models)
        raise loc.error(
            f"the object variants {names} cannot be told apart: give a discriminator, or a property "
            "every variant requires with a distinct const value"
        )

    # ----- operations ----------------------------------------------------------------

    def operations(self) -> list[ir.Operation]:
        root = self.spec.root
        paths = self.spec.data.get("paths") or {}
        if not isinstance(paths, dict):
            raise root.child("paths").error("paths must be a mapping")
        ops: list[ir.Operation] = []
        seen_ids: dict[str, str] = {}
        seen_methods: dict[str, str] = {}
        for path, item in paths.items():
            ploc = root.child("paths", path)
            if isinstance(item, dict) and "$ref" in item:
                item, ploc = self.spec.resolve(item["$ref"], ploc)
            if not isinstance(item, dict):
                raise ploc.error("a path item must be a mapping")
            shared_params = item.get("parameters") or []
            for method in _HTTP_METHODS:
                if method not in item:
                    continue
                op = item[method]
                oloc = ploc.child(method)
                if not isinstance(op, dict):
                    raise oloc.error("an operation must be a mapping")
                op_id = op.get("operationId")
                if op_id is None:
                    op_id = snake(method + "_" + path)
                if not isinstance(op_id, str) or not op_id:
                    raise oloc.child("operationId").error("operationId must be a non-empty string")
                if op_id in seen_ids:
                    raise oloc.child("operationId").error(f"duplicate operationId {op_id!r} (also at {seen_ids[op_id]})")
                seen_ids[op_id] = oloc.pointer
                method_name = snake(op_id) or "call"
                if method_name in seen_methods:
                    raise oloc.child("operationId").error(
                        f"operationId {op_id!r} gives the method name {method_name!r}, as does {seen_methods[method_name]!r}"
                    )
                seen_methods[method_name] = op_id
                if "requestBody" in op:
                    raise oloc.child("requestBody").error(
                        f"operation {op_id!r}: request bodies are not supported yet"
                    )
                params = self._parameters(list(shared_params), list(op.get("parameters") or []), ploc, oloc, op_id)
                response = self._response(op, oloc, op_id)
                ops.append(
                    ir.Operation(
                        operation_id=op_id,
                        method_name=method_name,
                        http_method=method.upper(),
                        path=path,
                        summary=_text(op.get("summary")),
                        description=_text(op.get("description")),
                        parameters=tuple(params),
                        response=response,
                        deprecated=op.get("deprecated") is True,
                    )
                )
        return ops

    def _parameters(self, shared: list[Any], own: list[Any], ploc: Location, oloc: Location,
                    op_id: str) -> list[ir.Parameter]:
        found: dict[tuple[str, str], tuple[Any, Location]] = {}
        for items, base in ((shared, ploc), (own, oloc)):
            for i, p in enumerate(items):
                loc = base.child("parameters", i)
                if isinstance(p, dict) and "$ref" in p:
                    p, loc = self.spec.resolve(p["$ref"], loc)
                if not isinstance(p, dict) or not isinstance(p.get("name"), str) or p.get("in") not in (
                    "path", "query", "header", "cookie"
                ):
                    raise loc.error("a parameter needs a string name and an 'in' of path, query, header or cookie")
                found[(p["in"], p["name"])] = (p, loc)
        taken = {"self", "timeout", "extra_headers"}
        params: list[ir.Parameter] = []
        for (where, name), (p, loc) in found.items():
            if where != "path":
                raise loc.error(f"operation {op_id!r}: {where} parameters are not supported yet")
            ptype = self.type_of(p.get("schema", {"type": "string"}), loc.child("schema"), pascal_hint(op_id, name))
            params.append(
                ir.Parameter(
                    name=name,
                    arg=attribute_name(name, taken),
                    location=where,
                    type=ptype,
                    required=True,
                    doc=_text(p.get("description")),
                )
            )
        return params

    def _response(self, op: dict[str, Any], oloc: Location, op_id: str) -> ir.TypeRef | None:
        responses = op.get("responses") or {}
        if not isinstance(responses, dict):
            raise oloc.child("responses").error("responses must be a mapping")
        for code in sorted(responses, key=str):
            if not str(code).startswith("2"):
                continue
            rloc = oloc.child("responses", code)
            resp = responses[code]
            if isinstance(resp, dict) and "$ref" in resp:
                resp, rloc = self.spec.resolve(resp["$ref"], rloc)
            content = (resp or {}).get("content") or {}
            if not content:
                return None
            media = content.get("application/json")
            if media is None:
                kinds = ", ".join(sorted(content))
                raise rloc.child("content").error(f"operation {op_id!r}: responses of type {kinds} are not supported yet")
            schema = (media or {}).get("schema")
            if schema is None:
                return ir.AnyType()
            return self.type_of(schema, rloc.child("content", "application/json", "schema"),
                                pascal_hint(op_id, "Response"))
        return None

    # ----- the package ---------------------------------------------------------------

    def package(self) -> ir.Package:
        # components first, in spec order, so that names do not depend on which
        # operation reaches a schema first
        schemas = ((self.spec.data.get("components") or {}).get("schemas")) or {}
        if not isinstance(schemas, dict):
            raise self.spec.root.child("components", "schemas").error("schemas must be a mapping")
        for name, node in schemas.items():
            self.component(node, self.spec.root.child("components", "schemas", name), name)
        operations = self.operations()
        info = self.spec.data.get("info") or {}
        servers = tuple(
            s["url"] for s in (self.spec.data.get("servers") or []) if isinstance(s, dict) and isinstance(s.get("url"), str)
        )
        licence = info.get("license") if isinstance(info, dict) else None
        models = tuple(self.models[n] for n in self.order if n in self.models)
        aliases = _alias_order([self.aliases[n] for n in self.order if n in self.aliases])
        return ir.Package(
            name=self.package_name,
            title=str(info.get("title", "")),
            version=str(info.get("version", "")),
            description=_text(info.get("description")),
            license=str(licence.get("name")) if isinstance(licence, dict) and licence.get("name") else None,
            spec_file=self.spec.root_file.name,
            sha256=self.spec.sha256,
            models=models,
            aliases=aliases,
            codecs=tuple(self.codecs[k] for k in sorted(self.codecs)),
            operations=tuple(operations),
            servers=servers,
            env_prefix=self.env_prefix,
            generator_version=__version__,
            formatter=self.formatter,
            exports=tuple(self.order),
        )


def lower(spec: Spec, package: str, env_prefix: str = "OPENAI", formatter: str = "black") -> ir.Package:
    try:
        return Lowerer(spec, package, env_prefix, formatter).package()
    except RecursionError:
        raise SpecError(str(spec.root_file.name), None, "schemas nest too deeply") from None


def _alias_refs(t: ir.TypeRef, found: list[str]) -> list[str]:
    if isinstance(t, ir.AliasType):
        found.append(t.name)
    elif isinstance(t, ir.NullableType):
        _alias_refs(t.inner, found)
    elif isinstance(t, ir.ListType):
        _alias_refs(t.item, found)
    elif isinstance(t, ir.MapType):
        _alias_refs(t.value, found)
    elif isinstance(t, ir.UnionType):
        for v in t.variants:
            _alias_refs(v, found)
    return found


def _alias_order(aliases: list[ir.Alias]) -> tuple[ir.Alias, ...]:
    """Aliases are evaluated at import time: each after the aliases it names."""
    by_name = {a.name: a for a in aliases}
    done: dict[str, ir.Alias] = {}
    visiting: set[str] = set()

    def visit(a: ir.Alias) -> None:
        if a.name in done or a.name in visiting:
            return
        visiting.add(a.name)
        for ref in _alias_refs(a.target, []):
            if ref in by_name:
                visit(by_name[ref])
        visiting.discard(a.name)
        done[a.name] = a

    for a in aliases:
        visit(a)
    return tuple(done.values())


def _sub(view: _View, kind: str) -> _View:
    node = dict(view.node)
    node["type"] = kind
    node.pop("nullable", None)
    return _View(node, view.loc)


def _codec_part(t: ir.TypeRef) -> str:
    if isinstance(t, ir.Primitive):
        return {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}[t.json_type]
    if isinstance(t, ir.AnyType):
        return "any"
    if isinstance(t, (ir.ModelType, ir.AliasType)):
        return t.name
    if isinstance(t, ir.NullableType):
        return "opt_" + _codec_part(t.inner)
    if isinstance(t, ir.ListType):
        return t.codec
    if isinstance(t, ir.MapType):
        return t.codec
    if isinstance(t, ir.UnionType):
        return t.codec or "union_" + "_".join(_codec_part(v) for v in t.variants)
    if isinstance(t, ir.LiteralType):
        return "lit"
    raise AssertionError(t)


def _const_values(model: ir.Model | None, prop: str, required: bool = False) -> list[str] | None:
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


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _doc(view: _View) -> str | None:
    return _text(view.description) or _text(view.title)


def _branch_description(node: dict[str, Any]) -> str | None:
    for kw in ("anyOf", "oneOf"):
        for b in node.get(kw) or []:
            if isinstance(b, dict) and "$ref" not in b and _text(b.get("description")):
                return _text(b.get("description"))
    return None


def _pascal_hint(json_name: str) -> str:
    from .names import pascal

    return pascal(json_name) or "Field"


def pascal_hint(*parts: str) -> str:
    from .names import pascal

    return "".join(pascal(p) for p in parts)
