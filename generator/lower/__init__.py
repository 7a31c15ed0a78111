"""Lower a loaded spec to the IR: every decision about the output is made here.

One module per concern:

- ``dialect``: reading one schema node in one dialect (3.0 ``nullable``, type lists,
  enum and const, annotating ``allOf`` members) and the JSON type/format table;
- ``schemas``: schema nodes to IR types, named components (models and aliases),
  lists and maps;
- ``models``: object schemas and ``allOf`` to models and their fields;
- ``unions``: ``oneOf``/``anyOf`` and their dispatch (discriminators, JSON kinds);
- ``operations``: paths to operations (parameters, bodies, responses, streams, pages);
- ``naming``: Python names for spec names;
- ``context``: the state the others share while one spec is lowered.
"""

from __future__ import annotations

import dataclasses

from .. import __version__, ir
from ..errors import SpecError
from ..load import Spec, json_type
from . import kit, operations, schemas, security
from .context import Context
from .dialect import text, want
from .naming import unshadow


def lower(spec: Spec, package: str, env_prefix: str = "OPENAI",
          client_options: tuple[tuple[str, str, str], ...] = (),
          example_extensions: tuple[str, ...] = ()) -> ir.Package:
    """The IR of ``spec``, for a package called ``package`` whose client reads
    ``<env_prefix>_API_KEY`` and ``<env_prefix>_BASE_URL``; ``client_options`` are the
    configured (argument, header, environment variable) options; the operations'
    ``example_extensions`` carry example answers for the testing kit."""
    ctx = Context(spec)
    ctx.example_extensions = example_extensions
    try:
        return _package(ctx, package, env_prefix, tuple(ir.ClientOption(*o) for o in client_options))
    except RecursionError:
        raise SpecError(str(spec.root_file.name), None, "schemas nest too deeply") from None


def _package(ctx: Context, package: str, env_prefix: str, client_options: tuple[ir.ClientOption, ...]) -> ir.Package:
    spec, root = ctx.spec, ctx.spec.root
    # components first, in spec order, so that names do not depend on which
    # operation reaches a schema first
    components = want(spec.data.get("components"), dict, root.child("components"), "components", {})
    found = want(components.get("schemas"), dict, root.child("components", "schemas"), "schemas", {})
    for name, node in found.items():
        schemas.component(ctx, node, root.child("components", "schemas", name), name)
    ops, schemes = security.resolve(operations.operations(ctx), ctx.security_needs, ctx.security_schemes,
                                    env_prefix, {o.arg for o in client_options})
    operations.payloads(ctx)
    info = want(spec.data.get("info"), dict, root.child("info"), "info", {})
    want(info.get("title"), str, root.child("info", "title"), "title", None)
    if not isinstance(info.get("version", ""), (str, int, float)) or isinstance(info.get("version"), bool):
        raise root.child("info", "version").error(f"version must be a string, not {json_type(info['version'])}")
    want(info.get("description"), str, root.child("info", "description"), "description", None)
    servers_list = want(spec.data.get("servers"), list, root.child("servers"), "servers", [])
    servers = tuple(s["url"] for s in servers_list if isinstance(s, dict) and isinstance(s.get("url"), str))
    licence = info.get("license")
    models = tuple(unshadow(ctx.models[n], ctx.class_names) for n in ctx.order if n in ctx.models)
    return ir.Package(
        name=package,
        title=str(info.get("title", "")),
        version=str(info.get("version", "")),
        description=text(info.get("description")),
        license=str(licence.get("name")) if isinstance(licence, dict) and licence.get("name") else None,
        spec_file=spec.root_file.name,
        sha256=spec.sha256,
        models=models,
        aliases=_alias_order([ctx.aliases[n] for n in ctx.order if n in ctx.aliases]),
        codecs=tuple(ctx.codecs[k] for k in sorted(ctx.codecs)),
        operations=kit.with_minimal_answers(tuple(ops), models),
        servers=servers,
        env_prefix=env_prefix,
        generator_version=__version__,
        exports=tuple(ctx.order),
        client_options=client_options,
        security_schemes=schemes,
    )


def _alias_order(aliases: list[ir.Alias]) -> tuple[ir.Alias, ...]:
    """Aliases are evaluated at import time: each after the aliases it names; one that
    names itself, or an alias of its own cycle, is written as a string (``forward``)."""
    by_name = {a.name: a for a in aliases}
    done: dict[str, ir.Alias] = {}
    visiting: set[str] = set()

    def visit(a: ir.Alias) -> None:
        if a.name in done or a.name in visiting:
            return
        visiting.add(a.name)
        for ref in ir.named_types(a.target):
            if ref in by_name:
                visit(by_name[ref])
        visiting.discard(a.name)
        done[a.name] = a

    for a in aliases:
        visit(a)
    defined: set[str] = set()
    out = []
    for a in done.values():
        if any(ref in by_name and ref not in defined for ref in ir.named_types(a.target)):
            a = dataclasses.replace(a, forward=True)
        defined.add(a.name)
        out.append(a)
    return tuple(out)
