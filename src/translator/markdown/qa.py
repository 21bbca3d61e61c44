"""Quality checks on one translated slot (a segment's Markdown or a front matter value). Pure.

Each check returns flags `code: message`; they are stored with the slot and
shown by `translator status` and the review page:
- `markup`: every link destination, image source, inline code span, raw HTML
  tag, autolink, shortcode, math and footnote reference of the source is in
  the translation exactly once; tag repairs and kept sources from the
  reassembly are passed on;
- `numbers`: the same numbers, whatever the decimal and thousands separators;
- `urls`: the same URLs and e-mail addresses in the text;
- `untranslated`: the words came back as they went, names and numbers aside;
- `length`: much shorter or longer than the source, or words repeated over and
  over (a degenerate NMT output);
- `glossary`: do-not-translate terms kept, fixed translations used.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType

from markdown_it import MarkdownIt
from markdown_it.token import Token

from translator.markdown._markdown import find_shortcodes, make_parser
from translator.markdown.glossary import Glossary
from translator.markdown.html_segments import skeleton
from translator.markdown.shortcodes import DEFAULT_SHORTCODES, ShortcodeRule
from translator.markdown.shortcodes import skeleton as call_skeleton

__all__ = ("CODES", "check_slot")

CODES = ("markup", "numbers", "urls", "untranslated", "length", "glossary")
"""Every flag code, in the order the checks run."""

_URL = re.compile(r"https?://[^\s<>()]*[^\s<>().,;:!?'\"»]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A thousands group is exactly three digits, so "en 2024 3 fois" stays two numbers.
_NUMBER = re.compile(r"\d{1,3}(?:[\u00a0\u202f ,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
_REFERENCE = re.compile(r"\]\[([^\]]+)\]")
_SPLITTERS = frozenset({"code_inline", "html_inline", "math_inline", "math_inline_double"})
_KEPT_SOURCE = "the translation changed the markup"

SHORT = 20
"""Slots with less text than this (characters) are exempt from the length ratio."""
MIN_WORDS = 3
"""A slot needs this many ordinary words before `untranslated` can fire."""
RATIOS: Mapping[tuple[str, str], tuple[float, float]] = MappingProxyType({("fr", "en"): (0.5, 2.0)})
"""(source, target) -> the range of length ratios that passes; others use `DEFAULT_RATIO`."""
DEFAULT_RATIO = (0.4, 2.5)
"""Looser bounds for pairs whose usual ratio we have not measured."""
REPEATS = 4
"""A word (or a group of up to three words) this many times in a row is degenerate."""


def check_slot(
    source: str,
    translation: str,
    *,
    source_language: str,
    target_language: str,
    glossary: Glossary,
    notes: Sequence[str] = (),
    md: MarkdownIt | None = None,
    target_key: str = "",
    shortcodes: Mapping[str, ShortcodeRule] = DEFAULT_SHORTCODES,
) -> tuple[str, ...]:
    """Flags `code: message` for one translated slot; `notes` come from the reassembly.

    `md` is the site's parser, to save building one per slot; `shortcodes` the
    site's table of shortcode prose arguments. The languages are engine codes;
    `target_key` is the site's key for the target (`en-us`), which the glossary
    is looked up by first (`Glossary.fixed_for`).
    """
    md = md or make_parser()
    # One inline parse per text, none more for a slot that came back as it went.
    source_text, before = _read(md, source, shortcodes)
    target_text, after = (
        (source_text, before) if translation == source else _read(md, translation, shortcodes)
    )
    ratio = RATIOS.get((source_language, target_language), DEFAULT_RATIO)
    flags = [*_notes(notes), *_markup(before, after)]
    flags += _same_items("numbers", _numbers(source_text), _numbers(target_text))
    flags += _same_items("urls", _URL.findall(source_text), _URL.findall(target_text))
    # A kept source is identical by design: the markup note already says why.
    if not any(_KEPT_SOURCE in note for note in notes):
        flags += _untranslated(source_text, target_text, glossary.do_not_translate)
    flags += _length(source_text, target_text, ratio)
    fixed = glossary.fixed_for(target_key or target_language, target_language)
    flags += _glossary(source_text, target_text, glossary.do_not_translate, fixed)
    return tuple(flags)


def _notes(notes: Sequence[str]) -> Iterator[str]:
    for note in notes:
        kind = "kept source" if _KEPT_SOURCE in note else "tags repaired"
        yield f"markup: {kind}: {note}"


def _read(
    md: MarkdownIt, markdown: str, rules: Mapping[str, ShortcodeRule] = DEFAULT_SHORTCODES
) -> tuple[str, Counter[str]]:
    """The prose of an inline Markdown text (markup, code and destinations left out), and
    what a translation must carry unchanged, each item with its count."""
    shortcodes = list(find_shortcodes(markdown))
    # Declared prose arguments are translated: the rest of the call must stay.
    found = Counter(
        f"shortcode {call_skeleton(markdown[c.start : c.end], c.name, c.name_end - c.start, rules)}"
        for c in shortcodes
    )
    # Outside a whole document the definitions are missing, so markdown-it sees these as text.
    found.update(f"footnote {ref}" for ref in _FOOTNOTE_REF.findall(markdown))
    found.update(f"reference [{label}]" for label in _REFERENCE.findall(markdown))
    # Shortcode delimiters and arguments are not prose; a paired shortcode's inner text is.
    parts, position = [], 0
    for shortcode in shortcodes:
        parts.extend([markdown[position : shortcode.start], " "])
        position = shortcode.end
    tokens = md.parseInline("".join([*parts, markdown[position:]]))[0].children or []
    stack = list(tokens)
    while stack:
        token = stack.pop()
        stack.extend(token.children or [])
        found.update(_protected_item(token))
    return _FOOTNOTE_REF.sub(" ", "".join(_prose(tokens))), found


def _prose(tokens: Sequence[Token]) -> Iterator[str]:
    in_autolink = False
    for token in tokens:
        if token.type in ("link_open", "link_close") and token.markup == "autolink":
            # An autolink's text is its destination: the markup check covers it.
            in_autolink = token.type == "link_open"
        elif in_autolink:
            continue
        elif token.type in ("text", "text_special"):
            yield token.content
        elif token.type in ("softbreak", "hardbreak"):
            yield " "
        elif token.children:
            yield from _prose(token.children)
        elif token.type in _SPLITTERS:
            # Code, math and raw HTML are not prose, but they keep the words apart.
            yield " "


def _protected_item(token: Token) -> Iterator[str]:
    if token.type == "link_open":
        kind = "autolink" if token.markup == "autolink" else "link"
        yield f"{kind} {token.attrGet('href')}"
    elif token.type == "image":
        yield f"image {token.attrGet('src')}"
    elif token.type == "code_inline":
        yield f"code `{token.content}`"
    elif token.type == "html_inline":
        # Prose attributes (alt, title…) are translated: the rest of the tag must stay.
        yield f"HTML {''.join(skeleton(token.content))}"
    elif token.type in ("math_inline", "math_inline_double"):
        yield f"math {token.content}"


def _markup(before: Counter[str], after: Counter[str]) -> Iterator[str]:
    for item in sorted((before - after).elements()):
        yield f"markup: lost {item}"
    for item in sorted((after - before).elements()):
        yield f"markup: added {item}"


def _numbers(text: str) -> list[str]:
    # Digits only: 3,5 and 3.5, 10 000 and 10,000 are the same number to a reader.
    return [re.sub(r"\D", "", n) for n in _NUMBER.findall(_URL.sub(" ", text))]


def _same_items(code: str, source: Sequence[str], target: Sequence[str]) -> Iterator[str]:
    lost, added = Counter(source) - Counter(target), Counter(target) - Counter(source)
    parts = [f"lost {', '.join(sorted(lost.elements()))}"] if lost else []
    parts += [f"added {', '.join(sorted(added.elements()))}"] if added else []
    if parts:
        yield f"{code}: {'; '.join(parts)}"


def _untranslated(source: str, target: str, keep: Sequence[str]) -> Iterator[str]:
    words = _ordinary_words(source, keep)
    if len(words) >= MIN_WORDS and (target == source or words == _ordinary_words(target, keep)):
        yield f"untranslated: came back as it went ({' '.join(words[:6])}…)"


def _ordinary_words(text: str, keep: Sequence[str]) -> list[str]:
    """Lower-cased words, without URLs, do-not-translate terms and names."""
    text = _URL.sub(" ", text)
    for term in keep:
        text = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", " ", text)
    words: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group()
        sentence_start = not words or _after_sentence_end(text, match.start())
        # A capital inside a sentence marks a name, which stays the same in any language.
        if sentence_start or not word[0].isupper():
            words.append(word.lower())
    return words


def _after_sentence_end(text: str, index: int) -> bool:
    """`text[:index]` ends a sentence (`[.!?:…]` then spaces): looked at from its end.

    A regex over the whole prefix for each word made long lines quadratic.
    """
    while index > 0 and text[index - 1].isspace():
        index -= 1
    return index > 0 and text[index - 1] in ".!?:…"


def _length(source: str, target: str, bounds: tuple[float, float]) -> Iterator[str]:
    size, new_size = len(source.strip()), len(target.strip())
    if size >= SHORT and not bounds[0] <= new_size / size <= bounds[1]:
        yield f"length: {new_size / size:.1f}× the source's length"
    repeated = _repetition(_WORD.findall(target.lower()))
    if repeated and not _repetition(_WORD.findall(source.lower())):
        yield f"length: {repeated!r} repeated {REPEATS} times or more"


def _repetition(words: list[str]) -> str:
    """The first word or group of up to three words repeated `REPEATS` times in a row."""
    for size in (1, 2, 3):
        for start in range(len(words) - size * REPEATS + 1):
            group = words[start : start + size]
            if words[start : start + size * REPEATS] == group * REPEATS:
                return " ".join(group)
    return ""


def _glossary(
    source: str, target: str, kept: Sequence[str], fixed: Mapping[str, str]
) -> Iterator[str]:
    for term in kept:
        if _has(source, term) and not _has(target, term):
            yield f"glossary: {term!r} must stay as it is"
    for term, required in fixed.items():
        # Case-blind: a term may open a sentence in one language and not the other.
        if _has(source, term, re.IGNORECASE) and not _has(target, required, re.IGNORECASE):
            yield f"glossary: {term!r} must be translated {required!r}"


def _has(text: str, term: str, flags: int = 0) -> bool:
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, flags) is not None
