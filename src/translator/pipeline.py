"""detect -> prepare -> translate what the memory lacks -> write. The one pipeline.

`run` chains the steps for `translator run`; the Prefect flow calls the same
step functions as tasks. Each step takes plain values and a `Context`, so it
can run in another process.

Crash safety: a copy is first staged beside its target (fsync'd), then the
memory records it, then the staged file is renamed over the target. A run
killed at any point leaves each file old or new; the next run finishes a
rename whose record was committed and drops a staged file whose record was not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from translator._lazy import Lazy
from translator.engines import Engine, make_engine
from translator.errors import (
    SpecialFileError,
    StructureChangedError,
    TranslatorError,
)
from translator.hugo.config import SiteConfig
from translator.hugo.pairing import plan_site
from translator.hugo.site import ADAPTER_REASON, Post, find_orphans, scan_site
from translator.markdown.document import read_values, set_values
from translator.store.files import (
    commit_all_staged,
    commit_staged,
    legacy_staged_path,
    read_post,
    stage,
    staged_path,
)
from translator.store.incidents import display, internal_error
from translator.store.memory import Memory, PostRecord, SlotRecord
from translator.store.merge import Merged, MergeOptions, NewSlot, merge_slots, post_status
from translator.store.provenance import Provenance, Retranslate, glossary_version, is_stale

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from translator.markdown import _markdown
    from translator.markdown.page import (
        Page,
        compose_page,
        read_page,
        render_page,
        slot_labels,
        slot_texts,
    )
    from translator.markdown.prose_coverage import uncovered_prose
    from translator.markdown.qa import check_slot
    from translator.store.copy_structure import CopyAlignment, align_copy, merge_copy
else:
    # Imported when a post is read: detection, `status` and a rerun over unchanged posts
    # never parse Markdown, and markdown-it with its plugins is most of their start-up.
    _markdown = Lazy("translator.markdown._markdown")
    compose_page = Lazy("translator.markdown.page", "compose_page")
    read_page = Lazy("translator.markdown.page", "read_page")
    render_page = Lazy("translator.markdown.page", "render_page")
    slot_labels = Lazy("translator.markdown.page", "slot_labels")
    slot_texts = Lazy("translator.markdown.page", "slot_texts")
    uncovered_prose = Lazy("translator.markdown.prose_coverage", "uncovered_prose")
    check_slot = Lazy("translator.markdown.qa", "check_slot")
    align_copy = Lazy("translator.store.copy_structure", "align_copy")
    merge_copy = Lazy("translator.store.copy_structure", "merge_copy")

__all__ = (
    "WRITE_BATCH",
    "Context",
    "CopyCommit",
    "Detection",
    "PostResult",
    "Prepared",
    "RunSummary",
    "copy_batch",
    "copy_block_map",
    "current_slots",
    "detect",
    "failed",
    "fresh_slots",
    "merge_translations",
    "prepare",
    "read_site_page",
    "run",
    "save_copy",
    "stale_pairs",
    "summarize",
    "translate_units",
    "write",
)

Progress = Callable[[str, int, int], None]
WorkState = Literal["new", "changed", "missing", "edited", "stale", "unchanged"]


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def sha256(text: str) -> str:
    """Hex SHA-256 of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Context:
    """What every step needs: the site, its memory, the parser, and the engine on demand."""

    config: SiteConfig
    memory: Memory
    engine_factory: Callable[[], Engine] | None = None
    today: str = field(default_factory=lambda: dt.date.today().isoformat())
    retranslate: Retranslate = ""
    """`--retranslate`: force fresh machine text for machine (or all unreviewed) slots."""
    _engine: Engine | None = None
    _md: MarkdownIt | None = None

    @property
    def md(self) -> MarkdownIt:
        """The Markdown parser, built at first use: `status` and a rerun over unchanged
        posts parse nothing, and building it is a good part of their start-up."""
        if self._md is None:
            self._md = _markdown.make_parser()
        return self._md

    @property
    def engine(self) -> Engine:
        """The engine, built at first use: runs with nothing to translate never load a model."""
        if self._engine is None:
            factory = self.engine_factory or (
                lambda: make_engine(self.config.engine.name, self.config.engine.as_mapping())
            )
            self._engine = factory()
        return self._engine


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A (post, target) pair that may need writing."""

    post: Post
    """Source and target paths."""
    state: WorkState
    """`new` (no copy), `changed` (source changed), `missing` (copy gone), `edited` (an
    editor changed the copy), `stale` (machine slots the run's engine, model or glossary
    would translate otherwise), `unchanged`."""


@dataclass(frozen=True, slots=True)
class Detection:
    """What a run found, before reading any post's Markdown."""

    items: tuple[WorkItem, ...]
    """Pairs to prepare (unchanged ones are left out)."""
    posts: int
    """Source posts seen."""
    unchanged: int
    """Pairs skipped because nothing changed."""
    errors: tuple[tuple[str, str], ...]
    """(path, reason) for sources that could not be read or placed, and collisions."""
    orphans: tuple[tuple[str, str], ...]
    """(source path, language) of copies whose source is gone; never deleted."""
    skipped: tuple[tuple[str, str], ...] = ()
    """(path, reason) for FIFOs, sockets, devices and folders named like posts: never opened."""
    internal: int = 0
    """How many of `errors` are internal errors (bugs), logged under `.translator/`."""
    human: tuple[Post, ...] = ()
    """Pairs whose target is a page translator did not write: left alone."""
    excluded: tuple[str, ...] = ()
    """Sources matched by translator.toml's `exclude`."""
    skipped_formats: Mapping[str, int] = field(default_factory=dict)
    """Source pages in formats translator does not translate (html, org…), by format."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A pair read and ready: the source page and what the copy holds now."""

    item: WorkItem
    """The pair."""
    page: Page
    """The source post, cut into units."""
    source_hash: str
    """SHA-256 of the source text."""
    record: PostRecord | None
    """The last write, if any."""
    current: tuple[str, ...] | None
    """The copy's current text per recorded slot (None: no copy or no record)."""
    target_text: str | None
    """The copy as it is on disk, if it exists."""
    alignment: CopyAlignment | None = None
    """The copy's blocks against the last write's, when an editor changed its structure."""


