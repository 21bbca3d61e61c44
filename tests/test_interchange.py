"""XLIFF 1.2 and PO round trips: export the copies, translate the file, import it back.

XLIFF 2.0 (the default `--format xliff`) is in test_xliff2.py.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sites import HUGO_DIRECTORIES, POST, Site, make_site
from translate.convert import po2xliff, xliff2po
from translate.storage import pypo, xliff
from translate.storage.placeables import StringElem
from translate.storage.placeables import xliff as codes

from translator.engines.pseudo import IdentityEngine, PseudoEngine, pseudo_localize
from translator.hugo.config import load_config
from translator.interchange.apply import ImportSummary
from translator.interchange.files import export_files, import_files
from translator.interchange.units import collect_units
from translator.interchange.xliff import rich_text, tagged_text
from translator.markdown.document import set_values
from translator.pipeline import Context, run
from translator.review.editing import edit_slot, file_hash
from translator.store.memory import Memory

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = sorted((SHARED / "samples" / "fr").glob("*.md"))
CORPUS = sorted((SHARED / "corpus" / "fr").glob("*.md"))
CORPORA = {"samples": SAMPLES, "corpus": CORPUS}

# The pseudo engine wraps a whole slot in ⟦…⟧. Where the slot is a raw HTML block
# (`<em>…</em>`, `<a class="btn">…</a>`) that turns the HTML block into a paragraph,
# and in one footnote it pseudo-localises the tail of a URL and a code span that the
# tagged text leaves as words. `translator run` writes that; an import refuses it
# (blocks and markup may move, not change), as it must for a translator's text.
CORPUS_REFUSED = {
    ("content__fr___index.md", "s10"): "adds or removes a block",
    ("content__fr___index.md", "s11"): "adds or removes a block",
    (
        "content__fr__blog__announcements__2026-06-15-which-read-it-later-app-2026.md",
        "s26",
    ): "adds or removes a block",
    (
        "content__fr__blog__announcements__2026-06-22-read-articles-on-kobo-mobile-wallabag.md",
        "s21",
    ): "adds or removes a block",
    (
        (
            "content__fr__blog__announcements__2026-06-29-why-choose-european-read-it-later-"
            "service.md"
        ),
        "s25",
    ): "adds or removes a block",
    (
        (
            "content__fr__blog__announcements__2026-06-30-wallabag-it-funds-open-source-"
            "development.md"
        ),
        "s31",
    ): "adds or removes a block",
    ("contents__articles__2014-10-27-flux-qu-est-ce-que-c-est.md", "s40"): "changes the markup",
}


def refusals(summary: ImportSummary) -> dict[tuple[str, str], str]:
    """Each refused unit as (copy file name, slot key), with the words of its reason we expect."""
    found: dict[tuple[str, str], str] = {}
    for outcome in summary.refused:
        match = re.fullmatch(r"content/en/(.*)[#:](s\d+(?:t\d+)?)", outcome.ident)
        assert match is not None, outcome.ident
        key = (match.group(1), match.group(2))
        expected = CORPUS_REFUSED.get(key, "")
        found[key] = expected if expected and expected in outcome.reason else outcome.reason
    return found


def but_refused(texts: dict[str, str], summary: ImportSummary) -> dict[str, str]:
    """The copies (without their stamp) of the pages where no unit was refused."""
    touched = {name for name, _ in refusals(summary)}
    return {k: without_stamp(v) for k, v in texts.items() if k not in touched}


def site_of(root: Path, pages: list[Path]) -> Site:
    """A site whose French posts are `pages`."""
    site = Site(root)
    site.write("hugo.toml", HUGO_DIRECTORIES)
    for page in pages:
        site.write(f"content/fr/{page.name}", page.read_bytes().decode("utf-8"))
    return site


@contextlib.contextmanager
def context_of(site: Site, engine: str = "identity") -> Iterator[Context]:
    """The site's memory and the named engine, in process."""
    config = load_config(site.root)
    factory = IdentityEngine if engine == "identity" else PseudoEngine
    with Memory.open(config.state_dir / "memory.sqlite") as memory:
        yield Context(config, memory, engine_factory=factory)


def translated(site: Site, engine: str) -> Site:
    """The site after `translator run` with `engine`."""
    with context_of(site, engine) as context:
        summary = run(context)
    assert not summary.errors, summary.errors
    return site


def copies(site: Site) -> dict[str, str]:
    """Every English copy's text."""
    folder = site.root / "content" / "en"
    return {p.name: p.read_bytes().decode("utf-8") for p in sorted(folder.glob("*.md"))}


