"""`translator translate`: stateless translation of files, through the real command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sites import POST

from translator.engines.pseudo import pseudo_localize


def translator(
    *args: str, stdin: bytes = b"", cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "translator", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_translate__identity_is_byte_exact(tmp_path: Path) -> None:
    source = tmp_path / "post.md"
    source.write_bytes(POST.replace("\n", "\r\n").encode())
    done = translator("translate", "--engine", "identity", str(source))
    assert done.returncode == 0
    assert done.stdout == source.read_bytes()


def test_translate__stdin_to_stdout(tmp_path: Path) -> None:
    done = translator("translate", "--engine", "pseudo", "-", stdin=b"# Bonjour\n")
    assert done.stdout.decode() == f"# {pseudo_localize('Bonjour')}\n"


def test_translate__one_file_to_output(tmp_path: Path) -> None:
    source = tmp_path / "post.md"
    source.write_text(POST)
    done = translator(
        "translate", "--engine", "pseudo", str(source), "-o", str(tmp_path / "out.md")
    )
    assert done.returncode == 0
    assert pseudo_localize("Troisième paragraphe.") in (tmp_path / "out.md").read_text()


def test_translate__many_files_into_a_directory(tmp_path: Path) -> None:
    names = ["a.md", "b c.md", "été.md"]
    for name in names:
        (tmp_path / name).write_text(POST)
    done = translator("translate", "--engine", "pseudo", "--out-dir", "out", *names, cwd=tmp_path)
    assert done.returncode == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(names)


def test_translate__several_files_need_out_dir(tmp_path: Path) -> None:
    done = translator("translate", "--engine", "pseudo", "a.md", "b.md", cwd=tmp_path)
    assert done.returncode == 2
    assert b"--out-dir" in done.stderr


def test_translate__bad_front_matter_names_file_and_line(tmp_path: Path) -> None:
    source = tmp_path / "bad.md"
    source.write_text("---\ntitle: ok\ndate: [2024\n---\nTexte.\n")
    done = translator("translate", "--engine", "pseudo", str(source))
    line = done.stderr.decode().strip()
    assert done.returncode == 1
    assert line.startswith(f"Error: {source}:")
    assert "YAML" in line and "\n" not in line and "Traceback" not in line


def test_translate__binary_input_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "image.md"
    source.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    done = translator("translate", "--engine", "pseudo", str(source))
    assert done.returncode == 1
    assert done.stderr.decode().strip() == f"Error: {source}: binary file, not a Markdown post"


def test_translate__latin1_input_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "latin1.md"
    source.write_bytes("Été".encode("latin-1"))
    done = translator("translate", "--engine", "pseudo", str(source))
    assert done.returncode == 1
    assert "not UTF-8" in done.stderr.decode()


def test_translate__bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(POST)
    (tmp_path / "bad.md").write_bytes(b"\x00")
    done = translator(
        "translate", "--engine", "pseudo", "--out-dir", "out", "good.md", "bad.md", cwd=tmp_path
    )
    assert done.returncode == 1
    assert (tmp_path / "out" / "good.md").exists()
    assert not (tmp_path / "out" / "bad.md").exists()


def test_translate__unknown_engine(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(POST)
    done = translator("translate", "--engine", "nope", "a.md", cwd=tmp_path)
    assert done.returncode == 3
    assert b"unknown engine 'nope'" in done.stderr


def test_help__documents_exit_codes() -> None:
    done = translator("--help")
    assert b"Exit codes" in done.stdout