@dataclass(frozen=True, slots=True)
class PostResult:
    """What happened to one (post, target) pair."""

    source: str
    """Source path relative to the site."""
    target: str
    """Copy path relative to the site."""
    language: str
    """Target language."""
    action: Literal["written", "unchanged", "skipped", "failed"]
    """What the run did to the copy."""
    status: str = ""
    """The copy's status after the run."""
    edits_kept: int = 0
    """Editor texts kept."""
    conflicts: int = 0
    """Slots in conflict."""
    needs_review: int = 0
    """Slots with repaired tags or QA flags."""
    reason: str = ""
    """Why it was skipped or failed."""
    internal: bool = False
    """It failed on a bug in translator (an internal error, logged under `.translator/`)."""
    line: int | None = None
    """The source line the failure is about, when known."""
    restored: int = 0
    """Editor or reviewed texts put back into the copy from the memory."""


def detect(
    config: SiteConfig,
    memory: Memory,
    paths: Sequence[Path] = (),
    *,
    stale: Collection[tuple[str, str]] = (),
) -> Detection:
    """Find the pairs to work on from the site map and file hashes: no Markdown parsing, no model.

    Any failure is that post's: a special file is skipped, anything else is
    its error (an unexpected exception an internal one), and detection goes on.
    `stale` pairs (see `stale_pairs`) are worked on even when their source did not change.
    """
    recorded, written_to = memory.post_hashes(), memory.post_targets()
    plan = plan_site(scan_site(config), paths)
    items: list[WorkItem] = []
    human: list[Post] = []
    errors, skipped = list(plan.errors), [(key, ADAPTER_REASON) for key in plan.adapters]
    unchanged = internal = 0
    failures = list(plan.failures)
    for post in plan.posts:
        key = (post.source_key, post.target_language)
        record = recorded.get(key)
        if record is None and post.counterpart:
            human.append(post)
        elif record is not None and written_to[key] != post.target_key:
            errors.append((post.source_key, _moved(post, written_to[key])))
        else:
            try:
                state = _state(post, plan.digests[post.source_key], record)
            except Exception as failure:  # noqa: BLE001 — one post's failure is that post's
                failures.append((post.source_key, failure))
                continue
            if state == "unchanged" and key in stale:
                state = "stale"
            unchanged += state == "unchanged"
            items += [WorkItem(post, state)] if state != "unchanged" else []
    for where, failed_with in failures:
        kind, reason = _outcome(config, where, failed_with)
        (skipped if kind == "skipped" else errors).append((where, reason))
        internal += kind == "internal"
    orphans = find_orphans(config, recorded) if not paths else []
    return Detection(
        tuple(items), plan.sources, unchanged, tuple(errors), tuple(orphans), tuple(skipped),
        internal, tuple(human), plan.excluded, dict(plan.skipped),
    )  # fmt: skip


def _outcome(
    config: SiteConfig, where: Path | str, error: Exception
) -> tuple[Literal["skipped", "error", "internal"], str]:
    """How one post's failure is reported: skipped (special file), an error, or a bug."""
    if isinstance(error, SpecialFileError | StructureChangedError):
        return "skipped", _reason(error)
    if isinstance(error, TranslatorError | OSError):
        return "error", _reason(error)
    bug = internal_error(error, state_dir=config.state_dir, where=str(where))
    return "internal", _reason(bug)


def _moved(post: Post, written: str) -> str:
    """The page Hugo pairs with a source is no longer the copy translator wrote."""
    if post.counterpart:
        return (
            f"translator wrote its {post.target_language} copy to {written}, but Hugo now "
            f"pairs it with {post.target_key}; nothing was written — keep one of the two pages"
        )
    return (
        f"translator wrote its {post.target_language} copy to {written}, which Hugo no longer "
        f"pairs with it (a copy would now go to {post.target_key}); nothing was written — "
        f"move the copy there, or delete it"
    )


def stale_pairs(context: Context) -> set[tuple[str, str]]:
    """(source path, target) of copies with a machine slot the run would translate otherwise.

    Reads provenance from the memory; asks the engine only for its model version
    (package metadata, no model is loaded) and only when some slot was written by it.
    """
    config = context.config
    glossary = config.glossary
    with_source = bool(glossary.do_not_translate or any(glossary.fixed.values()))
    rows = context.memory.machine_slots(with_source=with_source)
    if context.retranslate:
        return {(path, language) for path, language, _ in rows} | (
            set() if context.retranslate == "machine" else set(context.memory.post_hashes())
        )
    now = {language: _provenance(context, language, rows) for language in config.targets}
    stale: set[tuple[str, str]] = set()
    for path, language, slot in rows:
        if language not in now or (path, language) in stale:
            continue
        code = config.engine_code(language)
        version = (
            glossary_version(glossary, language, slot.source, code=code) if with_source else ""
        )
        if is_stale(slot, now[language], version):
            stale.add((path, language))
    return stale


