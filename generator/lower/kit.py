"""What the testing kit (the generated ``testing`` module) knows of each operation
beyond what the client needs: the spec's example answer, a minimal valid answer built
from the response schema, and the credentials the operation asks for."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any, assert_never

from .. import ir
from ..load import Location, Spec

# The credentials a client can send today: the API key (``Authorization: Bearer``).


def example(spec: Spec, op: dict[str, Any], oloc: Location, extensions: tuple[str, ...]) -> str | None:
    """The JSON text of the spec's example for the first 2xx JSON response: the media
    type's ``example``, else the first of its ``examples``, else the first response
    example in one of the configured vendor extensions (``x-oaiMeta``: an ``examples``
    mapping, or list of mappings, whose ``response`` is JSON text or a value).

    Text is kept as the spec gives it: the generated kit parses and checks it at run
    time and says so once if it is not a valid answer."""
    responses = op.get("responses")
    if isinstance(responses, dict):
        for code in sorted(responses, key=str):
            if not str(code).startswith("2"):
                continue
            resp, rloc = responses[code], oloc.child("responses", code)
            if isinstance(resp, dict) and "$ref" in resp:
                resp, rloc = spec.resolve(resp["$ref"], rloc)
            content = resp.get("content") if isinstance(resp, dict) else None
            if not isinstance(content, dict):
                break
            media = next((m for m in content if _is_json(m)), None)
            mt = content.get(media) if media is not None else None
            if isinstance(mt, dict):
                if "example" in mt:
                    return _dump(mt["example"])
                examples = mt.get("examples")
                if isinstance(examples, dict):
                    for name, ex in examples.items():
                        eloc = rloc.child("content", str(media), "examples", name)
                        if isinstance(ex, dict) and "$ref" in ex:
                            ex, eloc = spec.resolve(ex["$ref"], eloc)
                        if isinstance(ex, dict) and "value" in ex:
                            return _dump(ex["value"])
            break
    for name in extensions:
        meta = op.get(name)
        found = meta.get("examples") if isinstance(meta, dict) else None
        for ex in found if isinstance(found, list) else [found]:
            if isinstance(ex, dict) and "response" in ex:
                value = ex["response"]
                return value if isinstance(value, str) else _dump(value)
    return None


def _dump(value: Any) -> str | None:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):  # a YAML value JSON has no form for
        return None


def _is_json(media: str) -> bool:
    m = media.split(";")[0].strip().lower()
    return m == "application/json" or m.endswith("+json")


def success_status(op: dict[str, Any]) -> int:
    """The status the testing kit answers with by default: the operation's first success
    response (``201``, ``204``; a range such as ``2XX`` answers 200), else 200."""
    responses = op.get("responses")
    codes = sorted(str(c) for c in responses if str(c).startswith("2")) if isinstance(responses, dict) else []
    return int(codes[0]) if codes and codes[0].isdigit() else 200


def with_minimal_answers(ops: tuple[ir.Operation, ...], models: tuple[ir.Model, ...]) -> tuple[ir.Operation, ...]:
    """Each operation with ``minimal`` set: the JSON text of a minimal valid answer (of
    one event, for an event stream) and ``example`` kept only for JSON answers."""
    by_name = {m.name: m for m in models}
    out = []
    for op in ops:
        value = None if op.response is None or op.media not in ("json", "stream") else minimal(op.response, by_name)
        out.append(dataclasses.replace(
            op,
            minimal=None if value is _CYCLE else None if op.response is None else json.dumps(value, ensure_ascii=False),
            example=op.example if op.media == "json" else None,
        ))
    return tuple(out)


class _Cycle:
    """A model met again while it is being built."""


_CYCLE: Any = _Cycle()
_SCALARS: dict[str, Any] = {"string": "", "integer": 0, "number": 0, "boolean": False}


def minimal(t: ir.TypeRef, models: dict[str, ir.Model], stack: tuple[str, ...] = ()) -> Any:
    """A deterministic minimal value of ``t`` that strict decoding accepts: required
    fields only, empty strings, zeros, ``false``, empty lists and maps, the first enum
    value, the first variant of a union (with its discriminator value), null where null
    is allowed."""
    match t:
        case ir.Primitive():
            return _SCALARS[t.json_type]
        case ir.AnyType():
            return {}
        case ir.LiteralType():
            v = t.values[0]
            if isinstance(v, ir.JsonValue):
                return v.value
            return v if not isinstance(v, float) or math.isfinite(v) else None
        case ir.NullableType():
            return None
        case ir.ListType():
            return []
        case ir.MapType():
            return {}
        case ir.AliasType():
            return minimal(t.target, models, stack)
        case ir.RecursiveType():
            return {} if t.resolved is None else minimal(t.resolved, models, stack)
        case ir.ModelType():
            if t.name in stack:
                return _CYCLE
            model = models.get(t.name)
            if model is None:
                return {}
            out: dict[str, Any] = {}
            for f in model.required_fields:
                value = None if f.nullable else minimal(f.type, models, stack + (t.name,))
                if value is _CYCLE:
                    if not f.takes_null:
                        return _CYCLE
                    value = None
                out[f.json_name] = value
            return out
        case ir.UnionType():
            first = t.variants[0]
            value = minimal(first, models, stack)
            target = ir.unwrap(first)
            if isinstance(value, dict) and isinstance(target, ir.ModelType):
                for branch in t.branches:
                    d = branch.discriminator
                    if d is not None:
                        tag = next((v for v, m in d.mapping if m.name == target.name), None)
                        held = value.get(d.property_name)
                        if tag is not None and not (held == tag or held in d.values or held is not None
                                                    and not isinstance(held, str)):
                            value[d.property_name] = tag
            return value
        case _:
            assert_never(t)
