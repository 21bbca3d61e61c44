"""The copy's lifecycle, piece by piece: provenance, pairing, the block merge, schema upgrade."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from translator.errors import MergeRefusedError
from translator.markdown import _markdown
from translator.markdown.glossary import Glossary
from translator.store.blockmerge import Side, merge_blocks, read_blocks
from translator.store.copy_structure import _carry_editor_blocks
from translator.store.memory import _SCHEMA, APPLICATION_ID, Memory, SlotRecord
from translator.store.merge import _similar_pairs
from translator.store.provenance import Provenance, engine_mix, glossary_version, is_stale

ARGOS = Provenance("argos", "fr_en-1.9")
PSEUDO = Provenance("pseudo", "pseudo-1")


def slot(**changes: object) -> SlotRecord:
    fields: dict[str, object] = {
        "label": "line 3",
        "source": "Un chat.",
        "machine": "⟦Ûñ çĥåţ.⟧",
        "written": "⟦Ûñ çĥåţ.⟧",
        "state": "machine",
        "engine": "pseudo",
        "model": "pseudo-1",
        "glossary": "",
    }
    return SlotRecord(**{**fields, **changes})  # type: ignore[arg-type]


def test_stale__pseudo_slot_under_a_real_engine() -> None:
    assert is_stale(slot(), ARGOS, "")


def test_stale__real_slot_under_pseudo_is_kept() -> None:
    assert not is_stale(slot(engine="argos", model="fr_en-1.9"), PSEUDO, "")


def test_stale__new_model_version() -> None:
    assert is_stale(slot(engine="argos", model="fr_en-1.8"), ARGOS, "")


def test_stale__glossary_change() -> None:
    assert is_stale(slot(engine="argos", model="fr_en-1.9"), ARGOS, "abc")


def test_stale__edited_slot_never() -> None:
    assert not is_stale(slot(state="edited", written="A cat."), ARGOS, "")


def test_stale__schema_1_slot_a_glossary_touches_is_translated_again() -> None:
    assert is_stale(slot(engine="argos", model="fr_en-1.9", glossary=None), ARGOS, "abc")


def test_stale__schema_1_slot_no_glossary_touches_is_kept() -> None:
    assert not is_stale(slot(engine="argos", model="fr_en-1.9", glossary=None), ARGOS, "")


def test_glossary_version__only_entries_in_the_source() -> None:
    glossary = Glossary(("Instagram", "Hugo"), {"en": {"chat": "cat"}})
    assert glossary_version(glossary, "en", "Sur Instagram.") == glossary_version(
        Glossary(("Instagram",)), "en", "Sur Instagram."
    )
    assert glossary_version(glossary, "en", "Rien.") == ""


def test_engine_mix__counts_machine_text_per_engine() -> None:
    slots = [slot(), slot(), slot(state="edited", written="x"), slot(engine="argos")]
    assert engine_mix(slots) == "argos 1/4, pseudo 2/4"


def test_similar_pairs__an_inserted_paragraph_takes_no_editor_text() -> None:
    new = ["Un paragraphe tout neuf.", "Premier paragraphe modifié avec un lien."]
    old = ["Premier paragraphe avec un lien.", "Troisième paragraphe."]
    assert _similar_pairs(new, old) == [(1, 0)]


def test_carry_editor_blocks__after_the_block_they_followed() -> None:
    assert _carry_editor_blocks(["f0", "e1", "f1", "f2"], ["f0", "n1", "f2"]) == [
        "f0",
        "e1",
        "n1",
        "f2",
    ]


def _side(text: str, keys: list[str]) -> Side:
    md = _markdown.make_parser()
    return Side(read_blocks(md, text, 0), tuple(keys))


def test_merge_blocks__both_insert_at_one_place_editor_first() -> None:
    base = _side("A.\n\nB.\n", ["f0", "f1"])
    ours = _side("A.\n\nNote.\n\nB.\n", ["f0", "x1", "f1"])
    rendered = _side("A.\n\nNew.\n\nB.\n", ["f0", "n1", "f1"])
    text, origin = merge_blocks(base, ours, list(rendered.keys), rendered, rendered.blocks)
    assert text == "A.\n\nNote.\n\nNew.\n\nB.\n"
    assert origin == (0, -1, 1, 2)


def test_merge_blocks__overlapping_changes_are_refused_with_lines() -> None:
    base = _side("A.\n\nB.\n\nC.\n", ["f0", "f1", "f2"])
    ours = _side("A.\n\nMine.\n\nC.\n", ["f0", "x1", "f2"])
    rendered = _side("A.\n\nTheirs.\n\nC.\n", ["f0", "n1", "f2"])
    with pytest.raises(MergeRefusedError, match=r"copy lines 3-3, source lines 3-3"):
        merge_blocks(base, ours, list(rendered.keys), rendered, rendered.blocks)


def test_memory__schema_1_database_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("PRAGMA user_version = 1")
        db.executescript(_SCHEMA)
        db.execute(
            "INSERT INTO posts VALUES ('content/fr/a.md', 'en', 'content/en/a.md', 's', 'w',"
            " 'text', 'machine', 'argos', 'fr_en-1.9', 'now')"
        )
        db.execute(
            "INSERT INTO slots VALUES ('content/fr/a.md', 'en', 0, 'title', 'Titre', 'Title',"
            " 'Title', 'machine', NULL, NULL, '[]')"
        )
    with Memory.open(path) as memory:
        record = memory.post("content/fr/a.md", "en")
    with sqlite3.connect(path) as db:
        (version,) = db.execute("PRAGMA user_version").fetchone()
    assert record is not None
    assert (record.slots[0].engine, record.slots[0].model, record.slots[0].glossary) == (
        "argos",
        "fr_en-1.9",
        None,
    )
    assert version == 2
