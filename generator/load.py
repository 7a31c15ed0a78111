"""Read an OpenAPI document (YAML or JSON) and resolve its ``$ref``s.

Loading never touches the network: a remote reference is a clean error unless a ref
map points its URL prefix at a local folder. Every error names the file and a JSON
pointer (or a line and column for syntax errors); so does every warning, which is
one line on stderr (or, with ``strict_spec``, an error).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote

import yaml

from .errors import SpecError, join_pointer

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is several times faster


class _YamlLoader(_BaseLoader):  # type: ignore[misc]
    """YAML 1.2's booleans: only ``true`` and ``false`` are. PyYAML implements YAML 1.1,
    where ``on``, ``off``, ``yes``, ``no`` (unquoted) are booleans too, and OpenAPI 3.1
    asks for YAML 1.2: ``enum: [on, off]`` is two strings."""


_BOOL = "tag:yaml.org,2002:bool"
_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


# Deep nesting ends in a clean error instead of a RecursionError (or, in libyaml's
# recursive composer, a crash): no real document comes near this.
MAX_DEPTH = 200
# YAML aliases share one object between many places; a document whose aliases expand it
# beyond this many containers (a "billion laughs") is refused before anything walks it.
MAX_EXPANDED = 1_000_000


@dataclass(frozen=True)
class Location:
    """Where a node stands: a file and a JSON pointer inside it."""

    file: Path
    pointer: str

    def child(self, *tokens: object) -> "Location":
        return Location(self.file, join_pointer(self.pointer, *tokens))

    def error(self, message: str) -> SpecError:
        return SpecError(display_path(self.file), self.pointer, message)


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)


def print_warning(warning: SpecError) -> None:
    """The default for a warning: one line on stderr."""
    print(f"warning: {warning}", file=sys.stderr)


# Files a `$ref` may name where the spec expects a string (a tag's description in
# Markdown): read as text, not parsed.
TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".html", ".htm"})


@dataclass
class Spec:
    """A loaded document with everything its references reach.

    ``ref_map`` maps a remote URL prefix to a local folder that holds copies of what it
    serves. ``warn`` reports what the spec gets wrong where its meaning is clear: with
    ``strict_spec`` the first such warning is an error instead.
    """

    root_file: Path
    data: dict[str, Any]
    openapi_version: str
    sha256: str
    documents: dict[Path, Any] = field(default_factory=dict)
    texts: dict[Path, str] = field(default_factory=dict)
    # a $ref's file as written (joined to its base) -> the file it resolved to, where they
    # differ (links, ``..``): a kept output is stale once one resolves elsewhere
    links: dict[Path, Path] = field(default_factory=dict)
    ref_map: tuple[tuple[str, Path], ...] = ()
    strict_spec: bool = False
    on_warning: Callable[[SpecError], None] = print_warning
    warnings: list[SpecError] = field(default_factory=list)

    @property
    def root(self) -> Location:
        return Location(self.root_file, "")

    def warn(self, at: Location, message: str) -> None:
        """One warning per place and message, in the order met."""
        warning = at.error(message)
        if self.strict_spec:
            warning.message += " (an error with --strict-spec)"
            raise warning
        if any(str(w) == str(warning) for w in self.warnings):
            return
        self.warnings.append(warning)
        self.on_warning(warning)

    def document(self, file: Path, referrer: Location) -> Any:
        if file not in self.documents:
            try:
                is_file = file.is_file()
            except (ValueError, OSError):
                is_file = False
            if not is_file:
                raise referrer.error(f"$ref points to a file that does not exist: {display_path(file)}")
            text = read_text(file)
            self.documents[file] = text if file.suffix.lower() in TEXT_SUFFIXES else parse(text, file)
            self.texts[file] = text
        return self.documents[file]

    def resolve(self, ref: Any, at: Location) -> tuple[Any, Location]:
        """Follow one ``$ref`` (and any chain of them) to the node it names."""
        seen: list[Location] = []
        node: Any = {"$ref": ref}
        where = at
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str):
                raise where.child("$ref").error("$ref must be a string")
            target = self._target(ref, where)
            if target in seen:
                chain = " -> ".join(loc.pointer or "/" for loc in seen + [target])
                raise at.error(f"$ref chain loops without reaching a schema: {chain}")
            seen.append(target)
            node = self._lookup(target, where, ref)
            where = target
        return node, where

    def _target(self, ref: str, at: Location) -> Location:
        file_part, _, fragment = ref.partition("#")
        base = at.file.parent
        if "://" in ref or ref.startswith("//"):
            for prefix, folder in self.ref_map:
                if file_part.startswith(prefix):
                    file_part, base = file_part[len(prefix):].lstrip("/"), folder
                    break
            else:
                raise at.child("$ref").error(
                    f"remote $ref {ref!r} is not supported (loading never uses the network; "
                    "map its URL to a local copy with --ref-map URL_PREFIX=DIR)"
                )
        try:
            file = at.file
            if file_part:
                written = base / unquote(file_part)
                file = written.resolve()
                if written != file:
                    self.links[written] = file
        except (ValueError, OSError):  # a NUL byte, a name too long, a loop of links
            raise at.child("$ref").error(f"$ref {ref!r} does not name a usable file") from None
        pointer = unquote(fragment)
        if pointer and not pointer.startswith("/"):
            raise at.child("$ref").error(f"$ref {ref!r} is not a JSON pointer (anchors are not supported)")
        return Location(file, pointer)

    def _lookup(self, target: Location, referrer: Location, ref: str) -> Any:
        node = self.document(target.file, referrer.child("$ref"))
        if not target.pointer:
            return node
        for raw in target.pointer[1:].split("/"):
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise referrer.child("$ref").error(f"$ref {ref!r} points to nothing")
        return node


def read_text(file: Path) -> str:
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise SpecError(display_path(file), None, "no such file") from None
    except IsADirectoryError:
        raise SpecError(display_path(file), None, "is a directory, not a file") from None
    except OSError as exc:
        raise SpecError(display_path(file), None, f"cannot read: {exc.strerror or exc}") from None
    except ValueError:  # a NUL byte in the name
        raise SpecError(repr(str(file)), None, "not a usable file name") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(display_path(file), None, f"not UTF-8 text (byte {exc.start})") from None


def parse(text: str, file: Path) -> Any:
    where = display_path(file)
    return to_json(_parse(text, file, where), where)


def _parse(text: str, file: Path, where: str) -> Any:
    if file.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(where, None, f"line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}") from None
        except RecursionError:
            raise SpecError(where, None, "nested too deeply") from None
    try:
        _check_yaml_depth(text, where)
        return yaml.load(text, Loader=_YamlLoader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = exc.problem or exc.context or "syntax error"
        raise SpecError(where, None, f"{pos}invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise SpecError(where, None, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise SpecError(where, None, "nested too deeply") from None


def _check_yaml_depth(text: str, where: str) -> None:
    """Refuse YAML nested deeper than MAX_DEPTH before composing it: libyaml's composer
    recurses in C and a few tens of thousands of ``[`` crash the process. The event
    stream is flat, so counting there is safe; it is skipped when the text has too few
    characters that open a collection to get anywhere near the limit."""
    if sum(text.count(c) for c in "[{-?") <= 5000:
        return
    depth = 0
    starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    for event in yaml.parse(text, Loader=_YamlLoader):
        if isinstance(event, starts):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                pos = "" if mark is None else f"line {mark.line + 1}, column {mark.column + 1}: "
                raise SpecError(where, None, f"{pos}nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, ends):
            depth -= 1


def _json_key(key: Any, at: Any, where: str) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):  # before int: True is an int
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, (int, float)):
        return str(key)
    if isinstance(key, (datetime.date, datetime.datetime)):
        return key.isoformat()
    raise SpecError(where, _pointer(at), f"a {type(key).__name__} key has no JSON form: {key!r}"[:200])


def _pointer(at: Any) -> str:
    tokens: list[object] = []
    while at is not None:
        at, token = at
        tokens.append(token)
    tokens.reverse()
    if len(tokens) > 24:  # a pointer into a deep (or self-containing) node: its start will do
        return join_pointer("", *tokens[:20]) + "/..."
    return join_pointer("", *tokens)


def to_json(data: Any, where: str) -> Any:
    """Make a parsed document JSON: keys become strings (YAML's ``200:`` and ``on:``),
    dates their ISO text; values JSON has no form for (binary, sets) are errors.

    Refuses documents nested deeper than MAX_DEPTH, and YAML aliases that expand the
    document past MAX_EXPANDED containers. Shared objects are converted once; the walk
    never recurses, so it cannot raise RecursionError.
    """
    return _to_json(data, where, 0)[0]


def _to_json(data: Any, where: str, depth: int) -> tuple[Any, bool]:
    """``to_json`` of a node that stands ``depth`` levels down in its document, and
    whether a collection in it is reached twice (YAML aliases share it)."""
    seen: set[int] = set()
    visits = 0
    stack: list[tuple[Any, int, Any]] = [(data, depth, None)]
    while stack:
        node, depth, at = stack.pop()
        if depth > MAX_DEPTH:
            raise SpecError(where, _pointer(at), f"nested more than {MAX_DEPTH} levels deep")
        visits += 1
        if visits > MAX_EXPANDED and visits > 4 * len(seen):
            raise SpecError(where, None, f"YAML aliases expand the document past {MAX_EXPANDED:,} "
                            "objects (an alias bomb?)")
        if isinstance(node, dict):
            if id(node) not in seen:
                seen.add(id(node))
                if not all(isinstance(k, str) for k in node):
                    items = list(node.items())
                    node.clear()
                    for k, v in items:
                        key = _json_key(k, at, where)
                        if key in node:
                            raise SpecError(where, _pointer((at, key)), "duplicate key after making keys text")
                        node[key] = v
                for k, v in node.items():
                    if not isinstance(v, _SCALARS):
                        node[k] = _json_value(v, (at, k), where)
            for k, v in node.items():
                if isinstance(v, (dict, list)):
                    stack.append((v, depth + 1, (at, k)))
        elif isinstance(node, list):
            if id(node) not in seen:
                seen.add(id(node))
                for i, v in enumerate(node):
                    if not isinstance(v, _SCALARS):
                        node[i] = _json_value(v, (at, i), where)
            for i, v in enumerate(node):
                if isinstance(v, (dict, list)):
                    stack.append((v, depth + 1, (at, i)))
    if not isinstance(data, _SCALARS):
        data = _json_value(data, None, where)
    return data, visits != len(seen)


_SCALARS = (str, int, float, bool, type(None), dict, list)


def _json_value(value: Any, at: Any, where: str) -> Any:
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return {_json_key(k, at, where): None for k in value}
    name = {bytes: "binary (!!binary)"}.get(type(value), type(value).__name__)
    raise SpecError(where, _pointer(at), f"a YAML {name} value has no JSON form")


def normalized_sha256(text: str) -> str:
    """The input's hash, with line endings normalised so a CRLF checkout does not drift."""
    return hashlib.sha256(text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")).hexdigest()


# YAML this large is parsed once: the document is kept as JSON in the cache folder, since
# json reads it about ten times faster than libyaml (the whole OpenAI snapshot: ~1 s of
# YAML against ~0.1 s of JSON, most of a regeneration with nothing changed). It is kept in
# pieces, each keyed by its text, so that a document changed in one place is parsed again
# only there (``generator/yaml_chunks.py``); one that cannot be cut is kept whole, keyed by
# its text.
PARSE_CACHE_MIN = 256 * 1024
PARSE_CACHE_TAG = "parsed-v2"  # v2: YAML 1.2 booleans


def _parse_cached(text: str, file: Path) -> Any:
    from .cache import Store

    key = hashlib.sha256(f"{PARSE_CACHE_TAG}\0{file.suffix.lower()}\0".encode() + text.encode("utf-8")).hexdigest()
    store = Store()
    found = store.get("parsed", key)  # a document that could not be parsed in pieces
    if found is not None:
        try:
            return json.loads(found[1])
        except ValueError:
            pass  # checked, yet not JSON: parse again, and write it again
    data = _parse_in_pieces(text, file, store)
    if data is not None:
        return data
    data = parse(text, file)
    try:
        body = json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (ValueError, TypeError):
        return data  # a document JSON cannot hold is not kept
    store.put("parsed", key, {}, body)
    return data


def _parse_in_pieces(text: str, file: Path, store: Any) -> Any:
    """The document parsed in pieces, each cached by its text (``generator/yaml_chunks.py``),
    so a changed document is parsed again only where it changed; None where that is not
    safe (the caller then parses it whole, which also reports any error)."""
    from . import yaml_chunks

    where = display_path(file)

    def load_item(item: str) -> Any:
        _check_yaml_depth(item, where)
        return yaml.load(item, Loader=_YamlLoader)  # noqa: S506 - a safe loader

    return yaml_chunks.parse(text, store, load_item, lambda node, depth: _to_json(node, where, depth))


def load(path: str | os.PathLike[str], use_cache: bool = False, *, ref_map: tuple[tuple[str, Path], ...] = (),
         strict_spec: bool = False, on_warning: Callable[[SpecError], None] = print_warning) -> Spec:
    text = read_text(Path(path))
    file = Path(path).resolve()
    where = display_path(file)
    if not text.strip():  # also for JSON, where "" is otherwise a syntax error
        raise SpecError(where, None, "the file is empty")
    if use_cache and len(text) >= PARSE_CACHE_MIN and Path(path).suffix.lower() != ".json":
        data = _parse_cached(text, Path(path))
    else:
        data = parse(text, Path(path))
    if data is None:
        raise SpecError(where, None, "the file is empty")
    if not isinstance(data, dict):
        raise SpecError(where, "", f"not an OpenAPI document: the top level is {json_type(data)}, not a mapping")
    if "swagger" in data and "openapi" not in data:
        raise SpecError(
            where,
            "/swagger",
            "Swagger 2.0 is not supported; convert it to OpenAPI 3 first "
            "(for example with swagger2openapi or the Swagger Editor's converter)",
        )
    version = data.get("openapi")
    if version is None:
        raise SpecError(where, "", "not an OpenAPI document: it has no 'openapi' field")
    if not isinstance(version, str) or not (version.startswith("3.0") or version.startswith("3.1")):
        raise SpecError(where, "/openapi", f"unsupported OpenAPI version {version!r} (3.0 and 3.1 are supported)")
    spec = Spec(file, data, version, normalized_sha256(text), ref_map=ref_map, strict_spec=strict_spec,
                on_warning=on_warning)
    spec.documents[file] = data
    spec.texts[file] = text
    return spec


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
