"""Reading posts as text and writing files atomically: the only file I/O of the core."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from translator.errors import InputError

__all__ = ("atomic_write", "commit_staged", "decode_post", "read_post", "stage", "staged_path")


def read_post(path: Path) -> str:
    """The text of a post; `InputError` for anything that is not readable UTF-8 text."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", path=path) from error
    return decode_post(data, path=path)


def decode_post(data: bytes, *, path: str | Path) -> str:
    """Decode a post's bytes, refusing binary and non-UTF-8 input with a one-line reason."""
    if b"\0" in data:
        raise InputError("binary file, not a Markdown post", path=path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})",
            path=path,
            line=line,
            hint="convert it with `iconv -f latin1 -t utf-8`",
        ) from error


def atomic_write(path: Path, text: str) -> None:
    """Write `text` so that `path` is either its old content or the new one, never half."""
    commit_staged(stage(path, text), path)


def staged_path(path: Path) -> Path:
    """Where `stage` puts the next version of `path`: beside it, hidden."""
    return path.with_name(f".{path.name}.translator-staged")


def stage(path: Path, text: str) -> Path:
    """Write `text` fully to a hidden file beside `path` (fsync'd), to rename over it later.

    Bytes are written as given: no newline translation. The mode of an
    existing `path` is kept.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = staged_path(path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(staged)  # a leftover, or a symlink planted to redirect the write
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    descriptor = os.open(staged, flags, 0o644)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            os.chmod(staged, path.stat().st_mode & 0o7777)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(staged)
        raise
    return staged


def commit_staged(staged: Path, path: Path) -> None:
    """Rename a staged file over `path` and make the rename durable."""
    os.replace(staged, path)
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
