"""Paths to operations: parameters, request bodies (JSON, multipart, raw), responses,
event streams, pagination, and the extra ``_multipart`` and ``_stream`` methods."""

from __future__ import annotations

import dataclasses
from typing import Any, Iterator

from .. import ir
from ..load import Location, json_type
from . import kit, schemas, security
from .context import Context
from .dialect import is_binary, text, want
from .naming import attribute_name, method_name, pascal_hint, snake

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Arguments every client method has (self, a whole body, the per-call options): a spec
# parameter by one of these names takes `_`.
CALL_ARGUMENTS = frozenset({"self", "body", *ir.CALL_OPTIONS})


def operations(ctx: Context) -> list[ir.Operation]:
    root = ctx.spec.root
    paths = ctx.spec.data.get("paths") or {}
    if not isinstance(paths, dict):
        raise root.child("paths").error(f"paths must be a mapping, not {json_type(paths)}")
    ops: list[ir.Operation] = []
    schemes = ctx.security_schemes = security.read_schemes(ctx)
    default_security = security.default_requirement(ctx, schemes)
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
        item, ploc = _path_item(ctx, item, root.child("paths", path))
        shared_params = want(item.get("parameters"), list, ploc.child("parameters"), "parameters", [])
        for method, op, oloc in _operations_in(ctx, item, ploc):
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
            ctx.security_needs[op_id] = (
                security.requirement(ctx, op["security"], oloc.child("security"), schemes)
                if op.get("security") is not None else default_security
            )
            mname = method_name(op_id)
            claim(mname, op_id, oloc.child("operationId"))
            for key in ("summary", "description"):
                want(op.get(key), str, oloc.child(key), key, None)
            own_params = want(op.get("parameters"), list, oloc.child("parameters"), "parameters", [])
            taken = set(CALL_ARGUMENTS)
            params = _parameters(ctx, list(shared_params), list(own_params), ploc, oloc, op_id, taken)
            body, upload = _request_body(ctx, op, oloc, op_id, taken)
            media, response, accept, stream_event = _response(ctx, op, oloc, op_id)
            base = ir.Operation(
                operation_id=op_id,
                method_name=mname,
                http_method=method.upper(),
                path=path,
                summary=text(op.get("summary")),
                description=text(op.get("description")),
                parameters=tuple(params),
                response=response,
                deprecated=op.get("deprecated") is True,
                body=body,
                media=media,
                accept=accept,
                pagination=_pagination(ctx, method, params, response),
                example=kit.example(ctx.spec, op, oloc, ctx.example_extensions),
                status=kit.success_status(op),
                errors=_error_responses(ctx, op, oloc, op_id),
            )
            ops.append(base)
            if upload is not None:
                # the body can also be sent as a multipart form, to upload files: `<name>_multipart`
                uname = mname + "_multipart"
                claim(uname, op_id, oloc.child("operationId"))
                ops.append(dataclasses.replace(base, method_name=uname, body=upload, pagination=None,
                                               variant_of=mname))
            if stream_event is not None:
                # a second method for the text/event-stream answer: `<name>_stream`
                sname = mname + "_stream"
                claim(sname, op_id, oloc.child("operationId"))
                sbody = body
                if body is not None and body.kind in ("json", "multipart"):
                    consts = stream_switches(body.fields)
                    if consts:
                        switched = {name for name, _ in consts}
                        kept = tuple(f for f in body.fields if f.name not in switched)
                        sbody = dataclasses.replace(body, fields=kept, consts=consts)
                ops.append(dataclasses.replace(
                    base, method_name=sname, body=sbody, media="stream", accept="text/event-stream",
                    response=None if isinstance(stream_event, ir.AnyType) else stream_event, pagination=None,
                    variant_of=mname,
                ))
    return ops

def _parameters(ctx: Context, shared: list[Any], own: list[Any], ploc: Location, oloc: Location,
                op_id: str, taken: set[str]) -> list[ir.Parameter]:
    found: dict[tuple[str, str], tuple[Any, Location]] = {}
    for items, base in ((shared, ploc), (own, oloc)):
        for i, p in enumerate(items):
            loc = base.child("parameters", i)
            if isinstance(p, dict) and "$ref" in p:
                p, loc = ctx.spec.resolve(p["$ref"], loc)
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
        ptype = schemas.type_of(ctx, p.get("schema", {"type": "string"}), loc.child("schema"), pascal_hint(op_id, name))
        style = p.get("style")
        explode = p.get("explode", style in (None, "form", "deepObject"))
        params.append(
            ir.Parameter(
                name=name,
                # `include[]` (a PHP-style list name) is the argument `include`
                arg=attribute_name(name.lower().replace("-", "_") if where == "header"
                                   else name.removesuffix("[]") or name, taken, CALL_ARGUMENTS),
                location=where,
                type=ptype,
                required=where == "path" or p.get("required") is True,
                doc=text(p.get("description")),
                explode=explode is not False,
                deep=style == "deepObject",
                source=loc.pointer,
            )
        )
    return params

