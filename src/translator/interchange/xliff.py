"""XLIFF 1.2 files for translators, read and written by translate-toolkit.

Why 1.2 and not 2.x: translate-toolkit's XLIFF 1.2 store (`translate.storage.xliff`)
reads and writes inline codes as its own placeables (`<g>` pairs, `<x/>`,
`<bx/>`/`<ex/>`), context groups and the `state` / `approved` attributes, and
its converters (`po2xliff`, `xliff2po`) speak 1.2. Its XLIFF 2.0 store (new in
2025) has no placeables for `<pc>`/`<ph>` (they come back as unknown XML) and
writes notes inside `<segment>`, where the 2.0 schema does not allow them. CAT
tools (OmegaT through Okapi, Trados, memoQ, Poedit, Virtaal) all read 1.2.

One `<file original="content/en/post.md">` per copy; one `<trans-unit
id="s3">` per slot (`s3t1` for the slot's first link title); our `<g1>…</g1>`
become `<g id="1">…</g>` and `<x2/>` becomes `<x id="2"/>`, each with the
Markdown it stands for in `equiv-text`. States: machine → `needs-review-translation`
with `state-qualifier="mt-suggestion"`, conflict and outdated →
`needs-review-translation`, edited → `translated`, reviewed → `signed-off` and
`approved="yes"`. QA flags and conflicts' suggestions are `<note>`s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from lxml import etree
from translate.storage import xliff
from translate.storage.placeables import StringElem
from translate.storage.placeables import xliff as codes

from translator.errors import InterchangeError
from translator.interchange.apply import Incoming
from translator.interchange.output import write_output
from translator.interchange.units import ExchangeUnit, exported_hash, parse_key

__all__ = ("read_xliff", "rich_text", "tagged_text", "write_xliff")

_STATES = {
    "machine": "needs-review-translation",
    "conflict": "needs-review-translation",
    "outdated": "needs-review-translation",
    "edited": "translated",
    "reviewed": "signed-off",
}
_REVIEWED = {"signed-off", "final"}
_TAG = re.compile(r"<(/?)([gx])(\d+)(/?)>")


_XLIFF_12 = "urn:oasis:names:tc:xliff:document:1.2"


class _Unit12(xliff.Xliff1Unit):
    """translate-toolkit's trans-unit, in the 1.2 namespace."""

    namespace = _XLIFF_12


class _Xliff12(xliff.xlifffile):  # type: ignore[type-arg]
    """translate-toolkit's XLIFF store, with the 1.2 namespace (it defaults to 1.1)."""

    UnitClass = _Unit12
    XMLskeleton = xliff.xlifffile.XMLskeleton.replace("1.1", "1.2")
    namespace = _XLIFF_12


def write_xliff(units: Sequence[ExchangeUnit], path: Path, *, source: str, target: str) -> None:
    """Write the units as an XLIFF 1.2 file (one `<file>` per copy)."""
    store = _Xliff12(sourcelanguage=source, targetlanguage=target)
    for unit in units:
        store.switchfile(unit.copy, createifmissing=True)
        store.body.getparent().set("datatype", "x-markdown")
        node = store.UnitClass("")
        node.rich_source = [rich_text(unit.source, unit.codes)]
        store.addunit(node)
        node.setid(unit.key)
        if unit.target is not None:
            node.rich_target = [rich_text(unit.target, unit.codes)]
            _set_state(node, unit)
        else:
            node.addnote("the English markup differs from the French: edit this slot in the copy")
        _add_context(node, unit)
        for note in unit.notes:
            node.addnote(note, origin="translator")
    write_output(path, bytes(store))


def _set_state(node: xliff.Xliff1Unit, unit: ExchangeUnit) -> None:
    target = node.get_target_dom()
    target.set("state", _STATES[unit.state])
    if unit.state == "machine":
        target.set("state-qualifier", "mt-suggestion")
    if unit.state == "reviewed":
        node.markapproved(True)


