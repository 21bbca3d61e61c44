"""DESIGN.md invariants 1 and 2 on real pages: the 87 shared corpus pages and the sample posts."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator.engines.pseudo import IdentityEngine, PseudoEngine
from translator.markdown import _markdown
from translator.markdown.document import parse_document
from translator.markdown.page import read_page, translate_pages

SHARED = Path(__file__).resolve().parents[2] / "shared"
REPO = Path(__file__).resolve().parents[1]
PAGES = sorted((SHARED / "corpus" / "fr").glob("*.md")) + sorted(
    (REPO / "content" / "fr").glob("*.md")
)
IDS = [page.name for page in PAGES]


def translate(text: str, engine: IdentityEngine | PseudoEngine) -> str:
    md = _markdown.make_parser()
    (rendered,) = translate_pages(md, [read_page(md, text)], engine, source="fr", target="en")
    return rendered.text


def without_fields(text: str) -> str:
    """The text with every translatable value cut out: what must stay byte-identical."""
    document = parse_document(text)
    head = text[: document.body_start]
    for found in sorted(document.fields, key=lambda f: f.start, reverse=True):
        head = head[: found.start] + head[found.end :]
    return head


def test_corpus_is_there() -> None:
    assert len(PAGES) >= 88


@pytest.mark.parametrize("path", PAGES, ids=IDS)
def test_identity_round_trip(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    assert translate(text, IdentityEngine()) == text


@pytest.mark.parametrize("path", PAGES, ids=IDS)
def test_pseudo_keeps_structure(path: Path) -> None:
    md = _markdown.make_parser()
    text = path.read_bytes().decode("utf-8")
    translated = translate(text, PseudoEngine())
    body, translated_body = (t[parse_document(t).body_start :] for t in (text, translated))
    assert _markdown.structure(md, translated_body) == _markdown.structure(md, body)


@pytest.mark.parametrize("path", PAGES, ids=IDS)
def test_pseudo_keeps_front_matter_outside_translatable_values(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    assert without_fields(translate(text, PseudoEngine())) == without_fields(text)


@pytest.mark.parametrize("path", PAGES, ids=IDS)
def test_pseudo_translates_every_segment(path: Path) -> None:
    md = _markdown.make_parser()
    page = read_page(md, path.read_bytes().decode("utf-8"))
    (rendered,) = translate_pages(md, [page], PseudoEngine(), source="fr", target="en")
    assert [r.where for r in rendered.needs_review] == []
