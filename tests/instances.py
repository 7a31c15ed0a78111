"""Random JSON instances that are valid against an OpenAPI 3.1 schema (the subset the
fragment uses), for round-trip tests on payloads nobody wrote by hand."""

from __future__ import annotations

import random
import string
from typing import Any
from urllib.parse import unquote

_TEXT = string.ascii_letters + string.digits + " _-/.:'\"\\{}\n\té✓😀"


class InstanceMaker:
    def __init__(self, document: dict[str, Any], rng: random.Random, *, extra_keys: bool = True) -> None:
        self.doc = document
        self.rng = rng
        self.extra_keys = extra_keys

    def resolve(self, ref: str) -> Any:
        node: Any = self.doc
        for token in unquote(ref.lstrip("#/")).split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node

    def make(self, schema: Any, depth: int = 0) -> Any:
        rng = self.rng
        if schema is True or schema == {}:
            return rng.choice([None, 1, "any", [True, None], {"k": [1.5]}])
        if "$ref" in schema:
            return self.make(self.resolve(schema["$ref"]), depth)
        if schema.get("nullable") is True and rng.random() < 0.2:
            return None
        if "allOf" in schema:
            return self.make(self.merged(schema), depth)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return rng.choice(schema["enum"])
        for kw in ("oneOf", "anyOf"):
            if kw in schema:
                branches = schema[kw]
                if depth > 6:  # keep trees finite: prefer a branch without nesting
                    simple = [b for b in branches if b.get("type") in ("string", "null", "integer")]
                    branches = simple or branches[:1]
                branch = rng.choice(branches)
                value = self.make(branch, depth + 1)
                mapping = (schema.get("discriminator") or {}).get("mapping") or {}
                tags = [tag for tag, ref in mapping.items() if ref == branch.get("$ref")]
                if tags and isinstance(value, dict):  # the mapping's name, which may not be a const
                    value[schema["discriminator"]["propertyName"]] = tags[0]
                return value
        types = schema.get("type")
        if isinstance(types, list):
            types = rng.choice(types)
        if types is None:
            types = "object" if "properties" in schema or "additionalProperties" in schema else "string"
        if types == "null":
            return None
        if types == "string":
            return "".join(rng.choice(_TEXT) for _ in range(rng.randint(0, 12)))
        if types == "boolean":
            return rng.random() < 0.5
        if types == "integer":
            lo = schema.get("minimum", -1000)
            hi = schema.get("maximum", 10**6)
            return rng.randint(int(lo), int(hi))
        if types == "number":
            lo = schema.get("minimum", schema.get("exclusiveMinimum", -1000.0))
            hi = schema.get("maximum", 1000.0)
            value = rng.uniform(lo, hi)
            if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
                value = (lo + hi) / 2
            return rng.choice([value, round(value, 2)])
        if types == "array":
            lo = schema.get("minItems", 0)
            hi = schema.get("maxItems", lo + (3 if depth < 6 else 0))
            return [self.make(schema.get("items", {}), depth + 1) for _ in range(rng.randint(lo, hi))]
        if types == "object":
            out: dict[str, Any] = {}
            required = set(schema.get("required", []))
            for name, sub in (schema.get("properties") or {}).items():
                if name in required or (depth < 6 and rng.random() < 0.6):
                    out[name] = self.make(sub, depth + 1)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict):
                for i in range(rng.randint(0, 3 if depth < 6 else 0)):
                    out[f"key{i}"] = self.make(extra, depth + 1)
            elif self.extra_keys and schema.get("properties") and rng.random() < 0.2:
                out["x_unknown_" + str(rng.randint(0, 99))] = {"kept": [1, None, "as is"]}
            return out
        raise AssertionError(f"no instance for {schema!r}")

    def merged(self, schema: dict[str, Any]) -> dict[str, Any]:
        """An ``allOf`` as one object schema: properties and required lists joined."""
        out: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in [*schema["allOf"], {k: v for k, v in schema.items() if k != "allOf"}]:
            if "$ref" in part:
                part = self.resolve(part["$ref"])
            if "allOf" in part:
                part = self.merged(part)
            out["properties"].update(part.get("properties") or {})
            out["required"] += part.get("required") or []
            if isinstance(part.get("additionalProperties"), dict) and "additionalProperties" not in out:
                out["additionalProperties"] = part["additionalProperties"]
        if schema.get("nullable") is True:
            out["nullable"] = True
        return out
