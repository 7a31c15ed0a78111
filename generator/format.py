"""The formatter of record: black, in process, in one fixed mode; or, when configured
(``--formatter ruff``), ruff's black-compatible formatter, pinned to a version whose
output is byte-identical to black's on the trees we generate (the tests check it).

Formatting is the slow step, so results are cached in the user's cache folder (never
in the output folder), keyed by the formatter, its version, the mode and the text.
The formatter is imported or run only on a cache miss; which one runs is chosen by
configuration, never by what is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from .errors import UsageError

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


def _format_with_ruff(text: str, exe: str) -> str:
    try:
        done = subprocess.run([exe, *RUFF_ARGS], input=text.encode("utf-8"), capture_output=True, check=False)
    except OSError as exc:
        raise UsageError(f"the ruff formatter is configured but ruff cannot run: {exc}") from None
    if done.returncode != 0:  # pragma: no cover - a generator bug
        raise FormatError(done.stderr.decode("utf-8", "replace").strip())
    return done.stdout.decode("utf-8")


class Formatter:
    def __init__(self, use_cache: bool = True, name: str = "black") -> None:
        if name not in FORMATTERS:
            raise UsageError(f"unknown formatter {name!r} (expected one of {', '.join(FORMATTERS)})")
        self.name = name
        self.exe = ruff_executable() if name == "ruff" else ""
        self.version = ruff_version() if name == "ruff" else black_version()
        self.use_cache = use_cache
        self.dir = cache_dir()
        self.hits = 0
        self.misses = 0

    @property
    def label(self) -> str:
        # The output is black's (ruff is pinned to a version that gives the same bytes),
        # so the header names black whichever ran: the trees are byte-identical.
        return f"black {black_version()}"

    def _key(self, text: str) -> str:
        h = hashlib.sha256()
        h.update(f"{self.name}\0{self.version}\0{MODE_KEY}\0".encode())
        h.update(text.encode("utf-8"))
        return h.hexdigest()

    def _run(self, text: str) -> str:
        if self.name == "ruff":
            return _format_with_ruff(text, self.exe)
        return _format_with_black(text)

    def format(self, text: str) -> str:
        if not self.use_cache:
            self.misses += 1
            return self._run(text)
        key = self._key(text)
        path = self.dir / key[:2] / key
        try:
            cached = path.read_text(encoding="utf-8")
            self.hits += 1
            return cached
        except OSError:
            pass
        self.misses += 1
        result = self._run(text)
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
