"""`translator memory rebuild`: a lost or damaged memory rebuilt from the copies themselves.

Each copy translator wrote carries a `translation:` block in its front matter
(source, source hash, engine, model, status). Such a copy is read beside its
source; where both have the same block structure (checked as `translator
adopt` checks human copies, `adoption.pair_slots`), the copy's segments are
found between the source's own text around them (`adoption.written_slots`),
and the n-th slot of the copy is the translation of the n-th slot of the
source. The source is translated again with the engine the block names, and
each slot is restored:

- the copy holds the engine's text -> machine text, with that engine and model;
- it holds other words -> an editor's (`edited`; `reviewed` in an approved copy;
  `conflict` or `outdated`, with the machine's text as the suggestion, in a copy
  the block says is in conflict or outdated) — never machine text;
- the source changed since the copy was written -> the copy is recorded against
  the hash in its block (so it shows `outdated` and the next run merges it), and
  its slots that are not the engine's text of the new source are `conflict`s:
  nobody can tell any more whether they are an editor's words or an older
  machine translation, so an editor decides.

The record's written hash is the copy's as it is, so a run on an unchanged site
translates nothing and rewrites nothing. What the files do not hold is not
restored: retired texts, adopted human copies, per-slot reviews in a copy that
was not approved as a whole (they come back as `edited`, or as machine text
when the reviewer kept the machine's words).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from translator.engines import make_engine
from translator.errors import TranslatorError
from translator.hugo.adoption import block_shape, pair_slots, written_slots
from translator.hugo.lost_memory import stamped_copies
from translator.hugo.pairing import plan_site
from translator.hugo.site import Post, scan_site
from translator.markdown.document import read_values
from translator.markdown.page import Page
from translator.pipeline import (
    Context,
    Prepared,
    Translations,
    WorkItem,
    fresh_slots,
    read_site_page,
    sha256,
    translate_units,
    units_needed,
)
from translator.store.files import decode_post, read_post, read_post_bytes
from translator.store.incidents import internal_error
from translator.store.memory import PostRecord, SlotRecord, SlotState
from translator.store.merge import NewSlot, post_status

__all__ = ("RebuildReport", "RebuiltCopy", "Unpaired", "rebuild")

_LEFT_ALONE = (
    "it stays as it is and runs leave it alone, as a human copy; `translator adopt` records "
    "it as one, or move it away to have it translated afresh"
)


@dataclass(frozen=True, slots=True)
class RebuiltCopy:
    """A copy whose record is back in the memory."""

    source: str
    """Source path relative to the site."""
    target: str
    """The copy's path relative to the site."""
    language: str
    """The copy's language."""
    status: str
    """Its status in the rebuilt memory."""
    slots: int
    """Slots recorded."""
    human: int
    """Slots holding an editor's or reviewed text."""
    source_changed: bool
    """The source changed since the copy was written: recorded as outdated."""


@dataclass(frozen=True, slots=True)
class Unpaired:
    """A copy carrying translator's block that could not be rebuilt."""

    target: str
    """The copy's path relative to the site."""
    source: str
    """Its source ('' when no source pairs with it)."""
    reason: str
    """Why, and what becomes of it."""


@dataclass(frozen=True, slots=True)
class RebuildReport:
    """What `rebuild` did."""

    copies: tuple[RebuiltCopy, ...]
    """Copies recorded again."""
    unpaired: tuple[Unpaired, ...]
    """Copies that could not be."""
    units: int
    """Machine translations of units stored while translating the sources again."""

    @property
    def slots(self) -> int:
        """Slots recorded, over every copy."""
        return sum(c.slots for c in self.copies)

    @property
    def human(self) -> int:
        """Slots recorded as an editor's or reviewed text."""
        return sum(c.human for c in self.copies)

    def as_json(self) -> dict[str, Any]:
        """The JSON object printed by `memory rebuild --json` (without the file names)."""
        return {
            "copies": len(self.copies),
            "slots": self.slots,
            "human_slots": self.human,
            "units": self.units,
            "rebuilt": [dataclasses.asdict(c) for c in self.copies],
            "unpaired": [
                {"path": u.target, "source": u.source, "reason": u.reason} for u in self.unpaired
            ],
        }


