"""`translator memory rebuild`, through the real CLI: a lost memory loses nothing in the files.

Each test builds a small site, runs translator on it, loses or damages the
memory, rebuilds it, and checks what `status` and the next run see.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sites import POST, Site, make_site

MEMORY = ".translator/memory.sqlite"
SECOND = """\
---
title: Deuxième billet
---

Un premier paragraphe du second billet.

Un autre paragraphe, pour avoir deux segments.
"""
THIRD = "---\ntitle: Troisième\n---\n\nUn paragraphe seul.\n"
CTA = """\
---
title: Essayer
---

<div class="cta">
<a class="btn" href="https://example.com/register/">
Créer un compte <i class="fa fa-user-plus ms-2"></i>
</a>
<em>(14 jours d'essai gratuit, aucune carte demandée)</em>
</div>
"""
"""Raw HTML whose pseudo copy, parsed alone, has one segment fewer than its source."""


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = make_site(tmp_path)
    site.write("content/fr/second.md", SECOND)
    site.write("content/fr/third.md", THIRD)
    assert run(site).code == 0
    return site


def run(site: Site, *args: str) -> Any:
    return site.translator("run", "--engine", "pseudo", *args, timeout=120)


def rebuild(site: Site, *args: str) -> Any:
    return site.translator("memory", "rebuild", *args, timeout=120)


def status(site: Site) -> list[dict[str, Any]]:
    result = site.translator("status", "--json")
    assert result.code in (0, 1), result.stderr
    rows: list[dict[str, Any]] = result.json()
    return rows


def copies(site: Site) -> dict[str, bytes]:
    folder = site.root / "content/en"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def edit_slot(site: Site, relative: str, old: str, new: str) -> None:
    text = site.read(relative)
    assert old in text
    site.write(relative, text.replace(old, new))


def slot_states(site: Site, source: str) -> list[tuple[str, str]]:
    with sqlite3.connect(site.root / MEMORY) as db:
        rows = db.execute(
            "SELECT state, written_text FROM slots WHERE source_path = ? ORDER BY position",
            (source,),
        ).fetchall()
    return [(r[0], r[1]) for r in rows]


def lose_and_rebuild(site: Site) -> Any:
    (site.root / MEMORY).unlink()
    for sibling in ("-wal", "-shm"):
        Path(f"{site.root / MEMORY}{sibling}").unlink(missing_ok=True)
    result = rebuild(site, "--json")
    assert result.code == 0, result.stderr
    return result


def translate_by_hand(site: Site, relative: str, title: str, body: str) -> None:
    """An editor's translation of every slot of a one-paragraph copy."""
    text = site.read(relative)
    text = re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1)
    site.write(relative, re.sub(r"(?s)\n\n[^\n]*\n$", f"\n\n{body}\n", text))


def edited_and_approved(site: Site) -> None:
    """The three states: an editor's slot (second.md), an approved copy (third.md), machine."""
    edit_slot(site, "content/en/second.md", "⟦Ûñ åûţŕé", "Edited by hand: ⟦Ûñ åûţŕé")
    assert run(site).code == 0  # the run records the editor's text, as every run does
    translate_by_hand(site, "content/en/third.md", "Third", "A paragraph alone.")
    approved = site.translator("approve", "content/en/third.md")
    assert approved.code == 0, approved.stderr


# -- the whole story of the issue -------------------------------------------------------
def test_rebuild__status_is_the_same_as_before_the_loss(site: Site) -> None:
    edited_and_approved(site)
    before = status(site)
    lose_and_rebuild(site)
    assert status(site) == before


def test_rebuild__rerun_translates_nothing_and_rewrites_nothing(site: Site) -> None:
    edited_and_approved(site)
    files = copies(site)
    lose_and_rebuild(site)
    summary = site.run_json("--engine", "pseudo")
    assert (summary["translated_posts"], summary["segments_translated"]) == (0, 0)
    assert copies(site) == files


def test_rebuild__editors_text_comes_back_as_edited_not_machine(site: Site) -> None:
    edited_and_approved(site)
    before = slot_states(site, "content/fr/second.md")
    lose_and_rebuild(site)
    after = slot_states(site, "content/fr/second.md")
    assert after == before
    assert [s for s, text in after if "Edited by hand" in text] == ["edited"]


def test_rebuild__approved_copy_comes_back_reviewed(site: Site) -> None:
    edited_and_approved(site)
    lose_and_rebuild(site)
    states = {s for s, _ in slot_states(site, "content/fr/third.md")}
    assert states == {"reviewed"}


def test_rebuild__summary_counts_copies_slots_and_human_slots(site: Site) -> None:
    edited_and_approved(site)
    summary = lose_and_rebuild(site).json()
    third_slots = len(slot_states(site, "content/fr/third.md"))
    assert (summary["copies"], summary["human_slots"]) == (3, 1 + third_slots)
    assert summary["unpaired"] == []
    assert summary["memory"] == MEMORY


