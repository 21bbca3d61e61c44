"""Our tagged text (`<g1>…</g1>`, `<x2/>`) as a tree of inline codes, for XML formats.

XLIFF 2.0 and TMX 1.4b write codes as elements around or between words; the
tree says which code holds which words and which Markdown each code stands for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ("Code", "CodeTree", "code_tree")

_TAG = re.compile(r"<(/?)([gx])(\d+)(/?)>")


@dataclass(frozen=True, slots=True)
class Code:
    """One inline code: a pair around words (`<gN>`) or a standalone code (`<xN/>`)."""

    number: str
    """The tag's number, shared by the French and the English (`1` for `<g1>`)."""
    start: str
    """The Markdown of the opening tag (or of the standalone code)."""
    end: str
    """The Markdown of the closing tag ('' for a standalone code)."""
    inner: CodeTree | None
    """The words and codes inside a pair; None for a standalone code."""

    @property
    def start_ref(self) -> str:
        """The id of the opening (or standalone) code's original data."""
        return f"x{self.number}" if self.inner is None else f"g{self.number}-start"

    @property
    def end_ref(self) -> str:
        """The id of the closing code's original data."""
        return f"g{self.number}-end"


@dataclass(frozen=True, slots=True)
class CodeTree:
    """Words and codes in reading order."""

    items: tuple[str | Code, ...]
    """Runs of text and codes."""

    def data(self) -> dict[str, str]:
        """Every code's Markdown by its data id, in reading order (pairs' inner codes too)."""
        found: dict[str, str] = {}
        for item in self.items:
            if isinstance(item, str):
                continue
            found[item.start_ref] = item.start
            if item.inner is not None:
                found.update(item.inner.data())
                found[item.end_ref] = item.end
        return found


def code_tree(text: str, markup: dict[str, str]) -> CodeTree:
    """The tree of a tagged text; `markup` gives each tag's Markdown (`<g1>` → `**`).

    A closing tag with no open pair stays text: a well-formed text is what the
    pipeline writes, and the import checks the translator's codes separately.
    """
    stack: list[tuple[str, list[str | Code]]] = [("", [])]
    position = 0
    for match in _TAG.finditer(text):
        closing, kind, number, _ = match.groups()
        current = stack[-1][1]
        if match.start() > position:
            current.append(text[position : match.start()])
        position = match.end()
        if kind == "x":
            current.append(Code(number, markup.get(match.group(0), ""), "", None))
        elif not closing:
            stack.append((number, []))
        elif stack[-1][0] == number:
            opened, inner = stack.pop()
            start, end = markup.get(f"<g{opened}>", ""), markup.get(f"</g{opened}>", "")
            stack[-1][1].append(Code(opened, start, end, CodeTree(tuple(inner))))
        else:
            current.append(match.group(0))
    if position < len(text):
        stack[-1][1].append(text[position:])
    while len(stack) > 1:  # an unclosed pair: its opening tag stays text
        opened, inner = stack.pop()
        stack[-1][1].extend([f"<g{opened}>", *inner])
    return CodeTree(tuple(stack[0][1]))
