"""Strict decoding against ``jsonschema`` (Draft 2020-12): many schemas generated into one
package (one generation, one import), then any value judged by both."""

from __future__ import annotations

import importlib
import itertools
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema

from generator.output import write_tree
from generator.pipeline import Options, build

_counter = itertools.count()
ROOT = Path(__file__).resolve().parent.parent
HAVE_RUFF = (Path(sys.executable).parent / "ruff").is_file() or shutil.which("ruff") is not None


def generate(components: dict[str, Any], folder: Path, prefix: str = "diff_pkg") -> ModuleType:
    """One package holding ``components`` (name -> schema) as models and aliases,
    imported under a name of its own."""
    document = {"openapi": "3.1.0", "info": {"title": "Differential", "version": "1"}, "paths": {},
                "components": {"schemas": components}}
    spec = folder / "spec.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    name = f"{prefix}_{next(_counter)}"
    # ruff gives black's bytes (tests/test_formatters.py), in a fraction of the time
    write_tree(folder, name, build(Options(spec, folder, name, formatter="ruff" if HAVE_RUFF else "black")))
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))


def validator(schema: Any) -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(schema)


def strict_accepts(mod: ModuleType, type_: Any, value: Any) -> bool:
    try:
        mod.decode(type_, value)
    except mod.DecodeError:
        return False
    return True


def lenient_roundtrip(mod: ModuleType, type_: Any, value: Any) -> Any:
    """What lenient decoding gives back, encoded again: always ``value`` itself."""
    return mod.encode(mod.decode(type_, value, strict=False))



def same(a: Any, b: Any) -> bool:
    """Equal as JSON text is: ``1`` is not ``1.0`` nor ``True`` (``==`` says they are)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def fragment_judge() -> jsonschema.protocols.Validator:
    """jsonschema on the fragment's FineTuningJob, read as strict mode reads it (bounds,
    lengths, patterns and formats dropped: see ``strict_cases.referee``)."""
    import yaml

    from tests.strict_cases import referee

    doc = yaml.safe_load((ROOT / "schema" / "fine_tuning.yaml").read_text(encoding="utf-8"))
    schemas = {name: referee(s) for name, s in doc["components"]["schemas"].items()}
    return validator({"$ref": "#/components/schemas/FineTuningJob", "components": {"schemas": schemas}})
