"""The side-by-side review page: one static HTML file, no server, no script, no network.

For every copy waiting for review (status machine or conflict, or any slot not
yet reviewed): the file to edit, then each slot with the source and the copy
side by side, its QA flags, in a conflict the editor's text and the machine's
new suggestion, and what changed in the source since the last approval.
"""

from __future__ import annotations

import difflib
import html
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from translator.config import SiteConfig
from translator.files import atomic_write
from translator.memory import Memory, PostRecord, SlotRecord

__all__ = ("render_review_page", "review_page_for_site", "waiting_for_review", "write_review_page")

_STYLE = """
:root { color-scheme: light; --ink: #1d232b; --muted: #56606b; --line: #d9dee4;
  --paper: #fff; --tint: #f5f7fa; --accent: #0b5cad; --flag: #8a1c00; --flag-bg: #fde9e4;
  --conflict: #6b3d00; --conflict-bg: #fff1d6; --ok-bg: #e6f4ea; }
* { box-sizing: border-box; }
body { margin: 0; font: 17px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  sans-serif; color: var(--ink); background: var(--tint); }
a { color: var(--accent); }
a:focus-visible, summary:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--paper); padding: .5rem 1rem; z-index: 1; }
header.page, main { max-width: 78rem; margin: 0 auto; padding: 1.5rem 1.25rem; }
header.page h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
.summary { color: var(--muted); margin: 0; }
nav.toc ol { padding-left: 1.25rem; margin: .75rem 0 0; }
article.copy { background: var(--paper); border: 1px solid var(--line); border-radius: 10px;
  margin: 1.5rem 0; padding: 1rem 1.25rem 1.25rem; }
article.copy > h2 { margin: 0; font-size: 1.3rem; }
.path { font: .9rem/1.4 ui-monospace, "SFMono-Regular", Menlo, monospace; color: var(--muted); }
.badge { display: inline-block; border-radius: 999px; padding: 0 .6rem; font-size: .8rem;
  font-weight: 600; vertical-align: middle; border: 1px solid transparent; }
.status-machine { background: #e8eefc; color: #1f3f8a; }
.status-conflict, .state-conflict { background: var(--conflict-bg); color: var(--conflict); }
.status-reviewed, .state-reviewed { background: var(--ok-bg); color: #1e5b2f; }
.state-edited { background: #efe8fc; color: #4b2a8a; }
.flag { background: var(--flag-bg); color: var(--flag); border-color: #f3b8a8; }
.slot { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.25rem;
  border-top: 1px solid var(--line); padding: .75rem 0; }
.slot > header { grid-column: 1 / -1; display: flex; gap: .5rem; flex-wrap: wrap;
  align-items: center; font-size: .9rem; color: var(--muted); }
.slot.flagged { background: linear-gradient(90deg, var(--flag-bg) 0 4px, transparent 4px); padding-left: .75rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; margin: .25rem 0; }
.lang { font-size: .75rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.suggestion { grid-column: 2; background: var(--conflict-bg); border-radius: 6px; padding: .25rem .6rem; }
.changed { grid-column: 1 / -1; background: var(--tint); border-radius: 6px; padding: .25rem .6rem; }
del { background: #ffd7d5; text-decoration: line-through; }
ins { background: #ccf0d6; text-decoration: none; }
@media (max-width: 52rem) { .slot { grid-template-columns: 1fr; } .suggestion { grid-column: 1; } }
"""


def waiting_for_review(records: Sequence[PostRecord], language: str | None) -> list[PostRecord]:
    """Copies an editor should look at: not reviewed, or with a slot not reviewed."""
    return [
        r
        for r in records
        if (language is None or r.target == language)
        and (r.status != "reviewed" or any(s.state != "reviewed" for s in r.slots))
    ]


