"""Segments out and back in, case by case, from fixture files in fixtures/segments/.

- pseudo.md: a Markdown body and its pseudo-localised translation;
- mangled.md: a Markdown body, then lines `→ …` giving what an engine
  returned for each unit in order (the units after them come back unchanged),
  and the Markdown written plus one line per changed segment:
  `outcome: notes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from fixture_files import read_fixture_file

from translator import _markdown
from translator.engines.pseudo import PseudoEngine
from translator.reassemble import Rendered, render_segment, splice
from translator.segments import extract_segments

FIXTURES = Path(__file__).parent / "fixtures" / "segments"


def translate_body(text: str, translations: Sequence[str] | None) -> tuple[str, list[Rendered]]:
    """Translate a body with the pseudo engine, or with the given translations in order."""
    md = _markdown.make_parser()
    segments, env = extract_segments(md, text)
    given = list(translations or [])
    results: list[Rendered] = []
    for segment in segments:
        units = list(segment.units)
        if translations is None:
            out = PseudoEngine().translate(units, source="fr", target="en")
        else:
            out = [given.pop(0) if given else unit for unit in units]
        results.append(render_segment(md, segment, out, env))
    spans = [(s.start, s.end, r.text) for s, r in zip(segments, results, strict=True)]
    return splice(text, spans), results


@pytest.mark.parametrize(
    ("line", "title", "source", "expected"), read_fixture_file(FIXTURES / "pseudo.md")
)
def test_pseudo(line: int, title: str, source: str, expected: str) -> None:
    assert translate_body(source, None)[0] == expected


@pytest.mark.parametrize(
    ("line", "title", "source", "expected"), read_fixture_file(FIXTURES / "pseudo.md")
)
def test_pseudo__crlf(line: int, title: str, source: str, expected: str) -> None:
    crlf = source.replace("\n", "\r\n")
    assert translate_body(crlf, None)[0] == expected.replace("\n", "\r\n")


@pytest.mark.parametrize(
    ("line", "title", "source", "expected"), read_fixture_file(FIXTURES / "mangled.md")
)
def test_mangled(line: int, title: str, source: str, expected: str) -> None:
    markdown, _, given = source.partition("→ ")
    translations = [t.replace("\\n", "\n") for t in ("→ " + given).split("\n→ ")] if given else []
    translations = [t.removeprefix("→ ").removesuffix("\n") for t in translations]
    text, results = translate_body(markdown, translations)
    outcomes = "".join(
        f"{r.outcome}: {'; '.join(r.notes)}\n" if r.notes else f"{r.outcome}\n"
        for r in results
        if r.outcome != "same"
    )
    assert text + outcomes == expected
