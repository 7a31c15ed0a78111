"""Random schemas over the keywords strict decoding claims (type, null, enum, const,
required, properties, items, additionalProperties, allOf, anyOf, oneOf, discriminator,
3.0's nullable) and random values near them, for the differential test.

The schemas stay outside the documented exclusions that are not a matter of reading
(``strict_cases.referee`` applies those that are): no ``additionalProperties`` beside
``allOf`` and no property named by two ``allOf`` members (one merged model), object variants of a union told apart by a distinct string ``const`` (or of
one object variant only), at most one array variant, and the variants of a ``oneOf``
never overlap (JSON Schema would reject a value two of them take). Deterministic: a
``random.Random`` drives everything.
"""

from __future__ import annotations

import random
from typing import Any

SCALAR_TYPES = ["string", "integer", "number", "boolean", "null"]
KEYS = ["a", "b", "c", "kind", "x y", "class"]
STRINGS = ["", "a", "b", "kind", "A", "1", "é"]


class SchemaMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def schema(self, depth: int = 0) -> Any:
        rng = self.rng
        kinds = ["scalar", "scalar", "types", "enum", "const", "empty"]
        if depth < 3:
            kinds += ["object", "object", "array", "map", "union", "union", "allOf", "nullable"]
        kind = rng.choice(kinds)
        if kind == "scalar":
            return {"type": rng.choice(SCALAR_TYPES)}
        if kind == "types":
            return {"type": rng.sample(SCALAR_TYPES + ["array", "object"], rng.randint(1, 3))}
        if kind == "enum":
            pool = [rng.choice(STRINGS), rng.randint(-2, 2), rng.choice([True, False]), None, 1.5, [1], {"a": 0}]
            values = []
            for v in rng.sample(pool, rng.randint(1, 4)):
                if v not in values or type(v) is not type(values[values.index(v)]):
                    values.append(v)
            return {"enum": values}
        if kind == "const":
            return {"const": rng.choice([rng.choice(STRINGS), rng.randint(-2, 2), True, False, None, 0.5, {"k": [None]}])}
        if kind == "empty":
            return rng.choice([{}, True, {"description": "anything"}])
        if kind == "object":
            return self.object(depth)
        if kind == "array":
            out: dict[str, Any] = {"items": self.schema(depth + 1)}
            if rng.random() < 0.8:
                out["type"] = "array"
            return out
        if kind == "map":
            return {"type": "object", "additionalProperties": rng.choice([self.schema(depth + 1), True])}
        if kind == "allOf":
            return self.all_of(depth)
        if kind == "nullable":
            inner = self.schema(depth + 1)
            plain = isinstance(inner, dict) and isinstance(inner.get("type"), str) and inner["type"] != "null" \
                and "nullable" not in inner and "enum" not in inner and "const" not in inner
            if plain and rng.random() < 0.5:
                return {**inner, "nullable": True}
            if plain and rng.random() < 0.5:  # a oneOf only where null is not taken twice
                return {"oneOf": [{"type": "null"}, inner]}
            return {"anyOf": [inner, {"type": "null"}]}
        return self.union(depth)

    def object(self, depth: int, tag: str | None = None, closed_ok: bool = True) -> dict[str, Any]:
        rng = self.rng
        names = rng.sample(KEYS, rng.randint(0, 3))
        if tag is not None and "kind" in names:
            names.remove("kind")
        props = {n: self.schema(depth + 1) for n in names}
        required = [n for n in names if rng.random() < 0.5]
        if tag is not None:
            props = {"kind": {"const": tag}, **props}
            required = ["kind", *required]
        elif rng.random() < 0.2:
            required.append(rng.choice(KEYS))  # required but not a property
        out: dict[str, Any] = {}
        if rng.random() < 0.85 or tag is not None:
            out["type"] = "object"
        if props:
            out["properties"] = props
        if required:
            out["required"] = list(dict.fromkeys(required))
        if closed_ok and rng.random() < 0.25:
            # (not false beside a required key that is no property: nothing would be valid)
            closed = set(required) <= set(props) and rng.random() < 0.5
            out["additionalProperties"] = False if closed else {"type": rng.choice(SCALAR_TYPES)}
        return out

    def all_of(self, depth: int) -> dict[str, Any]:
        rng = self.rng
        shape = rng.randint(0, 3)
        if shape == 0:
            return {"allOf": [rng.choice([{}, True]) for _ in range(rng.randint(1, 3))]}
        if shape == 1:  # nested single members of null
            node: dict[str, Any] = {"type": "null"}
            for _ in range(rng.randint(1, 3)):
                node = {rng.choice(["allOf", "anyOf", "oneOf"]): [node]}
            return node
        members: list[Any] = [self.object(depth + 1, closed_ok=False) for _ in range(rng.randint(1, 3))]
        seen: set[str] = set()
        for m in members:  # a property named by two members is merged, not intersected: not here
            for name in list(m.get("properties", {})):
                if name in seen:
                    del m["properties"][name]
                seen.add(name)
        if shape == 3:
            members.insert(rng.randint(0, len(members)), {})
        return {"allOf": members}

    def union(self, depth: int) -> dict[str, Any]:
        rng = self.rng
        keyword = rng.choice(["anyOf", "oneOf"])
        # one variant per JSON kind, so a oneOf never has two that take a value
        kinds = rng.sample(["string", "integer", "boolean", "null", "array", "object", "enum"], rng.randint(1, 4))
        if keyword == "oneOf" and "enum" in kinds and "string" in kinds:
            kinds.remove("enum")
        variants: list[Any] = []
        tagged = False
        for k in kinds:
            if k == "array":
                variants.append({"type": "array", "items": self.schema(depth + 1)})
            elif k == "object":
                n = rng.randint(1, 3)
                if n == 1:
                    variants.append(self.object(depth + 1))
                else:
                    tagged = True
                    tags = rng.sample(STRINGS, n)
                    variants += [self.object(depth + 1, tag=t) for t in tags]
            elif k == "enum":
                variants.append({"enum": rng.sample(STRINGS, 2)})
            else:
                variants.append({"type": k})
        rng.shuffle(variants)
        out: dict[str, Any] = {keyword: variants}
        if tagged and rng.random() < 0.3:
            out["discriminator"] = {"propertyName": "kind"}
        return out


