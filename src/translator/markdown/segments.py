"""Markdown body -> translatable segments with tags, and back. Pure functions of text.

A segment is the inline content of one leaf block (heading, paragraph, list
item paragraph, table cell, footnote paragraph). An engine sees its words as
plain text, and its inline markup as tags it may move: `<g1>…</g1>` around
text (emphasis, strong, strikethrough, links, images) and `<x2/>` for what
must come back untouched (inline code, raw HTML, shortcodes, URLs, footnote
references, hard breaks, escapes the engine could break). Each tag is put back
as the exact source characters. Link and image titles are extra units of the
same segment. Putting a segment back splices the source text; nothing outside
the segment's span changes (see `render_segment` and `splice`).
"""

from __future__ import annotations

import bisect
import html
import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkDestination, parseLinkTitle
from markdown_it.token import Token

from translator.markdown import _markdown
from translator.markdown import shortcodes as _shortcodes
from translator.markdown._hardened import check_inline_nesting
from translator.markdown._markdown import Source
from translator.markdown.html_segments import HtmlPiece, attribute_pieces, html_runs, tag_attributes
from translator.markdown.qa import SourceCheck, source_check
from translator.markdown.shortcodes import DEFAULT_SHORTCODES, ShortcodeRule

__all__ = (
    "Piece",
    "Segment",
    "Title",
    "extract_segments",
    "inline_segment",
)

MIN_WIDTH = 60
"""The narrowest a re-wrapped translation gets, whatever the source's line length."""
_HEADING_ATTRIBUTES = re.compile(r"[ \t]+\{[#.][^{}\n]*\}$")
_SOFTBREAK = re.compile(r" *\n[ \t]*")
_HARDBREAK = re.compile(r"(?: {2,}|\\)\n[ \t]*")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
_PAIRED = {"em_open", "strong_open", "s_open"}
_CLOSING = {"em_close", "strong_close", "s_close"}


@dataclass(frozen=True, slots=True)
class Title:
    """A link or image title: translated on its own, written back inside its quotes."""

    raw: str
    """The title's source characters between its delimiters."""
    plain: str
    """The title as text (escapes resolved), what an engine sees."""
    delimiter: str
    """The closing delimiter: `"`, `'` or `)`; for an HTML attribute its quote, or ""."""
    html: bool = False
    """An HTML attribute value: written back with HTML escapes, not backslashes."""
    segment: Segment | None = field(default=None, compare=False)
    """A prose argument of a shortcode called inside a paragraph: the value as inline
    Markdown (`plain` is its text with tags), written back as that segment is."""


@dataclass(frozen=True, slots=True)
class Piece:
    """One run of a segment: words, or a tag standing for markup."""

    raw: str
    """The exact source characters."""
    text: str
    """What the engine sees: plain words, or the tag itself (`<g1>`, `</g1>`, `<x1/>`)."""
    tag: str | None = None
    """The tag's name (`g1`, `x1`) when this piece is markup."""
    titles: tuple[tuple[int, Title], ...] = ()
    """Texts inside this markup translated apart (a link's title, an HTML tag's `alt`), each
    with where its raw characters start inside `raw`."""
    term: bool = False
    """A glossary term: written back as the target's fixed translation, if it has one."""


@dataclass(frozen=True, slots=True)
class Segment:
    """The inline content of one leaf block, ready for an engine."""

    start: int
    """Offset in the original text where the segment begins."""
    end: int
    """Offset just past its last character."""
    source: str
    """The original characters of the segment (continuation prefixes included)."""
    pieces: tuple[Piece, ...]
    """Words and tags, in order; their `raw` add up to `source`."""
    text: str
    """What an engine sees: one line, plain words with tags, no edge whitespace."""
    titles: tuple[Title, ...] = ()
    """Link and image titles, translated as separate units."""
    in_table: bool = False
    """A table cell: a `|` in a translation must be escaped."""
    line_break: str | None = None
    """For a hard-wrapped block, the newline and prefix that start its continuation lines."""
    width: int = 0
    """For a hard-wrapped block, the length of its longest line, to wrap a translation to."""
    column: int = 0
    """How far into its first line the segment starts (after `## `, `- `, `> `)."""
    placeholders: dict[str, str] = field(default_factory=dict)
    """Each tag (`<g1>`, `</g1>`, `<x2/>`) and the source characters it stands for."""
    entities: dict[str, str] = field(default_factory=dict)
    """Characters other than letters and digits the source wrote as an entity (`\xa0` →
    `&nbsp;`): written back so."""
    inline: bool = False
    """A value outside the body (front matter, shortcode parameter): no block can open."""
    quote: str | None = None
    """For a shortcode argument or an HTML attribute, its quote (`"`, `'`, `` ` ``, or "")."""
    html: bool = False
    """Text of raw HTML: written back with HTML escapes, never Markdown ones."""
    checked: SourceCheck | None = field(default=None, compare=False, repr=False)
    """The QA checks' view of `source`, from the page's own parse when a parse of `source`
    alone gives the same tokens (else None, and QA parses it)."""

    @property
    def units(self) -> tuple[str, ...]:
        """Every text an engine translates for this segment: the body, then titles."""
        return (self.text, *(title.plain for title in self.titles))


