"""The memory as TMX, and merged by git with translator's merge driver (a real `git`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from sites import POST, Site, make_site

from translator.hugo.config import load_config
from translator.interchange.tmx import read_seg
from translator.pipeline import Context
from translator.review.editing import edit_slot, file_hash
from translator.store.memory import Memory

GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


def edit_first_paragraph(site: Site, text: str) -> None:
    """An editor's edit of slot 1 of the copy, through the library's edit path."""
    config = load_config(site.root)
    with Memory.open(config.state_dir / "memory.sqlite") as memory:
        context = Context(config, memory)
        path = site.root / "content/en/post.md"
        edit_slot(context, "content/en/post.md", 1, text, expected_hash=file_hash(path))


def test_tmx__fresh_checkout_translates_nothing_the_memory_held(tmp_path: Path) -> None:
    old = make_site(tmp_path / "old")
    old.run_json()
    edit_first_paragraph(old, 'First paragraph with a [link](https://exemple.fr "Link title").')
    assert old.translator("memory", "export", "-o", str(tmp_path / "m.tmx")).code == 0
    fresh = make_site(tmp_path / "fresh")
    imported = fresh.translator("memory", "import", str(tmp_path / "m.tmx"))
    assert imported.code == 0, imported.stderr
    summary = fresh.run_json()
    assert (summary["segments_translated"], summary["translated_posts"]) == (0, 1)


def test_tmx__editors_text_is_used_before_the_engine(tmp_path: Path) -> None:
    old = make_site(tmp_path / "old")
    old.run_json()
    edit_first_paragraph(old, 'First paragraph with a [link](https://exemple.fr "Link title").')
    old.translator("memory", "export", "-o", str(tmp_path / "m.tmx"))
    fresh = make_site(tmp_path / "fresh")
    fresh.translator("memory", "import", str(tmp_path / "m.tmx"))
    fresh.run_json()
    assert 'First paragraph with a [link](https://exemple.fr "Link title").' in fresh.read(
        "content/en/post.md"
    )


def test_tmx__import_keeps_the_units_already_there(tmp_path: Path) -> None:
    old = make_site(tmp_path / "old")
    old.run_json()
    old.translator("memory", "export", "-o", str(tmp_path / "m.tmx"))
    site = make_site(tmp_path / "site")
    site.write("content/fr/post.md", POST.replace("Troisième", "Quatrième"))
    site.run_json()
    result = site.translator("memory", "import", str(tmp_path / "m.tmx"))
    assert "6 units, 1 new" in result.stderr


def machine_units(site: Site) -> set[tuple[str, ...]]:
    config = load_config(site.root)
    with Memory.open(config.state_dir / "memory.sqlite") as memory:
        return set(memory.machine_units())


def test_tmx__inline_codes_are_bpt_ept_and_ph_with_the_markdown(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    site.run_json()
    site.translator("memory", "export", "-o", "m.tmx")
    text = site.read("m.tmx")
    assert (
        'avec un <bpt i="1" x="1">[</bpt>lien<ept i="1">](https://exemple.fr "Titre du lien")'
        "</ept>.</seg>" in text
    )
    assert 'avec du <ph x="1">`code`</ph>.</seg>' in text


def test_tmx__export_then_import_keeps_the_units_with_their_codes(tmp_path: Path) -> None:
    old = make_site(tmp_path / "old")
    old.run_json()
    old.translator("memory", "export", "-o", str(tmp_path / "m.tmx"))
    fresh = make_site(tmp_path / "fresh")
    fresh.translator("memory", "import", str(tmp_path / "m.tmx"))
    held = machine_units(old)
    assert any("<g1>" in unit[0] for unit in held)
    assert machine_units(fresh) == held


def test_tmx__another_tools_codes_numbered_by_i_read_as_tags() -> None:
    seg = etree.fromstring(
        '<seg>Du <bpt i="4">&lt;b&gt;</bpt>gras<ept i="4">&lt;/b&gt;</ept>'
        "<ph>&lt;br/&gt;</ph> et <hi>rien</hi>.</seg>"
    )
    assert read_seg(seg) == "Du <g4>gras</g4><x/> et rien."


def test_init_git__writes_the_attribute_once_and_prints_the_command(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    site.translator("init", "--git")
    result = site.translator("init", "--git")
    assert (
        site.read(".gitattributes") == ".translator/memory.sqlite merge=translator-memory -diff\n"
    )
    assert 'git config merge.translator-memory.driver "translator memory merge %O %A %B"' in (
        result.stdout
    )


def git(site: Site, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=site.root, capture_output=True, text=True, check=True)
    return done.stdout + done.stderr


def repository(root: Path) -> Site:
    """A site in a git repository with translator's merge driver, translated once on main."""
    site = make_site(root)
    git(site, "init", "-q", "-b", "main")
    git(site, "config", "user.email", "t@example.org")
    git(site, "config", "user.name", "Test")
    site.translator("init", "--git")
    driver = f"{sys.executable} -m translator memory merge %O %A %B"
    git(site, "config", "merge.translator-memory.driver", driver)
    site.write(".gitignore", ".translator/lock\n.translator/*-wal\n.translator/*-shm\n")
    site.run_json()
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "base")
    return site


