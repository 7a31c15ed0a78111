"""Reading one schema node in one dialect.

Real specs mix OpenAPI 3.0 and 3.1 keyword shapes (the OpenAI snapshot says 3.1 and
uses 3.0's ``nullable``), so a node is read by the shape of its keywords, never by
the declared version: ``nullable: true``, ``type: [x, "null"]``, a ``null`` in an
enum and ``allOf`` members that only annotate all come out as one ``nullable``
flag. The table ``SCALARS`` maps a JSON type and format to the IR type a scalar
schema lowers to. Small readers that check a keyword's JSON type live here too.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .. import ir
from ..load import Location, json_type

JSON_SCHEMA_TYPES = frozenset(ir.JSON_TYPES)

# (JSON type, format) -> the IR type of a scalar schema. A format not listed here is
# documentation only and reads as its type alone (the row with format None). A new
# format with a type of its own is one row here, plus its IR kind if it needs one.
SCALARS: dict[tuple[str, str | None], ir.TypeRef] = {
    ("string", None): ir.Primitive("string"),
    ("integer", None): ir.Primitive("integer"),
    ("number", None): ir.Primitive("number"),
    ("boolean", None): ir.Primitive("boolean"),
}


def scalar(json_type: str, fmt: Any) -> ir.TypeRef:
    """The IR type of a scalar schema of ``json_type`` with ``format: fmt``."""
    if isinstance(fmt, str) and (json_type, fmt) in SCALARS:
        return SCALARS[(json_type, fmt)]
    return SCALARS[(json_type, None)]


class View:
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
        # an explicit `type: null` (JSON Schema's null, not 3.0's `nullable`, which only
        # widens a type and alone accepts anything)
        self.null_typed = False
        raw_type = node.get("type")
        types: list[str] = []
        if raw_type is not None:
            items = raw_type if isinstance(raw_type, list) else [raw_type]
            for i, t in enumerate(items):
                where = loc.child("type", i) if isinstance(raw_type, list) else loc.child("type")
                if not isinstance(t, str):
                    raise where.error(f"type must be a string, not {json_type(t)}")
                if t not in JSON_SCHEMA_TYPES:
                    raise where.error(f"unknown type {t!r} (expected one of {', '.join(sorted(JSON_SCHEMA_TYPES))})")
                if t == "null":
                    self.nullable = self.null_typed = True
                elif t not in types:
                    types.append(t)
        self.types = types
        self.enum: list[Any] | None = None
        if "const" in node:
            self.enum = [node["const"]]
        elif "enum" in node:
            values = node["enum"]
            if not isinstance(values, list):
                raise loc.child("enum").error(f"enum must be a list, not {_shown_type(values)}")
            self.enum = list(values)
        # `enum: []` allows no value at all (JSON Schema allows it; lowering warns)
        self.empty_enum = self.enum == []
        if self.enum is not None:
            if None in self.enum:
                self.nullable = True
            self.enum = [v for v in self.enum if v is not None]
            keyword = "const" if "const" in node else "enum"
            for i, v in enumerate(self.enum):
                vloc = loc.child("const") if keyword == "const" else loc.child("enum", i)
                if isinstance(v, float) and not math.isfinite(v):
                    raise vloc.error(f"{keyword} values must be finite numbers, not {v}")
                if isinstance(v, (dict, list)):
                    # Literal cannot hold it: the base type, with a check by JSON equality
                    try:
                        self.enum[i] = ir.JsonValue(json.dumps(v, ensure_ascii=False, allow_nan=False))
                    except ValueError:
                        raise vloc.error(f"{keyword} values must be finite numbers") from None
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
            # members that accept anything (`{}`, `true`) add nothing: `allOf: [{}, {}]` is `{}`
            self.all_of = [(b, loc.child("allOf", i)) for i, b in enumerate(node["allOf"]) if b is not True and b != {}]
            # members that only annotate (`allOf: [$ref, {nullable: true}]`) add no type:
            # their nullability and description apply to the whole
            kept = [(b, bl) for b, bl in self.all_of if not annotation_only(b)]
            if kept and len(kept) < len(self.all_of):
                for b, _ in self.all_of:
                    if annotation_only(b) and isinstance(b, dict):
                        if b.get("nullable") is True or b.get("type") == "null":
                            self.nullable = True
                        if "description" not in node and isinstance(b.get("description"), str):
                            node = self.node = {**node, "description": b["description"]}
                self.all_of = kept
            elif self.all_of and not kept:
                # nothing but annotations (`allOf: [{type: null}, {description: ...}]`):
                # one schema of their union, a `type: null` among them included
                for b, _ in self.all_of:
                    if b.get("type") == "null" or b.get("type") == ["null"]:
                        self.nullable = self.null_typed = True
                    elif b.get("nullable") is True:
                        self.nullable = True
                    if "description" not in node and isinstance(b.get("description"), str):
                        node = self.node = {**node, "description": b["description"]}
                self.all_of = []
        for key, kind in (("properties", dict), ("required", list), ("description", str), ("title", str)):
            if key in node and not isinstance(node[key], kind):
                raise loc.child(key).error(f"{key} must be {KIND_NAMES[kind]}, not {json_type(node[key])}")
        for i, r in enumerate(node.get("required") or ()):
            if not isinstance(r, str):
                raise loc.child("required", i).error(f"required entries must be strings, not {json_type(r)}")
        self.description = node.get("description")
        self.title = node.get("title")

    @property
    def is_null_only(self) -> bool:
        return self.nullable and not self.types and self.enum in (None, []) and not self.branches and not self.all_of \
            and "properties" not in self.node

    @property
    def is_null_type(self) -> bool:
        """The schema accepts null and nothing else: ``type: null``, ``const: null``,
        ``enum: [null]`` (3.0's ``nullable: true`` alone is not one: it accepts anything)."""
        if self.enum == [] and not self.empty_enum:  # every value it listed was null
            return True
        return self.null_typed and self.is_null_only and self.enum is None


def sub_view(view: View, kind: str) -> View:
    """One type of a multi-type schema (``type: [string, integer]``), read alone."""
    node = dict(view.node)
    node["type"] = kind
    node.pop("nullable", None)
    return View(node, view.loc)


STRUCTURAL = frozenset(
    "$ref type properties additionalProperties items enum const oneOf anyOf allOf required".split()
)


def annotation_only(node: Any) -> bool:
    """A schema that constrains no shape: only description, nullable, default and such."""
    if not isinstance(node, dict) or not node:
        return False
    if node.get("type") == "null":
        return all(k not in STRUCTURAL for k in node if k != "type")
    return all(k not in STRUCTURAL for k in node)


def _shown_type(value: Any) -> str:
    return "an empty list" if value == [] else json_type(value)


KIND_NAMES: dict[type, str] = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}


