"""Temporary Hugo sites and the real `translator` command, for end-to-end tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HUGO_DIRECTORIES = """\
defaultContentLanguage = "fr"
[languages.fr]
contentDir = "content/fr"
weight = 1
[languages.en]
contentDir = "content/en"
weight = 2
"""

HUGO_SUFFIX = """\
defaultContentLanguage = "fr"
[languages.fr]
weight = 1
[languages.en]
weight = 2
"""

POST = """\
---
title: "Un titre: simple"
date: 2024-01-10
draft: false
---

Premier paragraphe avec un [lien](https://exemple.fr "Titre du lien").

Deuxième paragraphe avec du `code`.

## Une section

Troisième paragraphe.
"""


@dataclass
class Result:
    """What the command did."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout parsed as JSON."""
        return json.loads(self.stdout)


@dataclass
class Site:
    """A temporary Hugo site."""

    root: Path

    def write(self, relative: str, text: str) -> Path:
        """Create or replace a file of the site (bytes as given)."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return path

    def read(self, relative: str) -> str:
        """A file of the site."""
        return (self.root / relative).read_bytes().decode("utf-8")

    def translator(
        self, *args: str, timeout: float = 120, env: dict[str, str] | None = None
    ) -> Result:
        """Run the real command in the site, as a user would (`env`: variables to add)."""
        env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
        done = subprocess.run(
            [sys.executable, "-m", "translator", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def run_json(self, *args: str) -> dict[str, Any]:
        """`translator run --json --engine pseudo`, which must succeed."""
        result = self.translator("run", "--json", "--engine", "pseudo", *args)
        assert result.code == 0, result.stderr
        summary: dict[str, Any] = result.json()
        return summary


def make_site(root: Path, *, layout: str = "directories") -> Site:
    """A site with one French post, in either layout."""
    site = Site(root)
    if layout == "directories":
        site.write("hugo.toml", HUGO_DIRECTORIES)
        site.write("content/fr/post.md", POST)
    else:
        site.write("hugo.toml", HUGO_SUFFIX)
        site.write("content/post.fr.md", POST)
    return site


HUMAN_EN = """\
---
title: "A title: simple"
date: 2024-01-10
draft: false
---

First paragraph with a [link](https://example.com "Link title").

Second paragraph with `code`.

## A section

Third paragraph.
"""
"""An English translation of POST written by a person: the same blocks."""

HUMAN_EN_OTHER_SHAPE = """\
---
title: "A title"
---

All of it in one paragraph, with a [link](https://example.com).
"""
"""An English translation of POST written by a person: other blocks."""


def hugo_site(root: Path, hugo_toml: str, files: dict[str, str] | None = None) -> Site:
    """A site with the given hugo.toml and files (relative path -> text)."""
    site = Site(root)
    site.write("hugo.toml", hugo_toml)
    for relative, text in (files or {}).items():
        site.write(relative, text)
    return site


def declare(site: Site, *languages: str) -> None:
    """Declare more languages in the site's hugo.toml, each with its content/<lang> folder.

    translator refuses a target Hugo would not build (issue 10): a test that
    translates into es or de declares it first.
    """
    extra = "".join(f'[languages.{lang}]\ncontentDir = "content/{lang}"\n' for lang in languages)
    site.write("hugo.toml", site.read("hugo.toml") + extra)
