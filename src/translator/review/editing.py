"""An editor's actions on one copy: edit a slot, accept a suggestion, review, approve, undo.

Each action checks that the file is still what the editor saw (its SHA-256),
changes the copy's text, and writes it through `pipeline.save_copy`, the one
write path of `translator run` and `translator approve`. The memory ends up as
a run would leave it after an editor had made the same change by hand: the
slots are merged with `merge_slots`, so an edited slot is `edited`, and the
next run keeps the editor's text.

Every action returns a `Change` holding the file and the record from before,
which `undo` writes back; the workbench keeps them in the memory, so undo
works after a restart. An outdated slot (reviewed text for an older source,
the machine's suggestion for the new one) is resolved by the same actions:
accept the suggestion, edit, or mark it reviewed as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from translator.errors import EditRefusedError, SlotCountError, StaleCopyError, TranslatorError
from translator.markdown import _markdown
from translator.markdown.document import read_values, set_values
from translator.markdown.page import compose_page, slot_texts
from translator.markdown.qa import check_slot
from translator.pipeline import Context, current_slots, read_site_page, save_copy, sha256
from translator.review.catalog import site_file
from translator.review.status import approve
from translator.store.files import read_post
from translator.store.memory import PostRecord, PostStatus, SlotRecord, UndoStep
from translator.store.merge import NewSlot, merge_slots, post_status

__all__ = (
    "Change",
    "accept_suggestion",
    "apply_slots",
    "approve_copy",
    "edit_slot",
    "file_hash",
    "mark_reviewed",
    "undo",
)

RELOAD = "reload the page: your text is still in the form, copy it before reloading"

_QUOTE_PREFIX = re.compile(r"^(?:[ ]{0,3}>[ ]?)+")


Change = UndoStep
"""One action on a copy, and what undoing it writes back (kept in the memory for undo)."""


@dataclass(frozen=True, slots=True)
class _Copy:
    """A copy as it is on disk, checked against the hash the editor saw."""

    record: PostRecord
    path: Path
    text: str
    current: tuple[str, ...]


def file_hash(path: Path) -> str:
    """The SHA-256 an editor's form carries for a copy ('' when the file is gone)."""
    try:
        return sha256(read_post(path))
    except TranslatorError:
        return ""


def edit_slot(
    context: Context, target_path: str, position: int, text: str, *, expected_hash: str
) -> Change:
    """Put an editor's text in one slot; `EditRefusedError` if it would change the structure."""
    copy = _open(context, target_path, expected_hash)
    _slot(copy, position)
    text = _typed(text, copy, position)
    texts = [*copy.current]
    texts[position] = text
    slots = _merged(copy, texts)
    return _save(context, copy, texts, slots, f"edited {copy.record.slots[position].label}")


def accept_suggestion(
    context: Context, target_path: str, position: int, *, expected_hash: str
) -> Change:
    """Take the machine's suggestion of a slot in conflict as the slot's text."""
    copy = _open(context, target_path, expected_hash)
    suggestion = _slot(copy, position).suggestion
    if suggestion is None:
        raise EditRefusedError("this slot has no machine suggestion to accept", path=target_path)
    texts = [*copy.current]
    texts[position] = suggestion
    slots = list(_merged(copy, texts))
    slots[position] = replace(slots[position], suggestion=None)
    label = copy.record.slots[position].label
    return _save(context, copy, texts, tuple(slots), f"accepted the suggestion for {label}")


def mark_reviewed(
    context: Context,
    target_path: str,
    position: int,
    *,
    expected_hash: str,
    text: str | None = None,
) -> Change:
    """Mark one slot reviewed, with `text` if given (the copy is reviewed only when approved)."""
    copy = _open(context, target_path, expected_hash)
    slot = _slot(copy, position)
    texts = [*copy.current]
    if text is not None:
        texts[position] = _typed(text, copy, position)
    slots = list(_merged(copy, texts))
    slots[position] = replace(
        slots[position], state="reviewed", suggestion=None, approved_source=slot.source
    )
    kept = text is None and slot.state == "outdated"
    what = f"kept the reviewed text for {slot.label}" if kept else f"reviewed {slot.label}"
    return _save(context, copy, texts, tuple(slots), what)


