"""Hostile input and damaged state, through the real CLI: one bad post never stops a run.

Each test is one repro of issue 16: a site with `content/fr/ok.md` beside the
hostile input; the good post is always written, the bad one is named on one
`Error:` line, and no traceback reaches the terminal.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sites import Result, Site, make_site

from translator.store.memory import site_lock

OK = "---\ntitle: Bonjour\n---\n\nUn paragraphe.\n"
MEMORY = ".translator/memory.sqlite"
FAULTY = Path(__file__).parent / "faulty_translator.py"


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = make_site(tmp_path)
    (tmp_path / "content/fr/post.md").unlink()
    site.write("content/fr/ok.md", OK)
    return site


def run(site: Site, *args: str) -> Result:
    return site.translator("run", "--engine", "pseudo", *args, timeout=60)


def assert_clean(result: Result, site: Site) -> None:
    """No traceback on the terminal, and the good post beside the hostile one written."""
    assert "Traceback" not in result.stderr + result.stdout
    assert (site.root / "content/en/ok.md").is_file(), result.stderr


# -- one post's exception is that post's error --------------------------------------------
def test_run__huge_toml_integer_is_kept_byte_for_byte(site: Site) -> None:
    weight = "weight = " + "9" * 5000
    site.write("content/fr/big.md", f'+++\ntitle = "Gros"\n{weight}\n+++\n\nTexte.\n')
    result = run(site)
    assert_clean(result, site)
    assert result.code == 0, result.stderr
    assert weight + "\n" in site.read("content/en/big.md")


def test_run__huge_json_integer_is_kept_byte_for_byte(site: Site) -> None:
    weight = '"weight": -' + "9" * 5000
    site.write("content/fr/big.md", f'{{"title": "Gros", {weight}}}\n\nTexte.\n')
    result = run(site)
    assert_clean(result, site)
    assert result.code == 0, result.stderr
    assert weight in site.read("content/en/big.md")


def test_run__huge_yaml_integer_is_kept_byte_for_byte(site: Site) -> None:
    weight = "weight: " + "9" * 5000
    site.write("content/fr/big.md", f"---\ntitle: Gros\n{weight}\n---\n\nTexte.\n")
    result = run(site)
    assert_clean(result, site)
    assert result.code == 0, result.stderr
    assert weight + "\n" in site.read("content/en/big.md")


def test_run__deep_json_front_matter_is_refused_with_its_limit(site: Site) -> None:
    site.write("content/fr/deep.md", '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}\n\nTexte\n")
    result = run(site)
    assert_clean(result, site)
    assert result.code == 1
    assert "Error: content/fr/deep.md:1: front matter nested more than 100 levels" in result.stderr


def test_run__deep_yaml_front_matter_is_refused_with_its_limit(site: Site) -> None:
    site.write("content/fr/deep.md", "---\na: " + "[" * 100_000 + "]" * 100_000 + "\n---\n\nT\n")
    result = run(site)
    assert_clean(result, site)
    assert result.code == 1
    assert "Error: content/fr/deep.md:2: front matter nested more than 100 levels" in result.stderr


def test_run__deep_emphasis_line_is_refused_with_its_limit(site: Site) -> None:
    site.write("content/fr/stars.md", "---\ntitle: É\n---\n\nTexte " + "*" * 700 + "x" + "*" * 700)
    result = run(site)
    assert_clean(result, site)
    assert result.code == 1
    assert "Error: content/fr/stars.md:5: inline markup" in result.stderr
    assert "more than 100 levels deep" in result.stderr


def test_run__a_bug_in_one_post_is_isolated_and_logged(site: Site) -> None:
    site.write("content/fr/bug.md", "Texte.\n")
    result = faulty(site, "prepare:bug.md", "run", "--engine", "pseudo")
    assert_clean(result, site)
    assert result.code == 4
    assert "Error: content/fr/bug.md: internal error (a bug in translator): InjectedBugError" in (
        result.stderr
    )
    log = site.read(".translator/internal-errors.log")
    assert "Traceback" in log
    assert "deliberate bug while reading bug.md" in log


def test_status__a_bug_in_a_command_is_one_line_and_exit_4(site: Site) -> None:
    result = faulty(site, "status", "status")
    assert result.code == 4
    assert "Traceback" not in result.stderr
    assert "internal error (a bug in translator): InjectedBugError" in result.stderr
    assert "deliberate bug in status" in site.read(".translator/internal-errors.log")


def faulty(site: Site, fault: str, *args: str) -> Result:
    """The real CLI with one deliberate bug injected (see tests/faulty_translator.py)."""
    env = {**os.environ, "TRANSLATOR_FAULT": fault, "COLUMNS": "200", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, str(FAULTY), *args],
        cwd=site.root,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


# -- files that are not regular files --------------------------------------------------------
def test_run__symlink_to_dev_zero_is_refused_without_reading(site: Site) -> None:
    (site.root / "content/fr/zero.md").symlink_to("/dev/zero")
    result = run(site)
    assert_clean(result, site)
    assert result.code == 1
    assert "Error: content/fr/zero.md: a symlink leading outside" in result.stderr


def test_run__symlink_to_an_outside_file_is_refused(site: Site, tmp_path_factory: Any) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.md"
    outside.write_text("Secret.\n")
    (site.root / "content/fr/link.md").symlink_to(outside)
    result = run(site)
    assert_clean(result, site)
    assert "Error: content/fr/link.md: a symlink leading outside" in result.stderr
    assert not (site.root / "content/en/link.md").exists()


def test_run__fifo_is_skipped_never_opened(site: Site) -> None:
    os.mkfifo(site.root / "content/fr/fifo.md")
    result = run(site)
    assert_clean(result, site)
    assert result.code == 0, result.stderr
    assert "skipped content/fr/fifo.md — a FIFO (named pipe), not a post" in result.stderr


def test_status__fifo_is_never_opened(site: Site) -> None:
    os.mkfifo(site.root / "content/fr/fifo.md")
    result = site.translator("status", "--json", timeout=60)
    assert result.code == 1, result.stderr  # a copy in error gates CI (issue 11)
    states = {row["source"].rpartition("/")[2]: row["state"] for row in result.json()}
    assert states == {"fifo.md": "error", "ok.md": "missing"}


def test_run__socket_is_skipped_never_opened(site: Site) -> None:
    folder = os.open(site.root / "content/fr", os.O_RDONLY)
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(f"/proc/self/fd/{folder}/sock.md")  # short path: AF_UNIX allows 108 bytes
        result = run(site)
    finally:
        server.close()
        os.close(folder)
    assert_clean(result, site)
    assert "skipped content/fr/sock.md — a socket, not a post" in result.stderr


def test_run__post_over_the_size_limit_is_refused_before_reading(site: Site) -> None:
    site.write("translator.toml", "[limits]\nmax_post_bytes = 1000\n")
    site.write("content/fr/big.md", "Texte. " * 300)
    result = run(site)
    assert_clean(result, site)
    assert result.code == 1
    assert "Error: content/fr/big.md: 2,100 bytes, over the limit of 1,000" in result.stderr


# -- paths ----------------------------------------------------------------------------------
def test_run__longest_file_name_is_translated(site: Site) -> None:
    name = "é" * 123 + "x.md"  # 250 bytes: legal on ext4, no room for a 20-byte suffix
    site.write(f"content/fr/{name}", "Texte.\n")
    result = run(site)
    assert_clean(result, site)
    assert result.code == 0, result.stderr
    assert (site.root / "content/en" / name).is_file()


def test_run__file_where_a_folder_is_needed_is_named(site: Site) -> None:
    site.write("content/fr/sub/post.md", "Texte.\n")
    site.write("content/en/sub", "in the way\n")
    result = run(site)
    assert_clean(result, site)
    assert result.code == 1
    assert "Error: content/en/sub: a file, where a folder is needed for the copies of 1 post " in (
        result.stderr
    )


def test_run__target_content_dir_being_a_file_is_one_error_naming_it(site: Site) -> None:
    site.write("content/fr/two.md", OK)
    site.write("content/fr/sub/three.md", OK)
    site.write("content/en", "in the way\n")
    result = run(site, "--json")
    assert "Traceback" not in result.stderr
    assert result.code == 1
    (error,) = result.json()["errors"]
    assert error == {
        "path": "content/en",
        "reason": "a file, where a folder is needed for the copies of 3 posts (content/fr/ok.md, "
        "content/fr/sub/three.md, content/fr/two.md); nothing was written for them — move or "
        "rename that file",
    }


def test_run__target_content_dir_being_a_file_is_one_error_line(site: Site) -> None:
    site.write("content/fr/two.md", OK)
    site.write("content/en", "in the way\n")
    result = run(site)
    line = (
        "Error: content/en: a file, where a folder is needed for the copies of 2 posts "
        "(content/fr/ok.md, content/fr/two.md); nothing was written for them — move or rename "
        "that file"
    )
    assert [n for n in result.stderr.splitlines() if n.startswith("Error:")] == [line]


def test_run__folder_named_like_a_post_is_skipped_with_its_reason(site: Site) -> None:
    site.write("content/fr/x.md/inner.md", "Texte intérieur.\n")
    result = run(site, "--json")
    assert_clean(result, site)
    assert result.code == 0, result.stderr
    assert result.json()["skipped"] == [
        {
            "path": "content/fr/x.md",
            "reason": "a folder named like a post: skipped, the files in it are not translated — "
            "rename the folder without its .md ending to have its posts translated",
        }
    ]


def test_run__folder_named_like_a_post_is_one_line_and_not_walked(site: Site) -> None:
    site.write("content/fr/x.md/inner.md", "Texte intérieur.\n")
    result = run(site)
    assert_clean(result, site)
    line = (
        "skipped content/fr/x.md — a folder named like a post: skipped, the files in it are not "
        "translated — rename the folder without its .md ending to have its posts translated"
    )
    assert [n for n in result.stderr.splitlines() if "x.md" in n] == [line]
    assert not (site.root / "content/en/x.md").exists()


def test_run__dot_dot_inside_the_site_is_normalised(site: Site) -> None:
    site.write("content/fr/sub/post.md", "Texte.\n")
    result = run(site, "content/fr/sub/../sub/post.md")
    assert result.code == 0, result.stderr
    assert (site.root / "content/en/sub/post.md").is_file()


# -- the memory -----------------------------------------------------------------------------
def test_run__deleted_memory_beside_copies_is_refused_not_reset(site: Site) -> None:
    assert run(site).code == 0
    (site.root / MEMORY).unlink()
    result = run(site)
    assert result.code == 3
    assert f"Error: {MEMORY}: the translation memory is missing" in result.stderr
    assert "content/en/ok.md" in result.stderr
    assert not (site.root / MEMORY).exists()


def test_run__empty_memory_beside_copies_is_refused_not_reset(site: Site) -> None:
    assert run(site).code == 0
    (site.root / MEMORY).write_bytes(b"")
    result = run(site)
    assert result.code == 3
    assert f"Error: {MEMORY}: the translation memory is empty (0 bytes)" in result.stderr
    assert (site.root / MEMORY).stat().st_size == 0


def test_status__deleted_memory_beside_copies_is_named(site: Site) -> None:
    assert run(site).code == 0
    (site.root / MEMORY).unlink()
    result = site.translator("status")
    assert result.code == 3
    assert f"Error: {MEMORY}: the translation memory is missing" in result.stderr


def test_run__lost_memory_hint_points_at_backup_and_git_first(site: Site) -> None:
    assert run(site).code == 0
    (site.root / MEMORY).unlink()
    hint = run(site).stderr.partition(" — ")[2]
    assert hint.startswith(f"restore {MEMORY} from your backup or from git (`git log -- {MEMORY}`")


def test_run__damaged_memory_hint_points_at_backup_and_git_first(site: Site) -> None:
    site.write(MEMORY, "not a database at all " * 100)
    result = run(site)
    assert result.code == 3
    assert "not a translator memory database, or damaged" in result.stderr
    assert f"— restore {MEMORY} from your backup or from git" in result.stderr


@pytest.fixture
def freeze() -> Iterator[Callable[[Path], None]]:
    """Make a file or folder read-only, even for root (`chattr +i`); undone at teardown."""
    frozen: list[Path] = []

    def apply(path: Path) -> None:
        path.chmod(path.stat().st_mode & ~0o222)
        frozen.append(path)
        chattr = ["chattr", "+i", str(path)]
        if os.geteuid() == 0 and subprocess.run(chattr, check=False).returncode:
            pytest.skip("root ignores permissions and chattr +i is not available here")

    yield apply
    for path in frozen:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=False)
        path.chmod(path.stat().st_mode | 0o200)


def test_run__read_only_memory_is_a_permission_error_naming_it(
    site: Site, freeze: Callable[[Path], None]
) -> None:
    assert run(site).code == 0
    site.write("content/fr/ok.md", OK + "\nAutre.\n")
    freeze(site.root / MEMORY)
    result = run(site)
    assert "Traceback" not in result.stderr
    assert result.code == 3
    assert f"{MEMORY}: the memory database is not writable (permission denied)" in result.stderr


def test_approve__read_only_memory_leaves_no_staged_file(
    site: Site, freeze: Callable[[Path], None]
) -> None:
    assert run(site).code == 0
    freeze(site.root / MEMORY)
    result = site.translator("approve", "content/en/ok.md")
    assert result.code == 3
    assert "permission denied" in result.stderr
    assert [p.name for p in (site.root / "content/en").iterdir()] == ["ok.md"]


def test_run__read_only_state_folder_is_a_permission_error_naming_it(
    site: Site, freeze: Callable[[Path], None]
) -> None:
    assert run(site).code == 0
    freeze(site.root / ".translator")
    result = run(site)
    assert result.code == 3
    assert "not a translator memory" not in result.stderr
    assert "permission denied" in result.stderr
    assert ".translator" in result.stderr


def test_status__read_only_state_folder_still_reads_the_memory(
    site: Site, freeze: Callable[[Path], None]
) -> None:
    assert run(site).code == 0
    freeze(site.root / ".translator")
    result = site.translator("status", "--json")
    assert result.code == 0, result.stderr
    assert [row["state"] for row in result.json()] == ["machine"]


def test_status__during_a_first_run_never_misdiagnoses(site: Site) -> None:
    for _ in range(6):
        (site.root / ".translator").mkdir(exist_ok=True)
        for leftover in (site.root / ".translator").iterdir():
            leftover.unlink()
        for copy in (site.root / "content/en").glob("*.md"):
            copy.unlink()
        first = subprocess.Popen(
            [sys.executable, "-m", "translator", "run", "--engine", "pseudo"],
            cwd=site.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        results = [site.translator("status", "--json") for _ in range(3)]
        assert first.wait(timeout=60) == 0
        for result in results:
            assert result.code == 0, result.stderr


def test_run__lock_message_names_the_holder_command_and_pid(site: Site) -> None:
    with site_lock(site.root / ".translator", command="translator approve"):
        result = run(site)
    assert result.code == 3
    assert f"`translator approve` (pid {os.getpid()})" in result.stderr
