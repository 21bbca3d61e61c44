"""Raw HTML -> segments: the text a reader sees, and prose attributes. Pure.

Hugo passes raw HTML through (with `unsafe = true`), and sites put prose in
it: `<figcaption>`, `<details><summary>`, `<p class="caption">`, `alt` text.
The stdlib `html.parser` finds the tags; the text between them is cut into
runs: a run is text and inline elements (`<a>`, `<b>`, `<img>`…) up to the
next block-level tag. A run with words is a segment: paired inline tags
become `<g1>…</g1>`, others `<x1/>`, the whole content of `code`, `samp`,
`var` (inline) one placeholder; `pre`, `script`, `style`, `svg`, `math` are
skipped whole. The values of `alt`, `title`, `aria-label` and `placeholder`
are translated apart: as extra units of the run holding their tag, or as
segments of their own. Every other byte (tags, other attributes, comments)
stays as it is; characters the source wrote as entities are written back so.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = (
    "TRANSLATABLE_ATTRIBUTES",
    "HtmlPiece",
    "attribute_pieces",
    "html_runs",
    "skeleton",
    "tag_attributes",
)

TRANSLATABLE_ATTRIBUTES = frozenset({"alt", "title", "aria-label", "placeholder"})
"""Attributes whose values are prose."""
_INLINE = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "ins",
        "kbd",
        "label",
        "mark",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
    ]
)
_VOID = frozenset(["area", "br", "embed", "img", "input", "source", "track", "wbr"])
_INLINE_VERBATIM = frozenset({"code", "samp", "var"})
_BLOCK_VERBATIM = frozenset({"pre", "script", "style", "svg", "math", "textarea"})
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_TAG_NAME = re.compile(r"</?[^\s/>]+")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]*);")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class HtmlPiece:
    """One run of an HTML segment, in offsets of the text the block was cut from."""

    start: int
    """Offset of its first character."""
    end: int
    """Offset just past it."""
    kind: str
    """`words`, `space`, `break` (a space with a line break), `entity`, `protected`, `term`,
    `open`, `close`, `void` or `verbatim`."""
    text: str = ""
    """For words, spaces and entities: what the engine sees."""
    tag: str = ""
    """For tags: the element's name."""
    attributes: tuple[tuple[int, int, str], ...] = ()
    """Prose attribute values of a tag: (start, end, quote)."""


@dataclass(frozen=True, slots=True)
class _Event:
    kind: str
    start: int
    tag: str = ""


