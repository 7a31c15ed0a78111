"""Command line: ``python -m generator generate|check|extract|changes``.

Exit codes: 0 ok, 1 drift (check) or a change at or above ``--fail-on`` (changes), 2 bad
input. Errors are one line on stderr; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import keyword
import re
import sys
import tomllib
from pathlib import Path
from typing import Any, Sequence

from . import __version__
from .cache import DEFAULT_MAX_MB
from .errors import SpecError, UsageError
from .progress import Progress

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
    unknown = sorted(set(section) - set(CONFIG_KEYS))
    if unknown:
        raise UsageError(f"{path}: [tool.{DIST}]: unknown key(s) {', '.join(unknown)}")
    for key, value in section.items():
        kind, what = CONFIG_KEYS[key]
        if not _is_toml(value, kind) or (kind is int and value < 1):
            raise UsageError(f"{path}: [tool.{DIST}].{key} must be {what}")
        if key == "client_options":
            _check_client_options(path, value)
        elif key == "example_extensions":
            if not all(isinstance(v, str) and v.startswith("x-") for v in value):
                raise UsageError(f"{path}: [tool.{DIST}].{key} must be {what}")
        elif kind is dict:
            for k, v in value.items():
                if not isinstance(v, str):
                    raise UsageError(f"{path}: [tool.{DIST}].{key}.{k} must be a string")
    return dict(section)


# Each key of [tool.oas-dataclasses], the TOML type it takes and how an error says so.
CONFIG_KEYS: dict[str, tuple[type, str]] = {
    "schema": (str, "a string"),
    "out": (str, "a string"),
    "package": (str, "a string"),
    "env_prefix": (str, "a string"),
    "templates": (str, "a string"),
    "formatter": (str, "a string"),
    "strict_spec": (bool, "a boolean"),
    "accept": (str, "a string"),
    "ref_map": (dict, 'a table of "URL_PREFIX" = "DIR"'),
    "client_options": (dict, "a table of NAME = { header = \"Header-Name\", env = \"ENV_VAR\" }"),
    "example_extensions": (list, 'a list of vendor extension names ("x-...")'),
    "jobs": (int, "a positive integer"),
    "cache_max_mb": (int, "a positive integer"),
}

# constructor arguments every client has: a configured option cannot take their names
CLIENT_ARGUMENTS = frozenset({
    "self", "api_key", "base_url", "timeout", "max_retries", "max_response_bytes", "default_headers",
    "transport", "strict_responses",
})
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _check_client_options(path: Path, table: dict[str, Any]) -> None:
    """``[tool.oas-dataclasses.client_options]``: each NAME a Python identifier that is
    not already a constructor argument, with a ``header`` and an ``env`` and nothing else."""
    where = f"{path}: [tool.{DIST}.client_options]"
    headers: dict[str, str] = {}
    for name, spec in table.items():
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            raise UsageError(f"{where}: {name!r} is not a usable argument name")
        if name in CLIENT_ARGUMENTS:
            raise UsageError(f"{where}: {name!r} is already a client argument")
        if not isinstance(spec, dict) or set(spec) != {"header", "env"}:
            raise UsageError(f'{where}.{name} must be a table with exactly header = "..." and env = "..."')
        header, env = spec["header"], spec["env"]
        if not isinstance(header, str) or not _HEADER_NAME.fullmatch(header):
            raise UsageError(f"{where}.{name}.header must be an HTTP header name")
        if header.lower() in headers:
            raise UsageError(f"{where}.{name}.header {header!r} is also {headers[header.lower()]!r}'s")
        headers[header.lower()] = name
        if not isinstance(env, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env):
            raise UsageError(f"{where}.{name}.env must be an environment variable name")


def _is_toml(value: Any, kind: type) -> bool:
    """``value`` has the TOML type ``kind`` (a boolean is not an integer)."""
    return isinstance(value, kind) and (kind is bool or not isinstance(value, bool))


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
        p.add_argument("--templates", metavar="DIR",
                       help="templates that override the built-in ones by file name; a file named like an "
                            "output file (errors.py, README.md) replaces that file")
        p.add_argument("--env-prefix", dest="env_prefix", metavar="PREFIX",
                       help="the client reads PREFIX_<CREDENTIAL> (PREFIX_API_KEY) and PREFIX_BASE_URL (default OPENAI)")
        p.add_argument("--no-cache", action="store_true", help="do not use the formatting cache")
        p.add_argument("--jobs", metavar="N",
                       help="worker processes that format (default: one per core; 1: none)")
        p.add_argument("--formatter", choices=("black", "ruff"), default=None,
                       help="black (default, the formatter of record) or ruff's black-compatible formatter")
        p.add_argument("--ref-map", dest="ref_map", metavar="URL_PREFIX=DIR", action="append", default=None,
                       help="read remote $refs that start with URL_PREFIX from the local folder DIR (repeatable)")
        p.add_argument("--strict-spec", dest="strict_spec", action="store_true", default=None,
                       help="treat every warning about the spec as an error (exit 2)")
        p.add_argument("--debug", action="store_true", help="show a traceback on errors")

    g = sub.add_parser("generate", help="write DIR/NAME/ from the schema, replacing it atomically")
    common(g)
    g.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr, even on a terminal")
    c = sub.add_parser("check", help="exit 1 and show diffs if DIR/NAME/ is not what generate would write")
    common(c)
    c.add_argument("--quiet", "-q", action="store_true",
                   help="print nothing (no diffs, no progress), only set the exit code")

    e = sub.add_parser("extract", help="write a self-contained fragment holding the chosen operations")
    e.add_argument("--schema", "--spec", dest="schema", metavar="FILE", required=True,
                   help="the OpenAPI file to cut from (YAML or JSON)")
    e.add_argument("--operation", dest="operations", metavar="OPID", action="append", required=True,
                   help="an operationId to keep (repeat for more)")
    e.add_argument("--out", metavar="FILE",
                   help="where to write the fragment (JSON if the name ends in .json, else YAML); default stdout")
    e.add_argument("--debug", action="store_true", help="show a traceback on errors")

    d = sub.add_parser("changes", help="list what changes for code using the package; exit 1 if the gate fails")
    d.add_argument("old", metavar="OLD", help="the spec the package was generated from")
    d.add_argument("new", metavar="NEW", help="the spec it would be generated from")
    d.add_argument("--format", default="text", metavar="FORMAT",
                   help="text (default), json, markdown (a pull-request comment) or github (workflow annotations)")
    d.add_argument("--fail-on", dest="fail_on", default="breaking", metavar="TIER",
                   help="exit 1 on a change of this tier or higher: breaking (default), risk or additive")
    d.add_argument("--accept", metavar="FILE",
                   help="a YAML list of reviewed changes ({subject, tier, reason, side}) that do not fail "
                        "(default: accept in [tool.oas-dataclasses])")
    d.add_argument("--no-accept", dest="no_accept", action="store_true",
                   help="ignore the accept file of the configuration")
    d.add_argument("--debug", action="store_true", help="show a traceback on errors")
    return parser


def _options(args: argparse.Namespace) -> Any:
    from .pipeline import Options

    config = read_config(Path.cwd())
    merged = {**DEFAULTS, **config}
    for key in ("schema", "out", "package", "templates", "env_prefix", "formatter", "strict_spec"):
        value = getattr(args, key, None)
        if value is not None:
            merged[key] = value
    ref_map = dict(merged.get("ref_map", {}))
    for item in args.ref_map or ():
        prefix, sep, folder = item.partition("=")
        if not sep or not prefix or not folder:
            raise UsageError(f"--ref-map {item!r} must be URL_PREFIX=DIR")
        ref_map[prefix] = folder
    for prefix, folder in ref_map.items():
        if not Path(folder).is_dir():
            raise UsageError(f"ref map folder {folder} (for {prefix}) does not exist")
    package = merged["package"]
    if not package.isidentifier() or keyword.iskeyword(package):
        raise UsageError(f"package name {package!r} is not a Python identifier")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", merged["env_prefix"]):
        raise UsageError(f"environment prefix {merged['env_prefix']!r} must be letters, digits and underscores")
    out = Path(merged["out"])
    if out.exists() and not out.is_dir():
        raise UsageError(f"output folder {out} is not a folder")
    formatter = merged.get("formatter", "black")
    if formatter not in ("black", "ruff"):
        raise UsageError(f"formatter {formatter!r} must be black or ruff")
    jobs = merged.get("jobs")
    if args.jobs is not None:
        if not re.fullmatch(r"[0-9]+", args.jobs) or int(args.jobs) < 1:
            raise UsageError(f"--jobs {args.jobs!r} must be a positive integer")
        jobs = int(args.jobs)
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
        formatter=formatter,
        ref_map=tuple((prefix, Path(folder).resolve()) for prefix, folder in sorted(ref_map.items())),
        strict_spec=bool(merged.get("strict_spec", False)),
        client_options=tuple(
            (name, spec["header"], spec["env"]) for name, spec in merged.get("client_options", {}).items()
        ),
        example_extensions=tuple(merged.get("example_extensions", ())),
        jobs=jobs,
        cache_max_mb=merged.get("cache_max_mb", DEFAULT_MAX_MB),
    )


def _generate(args: argparse.Namespace) -> int:
    from .output import write_tree
    from .pipeline import build

    options = _options(args)
    progress = Progress(quiet=args.quiet)
    try:
        files = build(options, progress)
        progress.stage("writing")
        try:
            write_tree(options.out, options.package, files)
        except OSError as exc:  # the folder, not the generator: say so, not "internal error"
            raise UsageError(f"cannot write {options.out / options.package}: {exc.strerror or exc}") from None
    finally:
        progress.done()
    return 0


def _check(args: argparse.Namespace) -> int:
    from .output import diff_trees, read_tree
    from .pipeline import build

    options = _options(args)
    progress = Progress(quiet=args.quiet)
    try:
        files = build(options, progress)
    finally:
        progress.done()
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


def _print_utf8(text: str) -> None:
    """Spec text on stdout as UTF-8, whatever the terminal's locale."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
    else:
        buffer.write(text.encode("utf-8"))
        buffer.flush()


