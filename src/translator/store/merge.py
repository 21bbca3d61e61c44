"""Merging a new machine translation with what editors did to the copy. Pure.

A copy is a list of slots (front matter fields, then body segments). Slots
of the last write are matched to slots of the new source: fields by key,
segments by their source text (difflib), a changed paragraph pairing with
the one it replaced. Then, per slot:

- same source, the editor changed the copy's text -> the editor's text stays (`edited`);
- same source, an earlier edit, conflict or approval -> kept as it was;
- changed source, the copy held the editor's words -> the editor's text stays,
  the new machine translation is stored as a suggestion (`conflict`);
- otherwise -> the machine's translation (`machine`), unless the memory keeps
  an editor's or reviewed text for that very source (`restored`);
- in a published copy, under the default review policy, new machine text
  never goes live: the copy keeps its reviewed text (a new paragraph shows
  its source, as po4a does for fuzzy entries), the machine's text becomes a
  suggestion and the slot is `outdated`.

A changed run of several paragraphs pairs old and new slots by similarity,
so an editor's text never lands on a paragraph it was not written for.

Nothing an editor wrote is overwritten: like gettext's fuzzy entries and
Weblate's "needs editing", a conflict keeps the human text and shows the new
suggestion beside it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from translator.store.memory import PostRecord, PostStatus, SlotRecord
from translator.store.provenance import Provenance, Retranslate, keeps_real_text

__all__ = ("MergeOptions", "Merged", "NewSlot", "merge_slots", "post_status")

_WORD = re.compile(r"\w+")
_SIMILAR = 0.5
"""Two changed paragraphs pair only if difflib's ratio of their sources reaches this."""


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
    engine: str = ""
    """Engine that produced `machine`."""
    model: str = ""
    """Its model version."""
    glossary: str = ""
    """Hash of the glossary entries that touched the source."""


@dataclass(frozen=True, slots=True)
class MergeOptions:
    """How a run merges: its engine, what to retranslate, what the copy may show."""

    now: Provenance = field(default_factory=lambda: Provenance("", ""))
    """The run's engine and model."""
    retranslate: Retranslate = ""
    """`machine` or `all-unreviewed` to force fresh machine text."""
    published: bool = False
    """The copy is live (`draft: false`) and only reviewed text may reach it."""
    kept: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """source -> (editor's or reviewed text, state) the memory keeps for this copy."""


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
    restored: int = 0
    """Slots given back an editor's or reviewed text from the memory."""


def merge_slots(
    new: Sequence[NewSlot],
    record: PostRecord | None,
    current: Sequence[str] | None,
    options: MergeOptions = MergeOptions(),
) -> Merged:
    """Merge fresh machine slots with the last write and the copy's current slot texts.

    `current` holds the copy's text for each of `record.slots` (None when there
    is no copy or no record).
    """
    if record is None or current is None:
        pairs: dict[int, int] = {}
        olds: Sequence[SlotRecord] = ()
        current = ()
    else:
        pairs, olds = dict(_pair(new, record.slots)), record.slots
    merged = [
        _merge_one(slot, olds[pairs[n]] if n in pairs else None, current, pairs.get(n), options)
        for n, slot in enumerate(new)
    ]
    restored = 0
    for n, slot in enumerate(merged):
        old = olds[pairs[n]] if n in pairs else None
        if slot.state == "machine" and (old is None or old.source != slot.source):
            back = _restore(slot, options.kept)
            restored += back is not slot
            merged[n] = back
    if options.published:
        merged = [_hold(s, olds[pairs[n]] if n in pairs else None, current, pairs.get(n))
                  for n, s in enumerate(merged)]  # fmt: skip
    retired = _retired(olds, current, set(pairs.values()), merged, options)
    edits = sum(1 for s in merged if s.state in ("edited", "conflict") or s.written != s.machine)
    conflicts = sum(1 for s in merged if s.state == "conflict")
    final = tuple(merged)
    return Merged(final, edits, conflicts, post_status(final), retired, restored)


def _retired(
    olds: Sequence[SlotRecord],
    current: Sequence[str],
    paired: set[int],
    merged: Sequence[SlotRecord],
    options: MergeOptions,
) -> tuple[SlotRecord, ...]:
    """Editors' texts leaving the copy: their source is gone, or a forced retranslation."""
    gone = [
        replace(old, written=current[n])
        for n, old in enumerate(olds)
        if n not in paired and (current[n] != old.machine or old.state == "reviewed")
    ]
    if options.retranslate == "all-unreviewed":
        texts = {s.written for s in merged}
        gone += [
            replace(old, written=current[n])
            for n, old in enumerate(olds)
            if n in paired and old.state != "reviewed"
            and (old.state != "machine" or current[n] != old.written)
            and current[n] not in texts
        ]  # fmt: skip
    return tuple(gone)


