"""Command line: ``python -m generator generate|check``.

Exit codes: 0 ok, 1 drift (check), 2 bad input. Errors are one line on stderr;
``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from typing import Any, Sequence

from . import __version__
from .errors import SpecError, UsageError

DIST = "oas-dataclasses"
DEFAULTS = {"schema": "schema/fine_tuning.yaml", "out": "generated", "package": "fine_tuning_client", "env_prefix": "OPENAI"}


def read_config(start: Path) -> dict[str, Any]:
    """``[tool.oas-dataclasses]`` from the pyproject.toml of the folder the command runs in."""
    path = start / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read configuration: {exc}") from None
    section = data.get("tool", {}).get(DIST, {})
    if not isinstance(section, dict):
        raise UsageError(f"{path}: [tool.{DIST}] must be a table")
    known = {"schema", "out", "package", "env_prefix", "templates"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise UsageError(f"{path}: [tool.{DIST}]: unknown key(s) {', '.join(unknown)}")
    for key, value in section.items():
        if not isinstance(value, str):
            raise UsageError(f"{path}: [tool.{DIST}].{key} must be a string")
    return dict(section)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Generate a typed, dependency-free Python package from an OpenAPI description.",
    )
    parser.add_argument("--version", action="version", version=f"{DIST} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--schema", "--spec", dest="schema", metavar="FILE", help="the OpenAPI file (YAML or JSON)")
        p.add_argument("--out", metavar="DIR", help="the folder that holds the package")
        p.add_argument("--package", metavar="NAME", help="the package (folder) name")
        p.add_argument("--templates", metavar="DIR", help="templates that override the built-in ones by file name")
        p.add_argument("--no-cache", action="store_true", help="do not use the formatting cache")
        p.add_argument("--debug", action="store_true", help="show a traceback on errors")

    g = sub.add_parser("generate", help="write DIR/NAME/ from the schema, replacing it atomically")
    common(g)
    c = sub.add_parser("check", help="exit 1 and show diffs if DIR/NAME/ is not what generate would write")
    common(c)
    c.add_argument("--quiet", "-q", action="store_true", help="print nothing, only set the exit code")
    return parser


def _options(args: argparse.Namespace) -> Any:
    from .pipeline import Options

    config = read_config(Path.cwd())
    merged = {**DEFAULTS, **config}
    for key in ("schema", "out", "package", "templates"):
        value = getattr(args, key, None)
        if value is not None:
            merged[key] = value
    package = merged["package"]
    if not package.isidentifier():
        raise UsageError(f"package name {package!r} is not a Python identifier")
    out = Path(merged["out"])
    if out.exists() and not out.is_dir():
        raise UsageError(f"output folder {out} is not a folder")
    templates = Path(merged["templates"]) if merged.get("templates") else None
    if templates is not None and not templates.is_dir():
        raise UsageError(f"templates folder {templates} does not exist")
    return Options(
        schema=Path(merged["schema"]),
        out=out,
        package=package,
        templates=templates,
        env_prefix=merged["env_prefix"],
        use_cache=not args.no_cache,
    )


def _generate(args: argparse.Namespace) -> int:
    from .output import write_tree
    from .pipeline import build

    options = _options(args)
    files = build(options)
    try:
        write_tree(options.out, options.package, files)
    except OSError as exc:  # the folder, not the generator: say so, not "internal error"
        raise UsageError(f"cannot write {options.out / options.package}: {exc.strerror or exc}") from None
    return 0


def _check(args: argparse.Namespace) -> int:
    from .output import diff_trees, read_tree
    from .pipeline import build

    options = _options(args)
    files = build(options)
    on_disk = read_tree(options.out / options.package)
    diffs = diff_trees(files, on_disk, (options.out / options.package).as_posix())
    if not diffs:
        return 0
    if not args.quiet:
        sys.stdout.write("".join(diffs))
        sys.stderr.write(
            f"{len(diffs)} file(s) differ from what the schema and templates give; "
            "run `python -m generator generate`\n"
        )
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    debug = getattr(args, "debug", False)
    try:
        if args.command == "generate":
            return _generate(args)
        return _check(args)
    except (SpecError, UsageError) as exc:
        if debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    except Exception as exc:  # a generator bug: still one line unless --debug
        if debug:
            raise
        print(f"error: internal error ({type(exc).__name__}: {exc}); rerun with --debug for a traceback", file=sys.stderr)
        return 3
