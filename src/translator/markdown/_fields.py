"""Where each string value of a front matter sits: its path, its span and its style. Pure.

The parsers give values (PyYAML also gives positions); this module finds
every string scalar at any depth, with the offsets of its raw token in the
front matter text, so a translation can be spliced in without touching any
other byte. A path is a tuple of keys and list indices: `("cover", "alt")`,
`("keywords", 2)`. `matches` decides which paths are translatable from the
site's patterns (`cover.alt`, `params.*.caption`; a pattern naming a list
covers each of its strings).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

import yaml

from translator.markdown._hardened import JSON_DECODER

__all__ = ("Scalar", "json_scalars", "label", "matches", "toml_scalars", "value_at", "yaml_scalars")

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Scalar:
    """One string value in a front matter."""

    path: Path
    """Keys and list indices from the top of the front matter."""
    start: int
    """Offset of its raw token in the front matter content (quotes or `>-` header included)."""
    end: int
    """Offset just past the raw token."""
    style: str
    """How the source wrote it: YAML `plain`, `'`, `"`, `>`, `|`; TOML `"`, `'`, `\"\"\"`,
    `'''`; JSON `"`."""


def label(path: Path) -> str:
    """`cover.alt`, `keywords[2]`: how a slot is named to editors and matched across runs."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def matches(path: Path, patterns: Sequence[str]) -> bool:
    """Whether a dotted pattern names this path; list indices are transparent, keys case-blind."""
    keys = [str(p).lower() for p in path if isinstance(p, str)]
    return any(_match(keys, pattern.lower().split(".")) for pattern in patterns)


def _match(keys: Sequence[str], parts: Sequence[str]) -> bool:
    return len(keys) == len(parts) and all(map(fnmatchcase, keys, parts))


def value_at(data: Any, path: Path) -> Any:
    """The value at a path, or None when the path is not there."""
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


# -- YAML ------------------------------------------------------------------------------


def yaml_scalars(content: str, node: yaml.Node | None) -> Iterator[Scalar]:
    """Every string scalar of a composed YAML document, with its path.

    An alias (`*name`) is the node of its anchor: only the anchor's path is given, so no
    span is ever replaced twice.
    """
    seen: set[int] = set()
    for found in _yaml_walk(content, node, ()):
        if found.start not in seen:
            seen.add(found.start)
            yield found


def _yaml_walk(content: str, node: yaml.Node | None, path: Path) -> Iterator[Scalar]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                yield from _yaml_walk(content, value_node, (*path, str(key_node.value)))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _yaml_walk(content, item, (*path, index))
    elif isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str") and path:
        end: int = node.end_mark.index
        # A block scalar's end mark includes its last line break; the break is not the value's.
        while node.style in ("|", ">") and end > 0 and content[end - 1] in "\r\n":
            end -= 1
        yield Scalar(path, node.start_mark.index, end, node.style or "plain")


# -- TOML ------------------------------------------------------------------------------

_TOML_KEY_PART = re.compile(r"""[ \t]*("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[A-Za-z0-9_-]+)[ \t]*""")
_TOML_HEADER = re.compile(r"[ \t]*(\[\[?)")


def toml_scalars(content: str, data: dict[str, Any]) -> Iterator[Scalar]:
    """Every string (alone or in an array) of a TOML document, with its path.

    tomllib gives no positions, so the keys are scanned here; inline tables are skipped.
    """
    table: Path = ()
    counts: dict[Path, int] = {}
    position = 0
    while position < len(content):
        line_end = content.find("\n", position)
        line_end = len(content) if line_end < 0 else line_end + 1
        header = _TOML_HEADER.match(content, position)
        if header is not None:
            keys, _ = _toml_keys(content, header.end())
            table = tuple(keys)
            if header.group(1) == "[[":
                counts[table] = counts.get(table, -1) + 1
                table = (*table, counts[table])
            position = line_end
            continue
        keys, after = _toml_keys(content, position)
        if keys and content.startswith("=", after):
            value_start = _skip(content, after + 1, " \t")
            found, value_end = _toml_value(content, value_start, (*table, *keys))
            yield from found
            position = max(line_end, content.find("\n", value_end) + 1 or len(content))
            continue
        position = line_end


