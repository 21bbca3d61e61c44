"""Fuzz: generated hostile posts through the real `translator run`, many per site.

A small grammar makes each post hostile in one way or several: deep nesting
(front matter brackets, emphasis, links, quotes, lists), long lines, huge
numbers, odd front matter (unclosed, invalid, aliases, tags, BOM, CRLF),
invalid UTF-8, binary bytes, odd file names, and files that are not posts
(FIFOs, sockets, device and outside symlinks, link loops, folders). Each site
holds `ok.md` and one CLI run with a timeout and a memory limit translates
them all. Asserted every time: no traceback, no internal error, no hang, the
good post written, nothing written outside `content/en` and `.translator/`.

`make test` runs `FUZZ_SITES` sites (each one case per hostile post);
`make fuzz` adds `TRANSLATOR_FUZZ_EXTRA_SITES` more (marked slow).
"""

from __future__ import annotations

import json
import os
import random
import resource
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sites import make_site

FUZZ_SITES = 4
POSTS_PER_SITE = 80
EXTRA_SITES = int(os.environ.get("TRANSLATOR_FUZZ_EXTRA_SITES", "0"))
MEMORY_LIMIT = 2 * 1024**3
TIMEOUT = 240


def _nest(rng: random.Random) -> str:
    depth = rng.choice([3, 99, 101, 700, 5_000, 30_000])
    kind = rng.choice(["json", "yaml", "toml", "stars", "under", "links", "quotes", "lists"])
    if kind == "json":
        return '{"title": "T", "a": ' + "[" * depth + "]" * depth + "}\n\nTexte.\n"
    if kind == "yaml":
        return "---\ntitle: T\na: " + "{a: " * depth + "}" * depth + "\n---\n\nTexte.\n"
    if kind == "toml":
        return '+++\ntitle = "T"\na = ' + "[" * depth + "]" * depth + "\n+++\n\nTexte.\n"
    if kind == "stars":
        return "Texte " + "*" * depth + "mot" + "*" * depth + "\n"
    if kind == "under":
        return "Texte " + "_" * depth + "mot" + "_" * depth + "\n"
    if kind == "links":
        return "Texte " + "[" * depth + "lien" + "](x)" * depth + "\n"
    if kind == "quotes":
        return ">" * min(depth, 2_000) + " Citation.\n"
    return "".join("  " * i + "- élément\n" for i in range(min(depth, 1_000)))


def _number(rng: random.Random) -> str:
    digits = rng.choice(["-", "+", ""]) + "9" * rng.choice([4299, 4301, 5000, 20_000])
    shape = rng.choice(["toml", "toml-list", "json", "yaml", "yaml-list"])
    if shape == "toml":
        return f'+++\ntitle = "Nombre"\nweight = {digits.lstrip("+")}\n+++\n\nTexte.\n'
    if shape == "toml-list":
        return f'+++\ntitle = "Nombre"\nw = [1, {digits.lstrip("+")}]\n+++\n\nTexte.\n'
    if shape == "json":
        return f'{{"title": "Nombre", "weight": {digits.lstrip("+")}}}\n\nTexte.\n'
    if shape == "yaml":
        return f"---\ntitle: Nombre\nweight: {digits}\n---\n\nTexte.\n"
    return f"---\ntitle: Nombre\nw: [{digits}, 2]\n---\n\nTexte.\n"


def _odd_front_matter(rng: random.Random) -> str:
    return rng.choice(
        [
            "---\ntitle: jamais fermé\n\nTexte.\n",
            "+++\ntitle = \n+++\n\nTexte.\n",
            "---\n- une\n- liste\n---\n\nTexte.\n",
            "---\na: &a [x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b]\n---\n\nT.\n",
            "---\nt: !!python/object/apply:os.system ['true']\n---\n\nTexte.\n",
            "\ufeff---\r\ntitle: BOM\r\n---\r\n\r\nTexte.\r\n",
            "---\n---\n",
            '{"title": "JSON", "a": }\n\nTexte.\n',
            "{{< shortcode >}}\n\nTexte.\n",
            "---\ntitle: [unclosed\n---\n\nTexte.\n",
            "---\ntitle: " + "«" * 20_000 + "\n---\n\nTexte.\n",
            "+++\n[[a]]\n[[a]]\n" + "[a.b]\n" * 50 + "+++\n\nTexte.\n",
        ]
    )


def _long_line(rng: random.Random) -> str:
    alphabet = rng.choice(["ab *_[]`<>", "é ", "{{<>}}% ", "$x$ ", "|-|", "\\*&#;"])
    return "".join(rng.choice(alphabet) for _ in range(rng.choice([2_000, 20_000]))) + "\n"


