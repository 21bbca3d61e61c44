"""Reading posts as text and writing files atomically: the only file I/O of the core."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from translator.errors import InputError

__all__ = ("atomic_write", "decode_post", "read_post")


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
    """Write `text` so that `path` is either its old content or the new one, never half.

    Temporary file in the same directory, fsync, rename over, fsync the directory.
    Bytes are written as given: no newline translation.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
