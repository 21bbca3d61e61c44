"""Pairing a human copy's slots with its source's by block structure (adoption.py), and the memory."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from markdown_it import MarkdownIt
from sites import HUMAN_EN, HUMAN_EN_OTHER_SHAPE, POST

from translator.hugo.adoption import SlotPair, pair_slots, written_slots
from translator.markdown import _markdown
from translator.markdown.page import Page, read_page
from translator.store.memory import APPLICATION_ID, SCHEMA_VERSION, HumanCopy, Memory

MD: MarkdownIt = _markdown.make_parser()


def page(text: str) -> Page:
    return read_page(MD, text)


def test_pair_slots__same_blocks_pair_every_slot() -> None:
    adoption = pair_slots(MD, page(POST), page(HUMAN_EN))
    assert adoption.matched
    assert adoption.pairs[0] == SlotPair("title", "Un titre: simple", "A title: simple")
    assert adoption.pairs[-1] == SlotPair("line 13", "Troisième paragraphe.", "Third paragraph.")
    assert len(adoption.pairs) == 5


def test_pair_slots__segments_keep_their_markup() -> None:
    adoption = pair_slots(MD, page(POST), page(HUMAN_EN))
    assert adoption.pairs[2].copy == "Second paragraph with `code`."


def test_pair_slots__other_blocks_pair_nothing() -> None:
    adoption = pair_slots(MD, page(POST), page(HUMAN_EN_OTHER_SHAPE))
    assert (adoption.matched, adoption.pairs) == (False, ())
    assert adoption.reason == "4 blocks in the source, 1 in the copy"


SOURCE_LIST = "---\ntitle: Liste\n---\n\n- un\n- deux\n"


def test_written_slots__copy_composed_from_the_source() -> None:
    copy = "---\ntitle: List\ndraft: true\n---\n\n- one\n- two\n"
    texts = written_slots(page(SOURCE_LIST), page(copy), ["List", "one", "two"])
    assert texts == ["List", "one", "two"]


def test_written_slots__edited_text_is_found_between_the_sources_text() -> None:
    copy = "---\ntitle: List\n---\n\n- one, by hand\n- two\n"
    texts = written_slots(page(SOURCE_LIST), page(copy), ["List", "one", "two"])
    assert texts == ["List", "one, by hand", "two"]


def test_written_slots__the_machine_text_wins_an_ambiguous_split() -> None:
    copy = "---\ntitle: List\n---\n\n- a\n- b\n- c\n"
    texts = written_slots(page(SOURCE_LIST), page(copy), ["List", "a\n- b", "c"])
    assert texts == ["List", "a\n- b", "c"]


def test_written_slots__other_text_outside_segments_is_none() -> None:
    copy = "---\ntitle: List\n---\n\n1. one\n2. two\n"
    assert written_slots(page(SOURCE_LIST), page(copy), ["List", "one", "two"]) is None


def test_written_slots__missing_front_matter_value_is_none() -> None:
    copy = "---\ndraft: true\n---\n\n- one\n- two\n"
    assert written_slots(page(SOURCE_LIST), page(copy), ["List", "one", "two"]) is None


def test_pair_slots__heading_level_differs() -> None:
    adoption = pair_slots(MD, page("## Titre\n"), page("### Title\n"))
    assert adoption.reason == "block 1 is heading (h2) in the source, heading (h3) in the copy"


def test_pair_slots__list_markers_do_not_matter() -> None:
    adoption = pair_slots(MD, page("- un\n- deux\n"), page("* one\n* two\n"))
    assert [p.copy for p in adoption.pairs] == ["one", "two"]


def test_pair_slots__fields_pair_by_key_only() -> None:
    source = page("---\ntitle: Titre\ndescription: Desc\n---\nTexte.\n")
    copy = page("---\ndescription: Description\n---\nText.\n")
    assert [p.label for p in pair_slots(MD, source, copy).pairs] == ["description", "line 5"]


def test_memory__adopted_segments_are_found_by_source(tmp_path: Path) -> None:
    copy = HumanCopy("content/a.fr.md", "fr", "en", "content/a.en.md", "s", "c")
    with Memory.open(tmp_path / "m.sqlite") as memory:
        memory.adopt(copy, [("Bonjour.", "Hello.")])
        found = memory.human_texts(["Bonjour.", "Salut."], source="fr", target="en")
        adopted = memory.human_copies()
    assert (found, adopted) == ({"Bonjour.": "Hello."}, {("content/a.fr.md", "en"): 1})


def test_memory__copy_without_segments_is_recorded(tmp_path: Path) -> None:
    copy = HumanCopy("content/a.fr.md", "fr", "en", "content/a.en.md", "s", "c")
    with Memory.open(tmp_path / "m.sqlite") as memory:
        memory.adopt(copy, None)
        assert memory.human_copies() == {("content/a.fr.md", "en"): None}


def test_memory__file_without_human_tables_gains_them_in_place(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    with Memory.open(path) as memory:
        memory.store({"Bonjour": "Hello"}, source="fr", target="en", engine="e", model="1")
    db = sqlite3.connect(path)
    db.executescript("DROP TABLE human_copies; DROP TABLE human_slots;")
    db.close()
    with Memory.open(path) as memory:
        kept = memory.lookup(["Bonjour"], source="fr", target="en", engine="e", model="1")
        assert memory.human_copies() == {}
    db = sqlite3.connect(path)
    version = db.execute("PRAGMA user_version").fetchone()[0]
    application = db.execute("PRAGMA application_id").fetchone()[0]
    db.close()
    assert (kept, version, application) == ({"Bonjour": "Hello"}, SCHEMA_VERSION, APPLICATION_ID)