def _markdown_soup(rng: random.Random) -> str:
    pieces = ["# Titre", "Texte *a* **b** `c`", "| a | b |\n|---|---|\n| c | d |", "[^1]",
              "[^1]: note", "<div>html</div>", "{{< fig caption=\"x\" >}}", "$$\nx\n$$",
              "```\ncode\n```", "    indenté", "> citation", "1. un", "- [ ] tâche",
              "[ref]: https://x", "![alt](i.png \"t\")", "~~barré~~", "\t\t", "\r\n"]  # fmt: skip
    return "\n\n".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) + "\n"


def _post(rng: random.Random) -> bytes:
    maker = rng.choice([_nest, _number, _odd_front_matter, _long_line, _markdown_soup])
    data = maker(rng).encode("utf-8")
    spoil = rng.random()
    if spoil < 0.05:
        data += b"\xff\xfe invalid UTF-8 \xc3\n"
    elif spoil < 0.08:
        data = data.replace(b"Texte", b"Te\x00xte")
    elif spoil < 0.10:
        data = "Été, latin-1\n".encode("latin-1")
    return data


def _name(rng: random.Random, n: int) -> bytes:
    stem = rng.choice(
        [
            f"post-{n}",
            "é" * 120 + f"{n:04}",  # 244 bytes + .md: the longest names
            f"with space {n}",
            f"-{n}-dash",
            f"[{n}]markup[red]",
            f"tab\t{n}",
            f"new\nline{n}",
            f"bad-\xff-{n}",
        ]
    )
    raw = stem.encode("utf-8") if not stem.startswith("bad-") else f"bad-{n}-".encode() + b"\xff"
    return raw + rng.choice([b".md", b".markdown"])


def _specials(folder: Path, outside: Path) -> None:
    """Files named like posts that are not posts."""
    os.mkfifo(folder / "fifo.md")
    (folder / "zero.md").symlink_to("/dev/zero")
    (folder / "null.md").symlink_to("/dev/null")
    (folder / "outside.md").symlink_to(outside)
    (folder / "dangling.md").symlink_to(folder / "nothing-here")
    (folder / "loop.md").symlink_to(folder / "loop.md")
    (folder / "dir.md").mkdir()
    (folder / "dir.md" / "inner.md").write_text("Texte intérieur.\n")
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        server = socket.socket(socket.AF_UNIX)
        server.bind(f"/proc/self/fd/{descriptor}/sock.md")  # the file stays after close
        server.close()
    finally:
        os.close(descriptor)


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every entry outside content/en and .translator, by lstat: size and mtime."""
    seen: dict[str, tuple[int, int]] = {}
    for folder, subfolders, files in os.walk(root):
        relative = Path(folder).relative_to(root).as_posix()
        if relative in ("content/en", ".translator"):
            subfolders[:] = []
            continue
        for name in files:  # folders' mtimes change when content/en is made
            info = os.lstat(Path(folder) / name)
            seen[f"{relative}/{name}"] = (info.st_size, info.st_mtime_ns)
    return seen


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _fuzz_site(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    site = make_site(tmp_path / "site")
    (site.root / "content/fr/post.md").unlink()
    site.write("content/fr/ok.md", "---\ntitle: Bonjour\n---\n\nUn paragraphe.\n")
    folder = os.fsencode(site.root / "content/fr")
    for n in range(POSTS_PER_SITE):
        with open(os.path.join(folder, _name(rng, n)), "wb") as stream:
            stream.write(_post(rng))
    outside = tmp_path / "outside.md"
    outside.write_text("Secret.\n")
    _specials(site.root / "content/fr", outside)
    before = _snapshot(site.root)
    done = subprocess.run(
        [sys.executable, "-m", "translator", "run", "--engine", "pseudo", "--json"],
        cwd=site.root,
        capture_output=True,
        timeout=TIMEOUT,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
        preexec_fn=_limit_memory,
        check=False,
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr[-3000:]
    assert done.returncode in (0, 1), stderr[-3000:]
    summary = json.loads(done.stdout)
    assert summary["internal_errors"] == 0
    assert (site.root / "content/en/ok.md").is_file()
    assert _snapshot(site.root) == before
    assert outside.read_text() == "Secret.\n"
    status = subprocess.run(
        [sys.executable, "-m", "translator", "status", "--json"],
        cwd=site.root,
        capture_output=True,
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
        check=False,
    )
    # 1: some copy is in error or conflict, which gates CI (issue 11); never a crash.
    assert (status.returncode in (0, 1), b"Traceback" in status.stderr) == (True, False), (
        status.stderr[-3000:]
    )


@pytest.mark.parametrize("seed", range(FUZZ_SITES))
def test_fuzz__hostile_posts_never_stop_a_run(tmp_path: Path, seed: int) -> None:
    _fuzz_site(tmp_path, seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(FUZZ_SITES, FUZZ_SITES + EXTRA_SITES))
def test_fuzz__more_sites(tmp_path: Path, seed: int) -> None:
    _fuzz_site(tmp_path, seed)
