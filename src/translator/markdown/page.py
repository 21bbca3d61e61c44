"""A whole post: front matter fields and body segments as one list of units. Pure.

`read_page` cuts a file's text into the units an engine translates (front
matter values first, then each body segment's text and titles);
`render_page` puts translations of those units back. Before handing back a
text, it checks what mdformat checks before writing: the translated body
renders to the same element tree as the source. A segment that would break
that is replaced by its source and reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from markdown_it import MarkdownIt

from translator.engines import Engine
from translator.errors import NestingError, SlotCountError
from translator.markdown._markdown import DEFAULT_MARKDOWN_INNER
from translator.markdown.document import (
    DEFAULT_TRANSLATABLE_KEYS,
    Document,
    Field,
    parse_document,
    replace_fields,
)
from translator.markdown.reassemble import Rendered, render_segment, splice
from translator.markdown.segments import KEPT_LINES, Segment, extract_segments, inline_segment
from translator.markdown.shortcodes import DEFAULT_SHORTCODES, ShortcodeRule
from translator.markdown.structure_check import breaking_segments, line_numbers

__all__ = ("Page", "RenderedPage", "SegmentReport", "read_page", "render_page", "translate_pages")


@dataclass(frozen=True, slots=True)
class Page:
    """A post cut into translatable units."""

    text: str
    """The whole file as read."""
    document: Document
    """Its front matter, parsed."""
    fields: tuple[Field, ...]
    """Front matter values to translate (string values with words)."""
    field_segments: tuple[Segment, ...]
    """Each field's value (its edge whitespace aside) as inline Markdown, in field order."""
    segments: tuple[Segment, ...]
    """Body segments, with positions in `text`."""
    env: dict[str, Any] = field(compare=False, repr=False)
    """markdown-it's env for the body (reference definitions)."""
    terms: tuple[str, ...] = ()
    """Glossary terms that reach no engine (placeholders in every unit)."""
    markdown_inner: tuple[str, ...] = DEFAULT_MARKDOWN_INNER
    """Paired shortcodes whose body was cut as Markdown (the structure check parses alike)."""
    units: tuple[str, ...] = field(init=False, compare=False, repr=False)
    """Every text an engine must translate for this page, in order (listed once: a run
    asks for them at every step)."""

    @property
    def kept_blocks(self) -> list[tuple[int, str]]:
        """(line in the file, why) of each block with words that could not be cut."""
        head = self.text.count("\n", 0, self.document.body_start)
        return [(line + head, why) for line, why in self.env.get(KEPT_LINES, ())]

    def __post_init__(self) -> None:
        found: list[str] = []
        for segment in (*self.field_segments, *self.segments):
            found.extend(segment.units)
        object.__setattr__(self, "units", tuple(found))


@dataclass(frozen=True, slots=True)
class SegmentReport:
    """What happened to one unit of a page."""

    where: str
    """`title` (a front matter key) or `line 12`."""
    source: str
    """The source text of the unit."""
    result: str
    """What was written in its place."""
    outcome: str
    """`same`, `translated`, `repaired` or `kept_source`."""
    notes: tuple[str, ...] = ()
    """Repairs made or why the source was kept."""


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """A translated page and what happened to each of its units."""

    text: str
    """The whole translated file."""
    reports: tuple[SegmentReport, ...]
    """One per field and segment, in order."""

    @property
    def needs_review(self) -> tuple[SegmentReport, ...]:
        """Units whose tags were repaired or whose source was kept."""
        return tuple(r for r in self.reports if r.outcome in ("repaired", "kept_source"))


def read_page(
    md: MarkdownIt,
    text: str,
    *,
    keys: Sequence[str] = DEFAULT_TRANSLATABLE_KEYS,
    terms: Sequence[str] = (),
    shortcodes: Mapping[str, ShortcodeRule] = DEFAULT_SHORTCODES,
) -> Page:
    """Cut a post into units. Raises `FrontMatterError` for front matter that does not parse.

    Glossary `terms` become placeholders: the engine never sees them.
    """
    document = parse_document(text, translatable_keys=keys)
    valued = [(f, inline_segment(md, f.value.strip(), terms=terms)) for f in document.fields]
    kept = [(f, segment) for f, segment in valued if segment is not None]
    fields, field_segments = tuple(f for f, _ in kept), tuple(s for _, s in kept)
    body = text[document.body_start :]
    try:
        segments, env = extract_segments(
            md, body, offset=document.body_start, terms=terms, shortcodes=shortcodes
        )
    except NestingError as error:  # its line counts from the body: make it the file's
        error.line = (error.line or 1) + text.count("\n", 0, document.body_start)
        raise
    inner = tuple(name for name, rule in shortcodes.items() if rule.markdown_inner)
    return Page(text, document, fields, field_segments, tuple(segments), env, tuple(terms), inner)


