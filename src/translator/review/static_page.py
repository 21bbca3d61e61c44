"""The side-by-side review page: one static HTML file, no server, no script, no network.

For every copy waiting for review (status machine or conflict, or a slot not
yet reviewed): its title, the file to edit, then each slot with the source and
the copy side by side, its QA flags, in a conflict the editor's text and the
machine's new suggestion, and what changed in the source since the last
approval. Rendering is pure; `review_page_for_site` gathers the inputs.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from translator.errors import TranslatorError
from translator.hugo.config import SiteConfig
from translator.store.files import atomic_write, read_post
from translator.store.memory import Memory, PostRecord, SlotRecord

__all__ = (
    "render_review_page",
    "review_page_for_site",
    "waiting_for_review",
    "word_diff",
    "write_review_page",
)

LANGUAGE_NAMES: Mapping[str, str] = MappingProxyType(
    {"fr": "French", "en": "English", "de": "German", "es": "Spanish", "it": "Italian"}
)
"""Names shown in column headings; other languages show their code."""


def _theme() -> str:
    """The colours and basics the workbench uses too (static/theme.css), for a self-contained page."""
    return (resources.files("translator.review") / "static" / "theme.css").read_text(
        encoding="utf-8"
    )


_STYLE = """
html { scroll-padding-top: 1rem; }
body { margin: 0; color: var(--ink); background: var(--page);
  font: 17px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Ubuntu, sans-serif; }
a { color: var(--accent); text-underline-offset: .15em; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 3px; }
code, .path { font-family: var(--mono); font-size: .88em; }
.skip { position: absolute; left: 1rem; top: -4rem; background: var(--paper); color: var(--ink);
  padding: .5rem 1rem; border: 2px solid var(--accent); border-radius: 6px; z-index: 2; }
