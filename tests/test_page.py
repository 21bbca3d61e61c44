"""Whole pages: the structure check before writing, and front matter with the body."""

from __future__ import annotations

from collections.abc import Sequence

from translator.markdown import _markdown
from translator.markdown.page import read_page, translate_pages


class Returns:
    """A test engine that answers every text with the same string (what a bad model might do)."""

    name = "returns"

    def __init__(self, answer: str) -> None:
        self.answer = answer

    def translate(self, texts: Sequence[str], *, source: str, target: str) -> list[str]:
        return [self.answer for _ in texts]

    def model_version(self, *, source: str, target: str) -> str:
        return "1"


def test_translation_that_would_become_a_reference_definition_keeps_the_source() -> None:
    md = _markdown.make_parser()
    text = "---\ntitle: Titre\n---\n\nUn paragraphe.\n"
    (rendered,) = translate_pages(
        md, [read_page(md, text)], Returns("[x]: /url"), source="fr", target="en"
    )
    assert rendered.text == '---\ntitle: "[x]: /url"\n---\n\nUn paragraphe.\n'
    assert rendered.reports[1].outcome == "kept_source"
    assert "the translation changed the blocks" in rendered.reports[1].notes


class Breaks:
    """A test engine that turns one given text into a reference definition, others pseudo."""

    name = "breaks"

    def __init__(self, breaking: str) -> None:
        self.breaking = breaking

    def translate(self, texts: Sequence[str], *, source: str, target: str) -> list[str]:
        return ["[x]: /url" if t == self.breaking else f"{t} (en)" for t in texts]

    def model_version(self, *, source: str, target: str) -> str:
        return "1"


def test_structure_check__only_the_breaking_segment_keeps_its_source() -> None:
    md = _markdown.make_parser()
    text = "Premier.\n\n- Deuxième.\n- Troisième.\n\nQuatrième.\n"
    (rendered,) = translate_pages(
        md, [read_page(md, text)], Breaks("Troisième."), source="fr", target="en"
    )
    assert rendered.text == "Premier. (en)\n\n- Deuxième. (en)\n- Troisième.\n\nQuatrième. (en)\n"
    assert [r.outcome for r in rendered.reports] == [
        "translated",
        "translated",
        "kept_source",
        "translated",
    ]