class _UnmappableError(Exception):
    """A token could not be matched to source characters; the block stays as it is."""


def extract_segments(
    md: MarkdownIt,
    text: str,
    *,
    offset: int = 0,
    terms: Sequence[str] = (),
    shortcodes: Mapping[str, ShortcodeRule] = DEFAULT_SHORTCODES,
) -> tuple[list[Segment], dict[str, Any]]:
    """Every translatable segment of a Markdown body, in document order, and the parser's env.

    `offset` is added to every position, so a body cut from a whole file yields
    positions in that file. Blocks whose tokens cannot be mapped back to their
    source characters exactly are left out: they are kept as they are, and the
    lines of those with words are listed in the env under `KEPT_LINES`. Prose
    arguments of shortcodes standing outside any paragraph (`shortcodes` says
    which) are segments of their own.
    """
    inner = [name for name, rule in shortcodes.items() if rule.markdown_inner]
    source = _markdown.prepare(text, terms=terms, markdown_inner=inner)
    tokens, env = _markdown.parse(md, source)
    segments: list[Segment] = []
    kept: list[tuple[int, str]] = env.setdefault(KEPT_LINES, [])
    # Inline footnotes (`^[…]`) fill env["footnotes"] too, but parse the same alone.
    defined = bool(env.get("references") or env.get("footnotes", {}).get("refs"))
    for index, token in enumerate(tokens):
        if token.type == "html_block" and token.map is not None:
            cut = _html_block(source, token)
            if cut is None and _has_words(_HTML_COMMENT.sub("", token.content)):
                kept.append((token.map[0] + 1, TAB_KEPT))
            segments.extend(_shift(found, offset) for found in cut or ())
        if token.type != "inline" or token.map is None:
            continue
        check_inline_nesting(token.children or [], line=token.map[0] + 1)
        in_table = index > 0 and tokens[index - 1].type in ("th_open", "td_open")
        block = token
        if in_table:
            found = _table_cell(md, source, tokens, index, env, offset=offset, defined=defined)
        else:
            heading = index > 0 and tokens[index - 1].type == "heading_open"
            block = _without_attributes(md, token, env) if heading else token
            found = _block(source, block, offset=offset, defined=defined)
        if found is None and _has_words(block.content):
            kept.append((token.map[0] + 1, UNMAPPED_KEPT))
        # A block that is only a glossary term is a segment too: its fixed translation applies.
        elif found is not None and (_has_words(found.text) or any(p.term for p in found.pieces)):
            segments.append(found)
    segments = [_with_argument_titles(md, found, shortcodes, inner, terms) for found in segments]
    arguments = _argument_segments(md, text, shortcodes, inner, terms, segments, offset)
    return sorted([*segments, *arguments], key=lambda s: s.start), env


KEPT_LINES = "translator_kept_lines"
"""The env key of (line, why) for each block with words that could not be cut, `line`
counted from 1 in the body: it is kept as it is, and prose coverage flags it."""
TAB_KEPT = "raw HTML nested with a tab: indent it with spaces to have it translated"
UNMAPPED_KEPT = "its markup could not be mapped back to the source characters"
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _html_block(source: Source, token: Token) -> list[Segment] | None:
    """The segments of a raw HTML block, at the top level or nested in a list item or a
    quote: each line of the block's content is the end of its source line, after the
    `> ` or the indentation that nests it, which stays as it is. None if a line is not."""
    assert token.map is not None
    lines = token.content.split("\n")
    starts: list[int] = []
    for i, content_line in enumerate(lines[: token.map[1] - token.map[0]]):
        line_start, line_end = source.line(token.map[0] + i)
        if not source.normalized.endswith(content_line, line_start, line_end):
            return None  # a tab the parser expanded: the block is kept as it is
        starts.append(line_end - len(content_line))
    if len(starts) < len(lines):  # the content's final newline closes its last line
        starts.append(starts[-1] + len(lines[len(starts) - 1]) + 1)
    return list(html_segments(source, token.content, _line_mapper(lines, starts)))


def html_segments(source: Source, content: str, to_text: Callable[[int], int]) -> Iterator[Segment]:
    """Segments of an HTML text, `to_text` mapping its offsets to the source's: runs with
    words, then the prose attributes of tags in runs without words."""
    for run in html_runs(content, source.protected_in_text):
        if any(p.kind == "term" or (p.kind == "words" and _has_words(p.text)) for p in run):
            found = _html_segment(source, to_text, content, run, None)
            if found is not None:
                yield found
            continue
        for piece in run:
            for start, end, quote in piece.attributes:
                pieces = attribute_pieces(content, start, end, source.protected_in_text)
                found = _html_segment(source, to_text, content, pieces, quote)
                if found is not None and _has_words(found.text):
                    yield found


