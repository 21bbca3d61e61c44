"""What editors use: the status of every copy, and approving a reviewed copy.

Status of a (post, language) pair, in the order they are checked:
- `error`: the source cannot be placed (a collision, a target taken);
- `missing`: no copy yet (or it was deleted);
- `human`: the paired page exists and translator did not write it (adopted
  or not): never touched;
- `outdated`: the source changed since the copy was written;
- `machine`, `reviewed`, `conflict`: the copy's own status; `edited` is added
  when an editor changed the file since translator last wrote it;
- `orphan`: a copy whose source is gone (never deleted).
Besides: `excluded` (translator.toml's `exclude`), `skipped` (a page format
translator does not translate), `unpaired` (a target-language page no source
pairs with), `not a target` (a page of a language Hugo builds that is not a target).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from translator.errors import ApprovalRefusedError, HumanCopyError, TranslatorError
from translator.hugo.config import SiteConfig
from translator.hugo.pairing import plan_site
from translator.hugo.site import CONTENT_ADAPTER, Post, SitePage, find_orphans, scan_site
from translator.markdown.document import read_values, set_values
from translator.pipeline import (
    Context,
    copy_block_map,
    current_slots,
    read_site_page,
    save_copy,
    sha256,
)
from translator.store.approval import field_lines, refusals, slot_lines
from translator.store.files import read_post, read_post_bytes
from translator.store.memory import Memory, PostRecord, PostSummary, SlotRecord
from translator.store.merge import post_status
from translator.store.provenance import engine_counts

__all__ = ("Approval", "CopyStatus", "approve", "copy_statuses", "slots_at")


@dataclass(frozen=True, slots=True)
class CopyStatus:
    """One row of `translator status`."""

    source: str
    """Source path relative to the site."""
    language: str
    """Target language."""
    target: str
    """Copy path relative to the site ('' when unknown)."""
    state: str
    """missing, outdated, machine, reviewed, conflict, orphan or error."""
    edited: bool = False
    """An editor changed the copy since translator wrote it."""
    detail: str = ""
    """Why, for errors; the number of slots waiting, otherwise."""
    engines: str = ""
    """Machine text per engine among the slots, `pseudo 3/12`."""
    published: bool = False
    """The copy is live (`draft: false`)."""
    approval: str = ""
    """How it was last approved (`forced on …: reasons` when the guard was overridden)."""
    retired: tuple[dict[str, str], ...] = ()
    """Editors' and reviewed texts whose source paragraph was deleted: `id` (for `translator
    retired restore`), `label`, `source`, `text`."""
    date: str = ""
    """The page's front matter `date`, else `lastmod`, else its file's modification time
    (ISO 8601): the copy's page, or the source's when there is no copy ('' for neither)."""
    title: str = ""
    """The page's `title` as its file has it now ('' when none)."""
    slots: int = 0
    """Slots of a copy translator wrote."""
    open_slots: int = 0
    """Those not reviewed yet."""
    notes: tuple[str, ...] = ()
    """QA flags (`kind: message`) on the slots not reviewed yet."""

    @property
    def blocking(self) -> bool:
        """CI should stop: a conflict, an error, or a live copy behind its source."""
        return self.state in ("conflict", "error") or (self.state == "outdated" and self.published)


def copy_statuses(config: SiteConfig, memory: Memory) -> list[CopyStatus]:
    """Every page of every target language: each source's copy, human copies, unpaired pages."""
    # Summaries, not whole records: the workbench's index lists 1,000 copies with this.
    records = {(r.source_path, r.target): r for r in memory.post_summaries()}
    adopted = memory.human_copies()
    site = scan_site(config)
    plan = plan_site(site)
    retired = memory.retired_posts()
    rows = [_status(config, records, adopted, plan.digests[p.source_key], p) for p in plan.posts]
    rows = [_with_retired(memory, r) if (r.source, r.language) in retired else r for r in rows]
    rows += [CopyStatus(path, "", "", "error", detail=reason) for path, reason in plan.errors]
    rows += [CopyStatus(path, "", "", "error", detail=str(why)) for path, why in plan.failures]
    rows += [CopyStatus(k, t, "", "excluded", detail="exclude") for k in plan.excluded
             for t in config.targets]  # fmt: skip
    rows += [CopyStatus(p.key, p.language, "", "skipped", detail=_skipped(p))
             for p in site.in_language(config.source_language) if p.kind != "markdown"]  # fmt: skip
    paired = {post.target_key for post in plan.posts}
    for language in config.targets:
        rows += [CopyStatus("", language, p.key, "unpaired", detail=f"no {config.source_language} "
                            "source pairs with it") for p in site.in_language(language)
                 if p.key not in paired and p.kind != CONTENT_ADAPTER]  # fmt: skip
    others = [k for k, lang in config.languages.items() if lang.enabled
              and k != config.source_language and k not in config.targets]  # fmt: skip
    for language in others:
        rows += [CopyStatus("", language, p.key, "not a target", detail="not in targets")
                 for p in site.in_language(language) if p.kind != CONTENT_ADAPTER]  # fmt: skip
    for key in find_orphans(config, records):
        target = records[key].target_path
        rows.append(CopyStatus(*key, target, "orphan", detail="source is gone"))
    return rows


def _skipped(page: SitePage) -> str:
    if page.kind == CONTENT_ADAPTER:
        return "content adapter: the pages it generates are not translated"
    return f"{page.kind}: not translated"


def _status(
    config: SiteConfig,
    records: dict[tuple[str, str], PostSummary],
    adopted: dict[tuple[str, str], int | None],
    source_hash: str,
    post: Post,
) -> CopyStatus:
    record = records.get((post.source_key, post.target_language))
    key = (post.source_key, post.target_language, post.target_key)
    try:
        copy = _copy_bytes(config, post.target)
    except (OSError, TranslatorError) as error:
        return CopyStatus(*key, "error", detail=str(error))
    if copy is None:
        return CopyStatus(*key, "missing", date=_date(_source_values(config, post), post.source))
    values = _values(copy)
    date, title = _date(values, post.target), _title(values)
    if record is None:
        segments = adopted.get((post.source_key, post.target_language), -1)
        detail = {-1: "not adopted", None: "adopted, structure differs: no segments"}.get(
            segments, f"adopted: {segments} segments in the memory"
        )
        return CopyStatus(*key, "human", detail=detail, date=date, title=title)
    edited = hashlib.sha256(copy).hexdigest() != record.written_hash
    state = "outdated" if source_hash != record.source_hash else record.status
    detail = f"{record.open_slots} of {record.slots} to review"
    detail += f", {len(record.open_notes)} QA flags" if record.open_notes else ""
    detail += ", approval forced" if record.approval.startswith("forced") else ""
    mix = engine_counts(record.machine_engines, record.slots)
    return CopyStatus(
        *key, state, edited, detail, mix, values.get("draft") is False, record.approval,
        date=date, title=title, slots=record.slots, open_slots=record.open_slots,
        notes=record.open_notes,
    )  # fmt: skip


_READ = frozenset({"draft", "date", "lastmod", "title"})
"""The front matter values a status needs."""


def _values(data: bytes) -> Mapping[str, Any]:
    """A page's front matter values; {} when it has none or they cannot be read."""
    try:
        return read_values(data.decode("utf-8"), only=_READ)
    except (UnicodeDecodeError, TranslatorError):
        return {}


def _source_values(config: SiteConfig, post: Post) -> Mapping[str, Any]:
    try:
        return _values(read_post_bytes(post.source, limit=config.max_post_bytes))
    except (OSError, TranslatorError):
        return {}


def _date(values: Mapping[str, Any], path: Path) -> str:
    """Front matter `date`, else `lastmod` (as Hugo dates a page), else the file's mtime."""
    for name in ("date", "lastmod"):
        found = _iso(values.get(name))
        if found:
            return found
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return ""
    return dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat(timespec="seconds")


def _iso(value: object) -> str:
    """A YAML/TOML date or datetime, or a string in ISO 8601, as ISO 8601 ('' otherwise)."""
    if isinstance(value, dt.date):  # datetime too
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return ""
    return ""


def _title(values: Mapping[str, Any]) -> str:
    title = values.get("title")
    return title if isinstance(title, str) else ""


def _copy_bytes(config: SiteConfig, target: Path) -> bytes | None:
    """The copy's bytes, checked like a post's (never a FIFO opened); None if there is none."""
    if not target.exists() and not target.is_symlink():
        return None
    return read_post_bytes(target, limit=config.max_post_bytes)


def _with_retired(memory: Memory, row: CopyStatus) -> CopyStatus:
    found = memory.retired_texts(row.source) if row.target else []
    listed = tuple(
        {"id": str(r.ident), "label": r.label, "source": r.source, "text": r.text}
        for r in found
        if r.target == row.language
    )
    return replace(row, retired=listed) if listed else row


def approve(
    context: Context,
    paths: Sequence[Path],
    *,
    force: bool = False,
    lines: Sequence[int] = (),
) -> list[Approval]:
    """Mark copies (or the slots at the copy's `lines`) reviewed as they are now.

    Refused with `ApprovalRefusedError` (every reason, with its line) when the
    guard finds something (see `translator.store.approval`); `force` approves anyway
    and records it in the memory and the copy's `translation.approval`.
    """
    approved: list[Approval] = []
    for record, target in _records_for(context, paths):
        text = read_post(target)
        current = current_slots(context, record, text, target)
        chosen = _chosen(context, record, text, current, lines)
        source_changed = _source_hash(context.config.root / record.source_path) != (
            record.source_hash
        )
        reasons = refusals(
            text,
            [record.slots[n] for n in chosen],
            [current[n] for n in chosen],
            source_changed=source_changed,
        )
        if reasons and not force:
            raise ApprovalRefusedError(
                f"not approved: {len(reasons)} problem(s): " + "; ".join(reasons),
                path=record.target_path,
                reasons=reasons,
            )
        _save_approval(context, record, target, text, current, chosen, reasons)
        approved.append(Approval(record.target_path, reasons, len(chosen)))
    return approved


@dataclass(frozen=True, slots=True)
class Approval:
    """One approved copy."""

    target: str
    """The copy's path relative to the site."""
    forced: tuple[str, ...]
    """The guard's reasons overridden with --force (empty when it had none)."""
    slots: int
    """Slots approved."""


def _chosen(
    context: Context, record: PostRecord, text: str, current: Sequence[str], lines: Sequence[int]
) -> list[int]:
    """Indexes of the slots to approve: all of them, or those spanning one of `lines`."""
    if not lines:
        return list(range(len(record.slots)))
    return slots_at(context, record, text, current, lines)


def slots_at(
    context: Context, record: PostRecord, text: str, current: Sequence[str], lines: Sequence[int]
) -> list[int]:
    """Indexes of the slots of the copy `text` spanning one of `lines`: body segments, and
    front matter values (`title`…) at their line. `TranslatorError` when there is none."""
    fields = field_lines(text, read_site_page(context, text).document.fields)
    chosen = [
        n
        for n, (slot, now) in enumerate(zip(record.slots, current, strict=True))
        if any(line in slot_lines(text, slot, now, fields) for line in lines)
    ]
    if not chosen:
        raise TranslatorError(
            f"no translated segment at line {', '.join(map(str, lines))}",
            path=record.target_path,
            hint="give the line of a translated front matter value, paragraph, heading or list "
            "item of the copy",
        )
    return chosen


def _save_approval(
    context: Context,
    record: PostRecord,
    target: Path,
    text: str,
    current: Sequence[str],
    chosen: Sequence[int],
    forced: Sequence[str],
) -> None:
    picked = set(chosen)
    slots = tuple(
        _approved(slot, now) if n in picked else replace(slot, written=now)
        for n, (slot, now) in enumerate(zip(record.slots, current, strict=True))
    )
    status = post_status(slots)
    values = read_values(text)
    stamp = dict(values.get("translation") or {})
    stamp["status"] = status
    approval = f"forced on {context.today}: {'; '.join(forced)}" if forced else ""
    if forced:
        stamp["approval"] = "forced"
    else:
        stamp.pop("approval", None)
    updates: dict[str, object] = {"translation": stamp}
    if context.config.review.publish_on_approve and status == "reviewed":
        updates["draft"] = False
    new_text = set_values(text, updates)
    save_copy(
        context,
        target,
        replace(
            record,
            slots=slots,
            status=status,
            written_text=new_text,
            written_hash=sha256(new_text),
            approval=approval or (record.approval if len(chosen) < len(slots) else ""),
            blocks=copy_block_map(context, record, text, target),
        ),
    )


def _source_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _approved(slot: SlotRecord, text: str) -> SlotRecord:
    return replace(
        slot, written=text, state="reviewed", suggestion=None, approved_source=slot.source
    )


def _records_for(context: Context, paths: Sequence[Path]) -> Iterator[tuple[PostRecord, Path]]:
    root = context.config.root
    by_target = {r.target_path: r for r in context.memory.posts()}
    for path in paths:
        key = _site_key(root, path)
        if key in by_target:
            yield by_target[key], root / key
            continue
        found = [r for r in by_target.values() if r.source_path == key]
        if not found:
            _refuse_human_copy(context, key)
            raise TranslatorError(
                "no copy written by translator for this path",
                path=path,
                hint="give a copy translator wrote, or its source; `translator status` lists them",
            )
        for record in found:
            yield record, root / record.target_path


def _refuse_human_copy(context: Context, key: str) -> None:
    """`HumanCopyError` when `key` is a human copy (or the source of one): not ours to approve."""
    recorded = context.memory.post_hashes()
    for post in plan_site(scan_site(context.config)).posts:
        ours = (post.source_key, post.target_language) in recorded
        if post.counterpart and not ours and key in (post.target_key, post.source_key):
            raise HumanCopyError(
                f"{post.target_key} is a human copy: translator did not write it and never "
                "changes it, so approving it is the site's own business (its review and its "
                "`draft` flag are yours)",
                path=key,
                hint=f"to have translator take it over: `translator adopt {post.target_key}` "
                "keeps its text as reviewed segments, then move the file away and run "
                "`translator run`",
            )


def _site_key(root: Path, path: Path) -> str:
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError as error:
        raise TranslatorError("path is outside the site", path=path) from error
