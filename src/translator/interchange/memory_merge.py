"""A git merge driver for `.translator/memory.sqlite`: two memories merged row by row.

git calls `translator memory merge %O %A %B` (base, ours, theirs) when both
branches changed the memory, and takes what the driver leaves in %A:
- translation units (machine and human): the union; a unit both sides hold
  keeps ours (both are valid translations of the same text);
- editors' texts retired from posts: the union;
- each copy's record (its slots, hashes, states): the record of the branch
  that changed it since the base, which is also the branch whose copy file
  git takes into the merged tree (translator writes the file and the record
  together). A copy both branches changed is merged slot by slot when git
  can merge its text cleanly (see `copy_merge`); otherwise ours is kept and
  the copy is reported, to be run again (`translator run PATH`) once git's
  merge of the copy file is resolved.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from translator.errors import InterchangeError
from translator.interchange.copy_merge import merge_copy
from translator.interchange.output import write_output
from translator.store.memory import Memory

__all__ = (
    "GITATTRIBUTES_LINE",
    "MergeReport",
    "git_config_command",
    "git_init",
    "merge_memories",
)

GITATTRIBUTES_LINE = ".translator/memory.sqlite merge=translator-memory -diff"
_DRIVER = "translator memory merge %O %A %B"


def git_config_command() -> str:
    """The one command that tells git how to run the driver (git never runs drivers from a repo)."""
    return f'git config merge.translator-memory.driver "{_DRIVER}"'


def git_init(root: Path) -> Path:
    """Add the driver's line to the site's .gitattributes (once); returns the file."""
    path = root / ".gitattributes"
    text = path.read_text("utf-8") if path.exists() else ""
    if GITATTRIBUTES_LINE not in text.splitlines():
        separator = "" if not text or text.endswith("\n") else "\n"
        write_output(path, f"{text}{separator}{GITATTRIBUTES_LINE}\n".encode())
    return path


@dataclass(frozen=True, slots=True)
class MergeReport:
    """What a merge took from theirs, and what it could not merge."""

    units_added: int
    """Translation units only theirs had."""
    records_taken: tuple[str, ...]
    """Copies whose record came from theirs."""
    conflicts: tuple[str, ...]
    """Copies both branches changed that could not be merged: ours kept, to be run again."""
    records_merged: tuple[str, ...] = ()
    """Copies both branches changed, merged slot by slot (git merges their text cleanly)."""


def merge_memories(base: Path, ours: Path, theirs: Path) -> MergeReport:
    """Merge `theirs` into `ours` (in place, atomically) against their common `base`."""
    for path in (ours, theirs):
        if not path.is_file():
            # Opening would create an empty memory and report a merge of nothing.
            raise InterchangeError(
                "no memory to merge here",
                path=path,
                hint="git passes the files itself (%O %A %B); by hand, give three memory files",
            )
        Memory.open(path).close()  # refuses a foreign, newer or damaged file; upgrades v1 in place
    staged = ours.with_name(ours.name + ".merging")
    shutil.copyfile(ours, staged)
    try:
        with _attached(staged, base, theirs) as db:
            report = _merge(db, has_base=base.exists() and base.stat().st_size > 0)
        os.replace(staged, ours)
    finally:
        staged.unlink(missing_ok=True)
    return report


@contextlib.contextmanager
def _attached(path: Path, base: Path, theirs: Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = DELETE")  # one file: what git stores
        db.execute("ATTACH DATABASE ? AS theirs", (str(theirs),))
        if base.exists() and base.stat().st_size > 0:
            db.execute("ATTACH DATABASE ? AS base", (str(base),))
        db.execute("BEGIN IMMEDIATE")
        yield db
        db.execute("COMMIT")
    except sqlite3.DatabaseError as error:
        raise InterchangeError(f"cannot merge these memories ({error})", path=path) from error
    finally:
        db.close()


def _merge(db: sqlite3.Connection, *, has_base: bool) -> MergeReport:
    before = _count(db)
    db.execute("INSERT OR IGNORE INTO main.units SELECT * FROM theirs.units")
    if _has_table(db, "theirs", "human_units"):
        db.execute("INSERT OR IGNORE INTO main.human_units SELECT * FROM theirs.human_units")
    for table in ("human_copies", "human_slots", "kept"):  # adopted copies, editors' texts
        if _has_table(db, "theirs", table) and _has_table(db, "main", table):
            db.execute(f"INSERT OR IGNORE INTO main.{table} SELECT * FROM theirs.{table}")
    db.execute(
        "INSERT INTO main.retired SELECT * FROM theirs.retired t WHERE NOT EXISTS (SELECT 1"
        " FROM main.retired m WHERE m.source_path = t.source_path AND m.target_lang ="
        " t.target_lang AND m.label = t.label AND m.written_text = t.written_text)"
    )
    taken: list[str] = []
    conflicts: list[str] = []
    merged: list[str] = []
    for key, target_path in _differing(db):
        ours_changed = _changed(db, "main", key, has_base=has_base)
        theirs_changed = _changed(db, "theirs", key, has_base=has_base)
        if theirs_changed and ours_changed:
            both = merged if has_base and merge_copy(db, key) else conflicts
            both.append(target_path)
        elif theirs_changed:
            _take(db, key)
            taken.append(target_path)
    return MergeReport(_count(db) - before, tuple(taken), tuple(conflicts), tuple(merged))


def _differing(db: sqlite3.Connection) -> list[tuple[tuple[str, str], str]]:
    """Records theirs has that ours lacks or holds differently."""
    rows = db.execute(
        "SELECT t.source_path, t.target_lang, t.target_path FROM theirs.posts t LEFT JOIN"
        " main.posts m USING (source_path, target_lang) WHERE m.source_path IS NULL OR"
        " m.written_hash != t.written_hash OR m.source_hash != t.source_hash"
    )
    return [((r[0], r[1]), r[2]) for r in rows]


def _changed(db: sqlite3.Connection, side: str, key: tuple[str, str], *, has_base: bool) -> bool:
    """Whether `side` holds the record differently from the base (or at all, with no base)."""
    query = f"SELECT written_hash, source_hash FROM {side}.posts WHERE source_path = ? AND target_lang = ?"
    row = db.execute(query, key).fetchone()
    if row is None:
        return False
    if not has_base:
        return True
    base = db.execute(query.replace(f"{side}.posts", "base.posts"), key).fetchone()
    return base is None or tuple(base) != tuple(row)


def _take(db: sqlite3.Connection, key: tuple[str, str]) -> None:
    where = "WHERE source_path = ? AND target_lang = ?"
    db.execute(f"DELETE FROM main.slots {where}", key)
    db.execute(f"DELETE FROM main.posts {where}", key)
    db.execute(f"INSERT INTO main.posts SELECT * FROM theirs.posts {where}", key)
    db.execute(f"INSERT INTO main.slots SELECT * FROM theirs.slots {where}", key)


def _count(db: sqlite3.Connection) -> int:
    (count,) = db.execute("SELECT count(*) FROM main.units").fetchone()
    if _has_table(db, "main", "human_units"):
        (human,) = db.execute("SELECT count(*) FROM main.human_units").fetchone()
        count += human
    return int(count)


def _has_table(db: sqlite3.Connection, schema: str, name: str) -> bool:
    row = db.execute(
        f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None
