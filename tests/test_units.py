"""The units of the built-in templates (a model, an operation's method) are kept between
runs under a hash of what they are made from (generator/units.py): a run after a
one-schema change renders the units that changed, and gives the bytes a run without
any kept unit gives."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import jinja2
import jinja2.nodes as nodes
import pytest

from generator import ir, render
from generator.cache import PACK_SLACK, TOUCH_AFTER, Store
from generator.load import load
from generator.lower import lower
from generator.units import NAMESPACE, Units
from tests import golden

SPECS = [golden.ROOT / "schema" / "fine_tuning.yaml"] + [f / "spec.yaml" for f in golden.features()]


def _package(spec: Path) -> ir.Package:
    return lower(load(spec, use_cache=False), "pkg")


def _render(package: ir.Package, units: Units | None, overrides: Path | None = None) -> dict[str, str]:
    return {name: r.text for name, r in render.render(package, "black x", overrides, None, units).items()}


# ----- the rule: a unit's body reads nothing but its arguments ------------------------------


def _walk(node: nodes.Node) -> list[nodes.Node]:
    """``node`` and every node under it (``find_all`` leaves out the node itself)."""
    return [node, *node.find_all(nodes.Node)]


def _reads(body: list[nodes.Node]) -> set[str]:
    loads, stores = set(), set()
    for node in (n for top in body for n in _walk(top)):
        if isinstance(node, nodes.Name):
            (stores if node.ctx in ("store", "param") else loads).add(node.name)
        elif isinstance(node, nodes.For):
            stores.add("loop")
        elif isinstance(node, (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
            loads.add("<another template>")
    return loads - stores


def _outside_names(template: nodes.Template, env: jinja2.Environment) -> dict[str, set[str]]:
    """For each unit of ``template`` (by its first argument), the names its body (and the
    macros it calls, through theirs) reads from outside: none, for a unit to be keyed by
    its arguments."""
    macros = {m.name: m for m in template.find_all(nodes.Macro)}
    pure = set(env.globals)

    def outside(body: list[nodes.Node], given: set[str], seen: frozenset[str]) -> set[str]:
        found = set()
        for name in _reads(body) - given - pure:
            if name in macros and name not in seen:
                m = macros[name]
                found |= outside(m.body, {a.name for a in m.args} | {"caller", "varargs", "kwargs"}, seen | {name})
            elif name not in seen:
                found.add(name)
        return found

    units: dict[str, set[str]] = {}
    for block in template.find_all(nodes.CallBlock):
        call = block.call
        if not (isinstance(call.node, nodes.Name) and call.node.name == "unit"):
            continue
        first = call.args[0]
        assert isinstance(first, nodes.Const), "a unit is named by a string"
        args = {n.name for a in call.args[1:] for n in _walk(a) if isinstance(n, nodes.Name)}
        assert first.value not in units, f"two units named {first.value!r}"
        units[first.value] = outside(block.body, args, frozenset())
    return units


@pytest.mark.parametrize("name", ["models.py.jinja", "client.py.jinja"])
def test_a_units_body_reads_only_its_arguments(name: str) -> None:
    env = render.environment()
    source = (render.BUILTIN_TEMPLATES / name).read_text(encoding="utf-8")
    units = _outside_names(env.parse(source), env)
    assert len(units) >= 4  # the loops over models, codecs, operations are units
    assert units == {u: set() for u in units}


def test_the_rule_finds_a_name_from_outside() -> None:
    env = render.environment()
    source = """{% macro sig(op) %}{{ op.name }}{{ package.title }}{% endmacro %}
{% for m in package.models %}{% call unit("model", m) %}{{ m.name }}{{ sig(m) }}{% endcall %}{% endfor %}
{% for m in package.models %}{% call unit("plain", m) %}{% for f in m.fields %}{{ loop.index }}{{ check(f, "v") }}{% endfor %}{% endcall %}{% endfor %}"""
    assert _outside_names(env.parse(source), env) == {"model": {"package"}, "plain": set()}


# ----- the same bytes, rendering only what changed ------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.parent.name)
def test_kept_units_give_the_bytes_of_a_full_render(spec: Path, tmp_path: Path) -> None:
    package = _package(spec)
    expected = _render(package, None)
    store = Store(tmp_path)
    first = Units(store, "pkg")
    assert _render(package, first) == expected
    assert first.kept == 0 and first.rendered > 0
    again = Units(store, "pkg")
    assert _render(package, again) == expected
    assert again.rendered == 0 and again.kept == first.rendered


def _with_doc(package: ir.Package, index: int, doc: str) -> ir.Package:
    models = list(package.models)
    models[index] = dataclasses.replace(models[index], doc=doc)
    return dataclasses.replace(package, models=tuple(models))


def test_a_changed_model_is_the_one_unit_rendered_again(tmp_path: Path) -> None:
    package = _package(SPECS[0])
    store = Store(tmp_path)
    _render(package, Units(store, "pkg"))
    changed = _with_doc(package, 3, "A description changed upstream.")
    packs = [p for p in (tmp_path / NAMESPACE).rglob("*") if p.is_file()]
    ago = time.time() - TOUCH_AFTER / 2  # older than what a busy cache wrote since
    for pack in packs:
        os.utime(pack, (ago, ago))
    units = Units(store, "pkg")
    out = _render(changed, units)
    assert all(pack.stat().st_mtime > ago + 60 for pack in packs)  # used, so kept fresh
    assert out == _render(changed, None)
    assert "A description changed upstream." in out["models.py"]
    assert units.rendered == 1
    # one unit the pack lacks does not rewrite it (megabytes, on a large spec): it is
    # rendered again next time, and the pack still serves the other version
    again = Units(store, "pkg")
    assert _render(changed, again) == _render(changed, None)
    assert again.rendered == 1
    back = Units(store, "pkg")
    assert _render(package, back) == _render(package, None)
    assert back.rendered == 0


@pytest.mark.parametrize("changes", [2, 17])
def test_a_pack_that_lacks_more_than_a_few_units_is_rewritten(changes: int, tmp_path: Path) -> None:
    package = _package(golden.FEATURES / "hostile_names" / "spec.yaml")
    assert len(package.models) >= 17 > PACK_SLACK
    store = Store(tmp_path)
    _render(package, Units(store, "pkg"))
    changed = package
    for i in range(changes):
        changed = _with_doc(changed, i, f"Changed upstream ({i}).")
    first = Units(store, "pkg")
    _render(changed, first)
    assert first.rendered == changes
    again = Units(store, "pkg")
    assert _render(changed, again) == _render(changed, None)
    assert again.rendered == (0 if changes > PACK_SLACK else changes)


def test_a_field_type_change_reaches_the_key(tmp_path: Path) -> None:
    package = _package(SPECS[0])
    store = Store(tmp_path)
    _render(package, Units(store, "pkg"))
    m = next(m for m in package.models if any(f.type == ir.Primitive("string") for f in m.fields))
    i = package.models.index(m)
    fields = tuple(dataclasses.replace(f, type=ir.Primitive("integer")) if f.type == ir.Primitive("string") else f
                   for f in m.fields)
    models = list(package.models)
    models[i] = dataclasses.replace(m, fields=fields)
    changed = dataclasses.replace(package, models=tuple(models))
    units = Units(store, "pkg")
    assert _render(changed, units) == _render(changed, None)
    assert units.rendered >= 1


def test_packages_keep_their_units_apart(tmp_path: Path) -> None:
    package = _package(SPECS[0])
    store = Store(tmp_path)
    _render(package, Units(store, "one"))
    other = Units(store, "two")
    _render(package, other)
    assert other.kept == 0


def test_a_damaged_pack_is_rendered_again(tmp_path: Path) -> None:
    package = _package(SPECS[0])
    store = Store(tmp_path)
    expected = _render(package, Units(store, "pkg"))
    packs = list((tmp_path / NAMESPACE).rglob("*"))
    files = [p for p in packs if p.is_file()]
    assert files
    for p in files:
        data = bytearray(p.read_bytes())
        data[-3] ^= 0x01
        p.write_bytes(bytes(data))
    units = Units(store, "pkg")
    assert _render(package, units) == expected
    assert units.kept == 0 and store.damaged == len(files)


def test_without_a_store_nothing_is_kept(tmp_path: Path) -> None:
    package = _package(SPECS[0])
    units = Units(None, "pkg")
    assert _render(package, units) == _render(package, None)
    assert units.kept == units.rendered == 0


def test_a_users_template_is_rendered_every_time(tmp_path: Path) -> None:
    """An override template's ``unit`` renders its body: nothing holds a user's
    template to the rule, so a body reading ``package`` still sees the new value."""
    overrides = tmp_path / "templates"
    overrides.mkdir()
    (overrides / "models.py.jinja").write_text(
        '{% for m in package.models %}{% call unit("model", m) %}# {{ package.title }}\n{% endcall %}{% endfor %}',
        encoding="utf-8")
    package = _package(SPECS[0])
    store = Store(tmp_path / "cache")
    first = _render(package, Units(store, "pkg"), overrides)
    retitled = dataclasses.replace(package, title="Another title")
    units = Units(store, "pkg")
    second = _render(retitled, units, overrides)
    assert "# Another title" in second["models.py"] and "# Another title" not in first["models.py"]
    assert second == _render(retitled, None, overrides)


def test_a_recursive_reference_spells_what_it_resolves_to() -> None:
    """Code generated from a recursive reference reads its resolved type, so its repr
    (which keys a unit) holds it, cut where it comes round to itself."""
    a, b = ir.RecursiveType("Tree"), ir.RecursiveType("Tree")
    assert repr(a) == repr(b) == "RecursiveType('Tree')"
    a.resolved = ir.ListType(a, "list_tree")
    b.resolved = ir.MapType(b, "map_tree")
    assert repr(a) != repr(b)
    assert repr(a) == "RecursiveType('Tree', ListType(item=RecursiveType('Tree'), codec='list_tree'))"


# ----- what the kept units tell the formatter -------------------------------------------------


def test_a_run_is_a_small_change_when_few_units_are_rendered_again(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Only then does the warm worker format modules beside this process (in a cold run
    it would format alone what the pool's workers share)."""
    from generator import pipeline
    from generator.format import Formatter

    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path / "cache"))
    seen: list[bool] = []
    format_all = Formatter.format_all

    def recorded(self: Formatter, texts: dict[str, str], small_change: bool = False) -> dict[str, str]:
        seen.append(small_change)
        return format_all(self, texts, small_change)

    monkeypatch.setattr(Formatter, "format_all", recorded)
    text = SPECS[0].read_text(encoding="utf-8")
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    options = pipeline.Options(schema=spec, out=tmp_path / "out", package="pkg", jobs=1)
    pipeline.build(options)  # cold
    marker = "description: The object identifier"
    assert marker in text
    spec.write_text(text.replace(marker, "description: An identifier", 1), encoding="utf-8")
    pipeline.build(options)  # one description changed
    pipeline.build(dataclasses.replace(options, schema=SPECS[1]))  # another spec: most units new
    pipeline.build(dataclasses.replace(options, use_cache=False))
    assert seen == [False, True, False, False]
