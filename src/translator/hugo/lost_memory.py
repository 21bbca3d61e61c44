"""A lost memory is named, never silently replaced.

Without its memory translator cannot tell its own text from an editor's, so
every copy it wrote would be refused one by one, far from the cause. When the
memory is missing, empty, or holds no record while copies carry translator's
`translation:` block (the stamp it writes in each copy), the command stops
with one error naming the memory and how to get it back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from translator.errors import MemoryLostError
from translator.hugo.config import SiteConfig
from translator.hugo.site import MARKDOWN_SUFFIXES
from translator.markdown.document import read_values
from translator.store.files import read_post_bytes
from translator.store.memory import Memory, restore_hint
from translator.store.memory_backup import memory_absence

__all__ = ("check_memory_kept", "stamped_copies")

_SHOWN = 3
_OTHERWISE = "rebuild it from the copies and their sources: `translator memory rebuild`"


def check_memory_kept(config: SiteConfig, path: Path, memory: Memory | None = None) -> None:
    """`MemoryLostError` if the memory is absent (or has no record) while stamped copies exist."""
    how = memory_absence(path) if memory is None else None
    if memory is not None and memory.post_count() == 0:
        how = "without any record of a copy"
    if how is None:
        return
    found = []
    for copy in stamped_copies(config):
        found.append(copy)
        if len(found) > _SHOWN:
            break
    if not found:
        return
    named = ", ".join(found[:_SHOWN]) + (", …" if len(found) > _SHOWN else "")
    relative = _relative(config, path)
    raise MemoryLostError(
        f"the translation memory is {how}, yet copies carry translator's `translation:` block "
        f"({named}); without it translator cannot tell its own text from editors', so it "
        "stops instead of starting a new memory",
        path=relative,
        hint=restore_hint(relative, otherwise=_OTHERWISE),
    )


def stamped_copies(config: SiteConfig) -> Iterator[str]:
    """Copies (site-relative) whose front matter holds translator's `translation:` stamp."""
    for language in config.targets:
        for path in _candidates(config, language):
            try:
                data = read_post_bytes(path, limit=config.max_post_bytes)
                if b"translation" in data and _stamped(read_values(data.decode("utf-8"))):
                    yield _relative(config, path)
            except Exception:  # noqa: BLE001, S112 — a copy that cannot be read is no evidence either way
                continue


def _candidates(config: SiteConfig, language: str) -> Iterator[Path]:
    directory = config.content_dirs[language]
    ending = tuple(f".{language}{suffix}" for suffix in MARKDOWN_SUFFIXES)
    for folder, subfolders, files in os.walk(directory):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not name.endswith(MARKDOWN_SUFFIXES):
                continue
            if not config.mounted(language) and not name.endswith(ending):
                continue
            yield Path(folder) / name


def _stamped(values: Mapping[str, object]) -> bool:
    stamp = values.get("translation")
    return isinstance(stamp, Mapping) and "source_hash" in stamp and "source" in stamp


def _relative(config: SiteConfig, path: Path) -> str:
    try:
        return path.absolute().relative_to(config.root.absolute()).as_posix()
    except ValueError:
        return str(path)
