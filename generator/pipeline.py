"""schema file --load--> document --lower--> IR --render--> text --format--> tree."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

from . import output_cache
from .cache import DEFAULT_MAX_MB, TemplateCache
from .format import Formatter
from .load import load
from .lower import lower
from .progress import Progress, Silent
from .render import BUILTIN_TEMPLATES, render
from .units import Units


@dataclass(frozen=True)
class Options:
    schema: Path
    out: Path
    package: str
    templates: Path | None = None
    env_prefix: str = "OPENAI"
    use_cache: bool = True
    formatter: str = "black"
    # remote URL prefix -> local folder, for $refs a spec makes to other hosts
    ref_map: tuple[tuple[str, Path], ...] = ()
    strict_spec: bool = False
    # [tool.oas-dataclasses.client_options]: (argument, header, environment variable)
    client_options: tuple[tuple[str, str, str], ...] = ()
    # [tool.oas-dataclasses] example_extensions: operation extensions with example answers
    example_extensions: tuple[str, ...] = ()
    jobs: int | None = None  # worker processes for formatting; None: one per core
    cache_max_mb: int = DEFAULT_MAX_MB  # the cache folder is kept under this size


def build(options: Options, progress: Progress | None = None) -> dict[str, bytes]:
    """The whole output package in memory: relative path -> bytes."""
    progress = Silent() if progress is None else progress
    progress.stage("loading the spec")
    spec = load(options.schema, options.use_cache, ref_map=options.ref_map, strict_spec=options.strict_spec)
    # before lowering: a missing ruff fails fast
    formatter = Formatter(options.use_cache, options.formatter, options.jobs, options.cache_max_mb, progress)
    # The parsed spec lives as long as the run (millions of objects on a large spec):
    # keep it out of the full collections that lowering and rendering set off, unless
    # the caller manages frozen objects itself.
    froze = gc.get_freeze_count() == 0
    if froze:
        gc.freeze()
    try:
        # the whole output, when nothing it is made from changed (generator/output_cache.py)
        kept = None
        if options.use_cache:
            kept = output_cache.key(spec, _output_inputs(options), options.templates,
                                    f"{formatter.name} {formatter.version}; {formatter.label}")
            files = output_cache.get(formatter.store, kept, spec, formatter.module)
            if files is not None:
                return files
        warned = len(spec.warnings)
        formatter.warm_up()  # black is imported in a worker while this one lowers and renders
        progress.stage("lowering")
        package = lower(spec, options.package, options.env_prefix, options.client_options, options.example_extensions)
        progress.stage("rendering")
        files = {}
        store = formatter.store if options.use_cache else None
        # compiled templates are kept in the cache folder, the built-in ones also beside
        # themselves (checked against the template text)
        templates = TemplateCache(store, BUILTIN_TEMPLATES)
        # a unit of a built-in template (a model, an operation's method) is rendered only
        # when what it is made from changed
        units = Units(store, package.name)
        rendered = render(package, formatter.label, options.templates, templates, units)
        formatted = formatter.format_all({name: text for name, (text, needs) in rendered.items() if needs},
                                         units.small_change)
        for name, (text, needs_formatting) in rendered.items():
            files[name] = (formatted[name] if needs_formatting else text).encode("utf-8")
        if kept is not None:
            output_cache.put(formatter.store, kept, spec, files, formatter.module_keys, spec.warnings[warned:])
    finally:
        formatter.close()
        if froze:
            gc.unfreeze()
    return files


def _output_inputs(options: Options) -> dict[str, object]:
    """The options that reach the output (not where it goes, nor how it is made)."""
    return {
        "package": options.package,
        "env_prefix": options.env_prefix,
        "formatter": options.formatter,
        "ref_map": [[prefix, str(folder)] for prefix, folder in options.ref_map],
        "strict_spec": options.strict_spec,
        "client_options": [list(o) for o in options.client_options],
        "example_extensions": list(options.example_extensions),
        "templates": None if options.templates is None else str(options.templates.resolve()),
    }
