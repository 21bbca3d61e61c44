"""Merging a new machine translation with what editors did to the copy. Pure.

A copy is a list of slots (front matter fields, then body segments). Slots
of the last write are matched to slots of the new source: fields by key,
segments by their source text (difflib), a changed paragraph pairing with
the one it replaced. Then, per slot:

- same source, the editor changed the copy's text -> the editor's text stays (`edited`);
- same source, an earlier edit, conflict or approval -> kept as it was;
- changed source, the copy held the editor's words -> the editor's text stays,
  the new machine translation is stored as a suggestion (`conflict`);
- otherwise -> the machine's translation (`machine`).

Nothing an editor wrote is overwritten: like gettext's fuzzy entries and
Weblate's "needs editing", a conflict keeps the human text and shows the new
suggestion beside it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from translator.memory import PostRecord, PostStatus, SlotRecord

__all__ = ("Merged", "NewSlot", "merge_slots", "post_status")


@dataclass(frozen=True, slots=True)
class NewSlot:
    """A slot of the new source with its fresh machine translation."""

    label: str
    """`title` for a field, `line 12` for a segment."""
    field: bool
    """True for a front matter field (matched by key), False for a body segment."""
    source: str
    """The source text of the slot."""
    machine: str
    """The machine's text for it."""
    notes: tuple[str, ...] = ()
    """Tag repairs and QA flags."""


@dataclass(frozen=True, slots=True)
class Merged:
    """The slots to write, and what the merge kept."""

    slots: tuple[SlotRecord, ...]
    """One record per new slot; `written` is what goes into the file."""
    edits_kept: int
    """Slots whose text is an editor's, not the machine's."""
    conflicts: int
    """Slots where the source changed under an editor's text."""
    status: PostStatus
    """The copy's status after the merge."""
    retired: tuple[SlotRecord, ...] = ()
    """Editors' texts whose source is gone from the post: kept in the memory, like gettext's `#~`."""


def merge_slots(
    new: Sequence[NewSlot], record: PostRecord | None, current: Sequence[str] | None
) -> Merged:
    """Merge fresh machine slots with the last write and the copy's current slot texts.

    `current` holds the copy's text for each of `record.slots` (None when there
    is no copy or no record).
    """
    if record is None or current is None:
        slots = tuple(_machine(slot, None) for slot in new)
        return Merged(slots, 0, 0, post_status(slots))
    pairs = dict(_pair(new, record.slots))
    merged = tuple(
        _merge_one(slot, record.slots[pairs[n]] if n in pairs else None, current, pairs.get(n))
        for n, slot in enumerate(new)
    )
    edits = sum(1 for s in merged if s.state in ("edited", "conflict") or s.written != s.machine)
    conflicts = sum(1 for s in merged if s.state == "conflict")
    kept = set(pairs.values())
    retired = tuple(
        replace(old, written=current[n])
        for n, old in enumerate(record.slots)
        if n not in kept and current[n] != old.machine
    )
    return Merged(merged, edits, conflicts, post_status(merged), retired)


def post_status(slots: Sequence[SlotRecord]) -> PostStatus:
    """`conflict` if any slot is, `reviewed` if every slot is, else `machine`."""
    if any(s.state == "conflict" for s in slots):
        return "conflict"
    if slots and all(s.state == "reviewed" for s in slots):
        return "reviewed"
    return "machine"


def _merge_one(
    slot: NewSlot, old: SlotRecord | None, current: Sequence[str], index: int | None
) -> SlotRecord:
    if old is None or index is None:
        return _machine(slot, None)
    text = current[index]
    if slot.source == old.source:
        if text != old.written:
            return SlotRecord(
                slot.label,
                slot.source,
                old.machine,
                text,
                "edited",
                old.suggestion,
                old.approved_source,
                slot.notes,
            )
        if old.state != "machine":
            return SlotRecord(
                slot.label,
                slot.source,
                old.machine,
                old.written,
                old.state,
                old.suggestion,
                old.approved_source,
                slot.notes,
            )
        return _machine(slot, old)
    if text != old.machine:
        return SlotRecord(
            slot.label,
            slot.source,
            slot.machine,
            text,
            "conflict",
            slot.machine,
            old.approved_source,
            slot.notes,
        )
    return _machine(slot, old)


def _machine(slot: NewSlot, old: SlotRecord | None) -> SlotRecord:
    approved = old.approved_source if old is not None else None
    return SlotRecord(
        slot.label, slot.source, slot.machine, slot.machine, "machine", None, approved, slot.notes
    )


def _pair(new: Sequence[NewSlot], old: Sequence[SlotRecord]) -> Iterator[tuple[int, int]]:
    """(new index, old index) of matching slots: fields by key, segments by source."""
    old_fields = {s.label: n for n, s in enumerate(old) if _is_field(s)}
    for n, slot in enumerate(new):
        if slot.field and slot.label in old_fields:
            yield n, old_fields[slot.label]
    new_segments = [n for n, s in enumerate(new) if not s.field]
    old_segments = [n for n, s in enumerate(old) if not _is_field(s)]
    matcher = difflib.SequenceMatcher(
        None,
        [new[n].source for n in new_segments],
        [old[n].source for n in old_segments],
        autojunk=False,
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "replace"):
            for i, j in zip(range(i1, i2), range(j1, j2), strict=False):
                yield new_segments[i], old_segments[j]


def _is_field(slot: SlotRecord) -> bool:
    return not slot.label.startswith("line ")