def _provenance(
    context: Context, language: str, rows: Sequence[tuple[str, str, SlotRecord]]
) -> Provenance:
    name = context.config.engine.name
    if not any(slot.engine == name and lang == language for _, lang, slot in rows):
        return Provenance(name, "")
    try:
        model = context.engine.model_version(source=context.config.source_language, target=language)
    except TranslatorError:
        model = ""  # the run itself reports the missing model
    return Provenance(name, model)


def _state(post: Post, source_hash: str, recorded: tuple[str, str, str] | None) -> WorkState:
    if recorded is None:
        return "new"
    if source_hash != recorded[0]:
        return "changed"
    if not post.target.exists() or staged_path(post.target).exists():
        return "missing"
    if _file_hash(post.target) != recorded[1]:
        # An editor changed the copy: record their text now, so no later path can lose it.
        return "edited"
    return "unchanged"


def _file_hash(path: Path) -> str:
    """The copy's hash; '' (so it is looked at, and any problem reported) if it is no plain file."""
    if path.is_symlink() or not path.is_file():
        return ""  # never open a FIFO or follow a link here
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _reason(error: BaseException) -> str:
    if isinstance(error, TranslatorError):
        return error.message + (f" — {error.hint}" if error.hint else "")
    if isinstance(error, OSError):
        what = error.strerror or str(error)
        return f"{what}: {display(error.filename)}" if error.filename else what
    return str(error)


def prepare(context: Context, item: WorkItem) -> Prepared:
    """Read the source post and the copy; raises `TranslatorError` for a bad post."""
    post = item.post
    config = context.config
    source_dir = config.content_dirs[config.source_language]
    text = read_post(post.source, limit=config.max_post_bytes, inside=source_dir)
    try:
        page = _read(context, text)
    except TranslatorError as error:
        raise error.at(post.source) from None
    record = context.memory.post(post.source_key, post.target_language)
    _recover_staged(post, record)
    exists = post.target.exists() or post.target.is_symlink()
    target_text = read_post(post.target, limit=config.max_post_bytes) if exists else None
    if target_text is not None and record is None:
        raise TranslatorError(
            "a copy exists that translator did not write",
            path=post.target,
            hint="move it away to let translator write one, or leave it: it is never overwritten",
        )
    current, alignment = None, None
    if record is not None:
        # A copy moved away or deleted: what translator last wrote, editors' text and
        # blocks included, is the copy to merge with. Nothing an editor wrote is lost.
        ours = target_text if target_text is not None else record.written_text
        current, alignment = _copy_slots(context, record, ours, post.target)
    return Prepared(item, page, sha256(text), record, current, target_text, alignment)


def read_site_page(context: Context, text: str) -> Page:
    """A post (source or copy) cut into slots as a run cuts it."""
    return _read(context, text)


def _read(context: Context, text: str) -> Page:
    """A page cut as every step cuts it: the site's keys, glossary terms as placeholders."""
    glossary = context.config.glossary
    terms = {*glossary.do_not_translate, *(t for f in glossary.fixed.values() for t in f)}
    return read_page(
        context.md,
        text,
        keys=context.config.translatable_keys,
        terms=sorted(terms),
        shortcodes=context.config.shortcodes,
    )


def _recover_staged(post: Post, record: PostRecord | None) -> None:
    """Finish or drop a copy staged by a run that was killed (under either naming)."""
    for staged in (staged_path(post.target), legacy_staged_path(post.target)):
        if staged is None:
            continue
        if staged.is_symlink():
            staged.unlink()  # never ours: stage() writes regular files only
            continue
        if not staged.exists():
            continue
        if record is not None and sha256(read_post(staged)) == record.written_hash:
            commit_staged(staged, post.target)
        else:
            staged.unlink()


def current_slots(
    context: Context, record: PostRecord, target_text: str, path: Path
) -> tuple[str, ...]:
    """The copy's text per recorded slot; `StructureChangedError` if they cannot be found."""
    return _copy_slots(context, record, target_text, path)[0]


def _copy_slots(
    context: Context, record: PostRecord, target_text: str, path: Path
) -> tuple[tuple[str, ...], CopyAlignment | None]:
    """Slot texts, and the block alignment when the copy's blocks differ from the source's."""
    if record.blocks is None:
        try:
            return _same_shape_slots(context, record, target_text, path), None
        except StructureChangedError:
            if not record.source_text:
                raise
    try:
        alignment = align_copy(context.md, lambda t: _read(context, t), record, target_text)
    except StructureChangedError as error:
        raise error.at(path) from None
    return alignment.current, alignment


def copy_block_map(
    context: Context, record: PostRecord, target_text: str, path: Path
) -> tuple[int, ...] | None:
    """The block map of the copy as it is now (see `PostRecord.blocks`): None if it has the
    source's blocks."""
    alignment = _copy_slots(context, record, target_text, path)[1]
    if alignment is None:
        return None
    origin = tuple(int(k[1:]) if k[0] == "f" else -1 for k in alignment.ours.keys)
    return None if origin == tuple(range(len(alignment.source.blocks))) else origin


