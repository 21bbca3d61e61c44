"""A new value for a front matter scalar, written the way the source wrote that scalar. Pure.

`candidates` proposes raw tokens in order of preference: the source's own
style first (plain, quoted, folded `>-`, literal `|`; TOML basic, literal,
multi-line; JSON with or without ASCII escapes), then a style that can hold
any string. The caller keeps the first one that parses back to the value in
its place (a plain scalar fine in a block mapping may break a flow list).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

__all__ = ("candidates", "json_string", "toml_string", "yaml_double", "yaml_plain")

MIN_WIDTH = 60
"""The narrowest a re-folded YAML block scalar gets, whatever its source lines."""
_SAFE_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n#]*")
_YAML_PRINTABLE = re.compile("[\t\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_YAML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_TOML_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def candidates(kind: str, style: str, raw: str, value: str) -> Iterator[str]:
    """Raw tokens for `value`, the source's style first, a style that always works last."""
    if kind == "yaml":
        yield from _yaml(style, raw, value)
        yield yaml_double(value)
    elif kind == "toml":
        yield from _toml(style, value)
        yield toml_string(value)
    else:
        yield json_string(value, ascii_only="\\u" in raw)


def _yaml(style: str, raw: str, value: str) -> Iterator[str]:
    if style == "plain":
        plain = yaml_plain(value)
        if plain is not None:
            yield plain
    elif style == "'" and "\n" not in value:
        yield "'" + value.replace("'", "''") + "'"
    elif style in (">", "|"):
        block = _yaml_block(style, raw, value)
        if block is not None:
            yield block


def yaml_plain(value: str) -> str | None:
    """The value as a plain scalar, if it has a chance to read back as itself."""
    if _SAFE_PLAIN.fullmatch(value) and value == value.strip() and ": " not in value:
        return value
    return None


def _yaml_block(style: str, raw: str, value: str) -> str | None:
    """A folded or literal block scalar with the source's header, indentation and width."""
    header, _, rest = raw.partition("\n")
    lines = rest.split("\n")
    first = next((line for line in lines if line.strip()), "")
    indent = first[: len(first) - len(first.lstrip(" "))]
    if not indent:
        return None
    eol = "\r\n" if header.endswith("\r") else "\n"
    header = header.removesuffix("\r")
    core = value.rstrip("\n")
    if style == ">":
        if "\n" in core:
            return None
        width = max(MIN_WIDTH, *(len(line.rstrip("\r")) for line in lines))
        body = _fold(core, width - len(indent))
    else:
        body = core.split("\n")
    return header + "".join(f"{eol}{indent}{line}" if line else eol for line in body)


def _fold(text: str, width: int) -> list[str]:
    """Break at single spaces only: a line that starts with a space is not folded by YAML."""
    lines: list[str] = []
    for word in re.split(r"(?<=\S) (?=\S)", text):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def yaml_double(value: str) -> str:
    """A YAML double-quoted scalar: printable characters as they are, the rest escaped."""
    out = []
    for char in value:
        if char in _YAML_ESCAPES:
            out.append(_YAML_ESCAPES[char])
        elif _YAML_PRINTABLE.match(char) and char not in "\u2028\u2029\ufeff":
            out.append(char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def _toml(style: str, value: str) -> Iterator[str]:
    if style == "'":
        if "'" not in value and not _TOML_CONTROL.search(value):
            yield f"'{value}'"
    elif style == "'''":
        control = re.search(r"[\x00-\x08\x0b-\x1f\x7f]", value.replace("\r\n", "\n"))
        fits = "'''" not in value and not value.startswith("\n") and not value.endswith("'")
        if fits and not control:
            yield f"'''{value}'''"
    elif style == '"""':
        yield '"""' + toml_string(value)[1:-1] + '"""'


def toml_string(value: str) -> str:
    """A TOML basic string."""
    quoted = json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    return quoted.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def json_string(value: str, *, ascii_only: bool = False) -> str:
    """A JSON string, with `\\u` escapes if the source used them."""
    return json.dumps(value, ensure_ascii=ascii_only)
