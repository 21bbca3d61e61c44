"""Blocks an editor joined into one, then the source changed: never a silent drop (issue 11).

Found on a real site: an editor typed over the blank line between an image and the
next paragraph of a copy (three blocks became one) and the French paragraph was then
deleted. The merge named the joined block after the paragraph alone, so the image
looked deleted by the editor and the paragraph by the source: both went, the
editor's words to the retired list, the image nowhere, and the memory recorded
slots the file no longer had. Through the real command, on a site built here.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from sites import POST as PLAIN_POST
from sites import Site, make_site

from translator.engines.pseudo import pseudo_localize
from translator.hugo.config import load_config
from translator.review.workbench import Workbench, make_app

COPY = "content/en/post.md"
SOURCE = "content/fr/post.md"
POST = """\
---
title: "Un titre"
date: 2024-01-10
draft: false
---

Premier paragraphe.

![Un chat](images/chat.jpeg)

Deuxième paragraphe, bien plus long que la ligne de l'image, avec assez de mots pour ressembler.

![Un chien](images/chien.jpeg)
"""
SECOND = POST.split("\n\n")[3] + "\n\n"
TYPED = "Do other people know it?"


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = make_site(tmp_path)
    site.write(SOURCE, POST)
    site.run_json()
    text = site.read(COPY)
    image = "images/chat.jpeg) "
    start = text.index(image)
    blank = text.index("\n\n", start)
    # Typing over the blank line: the image, the words and the paragraph are one block now.
    site.write(COPY, text[:blank] + "\n" + TYPED + text[blank + 1 :])
    return site


def _run(site: Site) -> tuple[int, list[dict[str, str]]]:
    result = site.translator("run", "--json", "--engine", "pseudo")
    return result.code, result.json()["errors"]


def test_source_deleting_a_joined_paragraph_is_refused(site: Site) -> None:
    edited = site.read(COPY)
    site.write(SOURCE, POST.replace(SECOND, ""))
    code, errors = _run(site)
    assert code == 1
    assert site.read(COPY) == edited
    (error,) = errors
    assert "copy lines 16-18" in error["reason"]
    assert "deleted its lines 11-11" in error["reason"]


def test_refused_merge_keeps_the_memory_in_step_with_the_file(site: Site) -> None:
    site.write(SOURCE, POST.replace(SECOND, ""))
    _run(site)
    assert site.translator("retired", "list", "--json").json() == []


def test_source_changing_a_joined_image_is_refused(site: Site) -> None:
    edited = site.read(COPY)
    site.write(SOURCE, POST.replace("Un chat", "Un gros chat"))
    code, errors = _run(site)
    assert code == 1
    assert site.read(COPY) == edited
    assert "changed lines 9-9" in errors[0]["reason"]


def test_joined_blocks_stay_when_the_source_changes_elsewhere(site: Site) -> None:
    joined = site.read(COPY).split("\n\n")[2]
    site.write(SOURCE, POST.replace("Premier paragraphe.", "Premier paragraphe, revu."))
    code, errors = _run(site)
    copy = site.read(COPY)
    assert (code, errors) == (0, [])
    assert joined in copy
    assert copy.count("images/chat.jpeg") == 1
    assert pseudo_localize("Premier paragraphe, revu.") in copy


# -- a memory record that does not fit its copy is named, never a traceback ----------------------

MISFIT_SOURCE = PLAIN_POST.replace("\nTroisième paragraphe.\n", "")


@pytest.fixture
def misfit(tmp_path: Path) -> Site:
    """A copy with a block of the editor's, its last paragraph's edit retired by the source."""
    site = make_site(tmp_path)
    site.run_json()
    third = pseudo_localize("Troisième paragraphe.")
    text = site.read(COPY).replace(third, "Third by hand.")
    site.write(COPY, text.replace("## ⟦Ûñé", "A note of mine.\n\n## ⟦Ûñé"))
    site.write(SOURCE, MISFIT_SOURCE)
    site.run_json()
    return site


def test_restore_into_a_misfit_record_is_one_error_line(misfit: Site) -> None:
    before = misfit.read(COPY)
    result = misfit.translator("retired", "restore", "1", "--at", "16")
    assert result.code == 3
    assert "memory records 4 slots for this copy but the file has 5" in result.stderr
    assert "Traceback" not in result.stderr
    assert misfit.read(COPY) == before


def test_workbench_shows_a_misfit_record_as_a_problem(misfit: Site) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Starlette 1.x announces a move from httpx to httpx2.
        from starlette.testclient import TestClient
    bench = Workbench(load_config(misfit.root))
    client = TestClient(make_app(bench, port=8771), base_url="http://127.0.0.1:8771")
    client.get(f"/?token={bench.keys.token}", follow_redirects=False)
    page = client.get(f"/copy/{COPY}")
    assert page.status_code == 200
    assert "the memory records 4 slots but the copy has 5" in page.text
