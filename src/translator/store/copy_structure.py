"""A copy whose blocks no longer follow its source: align it with the last write, merge it.

`align_copy` reads the editor's copy against the memory's last write: which
source slot each of the copy's segments holds now (for the slot merge), and
a name per block for the three-way block merge. `merge_copy` then puts the
new rendering of the source and the editor's structure together with
`translator.store.blockmerge`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt

from translator.errors import StructureChangedError, TranslatorError
from translator.markdown.page import Page
from translator.store.blockmerge import Blocks, Side, align, merge_blocks, read_blocks
from translator.store.memory import PostRecord

__all__ = ("CopyAlignment", "align_copy", "merge_copy")

Reader = Callable[[str], Page]


@dataclass(frozen=True, slots=True)
class CopyAlignment:
    """The editor's copy read against the last write."""

    current: tuple[str, ...]
    """The copy's text for each recorded slot (the last write's where the copy lacks it)."""
    base: Side
    """The last write, its blocks named."""
    ours: Side
    """The copy, its blocks named."""
    source: Blocks
    """The source post as it was last translated."""


def align_copy(md: MarkdownIt, read: Reader, record: PostRecord, ours_text: str) -> CopyAlignment:
    """Read the copy's blocks against the last write's; `StructureChangedError` if impossible."""
    if not record.source_text:
        raise StructureChangedError(
            "an editor changed the copy's blocks and the memory predates block merging",
            hint="run once with the copy as translator wrote it, or move the copy away",
        )
    old_page = read(record.source_text)
    source = read_blocks(md, record.source_text, old_page.document.body_start)
    written = read(record.written_text)
    base_blocks = read_blocks(md, record.written_text, written.document.body_start)
    origin = record.blocks
    if origin is None:
        origin = tuple(range(len(base_blocks.blocks)))
    if len(origin) != len(base_blocks.blocks):
        raise StructureChangedError("the memory's block map does not fit its copy")
    base_keys = tuple(f"f{m}" if m >= 0 else f"e{i}" for i, m in enumerate(origin))
    try:
        ours_page = read(ours_text)
    except TranslatorError as error:
        raise StructureChangedError(f"the copy no longer parses: {error.message}") from None
    ours = read_blocks(md, ours_text, ours_page.document.body_start)
    by_block = _slots_by_block(old_page, source)
    ours_segments = _segments_by_block(ours_page, ours)
    current = [slot.written for slot in record.slots]
    fields = {f.key: f.value for f in ours_page.fields}
    for n, field in enumerate(old_page.fields):
        current[n] = fields.get(field.key, current[n])
    keys: list[str] = []
    pairs = align(base_blocks.blocks, ours.blocks)
    for j in range(len(ours.blocks)):
        key = base_keys[pairs[j]] if j in pairs else f"x{j}"
        if key[0] == "f":
            slots, found = by_block.get(int(key[1:]), []), ours_segments.get(j, [])
            if len(slots) != len(found):
                key = f"x{j}"  # reshaped by the editor: theirs now, and the old one deleted
            for slot, segment in zip(slots, found, strict=False):
                current[slot] = ours_page.segments[segment].source
        keys.append(key)
    return CopyAlignment(
        tuple(current), Side(base_blocks, base_keys), Side(ours, tuple(keys)), source
    )


def merge_copy(
    md: MarkdownIt, read: Reader, alignment: CopyAlignment, page: Page, rendered_text: str
) -> tuple[str, tuple[int, ...] | None]:
    """The copy to write and its block map: the new rendering with the editor's structure."""
    source = read_blocks(md, page.text, page.document.body_start)
    rendered = read_blocks(md, rendered_text, read(rendered_text).document.body_start)
    if len(rendered.blocks) != len(source.blocks):
        raise StructureChangedError("the new rendering does not follow the source's blocks")
    pairs = align(alignment.source.blocks, source.blocks)
    rendered_keys = tuple(
        f"f{pairs[c]}" if c in pairs else f"n{c}" for c in range(len(source.blocks))
    )
    theirs = _carry_editor_blocks(alignment.base.keys, rendered_keys)
    return merge_blocks(
        alignment.base, alignment.ours, theirs, Side(rendered, rendered_keys), source
    )


def _carry_editor_blocks(base: Sequence[str], rendered: Sequence[str]) -> list[str]:
    """The rendering's names with the last write's editor blocks after the block they followed."""
    theirs = list(rendered)
    anchor = -1  # insert after this index of `theirs`; -1: at the start
    for key in base:
        if key[0] == "e":
            theirs.insert(anchor + 1, key)
            anchor += 1
        elif key in theirs:
            anchor = theirs.index(key)
    return theirs


def _slots_by_block(page: Page, blocks: Blocks) -> dict[int, list[int]]:
    """Source block -> indexes of its slots in the record (fields come first)."""
    found: dict[int, list[int]] = {}
    for k, block in _segment_blocks(page, blocks):
        found.setdefault(block, []).append(len(page.fields) + k)
    return found


def _segments_by_block(page: Page, blocks: Blocks) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for k, block in _segment_blocks(page, blocks):
        found.setdefault(block, []).append(k)
    return found


def _segment_blocks(page: Page, blocks: Blocks) -> list[tuple[int, int]]:
    return [
        (k, blocks.block_of_line(page.text.count("\n", 0, segment.start)))
        for k, segment in enumerate(page.segments)
    ]