def _html_segment(
    source: Source,
    to_text: Callable[[int], int],
    content: str,
    run: Sequence[HtmlPiece],
    quote: str | None,
) -> Segment | None:
    """A run of HTML pieces as a segment; None if empty or if its words read as tags."""
    run = _own_lines(run)
    if not run:
        return None
    pairs = _paired(run)
    pieces: list[Piece] = []
    titles: list[Title] = []
    entities: dict[str, str] = {}
    for n, item in enumerate(run):
        raw = source.original_slice(to_text(item.start), to_text(item.end))
        if item.kind in ("words", "space", "break", "entity"):
            if item.kind == "entity" and not item.text.isalnum():
                entities.setdefault(item.text, raw)
            pieces.append(Piece(raw, item.text))
            continue
        own = _tag_titles(source, to_text, content, item)
        titles.extend(title for _, title in own)
        name = f"g{pairs[n]}" if n in pairs else f"x{n + 1}"
        text = f"</{name}>" if item.kind == "close" and n in pairs else f"<{name}>"
        text = text if n in pairs else f"<{name}/>"
        pieces.append(Piece(raw, text, name, own, term=item.kind == "term"))
    words = "".join(p.text for p in pieces if p.tag is None)
    if _TAG_LIKE.search(words):
        return None
    merged = _renumber(_merge_words(pieces))
    start = source.to_original(to_text(run[0].start))
    end = source.to_original(to_text(run[-1].end))
    return Segment(
        start=start,
        end=end,
        source=source.original[start:end],
        pieces=tuple(merged),
        text="".join(p.text for p in merged).strip(),
        titles=tuple(titles),
        placeholders={p.text: p.raw for p in merged if p.tag is not None},
        entities=entities,
        inline=True,
        quote=quote,
        html=True,
    )


def _own_lines(run: Sequence[HtmlPiece]) -> Sequence[HtmlPiece]:
    """The run without edge spaces, nor tags on lines of their own before or after the words.

    A tag alone on the first line can be what makes a block HTML (CommonMark's HTML block
    of type 7); a translation written on one line would turn it into a paragraph.
    """
    words = [n for n, p in enumerate(run) if p.kind in ("words", "entity", "term")]
    if not words:
        words = [n for n, p in enumerate(run) if p.kind not in ("space", "break")]
    if not words:
        return ()
    first, last = words[0], words[-1]
    breaks = [n for n in range(first) if run[n].kind == "break"]
    start = breaks[-1] + 1 if breaks else 0
    breaks = [n for n in range(last + 1, len(run)) if run[n].kind == "break"]
    end = breaks[0] if breaks else len(run)
    run = run[start:end]
    while run and run[0].kind in ("space", "break"):
        run = run[1:]
    while run and run[-1].kind in ("space", "break"):
        run = run[:-1]
    return run


def _paired(run: Sequence[HtmlPiece]) -> dict[int, int]:
    """Indices of inline tags that open and close in this run, both mapped to one number."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for n, item in enumerate(run):
        if item.kind == "open":
            stack.append(n)
        elif item.kind == "close" and stack and run[stack[-1]].tag == item.tag:
            opened = stack.pop()
            pairs[opened] = pairs[n] = opened + 1
        elif item.kind == "close":
            stack.clear()  # crossing or stray tags stay placeholders
    return pairs


def _tag_titles(
    source: Source, to_text: Callable[[int], int], content: str, item: HtmlPiece
) -> tuple[tuple[int, Title], ...]:
    """A tag's prose attributes as titles of its piece, placed in its raw characters."""
    found: list[tuple[int, Title]] = []
    for start, end, quote in item.attributes:
        value = content[start:end]
        if not _has_words(html.unescape(value)) or _TAG_LIKE.search(html.unescape(value)):
            continue
        raw = source.original_slice(to_text(start), to_text(end))
        at = len(source.original_slice(to_text(item.start), to_text(start)))
        plain = " ".join(html.unescape(value).split())
        found.append((at, Title(raw, plain, quote, html=True)))
    return tuple(found)


def _argument_segments(
    md: MarkdownIt,
    text: str,
    rules: Mapping[str, ShortcodeRule],
    inner: Sequence[str],
    terms: Sequence[str],
    body: Sequence[Segment],
    offset: int,
) -> Iterator[Segment]:
    """A segment per prose argument of each shortcode call that no body segment holds."""
    calls = list(_markdown.find_shortcodes(text))
    spans = list(_markdown.protected_spans(calls, inner))
    span_starts = [a for a, _ in spans]
    starts = [s.start - offset for s in body]
    for call in calls:
        # A call inside a raw shortcode body or a paragraph is not one of its own.
        at = bisect.bisect_right(starts, call.start) - 1
        if call.closing or (at >= 0 and body[at].end - offset > call.start):
            continue
        span = bisect.bisect_left(span_starts, call.start) - 1
        if span >= 0 and spans[span][1] > call.start:
            continue
        found = _shortcodes.arguments(text, call.start, call.end, call.name_end)
        for argument in _shortcodes.translatable(rules, call.name, found):
            segment = _argument_segment(md, text, argument, terms)
            if segment is not None:
                yield _shift(segment, offset)


