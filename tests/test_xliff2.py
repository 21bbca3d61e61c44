"""XLIFF 2.0 (`translator export --format xliff`): round trips, inline codes, the core rules.

The structure tests check the rules of the XLIFF 2.0 core specification (OASIS
Standard, 5 August 2014) that the core schema expresses and that translator's
output could break: the order of a unit's children (4.2.2.3: notes, then
originalData, then segments), inline codes pointing at their original data
(4.7.2, 4.9.3.14), ids unique in a unit (4.9.3.6), a file id that is an NMTOKEN
(4.2.2.2), the four states (4.9.3.21). No copy of the schema ships offline with
translate-toolkit or lxml; translator's output was validated against the OASIS
core and Metadata module schemas by hand (see the README).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree
from sites import POST, make_site
from test_interchange import (
    CORPORA,
    CORPUS_REFUSED,
    EMPHASIS,
    but_refused,
    context_of,
    copies,
    export,
    import_,
    refusals,
    site_of,
    translated,
    without_stamp,
)
from translate.storage import xliff2

from translator.engines.pseudo import pseudo_localize
from translator.interchange.xliff2 import MDA, XLIFF2, tagged_text, write_inline
from translator.interchange.xliff_codes import code_tree

NS = {"x": XLIFF2, "mda": MDA}


def edit(path: Path, change: Callable[[etree._Element], None]) -> None:
    """Change each `<segment>` with lxml (as a CAT tool would) and save the file."""
    tree = etree.parse(str(path))
    for segment in tree.iterfind(".//x:segment", NS):
        change(segment)
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


def target_of(segment: etree._Element) -> etree._Element:
    target = segment.find("x:target", NS)
    if target is None:
        target = etree.SubElement(segment, f"{{{XLIFF2}}}target")
    return target


def copy_source(segment: etree._Element) -> None:
    source = tagged_text(segment.find("x:source", NS))
    write_inline(target_of(segment), code_tree(source, {}))
    segment.set("state", "translated")


def pseudo_target(segment: etree._Element) -> None:
    source = tagged_text(segment.find("x:source", NS))
    write_inline(target_of(segment), code_tree(pseudo_localize(source), {}))
    segment.set("state", "translated")


def unit_of(path: Path, ident: str) -> etree._Element:
    found = etree.parse(str(path)).find(f".//x:unit[@id='{ident}']", NS)
    assert found is not None
    return found


# -- round trips ---------------------------------------------------------------------


@pytest.mark.parametrize("corpus", CORPORA)
def test_xliff2__identity_round_trip_leaves_copies_unchanged(tmp_path: Path, corpus: str) -> None:
    site = translated(site_of(tmp_path, CORPORA[corpus]), "identity")
    before = copies(site)
    out = export(site, "xliff", "out.xlf")
    edit(out, copy_source)
    summary = import_(site, out)
    assert summary.refused == ()
    assert copies(site) == before


def test_xliff2__pseudo_translated_file_gives_the_pseudo_run__samples(tmp_path: Path) -> None:
    site = translated(site_of(tmp_path / "a", CORPORA["samples"]), "identity")
    expected = copies(translated(site_of(tmp_path / "b", CORPORA["samples"]), "pseudo"))
    out = export(site, "xliff", "out.xlf")
    edit(out, pseudo_target)
    summary = import_(site, out)
    assert summary.refused == ()
    assert {k: without_stamp(v) for k, v in copies(site).items()} == {
        k: without_stamp(v) for k, v in expected.items()
    }


def test_xliff2__pseudo_translated_file_gives_the_pseudo_run__corpus(tmp_path: Path) -> None:
    site = translated(site_of(tmp_path / "a", CORPORA["corpus"]), "identity")
    expected = copies(translated(site_of(tmp_path / "b", CORPORA["corpus"]), "pseudo"))
    out = export(site, "xliff", "out.xlf")
    edit(out, pseudo_target)
    summary = import_(site, out)
    assert refusals(summary) == CORPUS_REFUSED
    assert but_refused(copies(site), summary) == but_refused(expected, summary)


def test_xliff2__resaved_by_translate_toolkit_still_imports(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    out = export(site, "xliff", "out.xlf")
    store = xliff2.Xliff2File.parsefile(str(out))
    unit = next(u for u in store.units if u.getid() == "s4")
    unit.target = "Third paragraph."
    unit.markapproved(True)
    out.write_bytes(bytes(store))
    summary = import_(site, out)
    assert (summary.refused, summary.count("applied")) == ((), 1)
    with context_of(site) as context:
        record = context.memory.post_for_target("content/en/post.md")
    assert record is not None
    assert (record.slots[4].written, record.slots[4].state) == ("Third paragraph.", "reviewed")


def test_xliff2__translate_toolkit_reads_ids_texts_and_states(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    store = xliff2.Xliff2File.parsefile(str(export(site, "xliff", "out.xlf")))
    assert [(u.getid(), u.source, u.isfuzzy()) for u in store.units][:3] == [
        ("s0", "Un titre: simple", True),
        ("s1", "Premier paragraphe avec un lien.", True),
        ("s1t1", "Titre du lien", True),
    ]


def test_import__reads_xliff_12_too(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    out = export(site, "xliff12", "out.xlf")
    assert b"urn:oasis:names:tc:xliff:document:1.2" in out.read_bytes()
    assert import_(site, out).count("unchanged") == 6


# -- inline codes --------------------------------------------------------------------


def test_xliff2__ph_carries_the_markdown(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    unit = unit_of(export(site, "xliff", "out.xlf"), "s2")
    ph = unit.find("x:segment/x:source/x:ph", NS)
    data = unit.find("x:originalData/x:data", NS)
    assert ph is not None and data is not None
    assert (ph.get("id"), ph.get("disp"), ph.get("dataRef")) == ("1", "`code`", data.get("id"))
    assert data.text == "`code`"


def test_xliff2__pc_carries_the_markdown_of_both_ends(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    unit = unit_of(export(site, "xliff", "out.xlf"), "s1")
    pc = unit.find("x:segment/x:source/x:pc", NS)
    assert pc is not None
    data = {d.get("id"): d.text for d in unit.iterfind("x:originalData/x:data", NS)}
    assert (pc.text, data[pc.get("dataRefStart")], data[pc.get("dataRefEnd")]) == (
        "lien",
        "[",
        '](https://exemple.fr "Titre du lien")',
    )


BROKEN = {
    "missing pc": ("s5", "Some bold and italics."),
    "duplicated ph": ("s2", 'Second <ph id="1"/> with <ph id="1"/>.'),
    "crossed pc": (
        "s5",
        'Some <sc id="1"/>bold <sc id="2"/>and<ec startRef="1"/> it<ec startRef="2"/>.',
    ),
    "ph for a pc": ("s5", 'Some <ph id="1"/>bold<pc id="2">italics</pc>.'),
    "foreign code": ("s2", 'Second <ph id="A"/>.'),
}


@pytest.mark.parametrize("kind", BROKEN)
def test_xliff2__broken_inline_codes_are_refused(tmp_path: Path, kind: str) -> None:
    site = make_site(tmp_path)
    site.write("content/fr/post.md", EMPHASIS)
    translated(site, "identity")
    before = copies(site)
    out = export(site, "xliff", "out.xlf")
    ident, markup = BROKEN[kind]
    target = etree.fromstring(f'<target xmlns="{XLIFF2}">{markup}</target>')

    def change(segment: etree._Element) -> None:
        if segment.getparent().get("id") == ident:
            segment.replace(target_of(segment), target)

    edit(out, change)
    summary = import_(site, out)
    assert [o.ident for o in summary.refused] == [f"content/en/post.md#{ident}"]
    assert copies(site) == before


# -- the core specification's rules ---------------------------------------------------

UNIT_ORDER = re.compile(r"(mda:metadata )?(notes )?(originalData )?(segment )+")


def _short(element: etree._Element) -> str:
    qname = etree.QName(element)
    return ("mda:" if qname.namespace == MDA else "") + qname.localname


def test_xliff2__unit_children_in_schema_order(tmp_path: Path) -> None:
    site = translated(site_of(tmp_path, CORPORA["samples"]), "identity")
    tree = etree.parse(str(export(site, "xliff", "out.xlf")))
    orders = {"".join(_short(c) + " " for c in u) for u in tree.iterfind(".//x:unit", NS)}
    assert all(UNIT_ORDER.fullmatch(order) for order in orders), orders


def test_xliff2__every_code_refers_to_original_data_of_its_unit(tmp_path: Path) -> None:
    site = translated(site_of(tmp_path, CORPORA["samples"]), "identity")
    tree = etree.parse(str(export(site, "xliff", "out.xlf")))
    dangling = [
        (unit.get("id"), ref)
        for unit in tree.iterfind(".//x:unit", NS)
        for code in unit.iterfind(".//x:segment//*[@id]", NS)
        for ref in (code.get("dataRef"), code.get("dataRefStart"), code.get("dataRefEnd"))
        if ref is not None and unit.find(f"x:originalData/x:data[@id='{ref}']", NS) is None
    ]
    assert dangling == []


def test_xliff2__code_ids_unique_in_each_source(tmp_path: Path) -> None:
    site = translated(site_of(tmp_path, CORPORA["samples"]), "identity")
    tree = etree.parse(str(export(site, "xliff", "out.xlf")))
    ids = [[c.get("id") for c in s.iter()][1:] for s in tree.iterfind(".//x:source", NS)]
    assert [i for i in ids if len(set(i)) != len(i)] == []


def test_xliff2__file_ids_are_nmtokens_and_originals_are_the_copies(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    site.write("content/fr/other.md", POST)
    translated(site, "identity")
    tree = etree.parse(str(export(site, "xliff", "out.xlf")))
    files = [(f.get("id"), f.get("original")) for f in tree.iterfind("x:file", NS)]
    assert files == [("f1", "content/en/other.md"), ("f2", "content/en/post.md")]


def test_xliff2__no_xml_space_on_segments(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    text = export(site, "xliff", "out.xlf").read_text("utf-8")
    assert re.findall(r"<segment[^>]*xml:space", text) == []


def test_xliff2__machine_slots_are_initial_with_a_substate(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    segment = unit_of(export(site, "xliff", "out.xlf"), "s0").find("x:segment", NS)
    assert segment is not None
    assert (segment.get("state"), segment.get("subState")) == ("initial", "translator:machine")


def test_xliff2__final_unit_is_applied_as_reviewed(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    out = export(site, "xliff", "out.xlf")

    def sign_off(segment: etree._Element) -> None:
        if segment.getparent().get("id") == "s0":
            write_inline(target_of(segment), code_tree("A title: simple", {}))
            segment.set("state", "final")

    edit(out, sign_off)
    import_(site, out)
    with context_of(site) as context:
        record = context.memory.post_for_target("content/en/post.md")
    assert record is not None
    assert (record.slots[0].written, record.slots[0].state) == ("A title: simple", "reviewed")


def test_cli__export_xliff_writes_version_2(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    result = site.translator("export", "--format", "xliff", "-o", "x.xlf")
    assert result.code == 0, result.stderr
    root = etree.parse(str(site.root / "x.xlf")).getroot()
    assert (root.tag, root.get("version"), root.get("srcLang")) == (
        f"{{{XLIFF2}}}xliff",
        "2.0",
        "fr",
    )