def _request_body(ctx: Context, op: dict[str, Any], oloc: Location, op_id: str,
                  taken: set[str]) -> tuple[ir.Body | None, ir.Body | None]:
    """The body the method sends (JSON when the operation accepts it, else a
    multipart form, else raw bytes) and, when JSON and a multipart form are both
    accepted, the multipart body too."""
    if op.get("requestBody") is None:
        return None, None
    rloc = oloc.child("requestBody")
    rb = op["requestBody"]
    if isinstance(rb, dict) and "$ref" in rb:
        rb, rloc = ctx.spec.resolve(rb["$ref"], rloc)
    rb = want(rb, dict, rloc, "a request body", {})
    content = want(rb.get("content"), dict, rloc.child("content"), "content", {})
    if not content:
        raise rloc.error(f"operation {op_id!r}: a request body needs a content media type")
    required = rb.get("required") is True
    medias = list(content)
    json_media = next((m for m in medias if is_json(m)), None)
    form_media = next((m for m in medias if m.split(";")[0].strip() == "multipart/form-data"), None)
    urlencoded = next((m for m in medias if m.split(";")[0].strip().lower() == "application/x-www-form-urlencoded"),
                      None)
    before = set(taken)
    if json_media is not None:
        body = _body(ctx, "json", json_media, content, rloc, op_id, taken, required)
        if form_media is None:
            return body, None
        form = content[form_media]
        form_schema = form.get("schema") if isinstance(form, dict) else None
        if form_schema is None or not _file_properties(ctx, form_schema, rloc.child("content", form_media,
                                                                                     "schema")):
            return body, None  # a form without files adds nothing to the JSON body
        form_taken = set(before)
        upload = _body(ctx, "multipart", form_media, content, rloc, op_id, form_taken, required)
        taken |= form_taken
        return body, upload
    if form_media is not None:
        return _body(ctx, "multipart", form_media, content, rloc, op_id, taken, required), None
    if urlencoded is not None:
        return _body(ctx, "form", urlencoded, content, rloc, op_id, taken, required), None
    return _body(ctx, "raw", medias[0], content, rloc, op_id, taken, required), None

def _body(ctx: Context, kind: str, media: str, content: dict[str, Any], rloc: Location, op_id: str,
          taken: set[str], required: bool) -> ir.Body:
    mloc = rloc.child("content", media)
    mt = want(content[media], dict, mloc, "a media type", {})
    schema = mt.get("schema")
    if kind == "raw" or kind == "form" and schema is None:
        return ir.Body("raw", media, (), None, required)
    if schema is None:
        if kind == "multipart":
            raise mloc.error(f"operation {op_id!r}: a multipart body needs an object schema with properties")
        return ir.Body("json", media, (), ir.AnyType(), required)
    t = schemas.type_of(ctx, schema, mloc.child("schema"), pascal_hint(op_id, "Request"))
    model = ctx.models.get(t.name) if isinstance(t, ir.ModelType) else None
    if model is None or not model.fields:
        if kind == "multipart":
            raise mloc.error(f"operation {op_id!r}: a multipart body needs an object schema with properties")
        if kind == "form":  # a form of no known fields: the caller encodes it
            return ir.Body("raw", media, (), None, required)
        return ir.Body("json", media, (), t, required)
    files = _file_properties(ctx, schema, mloc.child("schema")) if kind == "multipart" else {}
    encoding = want(mt.get("encoding"), dict, mloc.child("encoding"), "encoding", {}) if kind == "form" else {}
    fields = []
    for f in model.fields:
        ftype = ir.NullableType(f.type) if f.nullable and "null" not in f.type.kinds else f.type
        style, explode = _form_encoding(encoding.get(f.json_name), mloc.child("encoding", f.json_name))
        fields.append(ir.BodyField(
            name=f.json_name, arg=attribute_name(f.json_name, taken, CALL_ARGUMENTS), type=ftype,
            # the field's docstring without its wire name, which the argument's line adds
            required=f.required, doc=dataclasses.replace(f, attr=f.json_name).doc_text,
            files=files.get(f.json_name, ""), style=style, explode=explode,
        ))
    return ir.Body(kind, media, tuple(fields), t, required)

_FORM_STYLES = ("form", "spaceDelimited", "pipeDelimited", "deepObject")


