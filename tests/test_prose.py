"""Every piece of prose a reader sees is translated, every piece of markup comes back as it was.

fixtures/prose/pages.md: whole posts (front matter, shortcodes, raw HTML)
and their pseudo-localised copies, with a site's own keys and shortcodes
(`KEYS`, `SHORTCODES`). A hypothesis property checks HTML fragments from a
small grammar: tags, attributes that are not prose, and code content come
back byte for byte.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fixture_files import read_fixture_file
from hypothesis import given, settings
from hypothesis import strategies as st

from translator.engines.pseudo import IdentityEngine, PseudoEngine
from translator.markdown import _markdown
from translator.markdown import shortcodes as _shortcodes
from translator.markdown.document import DEFAULT_TRANSLATABLE_KEYS
from translator.markdown.page import read_page, translate_pages
from translator.markdown.shortcodes import DEFAULT_SHORTCODES, ShortcodeRule

FIXTURES = Path(__file__).parent / "fixtures" / "prose"
KEYS = (*DEFAULT_TRANSLATABLE_KEYS, "image_alt", "params.*.caption", "keywords")
SHORTCODES = {
    **DEFAULT_SHORTCODES,
    "notice": ShortcodeRule(("title", 1), markdown_inner=True),
    "alert": ShortcodeRule(("title",)),
    "abbr": ShortcodeRule(("title",)),
}


def translate(text: str, engine: IdentityEngine | PseudoEngine) -> str:
    md = _markdown.make_parser()
    page = read_page(md, text, keys=KEYS, shortcodes=SHORTCODES)
    (rendered,) = translate_pages(md, [page], engine, source="fr", target="en")
    assert rendered.needs_review == ()
    return rendered.text


@pytest.mark.parametrize(
    ("line", "title", "source", "expected"), read_fixture_file(FIXTURES / "pages.md")
)
def test_pseudo(line: int, title: str, source: str, expected: str) -> None:
    assert translate(source, PseudoEngine()) == expected


@pytest.mark.parametrize(
    ("line", "title", "source", "expected"), read_fixture_file(FIXTURES / "pages.md")
)
def test_identity(line: int, title: str, source: str, expected: str) -> None:
    assert translate(source, IdentityEngine()) == source


@pytest.mark.parametrize(
    ("line", "title", "source", "expected"), read_fixture_file(FIXTURES / "pages.md")
)
def test_pseudo__crlf(line: int, title: str, source: str, expected: str) -> None:
    crlf = source.replace("\n", "\r\n")
    assert translate(crlf, PseudoEngine()) == expected.replace("\n", "\r\n")


# -- HTML fragments from a small grammar ------------------------------------------------

WORDS = st.sampled_from(["Bonjour", "le pain", "la mie", "dit-il", "&nbsp;", "&laquo;", "é", " "])
ATTRIBUTES = st.sampled_from(
    ['class="x"', 'href="/a_b"', 'alt="Une image"', "title='Le titre'", "data-x=1", "id=y"]
)
INLINE = st.sampled_from(["b", "em", "span", "a", "abbr"])
VERBATIM = st.sampled_from(["code", "samp", "var"])


@st.composite
def fragments(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["words", "inline", "verbatim", "img"] if depth < 2 else ["words"]))
    if kind == "words":
        return "".join(draw(st.lists(WORDS, min_size=1, max_size=4)))
    attributes = "".join(f" {a}" for a in draw(st.lists(ATTRIBUTES, max_size=2)))
    if kind == "img":
        return f'<img src="i.png"{attributes}>'
    name = draw(VERBATIM if kind == "verbatim" else INLINE)
    inner = "".join(draw(st.lists(fragments(depth + 1), min_size=1, max_size=3)))
    return f"<{name}{attributes}>{inner}</{name}>"


@st.composite
def html_blocks(draw: st.DrawFn) -> str:
    block = draw(st.sampled_from(["p", "div", "figcaption", "summary"]))
    inner = "".join(draw(st.lists(fragments(), min_size=1, max_size=4)))
    return f"<{block}>{inner}</{block}>\n"


def _kept(text: str) -> list[str]:
    """What must come back byte for byte: tags with their attributes that are not prose, and
    the whole of code, samp and var elements."""
    verbatim = [m.group(0) for m in re.finditer(r"<(code|samp|var)\b.*?</\1>", text)]
    text = re.sub(r"<(code|samp|var)\b.*?</\1>", "", text)
    tags = re.findall(r"</?[a-z]+[^>]*>", text)
    return [*verbatim, *(re.sub(r"""\s(?:alt|title)=("[^"]*"|'[^']*')""", "", t) for t in tags)]