def without_stamp(text: str) -> str:
    """The copy with the keys that say who wrote it (engine, status, date) blanked."""
    return set_values(text, {"translation": None, "draft": False})


def export(site: Site, fmt: str, name: str) -> Path:
    out = site.root / name
    with context_of(site) as context:
        export_files(context, (), output=out, fmt=fmt)  # type: ignore[arg-type]
    return out


def import_(site: Site, *files: Path) -> ImportSummary:
    with context_of(site) as context:
        return import_files(context, files)


def edit_xliff(path: Path, change: Callable[[xliff.Xliff1Unit], None]) -> None:
    """Re-save an XLIFF file through translate-toolkit after changing each unit."""
    store = xliff.xlifffile.parsefile(str(path))
    for unit in store.units:
        change(unit)
    path.write_bytes(bytes(store))


def edit_po(path: Path, change: Callable[[pypo.pounit], None]) -> None:
    store = pypo.pofile.parsefile(str(path))
    for unit in store.units:
        if not unit.isheader():
            change(unit)
    path.write_bytes(bytes(store))


def copy_source(unit: xliff.Xliff1Unit) -> None:
    unit.rich_target = [rich_text(tagged_text(unit.rich_source[0]), {})]
    unit.get_target_dom().set("state", "translated")


def pseudo_target(unit: xliff.Xliff1Unit) -> None:
    unit.rich_target = [rich_text(pseudo_localize(tagged_text(unit.rich_source[0])), {})]
    unit.get_target_dom().set("state", "translated")


def po_copy_source(unit: pypo.pounit) -> None:
    unit.target = unit.source
    unit.markfuzzy(False)


# -- XLIFF ---------------------------------------------------------------------------


@pytest.mark.parametrize("corpus", CORPORA)
def test_xliff__identity_round_trip_leaves_copies_unchanged(tmp_path: Path, corpus: str) -> None:
    site = translated(site_of(tmp_path, CORPORA[corpus]), "identity")
    before = copies(site)
    out = export(site, "xliff12", "out.xlf")
    edit_xliff(out, copy_source)
    summary = import_(site, out)
    assert summary.refused == ()
    assert copies(site) == before


@pytest.mark.parametrize("corpus", ["samples"])
def test_xliff__pseudo_translated_file_gives_the_pseudo_run(tmp_path: Path, corpus: str) -> None:
    site = translated(site_of(tmp_path / "a", CORPORA[corpus]), "identity")
    expected = copies(translated(site_of(tmp_path / "b", CORPORA[corpus]), "pseudo"))
    out = export(site, "xliff12", "out.xlf")
    edit_xliff(out, pseudo_target)
    import_(site, out)
    got = copies(site)
    assert {k: without_stamp(v) for k, v in got.items()} == {
        k: without_stamp(v) for k, v in expected.items()
    }


