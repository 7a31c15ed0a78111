"""Turn the IR into module text with Jinja templates.

Spec text reaches the output only through the filters below: ``literal`` makes a
Python literal and ``docstring`` a docstring that cannot end early. Nothing from the
spec is ever rendered as a template.
"""

from __future__ import annotations

import ast
import json
import math
import re
import unicodedata
from pathlib import Path
from typing import Any, NamedTuple

import jinja2

from . import ir
from .errors import UsageError
from .units import Units, uncached


def _builtin_templates() -> Path:
    """``generator/templates`` in an installed copy (the wheel maps the repository's
    top-level ``templates/`` there); the repository's own folder when run from it."""
    here = Path(__file__).resolve().parent
    installed = here / "templates"
    return installed if installed.is_dir() else here.parent / "templates"


BUILTIN_TEMPLATES = _builtin_templates()
# The modules every generated package carries verbatim (see generator/runtime/__init__.py).
RUNTIME = Path(__file__).resolve().parent / "runtime"

# Where an output file's text comes from; ``source()`` picks one per file.
OVERRIDE_FILE = "override file"  # DIR/<output name>: header + text for .py, else as it is
OVERRIDE_TEMPLATE = "override template"  # DIR/<output name>.jinja
RUNTIME_MODULE = "runtime module"  # generator/runtime/<output name>: header + text
TEMPLATE = "template"  # templates/<output name>.jinja
EMPTY = "empty"  # py.typed

# (output file, what is built in, needs operations) in the order they are written; a
# package whose spec has no operations gets no client (and no HTTP runtime).
FILES = (
    ("__init__.py", TEMPLATE, False),
    ("_runtime.py", RUNTIME_MODULE, False),
    ("errors.py", RUNTIME_MODULE, False),
    ("models.py", TEMPLATE, False),
    ("_transport.py", RUNTIME_MODULE, True),
    ("_retries.py", RUNTIME_MODULE, True),
    ("_encoding.py", RUNTIME_MODULE, True),
    ("_response.py", RUNTIME_MODULE, True),
    ("_streaming.py", RUNTIME_MODULE, True),
    ("_base_client.py", RUNTIME_MODULE, True),
    ("client.py", TEMPLATE, True),
    ("_testing.py", RUNTIME_MODULE, True),
    ("testing.py", TEMPLATE, True),
    ("py.typed", EMPTY, False),
    ("README.md", TEMPLATE, False),
)


class Source(NamedTuple):
    kind: str
    where: str  # the file (OVERRIDE_FILE, RUNTIME_MODULE) or template name; "" for EMPTY


def source(name: str, builtin: str, overrides: Path | None) -> Source:
    """Where the text of output file ``name`` comes from: a file of that name in the
    overrides folder, else a template ``<name>.jinja`` there, else what is built in."""
    if overrides is not None:
        if (overrides / name).is_file():
            return Source(OVERRIDE_FILE, str(overrides / name))
        if (overrides / f"{name}.jinja").is_file():
            return Source(OVERRIDE_TEMPLATE, f"{name}.jinja")
    if builtin == RUNTIME_MODULE:
        return Source(RUNTIME_MODULE, str(RUNTIME / name))
    return Source(builtin, f"{name}.jinja" if builtin == TEMPLATE else "")


class Rendered(NamedTuple):
    text: str
    needs_formatting: bool  # whether the text still goes through the formatter


# Characters that would end a line, or confuse a reader or a tool, inside a literal.
_UNSAFE = {i: f"\\x{i:02x}" for i in range(32) if chr(i) not in "\n\t"}
_UNSAFE.update({0x7F: "\\x7f", 0x85: "\\x85", 0x2028: "\\u2028", 0x2029: "\\u2029", 0xFEFF: "\\ufeff"})


def literal(value: Any) -> str:
    """A Python literal for a JSON value."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} has no JSON form")
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    if isinstance(value, ir.JsonValue):
        return literal(value.value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no literal for {type(value).__name__}")


def _escape_invisible(s: str) -> str:
    """Escape the controls, format characters (bidi overrides, zero-width) and line
    separators that ``_UNSAFE`` does not list, so no text hides from a reader."""
    out = []
    for ch in s:
        if ch in "\n\t" or ch.isprintable() or unicodedata.category(ch) in ("Zs", "Co", "Cn"):
            out.append(ch)
        else:
            n = ord(ch)
            out.append(f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}")
    return "".join(out)


def docstring_text(text: Any) -> str:
    """Text that is safe inside a triple-double-quoted string."""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    s = s.replace("\\", "\\\\").translate(_UNSAFE)
    if not s.replace("\n", "").replace("\t", "").isprintable():
        s = _escape_invisible(s)
    s = s.replace('"""', '\\"\\"\\"')
    return s


def comment_text(text: Any) -> str:
    """Text that stays on one comment line."""
    return docstring_text(text).replace("\n", "\\n").replace("\t", "\\t")


def docstring(text: Any) -> str:
    """A complete docstring literal: ``\"\"\"text\"\"\"``, whatever the text holds."""
    s = docstring_text(str(text).strip())
    lines = [line.rstrip() for line in s.split("\n")]
    s = "\n".join(lines)
    # a closing quote of the text would run into the closing """: escape it, unless the
    # backslashes before it (every input backslash is doubled) already do
    # (black and ruff disagree on a docstring ending in ``\"``: end it in ``\x22``)
    if s.endswith('"'):
        escaped = (len(s) - 1 - len(s[:-1].rstrip("\\"))) % 2 == 1
        s = s[: -2 if escaped else -1] + "\\x22"
    # black puts the closing quotes of a long last line on a line of their own, ruff's
    # formatter does not: do it here, for any indent up to 12, so both leave it as it is
    if "\n" in s and len(s.rsplit("\n", 1)[1]) + 3 + 12 > 88:
        s += "\n"
    return '"""' + s + '"""'