class ValueMaker:
    """Values near a schema: valid ones, with a mistake put in now and then."""

    def __init__(self, rng: random.Random, mistakes: float) -> None:
        self.rng = rng
        self.mistakes = mistakes

    def junk(self, depth: int = 0) -> Any:
        rng = self.rng
        pick = rng.randint(0, 9 if depth < 2 else 6)
        if pick <= 6:
            return rng.choice([None, True, False, 0, 1, -2, 1.0, 2.5, "", "a", "kind", 2**64])
        if pick <= 8:
            return [self.junk(depth + 1) for _ in range(rng.randint(0, 2))]
        return {rng.choice(KEYS): self.junk(depth + 1) for _ in range(rng.randint(0, 2))}

    def value(self, schema: Any, depth: int = 0) -> Any:
        rng = self.rng
        if rng.random() < self.mistakes:
            return self.junk(depth)
        if schema is True or not isinstance(schema, dict) or depth > 6:
            return self.junk(depth)
        if schema.get("nullable") is True and rng.random() < 0.2:
            return None
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return rng.choice(schema["enum"])
        for kw in ("anyOf", "oneOf"):
            if kw in schema:
                return self.value(rng.choice(schema[kw]), depth + 1)
        if "allOf" in schema:
            out: Any = None
            for member in schema["allOf"]:
                part = self.value(member, depth + 1)
                if isinstance(out, dict) and isinstance(part, dict):
                    out.update(part)
                elif out is None:
                    out = part
            return out
        types = schema.get("type")
        if isinstance(types, list):
            types = rng.choice(types) if types else None
        if types is None:
            if any(k in schema for k in ("properties", "required", "additionalProperties")):
                types = "object"
            elif "items" in schema:
                types = "array"
            else:
                return self.junk(depth)
        if types == "null":
            return None
        if types == "string":
            return rng.choice(STRINGS)
        if types == "integer":
            return rng.choice([0, 3, -7, 2.0, 2**53 + 1])
        if types == "number":
            return rng.choice([0, 0.5, -1.25, 7, 1e100])
        if types == "boolean":
            return rng.random() < 0.5
        if types == "array":
            return [self.value(schema.get("items", True), depth + 1) for _ in range(rng.randint(0, 3))]
        obj: dict[str, Any] = {}
        props = schema.get("properties") or {}
        for name in schema.get("required") or []:
            if rng.random() > self.mistakes:
                obj[name] = self.value(props.get(name, schema.get("additionalProperties", True)), depth + 1)
        for name, sub in props.items():
            if name not in obj and rng.random() < 0.5:
                obj[name] = self.value(sub, depth + 1)
        extra = schema.get("additionalProperties", True)
        if extra is not False or rng.random() < self.mistakes:
            for _ in range(rng.randint(0, 2)):
                obj["extra" + str(rng.randint(0, 3))] = self.value(extra if extra is not False else True, depth + 1)
        return obj
