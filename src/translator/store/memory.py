"""Translation memory and run state: one SQLite file per site, written only here.

Two kinds of rows:
- `units`: the translation memory. One machine translation per (unit text,
  language pair, engine, model). A unit is what an engine saw: a segment's
  tagged text, a link title, a front matter value.
- `posts` and `slots`: what was written for each (source post, target
  language), slot by slot (a slot is one front matter field or body segment):
  its source Markdown, the machine's Markdown, what the file got (the
  editor's text when it was kept), its state, and the source at the last
  approval. That is what lets a run tell an editor's change from ours.

The database carries SQLite's `application_id` and a schema version in
`user_version`: a file that is not ours, or from a newer translator, is
refused with a clear error instead of being reset.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Self

from translator.errors import MemoryDamagedError, MemoryPermissionError, StateError

__all__ = (
    "APPLICATION_ID",
    "HumanCopy",
    "Memory",
    "PostRecord",
    "PostSummary",
    "RetiredText",
    "SlotRecord",
    "UndoStep",
    "restore_hint",
    "site_lock",
)

APPLICATION_ID = 0x54524E53  # "TRNS"
SCHEMA_VERSION = 2

RESTORE_HINT = (
    "restore {path} from your backup or from git (`git log -- {path}`, then "
    "`git checkout <commit> -- {path}`); if there is none, {otherwise}"
)
"""How to recover a lost or damaged memory: the backup or git history first."""
DAMAGED_OTHERWISE = (
    "rebuild it from the copies and their sources: `translator memory rebuild` (the damaged "
    "file is kept beside it as a backup)"
)


def restore_hint(path: Path | str, *, otherwise: str = DAMAGED_OTHERWISE) -> str:
    """The recovery advice for the memory at `path`: backup, git, and only then a new start."""
    with contextlib.suppress(ValueError):  # as typed in the site's folder, where git is run
        path = Path(path).absolute().relative_to(Path.cwd()).as_posix()
    return RESTORE_HINT.format(path=path, otherwise=otherwise)


SlotState = Literal["machine", "edited", "conflict", "reviewed", "outdated"]
PostStatus = Literal["machine", "reviewed", "conflict", "outdated"]
UNREAL_ENGINES = frozenset({"identity", "pseudo"})
"""Engines whose output is never a real translation: always retranslated, never approved."""
LOOKUP_BATCH = 500
"""Texts asked per lookup statement (under SQLite's oldest limit of 999 parameters)."""

_SCHEMA = """
CREATE TABLE units (
    source_text TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    engine TEXT NOT NULL,
    model TEXT NOT NULL,
    machine_text TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (source_text, source_lang, target_lang, engine, model)
) WITHOUT ROWID;
CREATE TABLE posts (
    source_path TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    target_path TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    written_hash TEXT NOT NULL,
    written_text TEXT NOT NULL,
    status TEXT NOT NULL,
    engine TEXT NOT NULL,
    model TEXT NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (source_path, target_lang)
);
CREATE TABLE slots (
    source_path TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    source_text TEXT NOT NULL,
    machine_text TEXT NOT NULL,
    written_text TEXT NOT NULL,
    state TEXT NOT NULL,
    suggestion TEXT,
    approved_source TEXT,
    notes TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (source_path, target_lang, position),
    FOREIGN KEY (source_path, target_lang) REFERENCES posts ON DELETE CASCADE
);
CREATE TABLE retired (
    source_path TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    label TEXT NOT NULL,
    source_text TEXT NOT NULL,
    written_text TEXT NOT NULL,
    retired TEXT NOT NULL DEFAULT (datetime('now'))
);
"""
# Schema 2, additive: per-slot provenance, the source and block map of the last write,
# how the copy was last approved, and every editor's text ever recorded (`kept`).
_UPGRADE_2 = (
    "ALTER TABLE slots ADD COLUMN engine TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE slots ADD COLUMN model TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE slots ADD COLUMN glossary TEXT",
    "ALTER TABLE posts ADD COLUMN source_text TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE posts ADD COLUMN blocks TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE posts ADD COLUMN approval TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE retired ADD COLUMN state TEXT NOT NULL DEFAULT 'edited'",
    # Slots of schema 1 take their copy's engine and model; their glossary stays unknown.
    (
        "UPDATE slots SET engine = (SELECT p.engine FROM posts p WHERE p.source_path ="
        " slots.source_path AND p.target_lang = slots.target_lang), model = (SELECT p.model"
        " FROM posts p WHERE p.source_path = slots.source_path AND"
        " p.target_lang = slots.target_lang)"
    ),
    """CREATE TABLE kept (
    source_path TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    source_text TEXT NOT NULL,
    written_text TEXT NOT NULL,
    state TEXT NOT NULL,
    recorded TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (source_path, target_lang, source_text, written_text)
)""",
)


_HUMAN_UNITS = """
CREATE TABLE IF NOT EXISTS human_units (
    source_text TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    target_text TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (source_text, source_lang, target_lang)
) WITHOUT ROWID
"""
"""Translations written by people (imported from TMX): a run uses them before any engine."""

MachineUnit = tuple[str, str, str, str, str, str]
"""(source text, source language, target language, engine, model, translation)."""
HumanUnit = tuple[str, str, str, str, str]
"""(source text, source language, target language, translation, origin)."""
# Human copies (adopted translations translator did not write) and their slots
# (a front matter value or a segment's Markdown, whole), reused as human-reviewed
# text. Additive, like human_units: an older file gains them when a writer opens it.
_HUMAN_SCHEMA = """
CREATE TABLE IF NOT EXISTS human_copies (
    source_path TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    target_path TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    copy_hash TEXT NOT NULL,
    segments INTEGER,
    adopted TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (source_path, target_lang)
);
CREATE TABLE IF NOT EXISTS human_slots (
    source_text TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    human_text TEXT NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY (source_text, source_lang, target_lang)
) WITHOUT ROWID;
"""

# The workbench's undo steps, newest last: an editor's action and what undoing it writes
# back, kept across server restarts. Additive, created by writers as the human tables are.
_UNDO_SCHEMA = """
CREATE TABLE IF NOT EXISTS undo_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target_path TEXT NOT NULL,
    what TEXT NOT NULL,
    before_text TEXT NOT NULL,
    before_record TEXT NOT NULL,
    after_hash TEXT NOT NULL,
    done TEXT NOT NULL DEFAULT (datetime('now'))
)
"""
UNDO_KEPT = 20
"""Undo steps kept, the oldest forgotten (the memory may be committed: it stays small)."""


@dataclass(frozen=True, slots=True)
class SlotRecord:
    """One front matter field or body segment of a written copy."""

    label: str
    """`title` for a field, `line 12` for a segment (where an editor finds it)."""
    source: str
    """The source Markdown of the slot when it was last translated."""
    machine: str
    """The machine's Markdown for that source."""
    written: str
    """What the copy holds for the slot: the machine's text, or the editor's."""
    state: SlotState
    """`machine`, `edited` (an editor's text kept), `conflict`, `reviewed`."""
    suggestion: str | None = None
    """In a conflict: the machine's translation of the new source, for the editor."""
    approved_source: str | None = None
    """The source Markdown when an editor last approved the copy."""
    notes: tuple[str, ...] = ()
    """QA flags and tag repairs, for the review page."""
    engine: str = ""
    """Engine that produced `machine` (provenance)."""
    model: str = ""
    """Its model version."""
    glossary: str | None = None
    """Hash of the glossary entries that touched the source ('' none; None unknown, from v1)."""

    @property
    def unreal(self) -> bool:
        """The copy holds identity or pseudo output for this slot, not a translation."""
        return (
            self.state in ("machine", "outdated")
            and self.engine in UNREAL_ENGINES
            and (self.written == self.machine)
        )


@dataclass(frozen=True, slots=True)
class RetiredText:
    """An editor's or reviewed text kept in the memory after its source paragraph was deleted."""

    ident: int
    """Its number in the memory (`translator retired restore ID`)."""
    source_path: str
    """The source post, relative to the site."""
    target: str
    """The copy's language."""
    label: str
    """Where the slot was in the copy when it was retired (`line 12`, `title`)."""
    source: str
    """The source text it translated (now gone from the post)."""
    text: str
    """The editor's or reviewed text."""
    state: str
    """`edited` or `reviewed`."""
    retired: str
    """When it was retired (UTC, `YYYY-MM-DD HH:MM:SS`)."""


@dataclass(frozen=True, slots=True)
class PostRecord:
    """What was written for one source post in one target language."""

    source_path: str
    """Source path relative to the site root, with `/`."""
    target: str
    """Target language code."""
    target_path: str
    """Target path relative to the site root, with `/`."""
    source_hash: str
    """SHA-256 of the source file's bytes when it was translated."""
    written_hash: str
    """SHA-256 of the bytes written to the target file."""
    written_text: str
    """The text written to the target file."""
    status: PostStatus
    """`machine`, `reviewed` or `conflict`."""
    engine: str
    """Engine that translated it."""
    model: str
    """Model version (Argos package version, `pseudo-1`…)."""
    updated: str
    """ISO date and time of the write."""
    slots: tuple[SlotRecord, ...]
    """Every slot, in document order."""
    source_text: str = ""
    """The source post as it was translated ('' in records from schema 1)."""
    blocks: tuple[int, ...] | None = None
    """Per top-level block of `written_text`: its source block's index, -1 if an editor's;
    None when the copy has exactly the source's blocks."""
    approval: str = ""
    """How the copy was last approved (`forced: …` when the guard was overridden)."""


@dataclass(frozen=True, slots=True)
class PostSummary:
    """A copy's record without its slots' texts: what a list of many copies needs."""

    source_path: str
    """Source path relative to the site root."""
    target: str
    """Target language code."""
    target_path: str
    """Target path relative to the site root."""
    source_hash: str
    """SHA-256 of the source when it was translated."""
    written_hash: str
    """SHA-256 of what was written to the copy."""
    status: PostStatus
    """`machine`, `reviewed` or `conflict`."""
    slots: int
    """Number of slots."""
    open_slots: int
    """Slots not reviewed."""
    open_notes: tuple[str, ...]
    """QA flags of the slots not reviewed."""
    title: str | None
    """The `title` slot as written, if the copy has one."""
    approval: str = ""
    """How the copy was last approved (`forced on …` when the guard was overridden)."""
    machine_engines: tuple[str, ...] = ()
    """The engine of each slot that holds the machine's text (what `engine_mix` counts)."""


@dataclass(frozen=True, slots=True)
class HumanCopy:
    """A translation translator did not write, registered by `translator adopt`."""

    source_path: str
    """Source path relative to the site root."""
    source_language: str
    """The source's language."""
    target: str
    """The copy's language."""
    target_path: str
    """The copy's path relative to the site root."""
    source_hash: str
    """SHA-256 of the source when adopted."""
    copy_hash: str
    """SHA-256 of the copy when adopted."""


@dataclass(frozen=True, slots=True)
class UndoStep:
    """One editor's action on a copy, and what undoing it writes back."""

    target_path: str
    """The copy, relative to the site."""
    what: str
    """What was done, for the editor (`edited line 12`)."""
    before_text: str
    """The file before the action."""
    before: PostRecord
    """The memory's record before the action."""
    after_hash: str
    """SHA-256 of the file the action wrote: undo refuses if the file moved on since."""


class Memory:
    """The site's memory database. Open with `Memory.open(path)`; use as a context manager."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        self._tables: set[str] = set()
        """Tables seen to exist (they are never dropped): a run asks for each post."""

    @classmethod
    def open(cls, path: Path, *, readonly: bool = False) -> Memory:
        """Open or create the database; `StateError` for a corrupt, foreign or newer file.

        `readonly` (status, review): never creates, never writes, takes no
        lock; a missing, empty or half-created database reads as empty.
        """
        if readonly:
            return cls._open_reader(path)
        _check_writable(path)
        try:
            connection = sqlite3.connect(path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA foreign_keys = ON")
            memory = cls(connection, path)
            memory._create_or_check()
            connection.execute(_HUMAN_UNITS)  # additive: an older v1 file gains it in place
            memory._add_human_tables()
            connection.execute(_UNDO_SCHEMA)  # additive, as human_units
            connection.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as error:
            raise _database_error(error, path) from error
        return memory

    @classmethod
    def _open_reader(cls, path: Path) -> Memory:
        if not path.exists() or path.stat().st_size == 0:
            return cls._empty(path)
        try:
            memory = cls(_connect_reader(path), path)
            if memory._blank():
                memory.close()  # a first run is creating it right now
                return cls._empty(path)
            memory._check()
        except sqlite3.DatabaseError as error:
            raise _database_error(error, path) from error
        return memory

    @classmethod
    def _empty(cls, path: Path) -> Memory:
        """An empty memory in RAM, standing for a database not created yet."""
        memory = cls(sqlite3.connect(":memory:", isolation_level=None), path)
        memory._create()
        return memory

    def _create_or_check(self) -> None:
        # Decided under SQLite's write lock: two first opens at once create the schema once.
        with self._transaction():
            if self._blank():
                self._create_schema()
                return
        self._check()

    def _blank(self) -> bool:
        """A database with nothing in it yet (0 bytes, or created but not given a schema)."""
        (application,) = self._db.execute("PRAGMA application_id").fetchone()
        (tables,) = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return bool(application == 0 and tables == 0)

    def _create(self) -> None:
        with self._transaction():
            self._create_schema()

    def _create_schema(self) -> None:
        # executescript() would commit first; plain execute keeps one transaction.
        self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        for statement in (_SCHEMA + _HUMAN_SCHEMA).split(";"):
            if statement.strip():
                self._db.execute(statement)
        self._db.execute(_HUMAN_UNITS)
        self._db.execute(_UNDO_SCHEMA)
        for statement in _UPGRADE_2:
            self._db.execute(statement)

    def _add_human_tables(self) -> None:
        """human_copies and human_slots, created if missing (writers only)."""
        with self._transaction():
            for statement in _HUMAN_SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)

    def _check(self) -> None:
        (application,) = self._db.execute("PRAGMA application_id").fetchone()
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if application != APPLICATION_ID:
            raise StateError(
                "this SQLite file was not created by translator",
                path=self.path,
                hint="point translator at its own .translator/memory.sqlite",
            )
        if version > SCHEMA_VERSION:
            raise StateError(
                f"memory schema {version} is newer than this translator ({SCHEMA_VERSION})",
                path=self.path,
                hint="upgrade translator",
            )
        (integrity,) = self._db.execute("PRAGMA quick_check").fetchone()
        if integrity != "ok":
            raise MemoryDamagedError(
                f"memory database is damaged: {integrity}",
                path=self.path,
                hint=restore_hint(self.path),
            )
        if version < 2:
            self._upgrade()

    def _upgrade(self) -> None:
        """Bring a schema 1 database to schema 2 in place (new columns and a table only).

        Done on a connection of its own: a reader's connection is read-only.
        """
        writer = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")
            (version,) = writer.execute("PRAGMA user_version").fetchone()
            if version < 2:  # another process may have just done it
                for statement in _UPGRADE_2:
                    writer.execute(statement)
                writer.execute("PRAGMA user_version = 2")
            writer.execute("COMMIT")
        except sqlite3.Error as error:
            writer.close()
            raise StateError(
                f"memory schema 1 could not be upgraded to 2 ({error})",
                path=self.path,
                hint="run `translator run` once where the memory can be written",
            ) from error
        writer.close()

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """One transaction around many writes: one commit (one sync) instead of one each.

        Each write inside still succeeds or fails alone (a savepoint); nothing is
        visible to others, or durable, before the batch ends.
        """
        with self._transaction():
            yield

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        if self._db.in_transaction:  # inside `batch`: a savepoint, undone alone on failure
            with self._savepoint():
                yield
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as error:
            raise _database_error(error, self.path) from error

    @contextlib.contextmanager
    def _savepoint(self) -> Iterator[None]:
        try:
            self._db.execute("SAVEPOINT write")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK TO write")
                self._db.execute("RELEASE write")
                raise
            self._db.execute("RELEASE write")
        except sqlite3.OperationalError as error:
            raise _database_error(error, self.path) from error

    def post_count(self) -> int:
        """How many copies the memory has a record of."""
        (count,) = self._db.execute("SELECT count(*) FROM posts").fetchone()
        return int(count)

    # -- translation memory ---------------------------------------------------------
    def lookup(
        self, texts: Sequence[str], *, source: str, target: str, engine: str, model: str
    ) -> dict[str, str]:
        """The machine translations the memory holds for any of `texts`."""
        query = (
            "SELECT source_text, machine_text FROM units WHERE source_lang = ? AND "
            "target_lang = ? AND engine = ? AND model = ? AND source_text IN ({})"
        )
        return self._rows_for(query, texts, (source, target, engine, model))

    def _rows_for(self, query: str, texts: Sequence[str], fixed: tuple[str, ...]) -> dict[str, str]:
        """`query`'s (text, value) rows for `texts`, asked for `LOOKUP_BATCH` texts at a time.

        One statement per text cost a run about as much as parsing its posts; an `IN`
        list still uses the primary key, whose first column is the source text."""
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(texts))
        for start in range(0, len(unique), LOOKUP_BATCH):
            batch = unique[start : start + LOOKUP_BATCH]
            marks = ", ".join("?" * len(batch))
            found.update(self._db.execute(query.format(marks), (*fixed, *batch)).fetchall())
        return found

    def store(
        self, translations: Mapping[str, str], *, source: str, target: str, engine: str, model: str
    ) -> None:
        """Remember machine translations of units."""
        rows = [(s, source, target, engine, model, t) for s, t in translations.items()]
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO units (source_text, source_lang, target_lang, engine,"
                " model, machine_text) VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )

    def unit_count(self) -> int:
        """How many machine translations the memory holds."""
        (count,) = self._db.execute("SELECT count(*) FROM units").fetchone()
        return int(count)

    def machine_units(self) -> list[MachineUnit]:
        """Every machine translation, for a TMX export."""
        rows = self._db.execute(
            "SELECT source_text, source_lang, target_lang, engine, model, machine_text FROM units"
            " ORDER BY source_lang, target_lang, source_text"
        )
        return [tuple(row) for row in rows]

    def human_units(self) -> list[HumanUnit]:
        """Every imported human translation."""
        rows = self._db.execute(
            "SELECT source_text, source_lang, target_lang, target_text, origin FROM human_units"
            " ORDER BY source_lang, target_lang, source_text"
        )
        return [tuple(row) for row in rows]

    def add_units(self, machine: Sequence[MachineUnit], human: Sequence[HumanUnit]) -> int:
        """Add units, keeping any the memory already has (never replaced). Returns how many were new."""
        before = self.unit_count() + len(self.human_units())
        with self._transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO units (source_text, source_lang, target_lang, engine,"
                " model, machine_text) VALUES (?, ?, ?, ?, ?, ?)",
                machine,
            )
            self._db.executemany("INSERT OR IGNORE INTO human_units VALUES (?, ?, ?, ?, ?)", human)
        return self.unit_count() + len(self.human_units()) - before

    def human_lookup(self, texts: Sequence[str], *, source: str, target: str) -> dict[str, str]:
        """The human translations the memory holds for any of `texts`."""
        return self._human("human_units", "target_text", texts, source, target)

    def _human(
        self, table: str, column: str, texts: Sequence[str], source: str, target: str
    ) -> dict[str, str]:
        """source text -> human text from `table` (TMX imports or adopted copies)."""
        query = (
            f"SELECT source_text, {column} FROM {table} WHERE source_lang = ?"
            " AND target_lang = ? AND source_text IN ({})"
        )
        return self._rows_for(query, texts, (source, target))

    # -- posts -------------------------------------------------------------------------
    def post(self, source_path: str, target: str) -> PostRecord | None:
        """The record of a copy, or None if none was ever written."""
        row = self._db.execute(
            "SELECT * FROM posts WHERE source_path = ? AND target_lang = ?", (source_path, target)
        ).fetchone()
        return None if row is None else self._post(row)

    def post_for_target(self, target_path: str) -> PostRecord | None:
        """The record of the copy at `target_path` (relative to the site), or None."""
        row = self._db.execute(
            "SELECT * FROM posts WHERE target_path = ?", (target_path,)
        ).fetchone()
        return None if row is None else self._post(row)

    def posts(self) -> list[PostRecord]:
        """Every record, ordered by source path and language."""
        rows = self._db.execute("SELECT * FROM posts ORDER BY source_path, target_lang")
        return [self._post(row) for row in rows.fetchall()]

    def post_summaries(self) -> list[PostSummary]:
        """Every record summed up in one query: cheap for thousands of copies."""
        rows = self._db.execute(
            "SELECT p.source_path, p.target_lang, p.target_path, p.source_hash, p.written_hash,"
            " p.status, count(s.position), coalesce(sum(s.state != 'reviewed'), 0),"
            " group_concat(CASE WHEN s.state != 'reviewed' AND s.notes != '[]' THEN s.notes END,"
            " char(31)), max(CASE WHEN s.label = 'title' THEN s.written_text END), p.approval,"
            " group_concat(CASE WHEN s.state != 'edited' AND s.written_text = s.machine_text"
            " THEN s.engine END, char(31))"
            " FROM posts p LEFT JOIN slots s"
            " ON s.source_path = p.source_path AND s.target_lang = p.target_lang"
            " GROUP BY p.source_path, p.target_lang ORDER BY p.source_path, p.target_lang"
        )
        return [_summary(row) for row in rows]

    def post_hashes(self) -> dict[tuple[str, str], tuple[str, str, str]]:
        """(source path, target) -> (source hash, written hash, status), without slots: cheap."""
        rows = self._db.execute(
            "SELECT source_path, target_lang, source_hash, written_hash, status FROM posts"
        )
        return {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}

    def post_targets(self) -> dict[tuple[str, str], str]:
        """(source path, target) -> the copy's path when it was written."""
        rows = self._db.execute("SELECT source_path, target_lang, target_path FROM posts")
        return {(r[0], r[1]): r[2] for r in rows}

    def save_post(self, record: PostRecord, retired: Sequence[SlotRecord] = ()) -> None:
        """Replace the record of a copy and its slots, in one transaction.

        `retired` are editors' texts whose source left the post: they are kept, never lost.
        """
        key = (record.source_path, record.target)
        with self._transaction():
            self._db.executemany(
                "INSERT INTO retired (source_path, target_lang, label, source_text, written_text,"
                " state) VALUES (?, ?, ?, ?, ?, ?)",
                # Only an editor's or a reviewed text is ever retired: say which.
                [(*key, s.label, s.source, s.written, _kept_state(s)) for s in retired],
            )
            self._keep(key, [*record.slots, *retired])
            self._db.execute("DELETE FROM posts WHERE source_path = ? AND target_lang = ?", key)
            # Slots left behind by a record deleted without foreign keys on.
            self._db.execute("DELETE FROM slots WHERE source_path = ? AND target_lang = ?", key)
            self._db.execute(
                "INSERT INTO posts (source_path, target_lang, target_path, source_hash,"
                " written_hash, written_text, status, engine, model, updated, source_text, blocks,"
                " approval) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *key,
                    record.target_path,
                    record.source_hash,
                    record.written_hash,
                    record.written_text,
                    record.status,
                    record.engine,
                    record.model,
                    record.updated,
                    record.source_text,
                    "" if record.blocks is None else json.dumps(list(record.blocks)),
                    record.approval,
                ),
            )
            self._db.executemany(
                "INSERT INTO slots (source_path, target_lang, position, label, source_text,"
                " machine_text, written_text, state, suggestion, approved_source, notes, engine,"
                " model, glossary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(*key, n, *_slot_row(slot)) for n, slot in enumerate(record.slots)],
            )

    def machine_slots(self, *, with_source: bool) -> list[tuple[str, str, SlotRecord]]:
        """(source path, target, slot) of every machine slot, its provenance filled in.

        Without `with_source` the slots' source text is left out and rows are distinct:
        enough to compare engines and models, and cheap on a large site.
        """
        source = "source_text" if with_source else "''"
        rows = self._db.execute(
            f"SELECT DISTINCT source_path, target_lang, {source}, engine, model, glossary"
            " FROM slots WHERE state = 'machine'"
        )
        return [
            (r[0], r[1], SlotRecord("", r[2], "", "", "machine", engine=r[3], model=r[4],
                                    glossary=r[5]))
            for r in rows
        ]  # fmt: skip

    def _keep(self, key: tuple[str, str], slots: Sequence[SlotRecord]) -> None:
        """Remember every editor's or reviewed text, apart from the copy's record."""
        self._db.executemany(
            "INSERT INTO kept (source_path, target_lang, source_text, written_text, state)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET state = CASE WHEN"
            " excluded.state = 'reviewed' THEN 'reviewed' ELSE kept.state END",
            [
                (*key, s.source, s.written, _kept_state(s))
                for s in slots
                if s.state == "reviewed" or (s.state != "machine" and s.written != s.machine)
            ],
        )

    def kept(self, source_path: str, target: str) -> dict[str, tuple[str, str]]:
        """source text -> (editor's text, state) for one copy: the newest, reviewed first."""
        rows = self._db.execute(
            "SELECT source_text, written_text, state FROM kept WHERE source_path = ? AND"
            " target_lang = ? ORDER BY state = 'reviewed', recorded, rowid",
            (source_path, target),
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    def retired(self, source_path: str, target: str) -> list[tuple[str, str, str]]:
        """(label, source, editor's text) of slots whose source left the post, oldest first."""
        rows = self._db.execute(
            "SELECT label, source_text, written_text FROM retired WHERE source_path = ? AND"
            " target_lang = ? ORDER BY rowid",
            (source_path, target),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def retired_texts(self, source_path: str | None = None) -> list[RetiredText]:
        """Every retired text (of one source post, if given), by post, language and age."""
        query = (
            "SELECT rowid, source_path, target_lang, label, source_text, written_text, state,"
            " retired FROM retired"
        )
        rows = (
            self._db.execute(query + " ORDER BY source_path, target_lang, rowid")
            if source_path is None
            else self._db.execute(
                query + " WHERE source_path = ? ORDER BY target_lang, rowid", (source_path,)
            )
        )
        return [RetiredText(*row) for row in rows]

    def retired_text(self, ident: int) -> RetiredText | None:
        """One retired text by its number, or None."""
        row = self._db.execute(
            "SELECT rowid, source_path, target_lang, label, source_text, written_text, state,"
            " retired FROM retired WHERE rowid = ?",
            (ident,),
        ).fetchone()
        return None if row is None else RetiredText(*row)

    def unretire_text(self, ident: int) -> None:
        """Forget one retired text: it is back in its copy."""
        with self._transaction():
            self._db.execute("DELETE FROM retired WHERE rowid = ?", (ident,))

    def retired_posts(self) -> set[tuple[str, str]]:
        """(source path, target) of the copies with retired texts: one query for a whole site."""
        rows = self._db.execute("SELECT DISTINCT source_path, target_lang FROM retired")
        return {(r[0], r[1]) for r in rows}

    # -- human copies ----------------------------------------------------------------
    def adopt(self, copy: HumanCopy, pairs: Sequence[tuple[str, str]] | None) -> None:
        """Record a human copy; its (source, copy) slot pairs become human-reviewed text.

        `pairs` is None when the copy's structure does not match its source's.
        """
        key = (copy.source_path, copy.target)
        units = [
            (s, copy.source_language, copy.target, t, copy.target_path) for s, t in pairs or ()
        ]
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO human_copies (source_path, target_lang, target_path,"
                " source_hash, copy_hash, segments) VALUES (?, ?, ?, ?, ?, ?)",
                (*key, copy.target_path, copy.source_hash, copy.copy_hash,
                 None if pairs is None else len(pairs)),
            )  # fmt: skip
            self._db.executemany("INSERT OR REPLACE INTO human_slots VALUES (?, ?, ?, ?, ?)", units)

    def _has_table(self, name: str) -> bool:
        """A reader of a v1 file has no human tables until a writer upgrades it."""
        if name in self._tables:
            return True
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        if self._db.execute(query, (name,)).fetchone() is None:
            return False
        self._tables.add(name)
        return True

    def human_copies(self) -> dict[tuple[str, str], int | None]:
        """(source path, target) -> segments adopted (None: structure differs)."""
        if not self._has_table("human_copies"):
            return {}
        rows = self._db.execute("SELECT source_path, target_lang, segments FROM human_copies")
        return {(r[0], r[1]): r[2] for r in rows}

    def human_texts(self, sources: Sequence[str], *, source: str, target: str) -> dict[str, str]:
        """Human translations adopted for any of the given slot sources."""
        if not self._has_table("human_slots"):
            return {}
        return self._human("human_slots", "human_text", sources, source, target)

    def unretire(self, source_path: str, target: str, source_text: str) -> None:
        """Forget retired texts for `source_text` once they are back in the copy."""
        with self._transaction():
            self._db.execute(
                "DELETE FROM retired WHERE source_path = ? AND target_lang = ? AND source_text = ?",
                (source_path, target, source_text),
            )

    # -- the workbench's undo -----------------------------------------------------------
    def push_undo(self, step: UndoStep) -> None:
        """Keep an editor's action for undo (the newest `UNDO_KEPT` are kept)."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO undo_steps (target_path, what, before_text, before_record,"
                " after_hash) VALUES (?, ?, ?, ?, ?)",
                (step.target_path, step.what, step.before_text, _record_json(step.before),
                 step.after_hash),
            )  # fmt: skip
            self._db.execute(
                "DELETE FROM undo_steps WHERE id <= (SELECT max(id) FROM undo_steps) - ?",
                (UNDO_KEPT,),
            )

    def last_undo(self) -> tuple[int, UndoStep] | None:
        """The newest undo step and its number, if any."""
        if not self._has_table("undo_steps"):
            return None
        row = self._db.execute(
            "SELECT id, target_path, what, before_text, before_record, after_hash"
            " FROM undo_steps ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        number, target_path, what, before_text, before, after_hash = row
        return number, UndoStep(target_path, what, before_text, _record_of(before), after_hash)

    def drop_undo(self, number: int) -> None:
        """Forget one undo step (it was undone)."""
        with self._transaction():
            self._db.execute("DELETE FROM undo_steps WHERE id = ?", (number,))

    def forget_undo(self, target_path: str) -> None:
        """Forget every undo step of a copy (it changed on disk: none can be undone)."""
        with self._transaction():
            self._db.execute("DELETE FROM undo_steps WHERE target_path = ?", (target_path,))

    def _post(self, row: Sequence[str]) -> PostRecord:
        slots = self._db.execute(
            "SELECT label, source_text, machine_text, written_text, state, suggestion,"
            " approved_source, notes, engine, model, glossary FROM slots WHERE source_path = ?"
            " AND target_lang = ? ORDER BY position",
            (row[0], row[1]),
        ).fetchall()
        return PostRecord(
            source_path=row[0],
            target=row[1],
            target_path=row[2],
            source_hash=row[3],
            written_hash=row[4],
            written_text=row[5],
            status=row[6],  # type: ignore[arg-type]
            engine=row[7],
            model=row[8],
            updated=row[9],
            slots=tuple(_slot(slot) for slot in slots),
            source_text=row[10],
            blocks=tuple(json.loads(row[11])) if row[11] else None,
            approval=row[12],
        )


def _record_json(record: PostRecord) -> str:
    """A record as JSON (for undo steps): every field, slots as objects."""
    return json.dumps(dataclasses.asdict(record), ensure_ascii=False)


def _record_of(text: str) -> PostRecord:
    """The record `_record_json` wrote."""
    data = json.loads(text)
    slots = tuple(SlotRecord(**{**s, "notes": tuple(s["notes"])}) for s in data.pop("slots"))
    blocks = data.pop("blocks")
    return PostRecord(**data, slots=slots, blocks=None if blocks is None else tuple(blocks))


def _summary(row: Sequence[Any]) -> PostSummary:
    source, target, target_path, source_hash, written_hash, status, count, open_count = row[:8]
    chunks = (row[8] or "").split("\x1f")
    notes = tuple(note for chunk in chunks if chunk for note in json.loads(chunk))
    engines = () if row[11] is None else tuple(row[11].split("\x1f"))
    return PostSummary(
        source, target, target_path, source_hash, written_hash, status, count, open_count, notes,
        row[9], row[10], engines,
    )  # fmt: skip


def _slot(row: Sequence[Any]) -> SlotRecord:
    label, source, machine, written, state, suggestion, approved, notes, *provenance = row
    return SlotRecord(
        label,
        source,
        machine,
        written,
        state,
        suggestion,
        approved,
        tuple(json.loads(notes)),
        *provenance,
    )


def _kept_state(slot: SlotRecord) -> str:
    return "reviewed" if slot.state == "reviewed" else "edited"


def _slot_row(slot: SlotRecord) -> tuple[object, ...]:
    return (
        slot.label,
        slot.source,
        slot.machine,
        slot.written,
        slot.state,
        slot.suggestion,
        slot.approved_source,
        json.dumps(list(slot.notes), ensure_ascii=False) if slot.notes else "[]",
        slot.engine,
        slot.model,
        slot.glossary,
    )


def _check_writable(path: Path) -> None:
    """`MemoryPermissionError` naming the file or folder a writer could not write."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except PermissionError as error:
        raise _permission(folder, "cannot create the memory's folder") from error
    # SQLite writes a journal beside the database: the folder must be writable too.
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _permission(folder, "the memory's folder is not writable")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise _permission(path, "the memory database is not writable")


def _permission(path: Path, what: str) -> MemoryPermissionError:
    return MemoryPermissionError(
        f"{what} (permission denied); nothing was changed",
        path=path,
        hint=f"give your user write access (`chmod u+w {path}`, or run as its owner); "
        "`translator status` and `review` only read it",
    )


def _connect_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection; in a folder it cannot write, SQLite's `immutable` mode."""
    uri = path.absolute().as_uri()
    connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30, isolation_level=None)
    try:
        connection.execute("PRAGMA application_id").fetchone()
    except sqlite3.OperationalError:
        if os.access(path.parent, os.W_OK):
            raise
        # A WAL database needs its -shm file; where it cannot be made, nobody writes either.
        connection.close()
        connection = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
    return connection


def _database_error(error: sqlite3.DatabaseError, path: Path) -> StateError:
    """The user's words for an SQLite error: permissions, a busy or a damaged database."""
    text = str(error)
    if "readonly" in text or "unable to open" in text:
        return _permission(path, f"cannot write the memory ({text})")
    if "locked" in text or "busy" in text:
        return StateError(
            f"the memory database stayed busy for 30 s ({text})",
            path=path,
            hint="another program holds it (a `sqlite3` shell, a backup tool?); close it and "
            "run again",
        )
    return MemoryDamagedError(
        f"not a translator memory database, or damaged ({text}); nothing was changed",
        path=path,
        hint=restore_hint(path),
    )


@contextlib.contextmanager
def site_lock(state_dir: Path, *, command: str = "translator") -> Iterator[None]:
    """Hold the site's lock while `command` writes; a second writer gets a clear `StateError`.

    flock is released by the kernel when the process dies, so a killed run
    never leaves a stale lock behind. The holder's PID and command are written
    in the lock file, to be named to whoever waits.
    """
    path = state_dir / "lock"
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except PermissionError as error:
        raise _permission(path, "cannot open the site's lock") from error
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise _held(path, descriptor) from error
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()} {command}\n".encode())
        yield
    finally:
        os.close(descriptor)


def _held(path: Path, descriptor: int) -> StateError:
    holder = os.pread(descriptor, 200, 0).decode("utf-8", "replace").strip()
    pid, _, command = holder.partition(" ")
    who = f"`{command or 'translator'}` (pid {pid})" if pid.isdigit() else "another translator"
    return StateError(
        f"another translator run holds the site's lock: {who}",
        path=path,
        hint=f"wait for it to finish, then run again (the lock goes with process {pid or '?'})",
    )