def _with_argument_titles(
    md: MarkdownIt,
    segment: Segment,
    rules: Mapping[str, ShortcodeRule],
    inner: Sequence[str],
    terms: Sequence[str],
) -> Segment:
    """The segment with the declared prose arguments of the shortcodes it holds as titles.

    A shortcode called inside a paragraph is one placeholder of the paragraph's
    text; its prose arguments (`caption`, `title`…) are translated apart, as a
    link's title is, and only the characters between their quotes change.
    """
    pieces = [
        replace(piece, titles=(*piece.titles, *argument_titles(md, piece.raw, rules, inner, terms)))
        if piece.tag is not None and piece.raw.startswith("{{") and piece.raw.endswith("}}")
        else piece
        for piece in segment.pieces
    ]
    titles = tuple(title for piece in pieces for _, title in piece.titles)
    if len(titles) == len(segment.titles):
        return segment
    return replace(segment, pieces=tuple(pieces), titles=titles)


def argument_titles(
    md: MarkdownIt,
    raw: str,
    rules: Mapping[str, ShortcodeRule],
    inner: Sequence[str],
    terms: Sequence[str] = (),
) -> tuple[tuple[int, Title], ...]:
    """The declared prose arguments of the shortcode calls in `raw` (a run of calls), each
    with where its value starts in `raw`. Calls inside a raw body and `{{</* */>}}` are not
    rendered as calls by Hugo: left out."""
    calls = list(_markdown.find_shortcodes(raw))
    opening = {start for start, _ in _markdown.protected_spans(calls, inner)}
    found: list[tuple[int, Title]] = []
    for call in calls:
        if call.closing or call.start not in opening or raw.startswith("/*", call.start + 3):
            continue
        values = _shortcodes.arguments(raw, call.start, call.end, call.name_end)
        for argument in _shortcodes.translatable(rules, call.name, values):
            value = _argument_segment(md, raw, argument, terms)
            # A value with link titles of its own would need units of units: kept, flagged.
            if value is not None and not value.titles:
                title = Title(value.source, value.text, argument.quote, segment=value)
                found.append((value.start, title))
    return tuple(found)


def _argument_segment(
    md: MarkdownIt, text: str, argument: _shortcodes.Argument, terms: Sequence[str]
) -> Segment | None:
    raw = text[argument.start : argument.end]
    core = raw.strip()
    if not core or "\r" in raw:
        return None
    found = inline_segment(md, core, terms=terms)
    if found is None:
        return None
    start = argument.start + len(raw) - len(raw.lstrip())
    return replace(found, start=start, end=start + len(core), quote=argument.quote)


def inline_segment(md: MarkdownIt, text: str, *, terms: Sequence[str] = ()) -> Segment | None:
    """The segment of a value read as inline Markdown (a front matter value), or None.

    Positions are offsets into `text`, which must have no edge whitespace. None
    when the value cannot be mapped back exactly or has no words.
    """
    # Several paragraphs would come back as one: such a value is kept (and flagged).
    if not text.strip() or re.search(r"\n[ \t]*\n", text):
        return None
    source = _markdown.prepare(text, terms=terms)
    children = md.parseInline(source.normalized, {})[0].children or []
    found = _segment(source, source.normalized, children, lambda position: position)
    if found is None or not (_has_words(found.text) or any(p.term for p in found.pieces)):
        return None
    # QA parses a value alone too: the same tokens, unless a shortcode or CRLF was masked.
    checked = source_check(text, children) if source.normalized == text else None
    return replace(found, line_break=None, width=0, column=0, inline=True, checked=checked)


def _has_words(text: str) -> bool:
    return any(map(str.isalpha, _TAG.sub("", text) if "<" in text else text))


_TAG = re.compile(r"<[^>]*>")


def _shift(segment: Segment, offset: int) -> Segment:
    return replace(segment, start=segment.start + offset, end=segment.end + offset)


def _checked(text: str, block: Token, defined: bool) -> SourceCheck | None:
    """QA's view of a paragraph's or heading's `text` from the page's tokens, when they are
    what parsing that text alone gives: the text is the block's content (no `> ` or list
    indentation, no masked shortcode, no CRLF) and no reference or footnote definition
    can turn a `[` of it into a link. Saves QA a parse of most of a page's slots."""
    if text != block.content or (defined and "[" in text):
        return None
    return source_check(text, block.children or [])


