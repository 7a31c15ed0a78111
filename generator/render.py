"""Turn the IR into module text with Jinja templates.

Spec text reaches the output only through the filters below: ``literal`` makes a
Python literal and ``docstring`` a docstring that cannot end early. Nothing from the
spec is ever rendered as a template.
"""

from __future__ import annotations

import json
import math
import unicodedata
from pathlib import Path
from typing import Any

import jinja2

from . import ir

def _builtin_templates() -> Path:
    """``generator/templates`` in an installed copy (the wheel maps the repository's
    top-level ``templates/`` there); the repository's own folder when run from it."""
    here = Path(__file__).resolve().parent
    installed = here / "templates"
    return installed if installed.is_dir() else here.parent / "templates"


BUILTIN_TEMPLATES = _builtin_templates()

# (output file, template, needs operations) in the order they are written; a package
# whose spec has no operations gets no client (and no HTTP runtime).
FILES = (
    ("__init__.py", "__init__.py.jinja", False),
    ("_runtime.py", "_runtime.py.jinja", False),
    ("errors.py", "errors.py.jinja", False),
    ("models.py", "models.py.jinja", False),
    ("_http.py", "_http.py.jinja", True),
    ("client.py", "client.py.jinja", True),
    ("py.typed", None, False),
    ("README.md", "README.md.jinja", False),
)

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


def environment(overrides: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if overrides is not None:
        loaders.append(jinja2.FileSystemLoader(str(overrides)))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
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
    )
    return env


def render(package: ir.Package, formatter_version: str, overrides: Path | None = None) -> dict[str, str]:
    env = environment(overrides)
    out: dict[str, str] = {}
    for name, template, needs_operations in FILES:
        if needs_operations and not package.operations:
            continue
        if template is None:
            out[name] = ""
            continue
        out[name] = env.get_template(template).render(package=package, formatter_version=formatter_version)
    return out
