"""The cache folder: formatted pieces (``format/``), parsed specs (``parsed/``), compiled
templates (``templates/``), rendered units of templates (``render/``) and whole outputs
(``output/``).

Every entry is written whole or not at all (a temporary file, then ``os.replace``) and
carries a checksum over its key and its contents, so a truncated, garbled or misplaced
entry is never used: it reads as a miss and is written again. The folder stays under a
size the user sets: a run that wrote entries adds what it wrote to a running estimate,
and when that passes the limit it sweeps the folder and removes the least recently used
entries (a hit refreshes an entry's time) until it is back under 80 % of the limit.
Two processes may read, write and sweep at once: a removed entry is a miss for the
other, a half-written one is never seen under its name.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache

from .output import replace_file

MAGIC = b"oas-dataclasses-cache-1 "
DEFAULT_MAX_MB = 512
TOUCH_AFTER = 3600.0  # a hit refreshes the entry's time when it is older than this
STALE_TMP = 3600.0  # a temporary file this old was left by a killed run
TMP_PREFIX = ".tmp-"  # how a temporary file of the cache's begins
RECOUNT_AFTER = 86400.0  # sweep at least this often, whatever the estimate says
LOW_WATER = 0.8  # a sweep removes entries until the folder is under this share of the limit
NAMESPACES = ("format", "parsed", "templates", "render", "output")
LEDGER = "size"  # the running estimate of the folder's size, in bytes
PACK_SLACK = 16  # entries a pack may lack, or hold unused, before it is rewritten


def cache_root() -> Path:
    """``$OAS_DATACLASSES_CACHE_DIR``, else ``oas-dataclasses`` in the user's cache folder."""
    explicit = os.environ.get("OAS_DATACLASSES_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "oas-dataclasses"


def _checksum(key: str, payload: bytes) -> bytes:
    return hashlib.sha256(key.encode("ascii", "replace") + b"\0" + payload).hexdigest().encode("ascii")


class Store:
    def __init__(self, root: Path | None = None, max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024) -> None:
        self.root = cache_root() if root is None else root
        self._root = str(self.root)
        self.max_bytes = max_bytes
        self.written = 0  # bytes written by this process
        self.damaged = 0  # entries found unusable (and so treated as misses)

    def path(self, namespace: str, key: str) -> Path:
        return Path(self._path(namespace, key))

    def _path(self, namespace: str, key: str) -> str:
        return os.path.join(self._root, namespace, key[:2], key)  # thousands a run: not pathlib

    def get(self, namespace: str, key: str) -> tuple[dict[str, Any], bytes] | None:
        """(header, body) of the entry, or None when there is none or it is damaged."""
        path = self._path(namespace, key)
        try:
            with open(path, "rb") as f:
                data = f.read()
                mtime = os.fstat(f.fileno()).st_mtime
        except OSError:
            return None
        found = self._decode(key, data)
        if found is None:
            self.damaged += 1
            return None
        if time.time() - mtime > TOUCH_AFTER:
            try:
                os.utime(path)
            except OSError:
                pass
        return found

    @staticmethod
    def _decode(key: str, data: bytes) -> tuple[dict[str, Any], bytes] | None:
        if not data.startswith(MAGIC):
            return None
        line_end = data.find(b"\n")
        header_end = data.find(b"\n", line_end + 1)
        if line_end < 0 or header_end < 0:
            return None
        payload = data[line_end + 1:]
        if data[len(MAGIC):line_end] != _checksum(key, payload):
            return None
        try:
            header = json.loads(data[line_end + 1:header_end])
        except ValueError:
            return None
        if not isinstance(header, dict):
            return None
        return header, data[header_end + 1:]

    def put(self, namespace: str, key: str, header: dict[str, Any], body: bytes) -> None:
        payload = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n" + body
        data = MAGIC + _checksum(key, payload) + b"\n" + payload
        path = self.path(namespace, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(path, data, TMP_PREFIX)
            self.written += len(data)
        except OSError:
            pass  # a cache that cannot be written only costs time

    # ----- packs: many small texts kept as one entry -----------------------------------
    # A run after a change reads one entry where it would read one per text (thousands).

    def get_pack(self, namespace: str, key: str) -> dict[str, tuple[Any, str | None]] | None:
        """The pack under ``key``: text key -> (its JSON metadata, its text or None), or
        None when there is none or it is damaged."""
        found = self.get(namespace, key)
        if found is None:
            return None
        header, body = found
        try:
            keys, metas, lengths = header["keys"], header["metas"], header["lengths"]
            if not (len(keys) == len(metas) == len(lengths)):
                raise ValueError("unequal lists")
            pack: dict[str, tuple[Any, str | None]] = {}
            at = 0
            for k, meta, length in zip(keys, metas, lengths):
                if length < 0:
                    pack[k] = (meta, None)
                else:
                    pack[k] = (meta, body[at:at + length].decode("utf-8"))
                    at += length
            if at != len(body):
                raise ValueError("length")
        except (KeyError, TypeError, ValueError, UnicodeDecodeError):
            self.damaged += 1
            return None
        return pack

    def keep_pack(self, namespace: str, key: str, kept: dict[str, Any], used: dict[str, Any]) -> None:
        """After a run that used ``used`` from the pack holding ``kept``: rewrite it when
        it is stale, else refresh its time, so that the sweep, which removes the least
        recently used entries first, keeps a pack every run reads."""
        if self.pack_is_stale(kept, used):
            self.put_pack(namespace, key, used)
        else:
            try:
                os.utime(self._path(namespace, key))
            except OSError:
                pass  # removed meanwhile: the next run writes it again

    @staticmethod
    def pack_is_stale(kept: dict[str, Any], used: dict[str, Any]) -> bool:
        """Whether a pack holding ``kept`` is worth rewriting to hold ``used``, what a run
        used: when more than a few used entries are not in it (each is then read, or
        made, on its own) or many it holds went unused. A run after a small change
        leaves it as it is: rewriting it (megabytes) would cost more than it saves."""
        missing = sum(1 for k in used if k not in kept)
        if not kept:
            return missing > 0
        unused = len(kept) - (len(used) - missing)
        return missing > max(PACK_SLACK, len(used) // 50) or unused > max(PACK_SLACK, len(kept) // 10)

    def put_pack(self, namespace: str, key: str, pack: dict[str, tuple[Any, str | None]]) -> None:
        keys, metas, lengths, parts = [], [], [], []
        for k, (meta, text) in pack.items():
            keys.append(k)
            metas.append(meta)
            data = b"" if text is None else text.encode("utf-8")
            lengths.append(-1 if text is None else len(data))
            parts.append(data)
        self.put(namespace, key, {"keys": keys, "metas": metas, "lengths": lengths}, b"".join(parts))

    # ----- keeping it bounded ---------------------------------------------------------

    def trim(self) -> None:
        """Keep the folder under ``max_bytes``; cheap unless the estimate says it is full."""
        ledger = self.root / LEDGER
        try:
            known = int(ledger.read_text(encoding="ascii").strip())
            fresh = time.time() - ledger.stat().st_mtime < RECOUNT_AFTER
        except (OSError, ValueError):
            known, fresh = -1, False
        if fresh and 0 <= known and known + self.written <= self.max_bytes:
            if self.written:
                self._write_ledger(known + self.written)
            return
        self._write_ledger(self.sweep())

    def sweep(self) -> int:
        """Remove stale temporary files, and the least recently used entries while the
        folder is over the limit; return its size after."""
        now = time.time()
        entries: list[tuple[float, int, str]] = []
        try:
            for entry in os.scandir(self.root):  # a killed run's half-written estimate
                if entry.name.startswith(TMP_PREFIX) and now - entry.stat().st_mtime > STALE_TMP:
                    _remove(entry.path)
        except OSError:
            pass
        for namespace in NAMESPACES:
            try:
                shards = list(os.scandir(self.root / namespace))
            except OSError:
                continue
            for shard in shards:
                try:
                    if not shard.is_dir(follow_symlinks=False):
                        continue
                    files = list(os.scandir(shard.path))
                except OSError:
                    continue
                for entry in files:
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue  # removed meanwhile by another process
                    if entry.name.startswith(TMP_PREFIX):
                        if now - st.st_mtime > STALE_TMP:
                            _remove(entry.path)
                        continue
                    entries.append((st.st_mtime, st.st_size, entry.path))
        total = sum(size for _, size, _ in entries)
        if total <= self.max_bytes:
            return total
        entries.sort()
        goal = int(self.max_bytes * LOW_WATER)
        for _, size, path in entries:
            if total <= goal:
                break
            _remove(path)
            total -= size
        return total

    def _write_ledger(self, size: int) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            replace_file(self.root / LEDGER, f"{size}\n".encode("ascii"), TMP_PREFIX)
        except OSError:
            pass


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass  # another process removed it first


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates. Compiling the built-in ones costs a run about a quarter of a
    second, a cold cache folder included, so they are also kept beside themselves, in
    ``__pycache__`` under their folder, as Python keeps the generator's own ``.pyc`` files
    (where the installation can be written: a read-only one compiles them every run; this
    is Jinja's code, not Python's, so ``PYTHONDONTWRITEBYTECODE`` does not apply); a user's templates
    (``--templates``) are kept in the cache folder only (``templates/``, with ``store``).
    Jinja checks the template's source and the Python version against what it reads; an
    entry it cannot read is compiled again and written anew."""

    def __init__(self, store: Store | None, builtin: Path | None = None) -> None:
        self.store = store
        self.builtin = builtin
        self._beside: dict[str, Path] = {}  # bucket key -> its file beside a built-in template

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        key: str = super().get_cache_key(name, filename)
        if self.builtin is not None and filename is not None and Path(filename).parent == self.builtin:
            self._beside[key] = self.builtin / "__pycache__" / f"{key}.jinja-bytecode"
        return key

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.store is not None:
            found = self.store.get("templates", bucket.key)
            if found is not None and _load(bucket, found[1]):
                return
        beside = self._beside.get(bucket.key)
        if beside is not None:
            try:
                data = beside.read_bytes()
            except OSError:
                return
            _load(bucket, data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = bucket.bytecode_to_string()
        if self.store is not None:
            self.store.put("templates", bucket.key, {}, data)
        beside = self._beside.get(bucket.key)
        if beside is not None:
            try:
                beside.parent.mkdir(exist_ok=True)
                replace_file(beside, data, TMP_PREFIX)
            except OSError:
                pass  # a read-only installation compiles its templates every run


def _load(bucket: jinja2.bccache.Bucket, data: bytes) -> bool:
    """Whether ``data`` gave ``bucket`` its code: Jinja resets a bucket whose magic or
    source checksum differs; damaged bytes that get past those are reset here."""
    try:
        bucket.bytecode_from_string(data)
    except Exception:
        bucket.reset()
    return bucket.code is not None
