"""Which shortcode arguments are prose, and where their values sit in a call. Pure.

Hugo passes shortcode arguments to templates as they are; some of them are
text a reader sees (a figure's caption, a details block's summary). A table
names them per shortcode, by name or by position; the site adds its own in
translator.toml:

    [shortcodes.notice]
    params = ["title", 1]
    inner = "markdown"

`inner = "markdown"` says the template renders the body of a paired
`{{< notice >}}…{{< /notice >}}` as Markdown (`.Inner | markdownify`), so it
is translated like the rest of the post; by default Hugo passes the body of
`{{< >}}` calls raw and it is kept byte for byte. Arguments are read as
Hugo's lexer reads them (gohugoio/hugo parser/pageparser/pagelexer_shortcode.go):
`name="value"`, `name=value`, `` name=`raw` ``, or the same without names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = (
    "DEFAULT_SHORTCODES",
    "Argument",
    "ShortcodeRule",
    "arguments",
    "skeleton",
    "translatable",
)


@dataclass(frozen=True, slots=True)
class ShortcodeRule:
    """What of one shortcode is prose."""

    params: tuple[str | int, ...] = ()
    """Named parameters and positions (0 = the first positional argument) to translate."""
    markdown_inner: bool = False
    """The body of a paired `{{< >}}` call is rendered as Markdown by its template."""


DEFAULT_SHORTCODES: Mapping[str, ShortcodeRule] = MappingProxyType(
    {
        # Hugo's built-ins (layouts/_shortcodes in gohugoio/hugo tpl/tplimpl/embedded).
        "figure": ShortcodeRule(("caption", "title", "alt", "attr")),
        "details": ShortcodeRule(("summary",), markdown_inner=True),
    }
)


@dataclass(frozen=True, slots=True)
class Argument:
    """One argument value of a shortcode call."""

    key: str | int
    """Its name, or its position among positional arguments."""
    start: int
    """Offset of the value's first character (inside its quotes) in the text searched."""
    end: int
    """Offset just past its last character (before the closing quote)."""
    quote: str
    """`"`, `` ` ``, or "" for a bare value."""


_ARGUMENT = re.compile(
    r"""\s*(?:([\w.-]+)\s*=\s*)?(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`|([^\s"`=/]+|/(?![>%]\}\})))""",
    re.DOTALL,
)


def arguments(text: str, start: int, end: int, name_end: int) -> Iterator[Argument]:
    """The arguments of the call `text[start:end]`, whose name ends at `name_end`."""
    position, index = name_end, 0
    closing = end - 3  # before ` >}}` / ` %}}`
    while position < closing:
        match = _ARGUMENT.match(text, position, closing)
        if match is None or match.end() == position:
            return
        name, quoted, raw, bare = match.groups()
        group = 2 if quoted is not None else 3 if raw is not None else 4
        quote = '"' if group == 2 else "`" if group == 3 else ""
        key: str | int = name if name is not None else index
        if name is None:
            index += 1
        if bare != "/":
            yield Argument(key, match.start(group), match.end(group), quote)
        position = match.end()


def translatable(
    rules: Mapping[str, ShortcodeRule], name: str, found: Iterator[Argument]
) -> list[Argument]:
    """The arguments of a call to `name` that the table says are prose."""
    rule = rules.get(name)
    if rule is None or not rule.params:
        return []
    return [argument for argument in found if argument.key in rule.params]


def skeleton(call: str, name: str, name_end: int, rules: Mapping[str, ShortcodeRule]) -> str:
    """A call's text without the values of its prose arguments: what a translation keeps.

    `call` is the whole `{{< … >}}`, `name_end` where its name ends in it.
    """
    found = translatable(rules, name, arguments(call, 0, len(call), name_end))
    for argument in reversed(found):
        call = call[: argument.start] + call[argument.end :]
    return call
