"""The faster paths of issue 12 give what the straightforward ones gave, byte for byte.

Each fast path is checked against the definition it replaced, kept here as
the oracle: setting front matter keys from one reading of the YAML against
setting them one by one; QA's one-regex word list and one-pass repetition
against a look back per word and a slice per start; the shortcode-in-paragraph
test by bisection against `any()` over every span; QA's tokens of a text whose
only markup is line breaks against markdown-it's; libyaml's node marks against
the pure composer's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from translator.markdown import document, qa
from translator.markdown._hardened import YamlLoader
from translator.markdown._markdown import make_parser
from translator.markdown.document import parse_document, set_values
from translator.markdown.prose_coverage import _Spans

CORPUS = Path("/work/shared/corpus/fr")
STAMP = {
    "source": "posts/un-billet.md",
    "source_hash": "0123456789abcdef",
    "engine": "identity",
    "model": "",
    "status": "machine",
    "date": "2026-11-29",
}


def set_one_by_one(text: str, updates: dict[str, object]) -> str:
    """What `set_values` did before: each key set on a fresh reading of the text."""
    newline = "\r\n" if "\r\n" in text[: parse_document(text).body_start] else "\n"
    for key, value in updates.items():
        text = document._set_yaml(parse_document(text, translatable_keys=()), key, value, newline)
    return text


def ordinary_words(text: str, keep: list[str]) -> list[str]:
    """QA's word list as it was: a look back from each word for a sentence end."""
    for term in keep:
        text = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", " ", text)
    words: list[str] = []
    for match in qa._WORD.finditer(text):
        index = match.start()
        while index > 0 and text[index - 1].isspace():
            index -= 1
        sentence_start = not words or (index > 0 and text[index - 1] in ".!?:…")
        if sentence_start or not match.group()[0].isupper():
            words.append(match.group().lower())
    return words


def repetition(words: list[str]) -> str:
    """QA's repetition as it was: a slice compared per start."""
    for size in (1, 2, 3):
        for start in range(len(words) - size * qa.REPEATS + 1):
            group = words[start : start + size]
            if words[start : start + size * qa.REPEATS] == group * qa.REPEATS:
                return " ".join(group)
    return ""


FRONT_MATTERS = [
    "---\ntitle: Un titre\ndraft: false\n---\nCorps.\n",
    "---\r\ntitle: Un titre\r\ntranslation:\r\n  source: x\r\n---\r\nCorps.\r\n",
    "---\ntranslation: {a: 1}\ntitle: >-\n  Un titre\n  replié\ndraft: true\n---\n",
    "---\n# rien que des commentaires\n---\nCorps.\n",
    "---\ndraft: yes\ndraft: no\n---\n",
    "---\nbase: &b {x: 1}\nother:\n  <<: *b\ndraft: false\n---\n",
]


@pytest.mark.parametrize("text", FRONT_MATTERS, ids=range(len(FRONT_MATTERS)))
def test_set_values__as_one_by_one(text: str) -> None:
    updates: dict[str, object] = {"draft": True, "translation": STAMP}
    assert set_values(text, updates) == set_one_by_one(text, updates)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the held-out corpus is not on this machine")
def test_set_values__as_one_by_one_over_the_corpus() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.md"))]
    yaml_texts = [t for t in texts if t.startswith("---")]
    updates: dict[str, object] = {"draft": True, "translation": STAMP}
    assert [set_values(t, updates) for t in yaml_texts] == [
        set_one_by_one(t, updates) for t in yaml_texts
    ]


_PROSE = st.text(
    alphabet=st.sampled_from(list("abcAB éÉ.!?:…,;'’-\n\t\u00a0\u20283 ")), max_size=80
)


@settings(max_examples=400, deadline=None)
@given(_PROSE, st.lists(st.sampled_from(["Paris", "bé", "A"]), max_size=2))
def test_ordinary_words__as_a_look_back_per_word(text: str, keep: list[str]) -> None:
    assert qa._ordinary_words(text, keep) == ordinary_words(text, keep)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=30))
