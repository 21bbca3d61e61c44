"""Applying translated units from an XLIFF or PO file to the copies, as an editor's edits.

Each unit is checked before anything is written: its French must be the
current French of its slot (else it was translated from a text that is gone),
and in the tagged form its inline codes must be exactly the French ones, each
once, well nested. The Markdown of a tagged unit is made by the pipeline's own
reassembly (`render_page`), as for an engine's output. What passes is written
through `editing.apply_slots`, the library's one path for an editor's change:
atomic, the memory updated, the slot `edited` (or `reviewed` when the file
says so). A refused unit changes nothing and is reported with its id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from translator.errors import TranslatorError
from translator.interchange.units import (
    code_problem,
    english_units,
    exported_hash,
    french_units,
)
from translator.markdown.page import Page, render_page, slot_texts
from translator.pipeline import Context, current_slots, read_site_page
from translator.review.editing import apply_slots, file_hash
from translator.store.files import read_post
from translator.store.memory import PostRecord

__all__ = ("ImportSummary", "Incoming", "Outcome", "apply_units")

Result = Literal["applied", "unchanged", "refused", "skipped"]


@dataclass(frozen=True, slots=True)
class Incoming:
    """One translated unit read from a file."""

    copy: str
    """The copy it belongs to, relative to the site."""
    position: int
    """The slot's index in the copy."""
    part: int
    """0 for the slot's text, 1, 2… for its titles (tagged form only)."""
    ident: str
    """How the report names it: `content/en/post.md#s3`."""
    source: str
    """The French the translator saw."""
    target: str
    """The translation."""
    kind: Literal["tagged", "markdown"]
    """`tagged` (XLIFF: words and `<gN>`/`<xN/>` codes) or `markdown` (PO)."""
    reviewed: bool = False
    """The file marks it final or reviewed."""
    fuzzy: bool = False
    """The file marks it as needing work (PO fuzzy): not applied."""
    problem: str = ""
    """Why the reader could not make sense of it (a foreign inline code…): refused."""
    exported: str = ""
    """`exported_hash` of the English the unit carried at export ('' if the file lost it)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the import did with one unit."""

    ident: str
    """The unit, as `Incoming.ident`."""
    result: Result
    """`applied`, `unchanged`, `refused` or `skipped` (fuzzy or empty)."""
    reason: str = ""
    """Why it was refused or skipped."""


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """Every unit's outcome, for the summary line and the exit code."""

    outcomes: tuple[Outcome, ...]
    """In the order of the file."""

    def count(self, result: Result) -> int:
        """How many units had this outcome."""
        return sum(1 for o in self.outcomes if o.result == result)

    @property
    def refused(self) -> tuple[Outcome, ...]:
        """The units that were not applied because they are unsafe."""
        return tuple(o for o in self.outcomes if o.result == "refused")


@dataclass(frozen=True, slots=True)
class _Copy:
    """A copy and its French, read once for all its units."""

    record: PostRecord
    french: Page
    sources: list[str]
    current: tuple[str, ...]
    ours: list[tuple[str, ...]]
    theirs: list[tuple[str, ...] | None]
    hash: str


def apply_units(context: Context, units: Sequence[Incoming]) -> ImportSummary:
    """Check every unit and apply those that pass, one write per copy."""
    by_copy: dict[str, list[Incoming]] = {}
    for unit in units:
        by_copy.setdefault(unit.copy, []).append(unit)
    outcomes: dict[str, Outcome] = {}
    for copy, found in by_copy.items():
        try:
            outcomes.update(_apply_copy(context, _open(context, copy), found))
        except (OSError, TranslatorError) as error:
            reason = error.message if isinstance(error, TranslatorError) else str(error)
            outcomes.update((u.ident, Outcome(u.ident, "refused", reason)) for u in found)
    return ImportSummary(tuple(outcomes[u.ident] for u in units))


def _open(context: Context, copy: str) -> _Copy:
    record = context.memory.post_for_target(copy)
    if record is None:
        raise TranslatorError("translator wrote no copy here", path=copy)
    root = context.config.root
    text = read_post(root / record.target_path)
    current = current_slots(context, record, text, root / record.target_path)
    french = read_site_page(context, read_post(root / record.source_path))
    sources = slot_texts(french)
    if len(sources) != len(record.slots):
        raise TranslatorError(
            "the French post gained or lost blocks since the copy was written; "
            "run `translator run`, then export again",
            path=copy,
        )
    english = read_site_page(context, text)
    theirs = english_units(french, english)
    return _Copy(
        record, french, sources, current, french_units(french), theirs, file_hash(root / copy)
    )


def _problem(copy: _Copy, unit: Incoming) -> str | None:
    """Why a unit cannot be applied to its slot, or None."""
    if unit.problem:
        return unit.problem
    if not 0 <= unit.position < len(copy.sources) or unit.part >= len(copy.ours[unit.position]):
        return "no such slot in the copy"
    if copy.sources[unit.position] != copy.record.slots[unit.position].source:
        return "the French changed since the copy was written; run `translator run`, export again"
    if unit.kind == "markdown":
        if unit.source != copy.sources[unit.position]:
            return "the French changed since the file was exported"
        return None
    if unit.source != copy.ours[unit.position][unit.part]:
        return "the French changed since the file was exported"
    return code_problem(unit.source, unit.target)


