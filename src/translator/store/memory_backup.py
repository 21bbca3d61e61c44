"""Making room for a rebuilt memory: the file in the way is kept beside it, never deleted.

A missing or empty memory is simply rebuilt. A damaged one (not SQLite, or
failing its integrity check) is set aside as a backup. A healthy one that
records copies is replaced only when asked (`--force`), and set aside too;
so is a foreign file or one from a newer translator. The backup keeps the
memory's name with `.bak-<UTC time>` added, and its `-wal`/`-shm` files
follow it, so SQLite can still open it.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from translator.errors import MemoryDamagedError, MemoryPermissionError, StateError
from translator.store.memory import Memory

__all__ = ("clear", "memory_absence", "replace_memory", "set_aside")

_SIBLINGS = ("", "-wal", "-shm", "-journal")
"""The database file and the files SQLite keeps beside it."""


def memory_absence(path: Path) -> str | None:
    """`missing` or `empty (0 bytes)` for a memory file not there to open; None otherwise."""
    if not path.exists() and not path.is_symlink():
        return "missing"
    if path.is_file() and path.stat().st_size == 0:
        return "empty (0 bytes)"
    return None


def set_aside(path: Path, *, force: bool) -> Path | None:
    """Move the memory at `path` out of the way of a rebuild; the backup's path, if any.

    `StateError` (nothing moved) for a healthy memory with records, a foreign
    file or a newer schema, unless `force`.
    """
    if memory_absence(path) is not None:
        return None
    try:
        with Memory.open(path, readonly=True) as memory:
            recorded = memory.post_count()
    except MemoryPermissionError:
        raise
    except MemoryDamagedError:
        return _move(path)
    except StateError as error:
        if not force:
            raise StateError(
                f"{error.message}; it was not replaced",
                path=error.path,
                hint="`translator memory rebuild --force` sets it aside (kept beside it) and "
                "rebuilds the memory from the copies",
            ) from error
        return _move(path)
    if recorded and not force:
        raise StateError(
            f"the memory is healthy and records {recorded} copies; it was not replaced",
            path=_shown(path),
            hint="nothing to rebuild; `--force` rebuilds it anyway, keeping this one beside it "
            "as a backup",
        )
    return _move(path)


def replace_memory(built: Path, path: Path) -> None:
    """Put the memory built at `built` (closed) in place of `path`, SQLite's files with it."""
    for suffix in _SIBLINGS[1:]:
        if Path(f"{built}{suffix}").exists():
            os.replace(f"{built}{suffix}", f"{path}{suffix}")
        else:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(built, path)


def clear(path: Path) -> None:
    """Remove a memory file and SQLite's files beside it (a rebuild that did not finish)."""
    for suffix in _SIBLINGS:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _shown(path: Path) -> str:
    """As typed in the site's folder, where the command is run."""
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _move(path: Path) -> Path:
    """Rename the memory and its SQLite files to a backup name beside it."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    backup = path.with_name(f"{path.name}.bak-{stamp}")
    n = 1
    while backup.exists():
        n += 1
        backup = path.with_name(f"{path.name}.bak-{stamp}-{n}")
    for suffix in _SIBLINGS:
        here = Path(f"{path}{suffix}")
        if here.exists():
            os.replace(here, f"{backup}{suffix}")
    return backup
