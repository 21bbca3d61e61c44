"""Front matter: find it, read it, and edit values in place. Pure functions of text.

python-frontmatter's loads/dumps strip text, turn CRLF into LF and re-dump
YAML, so it is never used to write. Parsers (PyYAML, tomllib, json) only
read values and give positions; edits splice the original text, so comments,
key order, quoting and dates of everything else stay byte-identical.

Formats, as Hugo and python-frontmatter know them: YAML between `---`
lines, TOML between `+++` lines, JSON as an object at the top of the file.
A block that is opened but never closed is an error (Hugo refuses it too).
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import tomllib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import yaml

from translator.errors import FrontMatterError, NestingError
from translator.markdown import _fields, _scalars
from translator.markdown._hardened import (
    JSON_DECODER,
    FastYamlLoader,
    YamlLoader,
    check_nesting,
    load_json,
    load_toml,
)

__all__ = (
    "DEFAULT_TRANSLATABLE_KEYS",
    "Document",
    "Field",
    "body",
    "parse_document",
    "read_values",
    "replace_fields",
    "set_values",
)

DEFAULT_TRANSLATABLE_KEYS: tuple[str, ...] = (
    "title",
    "description",
    "summary",
    "subtitle",
    "linkTitle",
    "cover.alt",
    "cover.caption",
)
FrontMatterFormat = Literal["yaml", "toml", "json"]

_DELIMITERS: Mapping[str, FrontMatterFormat] = MappingProxyType({"---": "yaml", "+++": "toml"})
_OPENING = re.compile(r"(---|\+\+\+)[ \t]*\r?\n")
_TOML_KEY = re.compile(r"""[ \t]*("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[A-Za-z0-9_-]+)[ \t]*=[ \t]*""")
_SAFE_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n#]*")
_WORD_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*")
"""Plain scalars YAML reads back as the same string without asking it: a letter first
(no number, date or `.inf`), no indicator or space; the words below aside."""
_YAML_WORDS = frozenset({"yes", "no", "true", "false", "on", "off", "null"})
"""PyYAML's booleans and null (any case it knows is one of these, lowered)."""


@dataclass(frozen=True, slots=True)
class Field:
    """One translatable string value of the front matter."""

    key: str
    """Its label: the dotted path, list items indexed (`title`, `cover.alt`, `keywords[1]`)."""
    value: str
    """The parsed string."""
    start: int
    """Offset in the whole text where the value's raw token begins (quotes included)."""
    end: int
    """Offset just past the raw token."""
    path: tuple[str | int, ...] = ()
    """Keys and list indices from the top of the front matter."""
    style: str = '"'
    """How the source wrote the scalar (see `_fields.Scalar.style`)."""