def apply_slots(
    context: Context,
    target_path: str,
    texts: Mapping[int, str],
    *,
    reviewed: Collection[int] = (),
    expected_hash: str,
) -> Change:
    """Many slots at once, as `edit_slot` (and `mark_reviewed` for `reviewed`) would leave them.

    One write for a whole imported file's units of a copy; the same checks refuse it whole.
    """
    copy = _open(context, target_path, expected_hash)
    current = [*copy.current]
    for position, text in texts.items():
        _slot(copy, position)
        current[position] = _typed(text, copy, position)
    slots = list(_merged(copy, current))
    for position in reviewed:
        old = _slot(copy, position)
        slots[position] = replace(
            slots[position], state="reviewed", suggestion=None, approved_source=old.source
        )
    what = f"imported {len(texts)} slots" + (f", {len(reviewed)} reviewed" if reviewed else "")
    return _save(context, copy, current, tuple(slots), what)


def approve_copy(
    context: Context, target_path: str, *, expected_hash: str, force: bool = False
) -> Change:
    """`translator approve` on one copy, if it is still what the editor saw (the same guard;
    `force` overrides it and is recorded)."""
    copy = _open(context, target_path, expected_hash)
    approve(context, [copy.path], force=force)
    return Change(target_path, "approved the copy", copy.text, copy.record, file_hash(copy.path))


def undo(context: Context, change: Change) -> Change:
    """Write back the file and the record from before `change`.

    Refused (`StaleCopyError`, with the reason) if the file or its record moved
    on since the action — by hand, by `translator run`, by another editor:
    undoing would lose that change.
    """
    record = context.memory.post_for_target(change.target_path)
    path = site_file(context.config.root, change.target_path)
    now = file_hash(path)
    if now != change.after_hash or record is None or record.written_hash != change.after_hash:
        why = "is gone from the disk" if not now else "changed on disk"
        raise StaleCopyError(
            f"cannot undo “{change.what}”: the copy {why} since (by hand, by `translator run` "
            "or in another window), and undoing would lose that; nothing was undone",
            path=change.target_path,
            hint="edit the copy instead; its older undo steps are dropped",
        )
    text = read_post(path)
    save_copy(context, path, change.before, text=change.before_text)
    return Change(change.target_path, f"undid: {change.what}", text, record, change.after_hash)


def _open(context: Context, target_path: str, expected_hash: str) -> _Copy:
    record = context.memory.post_for_target(target_path)
    if record is None:
        raise TranslatorError(
            "translator wrote no copy here", path=target_path, hint="reload the index"
        )
    path = site_file(context.config.root, record.target_path)
    if not path.exists():
        raise StaleCopyError("the copy is gone from the disk", path=target_path, hint=RELOAD)
    text = read_post(path)
    if sha256(text) != expected_hash:
        raise StaleCopyError(
            "the file changed on disk since the page was loaded; nothing was saved",
            path=target_path,
            hint=RELOAD,
        )
    return _Copy(record, path, text, tuple(current_slots(context, record, text, path)))


def _slot(copy: _Copy, position: int) -> SlotRecord:
    if not 0 <= position < len(copy.record.slots):
        raise EditRefusedError(f"no slot {position} in this copy", path=copy.record.target_path)
    return copy.record.slots[position]