def _same_shape_slots(
    context: Context, record: PostRecord, target_text: str, path: Path
) -> tuple[str, ...]:
    if sha256(target_text) == record.written_hash:
        return tuple(slot.written for slot in record.slots)
    try:
        now = _read(context, _neutral(target_text))
    except TranslatorError as error:
        raise StructureChangedError(
            f"the copy no longer parses: {error.message}", path=path
        ) from None
    before = _read(context, _neutral(record.written_text))
    same_count = len(slot_texts(now)) == len(record.slots)
    if not same_count or _skeleton(now) != _skeleton(before):
        raise StructureChangedError(
            "an editor changed the copy outside its translated text; nothing was written",
            path=path,
            hint="make structural changes in the source post, or move the copy away to have "
            "it translated again",
        )
    return tuple(slot_texts(now))


def _neutral(text: str) -> str:
    """The text with the keys an editor may freely change (draft, translation) blanked."""
    return set_values(text, {"draft": False, "translation": None})


def _skeleton(page: Page) -> str:
    return compose_page(page, ["\ue001"] * len(slot_texts(page)))


def units_needed(prepared: Sequence[Prepared]) -> dict[str, list[str]]:
    """Distinct units per target language, in first-seen order."""
    needed: dict[str, dict[str, None]] = {}
    for item in prepared:
        language = item.item.post.target_language
        needed.setdefault(language, {}).update(dict.fromkeys(item.page.units))
    return {language: list(units) for language, units in needed.items()}


@dataclass(frozen=True, slots=True)
class Translations:
    """Machine translations for a run, per target language."""

    by_language: Mapping[str, Mapping[str, str]]
    """target -> unit -> translation."""
    from_memory: int
    """Units the memory already had."""
    translated: int
    """Units the engine translated in this run."""
    engine: str
    """Engine name."""
    models: Mapping[str, str]
    """target -> model version."""


ENGINE_CHUNK = 2048
"""Units per engine call: large enough for full CTranslate2 batches, small enough to show progress."""


def translate_units(
    context: Context, needed: Mapping[str, Sequence[str]], progress: Progress = _no_progress
) -> Translations:
    """Look every unit up in the memory; send only the missing ones to the engine, in bulk."""
    by_language: dict[str, dict[str, str]] = {}
    models: dict[str, str] = {}
    hits = fresh = 0
    config, memory = context.config, context.memory
    # The engine and the memory's units know languages by the engine's codes (fr-fr -> fr).
    source = config.engine_code(config.source_language)
    for language, units in needed.items():
        if not units:
            continue
        engine, target = context.engine, config.engine_code(language)
        model = engine.model_version(source=source, target=target)
        # People's translations imported from a TMX come first, then the machine's.
        known = (
            {}
            if context.retranslate
            else memory.lookup(units, source=source, target=target, engine=engine.name, model=model)
        )
        if not context.retranslate:
            # Human units are the site's: keyed by its language keys, as the TMX import stores them.
            known.update(memory.human_lookup(units, source=config.source_language, target=language))
        missing = [u for u in units if u not in known]
        for start in range(0, len(missing), ENGINE_CHUNK):
            chunk = missing[start : start + ENGINE_CHUNK]
            outputs = engine.translate(chunk, source=source, target=target)
            machine = dict(zip(chunk, outputs, strict=True))
            memory.store(machine, source=source, target=target, engine=engine.name, model=model)
            known.update(machine)
            progress(f"translate {language}", start + len(chunk), len(missing))
        by_language[language], models[language] = known, model
        hits, fresh = hits + len(units) - len(missing), fresh + len(missing)
    name = context.engine.name if by_language else ""
    return Translations(by_language, hits, fresh, name, models)


def write(
    context: Context,
    prepared: Prepared,
    translations: Translations,
    *,
    commit: CopyCommit | None = None,
) -> PostResult:
    """Merge the machine translation with the copy's edits and write it, atomically.

    `commit` saves the copy (default `save_copy`; `copy_batch` gives one that
    commits many copies together)."""
    post = prepared.item.post
    new_slots = fresh_slots(context, prepared, translations)
    merged = merge_slots(
        new_slots,
        prepared.record,
        prepared.current,
        _merge_options(context, prepared, translations),
    )
    # Text people wrote for the same French (`translator adopt`) goes before the machine's.
    human = context.memory.human_texts(
        [slot.source for slot in new_slots],
        source=context.config.source_language,
        target=post.target_language,
    )
    merged = _with_human_texts(merged, human)
    text = _copy_text(context, prepared, merged, translations)
    blocks: tuple[int, ...] | None = None
    if prepared.alignment is not None:
        reader = functools.partial(_read, context)
        try:
            text, blocks = merge_copy(context.md, reader, prepared.alignment, prepared.page, text)
        except StructureChangedError as error:
            raise error.at(post.target) from None
    restored = merged.restored + _given_back(prepared)
    result = PostResult(
        post.source_key,
        post.target_key,
        post.target_language,
        "written",
        merged.status,
        merged.edits_kept,
        merged.conflicts,
        sum(1 for s in merged.slots if s.notes),
        restored=restored,
    )
    record = replace(_record(context, prepared, merged, translations, text), blocks=blocks)
    _unretire_put_back(context, prepared, text)
    old = prepared.record
    if text == prepared.target_text and old and old.source_hash == prepared.source_hash:
        if old.slots != record.slots or old.written_hash != record.written_hash:
            # The file stays as the editor left it; the memory learns what it holds.
            context.memory.save_post(replace(record, updated=old.updated), merged.retired)
        return replace(result, action="unchanged")
    (commit or save_copy)(context, post.target, record, merged.retired)
    return result


def fresh_slots(context: Context, prepared: Prepared, translations: Translations) -> list[NewSlot]:
    """The source's slots with the machine text a write would give them (before any merge)."""
    return _with_coverage(context, prepared, _new_slots(context, prepared, translations))


