"""Which translated segments would change a body's blocks: checked once, then locally. Pure.

The whole body is parsed once with every translation in place (the common
case: nothing changed, done). When that differs from the source, each
top-level block is compared on its own, and only in blocks that changed is
each segment tried alone, in its block. Cost stays linear in the size of the
body: a block is parsed a few times, never the whole page per segment. If the
blocks all agree but the page still differs (a change that reaches across
blocks), every changed segment is tried alone in the whole body, as before.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection, Sequence

from markdown_it import MarkdownIt

from translator.markdown import _markdown
from translator.markdown.reassemble import splice

__all__ = ("breaking_segments",)

Span = tuple[int, int]
Shape = list[tuple[object, ...]]


def breaking_segments(
    md: MarkdownIt,
    body: str,
    spans: Sequence[Span],
    texts: Sequence[str | None],
    *,
    markdown_inner: Collection[str] = _markdown.DEFAULT_MARKDOWN_INNER,
) -> set[int]:
    """Indices of segments whose text (None: unchanged) changes the body's structure alone.

    `spans` are the segments' (start, end) offsets in `body`, in order.
    """

    def shape(text: str) -> Shape:
        return _markdown.structure(md, text, markdown_inner=markdown_inner)

    changed = [n for n, text in enumerate(texts) if text is not None]
    if not changed:
        return set()
    expected = shape(body)
    if shape(_apply(body, spans, texts, changed)) == expected:
        return set()
    blocks = _top_level_blocks(md, body, markdown_inner)
    breaking: set[int] = set()
    for start, end in blocks:
        inside = [n for n in changed if start <= spans[n][0] < end]
        if inside:
            breaking |= _in_block(shape, body, (start, end), spans, texts, inside)
    kept = [n for n in changed if n not in breaking]
    if shape(_apply(body, spans, texts, kept)) == expected:
        return breaking
    return breaking | {n for n in kept if shape(_apply(body, spans, texts, [n])) != expected}


def _apply(
    body: str, spans: Sequence[Span], texts: Sequence[str | None], which: Sequence[int]
) -> str:
    return splice(body, [(*spans[n], texts[n] or "") for n in which])


def _in_block(
    shape: Callable[[str], Shape],
    body: str,
    block: Span,
    spans: Sequence[Span],
    texts: Sequence[str | None],
    inside: Sequence[int],
) -> set[int]:
    start, end = block
    text = body[start:end]
    local = [(spans[n][0] - start, min(spans[n][1], end) - start) for n in inside]
    local_texts = [texts[n] for n in inside]
    expected = shape(text)
    every = list(range(len(inside)))
    if shape(_apply(text, local, local_texts, every)) == expected:
        return set()
    return {inside[k] for k in every if shape(_apply(text, local, local_texts, [k])) != expected}


def _top_level_blocks(md: MarkdownIt, body: str, markdown_inner: Collection[str]) -> list[Span]:
    """Offsets of each top-level block, from its first line to the next block's first line."""
    source = _markdown.prepare(body, markdown_inner=markdown_inner)
    tokens, _ = _markdown.parse(md, source)
    firsts = sorted({t.map[0] for t in tokens if t.level == 0 and t.map is not None})
    starts = [source.to_original(source.line_starts[line]) for line in firsts]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    ends = [*starts[1:], len(body)]
    return list(zip(starts, ends, strict=True))


def line_numbers(text: str, offsets: Sequence[int]) -> list[int]:
    """The 1-based line of each offset, from one index of the text's line breaks."""
    breaks = [match.start() for match in re.finditer("\n", text)]
    return [bisect.bisect_left(breaks, offset) + 1 for offset in offsets]
