"""The one Markdown parser configuration, and what it takes to map its tokens to bytes.

markdown-it gives line maps for block tokens only and normalises the text it
parses (CRLF becomes LF). `Source` keeps the offset arithmetic in one place:
every position the rest of the code handles is an offset into the normalised
text, and `Source.original` turns it into an offset into the bytes on disk.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from translator.markdown.html_segments import skeleton

#: Stands in for protected spans (shortcodes) while markdown-it parses, so that
#: their arguments can never form Markdown. Private use, so it never occurs in prose.
MASK = "\ue000"

_MASK_RUN = re.compile(f"{MASK}+")
_SHORTCODE = re.compile(r"\{\{([<%])(.*?)([>%])\}\}", re.DOTALL)
_SHORTCODE_NAME = re.compile(r"\s*(/?)\s*([\w./-]+)")


def make_parser() -> MarkdownIt:
    """CommonMark + GFM tables and strikethrough + footnotes + `$math$`, escapes kept apart.

    Math is never translated: `$…$` must hug its content (`10 $ et 20 $` is
    prose) and may not be followed by a digit (`$5 à $10` is prose too).
    """
    md = (
        MarkdownIt("commonmark")
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
        .use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    )
    # text_join would merge escapes and entities into plain text; we need them apart
    # to give the engine plain text and still restore the exact source characters.
    md.disable("text_join")
    return md


@dataclass(frozen=True, slots=True)
class Shortcode:
    """One Hugo shortcode call, `{{< name args >}}` or `{{% name args %}}`."""

    start: int
    """Offset of the opening `{{` in the normalised text."""
    end: int
    """Offset just past the closing `}}`."""
    name: str
    """The shortcode's name, without a leading `/`."""
    closing: bool
    """True for `{{< /name >}}`."""
    self_closing: bool
    """True for `{{< name />}}`."""
    markdown: bool
    """True for the `{{% %}}` form, whose inner content Hugo renders as Markdown."""
    name_end: int = 0
    """Offset just past the name, where the arguments start."""


@dataclass(frozen=True, slots=True)
class Source:
    """A text prepared for markdown-it, with the way back to the original offsets."""

    original: str
    """The text exactly as given (CRLF and all)."""
    normalized: str
    """What markdown-it parses: CRLF turned into LF, shortcodes masked."""
    crlf_positions: tuple[int, ...]
    """Offsets in `normalized` of each LF that was a CRLF in `original`."""
    line_starts: tuple[int, ...]
    """Offset in `normalized` where each line starts."""
    protected: tuple[tuple[int, int], ...]
    """Spans of `normalized` that are never translated (shortcodes and their raw content)."""
    protected_in_text: re.Pattern[str] = re.compile("(?!)")
    """What becomes a placeholder inside words: URLs, e-mails, task boxes, shortcodes, glossary terms.

    Glossary terms match as the group `term`."""
    protected_hint: re.Pattern[str] | None = None
    """Found in every span `protected_in_text` matches in (None: a glossary term can be
    anywhere): a text without it has nothing to protect, and costs a plain scan instead of
    the e-mail branch's backtracking (a third of a parse over the corpus)."""

    def to_original(self, offset: int) -> int:
        """Map an offset in the normalised text to one in the original text."""
        if not self.crlf_positions:  # the common case, asked for every piece of every segment
            return offset
        return offset + bisect.bisect_left(self.crlf_positions, offset)

    def original_slice(self, start: int, end: int) -> str:
        """The original characters of a span given in normalised offsets."""
        if not self.crlf_positions:
            return self.original[start:end]
        return self.original[self.to_original(start) : self.to_original(end)]

    def line(self, number: int) -> tuple[int, int]:
        """Start and end (before the newline) of a normalised line."""
        start = self.line_starts[number]
        end = self.normalized.find("\n", start)
        return start, len(self.normalized) if end < 0 else end


