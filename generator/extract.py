"""Cut a self-contained fragment out of a large OpenAPI description.

``python -m generator extract --spec FILE --operation OPID [...] [--out FILE]`` keeps
the chosen operations under their paths (with the path item's shared parameters),
every component they reach through ``$ref``s and discriminator mappings, transitively,
the security schemes they (or the document) name, and copies ``openapi``, ``info``,
``servers`` and ``security``. Keys keep the source's order; components are sorted by
name within each section. The bytes depend only on the input and the options.
"""

from __future__ import annotations

import datetime
import difflib
import json
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import unquote

import yaml

from .errors import SpecError, UsageError, join_pointer
from .load import display_path, load
from .output import replace_file

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Component sections in the order the OpenAPI specification lists them.
SECTIONS = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
)

# Top-level keys copied as they are, in this order, ahead of paths and components.
COPIED = ("openapi", "info", "jsonSchemaDialect", "servers", "security")


def find_operations(data: dict[str, Any], file: str, operation_ids: Iterable[str]) -> list[tuple[str, str]]:
    """(path, method) of each operationId, in the order asked; an unknown id is an error."""
    where: dict[str, tuple[str, str]] = {}
    paths = data.get("paths") or {}
    if not isinstance(paths, dict):
        raise SpecError(file, "/paths", "paths must be a mapping")
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict) and isinstance(op.get("operationId"), str):
                where.setdefault(op["operationId"], (path, method))
    found: list[tuple[str, str]] = []
    for op_id in operation_ids:
        if op_id not in where:
            close = difflib.get_close_matches(op_id, list(where), n=3)
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            raise SpecError(file, "/paths", f"no operation has operationId {op_id!r}{hint}")
        if where[op_id] not in found:
            found.append(where[op_id])
    return found


# Keys whose children are names (a property called `example` or `$ref` is still a schema).
_NAMED = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
# Keys whose values are data, not description: a `$ref` inside an example is text.
_DATA = frozenset({"example", "default", "enum", "const"})
_NORMAL, _NAMES, _EXAMPLES, _EXAMPLE = range(4)


def _refs(node: Any, mode: int = _NORMAL) -> Iterator[str]:
    """Every reference below ``node``: ``$ref`` values and discriminator mappings."""
    stack: list[tuple[Any, int]] = [(node, mode)]
    while stack:
        n, mode = stack.pop()
        if isinstance(n, list):
            stack.extend((v, _NORMAL) for v in reversed(n))
            continue
        if not isinstance(n, dict):
            continue
        if mode != _NAMES:
            ref = n.get("$ref")
            if isinstance(ref, str):
                yield ref
            disc = n.get("discriminator")
            if isinstance(disc, dict) and isinstance(disc.get("mapping"), dict):
                for target in disc["mapping"].values():
                    if isinstance(target, str):
                        # a bare name means a schema of that name
                        yield target if "#" in target or "/" in target else "#/components/schemas/" + target
        children: list[tuple[Any, int]] = []
        for key, value in n.items():
            if mode == _NAMES or mode == _EXAMPLES:
                children.append((value, _EXAMPLE if mode == _EXAMPLES else _NORMAL))
            elif key in _DATA or (key == "value" and mode == _EXAMPLE):
                continue
            elif key == "examples":
                if isinstance(value, dict):  # a map of Example objects (or references to them)
                    children.append((value, _EXAMPLES))
            elif key in _NAMED:
                children.append((value, _NAMES))
            else:
                children.append((value, _NORMAL))
        stack.extend(reversed(children))


def _component_of(ref: str, file: str, pointer: str) -> tuple[str, str]:
    """The (section, name) a local reference points into."""
    if not ref.startswith("#"):
        raise SpecError(file, pointer, f"$ref {ref!r} points into another file; extract follows local references only")
    tokens = [unquote(t).replace("~1", "/").replace("~0", "~") for t in ref[1:].split("/")[1:]]
    if len(tokens) < 3 or tokens[0] != "components":
        raise SpecError(file, pointer, f"$ref {ref!r} does not point into #/components; extract cannot follow it")
    return tokens[1], tokens[2]


