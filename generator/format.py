"""The formatter of record: black, in process, in one fixed mode; or, when configured
(``--formatter ruff``), ruff's black-compatible formatter, pinned to a version whose
output is byte-identical to black's on the trees we generate (the tests check it).

Formatting is the slow step. With black, a module is formatted in pieces (its top-level
definitions, and the methods of a large class; see ``generator/pieces.py``), each cached
by its text, so a one-schema change formats only the pieces it touches, and pieces that
miss the cache are formatted in a pool of worker processes. ruff formats a whole module
in well under a second, less than it takes to cut it, so it formats modules whole. The
cache (``generator/cache.py``) lives in the user's cache folder, never in the output
folder, keyed by the formatter, its version, the mode and the text; the whole module is
cached too, so a run where nothing changed reads one entry per module. The formatter is
imported or run only on a cache miss; which one runs is chosen by configuration, never
by what is installed.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from importlib import metadata
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, Callable

from . import pieces
from .cache import DEFAULT_MAX_MB, Store, cache_root
from .errors import UsageError
from .progress import Progress, Silent

# Fixed mode: the output must not depend on any configuration found on the machine.
LINE_LENGTH = 88
TARGET = "py310"
MODE_KEY = f"black;line-length={LINE_LENGTH};target={TARGET};string-normalization;magic-trailing-comma"
FORMATTERS = ("black", "ruff")
# ruff's settings given on its command line (``--isolated`` ignores any configuration
# file on the machine): the same mode as black's above
RUFF_ARGS = (
    "format", "--isolated", "--line-length", str(LINE_LENGTH), "--target-version", TARGET,
    "--config", "format.quote-style='double'", "--config", "format.skip-magic-trailing-comma=false",
    "--stdin-filename", "generated.py", "-",
)
# the same, for files named on the command line
RUFF_FILE_ARGS = RUFF_ARGS[:-3]
# Bump when what a cache entry means changes: old entries are then never read.
SCHEME = "pieces-1"
MODULE = "module"  # cache kind of a whole module (pieces.TOP and pieces.MEMBER for pieces)
PACK = "pack"  # cache kind of the pieces of the module last formatted under a name
# Below this much text to format, worker processes cost more than they save.
POOL_MIN_CHARS = 200_000
# Seconds to wait for the warm worker to finish other modules before formatting here
# (about what importing black here costs).
WARM_WAIT = 0.2
# Pieces go to the workers in chunks of at least this much text (and several per worker,
# so that the workers finish together).
CHUNK_MIN_CHARS = 20_000


def cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class FormatError(Exception):
    """The rendered text is not valid Python: a bug in a template or in lowering."""


def black_version() -> str:
    return metadata.version("black")


def _format_with_black(text: str) -> str:
    import black
    from black.mode import Mode, TargetVersion
    from black.parsing import InvalidInput

    mode = Mode(
        target_versions={TargetVersion.PY310},
        line_length=LINE_LENGTH,
        string_normalization=True,
        magic_trailing_comma=True,
    )
    try:
        return black.format_str(text, mode=mode)
    except InvalidInput as exc:  # pragma: no cover - a generator bug
        raise FormatError(str(exc)) from exc


def ruff_executable() -> str:
    """ruff beside this Python (a virtual environment's bin folder), else on PATH."""
    here = Path(sys.executable).parent / ("ruff.exe" if os.name == "nt" else "ruff")
    if here.is_file():
        return str(here)
    found = shutil.which("ruff")
    if found is None:
        raise UsageError("the ruff formatter is configured but ruff is not installed (pip install 'oas-dataclasses[ruff]')")
    return found


def ruff_version() -> str:
    try:
        return metadata.version("ruff")
    except metadata.PackageNotFoundError:
        pass
    try:
        out = subprocess.run([ruff_executable(), "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise UsageError(f"the ruff formatter is configured but ruff cannot run: {exc}") from None
    return out.split()[-1]


def _format_many_with_black(texts: list[str]) -> list[str]:
    return [_format_with_black(text) for text in texts]


def _context() -> BaseContext:
    """How worker processes start. fork on Linux when this process has no other thread:
    nothing to import again, and no main module run again (a caller's script need not
    guard it). Else forkserver (a thread may hold a lock that a forked child would wait
    for forever), or spawn where there is no forkserver; both import the caller's main
    module in each worker, as multiprocessing always does."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["generator.format", "black"])
        return context
    return multiprocessing.get_context("spawn")


def _worker_init() -> None:
    # Ctrl-C is the parent's to handle: it stops the pool
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A forked worker holds the parent's millions of objects (the spec, the IR, the
    # text); black allocates fast, and every full collection would walk them all (and
    # copy their pages): leave them out of the collector's sight.
    gc.freeze()


class _Warm:
    """One worker process that imports black as soon as it starts, so that importing it
    (a fifth of a second) happens while this process lowers and renders. It formats the
    few pieces a run after a small change formats, and whole modules (their cache
    lookups, the most of such a run) while this process does another.

    A pipe, not a pool: a pool's thread in this process would make a later fork unsafe.
    Requests and replies alternate (a request is sent only once the last reply is read),
    so neither process ever waits to write while the other waits to write too."""

    def __init__(self, context: BaseContext, settings: dict[str, object]) -> None:
        self.conn, child = context.Pipe()
        # every concrete context has Process; typeshed gives BaseContext none
        self.process = context.Process(target=_warm_main, args=(child, self.conn, settings),  # type: ignore[attr-defined]
                                       daemon=True)
        self.process.start()
        child.close()
        self._modules_sent = False  # a request for modules whose reply is not read yet
        self._modules: tuple[bool, object] = (False, "none asked for")

    def send_modules(self, modules: list[tuple[str, str]]) -> None:
        """Have the worker format these modules, (name, text) each, as ``Formatter.format``
        does; ``modules()`` gives what it made."""
        self.modules()
        self.conn.send(("modules", modules))
        self._modules_sent = True

    def modules(self) -> tuple[bool, object]:
        """(True, [(formatted or None, hits, misses, module key, bytes written to the
        cache, damaged entries), ...]) for the modules sent, or (False, why)."""
        if self._modules_sent:
            self._modules_sent = False
            self._modules = self.conn.recv()
        return self._modules

    def busy(self, wait: float) -> bool:
        """Whether the worker is still formatting the modules sent, after ``wait`` seconds."""
        return self._modules_sent and not self.conn.poll(wait)

    def format(self, texts: list[str]) -> list[str]:
        """The texts formatted; ``OSError``/``EOFError`` when the worker is gone."""
        self.modules()
        self.conn.send(("pieces", texts))
        ok, out = self.conn.recv()
        if not ok:
            raise FormatError(out)
        return list(out)

    def stop(self) -> None:
        self.process.terminate()  # it may still be importing black, for nothing
        self.process.join()
        self.conn.close()


def _warm_main(conn: Connection, parents_end: Connection, settings: dict[str, object]) -> None:
    # A forked worker holds the parent's end of the pipe too: closed here, so that when
    # the parent dies (killed, even) the worker reads the end of the pipe and stops.
    parents_end.close()
    _worker_init()
    import black  # noqa: F401

    formatter: Formatter | None = None
    while True:
        try:
            kind, payload = conn.recv()
        except (EOFError, OSError):
            return
        reply: tuple[bool, object]
        if kind == "pieces":
            try:
                reply = (True, _format_many_with_black(payload))
            except FormatError as exc:
                reply = (False, str(exc))
        else:
            if formatter is None:
                formatter = Formatter(**settings)  # type: ignore[arg-type]
            reply = (True, [_format_module(formatter, name, text) for name, text in payload])
        try:
            conn.send(reply)
        except OSError:  # the parent is gone
            return


def _format_module(formatter: Formatter, name: str, text: str) -> tuple[str | None, int, int, str, int, int]:
    """What the warm worker sends back for one module; no text where it failed (the
    parent then formats it, and says why if it fails again)."""
    before = formatter.hits, formatter.misses, formatter.store.written, formatter.store.damaged
    try:
        formatted: str | None = formatter.format(text, name)
    except Exception:
        formatted = None
    return (formatted, formatter.hits - before[0], formatter.misses - before[1], formatter.module_keys.get(name, ""),
            formatter.store.written - before[2], formatter.store.damaged - before[3])


def _format_many_with_ruff(texts: list[str], exe: str) -> list[str]:
    """One ruff run over many texts (ruff uses every core itself)."""
    with tempfile.TemporaryDirectory(prefix="oas-dataclasses-ruff-") as tmp:
        paths = []
        for i, text in enumerate(texts):
            path = os.path.join(tmp, f"p{i}.py")
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            paths.append(path)
        try:
            done = subprocess.run([exe, *RUFF_FILE_ARGS, *paths], capture_output=True, check=False)
        except OSError as exc:
            raise UsageError(f"the ruff formatter is configured but ruff cannot run: {exc}") from None
        if done.returncode != 0:
            raise FormatError(done.stderr.decode("utf-8", "replace").strip())
        out = []
        for path in paths:
            with open(path, encoding="utf-8", newline="") as f:
                out.append(f.read())
        return out


def _format_with_ruff(text: str, exe: str) -> str:
    try:
        done = subprocess.run([exe, *RUFF_ARGS], input=text.encode("utf-8"), capture_output=True, check=False)
    except OSError as exc:
        raise UsageError(f"the ruff formatter is configured but ruff cannot run: {exc}") from None
    if done.returncode != 0:  # pragma: no cover - a generator bug
        raise FormatError(done.stderr.decode("utf-8", "replace").strip())
    return done.stdout.decode("utf-8")


class Formatter:
    """Formats modules, from the cache where it can; ``close()`` when done."""

    def __init__(self, use_cache: bool = True, name: str = "black", jobs: int | None = None,
                 cache_max_mb: int = DEFAULT_MAX_MB, progress: Progress | None = None,
                 piecewise: bool | None = None, root: Path | None = None) -> None:
        """``root``: the cache folder (default ``cache_root()``)."""
        if name not in FORMATTERS:
            raise UsageError(f"unknown formatter {name!r} (expected one of {', '.join(FORMATTERS)})")
        self.name = name
        self.exe = ruff_executable() if name == "ruff" else ""
        self.version = ruff_version() if name == "ruff" else black_version()
        self.use_cache = use_cache
        self.store = Store(cache_root() if root is None else root, cache_max_mb * 1024 * 1024)
        self.jobs = cores() if jobs is None else max(1, jobs)
        self.progress = progress if progress is not None else Silent()
        # black is slow and formats in pieces; ruff formats a module faster than it is cut
        self.piecewise = name == "black" if piecewise is None else piecewise
        self.hits = 0  # pieces (or modules) taken from the cache
        self.misses = 0  # pieces (or modules) formatted
        self.chunks = 0  # chunks of pieces sent to worker processes
        self._pool: ProcessPoolExecutor | None = None
        self._warm: _Warm | None = None  # one worker with black imported early
        self._no_pool = False
        self._pack: dict[str, tuple[object, str | None]] = {}  # key -> (meta, formatted) of a module's pieces
        self._seen: dict[str, tuple[object, str | None]] = {}  # the pieces of the module being formatted
        self._prefixes: dict[str, hashlib._Hash] = {}
        # the cache key of each module formatted, by name: where its formatted text is kept
        self.module_keys: dict[str, str] = {}

    @property
    def label(self) -> str:
        # The output is black's (ruff is pinned to a version that gives the same bytes),
        # so the header names black whichever ran: the trees are byte-identical.
        return f"black {black_version()}"

    def _key(self, text: str, kind: str = MODULE) -> str:
        prefix = self._prefixes.get(kind)
        if prefix is None:  # what every key of this kind starts with, made once
            prefix = self._prefixes[kind] = hashlib.sha256(
                f"{SCHEME}\0{self.name}\0{self.version}\0{MODE_KEY}\0{kind}\0".encode())
        h = prefix.copy()
        h.update(text.encode("utf-8"))
        return h.hexdigest()

    # ----- the cache -----------------------------------------------------------------

    def _get(self, kind: str, text: str) -> pieces.Record | None:
        if not self.use_cache:
            return None
        key = self._key(text, kind)
        entry = self._pack.get(key)
        if entry is None:
            found = self.store.get("format", key)
            if found is None:
                return None
            header, body = found
            try:
                entry = (header.get("meta"), body.decode("utf-8") if header.get("formatted") else None)
            except UnicodeDecodeError:
                self.store.damaged += 1
                return None
        try:
            record = pieces.Record(pieces.Meta.from_json(entry[0]), entry[1])
        except ValueError:
            self.store.damaged += 1
            return None
        self._seen[key] = entry
        return record

    def _put(self, kind: str, text: str, meta: pieces.Meta | None, formatted: str | None,
             key: str | None = None) -> None:
        if not self.use_cache:
            return
        header: dict[str, object] = {"formatted": formatted is not None}
        if meta is not None:
            header["meta"] = meta.to_json()
        key = self._key(text, kind) if key is None else key
        self.store.put("format", key, header, (formatted or "").encode("utf-8"))
        if meta is not None:
            self._seen[key] = (header["meta"], formatted)

    # A module's pieces are also kept together, under the module's name: a run after a
    # change reads one entry where it would read one per piece (thousands). Any piece
    # not there (another module of that name was formatted since) is read on its own.

    def _load_pack(self, name: str) -> None:
        self._pack, self._seen = self.store.get_pack("format", self._key(name, PACK)) or {}, {}

    def _store_pack(self, name: str) -> None:
        # a piece the pack lacks is kept on its own too (``_put``): read alone next time
        if self.use_cache and self._seen:
            self.store.keep_pack("format", self._key(name, PACK), self._pack, self._seen)

    def _get_module(self, text: str, key: str | None = None) -> str | None:
        if not self.use_cache:
            return None
        found = self.store.get("format", self._key(text) if key is None else key)
        if found is None or not found[0].get("formatted"):
            return None
        try:
            return found[1].decode("utf-8")
        except UnicodeDecodeError:
            self.store.damaged += 1
            return None

    # ----- formatting ----------------------------------------------------------------

    def format(self, text: str, name: str = "module") -> str:
        """``text`` as the formatter of record formats it (whole, or in pieces with the
        same bytes)."""
        self.progress.stage(f"formatting {name}")
        key = self._key(text)
        self.module_keys[name] = key
        cached = self._get_module(text, key)
        if cached is not None:
            self.hits += 1
            return cached
        result = None
        if self.piecewise:
            self._load_pack(name)
            result = self._format_in_pieces(text)
            if result is not None:
                self._store_pack(name)
            self._pack, self._seen = {}, {}
        if result is None:
            self.misses += 1
            result = self._run(text)
        self._put(MODULE, text, None, result, key)
        return result

    def module(self, key: str) -> str | None:
        """The formatted module kept under ``key`` (one of ``module_keys``), if the cache
        still holds it."""
        return self._get_module("", key)

    def _run(self, text: str) -> str:
        if self.name == "ruff":
            return _format_with_ruff(text, self.exe)
        return _format_with_black(text)

    def _format_in_pieces(self, text: str) -> str | None:
        """The module from its pieces, or None to format it whole (it cannot be cut, or a
        piece would not format: the whole module then says why)."""
        plan = pieces.plan(text, self._get)
        if plan is None:
            return None
        todo = plan.todo()
        total = sum(len(p.parts) or 1 for p in plan.pieces)
        cached = total - len(todo)
        self.progress.pieces(cached, total, cached)
        try:
            done = self._format_many([pieces.wrap(p.kind, p.text) for p in todo],
                                     lambda n: self.progress.pieces(cached + n, total, cached))
        except (FormatError, BrokenProcessPool):
            return None
        for piece, formatted in zip(todo, done):
            piece.formatted = pieces.unwrap(piece.kind, formatted)
            if piece.formatted is None:  # pragma: no cover - the stand-in class changed shape
                return None
        self.hits += cached
        self.misses += len(todo)
        result = plan.join()
        if result is None:  # pragma: no cover - a stand-in statement changed shape
            return None
        for piece in plan.new():
            self._put(piece.kind, piece.text, piece.meta, piece.formatted)
        return result

    def warm_up(self) -> None:
        """Start one worker that imports black now, while the caller lowers and renders, to
        format what is too little for the pool (a run after a small change). Only with
        black and workers allowed (``--jobs`` over 1)."""
        if self.name != "black" or self.jobs < 2 or self._warm is not None or self._no_pool:
            return
        # Only where it forks: a fork server or a spawned process imports the caller's
        # main module again (a script without a main guard would fail in it) and costs
        # more to start than it saves.
        context = _context()
        if context.get_start_method() != "fork":
            return
        # the worker formats modules as this formatter does, into the same folder
        settings: dict[str, object] = {"use_cache": self.use_cache, "name": self.name, "jobs": 1,
                                       "cache_max_mb": self.store.max_bytes // (1024 * 1024),
                                       "piecewise": self.piecewise, "root": self.store.root}
        try:
            self._warm = _Warm(context, settings)
        except (OSError, NotImplementedError, ImportError):  # no processes here
            self._warm = None

    def format_all(self, texts: dict[str, str], small_change: bool = False) -> dict[str, str]:
        """Every module of ``texts`` (name -> text) formatted, as ``format`` does. After a
        ``small_change`` (most of the output is in the cache), the warm worker formats the
        others while this process formats the largest: such a run spends most of its
        formatting looking pieces up, module by module. (Not otherwise: the worker formats
        alone what the pool's workers would share.)"""
        offloaded: list[str] = []
        if small_change and self._warm is not None and self.piecewise and len(texts) > 1:
            largest = max(texts, key=lambda name: len(texts[name]))
            offloaded = [name for name in texts if name != largest]
            try:
                self._warm.send_modules([(name, texts[name]) for name in offloaded])
            except (OSError, EOFError):
                self._lose_warm()
                offloaded = []
        out = {name: self.format(text, name) for name, text in texts.items() if name not in offloaded}
        if offloaded:
            self.progress.stage(f"formatting {', '.join(offloaded)}")
            results: list[Any] = []
            if self._warm is not None:
                try:
                    ok, made = self._warm.modules()
                    results = list(made) if ok and isinstance(made, list) else []
                except (OSError, EOFError):
                    self._lose_warm()
            for i, name in enumerate(offloaded):
                if i < len(results) and results[i][0] is not None:
                    formatted, hits, misses, key, written, damaged = results[i]
                    self.hits += hits
                    self.misses += misses
                    self.module_keys[name] = key
                    self.store.written += written
                    self.store.damaged += damaged
                    out[name] = formatted
                else:  # the worker is gone, or failed: here, where a failure says why
                    out[name] = self.format(texts[name], name)
        return {name: out[name] for name in texts}

    def _warm_busy(self) -> bool:
        assert self._warm is not None
        try:
            return self._warm.busy(WARM_WAIT)
        except (OSError, EOFError):
            return False  # gone: found when it is asked

    def _lose_warm(self) -> None:
        if self._warm is not None:
            self._warm.stop()
            self._warm = None

    def _format_many(self, texts: list[str], report: Callable[[int], None]) -> list[str]:
        """Every text formatted, in order, whatever order the workers finish in."""
        if not texts:
            return []
        if self.name == "ruff":
            out = _format_many_with_ruff(texts, self.exe)
            report(len(texts))
            return out
        size = sum(len(t) for t in texts)
        pool = self._get_pool() if self.jobs > 1 and size >= POOL_MIN_CHARS else None
        # the warm worker, unless it is still busy with other modules past about the time
        # it takes to import black here
        if pool is None and self._warm is not None and not self._warm_busy():
            try:
                out = self._warm.format(texts)
            except (OSError, EOFError):  # the worker is gone: format here
                self._lose_warm()
            else:
                report(len(out))
                return out
        if pool is None:
            out = []
            for text in texts:
                out.append(_format_with_black(text))
                report(len(out))
            return out
        # chunks of about the same size, several per worker so that they end together
        target = max(CHUNK_MIN_CHARS, size // (self.jobs * 8))
        chunks: list[tuple[int, list[str]]] = []
        current: list[str] = []
        weight = 0
        for i, text in enumerate(texts):
            current.append(text)
            weight += len(text)
            if weight >= target or i == len(texts) - 1:
                chunks.append((i + 1 - len(current), current))
                current, weight = [], 0
        results: list[str | None] = [None] * len(texts)
        futures: dict[Future[list[str]], int] = {pool.submit(_format_many_with_black, chunk): start
                                                 for start, chunk in chunks}
        self.chunks += len(chunks)
        finished = 0
        try:
            for future in as_completed(futures):
                start = futures[future]
                out = future.result()
                results[start:start + len(out)] = out
                finished += len(out)
                report(finished)
        except BaseException:
            self._stop_pool()
            raise
        assert all(r is not None for r in results)
        return [r for r in results if r is not None]

    def _get_pool(self) -> ProcessPoolExecutor | None:
        """The workers; None where processes cannot be started (then one process does it)."""
        if self._pool is None and not self._no_pool:
            try:
                self._pool = ProcessPoolExecutor(self.jobs, mp_context=_context(), initializer=_worker_init)
            except (OSError, NotImplementedError, ImportError):  # no semaphores, no processes
                self._no_pool = True
        return self._pool

    def _stop_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for process in list(getattr(pool, "_processes", {}).values()):
            try:
                process.terminate()
            except (OSError, AttributeError):
                pass
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers and keep the cache folder under its size."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.shutdown()
        self._lose_warm()
        if self.use_cache and self.store.written:
            self.store.trim()