# Hugo's Goldmark links bare `www.` and `ftp://` URLs too and turns a leading `[ ]`/`[x]` into a
# check box (`Linkify`, `TaskList`: on by default, hugo markup/goldmark/goldmark_config).
_PROTECTED_IN_TEXT = (
    r"(?:(?:https?|ftp)://|(?<![\w.])www\.)[^\s<>]*[^\s<>.,;:!?'\")\]]"  # bare URLs
    r"|\A\[[ xX]\](?!\S)"  # a task list item's box: first in its paragraph
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|\{[#.][^{}\n]*\}"  # attributes, {#id .class}
    rf"|{MASK}+"  # masked shortcodes
)


_PROTECTED_HINT = re.compile(rf"://|www\.|\A\[|@|\{{|{MASK}")
"""Something each alternative of `_PROTECTED_IN_TEXT` holds (see `Source.protected_hint`)."""


def protected_pattern(terms: Sequence[str] = ()) -> re.Pattern[str]:
    """The placeholders found inside words; glossary `terms` first, longest first."""
    if not terms:
        return re.compile(_PROTECTED_IN_TEXT)
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?P<term>(?<!\w)(?:{alternatives})(?!\w))|{_PROTECTED_IN_TEXT}")


def prepare(
    text: str, *, terms: Sequence[str] = (), markdown_inner: Collection[str] = ()
) -> Source:
    """Normalise line endings the way markdown-it does, keeping lengths mappable.

    `terms` are glossary terms that must reach no engine (they become placeholders).
    The body of paired `{{< >}}` shortcodes named in `markdown_inner` is Markdown.
    """
    crlf = tuple(m.start() - i for i, m in enumerate(re.finditer("\r\n", text)))
    normalized = text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    protected = tuple(protected_spans(list(find_shortcodes(normalized)), markdown_inner))
    masked = list(normalized)
    for start, end in protected:
        _mask(masked, start, end)
    normalized_masked = "".join(masked)
    starts = [0] + [m.end() for m in re.finditer("\n", normalized_masked)]
    hint = None if terms else _PROTECTED_HINT
    pattern = protected_pattern(terms)
    return Source(text, normalized_masked, crlf, tuple(starts), protected, pattern, hint)


def _mask(chars: list[str], start: int, end: int) -> None:
    """Blank out a protected span, keeping its length and its newlines.

    A span that fills its lines becomes an HTML comment, which markdown-it
    parses as a block of its own: a shortcode on its own line then never
    joins the paragraph next to it.
    """
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = MASK
    if end - start >= 7 and _blank_before(chars, start) and _blank_after(chars, end):
        chars[start : start + 4] = list("<!--")
        chars[end - 3 : end] = list("-->")


def _blank_before(chars: Sequence[str], start: int) -> bool:
    """Only spaces between the line's start and `start` (scanned back: linear overall)."""
    position = start - 1
    while position >= 0 and chars[position] != "\n":
        if not chars[position].isspace():
            return False
        position -= 1
    return True


def _blank_after(chars: Sequence[str], end: int) -> bool:
    position = end
    while position < len(chars) and chars[position] != "\n":
        if not chars[position].isspace():
            return False
        position += 1
    return True


def find_shortcodes(text: str) -> Iterator[Shortcode]:
    """Every shortcode call in `text`, in order."""
    for match in _SHORTCODE.finditer(text):
        opening, inner, closing = match.groups()
        if (opening == "<") != (closing == ">"):
            continue
        comment = 2 if inner.startswith("/*") else 0
        name = _SHORTCODE_NAME.match(inner, comment)
        if name is None:
            continue
        yield Shortcode(
            start=match.start(),
            end=match.end(),
            name=name.group(2),
            closing=bool(name.group(1)),
            self_closing=inner.rstrip().endswith("/"),
            markdown=opening == "%",
            name_end=match.start(2) + name.end(),
        )


def protected_spans(
    shortcodes: Sequence[Shortcode], markdown_inner: Collection[str] = ()
) -> Iterator[tuple[int, int]]:
    """Shortcode calls, and the whole body of paired `{{< >}}` calls (Hugo passes it raw)."""
    open_at: dict[str, list[Shortcode]] = {}
    spans: list[tuple[int, int]] = []
    for code in shortcodes:
        if code.closing:
            stack = open_at.get(code.name)
            raw_body = code.name not in markdown_inner
            if stack and raw_body and not code.markdown and not stack[-1].markdown:
                opener = stack.pop()
                while spans and spans[-1][0] >= opener.start:
                    spans.pop()
                spans.append((opener.start, code.end))
                continue
            if stack:
                stack.pop()
        elif not code.self_closing:
            open_at.setdefault(code.name, []).append(code)
        spans.append((code.start, code.end))
    yield from sorted(spans)


def parse(md: MarkdownIt, source: Source) -> tuple[list[Token], dict[str, Any]]:
    """Block and inline tokens of the whole text, and the env holding its references."""
    env: dict[str, Any] = {}
    return md.parse(source.normalized, env), env


_SIGNIFICANT = frozenset(
    {"code_inline", "html_inline", "hardbreak", "footnote_ref", "image", "link_open"}
)


def inline_signature(md: MarkdownIt, text: str, env: dict[str, Any]) -> tuple[object, ...]:
    """What an inline text renders to, apart from its words: the markup tokens in order.

    Shortcode calls are masked first, as when the text was cut: Hugo expands them
    before Markdown, so a backtick in one argument and one in the next never make code.
    """
    # One mask character per call: a translated argument changes the call's length.
    text = _SHORTCODE.sub(MASK, text)
    return _signature(md.parseInline(text, env)[0].children or [])


def _signature(tokens: Sequence[Token]) -> tuple[object, ...]:
    shape: list[object] = []
    for token in tokens:
        if token.type in ("text", "text_special", "softbreak"):
            continue
        detail: object = None
        if token.type == "html_inline":
            detail = skeleton(token.content)
        elif token.type in ("code_inline", "math_inline", "math_inline_double"):
            detail = token.content
        elif token.type in ("link_open", "image"):
            detail = (token.attrGet("href"), token.attrGet("src"), token.markup)
        shape.append((token.type, detail, _signature(token.children or [])))
    # An engine may move markup within a sentence: order is free, nesting is not.
    return tuple(sorted(shape, key=repr))


DEFAULT_MARKDOWN_INNER = ("details",)
"""Hugo's built-in shortcodes whose body is Markdown (see shortcodes.DEFAULT_SHORTCODES)."""


def structure(
    md: MarkdownIt, text: str, *, markdown_inner: Collection[str] = DEFAULT_MARKDOWN_INNER
) -> list[tuple[object, ...]]:
    """The tree of elements a Markdown text renders to, without its words.

    Two texts with equal structure differ only inside text: same blocks, same
    markup, same code, URLs and raw HTML. `markdown_inner` names the paired
    shortcodes whose body is Markdown, as when the text was cut.
    """
    source = prepare(text, markdown_inner=markdown_inner)
    tokens, _ = parse(md, source)
    shape: list[tuple[object, ...]] = []
    for token in tokens:
        if token.type == "inline":
            shape.append(("inline", _signature(token.children or [])))
        elif token.type == "html_block":
            # Only text and prose attributes of raw HTML are translated: compare the rest. A
            # masked shortcode's length changes with its translated arguments.
            content = _MASK_RUN.sub(MASK, token.content)
            shape.append((token.type, token.info, skeleton(content)))
        elif token.type in ("fence", "code_block", "math_block"):
            shape.append((token.type, token.info, token.content))
        else:
            shape.append((token.type, token.tag, token.markup if token.nesting >= 0 else ""))
    return shape
