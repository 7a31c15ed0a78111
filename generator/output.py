"""Write the generated tree atomically, or compare it with what is on disk."""

from __future__ import annotations

import ctypes
import difflib
import os
import shutil
import sys
import tempfile
from pathlib import Path

# Files that appear beside generated code without being part of it.
IGNORED_DIRS = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache"})


def read_tree(root: Path) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    if not root.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS)
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = Path(dirpath) / name
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def diff_trees(expected: dict[str, bytes], actual: dict[str, bytes], label: str) -> list[str]:
    """Unified diffs and notes, one entry per file that differs, in path order."""
    out: list[str] = []
    for name in sorted(set(expected) | set(actual)):
        want, have = expected.get(name), actual.get(name)
        if want == have:
            continue
        path = f"{label}/{name}"
        if have is None:
            out.append(f"missing: {path}\n")
        elif want is None:
            out.append(f"extra: {path}\n")
        else:
            a = have.decode("utf-8", "replace").splitlines(keepends=True)
            b = want.decode("utf-8", "replace").splitlines(keepends=True)
            text = "".join(difflib.unified_diff(a, b, f"{path} (on disk)", f"{path} (generated)"))
            if not text.endswith("\n"):
                text += "\n"
            out.append(f"changed: {path}\n{text}")
    return out


def replace_file(path: Path, data: bytes, prefix: str) -> None:
    """Replace ``path`` with ``data`` in one step: written beside it to a temporary file
    named ``prefix...``, then renamed over it; a failure removes the temporary file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _leftovers(parent: Path, name: str, kind: str) -> list[Path]:
    """What a killed run left behind; a run still going (another live pid) is not disturbed."""
    prefix = f".{name}.{kind}-"
    try:
        found = sorted(p for p in parent.iterdir() if p.name.startswith(prefix))
    except FileNotFoundError:
        return []
    out = []
    for p in found:
        suffix = p.name[len(prefix):]
        if suffix.isdigit() and _alive(int(suffix)):
            continue
        out.append(p)
    return out


def _remove(path: Path) -> None:
    """Remove a tree, or a file or symlink (which rmtree would silently leave behind)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def repair(parent: Path, name: str) -> None:
    """Finish or undo a swap that a killed run left half done."""
    target = parent / name
    for old in _leftovers(parent, name, "old"):
        if not target.exists():
            os.rename(old, target)  # the new tree never arrived: put the old one back
        else:
            _remove(old)
    for new in _leftovers(parent, name, "new"):
        _remove(new)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False if unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    rc = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return bool(rc == 0)


def write_tree(parent: Path, name: str, files: dict[str, bytes]) -> None:
    """Replace ``parent/name`` with exactly ``files``; a failure leaves it as it was."""
    parent.mkdir(parents=True, exist_ok=True)
    repair(parent, name)
    target = parent / name
    new = parent / f".{name}.new-{os.getpid()}"
    if new.exists() or new.is_symlink():
        _remove(new)
    try:
        for rel, data in files.items():
            path = new / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        if not target.exists():
            os.rename(new, target)
            return
        if _exchange(new, target):
            _remove(new)  # now holds the previous tree (a file if the target was one)
            return
        old = parent / f".{name}.old-{os.getpid()}"
        os.rename(target, old)
        os.rename(new, target)
        _remove(old)
    except BaseException:
        if new.exists():
            shutil.rmtree(new, ignore_errors=True)
        repair(parent, name)
        raise
