"""What the editors' workbench shows: the copies of a site and one copy slot by slot.

Everything is read from the files as they are now, with the memory for what
only it knows (the machine's text, suggestions, QA flags, the source at the
last approval): a copy fixed, moved or deleted on disk shows as it is.
Pure reading; the actions are in `editing`.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import posixpath
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Literal

from translator.errors import StructureChangedError, TranslatorError, UnsafePathError
from translator.hugo.config import SiteConfig
from translator.markdown.document import read_values
from translator.markdown.page import slot_labels, slot_texts
from translator.pipeline import Context, current_slots, read_site_page, sha256
from translator.review.static_page import word_diff
from translator.review.status import CopyStatus, copy_statuses
from translator.store.files import read_post
from translator.store.memory import PostRecord

__all__ = (
    "FILTERS",
    "STATUSES",
    "CopyRow",
    "CopyView",
    "Listing",
    "Query",
    "SlotView",
    "copy_rows",
    "copy_view",
    "neighbours",
    "query_from",
    "select",
    "site_file",
    "split_flag",
    "title_of",
)

STATUSES = ("machine", "conflict", "outdated", "reviewed", "human", "missing", "orphan", "error")
"""Every status a copy shows; `human`: a copy translator did not write."""
PER_PAGE = 50
"""Copies per index page."""
FILTERS = ("language", "status", "flag", "folder")
"""The index's filters with counts, besides the text search."""


@dataclass(frozen=True, slots=True)
class CopyRow:
    """One copy in the index."""

    source: str
    """Source path relative to the site."""
    language: str
    """Target language."""
    target: str
    """Copy path relative to the site ('' when unknown)."""
    status: str
    """One of `STATUSES`."""
    edited: bool
    """An editor changed the file since translator last wrote it."""
    folder: str
    """The post's folder under the source content dir (`.` at the top)."""
    flags: tuple[str, ...]
    """QA flag kinds on slots not yet reviewed."""
    open_items: int
    """Slots not yet reviewed."""
    slots: int
    """All slots."""
    date: str
    """The post's date (`CopyStatus.date`: front matter `date`, `lastmod`, or the file's mtime)."""
    when: float
    """That date in seconds since the epoch, to sort by."""
    detail: str = ""
    """Why, for errors."""
    title: str = ""
    """The copy's title ('' until read from the file, for the rows shown only)."""


@dataclass(frozen=True, slots=True)
class Query:
    """The index's filters, sort and page, as the URL carries them."""

    language: str = ""
    """Only this target language ('' = all)."""
    status: str = ""
    """Only this status."""
    flag: str = ""
    """Only copies with this QA flag kind."""
    folder: str = ""
    """Only posts in this folder (and below)."""
    text: str = ""
    """Words found in the source or the copy (case-insensitive)."""
    sort: Literal["date", "open"] = "date"
    """Newest post first (its front matter date), or most open items first."""
    page: int = 1
    """1-based page."""


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of the index and the counts beside each filter."""

    rows: tuple[CopyRow, ...]
    """The copies of this page."""
    total: int
    """Copies matching the query."""
    page: int
    """This page (1-based)."""
    pages: int
    """Number of pages."""
    counts: Mapping[str, Mapping[str, int]]
    """Filter -> value -> copies matching every other filter with that value."""


def copy_rows(context: Context) -> list[CopyRow]:
    """Every copy of the site (and every missing or orphan one), as the files are now.

    The statuses are `translator status`'s (`copy_statuses`, the one place that
    decides them), from one summary query and one read of each file, so that
    a site of 1,000 copies lists in well under a second.
    """
    scan = _Scan.of(context.config)
    statuses = copy_statuses(context.config, context.memory)
    return [_row(scan, s) for s in statuses if s.state in STATUSES]


@dataclass(frozen=True, slots=True)
class _Scan:
    """What listing every copy needs, worked out once: plain strings, not pathlib, per copy."""

    config: SiteConfig
    root: str
    """The site root, absolute."""
    prefix: str
    """The source content dir relative to the root, with a trailing `/` ('' at the root)."""

    @classmethod
    def of(cls, config: SiteConfig) -> _Scan:
        root = config.root.absolute()
        source_dir = config.content_dirs[config.source_language].absolute()
        try:
            prefix = source_dir.relative_to(root).as_posix()
        except ValueError:
            prefix = "\0"  # never a prefix of a key: every folder shows as `.`
        return cls(config, str(root), "" if prefix == "." else f"{prefix}/")

    def key(self, path: Path) -> str:
        """A path's key (relative to the site, with `/`); ValueError outside the site."""
        text = str(path)
        if not text.startswith(self.root + os.sep):
            raise ValueError(f"{path} is outside the site")
        return text[len(self.root) + 1 :].replace(os.sep, "/")

    def folder(self, key: str) -> str:
        """The folder of a source key under the source content dir (`.` at its top)."""
        if not key.startswith(self.prefix):
            return "."
        return posixpath.dirname(key[len(self.prefix) :]) or "."


