"""Where exported files go: written atomically, a path that cannot take one named in one line."""

from __future__ import annotations

from pathlib import Path

from translator.errors import InterchangeError, TranslatorError
from translator.store.files import atomic_write

__all__ = ("write_output",)


def write_output(path: Path, data: bytes) -> None:
    """An exported file (XLIFF, PO, TMX, .gitattributes): old or new, never half."""
    if path.is_dir():
        raise InterchangeError(
            "is a folder", path=path, hint="give a file name with -o, inside that folder"
        )
    try:
        atomic_write(path, data)
    except TranslatorError:
        raise
    except OSError as error:
        raise InterchangeError(
            f"cannot be written: {error.strerror or error}",
            path=path,
            hint="choose a folder that exists and that you may write to",
        ) from None