def _form_encoding(node: Any, loc: Location) -> tuple[str, bool]:
    """A URL-encoded form field's (style, explode) from its ``encoding`` entry: style
    form and explode true by default (explode defaults to true for form only), and the
    style ``json`` for a ``contentType`` that is JSON."""
    node = want(node, dict, loc, "an encoding", {})
    ctype = want(node.get("contentType"), str, loc.child("contentType"), "contentType", None)
    if ctype is not None and is_json(ctype):
        return "json", True
    style = want(node.get("style"), str, loc.child("style"), "style", "form")
    if style not in _FORM_STYLES:
        raise loc.child("style").error(
            f"style {style!r} is not one of {', '.join(_FORM_STYLES)} (for a form field)"
        )
    explode = want(node.get("explode"), bool, loc.child("explode"), "explode", style == "form")
    return style, explode

def _file_properties(ctx: Context, schema: Any, loc: Location) -> dict[str, str]:
    """Multipart properties that are files (``format: binary``): name -> "one",
    "list" or "either" (a union of a file and a list of files)."""
    out: dict[str, str] = {}
    todo = [(schema, loc)]
    seen: set[Location] = set()
    while todo:
        node, nloc = todo.pop()
        if isinstance(node, dict) and "$ref" in node:
            node, nloc = ctx.spec.resolve(node["$ref"], nloc)
        if not isinstance(node, dict) or nloc in seen:
            continue
        seen.add(nloc)
        todo.extend((b, nloc.child("allOf", i)) for i, b in enumerate(node.get("allOf") or []))
        for name, prop in (node.get("properties") or {}).items():
            ploc = nloc.child("properties", name)
            if isinstance(prop, dict) and "$ref" in prop:
                prop, ploc = ctx.spec.resolve(prop["$ref"], ploc)
            variants = [prop]
            if isinstance(prop, dict):  # a file, a list of files, or (in a union) either
                for key in ("anyOf", "oneOf"):
                    for v in prop.get(key) or []:
                        variants.append(ctx.spec.resolve(v["$ref"], ploc)[0] if isinstance(v, dict)
                                        and "$ref" in v else v)
            one = any(is_binary(v) for v in variants)
            many = any(isinstance(v, dict) and is_binary(v.get("items")) for v in variants)
            if one or many:
                out[name] = "either" if one and many else "list" if many else "one"
    return out


def _content(ctx: Context, responses: dict[Any, Any], code: Any, oloc: Location) -> tuple[dict[str, Any], Location]:
    """The ``content`` of the response for ``code`` (media type to media type object), its ``$ref`` followed,
    and where the response is."""
    rloc = oloc.child("responses", code)
    resp = responses[code]
    if isinstance(resp, dict) and "$ref" in resp:
        resp, rloc = ctx.spec.resolve(resp["$ref"], rloc)
    resp = want(resp, dict, rloc, "a response", {})
    return want(resp.get("content"), dict, rloc.child("content"), "content", {}), rloc


def _response(ctx: Context, op: dict[str, Any], oloc: Location,
              op_id: str) -> tuple[str, ir.TypeRef | None, str | None, ir.TypeRef | None]:
    """(media, type, Accept, the event type of a text/event-stream alternative)."""
    if "responses" not in op:
        ctx.spec.warn(oloc, "the operation has no responses; its method returns None")
    responses = op.get("responses") or {}
    if not isinstance(responses, dict):
        raise oloc.child("responses").error("responses must be a mapping")
    for code in sorted(responses, key=str):
        if not str(code).startswith("2"):
            continue
        content, rloc = _content(ctx, responses, code, oloc)
        if not content:
            return "none", None, None, None

        def schema_type(media: str, hint: str, content: dict[str, Any] = content,
                        rloc: Location = rloc) -> ir.TypeRef:
            mt = want(content[media], dict, rloc.child("content", media), "a media type", {})
            schema = mt.get("schema")
            if schema is None:
                return ir.AnyType()
            return schemas.type_of(ctx, schema, rloc.child("content", media, "schema"), pascal_hint(op_id, hint))

        streams = [m for m in content if m.split(";")[0].strip() == "text/event-stream"]
        others = [m for m in content if m not in streams]
        event = schema_type(streams[0], "Event") if streams else None
        json_media = next((m for m in others if is_json(m)), None)
        if json_media is not None:
            return "json", schema_type(json_media, "Response"), None, event
        if others:
            return "binary", None, ", ".join(others), event
        return "stream", None if isinstance(event, ir.AnyType) else event, "text/event-stream", None
    return "none", None, None, None