def _unretire_put_back(context: Context, prepared: Prepared, text: str) -> None:
    """Retired texts an editor pasted back into the copy leave the retired list."""
    post = prepared.item.post
    for _, source, retired in context.memory.retired(post.source_key, post.target_language):
        if retired.strip() and retired in text:
            context.memory.unretire(post.source_key, post.target_language, source)


def _new_slots(context: Context, prepared: Prepared, translations: Translations) -> list[NewSlot]:
    """The new source's slots with their machine text, QA flags and provenance."""
    language = prepared.item.post.target_language
    known = translations.by_language.get(language, {})
    glossary = context.config.glossary
    code = context.config.engine_code(language)
    fixed = glossary.fixed_for(language, code)
    units = [known[u] for u in prepared.page.units]
    rendered = render_page(context.md, prepared.page, units, fixed=fixed)
    engine, model = translations.engine, translations.models.get(language, "")
    segments = (*prepared.page.field_segments, *prepared.page.segments)
    return [
        NewSlot(
            label,
            n < len(prepared.page.fields),
            report.source,
            report.result,
            check_slot(
                report.source,
                report.result,
                source_language=context.config.engine_code(context.config.source_language),
                target_language=code,
                glossary=glossary,
                notes=report.notes,
                md=context.md,
                target_key=language,
                shortcodes=context.config.shortcodes,
                checked=segment.checked if segment.source == report.source else None,
            ),
            engine,
            model,
            glossary_version(glossary, language, report.source, code=code),
        )
        for n, (label, report, segment) in enumerate(
            zip(slot_labels(prepared.page), rendered.reports, segments, strict=True)
        )
    ]


def _merge_options(
    context: Context, prepared: Prepared, translations: Translations
) -> MergeOptions:
    post = prepared.item.post
    model = translations.models.get(post.target_language, "")
    return MergeOptions(
        now=Provenance(translations.engine, model),
        retranslate=context.retranslate,
        published=_published(context, prepared)
        and context.config.review.on_source_change == "suggest",
        kept=context.memory.kept(post.source_key, post.target_language),
    )


def _published(context: Context, prepared: Prepared) -> bool:
    """The copy is live: `draft: false` on a site whose machine copies start as drafts."""
    text = prepared.target_text
    if text is None and prepared.record is not None:
        text = prepared.record.written_text
    if text is None or not context.config.review.draft_until_approved:
        return False
    return read_values(text).get("draft") is False


def _given_back(prepared: Prepared) -> int:
    """Editor or reviewed slots of a copy that went missing: written back from the memory."""
    if prepared.target_text is not None or prepared.record is None:
        return 0
    return sum(1 for s in prepared.record.slots if s.state != "machine")


def _with_coverage(context: Context, prepared: Prepared, slots: list[NewSlot]) -> list[NewSlot]:
    """Prose no slot covers (undeclared keys and shortcodes) flags the post's first slot."""
    page = prepared.page
    found = uncovered_prose(
        page.document,
        page.segments,
        keys=context.config.translatable_keys,
        rules=context.config.shortcodes,
        translated=[f.key for f in page.fields],
        kept_blocks=page.kept_blocks,
    )
    if found and slots:
        slots[0] = replace(slots[0], notes=(*slots[0].notes, *found))
    return slots


HUMAN_NOTE = "human translation, adopted"


def _with_human_texts(merged: Merged, human: Mapping[str, str]) -> Merged:
    """Slots the machine would fill whose source a human translated (`translator adopt`)."""
    if not human:
        return merged
    slots = tuple(
        replace(
            slot,
            written=human[slot.source],
            state="reviewed",
            approved_source=slot.source,
            notes=(HUMAN_NOTE,),
        )
        if slot.state == "machine" and slot.source in human
        else slot
        for slot in merged.slots
    )
    return replace(merged, slots=slots, status=post_status(slots))


def save_copy(
    context: Context,
    target: Path,
    record: PostRecord,
    retired: Sequence[SlotRecord] = (),
    *,
    text: str | None = None,
) -> None:
    """Stage the copy, record it, then rename it into place (see the module's docstring).

    `text` is what the file gets when it is not `record.written_text`: undoing
    an editor's action puts back a file an editor had changed by hand.
    """
    staged = stage(target, record.written_text if text is None else text)
    try:
        context.memory.save_post(record, retired)
    except BaseException:
        staged.unlink(missing_ok=True)  # not recorded: the copy stays as it was
        raise
    commit_staged(staged, target)


CopyCommit = Callable[[Context, Path, PostRecord, Sequence[SlotRecord]], None]
"""Stages, records and renames one copy: `save_copy`, or a `copy_batch`'s."""
WRITE_BATCH = 32
"""Copies `run` commits together: one memory commit and one folder sync per batch."""


@contextlib.contextmanager
def copy_batch(context: Context) -> Iterator[CopyCommit]:
    """A `save_copy` whose copies commit together when the block ends.

    Each copy is staged (fsync'd) and recorded in its own savepoint of one
    memory transaction; the renames follow the commit. Crash safety is
    `save_copy`'s (see the module's docstring): killed before the commit,
    every file is old and the next run drops the staged ones; after it, the
    next run finishes the renames. A copy that fails is undone alone.
    """
    staged: list[tuple[Path, Path]] = []

    def save(
        context: Context, target: Path, record: PostRecord, retired: Sequence[SlotRecord] = ()
    ) -> None:
        file = stage(target, record.written_text)
        try:
            context.memory.save_post(record, retired)
        except BaseException:
            file.unlink(missing_ok=True)  # not recorded: the copy stays as it was
            raise
        staged.append((file, target))

    try:
        with context.memory.batch():
            yield save
    except BaseException:
        for file, _ in staged:
            file.unlink(missing_ok=True)
        raise
    commit_all_staged(staged)


