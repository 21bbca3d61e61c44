"""QA checks: each one fires on a bad translation and stays quiet on a good one."""

from __future__ import annotations

import pytest

from translator import _markdown
from translator.qa import check_slot

MD = _markdown.make_parser()


def flags(source: str, translation: str, **options: object) -> list[str]:
    return [f.split(":")[0] for f in check_slot(MD, source, translation, **options)]  # type: ignore[arg-type]


def test_quiet_on_a_good_translation() -> None:
    source = "Lire [la doc](https://x.fr) avec `make test` : 3,5 Go pour 10 000 pages."
    assert (
        flags(source, "Read [the docs](https://x.fr) with `make test`: 3.5 GB for 10,000 pages.")
        == []
    )


@pytest.mark.parametrize(
    "translation",
    [
        "Read the docs with `make test`.",  # link lost
        "Read [the docs](https://y.fr) with `make test`.",  # destination changed
        "Read [the docs](https://x.fr) with make test.",  # code lost
        "Read [the docs](https://x.fr) with `make test` `make test`.",  # code duplicated
    ],
)
def test_markup__fires(translation: str) -> None:
    assert "markup" in flags("Lire [la doc](https://x.fr) avec `make test`.", translation)


def test_markup__reassembly_notes_are_passed_on() -> None:
    assert flags("Un *mot*.", "A *word*.", notes=("dropped duplicate <g1>",)) == ["markup"]


def test_markup__shortcodes_count() -> None:
    assert "markup" in flags('Voir {{< ref "a.md" >}} ici.', "See here.")


def test_numbers__fires() -> None:
    assert flags(
        "Il reste 12 places sur 40 au total.", "There are 13 seats left out of 40 in all."
    ) == ["numbers"]


def test_numbers__separators_do_not_matter() -> None:
    assert flags("Un fichier de 3,5 Mo et 10 000 lignes.", "A 3.5 MB file with 10,000 lines.") == []


def test_urls__fires() -> None:
    assert flags("Écrire à moi@exemple.fr pour tout.", "Write to me@example.com for anything.") == [
        "urls"
    ]


def test_untranslated__fires() -> None:
    source = "Les consommateurs recherchent des expériences authentiques."
    assert flags(source, source) == ["untranslated"]


def test_untranslated__names_and_short_texts_are_fine() -> None:
    assert flags("Community Manager", "Community Manager") == []


def test_length__too_short() -> None:
    assert flags("Les consommateurs recherchent des expériences authentiques.", "Consumers.") == [
        "length"
    ]


def test_length__too_long() -> None:
    assert "length" in flags("Une phrase courte ici.", "A short sentence here, " * 4)


def test_length__repeated_word() -> None:
    assert flags("Une salade composée et fraîche.", "A salad salad salad salad salad.") == [
        "length"
    ]


def test_glossary__do_not_translate() -> None:
    result = flags("Les stories sur Instagram.", "Stories on Instagramme.", keep=("Instagram",))
    assert result == ["glossary"]


def test_glossary__fixed_translation() -> None:
    fixed = {"gestion de communauté": "community management"}
    assert flags("La gestion de communauté.", "Community handling.", fixed=fixed) == ["glossary"]


def test_glossary__respected() -> None:
    fixed = {"gestion de communauté": "community management"}
    assert flags("La gestion de communauté.", "The community management.", fixed=fixed) == []
