"""The approval guard: what keeps a copy from being approved, with line numbers. Pure.

A copy (or the slots being approved) is refused when it has
- a conflict: the French changed under an editor's text, not resolved since;
- an outdated slot: reviewed text for an older French, the new suggestion waiting;
- pseudo or identity text: never a translation;
- QA flags on machine text nobody has looked at (approving that slot alone
  with `approve --segment LINE` acknowledges them);
- a source changed since the last run (run first).
An editor who changed a slot's text since the last run has resolved it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType

from translator.markdown.document import Field
from translator.store.memory import SlotRecord

__all__ = ("copy_line", "field_lines", "refusals", "slot_lines")

_NO_FIELDS: Mapping[str, range] = MappingProxyType({})


def copy_line(text: str, slot: SlotRecord, written: str) -> str:
    """The copy's line number where a slot's text starts (`12`), or its front matter key."""
    if not slot.label.startswith("line "):
        return slot.label
    at = text.find(written) if written.strip() else -1
    return str(text.count("\n", 0, at) + 1) if at >= 0 else "?"


def field_lines(text: str, fields: Sequence[Field]) -> dict[str, range]:
    """Front matter key -> the copy's lines its value spans (`text` is the copy the fields
    were read from)."""
    found: dict[str, range] = {}
    for field in fields:
        first = text.count("\n", 0, field.start) + 1
        last = text.count("\n", 0, max(field.start, field.end - 1)) + 1
        found[field.key] = range(first, last + 1)
    return found


def slot_lines(
    text: str, slot: SlotRecord, written: str, fields: Mapping[str, range] = _NO_FIELDS
) -> range:
    """The copy's lines a slot's text spans (empty when it cannot be found).

    A front matter slot is found by its key in `fields` (see `field_lines`): its
    value may be quoted or escaped in the file, so its text is not searched for.
    """
    if not slot.label.startswith("line "):
        return fields.get(slot.label, range(0))
    at = text.find(written) if written.strip() else -1
    if at < 0:
        return range(0)
    first = text.count("\n", 0, at) + 1
    return range(first, first + written.count("\n") + 1)


def refusals(
    text: str,
    slots: Sequence[SlotRecord],
    current: Sequence[str],
    *,
    source_changed: bool,
) -> tuple[str, ...]:
    """Why these slots of the copy `text` cannot be approved (`12: conflict — …`); empty: they can."""
    found = list(_reasons(text, slots, current))
    if source_changed:
        found.insert(0, "1: the source changed since the copy was written — run `translator run`")
    return tuple(found)


def _reasons(text: str, slots: Sequence[SlotRecord], current: Sequence[str]) -> Iterator[str]:
    for slot, now in zip(slots, current, strict=True):
        if now != slot.written:
            continue  # rewritten by an editor since the last run: theirs now
        where = copy_line(text, slot, now)
        if slot.state == "conflict":
            yield f"{where}: conflict — the source changed under an editor's text"
        elif slot.state == "outdated":
            yield f"{where}: outdated — reviewed text for an older source, a suggestion waits"
        elif slot.unreal:
            yield f"{where}: {slot.engine} text, not a translation"
        elif slot.state == "machine" and slot.notes:
            yield f"{where}: QA: {'; '.join(slot.notes)}"
