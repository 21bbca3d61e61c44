"""The three-way merge of a copy's blocks, when an editor changed its structure. Pure.

base = what translator last wrote (the memory's copy), ours = the copy as the
editor left it, theirs = the new rendering of the source with the previous
copy's editor blocks carried over. Each text is a list of top-level Markdown
blocks (markdown-it's line maps); blocks are aligned with difflib (equal
blocks — code fences, shortcodes, untouched paragraphs — are the anchors;
changed ones pair by kind and wording), named by the source block they come
from, and merged by `merge3` as a version control system merges lines:
blocks the editor added stay where the editor put them, blocks the editor
deleted stay deleted, everything else follows the source. What happens
inside a block (the editor's words against the new machine text) is the
slot merge's job (`translator.store.merge`).

A merge that cannot be made safely — both sides changed the same stretch of
blocks in different ways — raises `MergeRefusedError` naming the lines in
the copy and in the source; the copy is left untouched.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import merge3
from markdown_it import MarkdownIt

from translator.errors import MergeRefusedError

__all__ = ("Block", "Blocks", "align", "merge_blocks", "read_blocks")

_WORD = re.compile(r"\w+")
_SIMILAR = 0.3


@dataclass(frozen=True, slots=True)
class Block:
    """One top-level block of a Markdown file."""

    first: int
    """Index of its first line in the file."""
    last: int
    """Index past its last line."""
    kind: str
    """markdown-it's token type (`paragraph_open`, `fence`, `heading_open`…)."""
    text: str
    """Its lines."""


@dataclass(frozen=True, slots=True)
class Blocks:
    """A file cut into a head (front matter, leading blank lines) and block chunks."""

    lines: tuple[str, ...]
    """The file's lines, line endings kept."""
    blocks: tuple[Block, ...]
    """Top-level blocks, in order."""

    def chunk(self, n: int) -> str:
        """Block `n` with the lines up to the next block (blank lines, reference definitions)."""
        end = self.blocks[n + 1].first if n + 1 < len(self.blocks) else len(self.lines)
        return "".join(self.lines[self.blocks[n].first : end])

    @property
    def head(self) -> str:
        """Everything before the first block."""
        first = self.blocks[0].first if self.blocks else len(self.lines)
        return "".join(self.lines[:first])

    def block_of_line(self, line: int) -> int:
        """The block whose chunk holds line index `line` (-1 in the head)."""
        found = -1
        for n, block in enumerate(self.blocks):
            if block.first <= line:
                found = n
        return found


def read_blocks(md: MarkdownIt, text: str, body_start: int) -> Blocks:
    """Cut `text` (whose body starts at offset `body_start`) into top-level blocks."""
    lines = tuple(text.splitlines(keepends=True))
    skip = text.count("\n", 0, body_start)
    found: list[Block] = []
    for token in md.parse(text[body_start:]):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        first, last = token.map[0] + skip, token.map[1] + skip
        found.append(Block(first, last, token.type, "".join(lines[first:last])))
    return Blocks(lines, tuple(found))


def align(old: Sequence[Block], new: Sequence[Block]) -> dict[int, int]:
    """new index -> old index of the same block: equal ones first, then alike ones of a kind."""
    matcher = difflib.SequenceMatcher(
        None, [b.text for b in old], [b.text for b in new], autojunk=False
    )
    pairs: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.update({j1 + k: i1 + k for k in range(i2 - i1)})
        elif tag == "replace":
            pairs.update(_alike(old, new, range(i1, i2), range(j1, j2)))
    return pairs


def _alike(
    old: Sequence[Block], new: Sequence[Block], olds: range, news: range
) -> Iterator[tuple[int, int]]:
    """Order-keeping pairs of changed blocks of one kind, most alike first (a small DP)."""
    if len(olds) == len(news) == 1 and old[olds[0]].kind == new[news[0]].kind:
        yield news[0], olds[0]
        return

    def score(i: int, j: int) -> float:
        if old[i].kind != new[j].kind:
            return 0.0
        a, b = _WORD.findall(old[i].text.lower()), _WORD.findall(new[j].text.lower())
        ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
        return ratio if ratio >= _SIMILAR else 0.0

    table = {(i, j): score(i, j) for i in olds for j in news}
    best: dict[tuple[int, int], float] = {}
    for i in reversed(olds):
        for j in reversed(news):
            take = table[i, j] + best.get((i + 1, j + 1), 0.0) if table[i, j] else 0.0
            best[i, j] = max(take, best.get((i + 1, j), 0.0), best.get((i, j + 1), 0.0))
    i, j = olds.start, news.start
    while i < olds.stop and j < news.stop:
        if table[i, j] and best[i, j] == table[i, j] + best.get((i + 1, j + 1), 0.0):
            yield j, i
            i, j = i + 1, j + 1
        elif best[i, j] == best.get((i + 1, j), 0.0):
            i += 1
        else:
            j += 1


