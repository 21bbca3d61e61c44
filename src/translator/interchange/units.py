"""The slots of copies as exchange units, for XLIFF and PO files. No file format here.

Export: each slot of a chosen copy becomes a unit holding the French and the
copy's English, in two forms: the tagged text an engine sees (`<g1>…</g1>`,
`<x2/>`; XLIFF turns the tags into its inline codes) and the slot's Markdown
(PO, as po4a and mdpo do). A link or image title is a unit of its own in the
tagged form (part 1, 2… of the slot), as it is for the engine.

The English copy's tags are numbered in its own order; they are given the
French tag's number by matching their markup (a `**` pair with a `**` pair, a
link with the link to the same destination), so a unit's source and target
share their codes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from translator.errors import TranslatorError
from translator.markdown.page import Page, slot_labels, slot_texts
from translator.markdown.segments import Segment
from translator.pipeline import Context, current_slots, read_site_page, sha256
from translator.store.files import read_post
from translator.store.memory import PostRecord

__all__ = (
    "EXCHANGE_STATES",
    "ExchangeState",
    "ExchangeUnit",
    "code_problem",
    "collect_units",
    "english_units",
    "exported_hash",
    "french_units",
    "parse_key",
)

ExchangeState = Literal["machine", "edited", "conflict", "reviewed", "outdated"]
EXCHANGE_STATES: tuple[ExchangeState, ...] = (
    "machine",
    "edited",
    "conflict",
    "reviewed",
    "outdated",
)

_STRICT_TAG = re.compile(r"<(/?)([gx])(\d+)(/?)>")
_KEY = re.compile(r"s(\d+)(?:t(\d+))?")


@dataclass(frozen=True, slots=True)
class ExchangeUnit:
    """One slot (or one title of a slot) of a copy, as a file for translators carries it."""

    copy: str
    """The copy, relative to the site (`content/en/post.md`)."""
    source_path: str
    """Its French post, relative to the site."""
    language: str
    """The copy's language."""
    position: int
    """The slot's index in the copy (front matter fields first, then segments)."""
    part: int
    """0 for the slot's text, 1, 2… for its link and image titles."""
    label: str
    """Where an editor finds the slot: `title`, `line 12`."""
    source: str
    """The French as an engine sees it: one line, tags for the markup."""
    target: str | None
    """The English with the French tag numbers; None when its markup does not match."""
    markdown_source: str
    """The slot's French Markdown (part 0 only; '' for titles)."""
    markdown_target: str
    """The slot's English Markdown, as the copy holds it now."""
    state: ExchangeState
    """The slot's state, or `outdated` when the French post changed since the copy was written."""
    notes: tuple[str, ...] = ()
    """QA flags, and the machine suggestion of a conflict."""
    codes: dict[str, str] = field(default_factory=dict)
    """Each tag of `source` (`<g1>`, `</g1>`, `<x2/>`) and the Markdown it stands for."""

    @property
    def key(self) -> str:
        """The unit's id inside its copy: `s3` for slot 3, `s3t1` for its first title."""
        return f"s{self.position}" + (f"t{self.part}" if self.part else "")


def exported_hash(text: str) -> str:
    """A short fingerprint of the English a unit carried at export, written into the file.

    On import it tells whether the translator changed the unit (else it is left alone)
    and whether the copy changed since the export (then the translator's text is refused
    rather than put over an editor's newer one).
    """
    return sha256(text)[:16]


def parse_key(key: str) -> tuple[int, int] | None:
    """(position, part) of a unit id made by `ExchangeUnit.key`, or None."""
    match = _KEY.fullmatch(key)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2) or 0)


def collect_units(
    context: Context,
    paths: Sequence[Path] = (),
    *,
    language: str | None = None,
    states: Sequence[str] = (),
) -> tuple[list[ExchangeUnit], list[TranslatorError]]:
    """The units of every copy (or of those under `paths`), and the copies that could not be read."""
    units: list[ExchangeUnit] = []
    errors: list[TranslatorError] = []
    for record in _chosen(context, paths, language):
        try:
            found = _copy_units(context, record)
        except (OSError, TranslatorError) as error:
            errors.append(
                error
                if isinstance(error, TranslatorError)
                else TranslatorError(str(error), path=record.target_path)
            )
            continue
        units.extend(u for u in found if not states or u.state in states)
    return units, errors


def _chosen(context: Context, paths: Sequence[Path], language: str | None) -> list[PostRecord]:
    root = context.config.root.absolute()
    keys = [_site_key(root, path) for path in paths]
    chosen: list[PostRecord] = []
    for record in context.memory.posts():
        if language is not None and record.target != language:
            continue
        if keys and not any(_under(record, key) for key in keys):
            continue
        chosen.append(record)
    return chosen


def _site_key(root: Path, path: Path) -> str:
    try:
        return path.absolute().relative_to(root).as_posix()
    except ValueError as error:
        raise TranslatorError("path is outside the site", path=path) from error


def _under(record: PostRecord, key: str) -> bool:
    key = key.rstrip("/")
    return any(
        key in ("", ".") or path == key or path.startswith(key + "/")
        for path in (record.target_path, record.source_path)
    )