def _block(source: Source, token: Token, *, offset: int, defined: bool) -> Segment | None:
    """The segment of a heading or paragraph, found line by line in the source, its
    positions `offset` further; `defined` says whether the page defines references."""
    assert token.map is not None
    lines = token.content.split("\n")
    starts: list[int] = []
    for i, content_line in enumerate(lines):
        line_start, line_end = source.line(token.map[0] + i)
        line = source.normalized[line_start:line_end]
        limit = len(line) if i < len(lines) - 1 else len(line.rstrip())
        column = line.rfind(content_line, 0, limit)
        if column < 0 or (content_line == "" and i == 0):
            return None
        starts.append(line_start + column)
    to_text = _line_mapper(lines, starts)
    checked = _checked(
        source.original_slice(starts[0], to_text(len(token.content))), token, defined
    )
    walker = _Walker(source, token.content, to_text)
    return walker.segment_of(token.children or [], offset=offset, checked=checked)


def _without_attributes(md: MarkdownIt, token: Token, env: dict[str, Any]) -> Token:
    """A heading's inline token without a trailing `{#id .class}`, which Hugo needs last."""
    match = _HEADING_ATTRIBUTES.search(token.content)
    if match is None:
        return token
    inline = md.parseInline(token.content[: match.start()], env)[0]
    inline.map = token.map
    return inline


def _line_mapper(lines: Sequence[str], starts: Sequence[int]) -> Callable[[int], int]:
    """Map an offset in a block's inline content to an offset in the normalised text."""
    content_starts = [0]
    for line in lines[:-1]:
        content_starts.append(content_starts[-1] + len(line) + 1)
    if all(s - c == starts[0] for s, c in zip(starts, content_starts, strict=True)):
        start = starts[0]  # lines that follow each other with nothing between: no look-up
        return lambda position: start + position

    def to_text(position: int) -> int:
        i = max(0, bisect.bisect_right(content_starts, position) - 1)
        return starts[i] + position - content_starts[i]

    return to_text


def _table_cell(
    md: MarkdownIt,
    source: Source,
    tokens: Sequence[Token],
    index: int,
    env: dict[str, Any],
    *,
    offset: int,
    defined: bool,
) -> Segment | None:
    """A table cell, found by splitting its row's line on unescaped pipes (see `_block`)."""
    token = tokens[index]
    assert token.map is not None
    column = sum(1 for t in _row_cells_before(tokens, index))
    line_start, line_end = source.line(token.map[0])
    cells = list(_split_row(source.normalized[line_start:line_end]))
    if column >= len(cells):
        return None
    cell_start, cell_end = cells[column]
    raw = source.normalized[line_start + cell_start : line_start + cell_end]
    if raw == "" or raw.replace("\\|", "|") != token.content:
        return None
    base = line_start + cell_start
    checked = None
    if raw == token.content:  # no escaped pipe: the page parsed these very characters
        children = token.children or []
        checked = _checked(source.original_slice(base, base + len(raw)), token, defined)
    else:
        children = md.parseInline(raw, env)[0].children or []
    walker = _Walker(source, raw, lambda position: base + position)
    segment = walker.segment_of(children, offset=offset, checked=checked)
    if segment is None:
        return None
    return replace(segment, in_table=True, line_break=None, width=0, column=0)


def _row_cells_before(tokens: Sequence[Token], index: int) -> list[Token]:
    """The cells of the row before this one (walked back by index: slicing the token list
    for every cell made long posts with tables quadratic)."""
    cells: list[Token] = []
    for position in range(index - 1, -1, -1):
        token = tokens[position]
        if token.type == "tr_open":
            break
        if token.type in ("th_open", "td_open"):
            cells.append(token)
    return cells[1:]


def _split_row(line: str) -> list[tuple[int, int]]:
    """Cell spans of a table row, trimmed as markdown-it trims them (any Unicode space,
    `\\xa0` too), as GFM splits them (escaped `|` stays)."""
    bounds: list[int] = []
    escaped = False
    for i, ch in enumerate(line):
        if ch == "|" and not escaped:
            bounds.append(i)
        escaped = ch == "\\" and not escaped
    stripped = line.strip()
    edges = [-1, *bounds, len(line)]
    spans: list[tuple[int, int]] = []
    for left, right in itertools.pairwise(edges):
        cell_start, cell_end = left + 1, right
        if (left == -1 and stripped.startswith("|")) or (
            right == len(line) and stripped.endswith("|")
        ):
            continue
        while cell_start < cell_end and line[cell_start].isspace():
            cell_start += 1
        while cell_end > cell_start and line[cell_end - 1].isspace():
            cell_end -= 1
        spans.append((cell_start, cell_end))
    return spans


def _segment(
    source: Source, content: str, children: Sequence[Token], to_text: Callable[[int], int]
) -> Segment | None:
    return _Walker(source, content, to_text).segment_of(children)


