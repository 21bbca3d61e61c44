"""Pair a translation's slots with its source's slots by block structure. Pure.

A human translation (or any copy whose history is unknown) is trusted slot by
slot only where it has the source's shape: the same sequence of blocks
(headings of the same level, paragraphs, list items, table cells, code
blocks…) and so the same number of segments. Then the n-th segment of the
copy translates the n-th segment of the source, and front matter values pair
by key. Where the shapes differ, nothing is paired: a guess could put one
paragraph's translation against another's source.

Used by `translator adopt`; the memory can be rebuilt from copies with it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt

from translator.markdown import _markdown
from translator.markdown.page import Page, slot_labels

__all__ = ("Adoption", "SlotPair", "block_shape", "pair_slots")


@dataclass(frozen=True, slots=True)
class SlotPair:
    """One source slot and the copy's text for it."""

    label: str
    """Where the slot is in the source: a front matter key or `line N`."""
    source: str
    """The source slot's text (Markdown for a segment, the value for a field)."""
    copy: str
    """The copy's text for the same slot."""


@dataclass(frozen=True, slots=True)
class Adoption:
    """How a copy lines up with its source."""

    matched: bool
    """The block structures match: every slot is paired."""
    pairs: tuple[SlotPair, ...]
    """Paired slots with words in both, fields first (empty when not matched)."""
    reason: str = ""
    """Why the copy does not line up, when it does not."""


def block_shape(md: MarkdownIt, page: Page) -> list[tuple[str, str]]:
    """The page body's blocks, without words, code or markup characters: (token type, tag)."""
    body = page.text[page.document.body_start :]
    tokens, _ = _markdown.parse(md, _markdown.prepare(body))
    return [(t.type, t.tag) for t in tokens if t.type != "inline"]


def pair_slots(md: MarkdownIt, source: Page, copy: Page) -> Adoption:
    """Pair `copy`'s slots with `source`'s where both have the same block structure."""
    source_shape, copy_shape = block_shape(md, source), block_shape(md, copy)
    if source_shape != copy_shape:
        return Adoption(False, (), _difference(source_shape, copy_shape))
    if len(source.segments) != len(copy.segments):
        return Adoption(
            False,
            (),
            f"{len(source.segments)} segments in the source, {len(copy.segments)} in the copy",
        )
    fields = {f.key: f.value for f in copy.fields}
    pairs = [SlotPair(f.key, f.value, fields[f.key]) for f in source.fields if f.key in fields]
    labels = slot_labels(source)[len(source.fields) :]
    pairs += [
        SlotPair(label, mine.source, theirs.source)
        for label, mine, theirs in zip(labels, source.segments, copy.segments, strict=True)
        if mine.text and theirs.text
    ]
    return Adoption(True, tuple(pairs))


def _difference(source: list[tuple[str, str]], copy: list[tuple[str, str]]) -> str:
    """The first block where the two shapes part, for the report."""
    for n, (mine, theirs) in enumerate(zip(source, copy, strict=False)):
        if mine != theirs:
            return f"block {n + 1} is {_name(mine)} in the source, {_name(theirs)} in the copy"
    return f"{_blocks(source)} blocks in the source, {_blocks(copy)} in the copy"


def _blocks(shape: list[tuple[str, str]]) -> int:
    return sum(1 for kind, _ in shape if not kind.endswith("_close"))


def _name(shape: tuple[str, str]) -> str:
    kind, tag = shape
    return f"{kind.removesuffix('_open').replace('_', ' ')} ({tag})" if tag else kind