def test_repetition__as_a_slice_per_start(words: list[str]) -> None:
    assert qa._repetition(words) == repetition(words)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(0, 20)), max_size=12),
    st.integers(-1, 75),
)
def test_spans_cover__as_any_over_the_spans(spans: list[tuple[int, int]], offset: int) -> None:
    pairs = [(start, start + length) for start, length in spans]
    assert _Spans(pairs).cover(offset) == any(a <= offset < b for a, b in pairs)


_NO_MARKUP = st.text(
    alphabet=st.sampled_from(list("ab É.:;#%+-=@h/ \t\u00a0\u2028>}()|'\"0123?")), max_size=40
)


@settings(max_examples=300, deadline=None)
@given(_NO_MARKUP)
def test_qa_inline__text_without_markup_as_markdown_it_reads_it(text: str) -> None:
    md = make_parser()
    tokens = qa._inline(md, text)[1]
    expected = md.parseInline(text)[0].children or []
    assert [(t.type, t.content) for t in tokens] == [(t.type, t.content) for t in expected]


@pytest.mark.parametrize("text", FRONT_MATTERS, ids=range(len(FRONT_MATTERS)))
def test_parse_document__one_scan_reads_what_load_reads(text: str) -> None:
    found = parse_document(text)
    content = text[found.content_start : found.content_end]
    assert found.data == (yaml.load(content, Loader=YamlLoader) or {})


_LINES = st.text(alphabet=st.sampled_from(["a", "é", " ", "\t", "\n", ".", "\u00a0"]), max_size=24)


@settings(max_examples=400, deadline=None)
@given(_LINES)
def test_qa_inline__line_breaks_as_markdown_it_reads_them(text: str) -> None:
    md = make_parser()
    tokens = qa._inline(md, text)[1]
    expected = md.parseInline(text)[0].children or []
    assert [(t.type, t.content) for t in tokens] == [(t.type, t.content) for t in expected]


@settings(max_examples=400, deadline=None)
@given(_PROSE, st.lists(st.sampled_from(["Paris", "bé", "A"]), max_size=2))
def test_ordinary_words__the_first_six_as_all_of_them(text: str, keep: list[str]) -> None:
    assert qa._ordinary_words(text, keep, 6) == ordinary_words(text, keep)[:6]


def node_marks(node: yaml.Node | None) -> list[object]:
    """What the front matter code reads of a node tree: kinds, tags, values, styles, spans."""
    if node is None:
        return []
    style = getattr(node, "style", None) or None  # libyaml says "" for plain, pure None
    found: list[object] = [(type(node).__name__, node.tag, style)]
    found.append((node.start_mark.index, node.end_mark.index))
    if isinstance(node, yaml.ScalarNode):
        return [*found, node.value]
    children = node.value if isinstance(node, yaml.SequenceNode) else sum(node.value, ())
    return found + [mark for child in children for mark in node_marks(child)]


YAML_TEXTS = [
    "title: « Très » élevé 🎉\ndescription: >-\n  àé\n  ok\nkeywords: [un, é]\n",
    'alt: "caf\\u00e9 ü"  # note\ncover:\n  alt: |\n    Ligne ü\n\n    deux\n',
    "t: &a Bonjour le monde\nd: *a\nn: 12\n? clé\n: valeur\n",
]


@pytest.mark.parametrize("content", YAML_TEXTS, ids=range(len(YAML_TEXTS)))
def test_yaml_node__libyaml_marks_as_the_pure_composers(content: str) -> None:
    node, data = document._load_yaml_node(content)
    assert node_marks(node) == node_marks(yaml.compose(content, Loader=YamlLoader))
    assert data == yaml.load(content, Loader=YamlLoader)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the held-out corpus is not on this machine")
def test_yaml_node__libyaml_marks_as_the_pure_composers_over_the_corpus() -> None:
    for text in (p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.md"))):
        found = parse_document(text)
        if found.format == "yaml":
            content = text[found.content_start : found.content_end]
            expected = node_marks(yaml.compose(content, Loader=YamlLoader))
            assert node_marks(document._load_yaml_node(content)[0]) == expected


def test_yaml_node__a_tab_the_pure_loader_refuses_is_still_refused() -> None:
    with pytest.raises(document.FrontMatterError, match="invalid YAML front matter"):
        parse_document("---\ntitle:\tUn titre\n---\nCorps.\n")
