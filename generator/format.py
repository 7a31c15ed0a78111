"""The formatter of record: black, in process, in one fixed mode.

Formatting is the slow step, so results are cached in the user's cache folder (never
in the output folder), keyed by black's version, the mode and the text. black itself
is imported only on a cache miss.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from importlib import metadata
from pathlib import Path

# Fixed mode: the output must not depend on any configuration found on the machine.
LINE_LENGTH = 88
TARGET = "py310"
MODE_KEY = f"black;line-length={LINE_LENGTH};target={TARGET};string-normalization;magic-trailing-comma"


class FormatError(Exception):
    """The rendered text is not valid Python: a bug in a template or in lowering."""


def black_version() -> str:
    return metadata.version("black")


def cache_dir() -> Path:
    explicit = os.environ.get("OAS_DATACLASSES_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "oas-dataclasses" / "format"


def _format_with_black(text: str) -> str:
    import black

    mode = black.Mode(
        target_versions={black.TargetVersion.PY310},
        line_length=LINE_LENGTH,
        string_normalization=True,
        magic_trailing_comma=True,
    )
    try:
        return black.format_str(text, mode=mode)
    except black.InvalidInput as exc:  # pragma: no cover - a generator bug
        raise FormatError(str(exc)) from exc


class Formatter:
    def __init__(self, use_cache: bool = True) -> None:
        self.version = black_version()
        self.use_cache = use_cache
        self.dir = cache_dir()
        self.hits = 0
        self.misses = 0

    @property
    def label(self) -> str:
        return f"black {self.version}"

    def _key(self, text: str) -> str:
        h = hashlib.sha256()
        h.update(f"{self.version}\0{MODE_KEY}\0".encode())
        h.update(text.encode("utf-8"))
        return h.hexdigest()

    def format(self, text: str) -> str:
        if not self.use_cache:
            self.misses += 1
            return _format_with_black(text)
        key = self._key(text)
        path = self.dir / key[:2] / key
        try:
            cached = path.read_text(encoding="utf-8")
            self.hits += 1
            return cached
        except OSError:
            pass
        self.misses += 1
        result = _format_with_black(text)
        self._store(path, result)
        return result

    def _store(self, path: Path, text: str) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs time
