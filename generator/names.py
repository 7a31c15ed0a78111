"""Python names for spec names: attributes, classes, functions."""

from __future__ import annotations

import re
import unicodedata

# Hard keywords only, a fixed list so the output is the same whatever Python runs the
# generator. Soft keywords and builtins (``type``, ``id``, ``match``) stay as they are.
HARD_KEYWORDS = frozenset(
    """False None True and as assert async await break class continue def del elif else
    except finally for from global if import in is lambda nonlocal not or pass raise
    return try while with yield""".split()
)

# Methods every generated model has: a field by one of these names takes a trailing
# underscore.
MODEL_METHODS = frozenset({"from_dict", "from_json", "to_dict", "to_json"})

# Names a model's class body uses: the decorator it runs at import time, and the types
# its annotations name (mypy looks names up in the class first, so a field ``str``
# would turn every later ``str`` annotation into an error). A field by one of these
# names, or by the name of a generated class or alias, takes a trailing underscore.
CLASS_SCOPE_NAMES = frozenset({"classmethod", "str", "int", "float", "bool", "list", "dict", "Any", "Literal", "Mapping"})

# Members of the generated clients (and the types their signatures name): an
# operation whose method name is one of these takes a trailing underscore.
CLIENT_MEMBERS = frozenset(
    {"close", "base_url", "timeout", "max_retries", "with_raw_response", "str", "int", "float", "bool", "list", "dict"}
)

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def _clean(name: str) -> str:
    name = unicodedata.normalize("NFKC", name)
    out = []
    for ch in name:
        out.append(ch if (ch == "_" or ch.isalnum()) and ("a" + ch).isidentifier() else "_")
    return "".join(out)


def _identifier(name: str, prefix: str) -> str:
    """``name`` as Python will read it (NFKC), prefixed if it cannot start an identifier."""
    name = unicodedata.normalize("NFKC", name)
    if not name.isidentifier():
        name = unicodedata.normalize("NFKC", prefix + name)
    return name


def attribute_name(json_name: str, taken: set[str]) -> str:
    """The dataclass attribute for a JSON property name."""
    name = _clean(json_name)
    if not name.strip("_"):
        name = "field" + name
    if name.startswith("_"):
        # leading underscores would be private (or name-mangled); move them to the end
        stripped = name.lstrip("_")
        name = stripped + "_" * (len(name) - len(stripped))
    if name[0].isdigit():
        name = "n" + name
    name = _identifier(name, "n")
    if name in HARD_KEYWORDS or name in MODEL_METHODS:
        name += "_"
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def words(name: str) -> list[str]:
    name = unicodedata.normalize("NFKC", name)
    parts: list[str] = []
    for chunk in re.split(r"[\W_]+", name):
        if not chunk:
            continue
        if chunk.isascii():
            parts.extend(_WORD.findall(chunk) or [chunk])
        else:
            parts.extend(_unicode_words(_clean(chunk)))
    return [p for p in parts if p]


def _unicode_words(chunk: str) -> list[str]:
    """``_WORD`` for letters beyond ASCII: ``obtenerÑandú`` -> ``obtener``, ``Ñandú``."""
    out: list[str] = []
    for i, ch in enumerate(chunk):
        prev = chunk[i - 1] if i else ""
        nxt = chunk[i + 1] if i + 1 < len(chunk) else ""
        boundary = bool(prev) and (
            (ch.isupper() and (prev.islower() or prev.isdigit() or (prev.isupper() and nxt.islower())))
            or (ch.isdigit() != prev.isdigit())
        )
        if boundary or not out:
            out.append(ch)
        else:
            out[-1] += ch
    return out


def pascal(name: str) -> str:
    """``fine_tuning-job`` -> ``FineTuningJob``; keeps existing PascalCase."""
    ws = words(name)
    return "".join(w[:1].upper() + w[1:] for w in ws)


def snake(name: str) -> str:
    """``resumeFineTuningJob`` -> ``resume_fine_tuning_job``."""
    return "_".join(w.lower() for w in words(name))


def class_name(raw: str, taken: set[str], reserved: frozenset[str]) -> str:
    name = pascal(raw) or "Model"
    if name[0].isdigit():
        name = "Model" + name
    name = _identifier(name, "Model")
    if name in HARD_KEYWORDS or name in reserved:
        name += "Model"
    base, n = name, 2
    while name in taken:
        name = f"{base}{n}"
        n += 1
    taken.add(name)
    return name


def method_name(operation_id: str) -> str:
    """The client method for an operationId: ``resumeFineTuningJob`` -> ``resume_fine_tuning_job``."""
    name = snake(operation_id) or "call"
    if name[0].isdigit():
        name = "op_" + name
    name = _identifier(name, "op_")
    if name in HARD_KEYWORDS or name in CLIENT_MEMBERS:
        name += "_"
    return name