@dataclass(frozen=True, slots=True)
class Document:
    """A post's text split into front matter and body."""

    text: str
    """The whole original text."""
    format: FrontMatterFormat | None
    """`yaml`, `toml`, `json`, or None when there is no front matter."""
    content_start: int
    """Offset where the front matter's content starts (after the opening line)."""
    content_end: int
    """Offset where its content ends (the closing line starts)."""
    body_start: int
    """Offset where the body starts (after the closing line and its newline)."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """The parsed front matter."""
    fields: tuple[Field, ...] = ()
    """Translatable string fields, in document order."""


def parse_document(
    text: str, *, translatable_keys: Sequence[str] = DEFAULT_TRANSLATABLE_KEYS
) -> Document:
    """Split and parse; `FrontMatterError` (with a line) when the front matter is invalid.

    `translatable_keys` are dotted patterns (`title`, `cover.alt`, `params.*.caption`);
    one naming a list covers each string in it.
    """
    start = 1 if text.startswith("\ufeff") else 0
    bounds = _bounds(text, start)
    if bounds is None:
        return Document(text, None, start, start, start)
    kind, content_start, content_end, body_start = bounds
    content = text[content_start:content_end]
    line = text.count("\n", 0, content_start) + 1
    check_nesting(content, line=line)
    try:
        data, scalars = _PARSERS[kind](content, line)
    except RecursionError:  # deep YAML indentation: no bracket to count beforehand
        raise NestingError("front matter nested too deeply to parse", line=line) from None
    fields = tuple(
        Field(
            _fields.label(found.path),
            value,
            content_start + found.start,
            content_start + found.end,
            found.path,
            found.style,
        )
        for found in (scalars if translatable_keys else ())
        if _fields.matches(found.path, translatable_keys)
        and isinstance(value := _fields.value_at(data, found.path), str)
    )
    return Document(text, kind, content_start, content_end, body_start, data, fields)


def body(document: Document) -> str:
    """The text after the front matter."""
    return document.text[document.body_start :]


def read_values(text: str, *, only: Collection[str] = ()) -> Mapping[str, Any]:
    """The parsed front matter of a text ({} when it has none); `only` these top-level keys.

    Values only, no positions: `translator status` and the workbench's index
    read every copy with it. YAML goes through libyaml; whatever libyaml
    refuses is parsed again by `parse_document`, which accepts it or says why.
    """
    start = 1 if text.startswith("\ufeff") else 0
    bounds = _bounds(text, start)
    if bounds is None or bounds[0] != "yaml":
        return parse_document(text, translatable_keys=()).data
    _, content_start, content_end, _ = bounds
    content = text[content_start:content_end]
    check_nesting(content, line=text.count("\n", 0, content_start) + 1)
    try:
        data = _fast_yaml(content, only)
    except (yaml.YAMLError, RecursionError):
        data = False  # not a mapping: parsed again below, for the error and its line
    if data is None:
        return {}
    if not isinstance(data, dict):
        data = parse_document(text, translatable_keys=()).data
    return {k: v for k, v in data.items() if k in only} if only else data


def _fast_yaml(content: str, only: Collection[str]) -> Any:
    """YAML values through libyaml (a safe loader); with `only`, just those keys are built."""
    if not only:
        return yaml.load(content, Loader=FastYamlLoader)
    loader = FastYamlLoader(content)
    try:
        node = loader.get_single_node()
        if not isinstance(node, yaml.MappingNode) or any(
            k.tag == "tag:yaml.org,2002:merge" for k, _ in node.value
        ):
            return yaml.load(content, Loader=FastYamlLoader)  # `<<` merges keys: build all
        return {
            key.value: loader.construct_object(value, deep=True)
            for key, value in node.value
            if isinstance(key, yaml.ScalarNode) and key.value in only
        }
    finally:
        loader.dispose()


def _bounds(text: str, start: int) -> tuple[FrontMatterFormat, int, int, int] | None:
    opening = _OPENING.match(text, start)
    if opening is not None:
        delimiter = opening.group(1)
        closing = re.compile(rf"^{re.escape(delimiter)}[ \t]*(?:\r?\n|\Z)", re.MULTILINE)
        found = closing.search(text, opening.end())
        if found is None:
            raise FrontMatterError(
                f"front matter opened with {delimiter} is never closed",
                line=1,
                hint=f"add a line {delimiter} after the front matter",
            )
        return _DELIMITERS[delimiter], opening.end(), found.start(), found.end()
    # `{{` opens a shortcode, never a JSON object.
    if text.startswith("{", start) and not text.startswith("{{", start):
        try:
            check_nesting(text[start:], line=1, one_value=True)
            _, end = JSON_DECODER.raw_decode(text, start)
        except json.JSONDecodeError as error:
            raise FrontMatterError(
                f"invalid JSON front matter: {error.msg}", line=error.lineno
            ) from None
        newline = re.compile(r"[ \t]*(?:\r?\n|\Z)").match(text, end)
        return "json", start, end, newline.end() if newline else end
    return None


Spans = dict[str, tuple[int, int]]
_Parsed = tuple[dict[str, Any], list[_fields.Scalar]]


def _parse_yaml(content: str, line: int) -> _Parsed:
    try:
        node, data = _load_yaml_node(content)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = line + mark.line if mark is not None else line
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise FrontMatterError(f"invalid YAML front matter: {problem}", line=where) from None
    if data is None:
        return {}, []
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise FrontMatterError("YAML front matter is not a mapping of keys", line=line)
    return data, list(_fields.yaml_scalars(content, node))


def _load_yaml_node(content: str) -> tuple[yaml.Node | None, Any]:
    """The node tree and the data of a YAML text, scanned once (what `yaml.compose` and
    `yaml.load` give: a front matter was scanned twice, the larger part of reading it)."""
    if "<<" in content or "merge" in content:
        # Building a merge key's mapping (`<<`, `!!merge`) rewrites its node in place.
        return yaml.compose(content, Loader=YamlLoader), _load_yaml(content)
    # libyaml composes with the same marks (character indices, also past ASCII) and the
    # same constructors build the values, several times faster. It accepts tabs the pure
    # loader refuses (`key:<tab>value`), so a text with tabs keeps the pure loader's answer.
    if "\t" not in content:
        try:
            return _compose_and_load(FastYamlLoader, content)
        except (yaml.YAMLError, UnicodeError):
            pass  # The pure loader's message and line are the ones users are shown.
    return _compose_and_load(YamlLoader, content)


def _compose_and_load(
    kind: type[YamlLoader | FastYamlLoader], content: str
) -> tuple[yaml.Node | None, Any]:
    loader = kind(content)  # safe: SafeLoader and CSafeLoader subclasses
    try:
        node = loader.get_single_node()
        return node, None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


def _parse_toml(content: str, line: int) -> _Parsed:
    try:
        data = load_toml(content)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        where = line + int(found.group(1)) - 1 if found else line
        raise FrontMatterError(f"invalid TOML front matter: {error}", line=where) from None
    return data, list(_fields.toml_scalars(content, data))


def _toml_key(raw: str) -> str:
    if raw.startswith('"'):
        return str(tomllib.loads(f"k = {raw}")["k"])
    return raw.strip("'")


def _parse_json(content: str, line: int) -> _Parsed:
    data = load_json(content)
    if not isinstance(data, dict):
        raise FrontMatterError("JSON front matter is not an object", line=line)
    return data, list(_fields.json_scalars(content))


def _skip_json_space(content: str, position: int) -> int:
    while position < len(content) and content[position] in " \t\r\n":
        position += 1
    return position


_PARSERS = {"yaml": _parse_yaml, "toml": _parse_toml, "json": _parse_json}


def replace_fields(document: Document, values: Mapping[str, str]) -> str:
    """The text with those fields' values replaced, in the style the source wrote them.

    Each value gets the first raw token (its own style first, see `_scalars`) that
    parses back to exactly that value in its place.
    """
    assert document.format is not None or not values
    kind = document.format or "yaml"
    text, end = document.text, document.content_end
    for found in sorted(document.fields, key=lambda f: f.start, reverse=True):
        if found.key not in values:
            continue
        raw, wanted = text[found.start : found.end], values[found.key]
        for candidate in _scalars.candidates(kind, found.style, raw, wanted):
            attempt = text[: found.start] + candidate + text[found.end :]
            attempt_end = end + len(candidate) - len(raw)
            if _reads_back(kind, attempt[document.content_start : attempt_end], found, wanted):
                break
        text, end = attempt, attempt_end
    return text


def _reads_back(kind: FrontMatterFormat, content: str, found: Field, wanted: str) -> bool:
    try:
        data = _LOADERS[kind](content)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, ValueError):
        return False
    return bool(_fields.value_at(data, found.path) == wanted)


def _load_yaml(content: str) -> Any:
    return yaml.load(content, Loader=YamlLoader)  # safe: a SafeLoader subclass


_LOADERS: Mapping[str, Callable[[str], Any]] = MappingProxyType(
    {"yaml": _load_yaml, "toml": load_toml, "json": load_json}
)


def _yaml_scalar(value: str, *, style: str = '"') -> str:
    """A YAML scalar that loads back as exactly `value`, in the given style when it can."""
    if (
        style not in ('"', "'")
        and _WORD_PLAIN.fullmatch(value)
        and value.lower() not in _YAML_WORDS
    ):
        return value  # the stamp's engine, model, status and paths: no YAML load needed
    candidates = []
    if style not in ('"', "'") and _SAFE_PLAIN.fullmatch(value) and value == value.strip():
        candidates.append(value)
    if style == "'" and "\n" not in value:
        candidates.append("'" + value.replace("'", "''") + "'")
    # The double-quoted form is the answer whether or not it is tried: it is not.
    for candidate in candidates:
        if _loads_yaml_scalar(candidate) == value:
            return candidate
    return _yaml_double(value)


_yaml_double = _scalars.yaml_double


def _loads_yaml_scalar(candidate: str) -> object:
    # A run writes the same engine, status and date into every copy's stamp, and a YAML
    # load costs more than the rest of setting them: short values are loaded once.
    return _load_short_scalar(candidate) if len(candidate) <= 100 else _load_scalar(candidate)


def _load_scalar(candidate: str) -> object:
    try:
        return yaml.safe_load(f"k: {candidate}\n")["k"]
    except yaml.YAMLError:
        return None


_load_short_scalar = functools.lru_cache(maxsize=1024)(_load_scalar)


def _toml_string(value: str, *, literal: bool = False) -> str:
    if literal and "'" not in value and not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", value):
        return f"'{value}'"
    quoted = json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    return quoted.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def set_values(text: str, updates: Mapping[str, object]) -> str:
    """Set top-level keys to scalars or one-level mappings, in place or appended.

    A text without front matter gets a YAML one. Line endings are kept.
    """
    document = parse_document(text, translatable_keys=())
    if document.format is None:
        newline = "\r\n" if "\r\n" in text else "\n"
        head = "".join(_yaml_entry(k, v, newline) for k, v in updates.items())
        start = document.body_start
        return f"{text[:start]}---{newline}{head}---{newline}{text[start:]}"
    newline = "\r\n" if "\r\n" in text[: document.body_start] else "\n"
    if document.format == "yaml":
        done = _set_yaml_keys(document, updates, newline)
        if done is not None:
            return done
    for key, value in updates.items():
        # The text was parsed (and so checked) above, and each setter writes valid
        # front matter: only the block's bounds are needed again, not its values.
        text = _SETTERS[document.format](_framed(text), key, value, newline)
    return text


def _set_yaml_keys(document: Document, updates: Mapping[str, object], newline: str) -> str | None:
    """`set_values` on a YAML mapping from one reading of it (setting key after key read the
    front matter three times per key); None when it is not a plain block mapping."""
    content = document.text[document.content_start : document.content_end]
    node = _compose(content) if content.strip() else None
    if node is not None and not isinstance(node, yaml.MappingNode):
        return None
    spans: dict[str, tuple[int, int]] = {}
    for key_node, value_node in node.value if node is not None else []:
        if isinstance(key_node.value, str) and key_node.value not in spans:
            end = _line_end(content, value_node.end_mark.index)
            spans[key_node.value] = (key_node.start_mark.index, end)
    replaced = sorted(spans[key] for key in updates if key in spans)
    if any(a[1] > b[0] for a, b in itertools.pairwise(replaced)):
        return None  # keys sharing a line (a flow mapping): one by one, as before
    text, base = document.text, document.content_start
    appended = "".join(_yaml_entry(k, v, newline) for k, v in updates.items() if k not in spans)
    text = text[: document.content_end] + appended + text[document.content_end :]
    for key, value in sorted(
        ((k, v) for k, v in updates.items() if k in spans), key=lambda kv: -spans[kv[0]][0]
    ):
        start, end = spans[key]
        text = text[: base + start] + _yaml_entry(key, value, newline) + text[base + end :]
    return text


def _compose(content: str) -> yaml.Node | None:
    """The node tree of a YAML text: libyaml's where it is exact (see `_load_yaml_node`)."""
    if "\t" not in content:
        try:
            return yaml.compose(content, Loader=FastYamlLoader)
        except (yaml.YAMLError, UnicodeError):
            pass
    return yaml.compose(content, Loader=yaml.SafeLoader)


