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

from translator.errors import MergeRefusedError, StructureChangedError, TranslatorError
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
    joined: tuple[tuple[int, tuple[int, ...]], ...] = ()
    """(copy block, the last write's blocks it absorbed): blocks an editor joined into one."""


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
    joined = _joined(base_blocks, ours, pairs)
    for j in range(len(ours.blocks)):
        key = base_keys[pairs[j]] if j in pairs and j not in joined else f"x{j}"
        if key[0] == "f":
            slots, found = by_block.get(int(key[1:]), []), ours_segments.get(j, [])
            if len(slots) != len(found):
                key = f"x{j}"  # reshaped by the editor: theirs now, and the old one deleted
            for slot, segment in zip(slots, found, strict=False):
                current[slot] = ours_page.segments[segment].source
        keys.append(key)
    return CopyAlignment(
        tuple(current),
        Side(base_blocks, base_keys),
        Side(ours, tuple(keys)),
        source,
        tuple(sorted(joined.items())),
    )


def _joined(base: Blocks, ours: Blocks, pairs: dict[int, int]) -> dict[int, tuple[int, ...]]:
    """Copy blocks holding whole blocks of the last write besides their own: an editor joined them.

    Typing over the blank line between two blocks makes one block of them; named after
    only one (the one it reads most like), the others would look deleted by the editor
    and a merge would drop them, and what the source changed in them, silently.
    """
    kept = set(pairs.values())
    found: dict[int, tuple[int, ...]] = {}
    for j, block in enumerate(ours.blocks):
        lines = {line.strip() for line in block.text.splitlines()} - {""}
        inside = tuple(
            i
            for i, old in enumerate(base.blocks)
            if (i == pairs.get(j) or i not in kept) and _whole_in(old.text, lines)
        )
        if len(inside) > 1 or (inside and inside != (pairs.get(j),)):
            found[j] = inside
    return found


def _whole_in(text: str, lines: set[str]) -> bool:
    own = {line.strip() for line in text.splitlines()} - {""}
    return bool(own) and own <= lines


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
    _refuse_changed_joins(alignment, source, rendered_keys)
    theirs = _carry_editor_blocks(alignment.base.keys, rendered_keys)
    return merge_blocks(
        alignment.base, alignment.ours, theirs, Side(rendered, rendered_keys), source
    )


def _refuse_changed_joins(
    alignment: CopyAlignment, source: Blocks, rendered_keys: Sequence[str]
) -> None:
    """`MergeRefusedError` when the source deleted or changed a block an editor joined to another.

    The joined block is the editor's own text: the source's change cannot be put in it,
    and dropping it, or the editor's block, would lose one side's words.
    """
    old_text = {f"f{n}": b.text for n, b in enumerate(alignment.source.blocks)}
    new_at = {k: c for c, k in enumerate(rendered_keys)}
    for j, absorbed in alignment.joined:
        for i in absorbed:
            key = alignment.base.keys[i]
            if key[0] != "f":
                continue
            c = new_at.get(key)
            if c is not None and source.blocks[c].text == old_text[key]:
                continue
            old = alignment.source.blocks[int(key[1:])]
            where = (
                f"deleted its lines {old.first + 1}-{old.last}"
                if c is None
                else f"changed lines {source.blocks[c].first + 1}-{source.blocks[c].last}"
            )
            block = alignment.ours.blocks.blocks[j]
            raise MergeRefusedError(
                f"an editor joined blocks into one (copy lines {block.first + 1}-{block.last}) "
                f"and the source {where} that the block holds; nothing was written",
                line=block.first + 1,
                hint="split the copy's block as the source's blocks are, then run again",
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
