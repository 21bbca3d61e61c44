"""Opening the memory: readers never create or misread it, writers create it once, errors name it."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from translator.errors import StateError
from translator.store.memory import Memory, site_lock


def test_open_readonly__missing_file_reads_empty_and_is_not_created(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "m.sqlite", readonly=True) as memory:
        assert memory.post_count() == 0
    assert not (tmp_path / "m.sqlite").exists()


def test_open_readonly__empty_file_reads_empty_and_stays_empty(tmp_path: Path) -> None:
    (tmp_path / "m.sqlite").write_bytes(b"")
    with Memory.open(tmp_path / "m.sqlite", readonly=True) as memory:
        assert memory.posts() == []
    assert (tmp_path / "m.sqlite").stat().st_size == 0


def test_open_readonly__garbage_is_refused_with_the_restore_hint(tmp_path: Path) -> None:
    (tmp_path / "m.sqlite").write_bytes(b"garbage " * 1000)
    with pytest.raises(StateError, match="from your backup or from git"):
        Memory.open(tmp_path / "m.sqlite", readonly=True)


def _open_and_count(path: str) -> int:
    with Memory.open(Path(path)) as memory:
        return memory.unit_count()


def test_open__concurrent_first_opens_create_the_schema_once(tmp_path: Path) -> None:
    path = str(tmp_path / "m.sqlite")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        assert pool.map(_open_and_count, [path] * 8) == [0] * 8


def test_lock__message_names_the_holder(tmp_path: Path) -> None:
    with (
        site_lock(tmp_path, command="translator run"),
        pytest.raises(StateError, match=rf"`translator run` \(pid {os.getpid()}\)"),
        site_lock(tmp_path),
    ):
        pass