def _copy_text(
    context: Context, prepared: Prepared, merged: Merged, translations: Translations
) -> str:
    body = compose_page(prepared.page, [slot.written for slot in merged.slots])
    draft = context.config.review.draft_until_approved
    shown = prepared.target_text
    if shown is None and prepared.record is not None:
        shown = prepared.record.written_text
    if shown is not None:
        draft = bool(read_values(shown).get("draft", draft))
    if not draft and _unreviewed_goes_live(context, prepared, merged):
        draft = True  # [review] on_source_change = "draft": back to draft until approved
    language = prepared.item.post.target_language
    stamp = {
        "source": prepared.item.post.source_key,
        "source_hash": prepared.source_hash[:16],
        "engine": translations.engine or (prepared.record.engine if prepared.record else ""),
        "model": translations.models.get(
            language, prepared.record.model if prepared.record else ""
        ),
        "status": merged.status,
        "date": context.today,
    }
    return set_values(body, {"draft": draft, "translation": stamp})


def _unreviewed_goes_live(context: Context, prepared: Prepared, merged: Merged) -> bool:
    """Under the `draft` policy, a published copy that gets new machine text."""
    if context.config.review.on_source_change != "draft" or not _published(context, prepared):
        return False
    before = {s.written for s in prepared.record.slots} if prepared.record else set()
    return any(s.state == "machine" and s.written not in before for s in merged.slots)


def _record(
    context: Context, prepared: Prepared, merged: Merged, translations: Translations, text: str
) -> PostRecord:
    post = prepared.item.post
    old = prepared.record
    return PostRecord(
        source_path=post.source_key,
        target=post.target_language,
        target_path=post.target_key,
        source_hash=prepared.source_hash,
        written_hash=sha256(text),
        written_text=text,
        status=merged.status,
        engine=translations.engine or (old.engine if old else ""),
        model=translations.models.get(post.target_language, old.model if old else ""),
        updated=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        slots=merged.slots,
        source_text=prepared.page.text,
        approval=old.approval if old and merged.status == "reviewed" else "",
    )


DRY_RUN = "dry run"
"""The reason of each copy a dry run would write."""


@dataclass(frozen=True, slots=True)
class RunSummary:
    """The end of a run, as `translator run --json` prints it."""

    posts: int
    translated_posts: int
    skipped_posts: int
    segments_from_memory: int
    segments_translated: int
    edits_kept: int
    conflicts: int
    errors: tuple[dict[str, str], ...]
    orphans: tuple[dict[str, str], ...] = ()
    results: tuple[PostResult, ...] = ()
    dry_run: bool = False
    skipped: tuple[dict[str, str], ...] = ()
    """Special files named like posts (FIFOs, sockets, devices, folders): never opened."""
    internal_errors: int = 0
    """How many of `errors` are bugs in translator (tracebacks in `.translator/`)."""
    human_copies: int = 0
    excluded: tuple[str, ...] = ()
    skipped_formats: Mapping[str, int] = field(default_factory=dict)
    restored: int = 0

    @property
    def planned_posts(self) -> int:
        """Copies a dry run would write (each result is `skipped`, its reason DRY_RUN)."""
        return sum(1 for r in self.results if r.reason == DRY_RUN)

    def as_json(self) -> dict[str, Any]:
        """The JSON object printed by `--json`."""
        return {
            "posts": self.posts,
            "translated_posts": self.translated_posts,
            "skipped_posts": self.skipped_posts,
            "segments_from_memory": self.segments_from_memory,
            "segments_translated": self.segments_translated,
            "edits_kept": self.edits_kept,
            "conflicts": self.conflicts,
            "restored": self.restored,
            "errors": list(self.errors),
            "orphans": list(self.orphans),
            "dry_run": self.dry_run,
            "skipped": list(self.skipped),
            "internal_errors": self.internal_errors,
            "human_copies": self.human_copies,
            "excluded": list(self.excluded),
            "skipped_formats": dict(self.skipped_formats),
            "copies": [
                {
                    "source": r.source,
                    "target": r.target,
                    "language": r.language,
                    "action": r.action,
                    "status": r.status,
                    "reason": r.reason,
                    "restored": r.restored,
                }
                for r in self.results
            ],
        }


def merge_translations(parts: Sequence[Translations]) -> Translations:
    """One `Translations` from several (one per target language)."""
    return Translations(
        by_language={k: v for part in parts for k, v in part.by_language.items()},
        from_memory=sum(part.from_memory for part in parts),
        translated=sum(part.translated for part in parts),
        engine=next((part.engine for part in parts if part.engine), ""),
        models={k: v for part in parts for k, v in part.models.items()},
    )


def _error_entry(result: PostResult) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": result.source, "reason": result.reason}
    return entry if result.line is None else {**entry, "line": result.line}


