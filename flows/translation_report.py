"""The run's report, as an operator reads it: errors first, then what needs a person, then counts.

Pure functions from a run's outcome to Markdown and to table rows; the flow
publishes them as Prefect artifacts for every outcome, failures included.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from translator import pipeline
from translator.review import status as review

__all__ = ("LIST_LIMIT", "Outcome", "report_markdown", "table_rows")

LIST_LIMIT = 20
"""Items shown per list; the rest is counted (`translator status` lists everything)."""

RunState = Literal["Completed", "Failed", "Skipped"]
ORDER = {"failed": 0, "skipped": 1, "written": 2, "unchanged": 3}
STATUS_ORDER = {"error": 0, "conflict": 1, "machine": 2}


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a run ended and what it did, as far as it got."""

    state: RunState
    """The flow run's final state."""
    message: str
    """One line: why it failed or was skipped, or what it did."""
    site: str
    """Absolute site root."""
    summary: pipeline.RunSummary | None = None
    """What the run did; None when it stopped before reading the site."""
    waiting: tuple[review.CopyStatus, ...] = ()
    """Copies an editor still has to look at (machine, conflict)."""


def report_markdown(outcome: Outcome) -> str:
    """The report: state, errors, conflicts and review, compact counts, orphans."""
    lines = [f"# Translation run: {outcome.state}", "", f"`{outcome.site}` — {outcome.message}"]
    summary = outcome.summary
    if summary is not None:
        lines += _section("Errors", [f"`{e['path']}`: {e['reason']}" for e in summary.errors])
    conflicts = [s for s in outcome.waiting if s.state == "conflict"]
    machine = [s for s in outcome.waiting if s.state != "conflict"]
    lines += _section("Conflicts", [_waiting(s) for s in conflicts])
    lines += _section("Waiting for review", [_waiting(s) for s in machine])
    if summary is not None:
        lines += _counts(summary)
        lines += _section(
            "Orphans", [f"`{o['source']}` ({o['language']})" for o in summary.orphans]
        )
    return "\n".join(lines) + "\n"


def _waiting(status: review.CopyStatus) -> str:
    return f"`{status.target}` ({status.language}): {status.state}, {status.detail}"


def _section(title: str, items: Sequence[str]) -> list[str]:
    if not items:
        return []
    shown = [f"- {item}" for item in items[:LIST_LIMIT]]
    if len(items) > LIST_LIMIT:
        shown.append(f"- … and {len(items) - LIST_LIMIT} more (`translator status` lists all)")
    return ["", f"## {title} ({len(items)})", "", *shown]


def _counts(summary: pipeline.RunSummary) -> list[str]:
    """One row per language: copies written (by status), unchanged, failed."""
    rows = ["", "## Counts", "", "| Language | Written | Unchanged | Failed |", "|---|---|---|---|"]
    for language in sorted({r.language for r in summary.results}):
        results = [r for r in summary.results if r.language == language]
        actions = Counter(r.action for r in results)
        statuses = Counter(r.status for r in results if r.action == "written")
        detail = ", ".join(f"{s} {n}" for s, n in sorted(statuses.items()))
        written = f"{actions['written']} ({detail})" if detail else "0"
        failed = actions["failed"] + actions["skipped"]
        rows.append(f"| {language} | {written} | {actions['unchanged']} | {failed} |")
    totals = (
        f"{summary.posts} source posts ({summary.skipped_posts} copies skipped or unchanged); "
        f"segments: {summary.segments_translated} translated, "
        f"{summary.segments_from_memory} from memory; "
        f"editor edits kept: {summary.edits_kept}; conflicts: {summary.conflicts}."
    )
    return [*rows, "", totals]


def table_rows(summary: pipeline.RunSummary) -> list[dict[str, Any]]:
    """One row per copy the run touched, failures first; what matters in the first columns."""
    results = sorted(
        summary.results,
        key=lambda r: (ORDER.get(r.action, 9), STATUS_ORDER.get(r.status, 9), r.target),
    )
    return [
        {
            "action": r.action,
            "status": r.status,
            "copy": r.target,
            "reason": r.reason,
            "language": r.language,
            "source": r.source,
        }
        for r in results
    ]
