"""DESIGN.md invariants 1 and 2 on every GFM spec example (data/gfm/), extensions included.

Our parser has tables and strikethrough but neither extended autolinks nor task
lists: those examples are plain text to us, and must round-trip all the same.
Hugo's Goldmark has both on by default (`Linkify`, `TaskList` in hugo's
markup/goldmark/goldmark_config/config.go), so what they turn into a link or a
check box must also come back unchanged: the last test checks it.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from bodies import translate_body

from translator.engines.pseudo import IdentityEngine, PseudoEngine
from translator.markdown import _markdown

EXAMPLES = json.loads((Path(__file__).parent / "data/gfm/gfm.json").read_text(encoding="utf-8"))
# The text of each link in the spec's HTML, and each task list item's box in its Markdown.
LINK_TEXT = re.compile(r'<a href="[^"]*">([^<]*)</a>')
TASK_BOX = re.compile(r"^[ \t]*[-*+] (\[[ xX]\])", re.MULTILINE)


def cases() -> list[object]:
    """One case per example, its id naming the extension it exercises, if any."""
    return [
        pytest.param(e["markdown"], id=f"example-{e['example']}-{e['extension'] or 'commonmark'}")
        for e in EXAMPLES
    ]


def test_every_example_is_here() -> None:
    """673 examples, the extension ones included: a broken extraction cannot pass unseen."""
    extensions = [e["extension"] for e in EXAMPLES]
    assert (len(EXAMPLES), extensions.count("table"), extensions.count("autolink")) == (673, 8, 11)


@pytest.mark.parametrize("text", cases())
def test_identity_round_trip(text: str) -> None:
    assert translate_body(text, IdentityEngine())[0] == text


@pytest.mark.parametrize("text", cases())
def test_identity_round_trip__crlf(text: str) -> None:
    crlf = text.replace("\n", "\r\n")
    assert translate_body(crlf, IdentityEngine())[0] == crlf


@pytest.mark.parametrize("text", cases())
def test_pseudo_keeps_structure(text: str) -> None:
    md = _markdown.make_parser()
    translated, _ = translate_body(text, PseudoEngine())
    assert _markdown.structure(md, translated) == _markdown.structure(md, text)


def linked_or_checked() -> list[object]:
    """The extended autolink and task list examples, with what Hugo links or checks in each."""
    return [
        pytest.param(
            e["markdown"],
            [html.unescape(s) for s in LINK_TEXT.findall(e["html"])]
            + TASK_BOX.findall(e["markdown"]),
            id=f"example-{e['example']}-{e['extension']}",
        )
        for e in EXAMPLES
        if e["extension"] in ("autolink", "disabled")
    ]


@pytest.mark.parametrize(("text", "kept"), linked_or_checked())
def test_pseudo_keeps_autolinks_and_task_boxes(text: str, kept: list[str]) -> None:
    translated, _ = translate_body(text, PseudoEngine())
    assert kept
    assert [translated.count(k) for k in kept] == [text.count(k) for k in kept]