def _apply_copy(context: Context, copy: _Copy, units: Sequence[Incoming]) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}
    good: list[Incoming] = []
    for unit in units:
        problem = _problem(copy, unit)
        if problem is not None:
            outcomes[unit.ident] = Outcome(unit.ident, "refused", problem)
        elif _same_as_copy(copy, unit) or _untouched(unit):
            outcomes[unit.ident] = Outcome(unit.ident, "unchanged")
        elif unit.exported and exported_hash(_copy_form(copy, unit)) != unit.exported:
            outcomes[unit.ident] = Outcome(unit.ident, "refused", _BOTH_CHANGED)
        elif unit.fuzzy or not unit.target:
            why = "fuzzy: not applied" if unit.target else "not translated"
            outcomes[unit.ident] = Outcome(unit.ident, "skipped", why)
        else:
            good.append(unit)
    texts, broken = _markdown_texts(context, copy, good)
    for unit in good:
        if unit.position in broken:
            outcomes[unit.ident] = Outcome(unit.ident, "refused", broken[unit.position])
    texts = {p: t for p, t in texts.items() if p not in broken}
    reviewed = {
        u.position
        for u in good
        if u.reviewed and u.position in texts and copy.record.slots[u.position].state != "reviewed"
    }
    changed = {p: t for p, t in texts.items() if t != copy.current[p]}
    failed = _write(context, copy, changed, reviewed)
    for unit in good:
        if unit.ident in outcomes:
            continue
        if unit.position in failed:
            outcomes[unit.ident] = Outcome(unit.ident, "refused", failed[unit.position])
        elif unit.position in changed or unit.position in reviewed:
            outcomes[unit.ident] = Outcome(unit.ident, "applied")
        else:
            outcomes[unit.ident] = Outcome(unit.ident, "unchanged")
    return outcomes


_BOTH_CHANGED = (
    "the copy's slot changed since the export (an editor's edit?) and the file changes it "
    "too; export again and redo this unit"
)


def _untouched(unit: Incoming) -> bool:
    """The translator left the unit as exported (and asks for no review): nothing to apply."""
    return bool(unit.exported) and not unit.reviewed and exported_hash(unit.target) == unit.exported


def _copy_form(copy: _Copy, unit: Incoming) -> str:
    """What the copy holds for the unit now, in the file's form (Markdown, or tagged text)."""
    if unit.kind == "markdown":
        return copy.current[unit.position]
    theirs = copy.theirs[unit.position]
    return "" if theirs is None else theirs[unit.part]


def _same_as_copy(copy: _Copy, unit: Incoming) -> bool:
    """The file holds what the copy holds (and asks for no review): nothing to do."""
    if unit.reviewed:
        return False
    if unit.kind == "markdown":
        return unit.target == copy.current[unit.position]
    theirs = copy.theirs[unit.position]
    return theirs is not None and unit.target == theirs[unit.part]


def _markdown_texts(
    context: Context, copy: _Copy, units: Sequence[Incoming]
) -> tuple[dict[int, str], dict[int, str]]:
    """The Markdown each slot gets, and the slots whose translation breaks the markup."""
    texts: dict[int, str] = {}
    parts: dict[int, list[str]] = {}
    for unit in units:
        if unit.kind == "markdown":
            texts[unit.position] = unit.target
            continue
        slot = parts.setdefault(
            unit.position, list(copy.theirs[unit.position] or copy.ours[unit.position])
        )
        slot[unit.part] = unit.target
    # Units the translator left as the copy has them keep the copy's own Markdown.
    for position, slot in list(parts.items()):
        if tuple(slot) == copy.theirs[position]:
            texts[position] = copy.current[position]
            del parts[position]
    if not parts:
        return texts, {}
    flat = [u for n, ours in enumerate(copy.ours) for u in parts.get(n, ours)]
    target = copy.record.target
    fixed = context.config.glossary.fixed_for(target, context.config.engine_code(target))
    reports = render_page(context.md, copy.french, flat, fixed=fixed).reports
    broken: dict[int, str] = {}
    for position in parts:
        report = reports[position]
        if report.outcome == "kept_source":
            broken[position] = "the translation breaks the markup: " + "; ".join(report.notes)
        else:
            texts[position] = report.result
    return texts, broken


def _write(
    context: Context, copy: _Copy, texts: dict[int, str], reviewed: set[int]
) -> dict[int, str]:
    """Apply in one write; if the edit is refused, slot by slot to find the culprits."""
    if not texts and not reviewed:
        return {}
    target = copy.record.target_path
    try:
        apply_slots(context, target, texts, reviewed=reviewed, expected_hash=copy.hash)
        return {}
    except TranslatorError:
        pass
    failed: dict[int, str] = {}
    for position in sorted({*texts, *reviewed}):
        one = {position: texts[position]} if position in texts else {}
        marks = {position} & reviewed
        path = context.config.root / target
        try:
            apply_slots(context, target, one, reviewed=marks, expected_hash=file_hash(path))
        except TranslatorError as error:
            failed[position] = error.message
    return failed
