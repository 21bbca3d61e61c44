"""One copy changed on both branches, merged slot by slot when git can merge its text.

Two editors on two branches who edit different paragraphs of the same copy
change the same record in the memory. git merges the copy file line by line;
the merge driver does not see the merged tree (git writes it after every
driver has run), but each side's record holds the text it wrote
(`written_text`), so the driver asks `git merge-file` for the same three-way
merge git makes of the file (both use git's own line merge with its default
options). When that merge is clean, each slot's record is taken from the side
that changed it (or either, when both hold the same), provided:
- both sides translated the same French (same `source_hash`), with the same
  block map and the same copy status (an approval on one branch covers only
  that branch's text);
- no slot was changed differently on both sides;
- each chosen slot's English is in the merged text.
Otherwise the copy is left as ours and reported, as before. Should the copy
git writes differ from the merged text after all (another merge strategy,
an end-of-line attribute), the next `translator run` sees the file differ
from its record and treats the difference as an editor's hand edit.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from translator.pipeline import sha256

__all__ = ("merge_copy", "merge_text")

_SAME = ("source_hash", "status", "blocks", "target_path")
# Which engine wrote a slot is not what two sides must agree on: an editor's save
# today clears it on the slots it did not touch.
_PROVENANCE = frozenset({"engine", "model", "glossary"})
_WHERE = "WHERE source_path = ? AND target_lang = ?"


def merge_text(ours: str, base: str, theirs: str) -> str | None:
    """git's clean three-way merge of three texts, or None (conflict, or no git)."""
    git = shutil.which("git")
    if git is None:
        return None
    with tempfile.TemporaryDirectory(prefix="translator-merge-") as folder:
        paths = [Path(folder) / name for name in ("ours", "base", "theirs")]
        for path, text in zip(paths, (ours, base, theirs), strict=True):
            path.write_bytes(text.encode("utf-8"))
        done = subprocess.run(
            [git, "merge-file", "-p", "-q", *map(str, paths)],
            capture_output=True,
            check=False,
        )
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8")


def merge_copy(db: sqlite3.Connection, key: tuple[str, str]) -> bool:
    """Merge theirs' record of one copy into ours slot by slot; False if it cannot be done."""
    posts = {side: _post(db, side, key) for side in ("base", "main", "theirs")}
    base, ours, theirs = posts["base"], posts["main"], posts["theirs"]
    if base is None or ours is None or theirs is None:
        return False
    if any(ours[c] != theirs[c] or ours[c] != base[c] for c in _SAME):
        return False
    merged = merge_text(ours["written_text"], base["written_text"], theirs["written_text"])
    if merged is None:
        return False
    slots = _chosen_slots(db, key, merged)
    if slots is None:
        return False
    db.execute(
        f"UPDATE main.posts SET written_text = ?, written_hash = ?, updated = ? {_WHERE}",
        (merged, sha256(merged), max(ours["updated"], theirs["updated"]), *key),
    )
    db.execute(f"DELETE FROM main.slots {_WHERE}", key)
    marks = ", ".join("?" * len(slots[0]))
    db.executemany(f"INSERT INTO main.slots VALUES ({marks})", slots)
    return True


def _post(db: sqlite3.Connection, side: str, key: tuple[str, str]) -> sqlite3.Row | None:
    db.row_factory = sqlite3.Row
    try:
        row: sqlite3.Row | None = db.execute(f"SELECT * FROM {side}.posts {_WHERE}", key).fetchone()
    finally:
        db.row_factory = None
    return row


def _chosen_slots(
    db: sqlite3.Connection, key: tuple[str, str], merged: str
) -> list[tuple[object, ...]] | None:
    """Per position, the side that changed the slot; None if both changed it differently."""
    base, ours, theirs = (_slots(db, side, key) for side in ("base", "main", "theirs"))
    if not ours or not (len(base) == len(ours) == len(theirs)):
        return None
    names = [row[1] for row in db.execute("PRAGMA main.table_info(slots)")]
    content = [n for n, name in enumerate(names) if name not in _PROVENANCE]
    chosen: list[tuple[object, ...]] = []
    for old, mine, other in zip(base, ours, theirs, strict=True):
        texts = [tuple(row[n] for n in content) for row in (old, mine, other)]
        if texts[1] == texts[2]:
            # Same words on both sides: keep the row that still says which engine wrote them.
            same = [row for row, text in zip((mine, other, old), texts[1:] + texts[:1], strict=True)
                    if text == texts[1] and row[names.index("engine")]]  # fmt: skip
            row = same[0] if same else mine
        elif texts[2] == texts[0]:
            row = mine
        elif texts[1] == texts[0]:
            row = other
        else:
            return None
        if str(row[names.index("written_text")]) not in merged:
            return None
        chosen.append(row)
    return chosen


def _slots(db: sqlite3.Connection, side: str, key: tuple[str, str]) -> list[tuple[object, ...]]:
    query = f"SELECT * FROM {side}.slots {_WHERE} ORDER BY position"
    return [tuple(row) for row in db.execute(query, key)]
