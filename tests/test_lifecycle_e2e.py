"""The life of a copy, through the real command: issue 11's six stories, one test each step.

Provenance and retranslation, the three-way block merge, the approval guard,
published copies that keep reviewed text, retired text and restores. The
fixture Argos model (uppercases every letter) is the real engine here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sites import POST, Site, make_site

from translator.engines.pseudo import pseudo_localize
from translator.markdown.document import read_values

COPY = "content/en/post.md"
SOURCE = "content/fr/post.md"
THIRD = pseudo_localize("Troisième paragraphe.")


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path)


def _status(site: Site) -> dict[str, object]:
    rows = site.translator("status", "--json").json()
    assert len(rows) == 1
    row: dict[str, object] = rows[0]
    return row


def _edit(site: Site, old: str, new: str, path: str = COPY) -> None:
    text = site.read(path)
    assert old in text, text
    site.write(path, text.replace(old, new))


# -- story 1: an engine, model or glossary change retranslates machine text ---------------------


def test_story1__real_engine_retranslates_pseudo_copy(argos_home: Path, site: Site) -> None:
    site.run_json()
    result = site.translator("run", "--json", "--engine", "argos", "--threads", "1")
    summary = result.json()
    copy = site.read(COPY)
    assert result.code == 0, result.stderr
    assert summary["translated_posts"] == 1
    assert "TROISIÈME PARAGRAPHE." in copy
    assert "⟦" not in copy
    assert read_values(copy)["translation"]["engine"] == "argos"


def test_story1__status_shows_the_engine_mix(site: Site) -> None:
    site.run_json()
    row = _status(site)
    assert row["engines"] == "pseudo 5/5"


def test_story1__editor_text_is_never_retranslated(argos_home: Path, site: Site) -> None:
    site.run_json()
    _edit(site, THIRD, "Third paragraph, by hand.")
    site.translator("run", "--engine", "argos", "--threads", "1")
    copy = site.read(COPY)
    assert "Third paragraph, by hand." in copy
    assert "DEUXIÈME PARAGRAPHE" in copy


def test_story1__pseudo_run_never_replaces_real_text(argos_home: Path, site: Site) -> None:
    site.translator("run", "--engine", "argos", "--threads", "1")
    summary = site.run_json()
    assert summary["translated_posts"] == 0
    assert "TROISIÈME PARAGRAPHE." in site.read(COPY)


def test_story1__glossary_change_retranslates_the_slots_it_touches(site: Site) -> None:
    site.run_json()
    site.write("translator.toml", '[glossary.fixed.en]\n"paragraphe" = "paragraph"\n')
    summary = site.run_json()
    copy = site.read(COPY)
    assert summary["translated_posts"] == 1
    assert "⟦Ţŕöîšîèɱé paragraph. " in copy


def test_story1__retranslate_machine_forces_fresh_text(site: Site) -> None:
    site.run_json()
    summary = site.run_json("--retranslate", "machine")
    assert summary["segments_translated"] == 6
    assert summary["segments_from_memory"] == 0


def test_story1__retranslate_all_unreviewed_retires_editor_text(site: Site) -> None:
    site.run_json()
    _edit(site, THIRD, "Third paragraph, by hand.")
    site.run_json("--retranslate", "all-unreviewed")
    row = _status(site)
    assert THIRD in site.read(COPY)
    assert row["retired"] == [
        {
            "id": "1",
            "label": "line 13",
            "source": "Troisième paragraphe.",
            "text": "Third paragraph, by hand.",
        }
    ]


def test_story1__approve_refuses_pseudo_text(site: Site) -> None:
    site.run_json()
    result = site.translator("approve", COPY)
    assert result.code == 1
    assert (
        f"{COPY}:2: pseudo text, not a translation"
        in result.stderr.replace(str(site.root) + "/", "")
        or f"{COPY}:title: pseudo text" in result.stderr
    )
    assert "--force" in result.stderr
    assert read_values(site.read(COPY))["draft"] is True


# -- story 2: an editor's structural edit is merged, not frozen ---------------------------------

NOTE = "Translator's note: the French original says more.\n\n"


def _add_note(site: Site) -> None:
    _edit(site, "## ⟦Ûñé", NOTE + "## ⟦Ûñé")


def test_story2__added_block_stays_and_the_post_still_follows_the_source(site: Site) -> None:
    site.run_json()
    _add_note(site)
    site.write(SOURCE, POST.replace("Troisième paragraphe.", "Autre paragraphe."))
    summary = site.run_json()
    copy = site.read(COPY)
    assert summary["translated_posts"] == 1
    assert NOTE + "## ⟦Ûñé" in copy
    assert pseudo_localize("Autre paragraphe.") in copy


def test_story2__deleted_block_stays_deleted(site: Site) -> None:
    site.run_json()
    second = pseudo_localize("Deuxième paragraphe avec du <x1/>.").replace("<x1/>", "`code`")
    _edit(site, second + "\n\n", "")
    site.write(SOURCE, POST.replace("Troisième paragraphe.", "Autre paragraphe."))
    site.run_json()
    copy = site.read(COPY)
    assert "`code`" not in copy
    assert pseudo_localize("Autre paragraphe.") in copy


def test_story2__unsafe_merge_names_lines_in_both_files(site: Site) -> None:
    site.run_json()
    second = pseudo_localize("Deuxième paragraphe avec du <x1/>.").replace("<x1/>", "`code`")
    _edit(site, second, "A paragraph rewritten as a list:\n\n- one\n- two")
    site.write(SOURCE, POST.replace("Deuxième paragraphe avec du `code`.", "```\ncode\n```"))
    edited = site.read(COPY)
    result = site.translator("run", "--json", "--engine", "pseudo")
    (error,) = result.json()["errors"]
    assert result.code == 1
    assert site.read(COPY) == edited
    assert "copy lines 16-" in error["reason"]
    assert "source lines 9-11" in error["reason"]


def test_story2__moved_away_copy_comes_back_with_every_edit(site: Site) -> None:
    site.run_json()
    _add_note(site)
    _edit(site, THIRD, "Third paragraph, by hand.")
    site.write(SOURCE, POST.replace("Premier paragraphe", "Le premier paragraphe"))
    site.run_json()
    (site.root / COPY).rename(site.root / "moved.md")
    summary = site.run_json()
    copy = site.read(COPY)
    assert summary["restored"] == 1
    assert "Third paragraph, by hand." in copy
    assert NOTE in copy


# -- story 3: approve has a guard ---------------------------------------------------------------


def test_story3__approve_refuses_a_conflict_with_its_line(site: Site) -> None:
    site.write("translator.toml", '[engine]\nname = "pseudo"\n')
    site.run_json()
    _edit(site, THIRD, "Third paragraph.")
    site.write(SOURCE, POST.replace("Troisième paragraphe.", "Nouveau texte."))
    site.run_json()
    result = site.translator("approve", "--force", COPY)
    row = _status(site)
    assert result.code == 0
    assert "forced past" in result.stderr
    assert "20: conflict" in str(row["approval"])
    assert read_values(site.read(COPY))["translation"]["approval"] == "forced"


def test_story3__refusal_lists_every_reason_with_lines(site: Site) -> None:
    site.run_json()
    _edit(site, THIRD, "Third paragraph.")
    site.write(SOURCE, POST.replace("Troisième paragraphe.", "Nouveau texte."))
    site.run_json()
    result = site.translator("approve", COPY)
    lines = [line.strip() for line in result.stderr.splitlines() if COPY + ":" in line]
    assert result.code == 1
    assert any(line.endswith("20: conflict — the source changed under an editor's text")
               for line in lines)  # fmt: skip
    assert any(":title: pseudo text" in line for line in lines)
    assert len(lines) == 6  # 1 conflict + 4 pseudo slots, after the heading line


def test_story3__approve_one_segment(site: Site) -> None:
    site.run_json()
    _edit(site, THIRD, "Third paragraph.")
    result = site.translator("approve", "--segment", "20", COPY)
    row = _status(site)
    assert result.code == 0, result.stderr
    assert row["detail"] == "4 of 5 to review"
    assert read_values(site.read(COPY))["draft"] is True


# -- story 4: published copies keep reviewed text -----------------------------------------------


def _published(site: Site) -> None:
    site.run_json()
    for old, new in [
        (THIRD, "Third paragraph."),
        (pseudo_localize("Une section"), "A section"),
    ]:
        _edit(site, old, new)
    assert site.translator("approve", "--force", COPY).code == 0


def test_story4__source_change_keeps_reviewed_text_live(site: Site) -> None:
    _published(site)
    site.write(SOURCE, POST.replace("Troisième paragraphe.", "Autre chose."))
    site.run_json()
    copy = site.read(COPY)
    row = _status(site)
    assert "Third paragraph." in copy
    assert pseudo_localize("Autre chose.") not in copy
    assert read_values(copy)["draft"] is False
    assert (row["state"], row["published"]) == ("outdated", True)


def test_story4__status_exits_1_for_an_outdated_published_copy(site: Site) -> None:
    _published(site)
    assert site.translator("status").code == 0
    site.write(SOURCE, POST.replace("Troisième paragraphe.", "Autre chose."))
    site.run_json()
    assert site.translator("status").code == 1


def test_story4__suggestion_is_stored(site: Site) -> None:
    _published(site)
    site.write(SOURCE, POST.replace("Troisième paragraphe.", "Autre chose."))
    site.run_json()
    with sqlite3.connect(site.root / ".translator/memory.sqlite") as db:
        rows = db.execute("SELECT written_text, suggestion FROM slots WHERE state = 'outdated'")
        assert rows.fetchall() == [("Third paragraph.", pseudo_localize("Autre chose."))]


def test_story4__new_paragraph_in_a_published_copy_shows_its_source(site: Site) -> None:
    _published(site)
    site.write(SOURCE, POST + "\nUn ajout.\n")
    site.run_json()
    copy = site.read(COPY)
    assert copy.endswith("Third paragraph.\n\nUn ajout.\n")


def test_story4__approve_refuses_an_outdated_copy(site: Site) -> None:
    _published(site)
    site.write(SOURCE, POST.replace("Troisième paragraphe.", "Autre chose."))
    site.run_json()
    result = site.translator("approve", COPY)
    assert result.code == 1
    assert "outdated" in result.stderr


def test_story4__rewriting_the_outdated_slot_resolves_it(site: Site) -> None:
    _published(site)
    site.write(SOURCE, POST.replace("Troisième paragraphe.", "Autre chose."))
    site.run_json()
    _edit(site, "Third paragraph.", "Something else.")
    result = site.translator("approve", COPY)
    assert result.code == 0, result.stderr
    assert _status(site)["state"] == "reviewed"


def test_story4__draft_policy_puts_the_copy_back_to_draft(site: Site) -> None:
    site.write("translator.toml", '[review]\non_source_change = "draft"\n')
    _published(site)
    site.write(SOURCE, POST.replace("Premier paragraphe", "Le premier paragraphe"))
    site.run_json()
    assert read_values(site.read(COPY))["draft"] is True


# -- story 5: an editor's text never moves to another paragraph ---------------------------------

STORY5 = POST.replace(
    "Premier paragraphe avec", "Un paragraphe tout neuf.\n\nPremier paragraphe modifié avec"
).replace("\nTroisième paragraphe.\n", "")


def test_story5__deleted_paragraph_text_is_retired_not_moved(site: Site) -> None:
    site.run_json()
    _edit(site, THIRD, "Third paragraph, by hand.")
    site.write(SOURCE, STORY5)
    site.run_json()
    copy = site.read(COPY)
    row = _status(site)
    assert "Third paragraph, by hand." not in copy
    assert read_values(copy)["translation"]["status"] == "machine"
    assert row["retired"] == [
        {
            "id": "1",
            "label": "line 13",
            "source": "Troisième paragraphe.",
            "text": "Third paragraph, by hand.",
        }
    ]


def test_story5__retired_text_pasted_back_stays_and_leaves_the_list(site: Site) -> None:
    site.run_json()
    _edit(site, THIRD, "Third paragraph, by hand.")
    site.write(SOURCE, STORY5)
    site.run_json()
    site.write(COPY, site.read(COPY) + "\nThird paragraph, by hand.\n")
    site.run_json()
    assert site.read(COPY).endswith("\n\nThird paragraph, by hand.\n")
    assert _status(site)["retired"] == []


# -- story 6: approved text never vanishes from the memory --------------------------------------


def test_story6__deleted_copy_and_record_come_back_with_approved_text(site: Site) -> None:
    _published(site)
    (site.root / COPY).unlink()
    with sqlite3.connect(site.root / ".translator/memory.sqlite") as db:
        db.execute("DELETE FROM posts")
    summary = site.run_json()
    copy = site.read(COPY)
    assert summary["restored"] == 5
    assert "Third paragraph." in copy and "## A section" in copy


def test_story6__reverted_source_brings_back_the_reviewed_text(site: Site) -> None:
    _published(site)
    site.write(SOURCE, POST.replace("\nTroisième paragraphe.\n", ""))
    site.run_json()
    site.write(SOURCE, POST)
    summary = site.run_json()
    assert summary["restored"] == 1
    assert site.read(COPY).endswith("Third paragraph.\n")
