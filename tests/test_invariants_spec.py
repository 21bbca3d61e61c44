"""DESIGN.md invariants 1 and 2 on every CommonMark spec example (data/commonmark/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bodies import translate_body

from translator.engines.pseudo import IdentityEngine, PseudoEngine
from translator.markdown import _markdown

EXAMPLES = json.loads((Path(__file__).parent / "data/commonmark/commonmark.json").read_text())
IDS = [f"example-{e['example']}" for e in EXAMPLES]
MARKDOWN = [e["markdown"] for e in EXAMPLES]


@pytest.mark.parametrize("text", MARKDOWN, ids=IDS)
def test_identity_round_trip(text: str) -> None:
    assert translate_body(text, IdentityEngine())[0] == text


@pytest.mark.parametrize("text", MARKDOWN, ids=IDS)
def test_identity_round_trip__crlf(text: str) -> None:
    crlf = text.replace("\n", "\r\n")
    assert translate_body(crlf, IdentityEngine())[0] == crlf


@pytest.mark.parametrize("text", MARKDOWN, ids=IDS)
def test_pseudo_keeps_structure(text: str) -> None:
    md = _markdown.make_parser()
    translated, _ = translate_body(text, PseudoEngine())
    assert _markdown.structure(md, translated) == _markdown.structure(md, text)
