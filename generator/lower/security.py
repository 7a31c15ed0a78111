"""Security schemes and requirements: what each call sends, and the client's credential
arguments.

``components/securitySchemes`` says how each scheme sends its credential; the
document's ``security`` is every operation's default, an operation's own ``security``
replaces it. Arguments are named by kind (``api_key`` for HTTP bearer and ``apiKey``,
``access_token`` for OAuth2 and OpenID Connect, ``username`` and ``password`` for HTTP
basic) unless two schemes would take the same one: then each of those takes its
scheme's name in snake case. Only schemes some operation uses take arguments.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import ir
from ..load import Location
from .context import Context
from .dialect import want
from .naming import attribute_name, snake

# Arguments every client constructor has: a credential by one of these names takes `_`.
CONSTRUCTOR_ARGUMENTS = frozenset({
    "self", "base_url", "timeout", "max_retries", "max_response_bytes", "default_headers", "transport",
    "strict_responses", "config",
})

# A requirement as the spec gives it: alternatives, each the names of the schemes it
# sends together.
Requirement = tuple[tuple[str, ...], ...]


class _Scheme:
    """A scheme as read, before its arguments are named."""

    def __init__(self, name: str, kind: str, param: str, loc: Location) -> None:
        self.name, self.kind, self.param, self.loc = name, kind, param, loc

    @property
    def by_kind(self) -> tuple[str, ...]:
        """The arguments a scheme of this kind takes when no other takes the same."""
        if self.kind == "basic":
            return ("username", "password")
        if self.kind == "oauth":
            return ("access_token",)
        return ("api_key",)

    def by_name(self) -> tuple[str, ...]:
        own = snake(self.name) or "credential"
        return (own + "_username", own + "_password") if self.kind == "basic" else (own,)

    @property
    def sent(self) -> tuple[str, ...]:
        if self.kind == "basic":
            return ("username", "password")
        return ({"bearer": "header", "oauth": "header"}.get(self.kind, self.kind),)


def read_schemes(ctx: Context) -> dict[str, _Scheme | None]:
    """The spec's security schemes by name; None for a kind the client cannot send
    (HTTP schemes other than bearer and basic, mutual TLS), which earns a warning."""
    root = ctx.spec.root
    components = want(ctx.spec.data.get("components"), dict, root.child("components"), "components", {})
    sloc = root.child("components", "securitySchemes")
    found = want(components.get("securitySchemes"), dict, sloc, "securitySchemes", {})
    out: dict[str, _Scheme | None] = {}
    for name, node in found.items():
        loc = sloc.child(name)
        if isinstance(node, dict) and "$ref" in node:
            node, loc = ctx.spec.resolve(node["$ref"], loc)
        node = want(node, dict, loc, "a security scheme", {})
        kind = node.get("type")
        if kind == "http":
            scheme = want(node.get("scheme"), str, loc.child("scheme"), "scheme", "")
            if scheme.lower() in ("bearer", "basic"):
                out[name] = _Scheme(name, scheme.lower(), "", loc)
            else:
                ctx.spec.warn(loc, f"HTTP {scheme or 'without a scheme'!s} authentication is not supported: "
                                   "the client sends nothing for it")
                out[name] = None
        elif kind in ("oauth2", "openIdConnect"):
            out[name] = _Scheme(name, "oauth", "", loc)
        elif kind == "apiKey":
            where = node.get("in")
            if where not in ("header", "query", "cookie"):
                raise loc.child("in").error("an apiKey security scheme needs an 'in' of header, query or cookie")
            param = node.get("name")
            if not isinstance(param, str) or not param:
                raise loc.child("name").error("an apiKey security scheme needs a non-empty string name")
            out[name] = _Scheme(name, where, param, loc)
        elif kind == "mutualTLS":
            ctx.spec.warn(loc, "mutual TLS is not supported: the client sends no certificate for it")
            out[name] = None
        else:
            raise loc.child("type").error(
                f"unknown security scheme type {kind!r} (expected apiKey, http, oauth2, openIdConnect or mutualTLS)"
            )
    return out


def requirement(ctx: Context, node: Any, loc: Location, schemes: dict[str, _Scheme | None]) -> Requirement:
    """A ``security`` list as alternatives of scheme names. Alternatives that need a
    scheme the client cannot send are left out (the scheme was warned about)."""
    items = want(node, list, loc, "security", [])
    out: list[tuple[str, ...]] = []
    for i, alt in enumerate(items):
        aloc = loc.child(i)
        alt = want(alt, dict, aloc, "a security requirement", {})
        names = []
        for name in alt:
            if name not in schemes:
                raise aloc.child(name).error(f"no security scheme {name!r} in components/securitySchemes")
            names.append(name)
        if all(schemes[n] is not None for n in names):
            out.append(tuple(names))
    return tuple(out)


def default_requirement(ctx: Context, schemes: dict[str, _Scheme | None]) -> Requirement:
    return requirement(ctx, ctx.spec.data.get("security"), ctx.spec.root.child("security"), schemes)


def resolve(ops: list[ir.Operation], needs: dict[str, Requirement], schemes: dict[str, _Scheme | None],
            env_prefix: str, taken: set[str]) -> tuple[list[ir.Operation], tuple[ir.SecurityScheme, ...]]:
    """The operations with what each sends, and the schemes some operation uses with
    their arguments named. ``taken`` holds the configured client options' names."""
    used = {n for req in needs.values() for alt in req for n in alt}
    order = [schemes[n] for n in schemes if n in used]
    read = [s for s in order if s is not None]
    counts: dict[str, int] = {}
    for s in read:
        for a in s.by_kind:
            counts[a] = counts.get(a, 0) + 1
    names = set(CONSTRUCTOR_ARGUMENTS) | taken
    consts: set[str] = set()
    out: dict[str, ir.SecurityScheme] = {}
    for s in read:
        wanted = s.by_kind if all(counts[a] == 1 for a in s.by_kind) else s.by_name()
        creds = []
        for want_arg, sent in zip(wanted, s.sent):
            arg = attribute_name(want_arg, names, CONSTRUCTOR_ARGUMENTS)
            creds.append(ir.Credential(arg, f"{env_prefix}_{arg.upper()}", sent))
        const = base = "_AUTH_" + (snake(s.name).upper() or "SCHEME")
        n = 2
        while const in consts:
            const, n = f"{base}_{n}", n + 1
        consts.add(const)
        out[s.name] = ir.SecurityScheme(s.name, s.kind if s.kind != "oauth" else "bearer", s.param, tuple(creds),
                                        const)
    lowered = []
    for op in ops:
        req = needs.get(op.operation_id, ())
        security = tuple(tuple(out[n] for n in alt) for alt in req)
        lowered.append(dataclasses.replace(op, security=security) if security else op)
    return lowered, tuple(out.values())
