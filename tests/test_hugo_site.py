"""The repository is a bilingual Hugo site: a pipeline run, then a real Hugo build."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sites import Site

REPO = Path(__file__).resolve().parents[1]
HUGO = shutil.which("hugo")

pytestmark = pytest.mark.skipif(HUGO is None, reason="Debian's hugo is not installed")


@pytest.fixture
def site(tmp_path: Path) -> Site:
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(REPO / "hugo.toml", root / "hugo.toml")
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "content" / "fr", root / "content" / "fr")
    return Site(root)


def build(site: Site, *, drafts: bool) -> Path:
    out = site.root / ("public-drafts" if drafts else "public")
    command = [str(HUGO), "--source", str(site.root), "--destination", str(out), "--quiet"]
    done = subprocess.run(
        command + (["--buildDrafts"] if drafts else []),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


POST = "tendances-community-management"


def test_machine_copy_is_a_draft(site: Site) -> None:
    assert site.translator("run", "--engine", "pseudo").code == 0
    assert not (build(site, drafts=False) / "en" / POST / "index.html").exists()
    page = (build(site, drafts=True) / "en" / POST / "index.html").read_text()
    assert "Draft: waiting for review" in page


def test_approved_copy_is_published_and_linked_both_ways(site: Site) -> None:
    assert site.translator("run", "--engine", "pseudo").code == 0
    assert site.translator("approve", f"content/en/{POST}.md").code == 0
    public = build(site, drafts=False)
    english = (public / "en" / POST / "index.html").read_text()
    french = (public / POST / "index.html").read_text()
    assert re.search(rf'<a class="translation" href="/{POST}/" hreflang="fr"', english)
    assert re.search(rf'<a class="translation" href="/en/{POST}/" hreflang="en"', french)
    assert "Éẋþļöŕåţîöñ" in english and "Draft" not in english