def test_xliff__shortcode_argument_in_a_paragraph_has_its_own_codes(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text(
        '---\ntitle: Le pain\n---\n**Voir** {{< figure src="a.jpg" caption="La *mie* cuite" >}} '
        "ici.\n\n> <figcaption>Une légende</figcaption>\n",
        encoding="utf-8",
    )
    site = translated(site_of(tmp_path / "a", [post]), "identity")
    expected = copies(translated(site_of(tmp_path / "b", [post]), "pseudo"))
    out = export(site, "xliff12", "out.xlf")
    assert '<g id="1" equiv-text="*\u2026*">mie</g> cuite' in out.read_text("utf-8")
    edit_xliff(out, pseudo_target)
    assert import_(site, out).refused == ()
    assert {k: without_stamp(v) for k, v in copies(site).items()} == {
        k: without_stamp(v) for k, v in expected.items()
    }


def test_xliff__inline_codes_carry_the_markdown(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    text = export(site, "xliff12", "out.xlf").read_text("utf-8")
    assert '<x id="1" equiv-text="`code`"/>' in text


def test_xliff__states_map_to_xliff_states(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    store = xliff.xlifffile.parsefile(str(export(site, "xliff12", "out.xlf")))
    target = store.units[0].get_target_dom()
    assert (target.get("state"), target.get("state-qualifier")) == (
        "needs-review-translation",
        "mt-suggestion",
    )


def test_xliff__final_unit_is_applied_as_reviewed(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    out = export(site, "xliff12", "out.xlf")

    def sign_off(unit: xliff.Xliff1Unit) -> None:
        if unit.getid().endswith("s0"):
            unit.rich_target = [StringElem("A title: simple")]
            unit.get_target_dom().set("state", "final")

    edit_xliff(out, sign_off)
    import_(site, out)
    with context_of(site) as context:
        record = context.memory.post_for_target("content/en/post.md")
    assert record is not None
    assert (record.slots[0].written, record.slots[0].state) == ("A title: simple", "reviewed")


def _break(unit_id: str, target: list[object]) -> Callable[[xliff.Xliff1Unit], None]:
    def change(unit: xliff.Xliff1Unit) -> None:
        if unit.getid().endswith(unit_id):
            unit.rich_target = [StringElem(target)]

    return change


BROKEN = {
    "missing": ["Second paragraph with ", StringElem("code"), "."],
    "duplicated": ["Second ", codes.X(id="1"), " with ", codes.X(id="1"), "."],
    "crossed": [
        "Some ",
        codes.Bx(id="1"),
        "bold ",
        codes.Bx(id="2"),
        "and",
        codes.Ex(id="1", rid="1"),
        " italics",
        codes.Ex(id="2", rid="2"),
        ".",
    ],
}
BROKEN_UNIT = {"missing": "s2", "duplicated": "s2", "crossed": "s5"}
EMPHASIS = POST + "\nDu **gras** et de l'*italique*.\n"


@pytest.mark.parametrize("kind", BROKEN)
def test_xliff__broken_inline_codes_are_refused(tmp_path: Path, kind: str) -> None:
    site = make_site(tmp_path)
    site.write("content/fr/post.md", EMPHASIS)
    translated(site, "identity")
    before = copies(site)
    out = export(site, "xliff12", "out.xlf")
    edit_xliff(out, _break(BROKEN_UNIT[kind], BROKEN[kind]))
    summary = import_(site, out)
    assert [o.ident for o in summary.refused] == [f"content/en/post.md#{BROKEN_UNIT[kind]}"]
    assert copies(site) == before


def test_xliff__unit_whose_french_changed_is_refused(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    out = export(site, "xliff12", "out.xlf")
    edit_xliff(out, pseudo_target)
    site.write("content/fr/post.md", POST.replace("Troisième paragraphe.", "Autre chose."))
    before = copies(site)
    summary = import_(site, out)
    assert [o.ident for o in summary.refused] == ["content/en/post.md#s4"]
    assert copies(site) != before  # the other units were applied


def test_cli__import_exits_1_and_names_the_refused_unit(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    out = export(site, "xliff12", "out.xlf")
    edit_xliff(out, _break("s2", BROKEN["missing"]))
    result = site.translator("import", "out.xlf")
    assert result.code == 1
    assert "refused content/en/post.md#s2: inline code missing: <x1/>" in result.stderr


def test_cli__export_then_import(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    exported = site.translator("export", "--format", "xliff", "--status", "machine", "-o", "x.xlf")
    assert exported.code == 0, exported.stderr
    result = site.translator("import", "x.xlf")
    assert result.code == 0, result.stderr
    assert "6 units: 0 applied, 6 unchanged, 0 skipped, 0 refused" in result.stderr


# -- PO ------------------------------------------------------------------------------


@pytest.mark.parametrize("corpus", CORPORA)
def test_po__identity_round_trip_leaves_copies_unchanged(tmp_path: Path, corpus: str) -> None:
    site = translated(site_of(tmp_path, CORPORA[corpus]), "identity")
    before = copies(site)
    out = export(site, "po", "out.po")
    edit_po(out, po_copy_source)
    summary = import_(site, out)
    assert summary.refused == ()
    assert copies(site) == before


def _pseudo_po(reference: Site) -> Callable[[pypo.pounit], None]:
    """The translator: each entry's msgstr is the pseudo run's Markdown for its slot."""
    with context_of(reference) as context:
        records = {r.target_path: r for r in context.memory.posts()}

    def change(unit: pypo.pounit) -> None:
        copy, _, key = unit.getlocations()[0].rpartition(":")
        unit.target = records[copy].slots[int(key[1:])].written
        unit.markfuzzy(False)

    return change


def test_po__pseudo_translated_file_gives_the_pseudo_run__samples(tmp_path: Path) -> None:
    site = translated(site_of(tmp_path / "a", SAMPLES), "identity")
    reference = translated(site_of(tmp_path / "b", SAMPLES), "pseudo")
    out = export(site, "po", "out.po")
    edit_po(out, _pseudo_po(reference))
    summary = import_(site, out)
    assert summary.refused == ()
    assert {k: without_stamp(v) for k, v in copies(site).items()} == {
        k: without_stamp(v) for k, v in copies(reference).items()
    }


def test_po__pseudo_translated_file_gives_the_pseudo_run__corpus(tmp_path: Path) -> None:
    site = translated(site_of(tmp_path / "a", CORPUS), "identity")
    reference = translated(site_of(tmp_path / "b", CORPUS), "pseudo")
    out = export(site, "po", "out.po")
    edit_po(out, _pseudo_po(reference))
    summary = import_(site, out)
    assert refusals(summary) == CORPUS_REFUSED
    assert but_refused(copies(site), summary) == but_refused(copies(reference), summary)


def test_po__same_slots_are_one_entry_with_every_reference(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    site.write("content/fr/other.md", POST)
    translated(site, "identity")
    store = pypo.pofile.parsefile(str(export(site, "po", "out.po")))
    entry = next(u for u in store.units if u.source == "Troisième paragraphe.")
    assert entry.getlocations() == ["content/en/other.md:s4", "content/en/post.md:s4"]


def test_po__machine_slots_are_fuzzy(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    store = pypo.pofile.parsefile(str(export(site, "po", "out.po")))
    assert all(u.isfuzzy() for u in store.units if not u.isheader())


def test_po__fuzzy_change_is_not_applied(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    before = copies(site)
    out = export(site, "po", "out.po")
    edit_po(out, lambda u: setattr(u, "target", "Something else."))
    summary = import_(site, out)
    assert (summary.count("skipped"), copies(site)) == (5, before)


def test_po__markdown_that_loses_a_link_is_refused(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    before = copies(site)
    out = export(site, "po", "out.po")

    def drop_link(unit: pypo.pounit) -> None:
        if "[lien]" in unit.source:
            unit.target = "First paragraph with a link."
            unit.markfuzzy(False)

    edit_po(out, drop_link)
    summary = import_(site, out)
    assert [o.ident for o in summary.refused] == ["content/en/post.md:s1"]
    assert copies(site) == before


# -- translate-toolkit's converters --------------------------------------------------


def test_po__resaved_by_po2xliff_then_xliff2po_still_imports(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path / "a"), "identity")
    reference = translated(make_site(tmp_path / "b"), "pseudo")
    out = export(site, "po", "out.po")
    edit_po(out, _pseudo_po(reference))
    as_xliff, back = io.BytesIO(), io.BytesIO()
    po2xliff.convertpo(io.BytesIO(out.read_bytes()), as_xliff, None)
    xliff2po.convertxliff(io.BytesIO(as_xliff.getvalue()), back, None)
    resaved = site.root / "resaved.po"
    resaved.write_bytes(back.getvalue())
    summary = import_(site, resaved)
    assert (summary.refused, summary.count("applied")) == ((), 5)
    assert without_stamp(copies(site)["post.md"]) == without_stamp(copies(reference)["post.md"])


# -- an editor's work done since the export ------------------------------------------


def edit_copy_slot(site: Site, position: int, text: str) -> None:
    with context_of(site) as context:
        path = site.root / "content/en/post.md"
        edit_slot(context, "content/en/post.md", position, text, expected_hash=file_hash(path))


def test_xliff__slot_edited_since_export_and_changed_in_file_is_refused(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    out = export(site, "xliff12", "out.xlf")
    edit_xliff(out, pseudo_target)
    edit_copy_slot(site, 4, "Third paragraph.")
    summary = import_(site, out)
    assert [o.ident for o in summary.refused] == ["content/en/post.md#s4"]
    assert "\nThird paragraph.\n" in site.read("content/en/post.md")


def test_po__slot_edited_since_export_and_left_alone_in_file_is_kept(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "identity")
    out = export(site, "po", "out.po")
    edit_po(out, lambda unit: unit.markfuzzy(False))
    edit_copy_slot(site, 4, "Third paragraph.")
    summary = import_(site, out)
    assert (summary.refused, summary.count("unchanged")) == ((), 5)
    assert "\nThird paragraph.\n" in site.read("content/en/post.md")


def test_export__status_filter_keeps_the_conflicts_with_their_suggestion(tmp_path: Path) -> None:
    site = translated(make_site(tmp_path), "pseudo")
    edit_copy_slot(site, 4, "Third paragraph.")
    site.write("content/fr/post.md", POST.replace("Troisième paragraphe.", "Le troisième."))
    translated(site, "pseudo")
    with context_of(site) as context:
        units, _ = collect_units(context, states=["conflict"])
    assert [(u.key, u.state, u.notes[-1][:36]) for u in units] == [
        ("s4", "conflict", "machine suggestion for the new Frenc")
    ]
