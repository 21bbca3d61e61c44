"""Pair a translation's slots with its source's slots by block structure. Pure.

A human translation (or any copy whose history is unknown) is trusted slot by
slot only where it has the source's shape: the same sequence of blocks
(headings of the same level, paragraphs, list items, table cells, code
blocks…) and so the same number of segments. Then the n-th segment of the
copy translates the n-th segment of the source, and front matter values pair
by key. Where the shapes differ, nothing is paired: a guess could put one
paragraph's translation against another's source.

Used by `translator adopt`. `translator memory rebuild` checks the block
structure the same way, then takes the copy's slot texts with `written_slots`:
a copy translator wrote is its source with each segment's text replaced, so
its segments are found between the source's own text around them (parsing the
copy alone can cut raw HTML with translated text in it otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt

from translator.markdown import _markdown
from translator.markdown.page import Page, slot_labels

__all__ = ("Adoption", "SlotPair", "block_shape", "pair_slots", "written_slots")


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


def written_slots(source: Page, copy: Page, machine: Sequence[str]) -> list[str] | None:
    """The copy's text for each of `source`'s slots, for a copy composed from `source`.

    Front matter values pair by key; the body must be the source's body with
    each segment's text replaced (None otherwise). Where several splits fit,
    the machine's text for a slot (`machine`, one per slot) is preferred.
    """
    fields = {f.key: f.value for f in copy.fields}
    if any(f.key not in fields for f in source.fields):
        return None
    start = source.document.body_start
    text = source.text[start:]
    cuts = [0, *(n for s in source.segments for n in (s.start - start, s.end - start)), len(text)]
    pieces = [text[a:b] for a, b in zip(cuts[::2], cuts[1::2], strict=True)]
    body = _split(copy.text[copy.document.body_start :], pieces, machine[len(source.fields) :])
    return None if body is None else [fields[f.key] for f in source.fields] + body


def _split(body: str, pieces: Sequence[str], machine: Sequence[str]) -> list[str] | None:
    """`body` as pieces[0] t0 pieces[1] t1 … pieces[-1]: the texts t, depth-first, no recursion."""
    if not body.startswith(pieces[0]):
        return None
    if not machine:
        return [] if body == pieces[0] else None
    texts: list[str] = []
    failed: set[tuple[int, int]] = set()
    stack = [(0, len(pieces[0]), _ends(body, pieces, machine, 0, len(pieces[0])))]
    while stack:
        n, at, ends = stack[-1]
        end = next(ends, None)
        if end is None:
            failed.add((n, at))
            stack.pop()
            if texts:
                texts.pop()
            continue
        texts.append(body[at:end])
        if n + 1 == len(machine):
            return texts
        after = end + len(pieces[n + 1])
        if (n + 1, after) in failed:
            texts.pop()
            continue
        stack.append((n + 1, after, _ends(body, pieces, machine, n + 1, after)))
    return None


def _ends(
    body: str, pieces: Sequence[str], machine: Sequence[str], n: int, at: int
) -> Iterator[int]:
    """Where the text of segment `n`, starting at `at`, may end: the machine's length first."""
    after = pieces[n + 1]
    if n + 1 == len(machine):  # the last segment runs to the last piece
        end = len(body) - len(after)
        if end >= at and body.endswith(after):
            yield end
        return
    guess = at + len(machine[n])
    if body.startswith(machine[n] + after, at):
        yield guess
    if not after:
        return  # nothing between two segments: only the machine's text can tell them apart
    found = body.find(after, at)
    while found >= 0:
        if found != guess:
            yield found
        found = body.find(after, found + 1)
