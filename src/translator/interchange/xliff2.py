"""XLIFF 2.0 files for translators: translate-toolkit's 2.0 store, lxml for what it lacks.

translate-toolkit's `translate.storage.xliff2` gives the document (`<xliff
version="2.0" srcLang trgLang>`), its `<file>`s, one `<unit><segment>` per
unit with its id and `state`, the serialisation, and the parser that reads a
2.0 file back into the same units. What it lacks is done here with lxml's
element API, following the XLIFF 2.0 core specification (OASIS Standard,
5 August 2014):
- inline codes: our `<g1>…</g1>` is `<pc id="1">…</pc>` and `<x2/>` is
  `<ph id="2"/>`; the Markdown each stands for is in the unit's
  `<originalData>` (`dataRefStart`/`dataRefEnd`/`dataRef`, spec 4.7.2 and
  4.9.3.14) and, for display, in `dispStart`/`dispEnd`/`disp`; `canCopy="no"`
  and `canDelete="no"` say what the import checks (each code exactly once);
- `<notes>` at unit level, before `<originalData>` (the store's `addnote`
  writes them inside `<segment>`, which the core schema does not allow);
- `xml:space="preserve"` on `<unit>` (the store puts it on `<segment>`, which
  has no such attribute);
- where a unit comes from, in the Metadata module (`mda:metadata`, spec 5.2):
  the French post, the slot label, the part, the fingerprint of the exported
  English; the slot label is also the unit's `name`.

One `<file id="f1" original="content/en/post.md">` per copy (a file id is an
NMTOKEN, so the path cannot be the id). States (segment `state`): machine,
conflict and outdated are `initial` with `subState="translator:machine"` (…);
edited is `translated`; reviewed is `reviewed`. On import `reviewed` and
`final` mark the slot reviewed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lxml import etree
from translate.storage import xliff2

from translator.errors import InterchangeError
from translator.interchange.apply import Incoming
from translator.interchange.output import write_output
from translator.interchange.units import ExchangeUnit, exported_hash, parse_key
from translator.interchange.xliff_codes import CodeTree, code_tree

__all__ = ("XLIFF2", "read_xliff2", "tagged_text", "write_inline", "write_xliff2")

XLIFF2 = "urn:oasis:names:tc:xliff:document:2.0"
MDA = "urn:oasis:names:tc:xliff:metadata:2.0"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_STATES = {
    "machine": "initial",
    "conflict": "initial",
    "outdated": "initial",
    "edited": "translated",
    "reviewed": "reviewed",
}
_REVIEWED = {"reviewed", "final"}


def _x(name: str) -> str:
    return f"{{{XLIFF2}}}{name}"


class _Store(xliff2.Xliff2File):
    """translate-toolkit's XLIFF 2.0 store, with the Metadata module's prefix declared."""

    XMLskeleton = xliff2.Xliff2File.XMLskeleton.replace(
        "xmlns='urn:oasis:names:tc:xliff:document:2.0'",
        f"xmlns='{XLIFF2}' xmlns:mda='{MDA}'",
    )
    # `<data>` holds Markdown whose whitespace matters (a hard break is two spaces).
    XMLindent = {  # noqa: RUF012 (translate-toolkit's own attribute, read only)
        **xliff2.Xliff2File.XMLindent,
        "leaves": {"note", "source", "target", "data", "meta"},
    }


def write_xliff2(units: Sequence[ExchangeUnit], path: Path, *, source: str, target: str) -> None:
    """Write the units as an XLIFF 2.0 file (one `<file>` per copy)."""
    store = _Store(sourcelanguage=source, targetlanguage=target)
    files: dict[str, str] = {}
    for unit in units:
        if unit.copy not in files:
            files[unit.copy] = f"f{len(files) + 1}"
            _switch_file(store, files[unit.copy], unit.copy)
        node = store.UnitClass("")
        store.addunit(node)
        node.setid(unit.key)
        _fill(node, unit)
    write_output(path, bytes(store))


def _switch_file(store: _Store, ident: str, original: str) -> None:
    # The 2.0 store creates a `<file>` node but, unlike the 1.x store, has no `switchfile`.
    node: etree._Element = store.getfilenode(ident, createifmissing=True)  # type: ignore[no-untyped-call]
    if node.getparent() is None:
        store.document.getroot().append(node)
    node.set("original", original)
    node.set("canResegment", "no")
    store.body = node


def _fill(node: xliff2.Xliff2Unit, unit: ExchangeUnit) -> None:
    segment: etree._Element = node.xmlelement
    element = node.getunitelement()
    segment.attrib.pop(_XML_SPACE, None)
    element.set(_XML_SPACE, "preserve")
    element.set("name", unit.label + (f", title {unit.part}" if unit.part else ""))
    notes = list(unit.notes)
    if unit.target is None:
        notes.insert(0, "the English markup differs from the French: edit this slot in the copy")
    tree = code_tree(unit.source, unit.codes)
    for child in (_metadata(unit), _notes(notes), _original_data(tree)):
        if child is not None:
            segment.addprevious(child)
    write_inline(node.source_dom, tree)
    state = _STATES[unit.state] if unit.target is not None else "initial"
    segment.set("state", state)
    if state == "initial":
        segment.set("subState", f"translator:{unit.state}")
    if unit.target is not None:
        write_inline(etree.SubElement(segment, _x("target")), code_tree(unit.target, unit.codes))


def _metadata(unit: ExchangeUnit) -> etree._Element:
    metadata = etree.Element(f"{{{MDA}}}metadata")
    group = etree.SubElement(metadata, f"{{{MDA}}}metaGroup", category="translator")
    meta = {
        "source-file": unit.source_path,
        "slot": unit.label,
        "part": str(unit.part),
        "exported": exported_hash(unit.target or ""),
    }
    for kind, value in meta.items():
        etree.SubElement(group, f"{{{MDA}}}meta", type=kind).text = value
    return metadata


def _notes(texts: Sequence[str]) -> etree._Element | None:
    if not texts:
        return None
    notes = etree.Element(_x("notes"))
    for text in texts:
        etree.SubElement(notes, _x("note"), category="translator").text = text
    return notes


def _original_data(tree: CodeTree) -> etree._Element | None:
    data = tree.data()
    if not data:
        return None
    original = etree.Element(_x("originalData"))
    for ident, markup in data.items():
        etree.SubElement(original, _x("data"), id=ident).text = markup
    return original


def write_inline(parent: etree._Element, tree: CodeTree) -> None:
    """Fill `parent` (a `<source>`, `<target>` or `<pc>`) with the tree's text and codes."""
    for child in list(parent):
        parent.remove(child)
    parent.text = None
    last: etree._Element | None = None
    for item in tree.items:
        if isinstance(item, str):
            if last is None:
                parent.text = (parent.text or "") + item
            else:
                last.tail = (last.tail or "") + item
            continue
        if item.inner is None:
            last = etree.SubElement(
                parent, _x("ph"), id=item.number, dataRef=item.start_ref, disp=item.start
            )
        else:
            last = etree.SubElement(
                parent,
                _x("pc"),
                id=item.number,
                dataRefStart=item.start_ref,
                dataRefEnd=item.end_ref,
                dispStart=item.start,
                dispEnd=item.end,
            )
            write_inline(last, item.inner)
        last.set("canCopy", "no")
        last.set("canDelete", "no")


