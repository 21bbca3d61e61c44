"""Front matter parsers against hostile input: long integers kept, nesting refused by count."""

from __future__ import annotations

import pytest

from translator.errors import NestingError
from translator.markdown._hardened import LongNumber, check_nesting, load_json, load_toml
from translator.markdown.document import parse_document, set_values

LONG = "9" * 5000


def test_load_toml__long_integer_is_a_long_number() -> None:
    assert load_toml(f"weight = {LONG}\n") == {"weight": LongNumber(LONG)}


def test_load_toml__long_integer_in_an_array_is_a_long_number() -> None:
    assert isinstance(load_toml(f"w = [1, -{LONG}]\n")["w"][1], LongNumber)


def test_load_toml__a_string_of_digits_stays_a_plain_string() -> None:
    assert type(load_toml(f'title = "{LONG}"\n')["title"]) is str


def test_load_json__long_integer_is_a_long_number() -> None:
    assert load_json(f'{{"w": {LONG}}}') == {"w": LongNumber(LONG)}


def test_parse_document__long_yaml_integer_is_not_a_field() -> None:
    document = parse_document(f"---\ntitle: T\nweight: {LONG}\n---\n\nTexte.\n")
    assert [f.key for f in document.fields] == ["title"]
    assert isinstance(document.data["weight"], LongNumber)


def test_set_values__keeps_a_long_toml_integer_byte_for_byte() -> None:
    text = f'+++\ntitle = "T"\nweight = {LONG}\n+++\n\nTexte.\n'
    assert f"weight = {LONG}\n" in set_values(text, {"draft": True})


def test_check_nesting__100_levels_pass() -> None:
    check_nesting("a = " + "[" * 100 + "]" * 100, line=1)


def test_check_nesting__101_levels_are_refused_at_their_line() -> None:
    with pytest.raises(NestingError, match="more than 100 levels") as error:
        check_nesting("a = 1\nb = " + "[" * 101, line=2)
    assert error.value.line == 3


def test_check_nesting__json_stops_at_the_end_of_its_object() -> None:
    check_nesting('{"a": 1}\n\n' + "[" * 500, line=1, one_value=True)


def test_parse_document__deep_yaml_indentation_is_a_nesting_error() -> None:
    deep = "".join("  " * i + f"k{i}:\n" for i in range(3000)) + "  " * 3000 + "v: 1\n"
    with pytest.raises(NestingError):
        parse_document(f"---\n{deep}---\n\nTexte.\n")
