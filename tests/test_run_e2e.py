"""`translator run`, `status` and `approve` end to end: the real command on temporary sites."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sites import POST, Site, make_site

from translator.engines.pseudo import pseudo_localize
from translator.markdown.document import read_values

COPY = "content/en/post.md"


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path)


def test_run__new_post_writes_a_draft_copy(site: Site) -> None:
    summary = site.run_json()
    copy = site.read(COPY)
    values = read_values(copy)
    assert summary["translated_posts"] == 1
    assert summary["segments_translated"] == 6
    assert values["title"] == pseudo_localize("Un titre: simple")
    assert values["draft"] is True
    assert values["translation"]["status"] == "machine"
    assert values["translation"]["source"] == "content/fr/post.md"
    assert pseudo_localize("Troisième paragraphe.") in copy


def test_run__rerun_translates_nothing(site: Site) -> None:
    site.run_json()
    before = site.read(COPY)
    summary = site.run_json()
    assert (summary["translated_posts"], summary["segments_translated"]) == (0, 0)
    assert summary["skipped_posts"] == 1
    assert site.read(COPY) == before


def test_run__one_changed_paragraph_is_one_segment(site: Site) -> None:
    site.run_json()
    site.write("content/fr/post.md", POST.replace("Troisième paragraphe.", "Autre paragraphe."))
    summary = site.run_json()
    assert summary["segments_translated"] == 1
    assert summary["segments_from_memory"] == 5
    assert pseudo_localize("Autre paragraphe.") in site.read(COPY)


def test_run__editor_edit_is_kept(site: Site) -> None:
    site.run_json()
    edited = site.read(COPY).replace(pseudo_localize("Troisième paragraphe."), "Third paragraph.")
    site.write(COPY, edited)
    site.write("content/fr/post.md", POST.replace("Premier paragraphe", "Le premier paragraphe"))
    summary = site.run_json()
    copy = site.read(COPY)
    assert summary["edits_kept"] == 1
    assert "Third paragraph." in copy
    assert pseudo_localize("Le premier paragraphe") in copy or "Ļé þŕéɱîéŕ" in copy


def test_run__editor_edit_and_source_change_is_a_conflict(site: Site) -> None:
    site.run_json()
    edited = site.read(COPY).replace(pseudo_localize("Troisième paragraphe."), "Third paragraph.")
    site.write(COPY, edited)
    site.write("content/fr/post.md", POST.replace("Troisième paragraphe.", "Nouveau texte."))
    summary = site.run_json()
    copy = site.read(COPY)
    assert summary["conflicts"] == 1
    assert "Third paragraph." in copy
    assert pseudo_localize("Nouveau texte.") not in copy
    assert read_values(copy)["translation"]["status"] == "conflict"
    with sqlite3.connect(site.root / ".translator/memory.sqlite") as db:
        (suggestion,) = db.execute(
            "SELECT suggestion FROM slots WHERE state = 'conflict'"
        ).fetchone()
    assert suggestion == pseudo_localize("Nouveau texte.")


def test_run__paragraph_added_by_editor_is_merged(site: Site) -> None:
    site.run_json()
    edited = site.read(COPY) + "\nA paragraph the editor added.\n"
    site.write(COPY, edited)
    site.write("content/fr/post.md", POST.replace("Troisième", "Quatrième"))
    site.run_json()
    copy = site.read(COPY)
    assert copy.endswith(
        pseudo_localize("Quatrième paragraphe.") + "\n\nA paragraph the editor added.\n"
    )


def test_run__suffix_layout(tmp_path: Path) -> None:
    site = make_site(tmp_path, layout="suffix")
    site.run_json()
    assert read_values(site.read("content/post.en.md"))["draft"] is True
    assert not (tmp_path / "content/post.fr.en.md").exists()


def test_run__page_bundle_translates_its_index_only(site: Site) -> None:
    site.write("content/fr/bundle/index.md", POST)
    (site.root / "content/fr/bundle/photo.jpg").write_bytes(b"\xff\xd8\xff")
    summary = site.run_json()
    assert summary["translated_posts"] == 2
    assert (site.root / "content/en/bundle/index.md").exists()
    assert not (site.root / "content/en/bundle/photo.jpg").exists()


def test_run__file_names_with_spaces_and_accents(site: Site) -> None:
    site.write("content/fr/été à la plage.md", POST)
    site.run_json()
    assert (site.root / "content/en/été à la plage.md").exists()


def test_run__bad_posts_are_reported_and_the_rest_translated(site: Site) -> None:
    site.write("content/fr/broken.md", "---\ntitle: [unclosed\n---\nTexte.\n")
    (site.root / "content/fr/binary.md").write_bytes(b"\x00\x01\x02")
    (site.root / "content/fr/latin1.md").write_bytes("Texte accentué".encode("latin-1"))
    result = site.translator("run", "--json", "--engine", "pseudo")
    summary = result.json()
    reasons = {Path(e["path"]).name: e["reason"] for e in summary["errors"]}
    assert result.code == 1
    assert set(reasons) == {"broken.md", "binary.md", "latin1.md"}
    assert "YAML" in reasons["broken.md"]
    assert (site.root / COPY).exists()
    assert "Traceback" not in result.stderr


def test_run__orphan_is_reported_never_deleted(site: Site) -> None:
    site.run_json()
    (site.root / "content/fr/post.md").unlink()
    summary = site.run_json()
    assert summary["orphans"] == [{"source": "content/fr/post.md", "language": "en"}]
    assert (site.root / COPY).exists()


def test_run__symlinked_source_outside_is_refused(
    site: Site, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.md"
    outside.write_text(POST)
    (site.root / "content/fr/link.md").symlink_to(outside)
    result = site.translator("run", "--json", "--engine", "pseudo")
    assert result.code == 1
    assert "symlink" in result.json()["errors"][0]["reason"]
    assert not (site.root / "content/en/link.md").exists()


def test_run__target_symlink_is_refused(
    site: Site, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "victim.md"
    elsewhere.write_text("keep me")
    (site.root / "content/en").mkdir(parents=True)
    (site.root / COPY).symlink_to(elsewhere)
    result = site.translator("run", "--json", "--engine", "pseudo")
    assert result.code == 1
    assert elsewhere.read_text() == "keep me"


def test_run__dotdot_content_dir_is_refused(site: Site) -> None:
    site.write(
        "hugo.toml",
        '[languages.fr]\ncontentDir = "../elsewhere"\n[languages.en]\ncontentDir = "content/en"\n',
    )
    result = site.translator("run", "--engine", "pseudo")
    assert result.code == 3
    assert "outside the site" in result.stderr


def test_run__dry_run_writes_nothing(site: Site) -> None:
    summary = site.run_json("--dry-run")
    assert summary["dry_run"] is True
    assert not (site.root / COPY).exists()
    assert (
        not (site.root / ".translator/memory.sqlite").exists() or summary["translated_posts"] == 0
    )


def test_run__foreign_database_is_refused(site: Site) -> None:
    (site.root / ".translator").mkdir()
    with sqlite3.connect(site.root / ".translator/memory.sqlite") as db:
        db.execute("CREATE TABLE other (x)")
    result = site.translator("run", "--engine", "pseudo")
    assert result.code == 3
    assert "not created by translator" in result.stderr


def test_run__corrupt_database_is_refused(site: Site) -> None:
    site.write(".translator/memory.sqlite", "this is not a database at all" * 100)
    result = site.translator("run", "--engine", "pseudo")
    assert result.code == 3
    assert "memory.sqlite" in result.stderr and "Traceback" not in result.stderr


def test_run__second_concurrent_run_is_told_to_wait(site: Site) -> None:
    import fcntl

    (site.root / ".translator").mkdir()
    with open(site.root / ".translator/lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = site.translator("run", "--engine", "pseudo")
    assert result.code == 3
    assert "another translator run" in result.stderr


def test_approve__marks_reviewed_and_publishes(site: Site) -> None:
    site.run_json()
    result = site.translator("approve", "--force", COPY)  # pseudo text needs --force
    values = read_values(site.read(COPY))
    assert result.code == 0
    assert values["draft"] is False
    assert values["translation"]["status"] == "reviewed"


def test_approve__later_source_change_puts_back_machine_under_publish_policy(site: Site) -> None:
    site.write("translator.toml", '[review]\non_source_change = "publish"\n')
    site.run_json()
    site.translator("approve", "--force", COPY)
    site.write("content/fr/post.md", POST.replace("Troisième paragraphe.", "Autre chose."))
    site.run_json()
    status = site.translator("status", "--json").json()
    assert read_values(site.read(COPY))["translation"]["status"] == "machine"
    assert status[0]["state"] == "machine"
    assert status[0]["detail"] == "1 of 5 to review"


def test_status__lists_every_state(site: Site) -> None:
    site.write("content/fr/other.md", POST)
    site.run_json("content/fr/post.md")
    rows = site.translator("status", "--json").json()
    states = {row["source"]: row["state"] for row in rows}
    assert states == {"content/fr/other.md": "missing", "content/fr/post.md": "machine"}


def _many_posts(site: Site, count: int) -> None:
    paragraphs = "\n\n".join(f"Paragraphe numéro {n} avec *du texte*." for n in range(60))
    for n in range(count):
        site.write(f"content/fr/p{n:03}.md", f"---\ntitle: Post {n}\n---\n\n{paragraphs}\n")


def test_run__killed_midway_leaves_whole_files_and_next_run_completes(tmp_path: Path) -> None:
    site = make_site(tmp_path / "killed")
    reference = make_site(tmp_path / "reference")
    _many_posts(site, 150)
    _many_posts(reference, 150)
    reference.run_json()
    process = subprocess.Popen(
        [sys.executable, "-m", "translator", "run", "--engine", "pseudo"],
        cwd=site.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((site.root / "content/en").glob("*.md"))) < 20:
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    written = list((site.root / "content/en").glob("*.md"))
    assert 0 < len(written) < 151, "the run was not killed mid-way"
    for path in written:
        assert path.read_bytes() == (reference.root / "content/en" / path.name).read_bytes()
    site.run_json()
    for path in (reference.root / "content/en").glob("*.md"):
        assert (site.root / "content/en" / path.name).read_bytes() == path.read_bytes()
    assert not list((site.root / "content/en").glob(".*staged"))


def test_run__glossary_terms_are_kept_and_fixed_translations_used(site: Site) -> None:
    site.write(
        "translator.toml",
        '[glossary]\ndo_not_translate = ["Instagram"]\n'
        '[glossary.fixed.en]\n"gestion de communauté" = "community management"\n',
    )
    site.write(
        "content/fr/post.md",
        "---\ntitle: Instagram et la gestion de communauté\n---\n\n"
        "La gestion de communauté sur Instagram.\n",
    )
    site.run_json()
    copy = site.read(COPY)
    assert read_values(copy)["title"].startswith("⟦Instagram éţ ļå community management")
    assert "⟦Ļå community management šûŕ Instagram." in copy


def test_run__editor_text_of_a_deleted_paragraph_is_kept_in_the_memory(site: Site) -> None:
    site.run_json()
    edited = site.read(COPY).replace(pseudo_localize("Troisième paragraphe."), "Third paragraph.")
    site.write(COPY, edited)
    site.write("content/fr/post.md", POST.replace("\nTroisième paragraphe.\n", ""))
    site.run_json()
    assert "Third paragraph." not in site.read(COPY)
    with sqlite3.connect(site.root / ".translator/memory.sqlite") as db:
        rows = db.execute("SELECT source_text, written_text FROM retired").fetchall()
    assert rows == [("Troisième paragraphe.", "Third paragraph.")]


def test_run__glossary_term_alone_in_a_heading_and_editor_edits(site: Site) -> None:
    site.write(
        "translator.toml",
        '[glossary]\ndo_not_translate = ["Hugo"]\n[glossary.fixed.en]\n"Accueil" = "Home"\n',
    )
    site.write(
        "content/fr/post.md",
        "---\ntitle: Un article\n---\n\n## Hugo\n\n## Accueil\n\nBonjour le monde.\n",
    )
    site.run_json()
    assert "## ⟦Hugo⟧\n\n## ⟦Home⟧\n" in site.read(COPY)
    site.write(COPY, site.read(COPY).replace(pseudo_localize("Bonjour le monde."), "Hello world."))
    site.write("content/fr/post.md", site.read("content/fr/post.md") + "\nEncore un paragraphe.\n")
    summary = site.run_json()
    assert summary["edits_kept"] == 1 and "Hello world." in site.read(COPY)
    assert site.translator("approve", "--force", COPY).code == 0


def test_run__planted_symlink_at_the_staging_path_is_not_followed(
    site: Site, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "victim.txt"
    outside.write_text("keep me")
    (site.root / "content/en").mkdir(parents=True)
    (site.root / "content/en/.post.md.translator-staged").symlink_to(outside)
    site.run_json()
    assert outside.read_text() == "keep me"
    assert not (site.root / COPY).is_symlink()
