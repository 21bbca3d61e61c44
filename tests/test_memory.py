"""The memory database: units, post records, schema checks, the lock."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from translator.errors import StateError
from translator.store.memory import (
    UNDO_KEPT,
    Memory,
    PostRecord,
    SlotRecord,
    UndoStep,
    site_lock,
)


def record(**changes: object) -> PostRecord:
    fields: dict[str, object] = {
        "source_path": "content/fr/a.md",
        "target": "en",
        "target_path": "content/en/a.md",
        "source_hash": "s",
        "written_hash": "w",
        "written_text": "text",
        "status": "machine",
        "engine": "pseudo",
        "model": "pseudo-1",
        "updated": "2026-11-25T00:00:00+00:00",
        "slots": (SlotRecord("title", "Titre", "Title", "Title", "machine", notes=("length: x",)),),
    }
    return PostRecord(**{**fields, **changes})  # type: ignore[arg-type]


def test_units__lookup_what_was_stored(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "m.sqlite") as memory:
        memory.store({"Bonjour": "Hello"}, source="fr", target="en", engine="e", model="1")
        found = memory.lookup(["Bonjour", "Salut"], source="fr", target="en", engine="e", model="1")
        other_model = memory.lookup(["Bonjour"], source="fr", target="en", engine="e", model="2")
    assert (found, other_model) == ({"Bonjour": "Hello"}, {})


def test_posts__round_trip(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "m.sqlite") as memory:
        memory.save_post(record())
    with Memory.open(tmp_path / "m.sqlite") as memory:
        assert memory.post("content/fr/a.md", "en") == record()


def test_posts__save_replaces_slots(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "m.sqlite") as memory:
        memory.save_post(record())
        memory.save_post(record(slots=()))
        assert memory.posts() == [record(slots=())]


def test_open__newer_schema_is_refused(tmp_path: Path) -> None:
    Memory.open(tmp_path / "m.sqlite").close()
    with sqlite3.connect(tmp_path / "m.sqlite") as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(StateError, match="newer than this translator"):
        Memory.open(tmp_path / "m.sqlite")


def test_open__foreign_sqlite_is_refused_and_untouched(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "m.sqlite") as db:
        db.execute("CREATE TABLE mine (x)")
    before = (tmp_path / "m.sqlite").read_bytes()
    with pytest.raises(StateError, match="not created by translator"):
        Memory.open(tmp_path / "m.sqlite")
    assert (tmp_path / "m.sqlite").read_bytes() == before


def test_lock__second_holder_is_refused(tmp_path: Path) -> None:
    with (
        site_lock(tmp_path),
        pytest.raises(StateError, match="another translator run"),
        site_lock(tmp_path),
    ):
        pass


def test_lock__released_after_use(tmp_path: Path) -> None:
    with site_lock(tmp_path):
        pass
    with site_lock(tmp_path):
        pass


def _step(what: str = "edited line 7", target: str = "content/en/a.md") -> UndoStep:
    before = record(blocks=(0, -1, 1), approval="forced on 2026-11-28: x")
    return UndoStep(target, what, "---\ntitle: Before\n---\n", before, "h" * 64)


def test_undo__a_step_survives_reopening(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "m.sqlite") as memory:
        memory.push_undo(_step())
    with Memory.open(tmp_path / "m.sqlite") as memory:
        found = memory.last_undo()
    assert found is not None and found[1] == _step()


def test_undo__the_newest_step_first_and_dropped_once_undone(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "m.sqlite") as memory:
        memory.push_undo(_step("first"))
        memory.push_undo(_step("second"))
        number, newest = memory.last_undo() or (0, None)
        memory.drop_undo(number)
        after = memory.last_undo()
    assert newest is not None and newest.what == "second"
    assert after is not None and after[1].what == "first"


def test_undo__forgetting_a_copy_keeps_the_others(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "m.sqlite") as memory:
        memory.push_undo(_step("other", target="content/en/b.md"))
        memory.push_undo(_step("this"))
        memory.forget_undo("content/en/a.md")
        found = memory.last_undo()
    assert found is not None and found[1].what == "other"


def test_undo__only_the_newest_steps_are_kept(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "m.sqlite") as memory:
        for n in range(UNDO_KEPT + 5):
            memory.push_undo(_step(f"step {n}"))
        kept = memory._db.execute("SELECT count(*) FROM undo_steps").fetchone()[0]
    assert kept == UNDO_KEPT
