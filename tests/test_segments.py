"""Segments out and back in, case by case, from fixture files in fixtures/segments/.

- pseudo.md: a Markdown body and its pseudo-localised translation;
- mangled.md: a Markdown body, then lines `→ …` giving what an engine
  returned for each unit in order (the units after them come back unchanged),
  and the Markdown written plus one line per changed segment:
  `outcome: notes`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bodies import translate_body
from fixture_files import read_fixture_file

from translator.engines.pseudo import PseudoEngine

FIXTURES = Path(__file__).parent / "fixtures" / "segments"


@pytest.mark.parametrize(
    ("line", "title", "source", "expected"), read_fixture_file(FIXTURES / "pseudo.md")
)
def test_pseudo(line: int, title: str, source: str, expected: str) -> None:
    assert translate_body(source, PseudoEngine())[0] == expected


@pytest.mark.parametrize(
    ("line", "title", "source", "expected"), read_fixture_file(FIXTURES / "pseudo.md")
)
def test_pseudo__crlf(line: int, title: str, source: str, expected: str) -> None:
    crlf = source.replace("\n", "\r\n")
    assert translate_body(crlf, PseudoEngine())[0] == expected.replace("\n", "\r\n")


@pytest.mark.parametrize(
    ("line", "title", "source", "expected"), read_fixture_file(FIXTURES / "mangled.md")
)
def test_mangled(line: int, title: str, source: str, expected: str) -> None:
    markdown, _, given = source.partition("→ ")
    translations = [t.replace("\\n", "\n") for t in ("→ " + given).split("\n→ ")] if given else []
    translations = [t.removeprefix("→ ").removesuffix("\n") for t in translations]
    text, results = translate_body(markdown, translations=translations)
    outcomes = "".join(
        f"{r.outcome}: {'; '.join(r.notes)}\n" if r.notes else f"{r.outcome}\n"
        for r in results
        if r.outcome != "same"
    )
    assert text + outcomes == expected
