"""The cache folder: entries checked against their key, bounded by least recent use,
safe with two processes at once; and the formatter reads pieces from it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import cache, format
from generator.cache import PACK_SLACK, Store
from generator.format import Formatter
from generator.output import read_tree

ROOT = Path(__file__).resolve().parent.parent
DAY = 86400.0


def entry_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "format").rglob("*") if p.is_file())


# ----- damaged entries --------------------------------------------------------------------


def _damage(path: Path, how: str, other: bytes) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif how == "one byte":
        path.write_bytes(data[:-2] + bytes([data[-2] ^ 1]) + data[-1:])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "wrong key":  # a whole, valid entry under another entry's name
        path.write_bytes(other)


@pytest.mark.parametrize("how", ["truncated", "garbage", "one byte", "empty", "wrong key"])
def test_a_damaged_entry_is_a_miss(tmp_path: Path, how: str) -> None:
    store = Store(tmp_path)
    store.put("format", "a" * 64, {"n": 1}, b"x = 1\n")
    store.put("format", "b" * 64, {"n": 2}, b"y = 2\n")
    assert store.get("format", "a" * 64) == ({"n": 1}, b"x = 1\n")
    _damage(store.path("format", "a" * 64), how, store.path("format", "b" * 64).read_bytes())
    assert store.get("format", "a" * 64) is None
    assert store.damaged == 1
    assert store.get("format", "b" * 64) == ({"n": 2}, b"y = 2\n")


MODULE = "".join(f"def f{i}(a,):\n    return a\n\n\nX{i} = [1,2]\n\n\n" for i in range(6))


@pytest.mark.parametrize("how", ["truncated", "garbage", "wrong key"])
def test_the_formatter_never_uses_a_damaged_entry_and_writes_it_again(tmp_path: Path, how: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path))
    expected = Formatter(use_cache=False, piecewise=False).format(MODULE)
    assert Formatter(jobs=1).format(MODULE) == expected
    files = entry_files(tmp_path)
    assert len(files) > 5  # the pieces and the module
    contents = [path.read_bytes() for path in files]
    for i, path in enumerate(files):
        _damage(path, how, contents[i - 1])
    formatter = Formatter(jobs=1)
    assert formatter.format(MODULE) == expected
    assert formatter.store.damaged > 0 and formatter.hits == 0
    again = Formatter(jobs=1)
    assert again.format(MODULE) == expected
    assert again.store.damaged == 0 and again.hits == 1 and again.misses == 0  # rewritten whole


# ----- the formatter reads pieces -------------------------------------------------------


def test_a_change_formats_only_the_pieces_it_touches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path))
    first = Formatter(jobs=1)
    first.format(MODULE)
    assert first.misses == 12 and first.hits == 0  # six functions and six lists
    changed = MODULE.replace("X3 = [1,2]", "X3 = [1,2,3]")
    second = Formatter(jobs=1)
    out = second.format(changed)
    assert (second.misses, second.hits) == (1, 11)
    assert out == Formatter(use_cache=False, piecewise=False).format(changed)
    third = Formatter(jobs=1)
    assert third.format(changed) == out and (third.misses, third.hits) == (0, 1)  # the module, whole


def test_a_modules_pieces_are_read_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path))
    first = Formatter(jobs=1)
    first.format(MODULE, "models.py")
    pack = first.store.path("format", first._key("models.py", format.PACK))
    for path in entry_files(tmp_path):
        if path != pack:
            path.unlink()  # only the pack is left
    changed = MODULE.replace("X3 = [1,2]", "X3 = [1,2,3]")
    second = Formatter(jobs=1)
    reads: list[str] = []
    real_get = Store.get
    monkeypatch.setattr(Store, "get", lambda self, ns, key: reads.append(key) or real_get(self, ns, key))
    assert second.format(changed, "models.py") == Formatter(use_cache=False, piecewise=False).format(changed)
    assert (second.misses, second.hits) == (1, 11)
    assert len(reads) <= 3  # the module, the pack, the piece that changed
    pack.write_bytes(pack.read_bytes()[:-10])  # damaged: not used, the pieces on their own
    third = Formatter(jobs=1)
    again = changed.replace("X4 = [1,2]", "X4 = [2]")
    assert third.format(again, "models.py") == Formatter(use_cache=False, piecewise=False).format(again)
    assert third.store.damaged == 1 and (third.misses, third.hits) == (11, 1)  # X3's piece, stored alone


def test_without_the_cache_nothing_is_read_or_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path))
    Formatter(jobs=1).format(MODULE)
    before = {p: p.read_bytes() for p in entry_files(tmp_path)}
    formatter = Formatter(use_cache=False, jobs=1)
    formatter.format(MODULE)
    formatter.close()
    assert formatter.hits == 0 and {p: p.read_bytes() for p in entry_files(tmp_path)} == before


# ----- bounded --------------------------------------------------------------------------


def _age(path: Path, days: float) -> None:
    t = time.time() - days * DAY
    os.utime(path, (t, t))


def test_least_recently_used_entries_go_first(tmp_path: Path) -> None:
    store = Store(tmp_path, max_bytes=10_000)
    keys = [f"{i:02d}" * 32 for i in range(6)]
    for i, key in enumerate(keys):
        store.put("format", key, {}, b"x" * 1000)
        _age(store.path("format", key), 10 - i)  # keys[0] is the oldest
    assert store.get("format", keys[0]) is not None  # a hit makes it the most recent
    store.max_bytes = 4 * (store.path("format", keys[0]).stat().st_size)
    store.sweep()
    left = [k for k in keys if store.path("format", k).exists()]
    # down to 80 % of four entries: three are left, the newest three by use
    assert left == [keys[0], keys[4], keys[5]]


def test_parsed_specs_count_and_go_too(tmp_path: Path) -> None:
    store = Store(tmp_path, max_bytes=1500)
    store.put("parsed", "c" * 64, {}, b"{}" * 500)
    store.put("format", "d" * 64, {}, b"y" * 1000)
    _age(store.path("parsed", "c" * 64), 2)
    assert store.sweep() <= 1500
    assert not store.path("parsed", "c" * 64).exists() and store.path("format", "d" * 64).exists()


@pytest.mark.parametrize("namespace", ["parsed", "output"])
def test_every_namespace_counts_and_goes_least_recently_used_first(tmp_path: Path, namespace: str) -> None:
    """The pieces of a parsed spec (``parsed/``) and whole outputs (``output/``) are kept
    under the same limit as formatted pieces."""
    store = Store(tmp_path, max_bytes=1500)
    store.put(namespace, "c" * 64, {}, b"{}" * 500)
    store.put("format", "d" * 64, {}, b"y" * 1000)
    _age(store.path(namespace, "c" * 64), 2)
    assert store.sweep() <= 1500
    assert not store.path(namespace, "c" * 64).exists() and store.path("format", "d" * 64).exists()


def test_the_estimate_spares_a_sweep_until_it_passes_the_limit(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path, max_bytes=100_000)
    store.put("format", "e" * 64, {}, b"z" * 1000)
    store.trim()  # no estimate yet: sweeps and writes one
    assert int((tmp_path / cache.LEDGER).read_text()) == store.path("format", "e" * 64).stat().st_size
    swept: list[int] = []
    monkeypatch.setattr(Store, "sweep", lambda self: swept.append(1) or 0)
    store.written = 50_000
    store.trim()
    assert swept == []  # under the limit: the estimate grows, no sweep
    store.trim()
    assert swept == [1]  # past it: swept


def test_a_killed_runs_temporary_files_are_removed(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put("format", "f" * 64, {}, b"1")
    stale = store.path("format", "f" * 64).with_name(".tmp-stale")
    fresh = stale.with_name(".tmp-fresh")
    ledger = tmp_path / ".tmp-ledger"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    ledger.write_bytes(b"12")
    _age(stale, 1)
    _age(ledger, 1)
    store.sweep()
    assert not stale.exists() and fresh.exists() and store.path("format", "f" * 64).exists()
    assert not ledger.exists()


def test_the_formatter_keeps_the_folder_under_its_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path))
    assert Formatter(cache_max_mb=3).store.max_bytes == 3 * 1024 * 1024
    formatter = Formatter(jobs=1)
    formatter.store.max_bytes = 20_000
    formatter.format("".join(f"X{i} = {list(range(40))!r}\n\n\n" for i in range(100)))
    assert formatter.store.written > 40_000
    formatter.close()
    assert sum(p.stat().st_size for p in entry_files(tmp_path)) <= 20_000


# ----- two processes at once ------------------------------------------------------------

_WORKER = """
import os, sys
sys.path.insert(0, sys.argv[1])
from generator.cache import Store
store = Store(__import__("pathlib").Path(sys.argv[2]), max_bytes=40_000)
me = sys.argv[3]
bad = 0
for i in range(400):
    key = f"{i % 37:02d}" * 32
    store.put("format", key, {"key": key}, (key * 20).encode())
    found = store.get("format", f"{(i * 7) % 37:02d}" * 32)
    if found is not None and found[1] != (found[0]["key"] * 20).encode():
        bad += 1
    if i % 25 == 0:
        store.sweep()