def _error_responses(ctx: Context, op: dict[str, Any], oloc: Location, op_id: str) -> tuple[ir.ErrorResponse, ...]:
    """The responses for statuses that are not a success (``404``, ``4XX``, ``default``),
    each with the type of its JSON body, for the testing kit to check answers with; a
    response with no JSON body (or a JSON body without a schema) has none."""
    responses = op.get("responses")
    if not isinstance(responses, dict):  # _response said so
        return ()
    out: list[ir.ErrorResponse] = []
    for code in responses:
        key = str(code)
        if key.startswith("2"):
            continue
        content, rloc = _content(ctx, responses, code, oloc)
        media = next((m for m in content if is_json(m)), None)
        mt = want(content[media], dict, rloc.child("content", media), "a media type", {}) if media else {}
        schema = mt.get("schema")
        found = None if schema is None else schemas.type_of(
            ctx, schema, rloc.child("content", str(media), "schema"), pascal_hint(op_id, key, "Error"))
        out.append(ir.ErrorResponse(key, None if isinstance(found, ir.AnyType) else found))
    return tuple(out)


def _pagination(ctx: Context, method: str, params: list[ir.Parameter],
                response: ir.TypeRef | None) -> ir.Pagination | None:
    after = next((p for p in params if p.location == "query" and p.name == "after"), None)
    if method != "get" or after is None or not isinstance(response, ir.ModelType):
        return None
    model = ctx.models.get(response.name)
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
        imodel = ctx.models.get(target.name) if isinstance(target, ir.ModelType) else None
        if imodel is None or not any(f.json_name == "id" and f.attr == "id" for f in imodel.fields):
            return None
        cursor = "id"
    return ir.Pagination(item=item, cursor=cursor, after_arg=after.arg)

# ----- the package ---------------------------------------------------------------


def stream_switches(fields: tuple[ir.BodyField, ...]) -> tuple[tuple[str, object], ...]:
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


def is_json(media: str) -> bool:
    m = media.split(";")[0].strip().lower()
    return m == "application/json" or m.endswith("+json")


def _path_item(ctx: Context, item: Any, loc: Location) -> tuple[dict[str, Any], Location]:
    """A path item (of ``paths``, ``webhooks`` or a callback), read through its ``$ref``."""
    if isinstance(item, dict) and "$ref" in item:
        item, loc = ctx.spec.resolve(item["$ref"], loc)
    if not isinstance(item, dict):
        raise loc.error("a path item must be a mapping")
    return item, loc


def _operations_in(ctx: Context, item: dict[str, Any], loc: Location) -> Iterator[tuple[str, Any, Location]]:
    """(method, operation, where) of each operation of a path item; an operation given by
    ``$ref`` is read where it points, with a warning."""
    for method in _HTTP_METHODS:
        if method not in item:
            continue
        op, oloc = item[method], loc.child(method)
        if isinstance(op, dict) and "$ref" in op:
            # a bundler's convention, not OpenAPI: the operation is in another file
            ctx.spec.warn(oloc, "an operation given by $ref is not standard OpenAPI; read from where it points")
            op, oloc = ctx.spec.resolve(op["$ref"], oloc)
        yield method, op, oloc


def payloads(ctx: Context) -> None:
    """The payloads an API sends: each webhook's and each callback's JSON request body
    becomes a type (an inline object a model named after the webhook or callback), so a
    receiver decodes them with the package's models. They add no client methods."""
    root = ctx.spec.root
    hooks = want(ctx.spec.data.get("webhooks"), dict, root.child("webhooks"), "webhooks", {})
    items: list[tuple[str, Any, Location]] = [(name, item, root.child("webhooks", name)) for name, item in hooks.items()]
    paths = ctx.spec.data.get("paths") or {}  # a mapping of path items: operations() checked them
    for path, item in paths.items():
        item, ploc = _path_item(ctx, item, root.child("paths", path))
        for _, op, oloc in _operations_in(ctx, item, ploc):
            callbacks = op.get("callbacks") if isinstance(op, dict) else None
            for cb_name, cb in (callbacks or {}).items() if isinstance(callbacks, dict) else ():
                cloc = oloc.child("callbacks", cb_name)
                if isinstance(cb, dict) and "$ref" in cb:
                    cb, cloc = ctx.spec.resolve(cb["$ref"], cloc)
                for expression, cb_item in (cb or {}).items() if isinstance(cb, dict) else ():
                    items.append((cb_name, cb_item, cloc.child(expression)))
    for name, item, iloc in items:
        item, iloc = _path_item(ctx, item, iloc)
        for _, op, mloc in _operations_in(ctx, item, iloc):
            if not isinstance(op, dict):
                continue
            body = op.get("requestBody")
            rloc = mloc.child("requestBody")
            if isinstance(body, dict) and "$ref" in body:
                body, rloc = ctx.spec.resolve(body["$ref"], rloc)
            content = body.get("content") if isinstance(body, dict) else None
            for media, mt in (content or {}).items() if isinstance(content, dict) else ():
                if is_json(media) and isinstance(mt, dict) and "schema" in mt:
                    schemas.type_of(ctx, mt["schema"], rloc.child("content", media, "schema"), pascal_hint(name, "Payload"))