def _add_context(node: xliff.Xliff1Unit, unit: ExchangeUnit) -> None:
    contexts = [
        ("sourcefile", unit.source_path),
        ("x-slot", unit.label),
        ("x-exported", exported_hash(unit.target or "")),
    ]
    if unit.label.startswith("line "):
        contexts.append(("linenumber", unit.label.removeprefix("line ")))
    if unit.part:
        contexts.append(("x-part", f"title {unit.part}"))
    node.createcontextgroup("slot", contexts, purpose="location")


def rich_text(text: str, markup: dict[str, str]) -> StringElem:
    """Our tagged text as translate-toolkit placeables: `<g>` pairs and `<x/>`."""
    root: list[object] = []
    stack: list[tuple[str, list[object]]] = []
    position = 0
    for match in _TAG.finditer(text):
        current = stack[-1][1] if stack else root
        if match.start() > position:
            current.append(StringElem(text[position : match.start()]))
        position = match.end()
        closing, kind, number, _ = match.groups()
        if kind == "x":
            equiv = {"equiv-text": markup.get(match.group(0), "")}
            current.append(codes.X(id=number, xml_attrib=equiv))
        elif not closing:
            stack.append((number, []))
        else:
            opened, inner = stack.pop()
            pair = markup.get(f"<g{opened}>", "") + "…" + markup.get(f"</g{opened}>", "")
            parent = stack[-1][1] if stack else root
            parent.append(codes.G(id=opened, sub=inner, xml_attrib={"equiv-text": pair}))
    if position < len(text):
        root.append(StringElem(text[position:]))
    return StringElem(root)


def read_xliff(path: Path) -> list[Incoming]:
    """The translated units of an XLIFF 1.x file; `InterchangeError` if it is not one."""
    try:
        store = xliff.xlifffile.parsefile(str(path))
    except (ValueError, etree.XMLSyntaxError, OSError) as error:
        raise InterchangeError(
            f"not an XLIFF 1.x file translator can read ({error})",
            path=path,
            hint="export again with `translator export --format xliff`",
        ) from error
    found: list[Incoming] = []
    for node in store.units:
        copy, _, key = node.getid().partition("\x04")
        where = parse_key(key)
        if where is None:
            raise InterchangeError(
                f"unit {node.getid()!r} was not written by translator", path=path
            )
        found.append(_incoming(node, copy, where, path))
    return found


def _incoming(node: xliff.Xliff1Unit, copy: str, where: tuple[int, int], path: Path) -> Incoming:
    ident = f"{copy}#{node.getid().partition(chr(4))[2]}"
    dom = node.get_target_dom()
    try:
        source = tagged_text(node.rich_source[0])
        target = tagged_text(node.rich_target[0]) if dom is not None else ""
    except ValueError as error:
        return Incoming(copy, *where, ident, "", "", "tagged", problem=str(error))
    state = dom.get("state", "") if dom is not None else ""
    contexts = [pair for group in node.getcontextgroups("slot") for pair in group]
    return Incoming(
        copy,
        *where,
        ident,
        source,
        target,
        "tagged",
        reviewed=node.isapproved() or state in _REVIEWED,
        exported=next((text for kind, text in contexts if kind == "x-exported"), ""),
    )


def tagged_text(elem: object) -> str:
    """translate-toolkit's placeables back to our tagged text; ValueError for a foreign code."""
    if isinstance(elem, str):
        return elem
    if isinstance(elem, codes.G):
        inner = "".join(tagged_text(sub) for sub in elem.sub)
        return f"<g{elem.id}>{inner}</g{elem.id}>"
    if isinstance(elem, codes.X):
        return f"<x{elem.id}/>"
    if isinstance(elem, codes.Bx):
        return f"<g{elem.id}>"
    if isinstance(elem, codes.Ex):
        return f"</g{elem.rid or elem.id}>"
    if type(elem) is StringElem:
        return "".join(tagged_text(sub) for sub in elem.sub)
    raise ValueError(f"inline code {type(elem).__name__} is not one translator wrote")