def _framed(text: str) -> Document:
    """The document's front matter bounds and format, its values left unparsed."""
    start = 1 if text.startswith("\ufeff") else 0
    bounds = _bounds(text, start)
    if bounds is None:
        return Document(text, None, start, start, start)
    kind, content_start, content_end, body_start = bounds
    return Document(text, kind, content_start, content_end, body_start)


def _yaml_entry(key: str, value: object, newline: str) -> str:
    if isinstance(value, Mapping):
        inner = "".join(f"  {k}: {_yaml_value(v)}{newline}" for k, v in value.items())
        return f"{key}:{newline}{inner}" if value else f"{key}: {{}}{newline}"
    return f"{key}: {_yaml_value(value)}{newline}"


def _yaml_value(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return _yaml_scalar(str(value), style="")


def _set_yaml(document: Document, key: str, value: object, newline: str) -> str:
    content = document.text[document.content_start : document.content_end]
    entry = _yaml_entry(key, value, newline)
    node = yaml.compose(content, Loader=yaml.SafeLoader) if content.strip() else None
    for key_node, value_node in node.value if isinstance(node, yaml.MappingNode) else []:
        if key_node.value == key:
            start = document.content_start + key_node.start_mark.index
            end = document.content_start + _line_end(content, value_node.end_mark.index)
            return document.text[:start] + entry + document.text[end:]
    at = document.content_end
    return document.text[:at] + entry + document.text[at:]


def _line_end(content: str, index: int) -> int:
    """Just past the line break ending the line that `index` is on (or at its start)."""
    if index > 0 and content[index - 1] == "\n":
        return index
    newline = content.find("\n", index)
    return len(content) if newline < 0 else newline + 1


def _set_toml(document: Document, key: str, value: object, newline: str) -> str:
    entry = f"{key} = {_toml_value(value)}{newline}"
    text, start, end = document.text, document.content_start, document.content_end
    lines = text[start:end].splitlines(keepends=True)
    offset, insert_at = start, end
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            insert_at = min(insert_at, offset)
            if stripped.strip("[]").strip() == key:
                table_end = _toml_table_end(text, offset + len(line), end)
                return _set_toml_at(text[:offset] + text[table_end:], offset, insert_at, entry)
        match = _TOML_KEY.match(line)
        if match and insert_at == end and _toml_key(match.group(1)) == key:
            return text[:offset] + entry + text[offset + len(line) :]
        offset += len(line)
    return text[:insert_at] + entry + text[insert_at:]


def _set_toml_at(text: str, removed_at: int, insert_at: int, entry: str) -> str:
    at = min(insert_at, removed_at)
    return text[:at] + entry + text[at:]


def _toml_table_end(text: str, position: int, end: int) -> int:
    for match in re.finditer(r"^[ \t]*\[", text[position:end], re.MULTILINE):
        return position + match.start()
    return end


def _toml_value(value: object) -> str:
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_toml_bare_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return f"{{ {inner} }}" if inner else "{}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return _toml_string("" if value is None else str(value))


def _toml_bare_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


def _set_json(document: Document, key: str, value: object, newline: str) -> str:
    content = document.text[document.content_start : document.content_end]
    spans = _json_value_spans(content)
    encoded = json.dumps(value, ensure_ascii=False)
    if key in spans:
        start, end = (document.content_start + i for i in spans[key])
        return document.text[:start] + encoded + document.text[end:]
    closing = document.content_start + content.rstrip().rfind("}")
    before = document.text[:closing].rstrip()
    separator = "," if not before.endswith("{") else ""
    indent = re.search(r"\n([ \t]*)\"", content)
    pad = indent.group(1) if indent else "  "
    addition = f"{separator}{newline}{pad}{json.dumps(key)}: {encoded}{newline}"
    return before + addition + document.text[closing:]


def _json_value_spans(content: str) -> Spans:
    spans: Spans = {}
    decoder = JSON_DECODER
    position = _skip_json_space(content, 1)
    while position < len(content) and content[position] == '"':
        key, position = json.decoder.scanstring(content, position + 1)  # type: ignore[attr-defined]
        position = _skip_json_space(content, _skip_json_space(content, position) + 1)
        _, end = decoder.raw_decode(content, position)
        spans[key] = (position, end)
        position = _skip_json_space(content, end)
        position = _skip_json_space(content, position + 1) if content[position] == "," else position
    return spans


_SETTERS = {"yaml": _set_yaml, "toml": _set_toml, "json": _set_json}