@dataclass(frozen=True, slots=True)
class _Found:
    """A copy with translator's block, paired with its source and read."""

    post: Post
    """Source and copy."""
    stamp: Mapping[str, Any]
    """The copy's `translation:` block."""
    source_text: str
    """The source as it is now."""
    copy_hash: str
    """SHA-256 of the copy's bytes."""
    copy_text: str
    """The copy as it is."""
    page: Page
    """The source, cut into slots."""
    copy: Page
    """The copy, cut into slots."""


def rebuild(context: Context) -> RebuildReport:
    """Record every copy translator wrote in `context.memory` (a new, empty one)."""
    found, unpaired = _stamped_pairs(context)
    copies: list[RebuiltCopy] = []
    units = 0
    groups: dict[str, list[_Found]] = {}
    for item in found:
        name = str(item.stamp.get("engine") or context.config.engine.name)
        groups.setdefault(name, []).append(item)
    for name, group in groups.items():
        engine_context = _with_engine(context, name)
        try:
            translations = _translate(engine_context, group)
        except Exception as error:  # noqa: BLE001 — no model, or a bug: these copies' problem
            why = f"its engine {name} cannot translate here: {_why(context, error, name)}"
            unpaired += [Unpaired(f.post.target_key, f.post.source_key, why) for f in group]
            continue
        units += translations.translated
        for item in group:
            try:
                copies.append(_restore(engine_context, item, translations))
            except Exception as error:  # noqa: BLE001 — one copy's failure is that copy's
                why = _why(context, error, item.post.target_key)
                unpaired.append(Unpaired(item.post.target_key, item.post.source_key, why))
    return RebuildReport(tuple(copies), tuple(sorted(unpaired, key=lambda u: u.target)), units)


def _stamped_pairs(context: Context) -> tuple[list[_Found], list[Unpaired]]:
    """Copies carrying translator's block, each with the source Hugo pairs it with."""
    plan = plan_site(scan_site(context.config))
    by_target = {p.target_key: p for p in plan.posts if p.counterpart}
    found: list[_Found] = []
    unpaired: list[Unpaired] = []
    for target in stamped_copies(context.config):
        post = by_target.get(target)
        if post is None:
            why = "no source post pairs with it (deleted, renamed, or in a collision: see "
            unpaired.append(Unpaired(target, "", why + f"`translator status`); {_LEFT_ALONE}"))
            continue
        try:
            found.append(_read(context, post))
        except Exception as error:  # noqa: BLE001 — one copy's failure is that copy's
            unpaired.append(Unpaired(target, post.source_key, _why(context, error, target)))
    return found, unpaired


def _read(context: Context, post: Post) -> _Found:
    """Read the copy and its source; `TranslatorError` when their slots do not pair."""
    limit = context.config.max_post_bytes
    data = read_post_bytes(post.target, limit=limit)
    copy_text = decode_post(data, path=post.target_key)
    stamp = read_values(copy_text)["translation"]
    if stamp.get("source") != post.source_key:
        raise TranslatorError(
            f"its block names the source {stamp.get('source')}, but Hugo pairs it with "
            f"{post.source_key}; {_LEFT_ALONE}",
            path=post.target_key,
        )
    source_text = read_post(post.source, limit=limit)
    page, copy = _page(context, source_text, post.source_key), _page(context, copy_text, post)
    adoption = pair_slots(context.md, page, copy)
    # The copy's own segments may be cut otherwise (raw HTML around translated text):
    # the same blocks are enough, `written_slots` finds its segments from the source's.
    if not adoption.matched and block_shape(context.md, page) != block_shape(context.md, copy):
        raise TranslatorError(
            f"its blocks do not line up with the source's ({adoption.reason})"
            f"{_since(stamp, source_text)}; {_LEFT_ALONE}",
            path=post.target_key,
        )
    digest = hashlib.sha256(data).hexdigest()
    return _Found(post, stamp, source_text, digest, copy_text, page, copy)


def _page(context: Context, text: str, where: Post | str) -> Page:
    try:
        return read_site_page(context, text)
    except TranslatorError as error:
        raise error.at(where if isinstance(where, str) else where.target_key) from None