def _row(scan: _Scan, status: CopyStatus) -> CopyRow:
    return CopyRow(
        source=status.source,
        language=status.language,
        target=status.target,
        status=status.state,
        edited=status.edited,
        folder=scan.folder(status.source),
        flags=tuple(sorted(dict.fromkeys(split_flag(n)[0] for n in status.notes))),
        open_items=status.open_slots,
        slots=status.slots,
        date=status.date,
        when=_timestamp(status.date),
        # Why, for what has no open items to count: an error, a human copy, an orphan.
        detail="" if status.state in _COUNTED else status.detail,
        title=status.title,
    )


_COUNTED = frozenset({"machine", "conflict", "outdated", "reviewed", "missing"})


def _timestamp(date: str) -> float:
    """Seconds since the epoch of an ISO 8601 date (UTC when it names no zone; 0 if none)."""
    try:
        moment = dt.datetime.fromisoformat(date)
    except ValueError:
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def select(
    root: Path, rows: Sequence[CopyRow], query: Query, *, per_page: int = PER_PAGE
) -> Listing:
    """Filter, count, sort and cut one page; the text search reads the files."""
    found = _text_matches(root, rows, query.text) if query.text.strip() else None
    tests = _tests(query)
    counts: dict[str, dict[str, int]] = {}
    for name in FILTERS:
        others = [t for n, t in tests.items() if n != name]
        kept = [r for r in rows if (found is None or r in found) and all(t(r) for t in others)]
        counts[name] = dict(sorted(Counter(v for r in kept for v in _values(r, name)).items()))
    matching = [
        r for r in rows if (found is None or r in found) and all(t(r) for t in tests.values())
    ]
    if query.sort == "open":
        matching.sort(key=lambda r: (-r.open_items, r.target or r.source))
    else:
        matching.sort(key=lambda r: (-r.when, r.target or r.source))
    pages = max(1, math.ceil(len(matching) / per_page))
    page = min(max(1, query.page), pages)
    shown = matching[(page - 1) * per_page : page * per_page]
    titled = tuple(r if r.title else replace(r, title=title_of(root, r)) for r in shown)
    return Listing(titled, len(matching), page, pages, counts)


def _values(row: CopyRow, name: str) -> Iterable[str]:
    if name == "flag":
        return row.flags
    if name == "folder":
        return [row.folder]
    value: str = getattr(row, name)
    return [value]


def _tests(query: Query) -> dict[str, Callable[[CopyRow], bool]]:
    tests: dict[str, Callable[[CopyRow], bool]] = {}
    if query.language:
        tests["language"] = lambda r: r.language == query.language
    if query.status:
        tests["status"] = lambda r: r.status == query.status
    if query.flag:
        tests["flag"] = lambda r: query.flag in r.flags
    if query.folder:
        tests["folder"] = lambda r: (
            r.folder == query.folder or r.folder.startswith(query.folder.rstrip("/") + "/")
        )
    return tests


def _text_matches(root: Path, rows: Sequence[CopyRow], text: str) -> set[CopyRow]:
    needle = text.strip().casefold()
    found: set[CopyRow] = set()
    sources: dict[str, str] = {}
    for row in rows:
        if row.source not in sources:
            sources[row.source] = _read_or_empty(root, row.source).casefold()
        if needle in sources[row.source] or needle in _read_or_empty(root, row.target).casefold():
            found.add(row)
    return found


def _read_or_empty(root: Path, key: str) -> str:
    try:
        return read_post(site_file(root, key)) if key else ""
    except TranslatorError:
        return ""


def title_of(root: Path, row: CopyRow) -> str:
    """The copy's title from its file (the source's when there is no copy), else its path."""
    for key in (row.target, row.source):
        try:
            title = read_values(read_post(site_file(root, key))).get("title") if key else None
        except TranslatorError:
            continue
        if isinstance(title, str) and title.strip():
            return title
    return row.target or row.source


def site_file(root: Path, key: str) -> Path:
    """The file at `key` in the site; `UnsafePathError` when it is a link leading outside.

    Keys come from the memory and the site scan, which refuse `..` and linked
    folders leading out; a file replaced by a link since is checked here.
    """
    path = root / key
    if ".." in key.split("/") or (
        path.is_symlink() and not path.resolve().is_relative_to(root.resolve())
    ):
        raise UnsafePathError(
            "this file leads outside the site; the workbench does not show it", path=key
        )
    return path


def split_flag(note: str) -> tuple[str, str]:
    """(kind, message) of a QA note `kind: message`; `note` when it has no kind."""
    kind, sep, message = note.partition(": ")
    return (kind, message) if sep and kind.isidentifier() else ("note", note)


def query_from(params: Mapping[str, str]) -> Query:
    """A `Query` from URL parameters; unknown or malformed values fall back to the default."""
    known = {f.name for f in fields(Query)}
    given = {k: v for k, v in params.items() if k in known and k not in ("page", "sort")}
    page = params.get("page", "1")
    sort: Literal["date", "open"] = "open" if params.get("sort") == "open" else "date"
    return Query(**given, sort=sort, page=int(page) if page.isdigit() else 1)


