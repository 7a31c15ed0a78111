"""Lower a loaded spec to the IR: every decision about the output is made here."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from typing import Any

from . import __version__, ir
from .errors import SpecError
from .load import Location, Spec, json_type
from .names import CLASS_SCOPE_NAMES, attribute_name, class_name, method_name, snake

# Names the generated models module imports; a schema by one of these names is renamed.
RESERVED_NAMES = frozenset({"Any", "Literal", "TypeAlias", "Mapping", "dataclass", "field", "annotations"}) | frozenset(
    # what the package's __init__ and client modules define or import beside the models
    """Client AsyncClient ClientWithRawResponse AsyncClientWithRawResponse Transport AsyncTransport
    HTTPTransport Request Response RawResponse Headers ClientError DecodeError APIError APIStatusError
    BadRequestError AuthenticationError PermissionDeniedError NotFoundError ConflictError
    UnprocessableEntityError RateLimitError InternalServerError APIConnectionError APITimeoutError
    APIResponseValidationError """
    # capitalised builtins, which generated code may use (``except KeyError``); a fixed list
    """ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup BlockingIOError
    BrokenPipeError BufferError BytesWarning ChildProcessError ConnectionAbortedError ConnectionError
    ConnectionRefusedError ConnectionResetError DeprecationWarning EOFError Ellipsis EncodingWarning
    EnvironmentError Exception ExceptionGroup FileExistsError FileNotFoundError FloatingPointError
    FutureWarning GeneratorExit IOError ImportError ImportWarning IndentationError IndexError
    InterruptedError IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError
    ModuleNotFoundError NameError NotADirectoryError NotImplemented NotImplementedError OSError
    OverflowError PendingDeprecationWarning PermissionError ProcessLookupError RecursionError
    ReferenceError ResourceWarning RuntimeError RuntimeWarning StopAsyncIteration StopIteration
    SyntaxError SyntaxWarning SystemError SystemExit TabError TimeoutError TypeError UnboundLocalError
    UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning
    UserWarning ValueError Warning ZeroDivisionError""".split()
)

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
            raise loc.error(f"a schema must be a mapping or a boolean, not {json_type(node)}")
        self.node = node
        self.loc = loc
        if not isinstance(node.get("nullable", False), bool):
            raise loc.child("nullable").error(f"nullable must be a boolean, not {json_type(node['nullable'])}")
        self.nullable = node.get("nullable") is True
        raw_type = node.get("type")
        types: list[str] = []
        if raw_type is not None:
            items = raw_type if isinstance(raw_type, list) else [raw_type]
            for i, t in enumerate(items):
                if not isinstance(t, str):
                    where = loc.child("type", i) if isinstance(raw_type, list) else loc.child("type")
                    raise where.error(f"type must be a string, not {json_type(t)}")
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
                raise loc.child("enum").error(f"enum must be a non-empty list, not {_shown_type(values)}")
            self.enum = list(values)
        if self.enum is not None:
            if None in self.enum:
                self.nullable = True
            self.enum = [v for v in self.enum if v is not None]
            where = "const" if "const" in node else "enum"
            for i, v in enumerate(self.enum):
                vloc = loc.child("const") if where == "const" else loc.child("enum", i)
                if isinstance(v, float) and not math.isfinite(v):
                    raise vloc.error(f"{where} values must be finite numbers, not {v}")
                if isinstance(v, (dict, list)):
                    # Literal cannot hold it: the base type, with a check by JSON equality
                    try:
                        self.enum[i] = ir.JsonValue(json.dumps(v, ensure_ascii=False, allow_nan=False))
                    except ValueError:
                        raise vloc.error(f"{where} values must be finite numbers") from None
        self.branches: list[tuple[Any, Location]] = []
        self.branch_keyword: str | None = None
        for kw in ("oneOf", "anyOf"):
            if kw in node:
                if not isinstance(node[kw], list) or not node[kw]:
                    raise loc.child(kw).error(f"{kw} must be a non-empty list, not {_shown_type(node[kw])}")
                self.branch_keyword = kw
                self.branches = [(b, loc.child(kw, i)) for i, b in enumerate(node[kw])]
                break
        self.all_of: list[tuple[Any, Location]] = []
        if "allOf" in node:
            if not isinstance(node["allOf"], list) or not node["allOf"]:
                raise loc.child("allOf").error(f"allOf must be a non-empty list, not {_shown_type(node['allOf'])}")
            self.all_of = [(b, loc.child("allOf", i)) for i, b in enumerate(node["allOf"])]
            # members that only annotate (`allOf: [$ref, {nullable: true}]`) add no type:
            # their nullability and description apply to the whole
            kept = [(b, bl) for b, bl in self.all_of if not _annotation_only(b)]
            if kept and len(kept) < len(self.all_of):
                for b, _ in self.all_of:
                    if _annotation_only(b) and isinstance(b, dict):
                        if b.get("nullable") is True or b.get("type") == "null":
                            self.nullable = True
                        if "description" not in node and isinstance(b.get("description"), str):
                            node = self.node = {**node, "description": b["description"]}
                self.all_of = kept
        for key, kind in (("properties", dict), ("required", list), ("description", str), ("title", str)):
            if key in node and not isinstance(node[key], kind):
                raise loc.child(key).error(f"{key} must be {_KIND_NAMES[kind]}, not {json_type(node[key])}")
        for i, r in enumerate(node.get("required") or ()):
            if not isinstance(r, str):
                raise loc.child("required", i).error(f"required entries must be strings, not {json_type(r)}")
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
            pending = ir.RecursiveType(name)
            self.in_progress[loc] = ir.AliasType(name, pending)
            target_t = self.type_of(node, loc, name)
            pending.resolved = _not_only_itself(target_t, name, loc)
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
            pending = ir.RecursiveType(name)
            self.in_progress[loc] = ir.AliasType(name, pending)  # recursion through an alias
            self.order.append(name)
            target = self._from_view(view, name)
            pending.resolved = _not_only_itself(target, name, loc)
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
            if len(view.all_of) == 1 and "properties" not in view.node:
                # `allOf: [$ref]` names a model only when the member is one
                member, mloc = view.all_of[0]
                if isinstance(member, dict) and "$ref" in member:
                    member, mloc = self.spec.resolve(member["$ref"], mloc)
                mview = _View(member, mloc)
                return not mview.branches and mview.enum is None and mview.types in ([], ["object"])
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
        return self._container(ir.ListType, "list_", item)

    def _map(self, value: ir.TypeRef) -> ir.MapType:
        return self._container(ir.MapType, "map_", value)

    def _container(self, kind: Any, prefix: str, inner: ir.TypeRef) -> Any:
        """A list or map type with a codec name of its own: the same structure shares
        one codec; a different structure that would get the same name is numbered."""
        base, n = prefix + _codec_part(inner), 2
        t = kind(inner, base)
        while t.codec in self.codecs and self.codecs[t.codec].type != t:
            t = kind(inner, f"{base}{n}")
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
        # allOf members in order, depth first: a member's own allOf comes before its properties
        parts: list[tuple[Any, Location, bool]] = [(b, bl, False) for b, bl in reversed(view.all_of or [])]
        seen_parts: set[Location] = {loc}
        while parts:
            sub, sloc, expanded = parts.pop()
            if isinstance(sub, dict) and "$ref" in sub:
                sub, sloc = self.spec.resolve(sub["$ref"], sloc)
            if not expanded:
                if sloc in seen_parts:
                    continue  # an allOf that includes itself adds nothing more
                seen_parts.add(sloc)
            sview = _View(sub, sloc)
            if sview.branches or (sview.types and sview.types != ["object"]):
                raise sloc.error("allOf members must be objects")
            if sview.all_of and not expanded:
                parts.append((sub, sloc, True))
                parts.extend((b, bl, False) for b, bl in reversed(sview.all_of))
                continue
            for pname, pnode in (sview.node.get("properties") or {}).items():
                props[pname] = (pnode, sloc.child("properties", pname))
            for r in sview.node.get("required") or []:
                if r not in required:
                    required.append(r)
            docs = docs or _doc(sview)
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
        # `anyOf: [{inline object}, {type: 'null'}]` names the object after its field alone
        null_only = [isinstance(b, dict) and "$ref" not in b and _View(b, bloc).is_null_only for b, bloc in view.branches]
        several = null_only.count(False) > 1
        for i, (b, bloc) in enumerate(view.branches):
            if null_only[i]:
                view.nullable = True
                continue
            t = self.type_of(b, bloc, hint + (f"Variant{i + 1}" if several else ""))
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
                disc = self._discriminator(models, loc, discriminator)
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
            while name in self.codecs or name in self.union_names:
                name = f"{base}{n}"
                n += 1
            self.union_names.add(name)
            t = ir.UnionType(t.variants, t.branches, name)
            self.codecs[name] = ir.Codec(name, t)
        return t

    def _discriminator(self, models: list[ir.ModelType], loc: Location, given: Any) -> ir.Discriminator | None:
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
        return None  # nothing tells the object variants apart

    # ----- operations ----------------------------------------------------------------

    def operations(self) -> list[ir.Operation]:
        root = self.spec.root
        paths = self.spec.data.get("paths") or {}
        if not isinstance(paths, dict):
            raise root.child("paths").error(f"paths must be a mapping, not {json_type(paths)}")
        ops: list[ir.Operation] = []
        seen_ids: dict[str, str] = {}
        seen_methods: dict[str, str] = {}

        def claim(mname: str, op_id: str, where: Location) -> None:
            for name in (mname, "iter_" + mname):
                if name in seen_methods:
                    raise where.error(
                        f"operationId {op_id!r} gives the method name {mname!r}, as does {seen_methods[name]!r}"
                    )
            seen_methods[mname] = op_id

        for path, item in paths.items():
            ploc = root.child("paths", path)
            if isinstance(item, dict) and "$ref" in item:
                item, ploc = self.spec.resolve(item["$ref"], ploc)
            if not isinstance(item, dict):
                raise ploc.error("a path item must be a mapping")
            shared_params = _want(item.get("parameters"), list, ploc.child("parameters"), "parameters", [])
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
                mname = method_name(op_id)
                claim(mname, op_id, oloc.child("operationId"))
                for key in ("summary", "description"):
                    _want(op.get(key), str, oloc.child(key), key, None)
                own_params = _want(op.get("parameters"), list, oloc.child("parameters"), "parameters", [])
                taken = {"self", "timeout", "extra_headers", "extra_body", "body"}
                params = self._parameters(list(shared_params), list(own_params), ploc, oloc, op_id, taken)
                body, upload = self._request_body(op, oloc, op_id, taken)
                media, response, accept, stream_event = self._response(op, oloc, op_id)
                base = ir.Operation(
                    operation_id=op_id,
                    method_name=mname,
                    http_method=method.upper(),
                    path=path,
                    summary=_text(op.get("summary")),
                    description=_text(op.get("description")),
                    parameters=tuple(params),
                    response=response,
                    deprecated=op.get("deprecated") is True,
                    body=body,
                    media=media,
                    accept=accept,
                    pagination=self._pagination(method, params, response),
                )
                ops.append(base)
                if upload is not None:
                    # the body can also be sent as a multipart form, to upload files: `<name>_multipart`
                    uname = mname + "_multipart"
                    claim(uname, op_id, oloc.child("operationId"))
                    ops.append(dataclasses.replace(base, method_name=uname, body=upload, pagination=None))
                if stream_event is not None:
                    # a second method for the text/event-stream answer: `<name>_stream`
                    sname = mname + "_stream"
                    claim(sname, op_id, oloc.child("operationId"))
                    sbody = body
                    if body is not None and body.kind in ("json", "multipart"):
                        consts = _stream_switches(body.fields)
                        if consts:
                            switched = {name for name, _ in consts}
                            kept = tuple(f for f in body.fields if f.name not in switched)
                            sbody = dataclasses.replace(body, fields=kept, consts=consts)
                    ops.append(dataclasses.replace(
                        base, method_name=sname, body=sbody, media="stream", accept="text/event-stream",
                        response=None if isinstance(stream_event, ir.AnyType) else stream_event, pagination=None,
                    ))
        return ops

    def _parameters(self, shared: list[Any], own: list[Any], ploc: Location, oloc: Location,
                    op_id: str, taken: set[str]) -> list[ir.Parameter]:
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
        params: list[ir.Parameter] = []
        # path parameters first: they are the positional arguments, in the path's order
        for (where, name), (p, loc) in sorted(found.items(), key=lambda kv: kv[0][0] != "path"):
            if where == "cookie":
                raise loc.error(f"operation {op_id!r}: cookie parameters are not supported yet")
            if where == "header" and name.lower() in ("accept", "content-type", "authorization"):
                continue  # OpenAPI ignores these as parameters
            ptype = self.type_of(p.get("schema", {"type": "string"}), loc.child("schema"), pascal_hint(op_id, name))
            style = p.get("style")
            explode = p.get("explode", style in (None, "form", "deepObject"))
            params.append(
                ir.Parameter(
                    name=name,
                    # `include[]` (a PHP-style list name) is the argument `include`
                    arg=attribute_name(name.lower().replace("-", "_") if where == "header"
                                       else name.removesuffix("[]") or name, taken),
                    location=where,
                    type=ptype,
                    required=where == "path" or p.get("required") is True,
                    doc=_text(p.get("description")),
                    explode=explode is not False,
                    deep=style == "deepObject",
                )
            )
        return params

    def _request_body(self, op: dict[str, Any], oloc: Location, op_id: str,
                      taken: set[str]) -> tuple[ir.Body | None, ir.Body | None]:
        """The body the method sends (JSON when the operation accepts it, else a
        multipart form, else raw bytes) and, when JSON and a multipart form are both
        accepted, the multipart body too."""
        if op.get("requestBody") is None:
            return None, None
        rloc = oloc.child("requestBody")
        rb = op["requestBody"]
        if isinstance(rb, dict) and "$ref" in rb:
            rb, rloc = self.spec.resolve(rb["$ref"], rloc)
        rb = _want(rb, dict, rloc, "a request body", {})
        content = _want(rb.get("content"), dict, rloc.child("content"), "content", {})
        if not content:
            raise rloc.error(f"operation {op_id!r}: a request body needs a content media type")
        required = rb.get("required") is True
        medias = list(content)
        json_media = next((m for m in medias if _is_json(m)), None)
        form_media = next((m for m in medias if m.split(";")[0].strip() == "multipart/form-data"), None)
        before = set(taken)
        if json_media is not None:
            body = self._body("json", json_media, content, rloc, op_id, taken, required)
            if form_media is None:
                return body, None
            form = content[form_media]
            form_schema = form.get("schema") if isinstance(form, dict) else None
            if form_schema is None or not self._file_properties(form_schema, rloc.child("content", form_media,
                                                                                         "schema")):
                return body, None  # a form without files adds nothing to the JSON body
            form_taken = set(before)
            upload = self._body("multipart", form_media, content, rloc, op_id, form_taken, required)
            taken |= form_taken
            return body, upload
        if form_media is not None:
            return self._body("multipart", form_media, content, rloc, op_id, taken, required), None
        return self._body("raw", medias[0], content, rloc, op_id, taken, required), None

    def _body(self, kind: str, media: str, content: dict[str, Any], rloc: Location, op_id: str,
              taken: set[str], required: bool) -> ir.Body:
        mloc = rloc.child("content", media)
        mt = _want(content[media], dict, mloc, "a media type", {})
        schema = mt.get("schema")
        if kind == "raw":
            return ir.Body("raw", media, (), None, required)
        if schema is None:
            if kind == "multipart":
                raise mloc.error(f"operation {op_id!r}: a multipart body needs an object schema with properties")
            return ir.Body("json", media, (), ir.AnyType(), required)
        t = self.type_of(schema, mloc.child("schema"), pascal_hint(op_id, "Request"))
        model = self.models.get(t.name) if isinstance(t, ir.ModelType) else None
        if model is None or not model.fields:
            if kind == "multipart":
                raise mloc.error(f"operation {op_id!r}: a multipart body needs an object schema with properties")
            return ir.Body("json", media, (), t, required)
        files = self._file_properties(schema, mloc.child("schema")) if kind == "multipart" else {}
        fields = []
        for f in model.fields:
            ftype = ir.NullableType(f.type) if f.nullable and "null" not in f.type.kinds else f.type
            fields.append(ir.BodyField(
                name=f.json_name, arg=attribute_name(f.json_name, taken), type=ftype,
                required=f.required, doc=f.doc_text, files=files.get(f.json_name, ""),
            ))
        return ir.Body(kind, media, tuple(fields), t, required)

    def _file_properties(self, schema: Any, loc: Location) -> dict[str, str]:
        """Multipart properties that are files (``format: binary``): name -> "one",
        "list" or "either" (a union of a file and a list of files)."""
        out: dict[str, str] = {}
        todo = [(schema, loc)]
        seen: set[Location] = set()
        while todo:
            node, nloc = todo.pop()
            if isinstance(node, dict) and "$ref" in node:
                node, nloc = self.spec.resolve(node["$ref"], nloc)
            if not isinstance(node, dict) or nloc in seen:
                continue
            seen.add(nloc)
            todo.extend((b, nloc.child("allOf", i)) for i, b in enumerate(node.get("allOf") or []))
            for name, prop in (node.get("properties") or {}).items():
                ploc = nloc.child("properties", name)
                if isinstance(prop, dict) and "$ref" in prop:
                    prop, ploc = self.spec.resolve(prop["$ref"], ploc)
                variants = [prop]
                if isinstance(prop, dict):  # a file, a list of files, or (in a union) either
                    for key in ("anyOf", "oneOf"):
                        for v in prop.get(key) or []:
                            variants.append(self.spec.resolve(v["$ref"], ploc)[0] if isinstance(v, dict)
                                            and "$ref" in v else v)
                one = any(_is_binary(v) for v in variants)
                many = any(isinstance(v, dict) and _is_binary(v.get("items")) for v in variants)
                if one or many:
                    out[name] = "either" if one and many else "list" if many else "one"
        return out

    def _response(self, op: dict[str, Any], oloc: Location,
                  op_id: str) -> tuple[str, ir.TypeRef | None, str | None, ir.TypeRef | None]:
        """(media, type, Accept, the event type of a text/event-stream alternative)."""
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
            resp = _want(resp, dict, rloc, "a response", {})
            content = _want(resp.get("content"), dict, rloc.child("content"), "content", {})
            if not content:
                return "none", None, None, None

            def schema_type(media: str, hint: str, content: dict[str, Any] = content,
                            rloc: Location = rloc) -> ir.TypeRef:
                mt = _want(content[media], dict, rloc.child("content", media), "a media type", {})
                schema = mt.get("schema")
                if schema is None:
                    return ir.AnyType()
                return self.type_of(schema, rloc.child("content", media, "schema"), pascal_hint(op_id, hint))

            streams = [m for m in content if m.split(";")[0].strip() == "text/event-stream"]
            others = [m for m in content if m not in streams]
            event = schema_type(streams[0], "Event") if streams else None
            json_media = next((m for m in others if _is_json(m)), None)
            if json_media is not None:
                return "json", schema_type(json_media, "Response"), None, event
            if others:
                return "binary", None, ", ".join(others), event
            return "stream", None if isinstance(event, ir.AnyType) else event, "text/event-stream", None
        return "none", None, None, None

    def _pagination(self, method: str, params: list[ir.Parameter],
                    response: ir.TypeRef | None) -> ir.Pagination | None:
        after = next((p for p in params if p.location == "query" and p.name == "after"), None)
        if method != "get" or after is None or not isinstance(response, ir.ModelType):
            return None
        model = self.models.get(response.name)
        fields = {f.json_name: f for f in model.fields} if model else {}
        data, has_more = fields.get("data"), fields.get("has_more")
        if data is None or has_more is None or not isinstance(ir.unwrap(data.type), ir.ListType):
            return None
        if data.attr != "data" or has_more.attr != "has_more":
            return None
        item = ir.unwrap(data.type).item  # type: ignore[union-attr]
        if "last_id" in fields and fields["last_id"].attr == "last_id":
            cursor = "last_id"
        else:
            target = ir.unwrap(item)
            imodel = self.models.get(target.name) if isinstance(target, ir.ModelType) else None
            if imodel is None or not any(f.json_name == "id" and f.attr == "id" for f in imodel.fields):
                return None
            cursor = "id"
        return ir.Pagination(item=item, cursor=cursor, after_arg=after.arg)

    # ----- the package ---------------------------------------------------------------

    def package(self) -> ir.Package:
        # components first, in spec order, so that names do not depend on which
        # operation reaches a schema first
        root = self.spec.root
        components = _want(self.spec.data.get("components"), dict, root.child("components"), "components", {})
        schemas = _want(components.get("schemas"), dict, root.child("components", "schemas"), "schemas", {})
        for name, node in schemas.items():
            self.component(node, self.spec.root.child("components", "schemas", name), name)
        operations = self.operations()
        info = _want(self.spec.data.get("info"), dict, root.child("info"), "info", {})
        _want(info.get("title"), str, root.child("info", "title"), "title", None)
        if not isinstance(info.get("version", ""), (str, int, float)) or isinstance(info.get("version"), bool):
            raise root.child("info", "version").error(f"version must be a string, not {json_type(info['version'])}")
        _want(info.get("description"), str, root.child("info", "description"), "description", None)
        servers_list = _want(self.spec.data.get("servers"), list, root.child("servers"), "servers", [])
        servers = tuple(s["url"] for s in servers_list if isinstance(s, dict) and isinstance(s.get("url"), str))
        licence = info.get("license")
        models = tuple(_unshadow(self.models[n], self.class_names) for n in self.order if n in self.models)
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


def _unshadow(model: ir.Model, type_names: set[str]) -> ir.Model:
    """Rename fields whose attribute would shadow, in the class body, a name the class
    uses: a type its annotations name or the decorator it runs (see CLASS_SCOPE_NAMES)."""
    attrs = {f.attr for f in model.fields}
    if not any(a in CLASS_SCOPE_NAMES or a in type_names for a in attrs):
        return model
    fields = []
    for f in model.fields:
        attr = f.attr
        if attr in CLASS_SCOPE_NAMES or attr in type_names:
            while attr in attrs or attr in CLASS_SCOPE_NAMES or attr in type_names:
                attr += "_"
            attrs.add(attr)
            f = dataclasses.replace(f, attr=attr)
        fields.append(f)
    return dataclasses.replace(model, fields=tuple(fields))


_STRUCTURAL = frozenset(
    "$ref type properties additionalProperties items enum const oneOf anyOf allOf required".split()
)


def _annotation_only(node: Any) -> bool:
    """A schema that constrains no shape: only description, nullable, default and such."""
    if not isinstance(node, dict) or not node:
        return False
    if node.get("type") == "null":
        return all(k not in _STRUCTURAL for k in node if k != "type")
    return all(k not in _STRUCTURAL for k in node)


def _shown_type(value: Any) -> str:
    return "an empty list" if value == [] else json_type(value)


_KIND_NAMES = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}


def _want(value: Any, kind: type, loc: Location, what: str, default: Any) -> Any:
    """``value`` if it has the JSON type ``kind``, ``default`` if it is absent (or null),
    else a clean error naming where it stands."""
    if value is None:
        return default
    if not isinstance(value, kind):
        raise loc.error(f"{what} must be {_KIND_NAMES[kind]}, not {json_type(value)}")
    return value


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


def _not_only_itself(t: ir.TypeRef, name: str, loc: Location) -> ir.TypeRef:
    """An alias must reach a type: ``A: {oneOf: [{$ref: A}]}`` (or a longer loop of
    aliases) names only itself."""
    u = t
    while True:
        if isinstance(u, ir.NullableType):
            u = u.inner
        elif isinstance(u, ir.AliasType):
            if u.name == name:
                raise loc.error(f"the schema refers only to itself ({name}) without reaching a type")
            u = u.target
        elif isinstance(u, ir.RecursiveType):
            if u.name == name:
                raise loc.error(f"the schema refers only to itself ({name}) without reaching a type")
            if u.resolved is None:
                return t
            u = u.resolved
        else:
            return t


def _alias_order(aliases: list[ir.Alias]) -> tuple[ir.Alias, ...]:
    """Aliases are evaluated at import time: each after the aliases it names; one that
    names itself, or an alias of its own cycle, is written as a string (``forward``)."""
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
    defined: set[str] = set()
    out = []
    for a in done.values():
        if any(ref in by_name and ref not in defined for ref in _alias_refs(a.target, [])):
            a = dataclasses.replace(a, forward=True)
        defined.add(a.name)
        out.append(a)
    return tuple(out)


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


def _stream_switches(fields: tuple[ir.BodyField, ...]) -> tuple[tuple[str, object], ...]:
    """The body fields that ask for an event stream, with the value that does: a
    ``stream`` flag (true), and a string enum that offers ``sse`` (``stream_format``)."""
    out: list[tuple[str, object]] = []
    for f in fields:
        t = ir.unwrap(f.type)
        if f.name == "stream" and (isinstance(t, ir.Primitive) and t.json_type == "boolean"
                                   or isinstance(t, ir.LiteralType) and True in t.values):
            out.append((f.name, True))
        elif isinstance(t, ir.LiteralType) and "sse" in t.values:
            out.append((f.name, "sse"))
    return tuple(out)


def _is_json(media: str) -> bool:
    m = media.split(";")[0].strip().lower()
    return m == "application/json" or m.endswith("+json")


def _is_binary(node: Any) -> bool:
    """A string schema of raw bytes: ``format: binary`` (3.0) or a content media type (3.1)."""
    if not isinstance(node, dict):
        return False
    return node.get("format") == "binary" or ("contentMediaType" in node and "contentEncoding" not in node)


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
    for b in node.get("allOf") or []:  # `allOf: [$ref, {description: ...}]`
        if _annotation_only(b) and _text(b.get("description")):
            return _text(b.get("description"))
    return None


def _pascal_hint(json_name: str) -> str:
    from .names import pascal

    return pascal(json_name) or "Field"


def pascal_hint(*parts: str) -> str:
    from .names import pascal

    return "".join(pascal(p) for p in parts)
