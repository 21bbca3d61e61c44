"""A human copy beside its source, read only: what the workbench shows for a page translator
did not write (adopted with `translator adopt` or not).

A run never touches a human copy, so neither does the workbench: no action
here. Where the copy has its source's block structure, slots are shown side
by side as `translator adopt` pairs them (fields by key, segments in order);
where it has not, the two pages are shown whole, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from translator.errors import TranslatorError
from translator.hugo.adoption import pair_slots
from translator.hugo.pairing import plan_site
from translator.hugo.site import Post, scan_site
from translator.markdown.document import body
from translator.markdown.page import Page, slot_labels
from translator.pipeline import Context, read_site_page
from translator.review.catalog import site_file
from translator.store.files import read_post

__all__ = ("HumanSlot", "HumanView", "human_view")


@dataclass(frozen=True, slots=True)
class HumanSlot:
    """One slot of the source and the human copy's text for it."""

    label: str
    """The front matter key, or `line N` in the source."""
    source_line: str
    """Where it is in the source file (`title`, `line 12`)."""
    target_line: str
    """Where it is in the copy file."""
    source: str
    """The source Markdown."""
    text: str
    """The copy's Markdown."""


@dataclass(frozen=True, slots=True)
class HumanView:
    """A human copy and its source, read from the files now."""

    source_path: str
    """The source, relative to the site."""
    target_path: str
    """The copy, relative to the site."""
    language: str
    """The copy's language."""
    title: str
    """The copy's title (its path when it has none)."""
    adopted: bool
    """`translator adopt` recorded it (its slots are reused as human-reviewed text)."""
    slots: tuple[HumanSlot, ...]
    """Slot by slot, when the copy has the source's structure (else empty)."""
    source_body: str
    """The source's body, shown whole when the slots do not pair."""
    copy_body: str
    """The copy's body, likewise."""
    reason: str = ""
    """Why the slots do not pair ('' when they do)."""


def human_view(context: Context, target_path: str) -> HumanView | None:
    """The human copy at `target_path` beside its source; None when it is not one."""
    post = _human_post(context, target_path)
    if post is None:
        return None
    source = read_site_page(context, read_post(site_file(context.config.root, post.source_key)))
    copy = read_site_page(context, read_post(site_file(context.config.root, target_path)))
    paired = pair_slots(context.md, source, copy)
    title = next((f.value for f in copy.fields if f.key == "title"), target_path)
    adopted = (post.source_key, post.target_language) in context.memory.human_copies()
    return HumanView(
        post.source_key, target_path, post.target_language, title, adopted,
        _slots(source, copy) if paired.matched else (),
        body(source.document), body(copy.document), paired.reason,
    )  # fmt: skip


def _human_post(context: Context, target_path: str) -> Post | None:
    """The pair whose target is this page, when the page is there and translator did not write it."""
    if context.memory.post_for_target(target_path) is not None:
        return None
    try:
        plan = plan_site(scan_site(context.config))
    except TranslatorError:
        return None
    recorded = context.memory.post_hashes()
    return next(
        (
            p
            for p in plan.posts
            if p.target_key == target_path
            and p.counterpart
            and (p.source_key, p.target_language) not in recorded
        ),
        None,
    )


def _slots(source: Page, copy: Page) -> tuple[HumanSlot, ...]:
    """Fields paired by key, then segments in order (the shapes match: same count)."""
    copy_fields = {f.key: f.value for f in copy.fields}
    slots = [
        HumanSlot(f.key, f.key, f.key, f.value, copy_fields[f.key])
        for f in source.fields
        if f.key in copy_fields
    ]
    source_lines = slot_labels(source)[len(source.fields) :]
    copy_lines = slot_labels(copy)[len(copy.fields) :]
    slots += [
        HumanSlot(mine, mine, theirs, s.source, c.source)
        for mine, theirs, s, c in zip(
            source_lines, copy_lines, source.segments, copy.segments, strict=True
        )
    ]
    return tuple(slots)