def _toml_keys(content: str, position: int) -> tuple[list[str], int]:
    """A dotted key at `position`, and where it ends."""
    keys: list[str] = []
    while (match := _TOML_KEY_PART.match(content, position)) is not None:
        raw = match.group(1)
        keys.append(str(tomllib.loads(f"k = {raw}")["k"]) if raw[0] in "\"'" else raw)
        position = match.end()
        if not content.startswith(".", position):
            break
        position += 1
    return keys, position


def _toml_value(content: str, start: int, path: Path) -> tuple[list[Scalar], int]:
    """The strings of the value at `start` (a string or an array of them), and its end."""
    end = _toml_string_end(content, start)
    if end is not None:
        return [Scalar(path, start, end, _toml_style(content, start))], end
    if not content.startswith("[", start):
        return [], start
    found: list[Scalar] = []
    position, index = start + 1, 0
    while position < len(content) and content[position] != "]":
        position = _skip_toml_space(content, position)
        end = _toml_string_end(content, position)
        if end is None:
            if content.startswith("]", position):
                break
            return [], position  # an array of something else: not prose
        found.append(Scalar((*path, index), position, end, _toml_style(content, position)))
        index += 1
        position = _skip_toml_space(content, end)
        if content.startswith(",", position):
            position += 1
    return found, position


def _toml_style(content: str, start: int) -> str:
    for quote in ('"""', "'''", '"', "'"):
        if content.startswith(quote, start):
            return quote
    return '"'


def _skip(content: str, position: int, chars: str) -> int:
    while position < len(content) and content[position] in chars:
        position += 1
    return position


def _skip_toml_space(content: str, position: int) -> int:
    while True:
        position = _skip(content, position, " \t\r\n")
        if not content.startswith("#", position):
            return position
        position = content.find("\n", position)
        if position < 0:
            return len(content)


def _toml_string_end(content: str, start: int) -> int | None:
    """Where a TOML string value starting at `start` ends, or None if it is not a string."""
    for quote in ('"""', "'''", '"', "'"):
        if content.startswith(quote, start):
            position = start + len(quote)
            while position < len(content):
                if quote[0] == '"' and content[position] == "\\":
                    position += 2
                    continue
                if content.startswith(quote, position):
                    end = position + len(quote)
                    while content.startswith(quote[0], end) and len(quote) == 3:
                        end += 1  # """a"""" ends with the last quote
                    return end
                position += 1
            return None
    return None


# -- JSON ------------------------------------------------------------------------------


def json_scalars(content: str) -> Iterator[Scalar]:
    """Every string value of a JSON object, with its path."""
    found: list[Scalar] = []
    _json_walk(content, _skip(content, 0, " \t\r\n"), (), found)
    yield from found


def _json_walk(content: str, position: int, path: Path, found: list[Scalar]) -> int:
    """Scan the value at `position`, collecting strings; return where it ends."""
    char = content[position]
    if char == '"':
        _, end = json.decoder.scanstring(content, position + 1)  # type: ignore[attr-defined]
        if path:
            found.append(Scalar(path, position, end, '"'))
        return int(end)
    if char not in "{[":
        _, end = JSON_DECODER.raw_decode(content, position)  # long integers stay text
        return int(end)
    closing, index = ("}" if char == "{" else "]"), 0
    position = _skip(content, position + 1, " \t\r\n")
    while content[position] != closing:
        key: str | int = index
        if char == "{":
            key, position = json.decoder.scanstring(content, position + 1)  # type: ignore[attr-defined]
            position = _skip(content, _skip(content, position, " \t\r\n") + 1, " \t\r\n")
        position = _skip(content, _json_walk(content, position, (*path, key), found), " \t\r\n")
        if content[position] == ",":
            position = _skip(content, position + 1, " \t\r\n")
        index += 1
    return position + 1