class _Walker:
    """Walks inline tokens and the content they came from side by side."""

    def __init__(self, source: Source, content: str, to_text: Callable[[int], int]) -> None:
        self.source = source
        self.content = content
        self.to_text = to_text
        self.cursor = 0
        self.pieces: list[Piece] = []
        # Words between two tags are gathered and made one piece when a tag or the end
        # comes: a piece per text token, merged afterwards, cost a fifth of the cutting.
        self.words_from: int | None = None
        self.words_text: list[str] = []
        self.titles: list[Title] = []
        self.next_id = 1
        self.line_break: str | None = None
        self.entities: dict[str, str] = {}

    # -- the raw characters of content spans ------------------------------------------
    def raw(self, start: int, end: int) -> str:
        return self.source.original_slice(self.to_text(start), self.to_text(end))

    def expect(self, literal: str) -> None:
        if not self.content.startswith(literal, self.cursor):
            raise _UnmappableError(literal)

    def words(self, length: int, plain: str) -> None:
        if self.words_from is None:
            self.words_from = self.cursor
        self.words_text.append(plain)
        self.cursor += length

    def add(self, piece: Piece) -> None:
        """A tag's piece, after the words gathered before it."""
        self.flush()
        self.pieces.append(piece)

    def flush(self) -> None:
        if self.words_from is not None:
            raw = self.raw(self.words_from, self.cursor)
            self.pieces.append(Piece(raw, "".join(self.words_text)))
            self.words_from, self.words_text = None, []

    def placeholder(self, end: int, *, term: bool = False) -> None:
        name = f"x{self.next_id}"
        self.next_id += 1
        self.add(Piece(self.raw(self.cursor, end), f"<{name}/>", name, term=term))
        self.cursor = end

    # -- tokens ----------------------------------------------------------------------
    def walk(self, tokens: Sequence[Token]) -> None:
        index = 0
        while index < len(tokens):
            index = self.token(tokens, index)

    def token(self, tokens: Sequence[Token], index: int) -> int:
        token = tokens[index]
        kind = token.type
        if kind == "text":
            self.text(token.content)
        elif kind == "text_special":
            self.special(token)
        elif kind == "softbreak":
            self.softbreak()
        elif kind == "hardbreak":
            self.match_placeholder(_HARDBREAK)
        elif kind == "code_inline":
            self.code(token.markup)
        elif kind == "html_inline":
            return self.html(tokens, index)
        elif kind in ("math_inline", "math_inline_double"):
            self.expect(token.markup + token.content + token.markup)
            self.placeholder(self.cursor + len(token.content) + 2 * len(token.markup))
        elif kind == "footnote_ref":
            self.match_placeholder(_FOOTNOTE_REF)
        elif kind in _PAIRED:
            return self.paired(tokens, index)
        elif kind == "link_open":
            return self.link(tokens, index)
        elif kind == "image":
            self.image(token)
        else:
            raise _UnmappableError(kind)
        return index + 1

    def special(self, token: Token) -> None:
        """An escape or an entity: its character reaches the engine."""
        self.expect(token.markup)
        # Letters come back as the translation spells them; `&nbsp;`, `&laquo;` do not.
        if token.markup.startswith("&") and not token.content.isalnum():
            self.entities.setdefault(token.content, token.markup)
        self.words(len(token.markup), token.content)

    def html(self, tokens: Sequence[Token], index: int) -> int:
        """An HTML tag is a placeholder; `<code>…</code>` and its kin are one, content and all."""
        token = tokens[index]
        self.expect(token.content)
        opening = _VERBATIM_OPEN.match(token.content)
        closing = _closing_index(tokens, index, opening.group(1).lower()) if opening else None
        if closing is None:
            self.tag_placeholder(token.content)
            return index + 1
        end = self.content.find(tokens[closing].content, self.cursor + len(token.content))
        if end < 0:
            raise _UnmappableError("html")
        self.placeholder(end + len(tokens[closing].content))
        return closing + 1

    def tag_placeholder(self, tag: str) -> None:
        """An HTML tag; its `alt`, `title`… values are titles, translated apart."""
        titles: list[tuple[int, Title]] = []
        for start, end, quote in tag_attributes(tag):
            plain = " ".join(html.unescape(tag[start:end]).split())
            if _has_words(plain) and not _TAG_LIKE.search(plain):
                raw = self.raw(self.cursor + start, self.cursor + end)
                at = len(self.raw(self.cursor, self.cursor + start))
                titles.append((at, Title(raw, plain, quote, html=True)))
        self.titles.extend(title for _, title in titles)
        name = f"x{self.next_id}"
        self.next_id += 1
        raw = self.raw(self.cursor, self.cursor + len(tag))
        self.add(Piece(raw, f"<{name}/>", name, tuple(titles)))
        self.cursor += len(tag)

    def text(self, content: str) -> None:
        self.expect(content)
        end = self.cursor + len(content)
        for match in self.protected(end):
            if match.start() > self.cursor:
                self.words(match.start() - self.cursor, self.content[self.cursor : match.start()])
            self.placeholder(match.end(), term=match.lastgroup == "term")
        if end > self.cursor:
            self.words(end - self.cursor, self.content[self.cursor : end])

    def protected(self, end: int) -> Iterator[re.Match[str]]:
        """What becomes a placeholder from the cursor to `end` (in most texts, nothing)."""
        hint = self.source.protected_hint
        if hint is not None and hint.search(self.content, self.cursor, end) is None:
            return iter(())
        return self.source.protected_in_text.finditer(self.content, self.cursor, end)

    def softbreak(self) -> None:
        match = _SOFTBREAK.match(self.content, self.cursor)
        if match is None:
            raise _UnmappableError("softbreak")
        if self.line_break is None:
            self.line_break = self.raw(self.cursor, match.end()).lstrip(" ")
        self.words(match.end() - self.cursor, " ")

    def match_placeholder(self, pattern: re.Pattern[str]) -> None:
        match = pattern.match(self.content, self.cursor)
        if match is None:
            raise _UnmappableError(pattern.pattern)
        self.placeholder(match.end())

    def code(self, fence: str) -> None:
        self.expect(fence)
        closing = re.compile(rf"(?<!`){re.escape(fence)}(?!`)")
        match = closing.search(self.content, self.cursor + len(fence))
        if match is None:
            raise _UnmappableError("code")
        self.placeholder(match.end())

    def paired(self, tokens: Sequence[Token], index: int) -> int:
        opening = tokens[index]
        depth, end = 0, index
        for end in range(index, len(tokens)):
            depth += tokens[end].nesting
            if depth == 0:
                break
        self.open_tag(opening.markup)
        name = self.pieces[-1].tag
        self.walk(tokens[index + 1 : end])
        self.expect(opening.markup)
        self.close_tag(name, self.cursor + len(opening.markup))
        return end + 1

    def open_tag(self, markup: str) -> None:
        self.expect(markup)
        name = f"g{self.next_id}"
        self.next_id += 1
        end = self.cursor + len(markup)
        self.add(Piece(self.raw(self.cursor, end), f"<{name}>", name))
        self.cursor = end

    def close_tag(self, name: str | None, end: int, title: tuple[int, int] | None = None) -> None:
        assert name is not None
        raw = self.raw(self.cursor, end)
        titles: tuple[tuple[int, Title], ...] = ()
        if title is not None:
            title_raw = self.content[title[0] : title[1]]
            title_at = len(self.raw(self.cursor, title[0]))
            plain = parseLinkTitle(self.content, title[0] - 1, title[1] + 1).str
            found = Title(title_raw, plain, self.content[title[1]])
            self.titles.append(found)
            titles = ((title_at, found),)
        self.add(Piece(raw, f"</{name}>", name, titles))
        self.cursor = end

    def link(self, tokens: Sequence[Token], index: int) -> int:
        opening = tokens[index]
        depth, end = 0, index
        for end in range(index, len(tokens)):
            depth += tokens[end].nesting
            if depth == 0:
                break
        if opening.markup == "autolink":
            self.expect("<")
            self.placeholder(self.content.index(">", self.cursor) + 1)
        else:
            self.linked_text("[", tokens[index + 1 : end])
        return end + 1

    def image(self, token: Token) -> None:
        self.linked_text("![", token.children or [])

    def linked_text(self, opening: str, inner: Sequence[Token]) -> None:
        """A link's text or an image's alt text, between tags; titles go apart."""
        self.flush()
        start, first_piece, first_title = self.cursor, len(self.pieces), len(self.titles)
        self.open_tag(opening)
        name = self.pieces[-1].tag
        self.walk(inner)
        self.expect("]")
        tail_end, title, keeps_text = _link_tail(self.content, self.cursor)
        if keeps_text:
            self.close_tag(name, tail_end, title)
            return
        # [label] and [label][]: the text is the reference label, which must not change.
        del self.pieces[first_piece:]
        self.words_from, self.words_text = None, []
        del self.titles[first_title:]
        self.cursor = start
        self.placeholder(tail_end)

    def finish(self) -> None:
        self.flush()
        if self.cursor != len(self.content):
            raise _UnmappableError("trailing content")
        # `&lt;x1/&gt;` reads as a tag once decoded: an engine could not tell it from one.
        words = "".join(p.text for p in self.pieces if p.tag is None)
        if _TAG_LIKE.search(words):
            raise _UnmappableError("text that reads as a tag")

    def segment_of(
        self, children: Sequence[Token], *, offset: int = 0, checked: SourceCheck | None = None
    ) -> Segment | None:
        """The segment `children` make of the content, positions `offset` further; None if
        they cannot be mapped back to it."""
        try:
            self.walk(children)
            self.finish()
        except _UnmappableError:
            return None
        return self.segment(offset, checked)

    def segment(self, offset: int = 0, checked: SourceCheck | None = None) -> Segment:
        pieces = _renumber(self.pieces)
        start = self.source.to_original(self.to_text(0))
        end = self.source.to_original(self.to_text(len(self.content)))
        placeholders: dict[str, str] = {p.text: p.raw for p in pieces if p.tag is not None}
        line_start = self.source.original.rfind("\n", 0, start) + 1
        first_line = self.source.original[line_start:end]
        # Short source lines wrap translations no narrower than MIN_WIDTH: a word per line
        # helps nobody, and soft breaks render as spaces anyway.
        width = max(MIN_WIDTH, *(len(line) for line in first_line.splitlines()))
        return Segment(
            start=start + offset,
            end=end + offset,
            source=self.source.original[start:end],
            pieces=tuple(pieces),
            text="".join(p.text for p in pieces).strip(),
            titles=tuple(self.titles),
            line_break=self.line_break,
            width=width,
            column=start - line_start,
            placeholders=placeholders,
            entities=self.entities,
            checked=checked,
        )


