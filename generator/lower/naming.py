"""Python names for spec names: attributes, classes, functions, and the names that
generated code reserves."""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from .. import ir

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


def _usable(name: str, prefix: str, reserved: frozenset[str], suffix: str) -> str:
    """``name`` (not empty) as an identifier Python reads as written: ``prefix`` before a
    leading digit or a character that cannot start one, ``suffix`` after a hard keyword
    or a ``reserved`` name."""
    if name[0].isdigit():
        name = prefix + name
    name = _identifier(name, prefix)
    if name in HARD_KEYWORDS or name in reserved:
        name += suffix
    return name


# Operator characters in wire names (filters such as ``DateSent<``), one fixed table,
# longest first; ``[x]`` becomes ``_x``.
OPERATORS = (("<=", "_lte"), (">=", "_gte"), ("!=", "_ne"), ("<", "_lt"), (">", "_gt"))
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
_SNAKE = re.compile(r"[a-z0-9_]*")


def attribute_name(json_name: str, taken: set[str], reserved: frozenset[str] = frozenset()) -> str:
    """The attribute or argument for a wire name: its snake case (PEP 8, as
    openapi-python-client does: ``InvoiceID`` -> ``invoice_id``, ``DateSent<`` ->
    ``date_sent_lt``); a name already in snake case is kept as it is. A hard keyword, a
    model method or a ``reserved`` name (a client method's own arguments) takes ``_``;
    a clash left after that takes a numeric suffix."""
    name = json_name
    for op, word in OPERATORS:
        name = name.replace(op, word)
    name = _BRACKETS.sub(r"_\1", name)
    if not _SNAKE.fullmatch(name):
        name = snake(name) or _clean(name)
    else:
        name = _clean(name)
    if not name.strip("_"):
        name = "field" + name
    if name.startswith("_"):
        # leading underscores would be private (or name-mangled); move them to the end
        stripped = name.lstrip("_")
        name = stripped + "_" * (len(name) - len(stripped))
    name = _usable(name, "n", MODEL_METHODS | reserved, "_")
    base, n = name, 2
    while name in taken:
        name = f"{base}{n}" if base.endswith("_") else f"{base}_{n}"
        n += 1
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


# The longest class name made up here: a name composed of a schema's and its fields'
# names keeps its first word and as many of its last words as fit. A spec's own
# component name is kept whole, however long.
MAX_CLASS_NAME = 60


def class_name(raw: str, taken: set[str], reserved: frozenset[str], spec_name: bool = False) -> str:
    """A class or alias name for ``raw``, unique among ``taken``."""
    name = _usable(_short(pascal(raw), spec_name) or "Model", "Model", reserved, "Model")
    base, n = name, 2
    while name in taken:
        name = f"{base}{n}"
        n += 1
    taken.add(name)
    return name


def _short(name: str, spec_name: bool) -> str:
    if spec_name or len(name) <= MAX_CLASS_NAME:
        return name
    parts = [w[:1].upper() + w[1:] for w in words(name)]
    head, tail = parts[0], list[str]()
    for w in reversed(parts[1:]):
        if len(head) + len(w) + sum(map(len, tail)) > MAX_CLASS_NAME:
            break
        tail.insert(0, w)
    return head + "".join(tail)


def method_name(operation_id: str) -> str:
    """The client method for an operationId: ``resumeFineTuningJob`` -> ``resume_fine_tuning_job``."""
    return _usable(snake(operation_id) or "call", "op_", CLIENT_MEMBERS, "_")


# Names the generated models module imports; a schema by one of these names is renamed.
RESERVED_NAMES = frozenset({"Any", "Literal", "TypeAlias", "Mapping", "dataclass", "field", "annotations"}) | frozenset(
    # what the package's __init__ and client modules define or import beside the models
    """Client AsyncClient ClientWithRawResponse AsyncClientWithRawResponse Transport AsyncTransport
    HTTPTransport Request Response RawResponse Headers ClientError DecodeError APIError APIStatusError
    BadRequestError AuthenticationError PermissionDeniedError NotFoundError ConflictError
    UnprocessableEntityError RateLimitError InternalServerError APIConnectionError APITimeoutError
    APIResponseValidationError """
    # capitalised builtins, which generated code may use (``except KeyError``); a fixed list
    """ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup BlockingIOError
    BrokenPipeError BufferError BytesWarning ChildProcessError ConnectionAbortedError ConnectionError
    ConnectionRefusedError ConnectionResetError DeprecationWarning EOFError Ellipsis EncodingWarning
    EnvironmentError Exception ExceptionGroup FileExistsError FileNotFoundError FloatingPointError
    FutureWarning GeneratorExit IOError ImportError ImportWarning IndentationError IndexError
    InterruptedError IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError
    ModuleNotFoundError NameError NotADirectoryError NotImplemented NotImplementedError OSError
    OverflowError PendingDeprecationWarning PermissionError ProcessLookupError RecursionError
    ReferenceError ResourceWarning RuntimeError RuntimeWarning StopAsyncIteration StopIteration
    SyntaxError SyntaxWarning SystemError SystemExit TabError TimeoutError TypeError UnboundLocalError
    UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning
    UserWarning ValueError Warning ZeroDivisionError""".split()
)


def pascal_hint(*parts: str) -> str:
    """A class-name hint from spec names: ``("createJob", "Request")`` -> ``CreateJobRequest``."""
    return "".join(pascal(p) for p in parts)


def field_hint(json_name: str) -> str:
    """The part a property adds to the name of a type hoisted from it."""
    return pascal(json_name) or "Field"


def unshadow(model: ir.Model, type_names: set[str]) -> ir.Model:
    """Rename fields whose attribute would shadow, in the class body, a name the class
    uses: a type its annotations name or the decorator it runs (see CLASS_SCOPE_NAMES)."""
    attrs = {f.attr for f in model.fields}
    if not any(a in CLASS_SCOPE_NAMES or a in type_names for a in attrs):
        return model
    fields = []
    for f in model.fields:
        attr = f.attr
        if attr in CLASS_SCOPE_NAMES or attr in type_names:
            while attr in attrs or attr in CLASS_SCOPE_NAMES or attr in type_names:
                attr += "_"
            attrs.add(attr)
            f = dataclasses.replace(f, attr=attr)
        fields.append(f)
    return dataclasses.replace(model, fields=tuple(fields))