def summarize(
    detection: Detection,
    results: Sequence[PostResult],
    translations: Translations | None,
    *,
    dry_run: bool = False,
) -> RunSummary:
    """Add up a run."""
    errors = [{"path": p, "reason": r} for p, r in detection.errors]
    errors += [_error_entry(r) for r in results if r.status == "error"]
    written = sum(1 for r in results if r.action == "written")
    human = [
        PostResult(p.source_key, p.target_key, p.target_language, "skipped", "human",
                   reason="a translation translator did not write: left alone")
        for p in detection.human
    ]  # fmt: skip
    return RunSummary(
        posts=detection.posts,
        translated_posts=written,
        skipped_posts=detection.unchanged
        + len(detection.skipped)
        + len(human)
        + sum(1 for r in results if r.action != "written"),
        segments_from_memory=translations.from_memory if translations else 0,
        segments_translated=translations.translated if translations else 0,
        edits_kept=sum(r.edits_kept for r in results),
        conflicts=sum(r.conflicts for r in results),
        restored=sum(r.restored for r in results),
        errors=tuple(errors),
        orphans=tuple({"source": s, "language": lang} for s, lang in detection.orphans),
        results=(*results, *human),
        dry_run=dry_run,
        skipped=tuple({"path": p, "reason": r} for p, r in detection.skipped),
        internal_errors=detection.internal + sum(1 for r in results if r.internal),
        human_copies=len(human),
        excluded=detection.excluded,
        skipped_formats=detection.skipped_formats,
    )


def run(
    context: Context,
    paths: Sequence[Path] = (),
    *,
    dry_run: bool = False,
    progress: Progress = _no_progress,
) -> RunSummary:
    """The whole pipeline over a site (or some of its posts); one post's failure is its own."""
    with collecting_less():
        return _run(context, paths, dry_run=dry_run, progress=progress)


GC_THRESHOLD = 50_000
"""Allocations between two collections of the youngest generation during a run (700 is
Python's default)."""