def read_xliff2(path: Path) -> list[Incoming]:
    """The translated units of an XLIFF 2.0 file; `InterchangeError` if it is not one."""
    try:
        store = xliff2.Xliff2File.parsefile(str(path))  # type: ignore[no-untyped-call]
    except (ValueError, etree.XMLSyntaxError, OSError) as error:
        raise InterchangeError(
            f"not an XLIFF 2.0 file translator can read ({error})",
            path=path,
            hint="export again with `translator export --format xliff`",
        ) from error
    found: list[Incoming] = []
    for node in store.units:
        element = node.getunitelement()
        copy = _original(element)
        where = parse_key(node.getid() or "")
        if where is None or copy is None:
            raise InterchangeError(
                f"unit {node.getid()!r} was not written by translator (no slot id or file)",
                path=path,
            )
        found.append(_incoming(node, element, copy, where))
    return found


def _original(element: etree._Element) -> str | None:
    for ancestor in element.iterancestors(_x("file")):
        original = ancestor.get("original")
        return None if original is None else str(original)
    return None


def _incoming(
    node: xliff2.Xliff2Unit, element: etree._Element, copy: str, where: tuple[int, int]
) -> Incoming:
    ident = f"{copy}#{node.getid()}"
    segment = node.xmlelement
    target = segment.find(_x("target"))
    try:
        source = tagged_text(segment.find(_x("source")))
        text = tagged_text(target) if target is not None else ""
    except ValueError as error:
        return Incoming(copy, *where, ident, "", "", "tagged", problem=str(error))
    exported = element.find(f".//{{{MDA}}}meta[@type='exported']")
    return Incoming(
        copy,
        *where,
        ident,
        source,
        text,
        "tagged",
        reviewed=segment.get("state", "") in _REVIEWED,
        exported=exported.text or "" if exported is not None else "",
    )


def tagged_text(element: etree._Element | None) -> str:
    """An XLIFF 2.0 `<source>`/`<target>` as our tagged text; ValueError for a foreign code."""
    if element is None:
        return ""
    parts = [element.text or ""]
    for child in element:
        parts.append(_code(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _code(child: etree._Element) -> str:
    name = etree.QName(child).localname if isinstance(child.tag, str) else ""
    if name == "pc":
        return f"<g{_number(child, 'id')}>{tagged_text(child)}</g{_number(child, 'id')}>"
    if name == "ph":
        return f"<x{_number(child, 'id')}/>"
    if name == "sc":
        # A tool that splits a pair (across its own segments) writes <sc>/<ec>.
        return f"<g{_number(child, 'id')}>"
    if name == "ec":
        return f"</g{_number(child, 'startRef' if child.get('startRef') else 'id')}>"
    if name == "mrk":
        # An annotation (a term, a comment) around words: the words count, not the mark.
        return tagged_text(child)
    if name in ("sm", "em"):
        return ""
    if name == "cp":
        return chr(int(child.get("hex", "0"), 16))
    raise ValueError(f"inline code <{name or child.tag}> is not one translator wrote")


def _number(child: etree._Element, attribute: str) -> str:
    value = str(child.get(attribute, ""))
    if not value.isdigit():
        raise ValueError(f"inline code id {value!r} is not one translator wrote")
    return value