def _merge_words(pieces: Sequence[Piece]) -> list[Piece]:
    """Neighbouring word pieces as one (joined once: a long paragraph stays linear)."""
    merged: list[Piece] = []
    for is_words, group in itertools.groupby(pieces, key=lambda p: p.tag is None):
        run = list(group)
        if is_words and len(run) > 1:
            merged.append(Piece("".join(p.raw for p in run), "".join(p.text for p in run)))
        else:
            merged.extend(run)
    return merged


VERBATIM = ("code", "samp", "var", "pre", "script", "style", "svg", "math")
"""HTML elements whose content is never translated."""
_VERBATIM_OPEN = re.compile(rf"<({'|'.join(VERBATIM)})(?=[\s/>])[^>]*(?<!/)>", re.IGNORECASE)


def _closing_index(tokens: Sequence[Token], index: int, name: str) -> int | None:
    """The sibling html_inline token that closes the element opened at `index`."""
    depth = 0
    opening = re.compile(rf"<{name}(?=[\s/>])[^>]*(?<!/)>", re.IGNORECASE)
    closing = re.compile(rf"</{name}\s*>", re.IGNORECASE)
    for n in range(index, len(tokens)):
        if tokens[n].type != "html_inline":
            continue
        if opening.fullmatch(tokens[n].content):
            depth += 1
        elif closing.fullmatch(tokens[n].content):
            depth -= 1
            if depth == 0:
                return n
    return None