.skip:focus { top: 1rem; }
.wrap { max-width: 84rem; margin: 0 auto; padding: 1.5rem clamp(.75rem, 3vw, 2rem); }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; line-height: 1.3; margin: 0; }
h3 { font-size: 1rem; margin: 0; display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.lede { color: var(--muted); margin: 0 0 1.25rem; }
.stats { display: flex; flex-wrap: wrap; gap: .75rem; margin: 0 0 1rem; padding: 0; }
.stats div { background: var(--paper); border: 1px solid var(--line); border-radius: 10px;
  padding: .5rem 1rem; min-width: 7.5rem; }
.stats dt { font-size: .8rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.stats dd { margin: 0; font-size: 1.5rem; font-weight: 650; }
.flag-summary { display: flex; flex-wrap: wrap; gap: .4rem 1.25rem; list-style: none;
  margin: 0 0 1.25rem; padding: 0; }
.panel { background: var(--paper); border: 1px solid var(--line); border-radius: 12px;
  padding: 1rem 1.25rem; margin: 0 0 1.5rem; }
.toc ol { margin: .5rem 0 0; padding-left: 1.4rem; }
.toc li { margin: .35rem 0; }
.toc ul { margin: .2rem 0 .4rem; padding-left: 1rem; font-size: .92rem; list-style: "→ "; }
.badge { display: inline-block; border-radius: 999px; padding: .05rem .6rem; font-size: .78rem;
  font-weight: 650; line-height: 1.5; border: 1px solid currentColor; white-space: nowrap; }
.st-machine { color: var(--info); background: var(--info-bg); }
.st-conflict, .st-outdated, .st-missing { color: var(--warn); background: var(--warn-bg); }
.st-reviewed { color: var(--ok); background: var(--ok-bg); }
.st-edited { color: var(--muted); background: var(--page); }
.flag-code { color: var(--flag); background: var(--flag-bg); border-color: var(--flag-line);
  font-family: var(--mono); }
article.copy { background: var(--paper); border: 1px solid var(--line); border-radius: 12px;
  margin: 0 0 2rem; padding: 1.25rem clamp(.75rem, 2.5vw, 1.75rem); }
.copy-head { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: baseline; }
.copy-head h2 { flex: 0 1 auto; }
.original { margin: .15rem 0 .5rem; color: var(--muted); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .5rem 0 1rem;
  font-size: .92rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.notice { background: var(--warn-bg); color: var(--warn); border-radius: 8px; padding: .5rem .9rem; }
.slot { border-top: 1px solid var(--line); padding: 1rem 0 .5rem; }
.slot.flagged, .slot.st-conflict-slot { border-left: 4px solid var(--flag-line);
  padding-left: .9rem; margin-left: -1rem; }
.slot.st-conflict-slot { border-left-color: var(--warn); }
.flags { list-style: none; margin: .5rem 0 0; padding: 0; display: flex; flex-direction: column;
  gap: .3rem; }
.flags li { display: flex; gap: .5rem; align-items: baseline; color: var(--flag); font-size: .95rem; }
.pair { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .75rem 1.5rem;
  margin-top: .6rem; }
.side { min-width: 0; }
.side-label { margin: 0; font-size: .78rem; font-weight: 650; color: var(--muted);
  text-transform: uppercase; letter-spacing: .05em; }
.text { margin: .2rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.box { border-radius: 8px; padding: .4rem .75rem; background: var(--page); margin-top: .6rem; }
.box.suggestion { background: var(--warn-bg); }
del { background: var(--del); text-decoration: line-through; text-decoration-thickness: 1px; }
ins { background: var(--ins); text-decoration: underline; text-decoration-style: dotted; }
details { margin: .75rem 0 0; }
summary { cursor: pointer; color: var(--accent); }
.approve { margin: 1rem 0 0; font-size: .92rem; color: var(--muted); }
.top { font-size: .9rem; }
.empty { font-size: 1.1rem; }
@media (max-width: 56rem) { .pair { grid-template-columns: minmax(0, 1fr); }
  .slot.flagged, .slot.st-conflict-slot { margin-left: 0; } }
"""

# Words, runs of space and single punctuation marks: "paragraphe" -> "paragraphe, revu"
# then shows only ", revu" as inserted.
_DIFF_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_NOTHING = '<p class="empty panel">Nothing waits for review.</p>\n'


def waiting_for_review(records: Sequence[PostRecord], language: str | None) -> list[PostRecord]:
    """Copies an editor should look at, conflicts first: not reviewed, or a slot not reviewed."""
    waiting = [
        r
        for r in records
        if (language is None or r.target == language)
        and (r.status != "reviewed" or any(s.state != "reviewed" for s in r.slots))
    ]
    return sorted(waiting, key=lambda r: (r.status != "conflict", r.target_path))


def render_review_page(
    records: Sequence[PostRecord],
    *,
    site_root: Path,
    language: str | None,
    source_texts: Mapping[str, str] | None = None,
    source_language: str = "fr",
    retired: Mapping[str, Sequence[tuple[str, str, str]]] | None = None,
) -> str:
    """The whole page; `source_texts` (source path -> current text) marks outdated copies.

    `retired` (copy path -> (label, source, text)) lists editors' texts whose source
    paragraph was deleted, under their copy.
    """
    waiting = waiting_for_review(records, language)
    ids = {r.target_path: f"copy-{n}-{_slug(r.target_path)}" for n, r in enumerate(waiting, 1)}
    states = {r.target_path: _copy_state(r, source_texts) for r in waiting}
    where = LANGUAGE_NAMES.get(language, language) if language else "all languages"
    copies = "".join(
        _copy(r, ids[r.target_path], states[r.target_path], source_language, site_root)
        + _retired((retired or {}).get(r.target_path, ()), r.target)
        for r in waiting
    )
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Review: {_count(len(waiting), 'copy', 'copies')} waiting</title>\n"
        f"<style>\n{_theme()}{_STYLE}</style>\n</head>\n<body>\n"
        '<a class="skip" href="#copies">Skip to the copies</a>\n'
        '<div class="wrap">\n<header id="top">\n<h1>Translations waiting for review</h1>\n'
        f'<p class="lede">{_e(where.capitalize())} · site <code>{_e(str(site_root))}</code></p>\n'
        f"{_summary(waiting, states)}{_toc(waiting, ids, states)}</header>\n"
        f'<main id="copies" tabindex="-1">\n{copies or _NOTHING}</main>\n'
        "</div>\n</body>\n</html>\n"
    )


def _copy_state(record: PostRecord, source_texts: Mapping[str, str] | None) -> str:
    """The copy's status, or `outdated`/`missing` when the source on disk says so."""
    if source_texts is None:
        return record.status
    if record.source_path not in source_texts:
        return "missing"
    current = hashlib.sha256(source_texts[record.source_path].encode("utf-8")).hexdigest()
    return "outdated" if current != record.source_hash else record.status


def _summary(waiting: Sequence[PostRecord], states: Mapping[str, str]) -> str:
    statuses = Counter(states[r.target_path] for r in waiting)
    slots = [s for r in waiting for s in r.slots if s.state != "reviewed"]
    flags = Counter(_split_flag(note)[0] for s in slots for note in s.notes)
    stats = [("Copies", len(waiting)), *sorted(statuses.items())]
    stats += [("Slots to review", len(slots)), ("QA flags", flags.total())]
    cells = "".join(f"<div><dt>{_e(name)}</dt><dd>{n}</dd></div>" for name, n in stats)
    by_code = " ".join(
        f'<li><span class="badge flag-code">{_e(code)}</span> {n}</li>'
        for code, n in sorted(flags.items())
    )
    flag_list = f'<ul class="flag-summary" aria-label="QA flags by kind">{by_code}</ul>\n'
    return (
        '<section aria-labelledby="summary-h">\n<h2 id="summary-h" class="visually-hidden">'
        f'Summary</h2>\n<dl class="stats">{cells}</dl>\n{flag_list if flags else ""}</section>\n'
    )


def _toc(waiting: Sequence[PostRecord], ids: Mapping[str, str], states: Mapping[str, str]) -> str:
    if not waiting:
        return ""
    items = "".join(_toc_item(r, ids[r.target_path], states[r.target_path]) for r in waiting)
    return (
        '<nav class="toc panel" aria-labelledby="toc-h">\n<h2 id="toc-h">Copies</h2>\n'
        f"<ol>{items}</ol>\n</nav>\n"
    )


def _toc_item(record: PostRecord, anchor: str, state: str) -> str:
    # The slots that need an eye most get their own link under the copy.
    marked = [(n, s) for n, s in enumerate(record.slots) if s.state != "reviewed" and _needs_eye(s)]
    links = "".join(
        f'<li><a href="#{anchor}-s{n}">{_e(s.label)}</a> {_slot_badges(s)}</li>' for n, s in marked
    )
    return (
        f'<li><a href="#{anchor}">{_e(_title(record))}</a> {_badge(state)} '
        f'<span class="path">{_e(record.target_path)}</span>'
        f"{f'<ul>{links}</ul>' if links else ''}</li>\n"
    )


def _needs_eye(slot: SlotRecord) -> bool:
    return bool(slot.notes) or slot.state in ("conflict", "outdated")


def _slot_badges(slot: SlotRecord) -> str:
    codes = dict.fromkeys(_split_flag(note)[0] for note in slot.notes)
    badges = [_badge(slot.state)] if slot.state == "conflict" else []
    badges += [f'<span class="badge flag-code">{_e(code)}</span>' for code in codes]
    return " ".join(badges)


def _copy(
    record: PostRecord, anchor: str, state: str, source_language: str, site_root: Path
) -> str:
    # Slots still to review come first; reviewed ones stay at hand, folded.
    pending = [(n, s) for n, s in enumerate(record.slots) if s.state != "reviewed"]
    done = [(n, s) for n, s in enumerate(record.slots) if s.state == "reviewed"]
    slots = "".join(_slot(s, f"{anchor}-s{n}", source_language, record.target) for n, s in pending)
    if done:
        folded = "".join(
            _slot(s, f"{anchor}-s{n}", source_language, record.target) for n, s in done
        )
        slots += (
            f"<details><summary>{_count(len(done), 'slot', 'slots')} already reviewed"
            f"</summary>{folded}</details>\n"
        )
    return (
        f'<article class="copy" id="{anchor}" aria-labelledby="{anchor}-h">\n'
        f"{_copy_head(record, anchor, state, source_language, site_root)}{slots}"
        '<p class="approve">When the copy reads well: '
        f"<code>translator approve {_e(record.target_path)}</code> · "
        '<a class="top" href="#top">Back to the list</a></p>\n</article>\n'
    )


def _copy_head(
    record: PostRecord, anchor: str, state: str, source_language: str, site_root: Path
) -> str:
    original = next((s.source for s in record.slots if s.label == "title"), "")
    subtitle = f'<p class="original" lang="{_e(source_language)}">{_e(original)}</p>\n'
    target_file = (site_root / record.target_path).absolute().as_uri()
    return (
        f'<div class="copy-head"><h2 id="{anchor}-h" lang="{_e(record.target)}">'
        f"{_e(_title(record))}</h2> {_badge(state)}</div>\n"
        f"{subtitle if original else ''}{_notice(state)}"
        f'<dl class="facts"><dt>Edit</dt><dd><a class="path" href="{_e(target_file)}">'
        f"{_e(record.target_path)}</a></dd>"
        f'<dt>Source</dt><dd class="path">{_e(record.source_path)}</dd>'
        f"<dt>Translated</dt><dd>{_e(record.engine)} {_e(record.model)} · "
        f"{_e(_when(record.updated))}</dd></dl>\n"
    )


def _retired(found: Sequence[tuple[str, str, str]], language: str) -> str:
    """Editors' texts whose source paragraph is gone: kept, shown, ready to be put back."""
    if not found:
        return ""
    items = "".join(
        f'<li><span class="path">{_e(label)}</span> <q>{_e(source)}</q> → '
        f'<span lang="{_e(language)}">{_e(text)}</span></li>'
        for label, source, text in found
    )
    count = _count(len(found), "retired text", "retired texts")
    return (
        f'<details class="retired panel"><summary>{count} (source paragraph deleted; paste'
        " back into the copy to keep, or <code>translator retired restore ID --at LINE</code>"
        " with the ID from <code>translator retired list</code>)</summary>"
        f"<ul>{items}</ul></details>\n"
    )


def _notice(state: str) -> str:
    text = {
        "outdated": "The source changed since this copy was written: "
        "run <code>translator run</code> before reviewing.",
        "missing": "The source file is gone; this copy is kept, never deleted.",
        "conflict": "The source changed under an editor's text: compare it with the new "
        "machine suggestion, keep what is right.",
    }.get(state)
    return f'<p class="notice" role="note">{text}</p>\n' if text else ""


def _slot(slot: SlotRecord, anchor: str, source_language: str, target_language: str) -> str:
    classes = "slot" + (" flagged" if slot.notes else "")
    classes += " st-conflict-slot" if slot.state == "conflict" else ""
    return (
        f'<section class="{classes}" id="{anchor}" aria-labelledby="{anchor}-h">\n'
        f'<h3 id="{anchor}-h"><span>{_e(slot.label)}</span> {_badge(slot.state)}</h3>\n'
        f"{_flags(slot)}"
        f'<div class="pair">{_source_side(slot, source_language)}'
        f"{_target_side(slot, target_language)}</div>\n</section>\n"
    )


def _flags(slot: SlotRecord) -> str:
    if not slot.notes:
        return ""
    # An editor's text may already fix what the machine got wrong: say what was checked.
    on = " on the machine translation" if slot.state in ("edited", "conflict") else ""
    items = "".join(
        f'<li><span class="badge flag-code">{_e(code)}</span><span>{_e(message)}</span></li>'
        for code, message in (_split_flag(note) for note in slot.notes)
    )
    return f'<ul class="flags" aria-label="QA flags{on}">{items}</ul>\n'


def _source_side(slot: SlotRecord, language: str) -> str:
    name = _e(LANGUAGE_NAMES.get(language, language))
    side = _text_block(f"{name} · source", language, _e(slot.source))
    if slot.approved_source is not None and slot.approved_source != slot.source:
        diff = _diff(slot.approved_source, slot.source)
        side += _text_block("Changed since the last approval", language, diff, "box")
    return f'<div class="side">{side}</div>'


def _target_side(slot: SlotRecord, language: str) -> str:
    name = _e(LANGUAGE_NAMES.get(language, language))
    label = {
        "machine": "machine translation",
        "edited": "editor's text",
        "conflict": "editor's text, in the file",
        "outdated": "reviewed text, live on the site",
    }.get(slot.state, slot.state)
    side = _text_block(f"{name} · {_e(label)}", language, _e(slot.written))
    if slot.state in ("conflict", "outdated") and slot.suggestion is not None:
        suggestion = _e(slot.suggestion)
        side += _text_block("New machine suggestion", language, suggestion, "box suggestion")
    if slot.state == "edited" and slot.machine != slot.written:
        side += (
            "<details><summary>What the machine wrote</summary>"
            f'<p class="text" lang="{_e(language)}">{_e(slot.machine)}</p></details>'
        )
    return f'<div class="side">{side}</div>'


def _text_block(label: str, language: str, body: str, box: str = "") -> str:
    """A labelled text; `label` and `body` are HTML already escaped."""
    inner = f'<p class="side-label">{label}</p><p class="text" lang="{_e(language)}">{body}</p>'
    return f'<div class="{box}">{inner}</div>' if box else inner


def word_diff(before: str, after: str) -> str:
    """Word-level difference of two texts as escaped HTML with <del> and <ins>."""
    return _diff(before, after)


def _diff(before: str, after: str) -> str:
    """Word-level difference as escaped HTML with <del> and <ins>."""
    old, new = _DIFF_TOKEN.findall(before), _DIFF_TOKEN.findall(after)
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


def _split_flag(note: str) -> tuple[str, str]:
    """(code, message) of `code: message`; a note without a code is a plain `note`."""
    code, sep, message = note.partition(": ")
    return (code, message) if sep and re.fullmatch(r"[a-z][a-z_-]*", code) else ("note", note)


def _title(record: PostRecord) -> str:
    return next((s.written for s in record.slots if s.label == "title"), record.target_path)


def _when(stamp: str) -> str:
    """`2026-11-25 08:48 UTC` from an ISO stamp; anything else as it is."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    zone = "" if moment.tzinfo is None else f" {moment.tzname()}"
    return f"{moment:%Y-%m-%d %H:%M}{zone}"


def _badge(state: str) -> str:
    return f'<span class="badge st-{_e(state)}">{_e(state)}</span>'


def _count(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", path).strip("-")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def review_page_for_site(config: SiteConfig, memory: Memory, *, language: str | None = None) -> str:
    """The review page of a site, from its memory and its source files as they are now."""
    records = memory.posts()
    return render_review_page(
        records,
        site_root=config.root,
        language=language,
        source_texts=dict(_source_texts(config.root, records)),
        source_language=config.source_language,
        retired={r.target_path: memory.retired(r.source_path, r.target) for r in records},
    )


def _source_texts(root: Path, records: Sequence[PostRecord]) -> Iterator[tuple[str, str]]:
    for key in dict.fromkeys(r.source_path for r in records):
        try:
            yield key, read_post(root / key)
        except (OSError, TranslatorError):
            continue  # Shown as `missing`: the copy stays, and `translator status` says why.


def write_review_page(path: Path, page: str) -> Path:
    """Write the page atomically; returns its path."""
    atomic_write(path, page)
    return path