def _typed(text: str, copy: _Copy, position: int) -> str:
    """A slot's text as typed in a browser, made to fit the file.

    A textarea sends CRLF line endings: the file's own are used. A slot has
    no edge whitespace (it is outside the segment), so a stray newline typed
    at the end does not become a blank line in the file.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    current = copy.current[position]
    if current == current.strip():
        text = text.strip()
    return text.replace("\n", "\r\n") if "\r\n" in copy.text else text


def _merged(copy: _Copy, texts: Sequence[str]) -> tuple[SlotRecord, ...]:
    """The slots as a run would record them after an editor wrote `texts` in the file."""
    fields = sum(1 for s in copy.record.slots if not s.label.startswith("line "))
    new = [
        NewSlot(s.label, n < fields, s.source, s.machine, s.notes)
        for n, s in enumerate(copy.record.slots)
    ]
    merged = merge_slots(new, copy.record, texts).slots
    # The run that wrote the machine text stays its provenance: an edit elsewhere
    # in the copy must not make the other slots' engine and model unknown.
    return tuple(
        replace(slot, engine=old.engine, model=old.model, glossary=old.glossary)
        if slot.machine == old.machine and not slot.engine
        else slot
        for slot, old in zip(merged, copy.record.slots, strict=True)
    )


def _save(
    context: Context,
    copy: _Copy,
    texts: Sequence[str],
    slots: tuple[SlotRecord, ...],
    what: str,
) -> Change:
    page = read_site_page(context, copy.text)
    try:
        text = compose_page(page, texts)
    except SlotCountError as error:
        raise error.at(copy.record.target_path) from None
    _check_structure(context, copy, page_text=text, position_texts=texts)
    status = _status(slots)
    stamp = dict(read_values(text).get("translation") or {})
    stamp["status"] = status
    text = set_values(text, {"translation": stamp})
    record = replace(
        copy.record,
        slots=slots,
        status=status,
        written_text=text,
        written_hash=sha256(text),
        updated=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    save_copy(context, copy.path, record)
    return Change(copy.record.target_path, what, copy.text, copy.record, record.written_hash)


def _status(slots: Sequence[SlotRecord]) -> PostStatus:
    # Only an approval makes a copy reviewed (and publishes it): reviewing every slot does not.
    status = post_status(slots)
    return "machine" if status == "reviewed" else status


def _check_structure(
    context: Context, copy: _Copy, *, page_text: str, position_texts: Sequence[str]
) -> None:
    """Refuse an edit that changes blocks or markup: tags may move, not vanish."""
    before = read_site_page(context, copy.text)
    try:
        after = read_site_page(context, page_text)
    except TranslatorError as error:
        raise EditRefusedError(
            f"the text breaks the front matter: {error.message}", path=copy.record.target_path
        ) from None
    if len(slot_texts(after)) != len(slot_texts(before)):
        if any(new != old and not any(c.isalpha() for c in new)
               for old, new in zip(copy.current, position_texts, strict=True)):  # fmt: skip
            raise EditRefusedError(
                "the text has no words; a slot keeps at least one", path=copy.record.target_path
            )
        raise EditRefusedError(
            "the text adds or removes a block (a blank line, a list marker, a heading "
            "mark?); edit the words inside the slot only",
            path=copy.record.target_path,
        )
    for old, new in zip(copy.current, position_texts, strict=True):
        if old != new and _slot_structure(context, old) != _slot_structure(context, new):
            raise EditRefusedError(_markup_reason(context, old, new), path=copy.record.target_path)
    body_before = before.text[before.document.body_start :]
    body_after = after.text[after.document.body_start :]
    if _markdown.structure(context.md, body_before) != _markdown.structure(context.md, body_after):
        raise EditRefusedError(
            "the text changes the document's structure", path=copy.record.target_path
        )


def _slot_structure(context: Context, text: str) -> list[tuple[object, ...]]:
    # A slot inside a blockquote carries the `> ` of its continuation lines; parsed
    # alone they would read as a nested quote, and re-wrapping would look like a new
    # block. The page-wide check above still sees any real change of blocks.
    first, *rest = text.split("\n")
    unquoted = "\n".join([first, *(_QUOTE_PREFIX.sub("", line) for line in rest)])
    return _markdown.structure(context.md, unquoted)


def _markup_reason(context: Context, old: str, new: str) -> str:
    flags = check_slot(
        old,
        new,
        source_language=context.config.source_language,
        target_language=context.config.source_language,
        glossary=context.config.glossary,
        md=context.md,
        shortcodes=context.config.shortcodes,
    )
    lost = [f.removeprefix("markup: ") for f in flags if f.startswith("markup: ")]
    detail = "; ".join(lost) if lost else "emphasis, a link or code was removed or added"
    return f"the text changes the markup ({detail}); markup may move but not vanish"