def extract(data: dict[str, Any], file: str, operation_ids: Iterable[str]) -> dict[str, Any]:
    """The fragment as a new document (sharing unchanged nodes with ``data``)."""
    chosen = find_operations(data, file, operation_ids)
    components = data.get("components") or {}
    if not isinstance(components, dict):
        raise SpecError(file, "/components", "components must be a mapping")

    # paths in source order, each with its chosen methods in source order
    wanted: dict[str, set[str]] = {}
    for path, method in chosen:
        wanted.setdefault(path, set()).add(method)
    paths: dict[str, Any] = {}
    for path, item in data["paths"].items():
        if path not in wanted:
            continue
        paths[path] = {
            key: value
            for key, value in item.items()
            if key not in HTTP_METHODS or key in wanted[path]
        }

    # security schemes named by the document or by the chosen operations
    schemes = components.get("securitySchemes") or {}
    found: dict[tuple[str, str], None] = {}
    queue: list[tuple[Any, str, int]] = []
    requirements: list[tuple[Any, str]] = [(data.get("security"), "/security")]
    requirements += [
        (data["paths"][path][method].get("security"), join_pointer("/paths", path, method, "security"))
        for path, method in chosen
    ]
    for listed, pointer in requirements:
        for i, requirement in enumerate(listed if isinstance(listed, list) else []):
            for name in requirement if isinstance(requirement, dict) else ():
                if not isinstance(schemes, dict) or name not in schemes:
                    raise SpecError(file, join_pointer(pointer, i),
                                    f"security scheme {name!r} is not in #/components/securitySchemes")
                if ("securitySchemes", name) not in found:
                    found[("securitySchemes", name)] = None
                    queue.append((schemes[name], join_pointer("/components/securitySchemes", name), _NORMAL))

    # every component reached, transitively
    queue += [(item, join_pointer("/paths", path), _NORMAL) for path, item in paths.items()]
    while queue:
        node, pointer, mode = queue.pop()
        for ref in _refs(node, mode):
            section, name = _component_of(ref, file, pointer)
            if (section, name) in found:
                continue
            target = components.get(section)
            if not isinstance(target, dict) or name not in target:
                raise SpecError(file, pointer, f"$ref {ref!r} points to nothing")
            found[(section, name)] = None
            queue.append((target[name], join_pointer("/components", section, name),
                          _EXAMPLE if section == "examples" else _NORMAL))

    out: dict[str, Any] = {}
    for key in COPIED:
        if key in data:
            out[key] = data[key]
    tags = _tags(data, [data["paths"][p][m] for p, m in chosen])
    if tags:
        out["tags"] = tags
    out["paths"] = paths
    sections = sorted({s for s, _ in found}, key=lambda s: (SECTIONS.index(s) if s in SECTIONS else len(SECTIONS), s))
    if sections:
        out["components"] = {
            section: {name: components[section][name] for name in sorted(n for s, n in found if s == section)}
            for section in sections
        }
    return out


def _tags(data: dict[str, Any], operations: list[dict[str, Any]]) -> list[Any]:
    """The top-level tag entries the chosen operations use, in the document's order."""
    used = {t for op in operations for t in (op.get("tags") or []) if isinstance(t, str)}
    return [t for t in data.get("tags") or [] if isinstance(t, dict) and t.get("name") in used]


# ----- output ------------------------------------------------------------------------

_BaseDumper: type = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[misc]
    """Plain YAML: no anchors for shared nodes, multi-line text as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)

# Lines are never folded, so a changed word upstream changes one line of the fragment.
_WIDTH = 2**31 - 1


def dump(doc: dict[str, Any], as_json: bool) -> str:
    if as_json:
        return json.dumps(doc, indent=2, ensure_ascii=False, default=_json_default) + "\n"
    text: str = yaml.dump(
        doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=_WIDTH, default_flow_style=False
    )
    return text


def _json_default(value: Any) -> Any:
    # YAML reads unquoted dates as dates; JSON has only their text
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no JSON form")


def write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step."""
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"cannot write {path}: folder {parent} does not exist")
    replace_file(path, text.encode("utf-8"), f".{path.name}.")


def run(spec: Path, operation_ids: list[str], out: Path | None) -> str:
    """Load, extract and serialise; write to ``out`` when given. Returns the text."""
    loaded = load(spec)
    doc = extract(loaded.data, display_path(loaded.root_file), operation_ids)
    text = dump(doc, as_json=out is not None and out.suffix.lower() == ".json")
    if out is not None:
        try:
            write_text(out, text)
        except OSError as exc:
            raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    return text
