"""QA's view of a source slot taken from the page's own parse equals a parse of the slot alone.

`extract_segments` gives most segments a `checked` (their prose and protected
items from the page's tokens) so that QA does not parse the source again. That
shortcut is only right where the page's tokens are what a parse of the slot
alone gives: checked here on every real page and every CommonMark and GFM spec example.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from translator.markdown import _markdown, qa
from translator.markdown.page import read_page
from translator.markdown.segments import extract_segments
from translator.markdown.shortcodes import DEFAULT_SHORTCODES

TESTS = Path(__file__).resolve().parent
PAGES = sorted((TESTS.parents[1] / "shared" / "corpus" / "fr").glob("*.md")) + sorted(
    (TESTS.parent / "content" / "fr").glob("*.md")
)
EXAMPLES = json.loads((TESTS / "data/commonmark/commonmark.json").read_text())
GFM_EXAMPLES = json.loads((TESTS / "data/gfm/gfm.json").read_text(encoding="utf-8"))
MD = _markdown.make_parser()


def parsed_view(source: str) -> tuple[str, object]:
    """What QA computes of a source slot when it parses it itself."""
    return qa._source_view(MD, source, DEFAULT_SHORTCODES, None, items=True)


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_page_slots__checked_as_parsed_alone(path: Path) -> None:
    page = read_page(MD, path.read_text(encoding="utf-8"))
    checked = [s for s in (*page.field_segments, *page.segments) if s.checked is not None]
    for segment in checked:
        assert segment.checked is not None
        assert (segment.checked.prose, segment.checked.items) == parsed_view(segment.source)


def test_most_corpus_slots_are_checked_from_the_page() -> None:
    """The shortcut is used, or it saves nothing (2,905 of 3,228 when last measured)."""
    segments = [s for p in PAGES[:87] for s in read_page(MD, p.read_text()).segments]
    assert sum(s.checked is not None for s in segments) > len(segments) * 0.7


SPEC = [(f"example-{e['example']}", e) for e in EXAMPLES] + [
    (f"gfm-example-{e['example']}", e) for e in GFM_EXAMPLES
]


@pytest.mark.parametrize("example", [e for _, e in SPEC], ids=[name for name, _ in SPEC])
def test_spec_examples__checked_as_parsed_alone(example: dict[str, object]) -> None:
    """Every CommonMark and GFM spec example."""
    text = str(example["markdown"])
    for segment in extract_segments(MD, text)[0]:
        if segment.checked is not None:
            assert (segment.checked.prose, segment.checked.items) == parsed_view(segment.source)


@pytest.mark.parametrize(
    "text",
    [
        "Voir [la page][doc].\n\n[doc]: https://exemple.fr/\n",  # a reference reaches it
        "Une note[^1].\n\n[^1]: Le texte.\n",  # a footnote definition reaches it
        "> Une citation\n> sur deux lignes.\n",  # its slot keeps the `> `
        'Un {{< ref "x" >}} au milieu.\n',  # the page parsed a masked shortcode
    ],
)
def test_slots_the_page_parses_otherwise__are_left_to_qa(text: str) -> None:
    (segment,) = extract_segments(MD, text)[0][:1]
    assert segment.checked is None


def test_a_plain_paragraph__is_checked_from_the_page() -> None:
    (segment,) = extract_segments(MD, "Un *beau* [lien](https://exemple.fr/) et `du code`.\n")[0]
    assert segment.checked is not None
    assert segment.checked.items == {"link https://exemple.fr/": 1, "code `du code`": 1}
