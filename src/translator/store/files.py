"""Reading posts as text and writing files atomically: the only file I/O of the core.

Reading is defensive, because a content folder may hold anything: the path is
`lstat`ed first, a symlink is resolved and checked before it is opened, only
regular files are opened (a FIFO would block forever, `/dev/zero` never ends),
and the size is checked before reading, so memory stays proportional to the
largest post allowed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from translator.errors import (
    BlockedPathError,
    InputError,
    SpecialFileError,
    TooLargeError,
    UnsafePathError,
)

__all__ = (
    "MAX_POST_BYTES",
    "atomic_write",
    "commit_all_staged",
    "commit_staged",
    "decode_post",
    "legacy_staged_path",
    "make_parents",
    "read_post",
    "read_post_bytes",
    "stage",
    "staged_path",
)

MAX_POST_BYTES = 10_000_000
"""Default size limit of a post (`[limits] max_post_bytes` in translator.toml)."""

_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def read_post(path: Path, *, limit: int = MAX_POST_BYTES, inside: Path | None = None) -> str:
    """The text of a post; `InputError` for anything that is not readable UTF-8 text."""
    return decode_post(read_post_bytes(path, limit=limit, inside=inside), path=path)


def read_post_bytes(
    path: Path, *, limit: int = MAX_POST_BYTES, inside: Path | None = None
) -> bytes:
    """A regular file's bytes, checked before it is opened (see the module's docstring).

    `inside`: a symlink must resolve into this folder, or `UnsafePathError`.
    """
    try:
        real, info = _checked(path, inside)
        if info.st_size > limit:
            raise TooLargeError(
                f"{info.st_size:,} bytes, over the limit of {limit:,} for a post; not read",
                path=path,
                hint="split the post, or raise [limits] max_post_bytes in translator.toml",
            )
        return _read_regular(real, info, limit, path)
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", path=path) from error


def _checked(path: Path, inside: Path | None) -> tuple[Path, os.stat_result]:
    """The file to open and its `stat`, after refusing links out and special files."""
    info = os.lstat(path)
    real = path
    if stat.S_ISLNK(info.st_mode):
        real = Path(os.path.realpath(path))
        if inside is not None and not real.is_relative_to(os.path.realpath(inside)):
            raise UnsafePathError(
                f"a symlink leading outside {inside} (to {real}); not read",
                path=path,
                hint="translate the file itself, not a link to it",
            )
        info = os.stat(real)
    kind = _KINDS.get(stat.S_IFMT(info.st_mode))
    if kind is not None or not stat.S_ISREG(info.st_mode):
        raise SpecialFileError(
            f"{kind or 'not a regular file'}, not a post: never opened",
            path=path,
            hint="move it out of the content folder, or rename it without .md",
        )
    return real, info


def _read_regular(real: Path, info: os.stat_result, limit: int, path: Path) -> bytes:
    # O_NONBLOCK: should the file be swapped for a FIFO after the check, open returns at once.
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    descriptor = os.open(real, flags)
    with os.fdopen(descriptor, "rb") as stream:
        now = os.fstat(descriptor)
        if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino) or not stat.S_ISREG(now.st_mode):
            raise InputError("the file changed while it was being read", path=path)
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLargeError(f"over the limit of {limit:,} bytes for a post", path=path)
    return data


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


def atomic_write(path: Path, text: str | bytes) -> None:
    """Write `text` so that `path` is either its old content or the new one, never half."""
    commit_staged(stage(path, text), path)


def staged_path(path: Path) -> Path:
    """Where `stage` puts the next version of `path`: beside it, hidden, with a short name.

    A hash of the name, not the name itself: any name that fits the file
    system (255 bytes on ext4) must leave room for its staged twin.
    """
    digest = hashlib.sha256(os.fsencode(path.name)).hexdigest()[:16]
    return path.with_name(f".{digest}.translator-staged")


def legacy_staged_path(path: Path) -> Path | None:
    """Where translator 0.1 staged `path` (a leftover of a killed run), if the name fits."""
    name = f".{path.name}.translator-staged"
    return path.with_name(name) if len(os.fsencode(name)) <= 255 else None


def _shown(path: Path) -> str:
    """`path` as typed from the working directory (the site's root, usually)."""
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def make_parents(path: Path) -> None:
    """Create the folders above `path`; `BlockedPathError` naming a file in the way."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as error:
        blocker = next(
            (p for p in reversed(path.parents) if p.exists() and not p.is_dir()), path.parent
        )
        raise BlockedPathError(
            f"{_shown(blocker)} is a file, where a folder is needed for {path.name}",
            path=blocker,
            hint="move or rename that file; translator writes copies into folders only",
        ) from error
    if path.is_dir() and not path.is_symlink():
        raise BlockedPathError(
            "a folder stands where the copy goes",
            path=path,
            hint="move or rename that folder",
        )


def stage(path: Path, text: str | bytes) -> Path:
    """Write `text` fully to a hidden file beside `path` (fsync'd), to rename over it later.

    Bytes are written as given (text as UTF-8): no newline translation. The
    mode of an existing `path` is kept.
    """
    make_parents(path)
    staged = staged_path(path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(staged)  # a leftover, or a symlink planted to redirect the write
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    descriptor = os.open(staged, flags, 0o644)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(text.encode("utf-8") if isinstance(text, str) else text)
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


def commit_all_staged(pairs: Sequence[tuple[Path, Path]]) -> None:
    """Rename each staged file over its path, then make the renames durable: one
    directory sync per folder, not one per file."""
    for staged, path in pairs:
        os.replace(staged, path)
    for directory in dict.fromkeys(path.parent for _, path in pairs):
        _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
