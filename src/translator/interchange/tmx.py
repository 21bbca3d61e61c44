"""The translation memory as TMX 1.4b, read and written by translate-toolkit (`translate.storage.tmx`).

Two kinds of translation units, told apart by `<prop type="x-origin">`:
- `machine`: what an engine returned for a unit, with `x-engine` and `x-model`
  properties, so a site that imports them finds them for the same engine and
  model and never sends those units again;
- `human`: an editor's or reviewer's text for a unit (the slots marked
  `edited` or `reviewed`, as the engine would have seen them), and the human
  units imported earlier. A run uses them before the engine.

Segments are the units as an engine sees them: words, with our `<g1>…</g1>`
and `<x2/>` tags as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lxml import etree
from translate.storage import tmx

from translator.errors import InterchangeError
from translator.interchange.units import ExchangeUnit
from translator.store.memory import HumanUnit, MachineUnit

__all__ = ("human_units_of", "read_tmx", "write_tmx")


def human_units_of(units: Sequence[ExchangeUnit], *, source: str) -> list[HumanUnit]:
    """The edited and reviewed slots of copies, as human units."""
    return [
        (u.source, source, u.language, u.target, f"{u.state} {u.copy} {u.label}")
        for u in units
        if u.state in ("edited", "reviewed") and u.target is not None and u.target != u.source
    ]


def write_tmx(
    path: Path, machine: Sequence[MachineUnit], human: Sequence[HumanUnit], *, source: str
) -> None:
    """Write a TMX 1.4b file with every unit."""
    store = tmx.tmxfile(sourcelanguage=source)
    for text, source_lang, target_lang, engine, model, translation in machine:
        unit = _unit(store, text, source_lang, translation, target_lang)
        _props(unit, {"x-origin": "machine", "x-engine": engine, "x-model": model})
    for text, source_lang, target_lang, translation, origin in human:
        unit = _unit(store, text, source_lang, translation, target_lang)
        _props(unit, {"x-origin": "human"})
        if origin:
            unit.addnote(origin)
    path.write_bytes(bytes(store))


def _unit(store: tmx.tmxfile, text: str, lang: str, translation: str, target: str) -> tmx.tmxunit:
    unit: tmx.tmxunit = store.addsourceunit(text, lang)
    unit.settarget(translation, target, append=True)
    return unit


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
    return lang, unit.getNodeText(node) or ""