def _copy_units(context: Context, record: PostRecord) -> list[ExchangeUnit]:
    root = context.config.root
    target = root / record.target_path
    text = read_post(target)
    current = current_slots(context, record, text, target)
    french = read_site_page(context, read_post(root / record.source_path))
    if len(slot_texts(french)) != len(record.slots):
        raise TranslatorError(
            "the French post gained or lost blocks since the copy was written",
            path=record.source_path,
            hint="run `translator run` first, then export again",
        )
    english = read_site_page(context, text)
    ours, theirs = french_units(french), english_units(french, english)
    labels, sources = slot_labels(french), slot_texts(french)
    units: list[ExchangeUnit] = []
    for position, slot in enumerate(record.slots):
        state: ExchangeState = "outdated" if sources[position] != slot.source else slot.state
        notes = slot.notes
        if slot.suggestion:
            notes += (f"machine suggestion for the new French: {slot.suggestion}",)
        english_parts = theirs[position]
        for part, source in enumerate(ours[position]):
            units.append(
                ExchangeUnit(
                    copy=record.target_path,
                    source_path=record.source_path,
                    language=record.target,
                    position=position,
                    part=part,
                    label=labels[position],
                    source=source,
                    target=None if english_parts is None else english_parts[part],
                    markdown_source=sources[position] if part == 0 else "",
                    markdown_target=current[position] if part == 0 else "",
                    state=state,
                    notes=notes if part == 0 else (),
                    codes=_codes(french, position, part),
                )
            )
    return units


def french_units(page: Page) -> list[tuple[str, ...]]:
    """What an engine sees of each slot of a page: the text, then any titles."""
    # A front matter value is inline Markdown: its text, then its links' titles.
    return [segment.units for segment in (*page.field_segments, *page.segments)]


def english_units(french: Page, english: Page) -> list[tuple[str, ...] | None]:
    """The copy's slots as units with the French tag numbers (None where they do not match)."""
    by_key = dict(zip((f.key for f in english.fields), english.field_segments, strict=True))
    fields: list[tuple[str, ...] | None] = [
        _aligned(segment, by_key[f.key]) if f.key in by_key else None
        for f, segment in zip(french.fields, french.field_segments, strict=True)
    ]
    if len(english.segments) != len(french.segments):
        return fields + [None] * len(french.segments)
    return fields + [
        _aligned(fr, en) for fr, en in zip(french.segments, english.segments, strict=True)
    ]


def _aligned(french: Segment, english: Segment) -> tuple[str, ...] | None:
    ours, theirs = _tag_keys(french), _tag_keys(english)
    if sorted(ours.values()) != sorted(theirs.values()):
        return None
    pool: dict[str, list[str]] = {}
    for name, key in ours.items():
        pool.setdefault(key, []).append(name)
    rename = {name: pool[key].pop(0) for name, key in theirs.items()}
    text = _STRICT_TAG.sub(
        lambda m: f"<{m.group(1)}{rename[m.group(2) + m.group(3)]}{m.group(4)}>", english.text
    )
    titles = {
        (rename[p.tag], n): title.plain
        for p in english.pieces
        if p.tag
        for n, (_, title) in enumerate(p.titles)
    }
    french_titles = [
        (p.tag, n, title) for p in french.pieces if p.tag for n, (_, title) in enumerate(p.titles)
    ]
    return (text, *(titles.get((name, n), title.plain) for name, n, title in french_titles))


def _tag_keys(segment: Segment) -> dict[str, str]:
    """Each tag's markup without its title: what must be the same in both languages."""
    parts: dict[str, list[str]] = {}
    for piece in segment.pieces:
        if piece.tag is None:
            continue
        raw = piece.raw
        for at, title in reversed(piece.titles):
            raw = raw[:at] + raw[at + len(title.raw) :]
        parts.setdefault(piece.tag, []).append(raw)
    return {name: "\0".join(raws) for name, raws in parts.items()}


def _codes(page: Page, position: int, part: int = 0) -> dict[str, str]:
    fields = len(page.fields)
    if position < fields:
        segment = page.field_segments[position]
    else:
        segment = page.segments[position - fields]
    # A shortcode argument inside a paragraph is a title with tags of its own.
    inner = segment.titles[part - 1].segment if part else None
    return dict((inner or segment).placeholders)


def code_problem(source: str, target: str) -> str | None:
    """Why `target`'s tags are not those of `source` (each once, well nested), or None."""
    expected = Counter(m.group(0) for m in _STRICT_TAG.finditer(source))
    found = [m.group(0) for m in _STRICT_TAG.finditer(target)]
    missing = expected - Counter(found)
    extra = Counter(found) - expected
    if missing:
        return f"inline code missing: {', '.join(sorted(missing))}"
    if extra:
        return f"inline code duplicated or unknown: {', '.join(sorted(extra))}"
    stack: list[str] = []
    for tag in found:
        if tag.startswith("</"):
            if not stack or stack.pop() != tag[2:-1]:
                return f"inline codes cross or close before they open at {tag}"
        elif not tag.endswith("/>"):
            stack.append(tag[1:-1])
    return None