class _Recorder(HTMLParser):
    """Records where each tag, text and entity starts; the next start is where it ends."""

    def __init__(self, content: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", content))]
        self.events: list[_Event] = []

    def _add(self, kind: str, tag: str = "") -> None:
        line, column = self.getpos()
        self.events.append(_Event(kind, self.line_starts[line - 1] + column, tag))

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self._add("void" if tag in _VOID else "open", tag)

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        self._add("void", tag)

    def handle_endtag(self, tag: str) -> None:
        self._add("close", tag)

    def handle_data(self, data: str) -> None:
        self._add("data")

    def handle_entityref(self, name: str) -> None:
        self._add("entity")

    def handle_charref(self, name: str) -> None:
        self._add("entity")

    def handle_comment(self, data: str) -> None:
        self._add("other")

    def handle_decl(self, decl: str) -> None:
        self._add("other")

    def handle_pi(self, data: str) -> None:
        self._add("other")

    def unknown_decl(self, data: str) -> None:
        self._add("other")


def _events(content: str) -> list[tuple[_Event, int]] | None:
    """Each event with its end, or None when the parser's positions do not tile the text."""
    recorder = _Recorder(content)
    recorder.feed(content)
    recorder.close()
    events = recorder.events
    starts = [e.start for e in events]
    if not events or starts[0] != 0 or any(a >= b for a, b in itertools.pairwise(starts)):
        return None
    found = list(zip(events, [*starts[1:], len(content)], strict=True))
    # A `<` that makes no tag (`<div id="x"` cut short) is text to the parser, not to
    # a browser: such HTML is kept as it is.
    if any(e.kind == "data" and "<" in content[e.start : end] for e, end in found):
        return None
    return found


def html_runs(content: str, protected: re.Pattern[str]) -> Iterator[list[HtmlPiece]]:
    """The runs of an HTML text, each a list of pieces; runs without words are yielded too.

    `protected` finds what becomes a placeholder inside words (URLs, masked
    shortcodes, glossary terms as the group `term`). A line break between two
    tags ends a run: `</a>` then `<a …>` on the next line are two buttons, not
    one sentence.
    """
    for run in _runs(content, protected):
        yield from _split_at_tag_lines(run)


_TAGS = frozenset({"open", "close", "void", "verbatim"})


def _split_at_tag_lines(run: list[HtmlPiece]) -> Iterator[list[HtmlPiece]]:
    kinds = [p.kind for p in run if p.kind != "space"]
    solid = [n for n, p in enumerate(run) if p.kind != "space"]
    start = 0
    for k, n in enumerate(solid):
        between_tags = 0 < k < len(kinds) - 1 and {kinds[k - 1], kinds[k + 1]} <= _TAGS
        if kinds[k] == "break" and between_tags:
            yield run[start:n]
            start = n + 1
    yield run[start:]


def _runs(content: str, protected: re.Pattern[str]) -> Iterator[list[HtmlPiece]]:
    found = _events(content)
    if found is None:
        return
    run: list[HtmlPiece] = []
    index = 0
    while index < len(found):
        event, end = found[index]
        name = event.tag
        if event.kind == "open" and name in _INLINE_VERBATIM | _BLOCK_VERBATIM:
            closing = _closing(found, index, name)
            stop = found[closing][1] if closing is not None else len(content)
            if name in _BLOCK_VERBATIM:
                yield run
                run = []
            else:
                run.append(HtmlPiece(event.start, stop, "verbatim", tag=name))
            index = closing + 1 if closing is not None else len(found)
            continue
        if event.kind in ("open", "close", "void") and (name in _INLINE or name in _VOID):
            run.append(_tag_piece(content, event, end))
        elif event.kind == "data":
            run.extend(_words(content, event.start, end, protected))
        elif event.kind == "entity":
            raw = content[event.start : end]
            run.append(HtmlPiece(event.start, end, "entity", html.unescape(raw)))
        else:
            yield run
            run = [_tag_piece(content, event, end)] if event.kind in ("open", "void") else []
            if run:
                yield run
                run = []
        index += 1
    yield run


def _closing(found: Sequence[tuple[_Event, int]], index: int, name: str) -> int | None:
    depth = 0
    for n in range(index, len(found)):
        event = found[n][0]
        if event.tag == name and event.kind in ("open", "close"):
            depth += 1 if event.kind == "open" else -1
            if depth == 0:
                return n
    return None


def _tag_piece(content: str, event: _Event, end: int) -> HtmlPiece:
    raw = content[event.start : end]
    name = _TAG_NAME.match(raw)
    attributes: list[tuple[int, int, str]] = []
    if name is not None and event.kind != "close":
        for match in _ATTRIBUTE.finditer(raw, name.end()):
            if match.group(1).lower() not in TRANSLATABLE_ATTRIBUTES or match.lastindex == 1:
                continue
            group = match.lastindex or 1
            quote = {2: '"', 3: "'"}.get(group, "")
            start = event.start + match.start(group)
            attributes.append((start, event.start + match.end(group), quote))
    return HtmlPiece(event.start, end, event.kind, tag=event.tag, attributes=tuple(attributes))


def tag_attributes(raw: str) -> tuple[tuple[int, int, str], ...]:
    """The prose attribute values of one tag's raw text: (start, end, quote)."""
    return _tag_piece(raw, _Event("open", 0), len(raw)).attributes


def _words(content: str, start: int, end: int, protected: re.Pattern[str]) -> list[HtmlPiece]:
    """Words, spaces (a line break reads as one space) and placeholders of a text."""
    pieces: list[HtmlPiece] = []
    position = start
    for match in protected.finditer(content, start, end):
        pieces.extend(_plain(content, position, match.start()))
        kind = "term" if match.lastgroup == "term" else "protected"
        pieces.append(HtmlPiece(match.start(), match.end(), kind))
        position = match.end()
    pieces.extend(_plain(content, position, end))
    return pieces


def _plain(content: str, start: int, end: int) -> Iterator[HtmlPiece]:
    position = start
    for match in _SPACE.finditer(content, start, end):
        if match.start() > position:
            yield HtmlPiece(position, match.start(), "words", content[position : match.start()])
        if "\n" in match.group():
            yield HtmlPiece(match.start(), match.end(), "break", " ")
        else:
            yield HtmlPiece(match.start(), match.end(), "space", match.group())
        position = match.end()
    if end > position:
        yield HtmlPiece(position, end, "words", content[position:end])


def attribute_pieces(
    content: str, start: int, end: int, protected: re.Pattern[str]
) -> list[HtmlPiece]:
    """The pieces of an attribute value: words, spaces, entities, placeholders."""
    pieces: list[HtmlPiece] = []
    position = start
    for match in _ENTITY.finditer(content, start, end):
        pieces.extend(_words(content, position, match.start(), protected))
        pieces.append(HtmlPiece(match.start(), match.end(), "entity", html.unescape(match[0])))
        position = match.end()
    pieces.extend(_words(content, position, end, protected))
    return pieces


@functools.lru_cache(maxsize=4096)
def skeleton(content: str) -> tuple[str, ...]:
    """An HTML text without its prose: tags with their prose attributes cut out, verbatim
    elements whole. Two texts with the same skeleton differ only in translated text."""
    found = _events(content)
    if found is None:
        return (content,)
    shape: list[str] = []
    index = 0
    while index < len(found):
        event, end = found[index]
        if event.kind == "open" and event.tag in _INLINE_VERBATIM | _BLOCK_VERBATIM:
            closing = _closing(found, index, event.tag)
            stop = found[closing][1] if closing is not None else len(content)
            shape.append(content[event.start : stop])
            index = closing + 1 if closing is not None else len(found)
            continue
        if event.kind in ("open", "close", "void"):
            shape.append(_blank_attributes(content, _tag_piece(content, event, end)))
        elif event.kind == "other":
            shape.append(content[event.start : end])
        index += 1
    return tuple(shape)


def _blank_attributes(content: str, piece: HtmlPiece) -> str:
    raw = content[piece.start : piece.end]
    for start, end, quote in reversed(piece.attributes):
        # The quotes go too: a bare value may come back quoted.
        edge = len(quote)
        raw = raw[: start - piece.start - edge] + raw[end - piece.start + edge :]
    return raw