@dataclass(frozen=True, slots=True)
class Side:
    """One side of the merge: its blocks and the name of each (`f3`, `n2`, `e5`, `x1`)."""

    blocks: Blocks
    """The text, cut."""
    keys: tuple[str, ...]
    """A name per block: `f<i>` source block i of the last write, `n<i>` a new source
    block, `e<i>` an editor's block of the last write, `x<i>` an editor's new block."""


def merge_blocks(
    base: Side, ours: Side, theirs: Sequence[str], rendered: Side, source: Blocks
) -> tuple[str, tuple[int, ...] | None]:
    """The merged text and its block map (the source block of each block, -1 for an editor's;
    None when the merged copy has exactly the source's blocks).

    `theirs` names the new rendering's blocks with the last write's editor blocks
    carried over; `rendered` is the new rendering itself, whose block k comes from
    `source` block k. Raises `MergeRefusedError` when both sides changed the same
    stretch of blocks differently.
    """
    regions = merge3.Merge3(list(base.keys), list(ours.keys), list(theirs)).merge_regions()
    keys: list[str] = []
    for region in regions:
        kind = region[0]
        if kind == "unchanged":
            keys.extend(base.keys[region[1] : region[2]])
        elif kind == "a":
            keys.extend(ours.keys[region[1] : region[2]])
        elif kind in ("b", "same"):
            keys.extend(theirs[region[1] : region[2]])
        else:
            z1, z2, a1, a2, b1, b2 = (int(x) for x in region[1:7])
            spans = (base.keys[z1:z2], ours.keys[a1:a2], theirs[b1:b2])
            keys.extend(_resolve(spans, ours, range(a1, a2), rendered, source))
    if tuple(keys) == rendered.keys:
        return "".join(rendered.blocks.lines), None
    return _assemble(keys, base, ours, rendered)


def _resolve(
    spans: tuple[Sequence[str], Sequence[str], Sequence[str]],
    ours: Side,
    ours_range: range,
    rendered: Side,
    source: Blocks,
) -> list[str]:
    b, o, t = spans
    if not b:  # both sides inserted here: the editor's blocks first, then the source's
        return [*o, *t]
    if set(t) <= set(b):  # the source only deleted: the editor's arrangement, less those
        return [k for k in o if k not in b or k in t]
    if set(o) <= set(b) and [k for k in b if k in o] == list(o):  # the editor only deleted
        return [k for k in t if k not in b or k in o]
    index = {k: n for n, k in enumerate(rendered.keys)}
    copy_lines = _lines(ours.blocks, list(ours_range))
    source_lines = _lines(source, [index[k] for k in t if k in index])
    raise MergeRefusedError(
        f"the editor's and the source's changes to the blocks overlap (copy lines {copy_lines},"
        f" source lines {source_lines}); nothing was written",
        line=ours.blocks.blocks[ours_range[0]].first + 1 if ours_range else None,
        hint="make the copy's blocks there follow the source, then run again",
    )


def _lines(blocks: Blocks, indexes: Sequence[int]) -> str:
    chosen = [blocks.blocks[n] for n in indexes]
    if not chosen:
        return "none"
    return f"{chosen[0].first + 1}-{chosen[-1].last}"


def _assemble(
    keys: Sequence[str], base: Side, ours: Side, rendered: Side
) -> tuple[str, tuple[int, ...]]:
    """The merged text: the rendering's head, then each named block's chunk."""
    sides = [(rendered, True), (ours, False), (base, False)]
    where: dict[str, tuple[Side, int, bool]] = {}
    for side, from_source in reversed(sides):
        where.update({k: (side, n, from_source) for n, k in enumerate(side.keys)})
    newline = "\r\n" if "\r\n" in rendered.blocks.head else "\n"
    parts = [rendered.blocks.head]
    mapping: list[int] = []
    previous: tuple[int, int] | None = None
    for key in keys:
        side, n, from_source = where[key]
        if previous is not None and previous != (id(side), n - 1):
            # Blocks from different places: a blank line keeps them apart.
            parts[-1] = parts[-1].rstrip("\r\n") + newline * 2
        parts.append(side.blocks.chunk(n))
        mapping.append(n if from_source and key[0] in "fn" else -1)
        previous = (id(side), n)
    text = "".join(parts)
    return (text if text.endswith(newline) else text + newline), tuple(mapping)