@contextlib.contextmanager
def collecting_less() -> Iterator[None]:
    """Python's cyclic garbage collector, run less often.

    Reading a post makes hundreds of thousands of small acyclic objects (tokens, pieces)
    while the pages already read stay alive, and each collection walks them all: a
    quarter of a large post's run (bench/prose_cost.py). mypy does the same.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], GC_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _run(
    context: Context, paths: Sequence[Path], *, dry_run: bool, progress: Progress
) -> RunSummary:
    detection = detect(context.config, context.memory, paths, stale=stale_pairs(context))
    prepared, failures = _prepare_all(context, detection.items, progress)
    if dry_run:
        planned = [_planned(p) for p in prepared]
        return summarize(detection, [*planned, *failures], None, dry_run=True)
    translations, prepared, lost = _translate_isolated(context, prepared, progress)
    results = [*failures, *lost]
    for start in range(0, len(prepared), WRITE_BATCH):
        batch = prepared[start : start + WRITE_BATCH]
        done: list[PostResult] = []
        try:
            with copy_batch(context) as commit:
                for n, item in enumerate(batch, start + 1):
                    done.append(_write_one(context, item, translations, commit=commit))
                    progress("write", n, len(prepared))
        except (TranslatorError, OSError, sqlite3.Error) as error:
            # The batch's commit or renames failed: its copies are its posts' errors (the
            # next run drops or finishes what was staged), and the next batches still go.
            done = [_batch_failed(context, item, done, n, error) for n, item in enumerate(batch)]
        results.extend(done)
    return summarize(detection, results, translations)


def _batch_failed(
    context: Context, item: Prepared, done: Sequence[PostResult], n: int, error: BaseException
) -> PostResult:
    """A post of a batch that could not be committed; its own earlier failure stands."""
    if n < len(done) and done[n].action in ("failed", "skipped"):
        return done[n]
    return failed(item.item.post, error, state_dir=context.config.state_dir)


def _translate_isolated(
    context: Context, prepared: list[Prepared], progress: Progress
) -> tuple[Translations, list[Prepared], list[PostResult]]:
    """All units in one batch; should the batch fail unexpectedly, post by post.

    A `TranslatorError` (no model, engine failure) stops the run as before:
    it is no one post's fault. Anything else may be one post's: retrying
    post by post isolates it, and the others are still translated.
    """
    try:
        return translate_units(context, units_needed(prepared), progress), prepared, []
    except TranslatorError:
        raise
    except Exception:  # noqa: BLE001, S110 — retried below, post by post, so that the culprit is named
        pass
    parts: list[Translations] = []
    kept: list[Prepared] = []
    lost: list[PostResult] = []
    for item in prepared:
        try:
            parts.append(translate_units(context, units_needed([item])))
            kept.append(item)
        except Exception as error:  # noqa: BLE001 — this post's failure
            lost.append(failed(item.item.post, error, state_dir=context.config.state_dir))
    return merge_translations(parts), kept, lost


def _prepare_all(
    context: Context, items: Sequence[WorkItem], progress: Progress
) -> tuple[list[Prepared], list[PostResult]]:
    prepared: list[Prepared] = []
    failures: list[PostResult] = []
    for n, item in enumerate(items, 1):
        try:
            prepared.append(prepare(context, item))
        except Exception as error:  # noqa: BLE001 — whatever it is, it is this post's error
            failures.append(failed(item.post, error, state_dir=context.config.state_dir))
        progress("read", n, len(items))
    return prepared, failures


def _write_one(
    context: Context, item: Prepared, translations: Translations, *, commit: CopyCommit
) -> PostResult:
    try:
        return write(context, item, translations, commit=commit)
    except Exception as error:  # noqa: BLE001 — whatever it is, it is this post's error
        return failed(item.item.post, error, state_dir=context.config.state_dir)


def failed(post: Post, error: BaseException, *, state_dir: Path | None = None) -> PostResult:
    """The result of a pair that could not be read, translated or written.

    An exception that is neither a `TranslatorError` nor an `OSError` is a
    bug: its traceback is logged under `state_dir` and the result says so.
    """
    internal = not isinstance(error, TranslatorError | OSError)
    if internal:
        error = internal_error(error, state_dir=state_dir, where=post.source_key)
    reason = _reason(error)
    action: Literal["skipped", "failed"] = "failed"
    if isinstance(error, StructureChangedError):
        action = "skipped"
    return PostResult(
        post.source_key,
        post.target_key,
        post.target_language,
        action,
        "error",
        reason=reason,
        internal=internal,
        line=error.line if isinstance(error, TranslatorError) else None,
    )


def _planned(prepared: Prepared) -> PostResult:
    post = prepared.item.post
    return PostResult(
        post.source_key,
        post.target_key,
        post.target_language,
        "skipped",
        prepared.item.state,
        reason=DRY_RUN,
    )


def iter_results(summary: RunSummary) -> Iterator[PostResult]:
    """Results in path order, for printing."""
    yield from sorted(summary.results, key=lambda r: (r.source, r.language))


# -- Scale-out: the Prefect flow's split of `translate_units` -------------------------
# `translate_units` looks up, translates and stores in one process. The flow splits
# it so only the expensive step leaves the process that owns the site: it looks the
# units up and stores the translations itself (`plan_units`, `store_chunk`), and
# sends the missing units to workers in `Chunk`s (`translate_chunk`), which need
# neither the site nor the memory, only the engine.


@dataclass(frozen=True, slots=True)
class Chunk:
    """Units of one language for one engine call, as a worker receives them."""

    engine: str
    """Engine name."""
    settings: tuple[tuple[str, Any], ...]
    """Engine settings, sorted (a hashable key for the worker's engine cache)."""
    source: str
    """Source language."""
    target: str
    """Target language."""
    units: tuple[str, ...]
    """Distinct tagged units the memory lacks."""


@dataclass(frozen=True, slots=True)
class UnitPlan:
    """What the memory has for a run's units, and what an engine must translate."""

    known: Mapping[str, Mapping[str, str]]
    """target -> unit -> translation found in the memory."""
    missing: Mapping[str, tuple[str, ...]]
    """target -> units to translate, in first-seen order."""
    models: Mapping[str, str]
    """target -> model version (part of the memory's key)."""
    engine: str
    """Engine name ("" when no unit is needed)."""


def plan_units(context: Context, needed: Mapping[str, Sequence[str]]) -> UnitPlan:
    """Look every unit up in the memory; the engine is asked for model versions only."""
    known: dict[str, Mapping[str, str]] = {}
    missing: dict[str, tuple[str, ...]] = {}
    models: dict[str, str] = {}
    source, memory = context.config.source_language, context.memory
    for target, units in needed.items():
        if not units:
            continue
        engine = context.engine
        model = engine.model_version(source=source, target=target)
        found = memory.lookup(units, source=source, target=target, engine=engine.name, model=model)
        known[target], models[target] = found, model
        missing[target] = tuple(u for u in units if u not in found)
    return UnitPlan(known, missing, models, context.engine.name if known else "")


def chunk_units(config: SiteConfig, plan: UnitPlan, size: int) -> list[Chunk]:
    """The plan's missing units cut into chunks of at most `size`, language by language,
    longest units first.

    A batch decodes as long as its longest sentence, and `translator run` sorts a
    whole run's units by length before batching: cut in post order, each chunk
    mixed short and long sentences, and the flow on Dask paid 3.8× the CLI's time
    for the same units (bench/flow_scale.py). Longest first, the slowest chunks
    start first and the short ones fill the end. The memory still gets every chunk
    as it comes back; a copy is written once all of its units are back.
    """
    settings = tuple(sorted(config.engine.as_mapping().items()))
    chunks: list[Chunk] = []
    for target, units in plan.missing.items():
        ordered = sorted(units, key=len, reverse=True)
        chunks += [
            Chunk(
                plan.engine, settings, config.source_language, target, tuple(ordered[i : i + size])
            )
            for i in range(0, len(ordered), size)
        ]
    return chunks


def store_chunk(context: Context, chunk: Chunk, model: str, outputs: Sequence[str]) -> None:
    """Record a chunk's translations in the memory, as `translate_units` does."""
    machine = dict(zip(chunk.units, outputs, strict=True))
    context.memory.store(
        machine, source=chunk.source, target=chunk.target, engine=chunk.engine, model=model
    )


# One engine per process and settings, shared by every chunk this process translates:
# a model takes seconds to load, a chunk should not pay for it. The lock makes
# concurrent threads wait for one load. (Process-wide state, as engines/spread.py's
# models on a Dask worker: nothing else in the package is.)
_PROCESS_ENGINES: dict[tuple[str, tuple[tuple[str, Any], ...]], Engine] = {}
_PROCESS_ENGINES_LOCK = threading.Lock()


def process_engine(name: str, settings: tuple[tuple[str, Any], ...]) -> Engine:
    """The engine `name` with `settings`, built once in this process."""
    with _PROCESS_ENGINES_LOCK:
        if (name, settings) not in _PROCESS_ENGINES:
            _PROCESS_ENGINES[name, settings] = make_engine(name, dict(settings))
        return _PROCESS_ENGINES[name, settings]


def translate_chunk(chunk: Chunk) -> list[str]:
    """Translate a chunk with this process's engine; no site, no memory."""
    engine = process_engine(chunk.engine, chunk.settings)
    return engine.translate(list(chunk.units), source=chunk.source, target=chunk.target)
