"""Front matter parsers hardened against hostile input. Pure functions of text.

- Integers longer than Python's 4,300-digit conversion limit (`weight = 9…9`)
  would raise `ValueError` in json, tomllib and PyYAML. They are not
  translatable values: they are read as `LongNumber` (their text) and, like
  every value that is not translated, kept byte for byte in the copy.
- Nesting deeper than `MAX_NESTING` brackets (`[[[[…`) would exhaust the
  recursion of json, tomllib and PyYAML: it is refused with `NestingError`
  before parsing, the count made by a loop, not by recursion.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from typing import Any, Protocol

import yaml

from translator.errors import NestingError

__all__ = (
    "JSON_DECODER",
    "MAX_NESTING",
    "FastYamlLoader",
    "LongNumber",
    "YamlLoader",
    "check_inline_nesting",
    "check_nesting",
    "load_json",
    "load_toml",
)

MAX_NESTING = 100
"""Deepest nesting of brackets in front matter, and of inline markup in one block."""

_DIGITS = 4000  # under CPython's default int_max_str_digits (4300), whatever the sign or `_`
_BRACKETS = re.compile(r"[\[\]{}]")
_TOML_LONG_INTEGER = re.compile(
    rf"([=\[,][ \t]*)([+-]?[0-9][0-9_]{{{_DIGITS},}})(?=[ \t]*[\]\r\n,#}}]|$)"
)


class LongNumber(str):
    """An integer too long to convert: kept as its text (never translated, never rewritten)."""

    __slots__ = ()


def _json_int(text: str) -> int | LongNumber:
    return int(text) if len(text) < _DIGITS else LongNumber(text)


JSON_DECODER = json.JSONDecoder(parse_int=_json_int)
"""A JSON decoder that reads over-long integers as `LongNumber`."""


def load_json(content: str) -> Any:
    """`json.loads`, with over-long integers as `LongNumber`."""
    return JSON_DECODER.decode(content)


def load_toml(content: str) -> dict[str, Any]:
    """`tomllib.loads`, with over-long integers as `LongNumber` (tomllib has no hook for them)."""
    try:
        return tomllib.loads(content)
    except ValueError as error:
        if isinstance(error, tomllib.TOMLDecodeError) or "integer string" not in str(error):
            raise
    # Quote each over-long integer value, parse again, and mark those strings as numbers.
    longs: set[str] = set()

    def quote(match: re.Match[str]) -> str:
        longs.add(match.group(2))
        return f'{match.group(1)}"{match.group(2)}"'

    data = tomllib.loads(_TOML_LONG_INTEGER.sub(quote, content))
    marked: dict[str, Any] = _mark_longs(data, longs)
    return marked


def _mark_longs(data: Any, longs: set[str]) -> Any:
    """`data` with every string in `longs` made a `LongNumber` (iteratively: no recursion)."""
    stack = [data]
    while stack:
        node = stack.pop()
        pairs = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(pairs):
            if isinstance(value, str) and value in longs:
                node[key] = LongNumber(value)
            elif isinstance(value, dict | list):
                stack.append(value)
    return data


class YamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader, reading over-long integers as `LongNumber`."""


def _yaml_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | LongNumber:
    try:
        return int(loader.construct_yaml_int(node))
    except ValueError:
        return LongNumber(str(loader.construct_scalar(node)))


YamlLoader.add_constructor("tag:yaml.org,2002:int", _yaml_int)

try:  # libyaml, when PyYAML was built with it: the same values, parsed ten times faster
    from yaml import CSafeLoader as _FastBase
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _FastBase  # type: ignore[assignment]


class FastYamlLoader(_FastBase):
    """`YamlLoader`'s values through libyaml's parser (the constructors are the same)."""


FastYamlLoader.add_constructor("tag:yaml.org,2002:int", _yaml_int)


def check_nesting(content: str, *, line: int, one_value: bool = False) -> None:
    """`NestingError` when brackets nest deeper than `MAX_NESTING` (strings counted too).

    `one_value`: stop where the first bracketed value closes (JSON front
    matter, whose end is not known before it is parsed).
    """
    depth = deepest = 0
    for match in _BRACKETS.finditer(content):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            raise NestingError(
                f"front matter nested more than {MAX_NESTING} levels deep",
                line=line + content.count("\n", 0, match.start()),
                hint=f"flatten it: {MAX_NESTING} levels of [ and {{ at most",
            )
        if one_value and depth == 0:
            return


class _Token(Protocol):
    @property
    def nesting(self) -> int: ...


def check_inline_nesting(tokens: Sequence[_Token], *, line: int) -> None:
    """`NestingError` when a block's inline markup (`***…`) nests deeper than `MAX_NESTING`.

    The segmenter walks nested markup recursively; 700 nested `*` on one line
    would exhaust Python's stack, so the depth is counted first, in a loop.
    """
    depth = 0
    for token in tokens:
        depth += token.nesting
        if depth > MAX_NESTING:
            raise NestingError(
                f"inline markup (emphasis, links…) nested more than {MAX_NESTING} levels deep",
                line=line,
                hint=f"simplify that line: {MAX_NESTING} nested levels at most",
            )