def test_rebuild__editor_edit_survives_a_later_source_change(site: Site) -> None:
    edited_and_approved(site)
    lose_and_rebuild(site)
    edit_slot(site, "content/fr/second.md", "Un autre paragraphe", "Un autre paragraphe changé")
    assert run(site).code == 0
    assert "Edited by hand:" in site.read("content/en/second.md")


def test_rebuild__source_changed_since_the_copy_shows_outdated(site: Site) -> None:
    edit_slot(site, "content/fr/third.md", "Un paragraphe seul.", "Un paragraphe changé.")
    before = {r["source"]: r["state"] for r in status(site)}
    lose_and_rebuild(site)
    after = {r["source"]: r["state"] for r in status(site)}
    assert after == before
    assert after["content/fr/third.md"] == "outdated"


def test_rebuild__raw_html_copy_is_paired_through_its_source(site: Site) -> None:
    site.write("content/fr/cta.md", CTA)
    assert run(site).code == 0
    files = copies(site)
    summary = lose_and_rebuild(site).json()
    assert (summary["copies"], summary["unpaired"]) == (4, [])
    assert site.run_json("--engine", "pseudo")["translated_posts"] == 0
    assert copies(site) == files


# -- what cannot be paired --------------------------------------------------------------
def test_rebuild__copy_with_other_blocks_is_reported_and_left_alone(site: Site) -> None:
    edit_slot(site, "content/en/third.md", "\n\n⟦Ûñ", "\n\n## A new heading\n\n⟦Ûñ")
    copy = site.read("content/en/third.md")
    (site.root / MEMORY).unlink()
    result = rebuild(site)
    assert result.code == 1
    assert "Error: content/en/third.md: not rebuilt: its blocks do not line up" in result.stderr
    assert "2 copies, " in result.stderr
    assert site.read("content/en/third.md") == copy


def test_rebuild__copy_whose_source_is_gone_is_reported(site: Site) -> None:
    (site.root / "content/fr/third.md").unlink()
    (site.root / MEMORY).unlink()
    result = rebuild(site, "--json")
    assert result.code == 1
    (unpaired,) = result.json()["unpaired"]
    assert unpaired["path"] == "content/en/third.md"
    assert unpaired["reason"].startswith("no source post pairs with it")


# -- the file in the way ----------------------------------------------------------------
def test_rebuild__healthy_memory_is_refused_without_force(site: Site) -> None:
    digest = hashlib.sha256((site.root / MEMORY).read_bytes()).hexdigest()
    result = rebuild(site)
    assert result.code == 3
    assert f"Error: {MEMORY}: the memory is healthy and records 3 copies" in result.stderr
    assert hashlib.sha256((site.root / MEMORY).read_bytes()).hexdigest() == digest


def test_rebuild__force_keeps_the_healthy_memory_as_a_backup(site: Site) -> None:
    result = rebuild(site, "--force", "--json")
    assert result.code == 0, result.stderr
    backup = site.root / result.json()["backup"]
    with sqlite3.connect(backup) as db:
        assert db.execute("SELECT count(*) FROM posts").fetchone() == (3,)


def test_rebuild__foreign_sqlite_file_is_refused_without_force(site: Site) -> None:
    (site.root / MEMORY).unlink()
    with sqlite3.connect(site.root / MEMORY) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
    db.close()
    result = rebuild(site)
    assert result.code == 3
    assert "this SQLite file was not created by translator; it was not replaced" in result.stderr
    with sqlite3.connect(site.root / MEMORY) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("notes",)]
    db.close()


def test_rebuild__damaged_memory_is_set_aside_and_rebuilt(site: Site) -> None:
    files = copies(site)
    site.write(MEMORY, "not a database at all " * 100)
    result = rebuild(site, "--json")
    assert result.code == 0, result.stderr
    assert "not a database at all" in (site.root / result.json()["backup"]).read_text()
    assert site.run_json("--engine", "pseudo")["translated_posts"] == 0
    assert copies(site) == files


def test_rebuild__empty_memory_file_is_rebuilt(site: Site) -> None:
    (site.root / MEMORY).write_bytes(b"")
    result = rebuild(site, "--json")
    assert result.code == 0, result.stderr
    assert (result.json()["copies"], result.json()["backup"]) == (3, None)


def test_rebuild__forced_approval_stays_forced(site: Site) -> None:
    assert site.translator("approve", "--force", "content/en/third.md").code == 0
    lose_and_rebuild(site)
    (row,) = [r for r in status(site) if r["source"] == "content/fr/third.md"]
    assert (row["state"], row["detail"]) == ("reviewed", "0 of 2 to review, approval forced")


def test_run__lost_memory_hint_names_rebuild(site: Site) -> None:
    (site.root / MEMORY).unlink()
    result = run(site)
    assert result.code == 3
    hint = "if there is none, rebuild it from the copies and their sources: `translator memory"
    assert hint + " rebuild`" in result.stderr


def test_rebuild__site_without_copies_makes_an_empty_memory(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert site.read("content/fr/post.md") == POST
    result = rebuild(site, "--json")
    assert result.code == 0, result.stderr
    assert result.json()["copies"] == 0
    assert (site.root / MEMORY).is_file()