def parameter(arg: str, annotation: str, default: str | None = None, indent: int = 8) -> str:
    """One parameter of a signature laid out one per line. A union annotation too long
    for its line is put in parentheses here: black adds them itself, ruff's formatter
    splits the union instead, so both keep these."""
    text = f"{arg}: {annotation}" + ("" if default is None else f" = {default}")
    if indent + len(text) + 1 > 88 and _top_level_union(annotation):  # + the trailing comma
        text = f"{arg}: ({annotation})" + ("" if default is None else f" = {default}")
    return text


def _top_level_union(annotation: str) -> bool:
    """Whether ``annotation`` has a ``|`` outside brackets and string literals."""
    depth, quote, i = 0, "", 0
    while i < len(annotation):
        ch = annotation[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "|" and depth == 0:
            return True
        i += 1
    return False


def markdown_text(text: Any) -> str:
    """One line of plain text for the generated README."""
    return " ".join(str(text).split()).replace("<", "&lt;")


def markdown_cell(text: Any) -> str:
    """``markdown_text`` for a cell of a Markdown table, where ``|`` would end the cell."""
    return markdown_text(text).replace("|", "\\|")


def environment(overrides: Path | None = None,
                bytecode_cache: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    """The templates (``overrides`` first), compiled once per template text into
    ``bytecode_cache`` when one is given (``cache.TemplateCache``: the cache folder):
    compiling them costs a cold run ~0.4 s."""
    loaders: list[jinja2.BaseLoader] = []
    if overrides is not None:
        loaders.append(jinja2.FileSystemLoader(str(overrides)))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        bytecode_cache=bytecode_cache,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        literal=literal,
        docstring=docstring,
        docstring_text=docstring_text,
        comment_text=comment_text,
        markdown_text=markdown_text,
        markdown_cell=markdown_cell,
        parameter=parameter,
        expected=ir.expected,
        unwrap=ir.unwrap,
        tojson=lambda v: json.dumps(v, ensure_ascii=False),
    )
    # imported here: codegen quotes values with ``literal`` above
    from . import codegen

    env.globals.update(
        check=codegen.check,
        fails=codegen.fails,
        fails_all=codegen.fails_all,
        error=codegen.error,
        kind_test=codegen.kind_test,
        unchecked=codegen.unchecked,
        decode_into=codegen.decode_into,
        encode=codegen.encode,
        encode_in_display=codegen.encode_in_display,
        exact_input=codegen.exact_input,
        read_field=codegen.read_field,
        tuple_display=codegen.tuple_display,
        kit_check=codegen.kit_check,
        kit_parse=codegen.kit_parse,
        kit_form_parse=codegen.kit_form_parse,
        decode_value=codegen.decode_value,
        direct_decoder=codegen.direct_decoder,
    )
    return env


def _formatted_comments(header: str) -> bool:
    """Whether ``header`` is lines of ``# text`` that neither black nor ruff's formatter
    would touch (the built-in header always is): then header + a runtime module, which
    is in their format, needs no formatting."""
    lines = header.split("\n")
    return lines[-1] == "" and all(re.fullmatch(r"#(?: .*\S)?", line) and line.isprintable() for line in lines[:-1])


def _read_override(path: str, python: bool) -> str:
    """A user's file that replaces an output file: Python is checked here, so that a
    mistake in it is the user's error, not the formatter's; anything else is kept as it
    is, line endings included."""
    try:
        with open(path, encoding="utf-8", newline=None if python else "") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    if python:
        try:
            ast.parse(text, filename=path)
        except (SyntaxError, ValueError) as exc:
            line = f":{exc.lineno}" if isinstance(exc, SyntaxError) and exc.lineno else ""
            raise UsageError(f"{path}{line}: not valid Python: {getattr(exc, 'msg', exc)}") from None
    return text


def render(package: ir.Package, formatter_version: str, overrides: Path | None = None,
           bytecode_cache: jinja2.BytecodeCache | None = None, units: Units | None = None) -> dict[str, Rendered]:
    """Every output file's text. ``units`` keeps the built-in templates' units (see
    ``generator/units.py``) between runs; without it each is rendered."""
    env = environment(overrides, bytecode_cache)
    values: dict[str, Any] = {"package": package, "formatter_version": formatter_version, "unit": uncached}
    header = env.get_template("_header.jinja").render(values)
    out: dict[str, Rendered] = {}
    for name, builtin, needs_operations in FILES:
        if needs_operations and not package.operations:
            continue
        kind, where = source(name, builtin, overrides)
        if kind == OVERRIDE_FILE and name.endswith(".py"):
            out[name] = Rendered(header + _read_override(where, python=True), True)
        elif kind == OVERRIDE_FILE:
            out[name] = Rendered(_read_override(where, python=False), False)
        elif kind == RUNTIME_MODULE:
            text = Path(where).read_text(encoding="utf-8")
            out[name] = Rendered(header + text, not _formatted_comments(header))
        elif kind == EMPTY:
            out[name] = Rendered("", False)
        else:
            unit = units.function(name) if units is not None and kind == TEMPLATE else uncached
            out[name] = Rendered(env.get_template(where).render(values, unit=unit), name.endswith(".py"))
    if units is not None:
        units.save()
    return out
