"""Front matter: values replaced in place, quoted so they parse back; every other byte kept.

fixtures/front_matter/replace_title.md: the title line of each case names it;
the translation of the title in the input is the first line of the expected
output's title, given by EXPECTED_TITLES in order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fixture_files import read_fixture_file
from hypothesis import given, settings
from hypothesis import strategies as st

from translator.errors import FrontMatterError
from translator.markdown.document import parse_document, read_values, replace_fields, set_values

CASES = read_fixture_file(Path(__file__).parent / "fixtures" / "front_matter" / "replace_title.md")


@pytest.mark.parametrize(("line", "title", "source", "expected"), CASES)
def test_replace_title(line: int, title: str, source: str, expected: str) -> None:
    wanted = read_values(expected)["title"]
    assert replace_fields(parse_document(source), {"title": wanted}) == expected


@pytest.mark.parametrize(("line", "title", "source", "expected"), CASES)
def test_replace_title__crlf(line: int, title: str, source: str, expected: str) -> None:
    wanted = read_values(expected)["title"]
    crlf = source.replace("\n", "\r\n")
    result = replace_fields(parse_document(crlf), {"title": wanted})
    assert read_values(result)["title"] == wanted
    assert "\n" not in result.replace("\r\n", "")


FORMATS = {
    "yaml plain": "---\ntitle: Bonjour\ndraft: false\n---\nCorps\n",
    "yaml double": '---\ntitle: "Bonjour"\n---\n',
    "yaml single": "---\ntitle: 'Bonjour'\n---\n",
    "toml basic": '+++\ntitle = "Bonjour"\n+++\n',
    "toml literal": "+++\ntitle = 'Bonjour'\n+++\n",
    "json": '{\n  "title": "Bonjour"\n}\n',
}
STYLES = {
    "yaml folded": "---\ntitle: >-\n  Bonjour\n  tout le monde\ndraft: false\n---\n",
    "yaml folded clip": "---\ntitle: >\n  Bonjour\n---\n",
    "yaml literal": "---\ntitle: |\n  Bonjour\n---\n",
    "yaml flow list": "---\ntitle: [Bonjour, 'Salut']\n---\n",
    "toml multi-line": '+++\ntitle = """Bonjour"""\n+++\n',
    "toml multi-line literal": "+++\ntitle = '''Bonjour'''\n+++\n",
    "toml array": "+++\ntitle = [\"Bonjour\", 'Salut']\n+++\n",
    "json list": '{"title": ["Bonjour", "Salut"]}\n',
}


@pytest.mark.parametrize("text", [*FORMATS.values(), *STYLES.values()], ids=[*FORMATS, *STYLES])
@settings(deadline=None)  # each candidate style is parsed back: slow on a loaded machine
@given(value=st.text())
def test_replace_title__parses_back_exactly(text: str, value: str) -> None:
    document = parse_document(text)
    replaced = replace_fields(document, {f.key: value for f in document.fields})
    title = read_values(replaced)["title"]
    assert (title if isinstance(title, list) else [title]) == [value] * len(document.fields)


@pytest.mark.parametrize("text", FORMATS.values(), ids=FORMATS.keys())
def test_set_values__draft_and_translation_map(text: str) -> None:
    stamp = {"source": "content/fr/a.md", "status": "machine", "date": "2026-11-25"}
    once = set_values(text, {"draft": True, "translation": stamp})
    twice = set_values(once, {"draft": False, "translation": {**stamp, "status": "reviewed"}})
    values = read_values(twice)
    assert values["draft"] is False
    assert values["translation"] == {**stamp, "status": "reviewed"}
    assert values["title"] == "Bonjour"
    assert twice.endswith(text[parse_document(text).body_start :])


@settings(max_examples=300)
@given(value=st.from_regex(r"[A-Za-z][A-Za-z0-9_./-]{0,12}", fullmatch=True))
def test_set_values__word_like_stamp_values_read_back(value: str) -> None:
    # Such values skip YAML's round trip check (see document._WORD_PLAIN): true, On,
    # NULL and the like must still come back as strings.
    text = set_values("---\ntitle: Bonjour\n---\n", {"translation": {"engine": value}})
    assert read_values(text)["translation"] == {"engine": value}


@pytest.mark.parametrize("value", ["true", "On", "NULL", "no", "Off", "yes"])
def test_set_values__yaml_words_stay_strings(value: str) -> None:
    text = set_values("---\ntitle: Bonjour\n---\n", {"translation": {"model": value}})
    assert read_values(text)["translation"] == {"model": value}


def test_set_values__no_front_matter_gets_yaml() -> None:
    assert set_values("Corps\r\n", {"draft": True}) == "---\r\ndraft: true\r\n---\r\nCorps\r\n"


def test_parse__bom_is_kept() -> None:
    text = "\ufeff---\ntitle: Bonjour\n---\nCorps\n"
    assert replace_fields(parse_document(text), {"title": "Hello"}).startswith(
        "\ufeff---\ntitle: Hello"
    )


def test_parse__no_front_matter() -> None:
    document = parse_document("# Titre\n\n---\n\nTexte\n")
    assert (document.format, document.body_start, document.fields) == (None, 0, ())


def test_parse__invalid_yaml_names_the_line() -> None:
    with pytest.raises(FrontMatterError) as error:
        parse_document("---\ntitle: ok\ndate: [2024\ndraft: true\n---\n")
    assert error.value.line is not None and error.value.line >= 3
    assert "YAML" in error.value.message


def test_parse__invalid_toml_names_the_line() -> None:
    with pytest.raises(FrontMatterError) as error:
        parse_document('+++\ntitle = "ok"\ndate = = 3\n+++\n')
    assert error.value.line == 3


def test_parse__unclosed_block_is_an_error() -> None:
    with pytest.raises(FrontMatterError, match="never closed"):
        parse_document("---\ntitle: Bonjour\n\nCorps\n")


def test_parse__dates_are_not_fields() -> None:
    document = parse_document("---\nsummary: 2024-01-01\ndescription: Texte\n---\n")
    assert [f.key for f in document.fields] == ["description"]


def test_parse__each_string_of_a_list_is_a_field() -> None:
    document = parse_document(
        "---\ntitle: [a, 2]\nkeywords: [b]\n---\n", translatable_keys=["title"]
    )
    assert [f.key for f in document.fields] == ["title[0]"]


def test_parse__a_leading_shortcode_is_not_json() -> None:
    document = parse_document("{{% note %}}\nTexte\n{{% /note %}}\n")
    assert (document.format, document.body_start) == (None, 0)


def test_parse__a_yaml_alias_is_not_a_second_field() -> None:
    document = parse_document("---\ntitle: &t Le pain\nsubtitle: *t\n---\n")
    assert [f.key for f in document.fields] == ["title"]


def test_read_values__only_the_keys_asked() -> None:
    text = "---\ntitle: Un titre\ndate: 2024-01-10\ntags: [a, b]\n---\n\nTexte.\n"
    assert read_values(text, only={"date", "draft"}) == {"date": dt.date(2024, 1, 10)}


def test_read_values__only_follows_a_merge_key() -> None:
    text = "---\nbase: &base\n  draft: false\n<<: *base\ntitle: T\n---\n"
    assert read_values(text, only={"draft"}) == {"draft": False}


def test_read_values__yaml_libyaml_refuses_is_an_error_with_its_line() -> None:
    with pytest.raises(FrontMatterError, match="invalid YAML") as error:
        read_values("---\ntitle: T\nbad: [unclosed\n---\n")
    assert error.value.line is not None