def render_review_page(records: Sequence[PostRecord], *, source_language: str = "fr") -> str:
    """The whole HTML page for these records (only those waiting for review are shown)."""
    waiting = sorted(records, key=lambda r: (r.status != "conflict", r.target_path))
    flags = Counter(n.split(":")[0] for r in waiting for s in r.slots for n in s.notes)
    statuses = Counter(r.status for r in waiting)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    flag_summary = ", ".join(f"{n} {code}" for code, n in sorted(flags.items())) or "none"
    body = "".join(_copy(r, source_language) for r in waiting)
    toc = "".join(
        f'<li><a href="#{_anchor(r)}">{_e(r.target_path)}</a> '
        f'<span class="badge status-{r.status}">{r.status}</span></li>'
        for r in waiting
    )
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Review: {len(waiting)} copies</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        '<a class="skip" href="#copies">Skip to the copies</a>\n'
        f'<header class="page"><h1>Translations waiting for review</h1>\n'
        f'<p class="summary">{_plural(len(waiting), "copy", "copies")} ({_e(summary or "none")}); '
        f"QA flags: {_e(flag_summary)}.</p>\n"
        f'<nav class="toc" aria-label="Copies"><ol>{toc}</ol></nav></header>\n'
        f'<main id="copies">{body or "<p>Nothing waits for review.</p>"}</main>\n</body>\n</html>\n'
    )


def _copy(record: PostRecord, source_language: str) -> str:
    title = next((s.written for s in record.slots if s.label == "title"), record.target_path)
    slots = "".join(_slot(s, source_language, record.target) for s in record.slots)
    return (
        f'<article class="copy" id="{_anchor(record)}" aria-labelledby="{_anchor(record)}-h">\n'
        f'<h2 id="{_anchor(record)}-h">{_e(title)} '
        f'<span class="badge status-{record.status}">{record.status}</span></h2>\n'
        f'<p class="path">Edit <code>{_e(record.target_path)}</code> · source '
        f"<code>{_e(record.source_path)}</code> · {_e(record.engine)} {_e(record.model)}</p>\n"
        f"{slots}</article>\n"
    )


def _slot(slot: SlotRecord, source_language: str, target_language: str) -> str:
    flagged = " flagged" if slot.notes else ""
    badges = "".join(f'<span class="badge flag">{_e(note)}</span>' for note in slot.notes)
    state = f'<span class="badge state-{slot.state}">{slot.state}</span>'
    parts = [
        f'<section class="slot{flagged}" aria-label="{_e(slot.label)}">',
        f"<header><span>{_e(slot.label)}</span>{state}{badges}</header>",
        _side(source_language, slot.source),
        _side(target_language, slot.written, "editor's text" if slot.state == "conflict" else ""),
    ]
    if slot.state == "conflict" and slot.suggestion is not None:
        parts.append(
            f'<div class="suggestion"><span class="lang">new machine suggestion</span>'
            f'<p class="text" lang="{target_language}">{_e(slot.suggestion)}</p></div>'
        )
    if slot.approved_source is not None and slot.approved_source != slot.source:
        parts.append(
            f'<div class="changed"><span class="lang">source changed since approval</span>'
            f'<p class="text" lang="{source_language}">'
            f"{_diff(slot.approved_source, slot.source)}</p></div>"
        )
    parts.append("</section>\n")
    return "".join(parts)


def _side(language: str, text: str, note: str = "") -> str:
    label = f"{language} · {note}" if note else language
    return f'<div><span class="lang">{_e(label)}</span><p class="text" lang="{language}">{_e(text)}</p></div>'


def _diff(before: str, after: str) -> str:
    """Word-level difference, as <del> and <ins>."""
    old, new = re.split(r"(\s+)", before), re.split(r"(\s+)", after)
    return "".join(_diff_parts(old, new))


def _diff_parts(old: list[str], new: list[str]) -> Iterator[str]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            yield _e("".join(old[i1:i2]))
            continue
        if i2 > i1:
            yield f"<del>{_e(''.join(old[i1:i2]))}</del>"
        if j2 > j1:
            yield f"<ins>{_e(''.join(new[j1:j2]))}</ins>"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _anchor(record: PostRecord) -> str:
    return "copy-" + re.sub(r"[^A-Za-z0-9_-]+", "-", record.target_path).strip("-")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def review_page_for_site(config: SiteConfig, memory: Memory, *, language: str | None = None) -> str:
    """The review page of a site, from its memory."""
    waiting = waiting_for_review(memory.posts(), language)
    return render_review_page(waiting, source_language=config.source_language)


def write_review_page(path: Path, page: str) -> Path:
    """Write the page atomically; returns its path."""
    atomic_write(path, page)
    return path
