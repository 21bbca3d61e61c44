"""What an engine sees: one line per unit, for each fixture in fixtures/segments/units.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_files import read_fixture_file

from translator.markdown import _markdown
from translator.markdown.segments import extract_segments

FIXTURES = Path(__file__).parent / "fixtures" / "segments"


@pytest.mark.parametrize(
    ("line", "title", "source", "expected"),
    read_fixture_file(FIXTURES / "units.md"),
)
def test_units(line: int, title: str, source: str, expected: str) -> None:
    segments, _ = extract_segments(_markdown.make_parser(), source)
    units = [unit for segment in segments for unit in segment.units]
    assert "".join(f"{unit}\n" for unit in units) == expected


def test_units__glossary_terms_are_placeholders() -> None:
    source = "Publier sur Instagram et TikTok, pas sur Instagrammeur.\n"
    segments, _ = extract_segments(_markdown.make_parser(), source, terms=["Instagram", "TikTok"])
    assert segments[0].text == "Publier sur <x1/> et <x2/>, pas sur Instagrammeur."