def _with_engine(context: Context, name: str) -> Context:
    """The context translating with the engine a copy's block names."""
    if name == context.config.engine.name:
        return context
    return dataclasses.replace(context, engine_factory=lambda: make_engine(name), _engine=None)


def _translate(context: Context, group: Sequence[_Found]) -> Translations:
    """The machine's text for every unit of the group's sources (stored in the memory too)."""
    return translate_units(context, units_needed([_prepared(item) for item in group]))


def _prepared(item: _Found) -> Prepared:
    return Prepared(
        WorkItem(item.post, "new"), item.page, sha256(item.source_text), None, None, item.copy_text
    )


def _restore(context: Context, item: _Found, translations: Translations) -> RebuiltCopy:
    """Record one copy: its slots as the machine's text or an editor's (see the module)."""
    post, stamp = item.post, item.stamp
    new = fresh_slots(context, _prepared(item), translations)
    texts = written_slots(item.page, item.copy, [slot.machine for slot in new])
    if texts is None:
        raise TranslatorError(
            "its text between the translated segments is not the source's"
            f"{_since(stamp, item.source_text)}; {_LEFT_ALONE}",
            path=post.target_key,
        )
    changed = bool(_since(stamp, item.source_text))
    how = "changed" if changed else str(stamp.get("status") or "machine")
    slots = tuple(_slot(slot, text, how) for slot, text in zip(new, texts, strict=True))
    record = _record(item, slots, translations, changed)
    context.memory.save_post(record)
    human = sum(1 for s in slots if s.state != "machine")
    return RebuiltCopy(
        post.source_key, post.target_key, post.target_language, record.status, len(slots), human,
        changed,
    )  # fmt: skip


def _since(stamp: Mapping[str, Any], source_text: str) -> str:
    """' (the source changed since …)' when the block's source hash is not the source's."""
    if sha256(source_text).startswith(str(stamp.get("source_hash"))):
        return ""
    return " (the source changed since the copy was written)"


def _record(
    item: _Found, slots: tuple[SlotRecord, ...], translations: Translations, changed: bool
) -> PostRecord:
    """The copy's record: written as it is now, against the source its block names."""
    post, stamp, language = item.post, item.stamp, item.post.target_language
    return PostRecord(
        source_path=post.source_key,
        target=language,
        target_path=post.target_key,
        # A changed source keeps the block's (short) hash: the copy shows outdated, runs merge it.
        source_hash=str(stamp.get("source_hash")) if changed else sha256(item.source_text),
        written_hash=item.copy_hash,
        written_text=item.copy_text,
        status=post_status(slots),
        engine=str(stamp.get("engine") or translations.engine),
        model=str(stamp.get("model") or translations.models.get(language, "")),
        updated=str(stamp.get("date") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        slots=slots,
        source_text=item.source_text,
        approval="forced (when and why are not in the copy: the memory was rebuilt)"
        if stamp.get("approval") == "forced"
        else "",
    )


_HUMAN_STATE: Mapping[str, SlotState] = {
    "conflict": "conflict",
    "outdated": "outdated",
    "changed": "conflict",
}
"""The copy's block status -> what a slot holding other words than the machine's becomes."""


def _slot(slot: NewSlot, text: str, how: str) -> SlotRecord:
    """One slot as the copy holds it: the machine's text, or an editor's."""
    machine = SlotRecord(
        slot.label, slot.source, slot.machine, text, "machine", None, None, slot.notes,
        slot.engine, slot.model, slot.glossary,
    )  # fmt: skip
    # An approved copy is reviewed throughout; an outdated one was, where it is not outdated.
    if how == "reviewed" or (how == "outdated" and text == slot.machine):
        return replace(machine, state="reviewed", approved_source=slot.source)
    if text == slot.machine:
        return machine
    state = _HUMAN_STATE.get(how, "edited")
    return replace(machine, state=state, suggestion=None if state == "edited" else slot.machine)


def _why(context: Context, error: Exception, where: str) -> str:
    """One line for a copy that was not rebuilt; a bug's traceback goes to the log."""
    if not isinstance(error, TranslatorError | OSError):
        error = internal_error(error, state_dir=context.config.state_dir, where=where)
    if isinstance(error, TranslatorError):
        return error.message + (f" — {error.hint}" if error.hint else "")
    return str(error)
