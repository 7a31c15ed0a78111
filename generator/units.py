"""Rendered units of the built-in templates, kept in the cache folder (``render/``).

A template marks a unit by calling ``unit`` around it::

    {% for m in package.models %}
    {% call unit("model", m) %}
    ...the model's class and codec...
    {% endcall %}
    {% endfor %}

The text between is a function of the call's arguments alone: the IR values it renders
(frozen dataclasses, whose ``repr`` spells every field, ``ir.RecursiveType`` included),
besides the template and the generator's code. So the unit is kept under a hash of the
arguments' ``repr`` with the generator's fingerprint (its source and built-in templates),
Python's and Jinja's versions, the package and the template, and a run after a
one-schema change renders the units that changed (one model and its codecs, not 1,200
models and 250 operations: rendering was a quarter of such a run on the OpenAI spec).

The units of one template are kept together, as one entry (a pack) per package and
template, rewritten when it lacks more than a few of the units a run used or holds many
it did not (``Store.keep_pack``). Only the built-in
templates are kept: nothing holds a user's template (``--templates``) to the rule, so
its ``unit`` only renders the body. ``tests/test_units.py`` holds the built-in ones to
it: no name inside a unit's body comes from outside it, but its arguments and the
environment's functions.
"""

from __future__ import annotations

import hashlib
import sys
from typing import Any, Callable

import jinja2

from .cache import Store
from .output_cache import generator_fingerprint

NAMESPACE = "render"
TAG = "units-1"


def uncached(*args: Any, caller: Callable[[], str]) -> str:
    """``unit`` where nothing is kept: the body, rendered."""
    return caller()


class Units:
    """The ``unit`` function of each template rendered for one package; ``save()`` once
    they are rendered. With no store, nothing is kept."""

    def __init__(self, store: Store | None, package: str) -> None:
        self.store = store
        self._prefix = hashlib.sha256(
            f"{TAG}\0{generator_fingerprint()}\0{sys.version}\0{jinja2.__version__}\0{package}\0".encode())
        # per template: (its pack's key, the units it holds, the units this run used)
        self._packs: list[tuple[str, dict[str, tuple[Any, str | None]], dict[str, tuple[Any, str | None]]]] = []
        self.rendered = 0  # units rendered (not found kept)
        self.kept = 0  # units taken from the cache

    @property
    def small_change(self) -> bool:
        """Whether the output differs little from what was kept: some units kept (not a
        cold run) and at most one in twenty rendered again."""
        return self.kept > 0 and self.rendered * 20 <= self.kept + self.rendered

    def _hash(self, *parts: str) -> hashlib._Hash:
        h = self._prefix.copy()
        for part in parts:
            h.update(part.encode("utf-8") + b"\0")
        return h

    def function(self, template: str) -> Callable[..., str]:
        """``unit`` for ``template``, a built-in template."""
        if self.store is None:
            return uncached
        pack_key = self._hash("pack", template).hexdigest()
        kept = self.store.get_pack(NAMESPACE, pack_key) or {}
        used: dict[str, tuple[Any, str | None]] = {}
        self._packs.append((pack_key, kept, used))
        prefix = self._hash("unit", template)

        def unit(*args: Any, caller: Callable[[], str]) -> str:
            h = prefix.copy()
            h.update(repr(args).encode("utf-8"))
            key = h.hexdigest()
            entry = used.get(key) or kept.get(key)
            text = None if entry is None else entry[1]
            if text is not None:
                self.kept += 1
            else:
                self.rendered += 1
                text = str(caller())
            used[key] = (None, text)
            return text

        return unit

    def save(self) -> None:
        """Rewrite the packs that lack more than a few of the units this run used, or
        hold many it did not (``Store.pack_is_stale``): after a small change the few
        units it lacks are rendered again next time (milliseconds), where rewriting it
        (megabytes) would not pay. A rewritten pack holds what the run used."""
        if self.store is None:
            return
        for pack_key, kept, used in self._packs:
            self.store.keep_pack(NAMESPACE, pack_key, kept, used)
        self._packs = []
