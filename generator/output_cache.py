"""The whole output of a generation, kept in the cache folder (``output/``) under what it
was made from, so that a run where nothing changed skips lowering, rendering and
formatting (most of such a run: about a second on the whole OpenAI snapshot).

The key covers every input the output depends on: the spec's text, its resolved path
and name, the options that reach the output, the generator's own source and built-in
templates, a template override folder's files, and the versions of Python, Jinja, PyYAML
and the formatter. Files the spec's ``$ref``s reach are found while lowering, so the
entry lists them with the hash of their text, and a lookup reads them again: any that
changed, or is gone, is a miss. Warnings the lowering gave are kept and given again.

An entry holds the formatted modules by reference (the key of the formatter's own
module entry) and the other files inline, so a hit reads what a run with nothing changed
read before, minus the work. Like every entry of the cache it is checksummed and written
whole: a damaged entry, or one naming a module the cache no longer holds, is a miss, and
the run that follows writes it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

from .errors import SpecError
from .load import Spec, read_text

NAMESPACE = "output"
TAG = "output-2"
INLINE = "inline"
MODULE = "module"

_FINGERPRINT: list[str] = []  # the generator's own, once per process


def _files_of(folder: Path) -> list[Path]:
    out: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        out.extend(Path(root) / f for f in sorted(files) if not f.endswith((".pyc", ".pyo")))
    return out


def _hash_folder(h: Any, folder: Path) -> None:
    """Every file under ``folder``: its path there and its bytes."""
    for path in _files_of(folder):
        try:  # what the renderer would not read (a dangling link, a pipe) counts as such
            data = path.read_bytes() if path.is_file() else b"\0not a file"
        except OSError as exc:
            data = f"\0unreadable: {exc.errno}".encode()
        h.update(f"{path.relative_to(folder).as_posix()}\0{len(data)}\0".encode())
        h.update(data)


def generator_fingerprint() -> str:
    """A hash of the generator's source and built-in templates: any edit to either is a
    new key (a checkout that changes the generator never reads an older output)."""
    if not _FINGERPRINT:
        from .render import BUILTIN_TEMPLATES

        h = hashlib.sha256()
        _hash_folder(h, Path(__file__).resolve().parent)
        h.update(b"\0templates\0")
        _hash_folder(h, BUILTIN_TEMPLATES)
        _FINGERPRINT.append(h.hexdigest())
    return _FINGERPRINT[0]


def key(spec: Spec, inputs: dict[str, Any], templates: Path | None, formatter_version: str) -> str:
    """The key of the output of ``spec`` with ``inputs`` (the options that reach the
    output, as JSON), an override folder and a formatter version."""
    import jinja2
    import yaml

    h = hashlib.sha256()
    head = {
        "tag": TAG,
        "generator": generator_fingerprint(),
        "python": sys.version,
        "jinja2": jinja2.__version__,
        "yaml": yaml.__version__,
        "formatter": formatter_version,
        "spec": str(spec.root_file),
        "inputs": inputs,
    }
    h.update(json.dumps(head, sort_keys=True).encode("utf-8") + b"\0")
    if templates is not None:
        h.update(b"templates\0")
        _hash_folder(h, templates)
    h.update(b"\0spec\0")
    h.update(spec.texts[spec.root_file].encode("utf-8"))
    return h.hexdigest()


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def get(store: Any, entry_key: str, spec: Spec, module: Callable[[str], str | None]) -> dict[str, bytes] | None:
    """The output kept under ``entry_key``, if every file it was made from is as it was
    and the cache holds every module it names; its warnings are given again."""
    found = store.get(NAMESPACE, entry_key)
    if found is None:
        return None
    header, body = found
    try:
        for written, resolved in header["links"]:
            try:
                if Path(written).resolve() != Path(resolved):
                    return None  # a link that points elsewhere now
            except (OSError, ValueError):
                return None
        for path, digest in header["read"]:
            try:
                if _text_hash(read_text(Path(path))) != digest:
                    return None
            except SpecError:
                return None  # gone, or no longer text
        files: dict[str, bytes] = {}
        at = 0
        for name, how, value in header["files"]:
            if how == INLINE:
                files[name] = body[at:at + value]
                at += value
            elif how == MODULE:
                text = module(value)
                if text is None:
                    return None  # the module's entry was dropped since
                files[name] = text.encode("utf-8")
            else:
                raise ValueError(how)
        if at != len(body):
            raise ValueError("length")
        warnings = [SpecError(str(f), None if p is None else str(p), str(m)) for f, p, m in header["warnings"]]
    except (KeyError, TypeError, ValueError):
        store.damaged += 1
        return None
    for warning in warnings:
        spec.warnings.append(warning)
        spec.on_warning(warning)
    return files


def put(store: Any, entry_key: str, spec: Spec, files: dict[str, bytes], module_keys: dict[str, str],
        warnings: list[SpecError]) -> None:
    """Keep the output: formatted modules by their key in the formatter's entries."""
    read = [[str(path), _text_hash(text)] for path, text in spec.texts.items() if path != spec.root_file]
    listed: list[list[Any]] = []
    parts: list[bytes] = []
    for name, data in files.items():
        if name in module_keys:
            listed.append([name, MODULE, module_keys[name]])
        else:
            listed.append([name, INLINE, len(data)])
            parts.append(data)
    links = [[str(written), str(resolved)] for written, resolved in spec.links.items()]
    header = {"read": read, "links": links, "files": listed,
              "warnings": [[w.file, w.pointer, w.message] for w in warnings]}
    store.put(NAMESPACE, entry_key, header, b"".join(parts))
