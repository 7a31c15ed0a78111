"""Pieces that miss the cache are formatted by worker processes; the module comes out
the same whatever order they finish in, and the same as with one process."""

from __future__ import annotations

import contextlib
import sys
from typing import Any, Iterator

import pytest

from generator import format
from generator.format import Formatter

MODULE = "".join(f"def f{i}(a,):\n    return [a,1]\n\n\nX{i} = {{'k': {i},}}\n\n\n" for i in range(40))


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(format, "POOL_MIN_CHARS", 0)
    monkeypatch.setattr(format, "CHUNK_MIN_CHARS", 0)


def test_workers_give_one_process_bytes_whatever_order_they_finish(small_chunks: None,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    one = Formatter(use_cache=False, jobs=1)
    expected = one.format(MODULE)
    assert one.chunks == 0
    finish = format.as_completed

    def backwards(futures: Any) -> Iterator[Any]:
        return reversed(list(finish(futures)))  # the last chunk finishes first

    monkeypatch.setattr(format, "as_completed", backwards)
    two = Formatter(use_cache=False, jobs=2)
    try:
        assert two.format(MODULE) == expected
    finally:
        two.close()
    assert two.chunks > 2


def test_ctrl_c_while_workers_format_stops_them(small_chunks: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(futures: Any) -> Iterator[Any]:
        raise KeyboardInterrupt
        yield  # pragma: no cover

    monkeypatch.setattr(format, "as_completed", interrupted)
    formatter = Formatter(use_cache=False, jobs=2)
    with pytest.raises(KeyboardInterrupt):
        formatter.format(MODULE)
    assert formatter._pool is None  # stopped, not left running
    formatter.close()


def test_one_job_means_no_worker_process(small_chunks: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Formatter, "_get_pool", lambda self: pytest.fail("a pool with --jobs 1"))
    formatter = Formatter(use_cache=False, jobs=1)
    formatter.format(MODULE)
    assert formatter.misses > 40


def test_the_default_is_one_job_per_core() -> None:
    assert Formatter(use_cache=False).jobs == format.cores() >= 1


def test_where_processes_cannot_start_one_process_formats(small_chunks: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_processes(*args: Any, **kwargs: Any) -> Any:
        raise OSError("no semaphores here")

    expected = Formatter(use_cache=False, jobs=1).format(MODULE)
    monkeypatch.setattr(format, "ProcessPoolExecutor", no_processes)
    formatter = Formatter(use_cache=False, jobs=4)
    assert formatter.format(MODULE) == expected
    assert formatter.chunks == 0 and formatter.misses > 40


@pytest.mark.parametrize("threads", [1, 2])
def test_workers_start_by_fork_or_forkserver_and_give_the_same_bytes(small_chunks: None, threads: int,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """With another thread running, a forked child could wait forever for a lock that
    thread held: then the workers start from a fork server."""
    expected = Formatter(use_cache=False, jobs=1).format(MODULE)
    monkeypatch.setattr(format.threading, "active_count", lambda: threads)
    context = format._context()
    if sys.platform == "linux":
        assert context.get_start_method() == ("fork" if threads == 1 else "forkserver")
    formatter = Formatter(use_cache=False, jobs=2)
    try:
        assert formatter.format(MODULE) == expected
    finally:
        formatter.close()
    assert formatter.chunks > 2


# ----- the warm worker: black imported while the caller lowers and renders ---------------


@contextlib.contextmanager
def _warmed(use_cache: bool) -> Iterator[Formatter]:
    """A formatter whose warm worker has started, closed after."""
    formatter = Formatter(use_cache=use_cache, jobs=2)
    formatter.warm_up()
    assert formatter._warm is not None
    try:
        yield formatter
    finally:
        formatter.close()
    assert formatter._warm is None


@pytest.fixture
def warm() -> Iterator[Formatter]:
    with _warmed(use_cache=False) as formatter:
        yield formatter


def test_a_warmed_up_worker_formats_a_few_pieces_with_one_process_bytes(warm: Formatter,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    expected = Formatter(use_cache=False, jobs=1).format(MODULE)
    # too little for the pool, so not in it; and not here: this process cannot format
    monkeypatch.setattr(format, "_format_with_black", lambda text: pytest.fail("formatted in process"))
    monkeypatch.setattr(Formatter, "_get_pool", lambda self: pytest.fail("a pool for a few pieces"))
    assert warm.format(MODULE) == expected
    assert warm.misses > 40


def test_a_worker_that_died_leaves_the_work_to_this_process(warm: Formatter) -> None:
    expected = Formatter(use_cache=False, jobs=1).format(MODULE)
    assert warm._warm is not None
    warm._warm.process.kill()
    warm._warm.process.join()
    assert warm.format(MODULE) == expected
    assert warm._warm is None  # stopped once found dead


def test_close_stops_the_warm_worker_even_while_it_starts() -> None:
    formatter = Formatter(use_cache=False, jobs=2)
    formatter.warm_up()
    assert formatter._warm is not None
    process = formatter._warm.process
    formatter.close()
    assert not process.is_alive()


@pytest.mark.parametrize("settings", [{"jobs": 1}, {"name": "ruff"}])
def test_no_warm_worker_with_one_job_or_with_ruff(settings: dict[str, Any]) -> None:
    formatter = Formatter(use_cache=False, **settings)
    formatter.warm_up()
    try:
        assert formatter._warm is None
    finally:
        formatter.close()


def test_a_piece_black_refuses_in_the_warm_worker_is_the_whole_modules_error(warm: Formatter) -> None:
    """A piece black cannot parse makes the module format whole, which says why."""
    assert warm._warm is not None
    with pytest.raises(format.FormatError):
        warm._warm.format(["def f(:\n    pass\n"])
    assert warm._warm.process.is_alive()  # and it goes on serving
    assert warm._warm.format(["x=1\n"]) == ["x = 1\n"]


SMALL = "import os\n\n\ndef g(x,):\n    return os.path.join(x,'a')\n"
LARGE = MODULE * 3


@pytest.fixture
def cache_dir(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def warm_cached(cache_dir: Any) -> Iterator[Formatter]:
    with _warmed(use_cache=True) as formatter:
        yield formatter


def test_after_a_small_change_the_warm_worker_formats_all_modules_but_the_largest(
        cache_dir: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = {"a.py": SMALL, "big.py": LARGE, "c.py": MODULE}
    alone = Formatter(use_cache=True, jobs=1)
    expected = {name: alone.format(text, name) for name, text in texts.items()}
    formatter = Formatter(use_cache=True, jobs=2)
    formatter.warm_up()
    here: list[str] = []
    format_here = Formatter.format

    def recorded(self: Formatter, text: str, name: str = "module") -> str:
        here.append(name)
        return format_here(self, text, name)

    monkeypatch.setattr(Formatter, "format", recorded)  # in this process, not in the worker
    try:
        assert formatter.format_all(texts, small_change=True) == expected
    finally:
        formatter.close()
    assert here == ["big.py"]
    # each module whole from the cache, the worker's two counted here too
    assert formatter.hits == len(texts) and formatter.misses == 0
    assert formatter.module_keys == {name: formatter._key(text) for name, text in texts.items()}


@pytest.mark.parametrize("case", ["not a small change", "no worker", "worker gone"])
def test_otherwise_this_process_formats_every_module(case: str, cache_dir: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    texts = {"a.py": SMALL, "big.py": LARGE}
    expected = {name: Formatter(use_cache=False, jobs=1).format(text) for name, text in texts.items()}
    formatter = Formatter(use_cache=True, jobs=2)
    if case != "no worker":
        formatter.warm_up()
        assert formatter._warm is not None
    if case == "worker gone":
        formatter._warm.process.kill()  # type: ignore[union-attr]
        formatter._warm.process.join()  # type: ignore[union-attr]
    here: list[str] = []
    format_here = Formatter.format

    def recorded(self: Formatter, text: str, name: str = "module") -> str:
        here.append(name)
        return format_here(self, text, name)

    monkeypatch.setattr(Formatter, "format", recorded)
    try:
        assert formatter.format_all(texts, small_change=case != "not a small change") == expected
    finally:
        formatter.close()
    assert sorted(here) == sorted(texts)


def test_a_module_the_worker_cannot_format_fails_here_with_the_reason(warm_cached: Formatter) -> None:
    with pytest.raises(format.FormatError):
        warm_cached.format_all({"big.py": LARGE, "bad.py": "def f(:\n    pass\n"}, small_change=True)


def test_what_the_worker_writes_to_the_cache_counts_toward_its_size(warm_cached: Formatter, cache_dir: Any) -> None:
    warm_cached.format_all({"big.py": SMALL * 2, "c.py": MODULE}, small_change=True)
    assert warm_cached.misses > 40  # MODULE's pieces, formatted in the worker
    written = warm_cached.store.written
    warm_cached.close()
    on_disk = sum(p.stat().st_size for p in cache_dir.rglob("*") if p.is_file() and p.name != "size")
    assert written >= on_disk > 0  # every entry on disk was counted (overwritten ones again)
    assert written > len(MODULE)  # the worker's entries, not only this process's


def test_no_warm_worker_where_it_would_not_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    """With another thread running a worker starts from a fork server, which imports the
    caller's main module again and costs more to start than the worker saves."""
    expected = Formatter(use_cache=False, jobs=1).format(MODULE)
    monkeypatch.setattr(format.threading, "active_count", lambda: 2)
    formatter = Formatter(use_cache=False, jobs=2)
    formatter.warm_up()
    try:
        assert formatter._warm is None
        assert formatter.format(MODULE) == expected
    finally:
        formatter.close()


def test_the_warm_worker_stops_when_the_parent_is_gone() -> None:
    """A killed parent runs no clean-up: the worker must see the end of the pipe itself
    (a forked worker holds the parent's end too unless it closes it)."""
    formatter = Formatter(use_cache=False, jobs=2)
    formatter.warm_up()
    assert formatter._warm is not None
    process = formatter._warm.process
    formatter._warm.conn.close()  # what the parent's death does to its end
    process.join(60)
    assert not process.is_alive()
    formatter._warm = None
    formatter.close()


def test_a_busy_warm_worker_leaves_the_pieces_to_this_process(cache_dir: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a small change the worker formats the other modules; the pieces of the
    largest do not wait for it past ``WARM_WAIT``."""
    big = f"TEXT = {'x' * 400_000!r}\n\n\ndef f(a,):\n    return a\n"
    Formatter(use_cache=True, jobs=1).format(big, "big.py")
    changed = big.replace("return a", "return [a]")
    slow = "".join(f"def g{i}(a,):\n    return [a,{i}]\n\n\n" for i in range(400))  # not in the cache
    expected = Formatter(use_cache=False, jobs=1).format(changed)
    monkeypatch.setattr(format, "WARM_WAIT", 0.0)
    here: list[str] = []
    format_here = format._format_with_black

    def recorded(text: str) -> str:
        here.append(text)
        return format_here(text)

    with _warmed(use_cache=True) as formatter:
        monkeypatch.setattr(format, "_format_with_black", recorded)
        out = formatter.format_all({"big.py": changed, "slow.py": slow}, small_change=True)
    assert out["big.py"] == expected
    assert len(here) == 1 and "return [a]" in here[0]  # the changed piece, here; slow.py there


def test_the_cache_folder_is_the_one_given(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path / "elsewhere"))
    formatter = Formatter(use_cache=True, jobs=1, root=tmp_path / "given")
    formatter.format(MODULE)
    formatter.close()
    assert (tmp_path / "given" / "format").is_dir() and not (tmp_path / "elsewhere").exists()