print(bad)
"""


def test_two_processes_writing_reading_and_sweeping_at_once(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, str(ROOT), str(root), name], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for name in ("a", "b")]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert [out.strip() for out, _ in outs] == ["0", "0"]  # nothing read was ever wrong
    store = Store(root)
    for path in entry_files(root):
        assert not path.name.startswith(".tmp-"), path
        assert store.get("format", path.name) is not None, path  # every entry left is whole


def test_two_generations_at_once_share_the_cache(tmp_path: Path) -> None:
    feature = ROOT / "tests" / "features" / "enums"
    env = {**os.environ, "OAS_DATACLASSES_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "generator", "generate", "--schema", str(feature / "spec.yaml"),
                               "--out", str(tmp_path / name), "--package", "enums_client", "--jobs", "1"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("one", "two")]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    expected = read_tree(feature / "golden" / "enums_client")
    for name in ("one", "two"):
        assert read_tree(tmp_path / name / "enums_client") == expected, name


def test_the_cache_folder_is_the_one_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path))
    assert Formatter(jobs=1).store.root == tmp_path and cache.cache_root() == tmp_path


def test_compiled_templates_come_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2

    from generator.cache import TemplateCache
    from generator.load import load
    from generator.lower import lower
    from generator.render import render

    package = lower(load(ROOT / "tests" / "features" / "enums" / "spec.yaml"), "enums_client", "OPENAI")
    first = render(package, "black x", None, TemplateCache(Store(tmp_path)))
    assert len(list((tmp_path / "templates").rglob("*"))) > 3
    monkeypatch.setattr(jinja2.Environment, "compile", lambda *a, **k: pytest.fail("compiled again"))
    assert render(package, "black x", None, TemplateCache(Store(tmp_path))) == first
    for path in (tmp_path / "templates").rglob("*"):
        if path.is_file():
            path.write_bytes(path.read_bytes()[:40])  # damaged: compiled again, not used
    monkeypatch.undo()
    assert render(package, "black x", None, TemplateCache(Store(tmp_path))) == first


def test_built_in_templates_are_compiled_once_beside_themselves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a cold cache folder does not compile the built-in templates again (a quarter of a
    # second of every small spec's run); damaged or stale compiled files are never used
    import shutil

    import jinja2

    from generator import render as render_module
    from generator.cache import TemplateCache
    from generator.load import load
    from generator.lower import lower

    builtin = tmp_path / "templates"
    shutil.copytree(render_module.BUILTIN_TEMPLATES, builtin, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(render_module, "BUILTIN_TEMPLATES", builtin)
    package = lower(load(ROOT / "tests" / "features" / "enums" / "spec.yaml"), "enums_client", "OPENAI")

    def fresh() -> TemplateCache:  # a cold cache folder each time, or none at all
        return TemplateCache(Store(tmp_path / f"cache-{len(list(tmp_path.iterdir()))}"), builtin)

    first = render_module.render(package, "black x", None, fresh())
    beside = sorted((builtin / "__pycache__").iterdir())
    assert len(beside) >= 4 and all(p.suffix == ".jinja-bytecode" for p in beside)
    with monkeypatch.context() as m:
        m.setattr(jinja2.Environment, "compile", lambda *a, **k: pytest.fail("compiled again"))
        assert render_module.render(package, "black x", None, fresh()) == first
        assert render_module.render(package, "black x", None, TemplateCache(None, builtin)) == first
    for path in beside:
        path.write_bytes(path.read_bytes()[:60] + b"\x00damaged")
    assert render_module.render(package, "black x", None, TemplateCache(None, builtin)) == first
    with monkeypatch.context() as m:  # the damaged files were written anew
        m.setattr(jinja2.Environment, "compile", lambda *a, **k: pytest.fail("compiled again"))
        assert render_module.render(package, "black x", None, TemplateCache(None, builtin)) == first
    edited = builtin / "README.md.jinja"
    edited.write_text(edited.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    assert render_module.render(package, "black x", None, TemplateCache(None, builtin))["README.md"].text \
        == first["README.md"].text + "edited\n"


def test_a_small_change_leaves_the_modules_pack_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rewriting the pack (megabytes on a large spec) costs more than reading the few
    pieces it lacks on their own; past ``PACK_SLACK`` of them it is rewritten."""
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path))
    module = "".join(f"def f{i}(a,):\n    return [a,{i}]\n\n\n" for i in range(40))
    first = Formatter(jobs=1)
    first.format(module, "models.py")
    pack = first.store.path("format", first._key("models.py", format.PACK))
    written = pack.read_bytes()
    few = module.replace("[a,3]", "[a,-3]").replace("[a,4]", "[a,-4]")
    # half an hour ago (a read refreshes only what is older than an hour): older than
    # anything a busy cache wrote since, so the first the sweep would remove
    ago = time.time() - cache.TOUCH_AFTER / 2
    os.utime(pack, (ago, ago))
    second = Formatter(jobs=1)
    assert second.format(few, "models.py") == Formatter(use_cache=False, piecewise=False).format(few)
    assert (second.misses, second.hits) == (2, 38) and pack.read_bytes() == written
    assert pack.stat().st_mtime > ago + 60  # but it was used: its time is now
    third = Formatter(jobs=1)
    third.format(few + "\n\nX = 1\n", "models.py")  # the two read on their own
    assert (third.misses, third.hits) == (1, 40) and pack.read_bytes() == written
    many = module
    for i in range(PACK_SLACK + 1):
        many = many.replace(f"[a,{i}]", f"[a,-{i}]")
    Formatter(jobs=1).format(many, "models.py")
    assert pack.read_bytes() != written