def _extract(args: argparse.Namespace) -> int:
    from .extract import run

    out = Path(args.out) if args.out else None
    text = run(Path(args.schema), list(args.operations), out)
    if out is None:
        _print_utf8(text)
    return 0


def _changes(args: argparse.Namespace) -> int:
    from .changes import TIERS, compare_files
    from .reports import FORMATS, accept, read_accept, render

    if args.format not in FORMATS:
        raise UsageError(f"--format {args.format!r}: expected one of {', '.join(FORMATS)}")
    if args.fail_on not in TIERS:
        raise UsageError(f"--fail-on {args.fail_on!r}: expected one of {', '.join(TIERS)}")
    accept_file = args.accept
    if accept_file is None and not args.no_accept:
        accept_file = read_config(Path.cwd()).get("accept")
    entries = read_accept(Path(accept_file)) if accept_file else []
    report = compare_files(args.old, args.new)
    if accept_file:
        report, warnings = accept(report, entries, accept_file)
        for line in warnings:
            print(line, file=sys.stderr)
    _print_utf8(render(report, args.format, args.old, args.new))
    return 1 if report.fails(args.fail_on) else 0


COMMANDS = {"generate": _generate, "check": _check, "extract": _extract, "changes": _changes}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    debug = getattr(args, "debug", False)
    try:
        return COMMANDS[args.command](args)
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
