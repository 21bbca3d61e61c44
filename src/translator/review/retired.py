"""Retired texts: editors' words kept in the memory after their source paragraph was deleted.

A run never drops an editor's or reviewed text: when its French paragraph
leaves the post, the text is kept in the memory, `retired`. `list_retired`
shows them with their number; `restore_retired` puts one back into the copy,
in the slot at a line an editor names, as that editor's text: through
`editing.edit_slot`, the one write path of the workbench and of `translator
run`, so the next run keeps it like any edit. It then leaves the retired list.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from translator.errors import TranslatorError
from translator.pipeline import Context, current_slots, sha256
from translator.review.editing import edit_slot
from translator.review.status import slots_at
from translator.store.files import read_post
from translator.store.memory import RetiredText

__all__ = ("Restored", "RetiredEntry", "list_retired", "restore_retired")

LIST_HINT = "`translator retired list` shows each retired text with its number"


@dataclass(frozen=True, slots=True)
class RetiredEntry:
    """A retired text and the copy it belonged to."""

    text: RetiredText
    """What the memory kept."""
    copy: str
    """The copy's path relative to the site ('' when translator has no copy recorded)."""


@dataclass(frozen=True, slots=True)
class Restored:
    """One retired text put back."""

    ident: int
    """Its number."""
    copy: str
    """The copy, relative to the site."""
    label: str
    """The slot it went into (`line 12`, `title`)."""
    replaced: str
    """The slot's text before."""


def list_retired(context: Context, paths: Sequence[Path] = ()) -> list[RetiredEntry]:
    """Retired texts of the copies (or sources, or folders) at `paths`; every one by default."""
    copies = context.memory.post_targets()
    entries = [
        RetiredEntry(found, copies.get((found.source_path, found.target), ""))
        for found in context.memory.retired_texts()
    ]
    if not paths:
        return entries
    wanted = [_site_key(context, path) for path in paths]
    return [e for e in entries if any(_under(k, e.text.source_path, e.copy) for k in wanted)]


def restore_retired(context: Context, ident: int, line: int) -> Restored:
    """Put retired text `ident` into the slot at `line` of its copy, as an editor's text."""
    found = context.memory.retired_text(ident)
    if found is None:
        raise TranslatorError(f"no retired text number {ident}", hint=LIST_HINT)
    record = context.memory.post(found.source_path, found.target)
    if record is None:
        raise TranslatorError(
            f"translator has no copy of {found.source_path} in {found.target} to put it in",
            hint=f"run `translator run {found.source_path}` first",
        )
    path = context.config.root / record.target_path
    if not path.is_file():
        raise TranslatorError(
            "the copy is gone from the disk",
            path=record.target_path,
            hint=f"run `translator run {found.source_path}` to write it again, then restore",
        )
    text = read_post(path)
    current = current_slots(context, record, text, path)
    position = slots_at(context, record, text, current, [line])[0]
    edit_slot(context, record.target_path, position, found.text, expected_hash=sha256(text))
    context.memory.unretire_text(ident)
    label = record.slots[position].label
    label = f"line {line}" if label.startswith("line ") else label
    return Restored(ident, record.target_path, label, current[position])


def _site_key(context: Context, path: Path) -> str:
    root = context.config.root.absolute()
    absolute = Path(os.path.normpath(path.absolute()))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError as error:
        raise TranslatorError("path is outside the site", path=path) from error


def _under(key: str, *paths: str) -> bool:
    """`key` names one of `paths` or a folder above it (`.` is the whole site)."""
    return any(key in (".", p) or p.startswith(key.rstrip("/") + "/") for p in paths if p)
