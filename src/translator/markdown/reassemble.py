"""Translated segments back into Markdown, by splicing the source text. Pure functions.

Decisions (each has fixture cases in tests/fixtures/segments/):
- A segment whose translation equals what the engine was given is written
  back as its exact source characters, so identity is byte-exact.
- Tags become the exact source markup again (`**` stays `**`, `__` stays `__`,
  a link keeps its destination and title quoting).
- Words are written as they came back; only if that would change the markup
  (a `*` or `[` from the engine, say) are Markdown's special characters
  escaped; if even that changes the markup, the source segment is kept.
  In a table cell a `|` is always escaped.
- Hard-wrapped paragraphs: the translation is re-wrapped to the width of the
  source's longest line (at least 60 columns), with the source's continuation prefix (`> `, list
  indentation) and line ending; a line never starts with a character that
  could open a block (`-`, `#`, `>`, a digit…). One-line blocks stay one line.
- Table cells keep their source padding; columns are not re-aligned.
- A heading's closing `#`s are outside the segment and stay as they were.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from markdown_it import MarkdownIt

from translator.markdown import _markdown
from translator.markdown._tags import Item, TagRepairError, TagToken, read_tags
from translator.markdown.segments import Piece, Segment, Title

__all__ = ("Rendered", "render_segment", "splice")

_NO_TERMS: Mapping[str, str] = MappingProxyType({})
Outcome = Literal["same", "translated", "repaired", "kept_source"]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>!~&|$])")
_BLOCK_START = re.compile(r"(?:[-+*]|#{1,6}|>|=+|\d{1,9}[.)]|`{3,}|~{3,}|<)(?=\s|$)|[<`~]")
_NO_BREAK_BEFORE = re.compile(r"[-+*#>=|`~<\d]")


@dataclass(frozen=True, slots=True)
class Rendered:
    """A segment's Markdown after translation, and what it took to get there."""

    text: str
    """The characters to put in the segment's place."""
    outcome: Outcome
    """`same` (source kept, nothing changed), `translated`, `repaired`, `kept_source`."""
    notes: tuple[str, ...] = ()
    """Each repair made, or why the source was kept; empty when all went well."""

    @property
    def needs_review(self) -> bool:
        """True when an editor should look: tags repaired or the source kept."""
        return self.outcome in ("repaired", "kept_source")


def render_segment(
    md: MarkdownIt,
    segment: Segment,
    translations: Sequence[str],
    env: dict[str, Any],
    *,
    fixed: Mapping[str, str] = _NO_TERMS,
) -> Rendered:
    """The Markdown for one segment, given a translation for each of its units.

    `env` is the markdown-it env of the whole body (it holds the reference
    definitions that `[text][ref]` links need). `fixed` maps glossary terms to
    the translation the target language must use.
    """
    if tuple(translations) == segment.units and not _substituted(segment, fixed):
        return Rendered(segment.source, "same")
    try:
        items, notes = read_tags(_one_line(translations[0]), segment.placeholders)
    except TagRepairError as error:
        return Rendered(segment.source, "kept_source", (str(error),))
    if not any(ch.isalpha() for ch in _TAG_TEXT.sub("", translations[0])) and _has_letters(segment):
        return Rendered(segment.source, "kept_source", ("the translation has no words",))
    titles: dict[Title, str] = dict(zip(segment.titles, translations[1:], strict=True))
    # A shortcode argument inside the text is a segment of its own: rendered as one.
    for title, translation in titles.items():
        if title.segment is not None:
            argument = render_segment(md, title.segment, (translation,), {}, fixed=fixed)
            titles[title] = argument.text
            notes.extend(argument.notes)
    # Raw HTML is not Markdown: its escapes are HTML's, and the page checks its tags.
    expected = None if segment.html else _markdown.inline_signature(md, segment.source, env)
    for escape_all in (False, True):
        chunks = _assemble(segment, items, titles, fixed, escape_all=escape_all)
        # Markdown strips a block's edge whitespace; keeping it would make the copy's text
        # differ from what was recorded, and an editor's edit appear where there is none.
        text = _wrap(segment, chunks).strip()
        if expected is None or _markdown.inline_signature(md, text, env) == expected:
            quoted = _quote_argument(text, segment)
            if quoted is None:
                break
            return Rendered(quoted, "repaired" if notes else "translated", tuple(notes))
    return Rendered(segment.source, "kept_source", (*notes, "the translation changed the markup"))


def splice(text: str, replacements: Sequence[tuple[int, int, str]]) -> str:
    """`text` with each (start, end) span replaced; spans must not overlap."""
    parts: list[str] = []
    position = 0
    for start, end, new in sorted(replacements):
        if start < position:
            raise ValueError(f"overlapping spans at {start}")
        parts.extend([text[position:start], new])
        position = end
    parts.append(text[position:])
    return "".join(parts)


_TAG_TEXT = re.compile(r"<[^<>]*>")


def _has_letters(segment: Segment) -> bool:
    return any(ch.isalpha() for p in segment.pieces if p.tag is None for ch in p.text)


def _one_line(text: str) -> str:
    return " ".join(text.split("\n")).strip()


_Chunk = tuple[str, bool]  # characters, and whether a line may break at their spaces


