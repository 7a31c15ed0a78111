"""The state that lowering one spec builds up, shared by the modules of this package."""

from __future__ import annotations

from typing import Any

from .. import ir
from ..load import Location, Spec
from .naming import RESERVED_NAMES, class_name


class Context:
    """What has been lowered so far: named types by where they stand, the models,
    aliases and codecs the package will define, and the class names taken."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.models: dict[str, ir.Model] = {}
        self.aliases: dict[str, ir.Alias] = {}
        self.codecs: dict[str, ir.Codec] = {}
        # components done, and components being lowered (met again through recursion)
        self.named: dict[Location, ir.TypeRef] = {}
        self.in_progress: dict[Location, ir.TypeRef] = {}
        # $ref targets inside other schemas being inlined: reaching one again is a cycle
        self.inlining: set[Location] = set()
        self.class_names: set[str] = set()
        self.union_names: set[str] = set()
        self.order: list[str] = []  # model and alias names in the order they were met
        # vendor extensions of an operation that carry example answers (``x-oaiMeta``)
        self.example_extensions: tuple[str, ...] = ()
        # the spec's security schemes as read (``security.read_schemes``), and each
        # operation's requirement by operationId
        self.security_schemes: dict[str, Any] = {}
        self.security_needs: dict[str, tuple[tuple[str, ...], ...]] = {}

    def class_name(self, raw: str, spec_name: bool = False) -> str:
        """A new class or alias name for ``raw`` (a component's own name when
        ``spec_name``, else one made up from names), unique in the package."""
        return class_name(raw, self.class_names, RESERVED_NAMES, spec_name)