def want(value: Any, kind: type, loc: Location, what: str, default: Any) -> Any:
    """``value`` if it has the JSON type ``kind``, ``default`` if it is absent (or null),
    else a clean error naming where it stands."""
    if value is None:
        return default
    if not isinstance(value, kind):
        raise loc.error(f"{what} must be {KIND_NAMES[kind]}, not {json_type(value)}")
    return value


def text(value: Any) -> str | None:
    """Spec text, stripped; None when absent or blank."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def doc(view: View) -> str | None:
    return text(view.description) or text(view.title)


def branch_description(node: dict[str, Any]) -> str | None:
    """The description an inline union member or an annotating allOf member carries."""
    for kw in ("anyOf", "oneOf"):
        for b in node.get(kw) or []:
            if isinstance(b, dict) and "$ref" not in b and text(b.get("description")):
                return text(b.get("description"))
    for b in node.get("allOf") or []:  # `allOf: [$ref, {description: ...}]`
        if annotation_only(b) and text(b.get("description")):
            return text(b.get("description"))
    return None


def is_binary(node: Any) -> bool:
    """A string schema of raw bytes: ``format: binary`` (3.0) or a content media type (3.1)."""
    if not isinstance(node, dict):
        return False
    return node.get("format") == "binary" or ("contentMediaType" in node and "contentEncoding" not in node)
