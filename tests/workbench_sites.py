"""Sites for the workbench tests: translated by the real command, one slot in conflict."""

from __future__ import annotations

import shutil
from pathlib import Path

from sites import POST, Site, make_site

EDITOR = "My own third paragraph."
"""The editor's text of the third paragraph, typed in the English file by hand."""
FIRST = 'First paragraph with a [link](https://exemple.fr "Titre du lien"), by an editor.'
"""A good edit of the first paragraph: words changed, the link kept."""
THIRD_FR = "Troisième paragraphe."


def translated_site(root: Path) -> Site:
    """One post translated with the pseudo engine."""
    site = make_site(root)
    assert site.translator("run", "--engine", "pseudo").code == 0
    return site


def conflict_site(root: Path) -> Site:
    """The editor rewrote the third paragraph, then its French changed: a conflict."""
    site = translated_site(root)
    copy = site.read("content/en/post.md")
    machine = copy.rstrip("\n").rsplit("\n", 1)[-1]
    site.write("content/en/post.md", copy.replace(machine, EDITOR))
    site.write("content/fr/post.md", POST.replace(THIRD_FR, "Troisième paragraphe, revu."))
    assert site.translator("run", "--engine", "pseudo").code == 0
    assert "status: conflict" in site.read("content/en/post.md")
    return site


def copy_of(template: Site, root: Path) -> Site:
    """A fresh copy of a site built once (building one runs the real command: seconds)."""
    shutil.copytree(template.root, root, symlinks=True)
    return Site(root)


REVIEWED = "Third paragraph."
"""The reviewed English of the third paragraph in `outdated_site`."""
THIRD_NEW = "Autre chose."
"""The French of the third paragraph after the copy was approved and published."""


def outdated_site(root: Path) -> Site:
    """A copy reviewed and published, then its French changed: the slot is `outdated`.

    As issue 11 left it: the page keeps the reviewed text, the machine's
    translation of the new French waits as a suggestion.
    """
    site = translated_site(root)
    copy = site.read("content/en/post.md")
    machine = copy.rstrip("\n").rsplit("\n", 1)[-1]
    site.write("content/en/post.md", copy.replace(machine, REVIEWED))
    assert site.translator("approve", "--force", "content/en/post.md").code == 0
    site.write("content/fr/post.md", POST.replace(THIRD_FR, THIRD_NEW))
    assert site.translator("run", "--engine", "pseudo").code == 0
    assert "status: outdated" in site.read("content/en/post.md")
    return site
