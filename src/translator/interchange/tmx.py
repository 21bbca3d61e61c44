"""The translation memory as TMX 1.4b, read and written by translate-toolkit (`translate.storage.tmx`).

Two kinds of translation units, told apart by `<prop type="x-origin">`:
- `machine`: what an engine returned for a unit, with `x-engine` and `x-model`
  properties, so a site that imports them finds them for the same engine and
  model and never sends those units again;
- `human`: an editor's or reviewer's text for a unit (the slots marked
  `edited` or `reviewed`, as the engine would have seen them), and the human
  units imported earlier. A run uses them before the engine.

Segments are the units as an engine sees them, with TMX 1.4b's inline
elements for our tags: a pair `<g1>…</g1>` is `<bpt i="1" x="1">` … `<ept
i="1">`, a standalone `<x2/>` is `<ph x="2">`, each holding the Markdown it
stands for (`**`, `[`, `](https://…)`); `x` matches a code of the French with
the same code of the English. translate-toolkit's TMX store writes and reads
`<seg>` as plain text, so the inline elements are built and read with lxml.
The Markdown is known for the units of today's copies; a unit no copy holds
any more gets empty codes (a CAT tool shows them as tags all the same).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from lxml import etree
from translate.storage import tmx

from translator.errors import InterchangeError
from translator.interchange.output import write_output
from translator.interchange.units import ExchangeUnit
from translator.interchange.xliff_codes import CodeTree, code_tree
from translator.store.memory import HumanUnit, MachineUnit

__all__ = ("human_units_of", "read_seg", "read_tmx", "write_seg", "write_tmx")


def human_units_of(units: Sequence[ExchangeUnit], *, source: str) -> list[HumanUnit]:
    """The edited and reviewed slots of copies, as human units."""
    return [
        (u.source, source, u.language, u.target, f"{u.state} {u.copy} {u.label}")
        for u in units
        if u.state in ("edited", "reviewed") and u.target is not None and u.target != u.source
    ]


def write_tmx(
    path: Path,
    machine: Sequence[MachineUnit],
    human: Sequence[HumanUnit],
    *,
    source: str,
    markup: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Write a TMX 1.4b file with every unit; `markup` gives each French text's codes' Markdown."""
    store = tmx.tmxfile(sourcelanguage=source)
    codes = markup or {}
    for text, source_lang, target_lang, engine, model, translation in machine:
        unit = _unit(store, text, source_lang, translation, target_lang, codes.get(text, {}))
        _props(unit, {"x-origin": "machine", "x-engine": engine, "x-model": model})
    for text, source_lang, target_lang, translation, origin in human:
        unit = _unit(store, text, source_lang, translation, target_lang, codes.get(text, {}))
        _props(unit, {"x-origin": "human"})
        if origin:
            unit.addnote(origin)
    write_output(path, bytes(store))


def _unit(
    store: tmx.tmxfile,
    text: str,
    lang: str,
    translation: str,
    target: str,
    markup: Mapping[str, str],
) -> tmx.tmxunit:
    unit: tmx.tmxunit = store.addsourceunit("", lang)
    unit.settarget("", target, append=True)
    for node, tagged in zip(unit.getlanguageNodes(), (text, translation), strict=True):
        write_seg(node.find(unit.namespaced("seg")), code_tree(tagged, dict(markup)))
    return unit


def write_seg(seg: etree._Element, tree: CodeTree) -> None:
    """Fill a `<seg>` with the tree's words and `<bpt>`/`<ept>`/`<ph>` codes."""
    last: etree._Element | None = None

    def add(text: str) -> None:
        if last is None:
            seg.text = (seg.text or "") + text
        else:
            last.tail = (last.tail or "") + text

    def code(tag: str, content: str, **attributes: str) -> etree._Element:
        element = etree.SubElement(seg, tag, attributes)
        element.text = content
        return element

    def walk(items: CodeTree) -> None:
        nonlocal last
        for item in items.items:
            if isinstance(item, str):
                add(item)
            elif item.inner is None:
                last = code("ph", item.start, x=item.number)
            else:
                last = code("bpt", item.start, i=item.number, x=item.number)
                walk(item.inner)
                last = code("ept", item.end, i=item.number)

    seg.text = None
    walk(tree)


def _props(unit: tmx.tmxunit, props: dict[str, str]) -> None:
    # translate-toolkit writes only `x-context` props itself; these go in the same place
    # (after notes, before the first <tuv>), as TMX 1.4b's DTD orders them.
    first_tuv = unit.xmlelement.find(unit.namespaced("tuv"))
    for name, value in props.items():
        prop = etree.Element(unit.namespaced("prop"))
        prop.set("type", name)
        prop.text = value
        first_tuv.addprevious(prop)


def read_tmx(path: Path) -> tuple[list[MachineUnit], list[HumanUnit]]:
    """The machine and human units of a TMX file (units with no `x-origin` count as human)."""
    try:
        store = tmx.tmxfile.parsefile(str(path))
    except (ValueError, etree.XMLSyntaxError, OSError) as error:
        raise InterchangeError(
            f"not a TMX file translator can read ({error})", path=path
        ) from error
    machine: list[MachineUnit] = []
    human: list[HumanUnit] = []
    for unit in store.units:
        nodes = unit.getlanguageNodes()
        if len(nodes) < 2:
            continue
        (source_lang, text), (target_lang, translation) = (_tuv(unit, n) for n in nodes[:2])
        props = {p.get("type"): p.text or "" for p in unit.xmlelement.iter(unit.namespaced("prop"))}
        if props.get("x-origin") == "machine" and "x-engine" in props:
            machine.append(
                (
                    text,
                    source_lang,
                    target_lang,
                    props["x-engine"],
                    props.get("x-model", ""),
                    translation,
                )
            )
        else:
            human.append((text, source_lang, target_lang, translation, unit.getnotes()))
    return machine, human


def _tuv(unit: tmx.tmxunit, node: etree._Element) -> tuple[str, str]:
    lang = node.get("{http://www.w3.org/XML/1998/namespace}lang") or node.get("lang") or ""
    seg = node.find(unit.namespaced("seg"))
    return lang, read_seg(seg) if seg is not None else ""


def read_seg(seg: etree._Element) -> str:
    """A `<seg>` as our tagged text: `<bpt>`/`<ept>` pairs and `<ph>` become tags.

    A code without the `x` translator writes (another tool's) keeps its place as
    `<g>`/`<x/>` numbered by `i`; `<hi>` keeps its words; `<it>` and `<ut>` are dropped.
    """
    pairs: dict[str, str] = {}
    parts = [seg.text or ""]
    for child in seg:
        name = child.tag if isinstance(child.tag, str) else ""
        if name == "bpt":
            pairs[child.get("i", "")] = child.get("x") or child.get("i", "")
            parts.append(f"<g{pairs[child.get('i', '')]}>")
        elif name == "ept":
            parts.append(f"</g{pairs.get(child.get('i', ''), child.get('i', ''))}>")
        elif name == "ph":
            parts.append(f"<x{child.get('x', '')}/>")
        elif name == "hi":
            parts.append(read_seg(child))
        parts.append(child.tail or "")
    return "".join(parts)
