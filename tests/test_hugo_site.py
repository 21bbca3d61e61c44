"""The repository's Hugo config and layouts on a temporary site: a pipeline run, a real build.

Machine copies are drafts until approved (review policy `draft_until_approved`),
and each page links to its translations with `hreflang`.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sites import Site

REPO = Path(__file__).resolve().parents[1]
HUGO = shutil.which("hugo")
SLUG = "mon-article"
FRENCH_POST = """\
---
title: "Mon article"
date: 2024-01-10
draft: false
---

Un premier paragraphe avec un [lien](https://exemple.fr).
"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(HUGO is None, reason="needs Debian's hugo (scripts/install-test-deps.sh)"),
]


@pytest.fixture
def translated(tmp_path: Path) -> Site:
    """The repository's hugo.toml and layouts/, a French post, and its machine copy."""
    site = Site(tmp_path / "site")
    site.write("hugo.toml", (REPO / "hugo.toml").read_text(encoding="utf-8"))
    shutil.copytree(REPO / "layouts", site.root / "layouts")
    site.write(f"content/fr/{SLUG}.md", FRENCH_POST)
    done = site.translator("run", "--engine", "pseudo")
    assert done.code == 0, done.stderr
    return site


@pytest.fixture
def approved(translated: Site) -> Site:
    """The same site once an editor approved the copy."""
    done = translated.translator("approve", "--force", f"content/en/{SLUG}.md")  # pseudo text
    assert done.code == 0, done.stderr
    return translated


def build(site: Site, *, drafts: bool) -> Path:
    """Build with Hugo; returns the output directory."""
    out = site.root / ("public-drafts" if drafts else "public")
    command = [str(HUGO), "--source", str(site.root), "--destination", str(out), "--quiet"]
    done = subprocess.run(
        [*command, *(["--buildDrafts"] if drafts else [])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


def english_page(out: Path) -> Path:
    return out / "en" / SLUG / "index.html"


def french_page(out: Path) -> Path:
    return out / SLUG / "index.html"


def test_machine_copy__not_published(translated: Site) -> None:
    assert not english_page(build(translated, drafts=False)).exists()


def test_machine_copy__built_as_a_draft_with_build_drafts(translated: Site) -> None:
    page = english_page(build(translated, drafts=True)).read_text(encoding="utf-8")
    assert "Draft: waiting for review" in page


def test_machine_copy__french_page_does_not_link_to_it(translated: Site) -> None:
    page = french_page(build(translated, drafts=False)).read_text(encoding="utf-8")
    assert 'hreflang="en"' not in page


def test_approved_copy__published(approved: Site) -> None:
    page = english_page(build(approved, drafts=False)).read_text(encoding="utf-8")
    assert "Ṁöñ åŕţîçļé" in page and "Draft" not in page


def test_approved_copy__links_to_its_french_original(approved: Site) -> None:
    page = english_page(build(approved, drafts=False)).read_text(encoding="utf-8")
    assert f'<a class="translation" href="/{SLUG}/" hreflang="fr" lang="fr">Français</a>' in page
    assert f'<link rel="alternate" hreflang="fr" href="/{SLUG}/">' in page


def test_approved_copy__french_page_links_back(approved: Site) -> None:
    page = french_page(build(approved, drafts=False)).read_text(encoding="utf-8")
    assert f'<a class="translation" href="/en/{SLUG}/" hreflang="en" lang="en">English</a>' in page
