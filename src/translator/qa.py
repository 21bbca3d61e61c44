"""Quality checks on one translated slot (a segment's Markdown or a front matter value). Pure.

Each check returns flags `code: message`; they are stored with the slot and
shown by `translator status` and the review page:
- `markup`: every link destination, image source, inline code span, raw HTML
  tag, autolink, shortcode and footnote reference of the source is in the
  translation exactly once (and reassembly repairs are passed on);
- `numbers`: the same numbers, whatever the decimal and thousands separators;
- `urls`: the same URLs and e-mail addresses in the text;
- `untranslated`: the text came back as it went, names and numbers aside;
- `length`: much shorter or longer than the source, or one word repeated over
  and over (a degenerate NMT output);
- `glossary`: do-not-translate terms kept, fixed translations used.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from translator._markdown import find_shortcodes

__all__ = ("check_slot",)

_URL = re.compile(r"https?://[^\s<>()]*[^\s<>().,;:!?'\"]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f ]\d+)*")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
SHORT = 20
"""Slots shorter than this (characters of text) are exempt from the length check."""
RATIO = (0.5, 2.0)
"""Translation length over source length outside this range is flagged."""


def check_slot(
    md: MarkdownIt,
    source: str,
    translation: str,
    *,
    keep: Sequence[str] = (),
    fixed: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
) -> tuple[str, ...]:
    """Flags for one slot: `keep` are do-not-translate terms, `fixed` the glossary for the target."""
    flags = [f"markup: {note}" for note in notes]
    if translation == source and not notes:
        flags.extend(_untranslated(md, source, keep))
        return tuple(flags)
    flags.extend(_markup(md, source, translation))
    source_text, target_text = _text(md, source), _text(md, translation)
    flags.extend(_same_items("numbers", _numbers(source_text), _numbers(target_text)))
    flags.extend(_same_items("urls", _URL.findall(source_text), _URL.findall(target_text)))
    flags.extend(_length(source_text, target_text))
    flags.extend(_glossary(source, translation, keep, fixed or {}))
    return tuple(flags)


def _text(md: MarkdownIt, markdown: str) -> str:
    """The words of an inline Markdown text, markup and code left out."""
    tokens = md.parseInline(markdown)[0].children or []
    return "".join(_words(tokens))


def _words(tokens: Sequence[Token]) -> Iterator[str]:
    for token in tokens:
        if token.type in ("text", "text_special"):
            yield token.content
        elif token.type in ("softbreak", "hardbreak"):
            yield " "
        elif token.children:
            yield from _words(token.children)


def _protected(md: MarkdownIt, markdown: str) -> Counter[str]:
    found: Counter[str] = Counter(markdown[c.start : c.end] for c in find_shortcodes(markdown))
    stack = list(md.parseInline(markdown)[0].children or [])
    while stack:
        token = stack.pop()
        stack.extend(token.children or [])
        if token.type == "link_open":
            found[f"link {token.attrGet('href')}"] += 1
        elif token.type == "image":
            found[f"image {token.attrGet('src')}"] += 1
        elif token.type == "code_inline":
            found[f"`{token.content}`"] += 1
        elif token.type in ("html_inline", "footnote_ref"):
            found[token.content or token.type] += 1
    return found


def _markup(md: MarkdownIt, source: str, translation: str) -> Iterator[str]:
    before, after = _protected(md, source), _protected(md, translation)
    for item in sorted((before - after).elements()):
        yield f"markup: lost {item}"
    for item in sorted((after - before).elements()):
        yield f"markup: added {item}"


def _numbers(text: str) -> list[str]:
    return [re.sub(r"\D", "", n) for n in _NUMBER.findall(_URL.sub(" ", text))]


def _same_items(code: str, source: Sequence[str], target: Sequence[str]) -> Iterator[str]:
    lost, added = Counter(source) - Counter(target), Counter(target) - Counter(source)
    if lost or added:
        parts = [f"lost {', '.join(sorted(lost.elements()))}"] if lost else []
        parts += [f"added {', '.join(sorted(added.elements()))}"] if added else []
        yield f"{code}: {'; '.join(parts)}"


def _untranslated(md: MarkdownIt, source: str, keep: Sequence[str]) -> Iterator[str]:
    text = _text(md, source)
    for term in keep:
        text = text.replace(term, " ")
    words = [w for n, w in enumerate(_WORD.findall(text)) if n == 0 or not w[:1].isupper()]
    if len(words) >= 3:
        yield "untranslated: came back identical to the source"


def _length(source: str, target: str) -> Iterator[str]:
    if len(source.strip()) >= SHORT:
        ratio = len(target.strip()) / len(source.strip())
        if not RATIO[0] <= ratio <= RATIO[1]:
            yield f"length: {ratio:.1f}× the source's length"
    words = _WORD.findall(target.lower())
    for n in range(len(words) - 3):
        if len(set(words[n : n + 4])) == 1:
            yield f"length: '{words[n]}' repeated"
            return


def _glossary(
    source: str, translation: str, keep: Sequence[str], fixed: Mapping[str, str]
) -> Iterator[str]:
    for term in keep:
        if _has(source, term) and not _has(translation, term):
            yield f"glossary: {term!r} must stay as it is"
    for term, required in fixed.items():
        if _has(source, term) and not _has(translation, required):
            yield f"glossary: {term!r} must be translated {required!r}"


def _has(text: str, term: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text) is not None
