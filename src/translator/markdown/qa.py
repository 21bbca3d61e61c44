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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from markdown_it import MarkdownIt
from markdown_it.token import Token

from translator.markdown._markdown import Shortcode, find_shortcodes, make_parser
from translator.markdown.glossary import Glossary
from translator.markdown.html_segments import skeleton
from translator.markdown.shortcodes import DEFAULT_SHORTCODES, ShortcodeRule
from translator.markdown.shortcodes import skeleton as call_skeleton

__all__ = ("CODES", "SourceCheck", "check_slot", "source_check")

CODES = ("markup", "numbers", "urls", "untranslated", "length", "glossary")
"""Every flag code, in the order the checks run."""

_URL = re.compile(r"https?://[^\s<>()]*[^\s<>().,;:!?'\"»]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A thousands group is exactly three digits, so "en 2024 3 fois" stays two numbers.
_NUMBER = re.compile(r"\d{1,3}(?:[\u00a0\u202f ,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_WORD_AFTER = re.compile(rf"(?:([.!?:…])\s*)?({_WORD.pattern})")
_NOT_DIGIT = re.compile(r"\D")
# What an inline rule of the parser starts at (newlines, escapes, entities, emphasis, code,
# links, images, HTML, math, footnotes), line endings it normalises, and shortcodes.
_MARKUP = re.compile(r"[\n\r\0!$&*<\[\\\]^_`~{]")
_MARKUP_BUT_NEWLINE = re.compile(r"[\r\0!$&*<\[\\\]^_`~{]")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
_REFERENCE = re.compile(r"\]\[([^\]]+)\]")
_SPLITTERS = frozenset({"code_inline", "html_inline", "math_inline", "math_inline_double"})
_PROTECTED = frozenset({*_SPLITTERS, "link_open", "image"})
"""Token types `_protected_item` finds an item in."""
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


@dataclass(frozen=True, slots=True)
class SourceCheck:
    """What the checks need of a slot's source, taken from tokens a parse already gave."""

    prose: str
    """The source's prose: its words, markup, code and destinations left out."""
    items: Counter[str]
    """What a translation must carry unchanged, each item with its count."""


def source_check(markdown: str, tokens: Sequence[Token]) -> SourceCheck:
    """The checks' view of `markdown` from `tokens`, which must be the tokens markdown-it gives
    `markdown` parsed alone (see `segments.extract_segments`: a page's inline tokens are,
    for a block whose text is its slot's and that no definition reaches). Saves `check_slot`
    a parse of the source."""
    return SourceCheck(_prose_text(([], list(tokens))), _items(markdown, [], tokens))


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
    checked: SourceCheck | None = None,
) -> tuple[str, ...]:
    """Flags `code: message` for one translated slot; `notes` come from the reassembly.

    `md` is the site's parser, to save building one per slot; `shortcodes` the
    site's table of shortcode prose arguments. The languages are engine codes;
    `target_key` is the site's key for the target (`en-us`), which the glossary
    is looked up by first (`Glossary.fixed_for`). `checked` is the source's
    `source_check` when a parse already gave it.
    """
    md = md or make_parser()
    # One inline parse per text, none more for a slot that came back as it went: it has
    # the same markup, numbers and URLs, so only the checks of words and length run.
    same = translation == source
    source_text, before = _source_view(md, source, shortcodes, checked, items=not same)
    target_tokens = None if same else _inline(md, translation)
    target_text = source_text if target_tokens is None else _prose_text(target_tokens)
    ratio = RATIOS.get((source_language, target_language), DEFAULT_RATIO)
    flags = list(_notes(notes))
    if target_tokens is not None:
        flags += _markup(before, _items(translation, *target_tokens, shortcodes))
    source_plain = _without_urls(source_text)
    target_plain = source_plain if same else _without_urls(target_text)
    if not same:
        flags += _same_items("numbers", _numbers(source_plain), _numbers(target_plain))
        flags += _same_items("urls", _URL.findall(source_text), _URL.findall(target_text))
    # A kept source is identical by design: the markup note already says why.
    if not any(_KEPT_SOURCE in note for note in notes):
        flags += _untranslated(source_plain, target_plain, glossary.do_not_translate)
    flags += _length(source_text, target_text, ratio)
    fixed = glossary.fixed_for(target_key or target_language, target_language)
    flags += _glossary(source_text, target_text, glossary.do_not_translate, fixed)
    return tuple(flags)


def _source_view(
    md: MarkdownIt,
    source: str,
    shortcodes: Mapping[str, ShortcodeRule],
    checked: SourceCheck | None,
    *,
    items: bool,
) -> tuple[str, Counter[str]]:
    """The source's prose and, if `items`, what a translation must carry (else nothing)."""
    if checked is not None:
        return checked.prose, checked.items
    parsed = _inline(md, source)
    return _prose_text(parsed), _items(source, *parsed, shortcodes) if items else Counter()


def _notes(notes: Sequence[str]) -> Iterator[str]:
    for note in notes:
        kind = "kept source" if _KEPT_SOURCE in note else "tags repaired"
        yield f"markup: {kind}: {note}"


_Inline = tuple[list[Shortcode], list[Token]]
"""An inline Markdown text's shortcode calls, and the tokens of the rest."""


def _inline(md: MarkdownIt, markdown: str) -> _Inline:
    if _MARKUP.search(markdown) is None:
        # Nothing an inline rule starts at: markdown-it gives the text back as one token.
        return [], [Token("text", "", 0, content=markdown)] if markdown else []
    if _MARKUP_BUT_NEWLINE.search(markdown) is None:
        return [], _lines(markdown)
    shortcodes = list(find_shortcodes(markdown))
    # Shortcode delimiters and arguments are not prose; a paired shortcode's inner text is.
    parts, position = [], 0
    for shortcode in shortcodes:
        parts.extend([markdown[position : shortcode.start], " "])
        position = shortcode.end
    return shortcodes, md.parseInline("".join([*parts, markdown[position:]]))[0].children or []


def _lines(markdown: str) -> list[Token]:
    """The tokens markdown-it gives a text whose only markup is line breaks, without parsing
    it (a hard-wrapped paragraph, a fifth of a page): the newline rule drops the spaces
    that end a line (two or more make a hard break) and the spaces and tabs that start
    the next."""
    tokens: list[Token] = []
    lines = markdown.split("\n")
    for number, line in enumerate(lines):
        text = line.lstrip(" \t") if number else line
        if number == len(lines) - 1:
            tokens += [Token("text", "", 0, content=text)] if text else []
            break
        kept = text.rstrip(" ")
        tokens += [Token("text", "", 0, content=kept)] if kept else []
        hard = len(text) - len(kept) >= 2
        tokens.append(Token("hardbreak" if hard else "softbreak", "br", 0))
    return tokens


def _prose_text(parsed: _Inline) -> str:
    """The prose of an inline Markdown text: markup, code and destinations left out."""
    return _FOOTNOTE_REF.sub(" ", "".join(_prose(parsed[1])))


def _items(
    markdown: str,
    shortcodes: Sequence[Shortcode],
    tokens: Sequence[Token],
    rules: Mapping[str, ShortcodeRule] = DEFAULT_SHORTCODES,
) -> Counter[str]:
    """What a translation of `markdown` must carry unchanged, each item with its count."""
    # Declared prose arguments are translated: the rest of the call must stay.
    protected = [
        f"shortcode {call_skeleton(markdown[c.start : c.end], c.name, c.name_end - c.start, rules)}"
        for c in shortcodes
    ]
    if "]" in markdown:
        # Outside a whole document the definitions are missing: markdown-it sees these as text.
        protected += [f"footnote {ref}" for ref in _FOOTNOTE_REF.findall(markdown)]
        protected += [f"reference [{label}]" for label in _REFERENCE.findall(markdown)]
    stack = list(tokens)
    while stack:
        token = stack.pop()
        if token.children:
            stack.extend(token.children)
        if token.type in _PROTECTED:
            protected.extend(_protected_item(token))
    return Counter(protected)


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
    if before == after:
        return
    for item in sorted((before - after).elements()):
        yield f"markup: lost {item}"
    for item in sorted((after - before).elements()):
        yield f"markup: added {item}"


def _without_urls(text: str) -> str:
    # Most slots have neither: the regex's e-mail branch tries every word otherwise.
    return _URL.sub(" ", text) if "@" in text or "://" in text else text


def _numbers(plain: str) -> list[str]:
    """The numbers of a text without URLs. Digits only: 3,5 and 3.5, 10 000 and 10,000 are
    the same number to a reader."""
    return [_NOT_DIGIT.sub("", n) for n in _NUMBER.findall(plain)]


def _same_items(code: str, source: Sequence[str], target: Sequence[str]) -> Iterator[str]:
    if source == target:
        return
    lost, added = Counter(source) - Counter(target), Counter(target) - Counter(source)
    parts = [f"lost {', '.join(sorted(lost.elements()))}"] if lost else []
    parts += [f"added {', '.join(sorted(added.elements()))}"] if added else []
    if parts:
        yield f"{code}: {'; '.join(parts)}"


def _untranslated(source: str, target: str, keep: Sequence[str]) -> Iterator[str]:
    """`source` and `target` are prose without URLs."""
    # The same text has the same words: the first six tell whether to flag and say so.
    words = _ordinary_words(source, keep, _SHOWN if target == source else None)
    if len(words) >= MIN_WORDS and (target == source or words == _ordinary_words(target, keep)):
        yield f"untranslated: came back as it went ({' '.join(words[:_SHOWN])}…)"


_SHOWN = 6
"""Words an `untranslated` flag quotes."""


def _ordinary_words(text: str, keep: Sequence[str], limit: int | None = None) -> list[str]:
    """Lower-cased words of a text without URLs, do-not-translate terms and names aside;
    with `limit`, only that many first ones."""
    for term in keep:
        text = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", " ", text)
    words: list[str] = []
    # `end` is the end of a sentence (`[.!?:…]` then spaces) just before the word, matched
    # with it: a look back from each word made long lines quadratic, a call per word slow.
    found: Iterable[tuple[str | None, str]] = (
        _WORD_AFTER.findall(text)
        if limit is None
        else (match.groups() for match in _WORD_AFTER.finditer(text))  # type: ignore[misc]
    )
    for end, word in found:
        # A capital inside a sentence marks a name, which stays the same in any language.
        if not words or end or not word[0].isupper():
            words.append(word.lower())
            if len(words) == limit:
                break
    return words


def _length(source: str, target: str, bounds: tuple[float, float]) -> Iterator[str]:
    size, new_size = len(source.strip()), len(target.strip())
    if size >= SHORT and not bounds[0] <= new_size / size <= bounds[1]:
        yield f"length: {new_size / size:.1f}× the source's length"
    # The same text repeats what its source repeats: nothing to flag.
    repeated = _repetition(_WORD.findall(target.lower())) if target != source else ""
    if repeated and not _repetition(_WORD.findall(source.lower())):
        yield f"length: {repeated!r} repeated {REPEATS} times or more"


def _repetition(words: list[str]) -> str:
    """The first word or group of up to three words repeated `REPEATS` times in a row."""
    for size in (1, 2, 3):
        # A group repeats from `start` when each word equals the one `size` further on,
        # size × (REPEATS - 1) times running: one pass, not a slice per start.
        same = "".join("=" if a == b else "." for a, b in zip(words, words[size:], strict=False))
        start = same.find("=" * (size * (REPEATS - 1)))
        if start >= 0:
            return " ".join(words[start : start + size])
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
