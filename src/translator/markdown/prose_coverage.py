"""Prose a reader sees that no segment covers: flagged, never left in the source silently. Pure.

What the site has not declared stays in the source language, byte for
byte: a front matter key outside `translatable_keys`, a shortcode argument
or a paired `{{< >}}` body the shortcode table does not name, a declared
argument of a shortcode inside a paragraph that could not be cut (a value
with link titles of its own, or one that does not map back). When such a value reads
like prose (three words or more, no URL), `translator run` flags the post's
first slot with `prose: …`, saying what to declare; `translator status`
and the review page show it.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Collection, Iterator, Mapping, Sequence

from translator.markdown import _fields, _markdown
from translator.markdown import shortcodes as _shortcodes
from translator.markdown.document import Document
from translator.markdown.segments import Segment
from translator.markdown.shortcodes import ShortcodeRule

__all__ = ("uncovered_prose",)

MIN_WORDS = 3
"""A value needs this many words to read as prose."""
_WORD = re.compile(r"[«\"'(]*[^\W\d_]{2,}(?:['’][^\W\d_]+)*[,.;:!?…»\")]*")
_NOT_PROSE_KEYS = frozenset(
    {"aliases", "author", "authors", "categories", "date", "draft", "expirydate", "keywords",
     "lastmod", "layout", "publishdate", "series", "slug", "tags", "translationkey", "type",
     "url", "weight"}
)  # fmt: skip
"""Front matter keys Hugo reads as data, never shown as text."""
_CODE_SHORTCODES = frozenset({"highlight", "code", "mermaid", "katex", "math", "chart", "raw"})
_DATA_SHORTCODES = frozenset(
    {"ref", "relref", "param", "siteparam", "youtube", "vimeo", "gist", "tweet", "x",
     "instagram", "icon", "figure", "details", "qr"}
)  # fmt: skip
"""Shortcodes whose positional arguments are references, ids or paths, never text."""
_PROSE_NAME = re.compile(
    r"(?:^|[_.-])(?:alt|caption|title|subtitle|summary|description|label|text|heading|tagline|cta)$"
    r"|[a-z](?:Alt|Caption|Title|Subtitle|Summary|Description|Label|Text|Heading|Tagline)$",
    re.IGNORECASE,
)
"""A key or parameter named for text a reader sees (`image_alt`, `imageAlt`, `hero_title`)."""
_LABEL = re.compile(r"[^\W\d_][^\W\d_'’-]*(?:[\s'’-]+[^\W\d_]+)*[.!?…:]?", re.UNICODE)


def uncovered_prose(
    document: Document,
    body_segments: Sequence[Segment],
    *,
    keys: Sequence[str],
    rules: Mapping[str, ShortcodeRule],
    translated: Collection[str] | None = None,
    kept_blocks: Sequence[tuple[int, str]] = (),
) -> list[str]:
    """A `prose: …` flag per value that reads like prose and that nothing translates.

    `translated` are the labels of the front matter values that are slots (by default,
    every declared one); `kept_blocks` the (line, why) of body blocks with words that
    could not be cut (`Page.kept_blocks`).
    """
    labels = translated if translated is not None else [f.key for f in document.fields]
    flags = list(_front_matter(document, keys, labels))
    flags += [f"prose: line {line} is kept as it is: {why}" for line, why in kept_blocks]
    flags += _shortcode_flags(document.text, document.body_start, body_segments, rules)
    return list(dict.fromkeys(flags))


def _reads_as_prose(value: str) -> bool:
    """Three words or more: tokens of letters between spaces (not `fa-user`, not a path)."""
    words = [token for token in value.split() if _WORD.fullmatch(token)]
    return "://" not in value and len(words) >= MIN_WORDS


def _reads_as_label(value: str) -> bool:
    """A short text a reader sees (`Astuce`, `Fichiers associés`): words of letters, the
    first capitalised, not one CamelCase or all-capitals token (`GitHub`, `URL`)."""
    value = value.strip()
    if not _LABEL.fullmatch(value) or not value[0].isupper():
        return False
    return " " in value or value[1:].islower()


def _shown(name: str | int, value: str, *, positional: bool = False) -> bool:
    """Prose, or a label where a label is expected: a key or parameter named for text
    (`image_alt`, `caption`), a quoted positional argument."""
    if _reads_as_prose(value):
        return True
    return (positional or bool(_PROSE_NAME.search(str(name)))) and _reads_as_label(value)


def _front_matter(
    document: Document, keys: Sequence[str], translated: Collection[str]
) -> Iterator[str]:
    for path, value in _strings(document.data, ()):
        label = _fields.label(path)
        if label in translated or not _shown(path[-1], value):
            continue
        if _fields.matches(path, keys) and _reads_as_prose(value):
            yield f"prose: front matter {label} could not be cut (several paragraphs?) and is kept"
            continue
        if _is_data(path) or _fields.matches(path, keys):
            continue
        yield (
            f"prose: front matter {label} reads like prose and is not translated — "
            f'add "{_pattern(path)}" to translatable_keys'
        )


def _is_data(path: _fields.Path) -> bool:
    """A value Hugo reads as data: the string or list of strings of a data key.

    A mapping nested under one (`categories: [{items: [{description: …}]}]`, a CV
    a theme renders) is the site's own structure, shown as text: still checked.
    """
    top = str(path[0]).lower()
    return top in _NOT_PROSE_KEYS and all(isinstance(part, int) for part in path[1:])


def _pattern(path: _fields.Path) -> str:
    return ".".join(str(part) for part in path if isinstance(part, str))


def _strings(data: object, path: _fields.Path) -> Iterator[tuple[_fields.Path, str]]:
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield from _strings(value, (*path, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*path, index))
    elif isinstance(data, str) and path:
        yield path, data


def _shortcode_flags(
    text: str, body_start: int, segments: Sequence[Segment], rules: Mapping[str, ShortcodeRule]
) -> Iterator[str]:
    body = text[body_start:]
    calls = list(_markdown.find_shortcodes(body))
    inside = _Spans(
        [(s.start - body_start, s.end - body_start) for s in segments if s.quote is None]
    )
    translated = set(_argument_starts(segments, body_start))
    for call in calls:
        if call.closing:
            continue
        rule = rules.get(call.name, ShortcodeRule())
        in_paragraph = inside.cover(call.start)
        for argument in _shortcodes.arguments(body, call.start, call.end, call.name_end):
            value = body[argument.start : argument.end]
            if not _shown(argument.key, value, positional=_quoted_label(call, argument)):
                continue
            if argument.key not in rule.params:
                yield (
                    f"prose: shortcode {call.name} argument {argument.key} reads like prose "
                    f"and is not translated — add it to [shortcodes.{_quoted(call.name)}] params"
                )
            elif in_paragraph and not translated & set(range(argument.start, argument.end)):
                yield (
                    f"prose: shortcode {call.name} argument {argument.key} is not translated "
                    "inside a paragraph (a line break or a link title in it) — "
                    "put the call on a line of its own"
                )
    yield from _raw_bodies(body, calls, rules)


def _quoted_label(call: _markdown.Shortcode, argument: _shortcodes.Argument) -> bool:
    """A quoted positional argument of a shortcode that takes text (`notice tip "Astuce"`)."""
    positional = isinstance(argument.key, int) and argument.quote != ""
    return positional and call.name not in _DATA_SHORTCODES


def _argument_starts(segments: Sequence[Segment], body_start: int) -> Iterator[int]:
    """Where each shortcode argument translated inside a segment starts, in the body."""
    for segment in segments:
        position = segment.start - body_start
        for piece in segment.pieces:
            yield from (position + at for at, title in piece.titles if title.segment)
            position += len(piece.raw)


class _Spans:
    """Spans to ask "does one of them hold this offset?", in log time: asking `any()` over
    all spans for each shortcode call made a post with thousands of both quadratic."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [start for start, _ in ordered]
        # The furthest end among the spans starting at or before each one.
        self._ends = list(itertools.accumulate((end for _, end in ordered), max))

    def cover(self, offset: int) -> bool:
        """Some span has `start <= offset < end`."""
        at = bisect.bisect_right(self._starts, offset) - 1
        return at >= 0 and self._ends[at] > offset


def _raw_bodies(
    body: str, calls: Sequence[_markdown.Shortcode], rules: Mapping[str, ShortcodeRule]
) -> Iterator[str]:
    """Paired `{{< >}}` bodies Hugo passes raw, whose text reads like prose."""
    inner = [name for name, rule in rules.items() if rule.markdown_inner]
    by_start = {call.start: call for call in calls}
    for start, end in _markdown.protected_spans(calls, inner):
        call = by_start.get(start)
        if call is None or call.end == end or call.name in _CODE_SHORTCODES:
            continue
        text = re.sub(r"<[^<>]*>|\{\{.*?\}\}", " ", body[call.end : end], flags=re.DOTALL)
        if _reads_as_prose(text):
            yield (
                f"prose: the body of {call.name} is kept as it is — if its template renders it "
                f'as Markdown, set inner = "markdown" under [shortcodes.{_quoted(call.name)}]'
            )


def _quoted(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else f'"{name}"'