def _assemble(
    segment: Segment,
    items: Sequence[Item],
    titles: dict[Title, str],
    fixed: Mapping[str, str],
    *,
    escape_all: bool,
) -> list[_Chunk]:
    pieces = {p.text: p for p in segment.pieces if p.tag is not None}
    unchanged = {p.text: p.raw for p in segment.pieces if p.tag is None and "\n" not in p.raw}
    chunks: list[_Chunk] = []
    for item in items:
        if isinstance(item, TagToken):
            piece = pieces[item.text]
            markup = fixed.get(piece.raw, piece.raw) if piece.term else _markup(piece, titles)
            chunks.append((markup, False))
        elif item in unchanged:
            chunks.append((unchanged[item], False))
        else:
            chunks.append((_escape(item, segment, escape_all=escape_all), True))
    for n, (text, breakable) in enumerate(chunks):
        if segment.inline:
            break
        # The segment's start and the line after a hard break begin lines: keep them from
        # opening a block.
        if breakable and (n == 0 or (not chunks[n - 1][1] and "\n" in chunks[n - 1][0])):
            chunks[n] = (_escape_block_start(text), True)
    return chunks


def _markup(piece: Piece, titles: dict[Title, str]) -> str:
    """The piece's source characters, with its translated titles and attributes in place."""
    raw = piece.raw
    for at, title in reversed(piece.titles):
        if title.segment is not None:
            new = titles[title]  # already rendered, quotes and all
        elif titles[title] != title.plain:
            new = _quote_title(title, _one_line(titles[title]))
        else:
            continue
        raw = raw[:at] + new + raw[at + len(title.raw) :]
    return raw


def _substituted(segment: Segment, fixed: Mapping[str, str]) -> bool:
    """A glossary term of the segment (or of a shortcode argument in it) has a fixed
    translation that differs from it."""
    pieces = [*segment.pieces, *(p for t in segment.titles if t.segment for p in t.segment.pieces)]
    return any(p.term and fixed.get(p.raw, p.raw) != p.raw for p in pieces)


def _quote_title(title: Title, new: str) -> str:
    if title.html:
        return quote_html(new, title.delimiter)
    quoted = re.sub(r"([\\" + re.escape(title.delimiter) + "])", r"\\\1", new)
    if title.delimiter == ")":
        quoted = quoted.replace("(", "\\(")
    return quoted


def quote_html(text: str, quote: str) -> str:
    """Text for an HTML attribute value inside `quote` (added when "" and needed)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    if quote == "":
        if not re.search(r"[\s\"'=<>`]", escaped) and escaped:
            return escaped
        return '"' + escaped.replace('"', "&quot;") + '"'
    return escaped.replace(quote, "&quot;" if quote == '"' else "&#39;")


def _escape(words: str, segment: Segment, *, escape_all: bool) -> str:
    """Words as Markdown: characters the source wrote as entities are written so again."""
    if not segment.entities:
        return _escape_words(words, segment, escape_all=escape_all)
    spelled_as = sorted(segment.entities, key=len, reverse=True)
    spelled = re.split(f"({'|'.join(map(re.escape, spelled_as))})", words)
    return "".join(
        segment.entities[part] if n % 2 else _escape_words(part, segment, escape_all=escape_all)
        for n, part in enumerate(spelled)
    )


_HTML_QUOTES = MappingProxyType({'"': "&quot;", "": "&quot;", "'": "&#39;"})


def _escape_html(words: str, quote: str | None) -> str:
    """HTML text, or an attribute value inside `quote` (a bare one may get `"` quotes)."""
    words = words.replace("&", "&amp;").replace("<", "&lt;")
    if quote is None:
        return words
    return words.replace(quote or '"', _HTML_QUOTES[quote])


def _quote_argument(text: str, segment: Segment) -> str | None:
    """A shortcode argument's or an HTML attribute's new value, fit for its quotes; None if
    it cannot be."""
    quote = segment.quote
    if quote == '"' and not segment.html and text.endswith("\\"):
        return None  # Hugo would read `\"` as a quote inside the value
    if quote is None or quote in ('"', "'"):
        return text
    if segment.html:
        return text if text and not re.search(r"[\s\"'=<>`]", text) else f'"{text}"'

    if quote == "`":
        return None if "`" in text else text
    if re.search(r"[\s\"`=]", text) or text.startswith("/"):
        return '"' + text.replace('"', '\\"') + '"'
    return text


def _escape_words(words: str, segment: Segment, *, escape_all: bool) -> str:
    if segment.html:
        return _escape_html(words, segment.quote)
    if segment.quote == '"':
        words = words.replace('"', '\\"')
    if escape_all:
        return _MARKDOWN_SPECIAL.sub(r"\\\1", words)
    if segment.in_table:
        return words.replace("\\", "\\\\").replace("|", "\\|")
    return words


def _escape_block_start(words: str) -> str:
    """Keep a line from opening a block: `- x` would start a list."""
    stripped = words.lstrip()
    match = _BLOCK_START.match(stripped)
    if match is None:
        return words
    lead = words[: len(words) - len(stripped)]
    first = match.group(0)
    if first[:1].isdigit():
        digits = len(first) - 1
        return lead + stripped[:digits] + "\\" + stripped[digits:]
    return lead + "\\" + stripped


def _wrap(segment: Segment, chunks: Sequence[_Chunk]) -> str:
    """Join the chunks, breaking lines like the source did if it was hard-wrapped."""
    if segment.line_break is None:
        return "".join(text for text, _ in chunks)
    prefix = segment.line_break.lstrip("\r\n")
    out: list[str] = []
    column = segment.column
    for text, breakable in chunks:
        if not breakable:
            out.append(text)
            column = _column_after(text, column)
            continue
        for n, word in enumerate(text.split(" ")):
            if n > 0:
                fits = column + 1 + len(word) <= segment.width
                if fits or not word or _NO_BREAK_BEFORE.match(word) or column <= len(prefix):
                    out.append(" ")
                    column += 1
                else:
                    out.append(segment.line_break)
                    column = len(prefix)
            out.append(word)
            column += len(word)
    return "".join(out)


def _column_after(text: str, column: int) -> int:
    if "\n" in text:
        return len(text.rsplit("\n", 1)[1])
    return column + len(text)