@settings(deadline=None)  # a loaded machine must not fail a correct case
@given(html=html_blocks())
def test_pseudo_html__markup_and_code_kept(html: str) -> None:
    translated = translate(html, PseudoEngine())
    assert _kept(translated) == _kept(html)


@settings(deadline=None)  # a loaded machine must not fail a correct case
@given(html=html_blocks())
def test_identity_html__byte_identical(html: str) -> None:
    assert translate(html, IdentityEngine()) == html


@settings(deadline=None)
@given(inline=st.lists(fragments(), min_size=1, max_size=3))
def test_pseudo_inline_html__markup_and_code_kept(inline: list[str]) -> None:
    paragraph = "Un texte " + " et ".join(inline) + " fin.\n"
    assert _kept(translate(paragraph, PseudoEngine())) == _kept(paragraph)


# -- shortcode arguments inside a paragraph ---------------------------------------------

VALUE_PARTS = st.sampled_from(
    ["la mie", "bien", "é", " ", '\\"', "*", "`", "&amp;", "[lien](/p)", "<b>", "'", "=", "/"]
)


@st.composite
def argument_values(draw: st.DrawFn) -> str:
    """A value as written between `"…"` in a call: Hugo escapes `"` as `\\"`; a value never
    ends with a lone backslash (it would escape the closing quote)."""
    return "".join(draw(st.lists(VALUE_PARTS, min_size=1, max_size=6)))


def _arguments(text: str) -> list[tuple[str | int, str]]:
    (call,) = [c for c in _markdown.find_shortcodes(text) if c.name == "figure"]
    found = _shortcodes.arguments(text, call.start, call.end, call.name_end)
    return [(a.key, text[a.start : a.end]) for a in found]


@settings(deadline=None)  # a loaded machine must not fail a correct case
@given(caption=argument_values(), other=argument_values())
def test_pseudo_inline_shortcode__only_declared_values_change(caption: str, other: str) -> None:
    paragraph = f'Voir {{{{< figure src="a.jpg" caption="{caption}" class="{other}" >}}}} ici.\n'
    translated = translate(paragraph, PseudoEngine())
    before, after = _arguments(paragraph), _arguments(translated)
    assert [key for key, _ in after] == ["src", "caption", "class"]
    assert [after[0], after[2]] == [before[0], before[2]]
    # The paragraph around the call is translated; the call stays where it was.
    assert translated.startswith("⟦") and "}} " in translated


@settings(deadline=None)
@given(caption=argument_values())
def test_identity_inline_shortcode__byte_identical(caption: str) -> None:
    paragraph = f'Voir {{{{< figure caption="{caption}" >}}}} ici.\n'
    assert translate(paragraph, IdentityEngine()) == paragraph


# -- raw HTML nested in list items and quotes ---------------------------------------------

PREFIXES = st.sampled_from([("- ", "  "), ("> ", "> "), ("1. ", "   "), ("> - ", ">   ")])


@st.composite
def nested_html(draw: st.DrawFn) -> str:
    """An HTML block (over one or two lines) under a list marker or a quote."""
    first, rest = draw(PREFIXES)
    block = draw(html_blocks())
    if draw(st.booleans()):
        block = block.replace("> ", ">\n", 1).replace("><", ">\n<", 1)
    lines = block.splitlines()
    return first + lines[0] + "".join(f"\n{rest}{line}" for line in lines[1:]) + "\n"


@settings(deadline=None)  # a loaded machine must not fail a correct case
@given(html=nested_html())
def test_pseudo_nested_html__prefixes_and_markup_kept(html: str) -> None:
    translated = translate(html, PseudoEngine())
    assert _kept(translated) == _kept(html)
    assert [line[:2] for line in translated.splitlines()] == [
        line[:2] for line in html.splitlines()[: len(translated.splitlines())]
    ]


@settings(deadline=None)
@given(html=nested_html())
def test_identity_nested_html__byte_identical(html: str) -> None:
    assert translate(html, IdentityEngine()) == html
