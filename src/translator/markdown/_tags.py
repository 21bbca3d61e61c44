"""Reading the tags back out of an engine's output, and repairing what can be repaired.

Machine translation drops, duplicates, reorders and mangles tags. The repair
strategy, in order:

1. Tags are recognised loosely (`< / g1 >`, `<G1>` are `</g1>`, `<g1>`).
2. Tags the segment never had are dropped.
3. A tag that comes back twice keeps its first occurrence.
4. A closing tag that comes before its opening tag is swapped with it.
5. Whitespace just inside a paired tag moves outside it (`<g1> mot </g1>` →
   ` <g1>mot</g1> `): emphasis next to a space is not emphasis in Markdown.
6. A placeholder (`<x1/>`: code, URL, shortcode…) that went missing is put
   back at the end of the segment, so its content is never lost.

What cannot be repaired keeps the source segment: a paired tag with a side
missing, or two paired tags that cross (`<g1>a<g2>b</g1>c</g2>`). Every
repair and every fallback is reported, so the segment is flagged for review.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_TAG = re.compile(r"<\s*(/?)\s*([gxGX])\s*(\d+)\s*(/?)\s*>")


@dataclass(frozen=True, slots=True)
class TagToken:
    """A tag found in an engine's output."""

    name: str
    """`g1`, `x2`: the tag's name in the segment."""
    kind: str
    """`open`, `close` or `empty`."""

    @property
    def text(self) -> str:
        """The tag as the segment wrote it."""
        if self.kind == "empty":
            return f"<{self.name}/>"
        return f"</{self.name}>" if self.kind == "close" else f"<{self.name}>"


Item = str | TagToken


class TagRepairError(Exception):
    """The engine's tags cannot be repaired; the source segment is kept."""


def read_tags(translation: str, known: Iterable[str]) -> tuple[list[Item], list[str]]:
    """Words and tags of a translation, repaired; and a note for each repair made.

    `known` are the tags of the source segment (`<g1>`, `</g1>`, `<x2/>`).
    Raises `TagRepairError` when the tags cannot be made whole.
    """
    known_names = {_name_of(tag) for tag in known}
    notes: list[str] = []
    items = _tokenize(translation, known_names, notes)
    items = _drop_duplicates(items, notes)
    items = _restore_missing(items, known_names, notes)
    items = _swap_reversed(items, notes)
    _check_nesting(items)
    return _move_edge_spaces(items), notes


def _name_of(tag: str) -> str:
    match = _TAG.fullmatch(tag)
    assert match is not None, tag
    return f"{match.group(2).lower()}{match.group(3)}"


def _tokenize(text: str, known: set[str], notes: list[str]) -> list[Item]:
    items: list[Item] = []
    position = 0
    for match in _TAG.finditer(text):
        if match.start() > position:
            items.append(text[position : match.start()])
        position = match.end()
        name = f"{match.group(2).lower()}{match.group(3)}"
        if name not in known:
            notes.append(f"dropped invented tag {match.group(0)}")
            continue
        if name.startswith("x"):
            kind = "empty"
        elif match.group(4):
            notes.append(f"dropped malformed tag {match.group(0)}")
            continue
        else:
            kind = "close" if match.group(1) else "open"
        if match.group(0) != TagToken(name, kind).text:
            notes.append(f"read {match.group(0)!r} as {TagToken(name, kind).text}")
        items.append(TagToken(name, kind))
    if position < len(text):
        items.append(text[position:])
    return items


def _drop_duplicates(items: Sequence[Item], notes: list[str]) -> list[Item]:
    seen: set[tuple[str, str]] = set()
    kept: list[Item] = []
    for item in items:
        if isinstance(item, TagToken):
            key = (item.name, item.kind)
            if key in seen:
                notes.append(f"dropped duplicate {item.text}")
                continue
            seen.add(key)
        kept.append(item)
    return kept


def _restore_missing(items: list[Item], known: set[str], notes: list[str]) -> list[Item]:
    present = {(i.name, i.kind) for i in items if isinstance(i, TagToken)}
    for name in sorted(known):
        if name.startswith("x") and (name, "empty") not in present:
            notes.append(f"placeholder <{name}/> was missing: put back at the end")
            items.append(TagToken(name, "empty"))
        elif name.startswith("g"):
            missing = [k for k in ("open", "close") if (name, k) not in present]
            if missing:
                raise TagRepairError(f"tag <{name}> lost its {' and '.join(missing)}")
    return items


def _swap_reversed(items: list[Item], notes: list[str]) -> list[Item]:
    where = {(i.name, i.kind): n for n, i in enumerate(items) if isinstance(i, TagToken)}
    for (name, kind), close_at in where.items():
        open_at = where.get((name, "open"))
        if kind == "close" and open_at is not None and close_at < open_at:
            items[close_at], items[open_at] = items[open_at], items[close_at]
            notes.append(f"swapped reversed </{name}> and <{name}>")
    return items


def _check_nesting(items: Sequence[Item]) -> None:
    stack: list[str] = []
    for item in items:
        if not isinstance(item, TagToken) or item.kind == "empty":
            continue
        if item.kind == "open":
            stack.append(item.name)
        elif not stack or stack.pop() != item.name:
            raise TagRepairError(f"tags cross at </{item.name}>")


def _move_edge_spaces(items: Sequence[Item]) -> list[Item]:
    """Move whitespace from just inside paired tags to just outside them."""
    result: list[Item] = []
    for item in items:
        if isinstance(item, str):
            opened: list[Item] = []
            while result and isinstance(result[-1], TagToken) and result[-1].kind == "open":
                opened.insert(0, result.pop())
            words = item.lstrip() if opened else item
            result.extend([item[: len(item) - len(words)], *opened, words])
        elif item.kind == "close" and result and isinstance(result[-1], str):
            words = result[-1].rstrip()
            space = result[-1][len(words) :]
            result[-1:] = [words, item, space]
        else:
            result.append(item)
    return _merge_words(result)


def _merge_words(items: Sequence[Item]) -> list[Item]:
    merged: list[Item] = []
    for is_words, group in itertools.groupby((i for i in items if i != ""), key=_is_words):
        run = list(group)
        merged.extend(["".join(run)] if is_words else run)  # type: ignore[arg-type]
    return merged


def _is_words(item: Item) -> bool:
    return isinstance(item, str)