@dataclass(frozen=True, slots=True)
class SlotView:
    """One slot of a copy, as the copy view shows it."""

    position: int
    """Index in the copy's slots (what the actions name)."""
    label: str
    """The front matter key, or `line N` as last recorded."""
    source_line: str
    """Where it is in the source file now (`title`, `line 12`; '' when unknown)."""
    target_line: str
    """Where it is in the copy file now."""
    source: str
    """The source Markdown now."""
    text: str
    """The copy's Markdown now (the file, not the memory)."""
    state: str
    """machine, edited, conflict or reviewed (`edited` when the file differs from the memory)."""
    machine: str
    """What the machine wrote."""
    suggestion: str | None
    """In a conflict: the machine's translation of the new source."""
    notes: tuple[str, ...]
    """QA flags."""
    diff: str | None
    """Word diff (escaped HTML) of the source since the last approval, when it changed."""


@dataclass(frozen=True, slots=True)
class CopyView:
    """One copy, slot by slot, read from the files now."""

    record: PostRecord
    """The memory's record of the copy."""
    status: str
    """The copy's status now."""
    title: str
    """Its title now."""
    file_hash: str
    """SHA-256 of the copy file now: every form carries it."""
    slots: tuple[SlotView, ...]
    """Every slot, in file order."""
    problem: str = ""
    """Why the copy cannot be edited here ('' when it can)."""
    retired: tuple[tuple[str, str, str], ...] = ()
    """(label, source, editor's text) whose source paragraph was deleted: kept, to paste back."""


def neighbours(context: Context, target_path: str) -> tuple[str | None, str | None]:
    """The copies waiting for review before and after this one, by path (for next/previous)."""
    waiting = sorted(
        s.target_path
        for s in context.memory.post_summaries()
        if (s.status != "reviewed" or s.open_slots) and s.target_path != target_path
    )
    before = [t for t in waiting if t < target_path]
    after = [t for t in waiting if t > target_path]
    return (before[-1] if before else None), (after[0] if after else before[0] if before else None)


def copy_view(context: Context, target_path: str) -> CopyView | None:
    """The copy at `target_path` slot by slot, or None when translator wrote none there."""
    record = context.memory.post_for_target(target_path)
    path = site_file(context.config.root, target_path)
    if record is None or not path.exists():
        return None
    text = read_post(path)
    problem = ""
    try:
        texts = current_slots(context, record, text, path)
        target_lines = slot_labels(read_site_page(context, text))
    except StructureChangedError as error:
        problem = error.message + (f" — {error.hint}" if error.hint else "")
        texts = tuple(s.written for s in record.slots)
        target_lines = ["" for _ in record.slots]
    if len(target_lines) != len(record.slots) and not problem:
        # A record that does not fit its copy: show the recorded slots, say why lines are gone.
        problem = (
            f"the memory records {len(record.slots)} slots but the copy has {len(target_lines)}"
            " — edit it in its file, or run `translator run` on its source"
        )
        target_lines = ["" for _ in record.slots]
    sources, source_lines, outdated = _source_slots(context, record)
    if outdated and not problem:
        problem = "the source changed since this copy was written: run `translator run` first"
    slots = tuple(
        _slot_view(record, n, texts[n], sources[n], source_lines[n], target_lines[n])
        for n in range(len(record.slots))
    )
    status = "outdated" if outdated else record.status
    title = next((s.text for s in slots if s.label == "title"), target_path)
    retired = tuple(context.memory.retired(record.source_path, record.target))
    return CopyView(record, status, title, sha256(text), slots, problem, retired)


def _source_slots(context: Context, record: PostRecord) -> tuple[list[str], list[str], bool]:
    """The source slots now, when the source is still what the copy was made from."""
    recorded = [s.source for s in record.slots]
    try:
        text = read_post(site_file(context.config.root, record.source_path))
    except TranslatorError:
        return recorded, ["" for _ in recorded], True
    if sha256(text) != record.source_hash:
        return recorded, ["" for _ in recorded], True
    page = read_site_page(context, text)
    if len(slot_texts(page)) != len(recorded):
        return recorded, ["" for _ in recorded], True
    return slot_texts(page), slot_labels(page), False


def _slot_view(
    record: PostRecord, n: int, text: str, source: str, source_line: str, target_line: str
) -> SlotView:
    slot = record.slots[n]
    state = "edited" if text != slot.written and slot.state != "conflict" else slot.state
    changed = slot.approved_source is not None and slot.approved_source != slot.source
    return SlotView(
        n,
        slot.label,
        source_line,
        target_line,
        source,
        text,
        state,
        slot.machine,
        slot.suggestion,
        slot.notes,
        word_diff(slot.approved_source or "", slot.source) if changed else None,
    )