def _restore(slot: SlotRecord, kept: Mapping[str, tuple[str, str]]) -> SlotRecord:
    """A machine slot given back the text an editor wrote or approved for the same source."""
    found = kept.get(slot.source)
    if found is None:
        return slot
    text, state = found
    if state == "reviewed":
        return replace(slot, written=text, state="reviewed", approved_source=slot.source)
    return replace(slot, written=text, state="edited")


def _hold(
    slot: SlotRecord, old: SlotRecord | None, current: Sequence[str], index: int | None
) -> SlotRecord:
    """In a published copy, new machine text becomes a suggestion; the page keeps its text."""
    if slot.state != "machine":
        return slot
    shown = current[index] if old is not None and index is not None else slot.source
    if shown == slot.written:
        return slot
    return replace(slot, written=shown, state="outdated", suggestion=slot.machine)


def post_status(slots: Sequence[SlotRecord]) -> PostStatus:
    """`conflict` if any slot is, `outdated` if any is, `reviewed` if every slot is, else `machine`."""
    if any(s.state == "conflict" for s in slots):
        return "conflict"
    if any(s.state == "outdated" for s in slots):
        return "outdated"
    if slots and all(s.state == "reviewed" for s in slots):
        return "reviewed"
    return "machine"


def _merge_one(
    slot: NewSlot,
    old: SlotRecord | None,
    current: Sequence[str],
    index: int | None,
    options: MergeOptions,
) -> SlotRecord:
    if old is None or index is None:
        return _machine(slot, None)
    text = current[index]
    if options.retranslate == "all-unreviewed" and old.state != "reviewed":
        return _machine(slot, old)
    if slot.source == old.source:
        return _same_source(slot, old, text, options)
    if old.state in ("outdated", "reviewed") and text == old.written and options.published:
        # Reviewed text stays live; the machine's waits as a suggestion.
        return replace(_machine(slot, old), written=text, state="outdated", suggestion=slot.machine)
    if text != old.machine:
        # The copy holds the editor's words: they stay, the machine's are a suggestion.
        return replace(_machine(slot, old), written=text, state="conflict", suggestion=slot.machine)
    return _machine(slot, old)


def _same_source(slot: NewSlot, old: SlotRecord, text: str, options: MergeOptions) -> SlotRecord:
    """A slot whose source did not change: the editor's text, the record's, or fresh machine."""
    if text != old.written:
        return replace(old, label=slot.label, written=text, state="edited", notes=slot.notes)
    if old.state != "machine":
        return replace(old, label=slot.label, notes=slot.notes)
    if keeps_real_text(old, options.now) and options.retranslate == "":
        return replace(old, label=slot.label)
    return _machine(slot, old)


def _machine(slot: NewSlot, old: SlotRecord | None) -> SlotRecord:
    approved = old.approved_source if old is not None else None
    return SlotRecord(
        slot.label,
        slot.source,
        slot.machine,
        slot.machine,
        "machine",
        None,
        approved,
        slot.notes,
        slot.engine,
        slot.model,
        slot.glossary,
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
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1 == 1):
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                yield new_segments[i], old_segments[j]
        elif tag == "replace":
            sources_new = [new[new_segments[i]].source for i in range(i1, i2)]
            sources_old = [old[old_segments[j]].source for j in range(j1, j2)]
            for i, j in _similar_pairs(sources_new, sources_old):
                yield new_segments[i1 + i], old_segments[j1 + j]


def _similar_pairs(new: Sequence[str], old: Sequence[str]) -> list[tuple[int, int]]:
    """Order-keeping pairs of similar texts with the greatest total similarity (a small DP)."""
    if len(new) * len(old) > 2500:  # too many to compare: pair by position, as before
        return list(zip(range(len(new)), range(len(old)), strict=False))
    ratio = [[_likeness(a, b) for b in old] for a in new]
    best = [[0.0] * (len(old) + 1) for _ in range(len(new) + 1)]
    for i in range(len(new) - 1, -1, -1):
        for j in range(len(old) - 1, -1, -1):
            take = ratio[i][j] + best[i + 1][j + 1] if ratio[i][j] >= _SIMILAR else 0.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < len(new) and j < len(old):
        if ratio[i][j] >= _SIMILAR and best[i][j] == ratio[i][j] + best[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _likeness(a: str, b: str) -> float:
    """difflib's ratio over words: shared letters alone do not make two paragraphs alike."""
    words_a, words_b = _WORD.findall(a.lower()), _WORD.findall(b.lower())
    return difflib.SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()


def _is_field(slot: SlotRecord) -> bool:
    return not slot.label.startswith("line ")