_TAG_LIKE = re.compile(r"<\s*/?\s*[gx]\s*\d+\s*/?\s*>", re.IGNORECASE)


def _renumber(pieces: Sequence[Piece]) -> list[Piece]:
    """Number tags 1, 2, 3… in order (a reference link turned placeholder leaves gaps)."""
    names: dict[str, str] = {}
    renamed: list[Piece] = []
    for piece in pieces:
        if piece.tag is None:
            renamed.append(piece)
            continue
        name = names.setdefault(piece.tag, f"{piece.tag[0]}{len(names) + 1}")
        if name == piece.tag:  # numbered in order already, as most are
            renamed.append(piece)
            continue
        text = piece.text.replace(piece.tag, name)
        renamed.append(replace(piece, text=text, tag=name))
    return renamed


def _link_tail(content: str, position: int) -> tuple[int, tuple[int, int] | None, bool]:
    """Where a link's `](…)` or `][ref]` ends, its title's span, and whether its text is free.

    `position` is at the `]` that closes the link text. The text of `[x][]` and
    `[x]` is the reference label itself, so it is not free to translate.
    """
    after = position + 1
    if after < len(content) and content[after] == "(":
        inline = _inline_tail(content, after + 1)
        if inline is not None:
            return inline[0], inline[1], True
    if after < len(content) and content[after] == "[":
        close = content.find("]", after + 1)
        if close > after + 1 and content[after + 1 : close].strip():
            return close + 1, None, True
        if close == after + 1:
            return close + 1, None, False
    return after, None, False


def _inline_tail(content: str, position: int) -> tuple[int, tuple[int, int] | None] | None:
    """Parse `dest "title")` from just after the `(`, as markdown-it's link rule does."""
    end = len(content)
    position = _skip_space(content, position)
    destination = parseLinkDestination(content, position, end)
    if destination.ok:
        position = _skip_space(content, destination.pos)
    title: tuple[int, int] | None = None
    found = parseLinkTitle(content, position, end)
    if found.ok and destination.ok:
        if "\n" not in content[position : found.pos]:
            title = (position + 1, found.pos - 1)
        position = _skip_space(content, found.pos)
    if position < end and content[position] == ")":
        return position + 1, title
    return None


def _skip_space(content: str, position: int) -> int:
    while position < len(content) and content[position] in " \t\n":
        position += 1
    return position