def render_page(
    md: MarkdownIt,
    page: Page,
    translations: Sequence[str],
    *,
    fixed: Mapping[str, str] = MappingProxyType({}),
) -> RenderedPage:
    """Put a translation of each of `page.units` back into the page's text.

    `fixed` maps glossary terms to the translation this target language must use.
    """
    if len(translations) != len(page.units):
        raise ValueError(f"{len(translations)} translations for {len(page.units)} units")
    per_segment = list(_per_segment(page, translations))
    reports = [
        _field_report(md, found, segment, units, fixed)
        for found, segment, units in zip(
            page.fields, page.field_segments, per_segment, strict=False
        )
    ]
    rendered = [
        render_segment(md, segment, units, page.env, fixed=fixed)
        for segment, units in zip(page.segments, per_segment[len(page.fields) :], strict=True)
    ]
    rendered = _keep_structure(md, page, rendered)
    lines = line_numbers(page.text, [s.start for s in page.segments])
    reports.extend(
        SegmentReport(f"line {line}", s.source, r.text, r.outcome, r.notes)
        for line, s, r in zip(lines, page.segments, rendered, strict=True)
    )
    return RenderedPage(compose_page(page, [r.result for r in reports]), tuple(reports))


def slot_texts(page: Page) -> list[str]:
    """The current text of each slot: front matter values, then segments' Markdown."""
    return [f.value for f in page.fields] + [s.source for s in page.segments]


def slot_labels(page: Page) -> list[str]:
    """Where an editor finds each slot: the front matter key, or `line N`."""
    lines = line_numbers(page.text, [s.start for s in page.segments])
    return [f.key for f in page.fields] + [f"line {line}" for line in lines]


def compose_page(page: Page, texts: Sequence[str]) -> str:
    """The page with each slot replaced by the given text (values, then Markdown).

    `SlotCountError` when the texts are not one per slot: a memory record that no
    longer fits its copy must be named, never half applied.
    """
    if len(texts) != len(page.fields) + len(page.segments):
        raise SlotCountError(
            f"the memory records {len(texts)} slots for this copy but the file has "
            f"{len(page.fields) + len(page.segments)}; nothing was written",
            hint="edit the copy in its file, or run `translator run` on its source",
        )
    values = dict(zip((f.key for f in page.fields), texts, strict=False))
    changed = {k: v for k, v in values.items() if v != _field(page, k).value}
    head = replace_fields(page.document, changed) if changed else page.text
    body_start = len(head) - (len(page.text) - page.document.body_start)
    return head[:body_start] + _splice_body(page, texts[len(page.fields) :])


def translate_pages(
    md: MarkdownIt, pages: Sequence[Page], engine: Engine, *, source: str, target: str
) -> list[RenderedPage]:
    """Translate many pages with one engine call over their distinct units."""
    distinct = list(dict.fromkeys(unit for page in pages for unit in page.units))
    outputs = engine.translate(distinct, source=source, target=target)
    translated = dict(zip(distinct, outputs, strict=True))
    return [render_page(md, page, [translated[u] for u in page.units]) for page in pages]


def _field(page: Page, key: str) -> Field:
    return next(f for f in page.fields if f.key == key)


def _field_report(
    md: MarkdownIt,
    found: Field,
    segment: Segment,
    units: Sequence[str],
    fixed: Mapping[str, str],
) -> SegmentReport:
    """A front matter value rendered as inline Markdown, its edge whitespace kept."""
    rendered = render_segment(md, segment, units, {}, fixed=fixed)
    core = found.value.strip()
    lead = found.value[: len(found.value) - len(found.value.lstrip())]
    value = lead + rendered.text + found.value[len(lead) + len(core) :]
    return SegmentReport(found.key, found.value, value, rendered.outcome, rendered.notes)


def _per_segment(page: Page, translations: Sequence[str]) -> Iterator[Sequence[str]]:
    position = 0
    for segment in (*page.field_segments, *page.segments):
        count = len(segment.units)
        yield translations[position : position + count]
        position += count


def _splice_body(page: Page, texts: Sequence[str]) -> str:
    """The body with each segment replaced by its text."""
    start = page.document.body_start
    spans = [
        (s.start - start, s.end - start, text)
        for s, text in zip(page.segments, texts, strict=True)
        if text != s.source
    ]
    return splice(page.text[start:], spans)


def _keep_structure(md: MarkdownIt, page: Page, rendered: list[Rendered]) -> list[Rendered]:
    """Keep the source of any segment whose translation changes the document's structure."""
    start = page.document.body_start
    body = page.text[start:]
    spans = [(s.start - start, s.end - start) for s in page.segments]
    texts = [
        r.text if r.text != s.source else None for s, r in zip(page.segments, rendered, strict=True)
    ]
    breaking = breaking_segments(md, body, spans, texts, markdown_inner=page.markdown_inner)
    return [
        Rendered(s.source, "kept_source", (*r.notes, "the translation changed the blocks"))
        if n in breaking
        else r
        for n, (s, r) in enumerate(zip(page.segments, rendered, strict=True))
    ]