def branch_with_post(site: Site, branch: str, name: str, text: str) -> None:
    git(site, "checkout", "-q", "-b", branch, "main")
    site.write(f"content/fr/{name}", text)
    site.run_json()
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", f"{name} translated")


@needs_git
def test_git__branches_that_ran_translator_merge_and_a_run_translates_nothing(
    tmp_path: Path,
) -> None:
    site = repository(tmp_path)
    branch_with_post(site, "one", "un.md", POST.replace("Premier", "Un"))
    branch_with_post(site, "two", "deux.md", POST.replace("Premier", "Deux"))
    git(site, "checkout", "-q", "one")
    git(site, "merge", "-q", "--no-edit", "two")
    summary = site.run_json()
    assert (summary["translated_posts"], summary["segments_translated"]) == (0, 0)


@needs_git
def test_git__a_copy_changed_on_both_branches_is_reported(tmp_path: Path) -> None:
    site = repository(tmp_path)
    branch_with_post(site, "one", "post.md", POST.replace("Troisième", "Trois"))
    branch_with_post(site, "two", "post.md", POST.replace("Troisième", "3e"))
    git(site, "checkout", "-q", "one")
    merged = subprocess.run(
        ["git", "merge", "--no-edit", "two"],
        cwd=site.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "run again: translator run content/en/post.md" in merged.stdout + merged.stderr


def edit_slot_on_branch(site: Site, branch: str, position: int, text: str) -> None:
    git(site, "checkout", "-q", "-b", branch, "main")
    config = load_config(site.root)
    with Memory.open(config.state_dir / "memory.sqlite") as memory:
        path = site.root / "content/en/post.md"
        edit_slot(
            Context(config, memory),
            "content/en/post.md",
            position,
            text,
            expected_hash=file_hash(path),
        )
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", f"slot {position} edited")


@needs_git
def test_git__different_slots_edited_on_both_branches_merge_slot_by_slot(tmp_path: Path) -> None:
    site = repository(tmp_path)
    edit_slot_on_branch(site, "one", 1, "A first paragraph with a [link](https://exemple.fr).")
    edit_slot_on_branch(site, "two", 4, "A third paragraph.")
    git(site, "checkout", "-q", "one")
    merged = git(site, "merge", "--no-edit", "two")
    assert "merged slot by slot: content/en/post.md" in merged
    config = load_config(site.root)
    with Memory.open(config.state_dir / "memory.sqlite") as memory:
        record = memory.post_for_target("content/en/post.md")
    assert record is not None
    assert [(s.written, s.state) for s in record.slots if s.state == "edited"] == [
        ("A first paragraph with a [link](https://exemple.fr).", "edited"),
        ("A third paragraph.", "edited"),
    ]
    assert record.written_text == site.read("content/en/post.md")


@needs_git
def test_git__after_a_slot_by_slot_merge_a_run_changes_nothing(tmp_path: Path) -> None:
    site = repository(tmp_path)
    edit_slot_on_branch(site, "one", 1, "A first paragraph with a [link](https://exemple.fr).")
    edit_slot_on_branch(site, "two", 4, "A third paragraph.")
    git(site, "checkout", "-q", "one")
    git(site, "merge", "--no-edit", "two")
    before = site.read("content/en/post.md")
    summary = site.run_json()
    assert (summary["segments_translated"], summary["translated_posts"]) == (0, 0)
    assert site.read("content/en/post.md") == before


@needs_git
def test_git__same_slot_edited_differently_on_both_branches_is_reported(tmp_path: Path) -> None:
    site = repository(tmp_path)
    edit_slot_on_branch(site, "one", 4, "A third paragraph.")
    edit_slot_on_branch(site, "two", 4, "The third paragraph.")
    git(site, "checkout", "-q", "one")
    merged = subprocess.run(
        ["git", "merge", "--no-edit", "two"],
        cwd=site.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "run again: translator run content/en/post.md" in merged.stdout + merged.stderr


def test_memory_merge__a_missing_file_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    site.run_json()
    memory = str(site.root / ".translator" / "memory.sqlite")
    missing = tmp_path / "nowhere.sqlite"
    result = site.translator("memory", "merge", str(tmp_path / "base"), memory, str(missing))
    assert result.code == 3, result.stderr
    assert f"{missing}: no memory to merge here" in result.stderr
    assert "Traceback" not in result.stderr and not missing.exists()


@pytest.mark.parametrize(
    "command",
    [("memory", "export"), ("export", "--format", "xliff"), ("export", "--format", "po")],
)
def test_export__an_output_that_cannot_be_written_is_one_line(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    site = make_site(tmp_path / "site")
    site.run_json()
    unwritable = tmp_path / "no-such-folder" / "x.out"
    (tmp_path / "no-such-folder").write_text("a file where a folder is needed\n")
    result = site.translator(*command, "-o", str(unwritable))
    assert result.code == 3, result.stderr
    assert result.stderr.startswith("Error: "), result.stderr
    assert "no-such-folder" in result.stderr and "internal error" not in result.stderr


def test_memory_export__into_a_folder_is_one_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    site.run_json()
    result = site.translator("memory", "export", "-o", str(tmp_path))
    assert result.code == 3, result.stderr
    assert f"{tmp_path}: is a folder" in result.stderr
