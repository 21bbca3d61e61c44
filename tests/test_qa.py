"""QA checks: each one fires on a bad translation and stays quiet on a good one."""

from __future__ import annotations

from types import MappingProxyType

from translator.markdown.glossary import Glossary
from translator.markdown.qa import check_slot

GLOSSARY = Glossary(
    do_not_translate=("Instagram", "Hugo"),
    fixed=MappingProxyType({"en": {"gestion de communauté": "community management"}}),
)
LONG = "Les consommateurs recherchent des expériences authentiques."


def flags(source: str, translation: str, *, notes: tuple[str, ...] = ()) -> list[str]:
    """The flags of a fr → en slot, in full."""
    return list(
        check_slot(
            source,
            translation,
            source_language="fr",
            target_language="en",
            glossary=GLOSSARY,
            notes=notes,
        )
    )


def codes(source: str, translation: str) -> list[str]:
    """Only the codes of the flags."""
    return [flag.split(":")[0] for flag in flags(source, translation)]


def test_quiet_on_a_good_translation() -> None:
    source = "Lire [la doc](https://x.fr) avec `make test` : 3,5 Go pour 10 000 pages."
    good = "Read [the docs](https://x.fr) with `make test`: 3.5 GB for 10,000 pages."
    assert flags(source, good) == []


def test_flags_are_code_colon_message() -> None:
    assert flags("Il reste 12 places.", "There are 13 seats left.") == [
        "numbers: lost 12; added 13"
    ]


# -- markup -------------------------------------------------------------------------------
def test_markup__lost_link() -> None:
    assert flags("Lire [la doc](https://x.fr).", "Read the docs.") == [
        "markup: lost link https://x.fr"
    ]


def test_markup__changed_destination() -> None:
    assert flags("Lire [la doc](https://x.fr).", "Read [the docs](https://y.fr).") == [
        "markup: lost link https://x.fr",
        "markup: added link https://y.fr",
    ]


def test_markup__duplicated_code_span() -> None:
    assert flags("Lancer `make`.", "Run `make` `make`.") == ["markup: added code `make`"]


def test_markup__lost_image() -> None:
    assert flags("Voici ![un chat](chat.png).", "Here is a cat.") == ["markup: lost image chat.png"]


def test_markup__lost_raw_html() -> None:
    assert flags("Un mot <kbd>Ctrl</kbd> ici.", "A word Ctrl here.") == [
        "markup: lost HTML </kbd>",
        "markup: lost HTML <kbd>",
    ]


def test_markup__lost_autolink() -> None:
    assert flags("Voir <https://a.fr> pour tout.", "See for all.") == [
        "markup: lost autolink https://a.fr"
    ]


def test_markup__lost_shortcode() -> None:
    assert flags('Voir {{< ref "a.md" >}} ici.', "See here.") == [
        'markup: lost shortcode {{< ref "a.md" >}}'
    ]


def test_markup__lost_footnote_reference() -> None:
    assert flags("Une note[^1] ici.", "A note here.") == ["markup: lost footnote [^1]"]


def test_markup__all_kept() -> None:
    source = 'Voir <https://a.fr>, {{< ref "a.md" >}}, <kbd>Ctrl</kbd>, ![x](x.png) et[^n] `f()`.'
    good = 'See <https://a.fr>, {{< ref "a.md" >}}, <kbd>Ctrl</kbd>, ![x](x.png) and[^n] `f()`.'
    assert flags(source, good) == []


def test_markup__tag_repair_is_passed_on() -> None:
    assert flags("Un *mot*.", "A *word*.", notes=("dropped duplicate <g1>",)) == [
        "markup: tags repaired: dropped duplicate <g1>"
    ]


def test_markup__kept_source_is_passed_on() -> None:
    notes = ("the translation changed the markup",)
    assert flags(LONG, LONG, notes=notes) == [
        "markup: kept source: the translation changed the markup"
    ]


# -- numbers and urls -----------------------------------------------------------------------
def test_numbers__changed() -> None:
    assert codes("Il reste 12 places sur 40.", "There are 13 seats left out of 40.") == ["numbers"]


def test_numbers__separators_do_not_matter() -> None:
    assert flags("Un fichier de 3,5 Mo et 10 000 lignes.", "A 3.5 MB file and 10,000 lines.") == []


def test_urls__changed() -> None:
    assert flags("Écrire à moi@exemple.fr pour tout.", "Write to me@example.com for anything.") == [
        "urls: lost moi@exemple.fr; added me@example.com"
    ]


def test_urls__kept() -> None:
    assert flags("Voir https://exemple.fr/a pour tout.", "See https://exemple.fr/a for all.") == []


# -- untranslated ---------------------------------------------------------------------------
def test_untranslated__identical() -> None:
    assert codes(LONG, LONG) == ["untranslated"]


def test_untranslated__identical_but_for_number_format() -> None:
    assert codes("Les prix montent de 3,5 pour cent.", "Les prix montent de 3.5 pour cent.") == [
        "untranslated"
    ]


def test_untranslated__names_only() -> None:
    title = "Nisa Azizi, Community Manager chez Instagram"
    assert flags(title, title) == []


def test_untranslated__short_text() -> None:
    assert flags("Tendances actuelles", "Tendances actuelles") == []


# -- length ---------------------------------------------------------------------------------
def test_length__too_short() -> None:
    assert flags(LONG, "Consumers.") == ["length: 0.2× the source's length"]


def test_length__too_long() -> None:
    assert codes("Une phrase courte ici, vraiment.", "A short sentence here, truly. " * 3) == [
        "length"
    ]


def test_length__short_slots_are_exempt() -> None:
    assert flags("Accueil", "Home page of the whole site") == []


def test_length__repeated_word() -> None:
    assert flags("Une salade composée et fraîche.", "A salad salad salad salad, fresh.") == [
        "length: 'salad' repeated 4 times or more"
    ]


def test_length__repeated_phrase() -> None:
    assert codes("Une salade verte.", "the salad the salad the salad the salad") == ["length"]


def test_length__repetition_in_the_source_too() -> None:
    assert flags("Non non non non, jamais.", "No no no no, never.") == []


# -- glossary -------------------------------------------------------------------------------
def test_glossary__do_not_translate_changed() -> None:
    assert flags("Les stories sur Instagram.", "Stories on Instagramme.") == [
        "glossary: 'Instagram' must stay as it is"
    ]


def test_glossary__do_not_translate_kept() -> None:
    assert flags("Les stories sur Instagram.", "Stories on Instagram.") == []


def test_glossary__fixed_translation_missing() -> None:
    assert flags("La gestion de communauté.", "Community handling.") == [
        "glossary: 'gestion de communauté' must be translated 'community management'"
    ]


def test_glossary__fixed_translation_used() -> None:
    assert flags("Gestion de communauté.", "Community management.") == []


def test_markup__translated_shortcode_argument_is_quiet() -> None:
    source = 'Voir {{< figure src="a.jpg" caption="La mie du pain" >}} ici.'
    good = 'See {{< figure src="a.jpg" caption="The crumb of the bread" >}} here.'
    assert flags(source, good) == []


def test_markup__changed_shortcode_argument() -> None:
    source = 'Voir {{< figure src="a.jpg" caption="La mie du pain" >}} ici.'
    bad = 'See {{< figure src="b.jpg" caption="The crumb of the bread" >}} here.'
    assert flags(source, bad) == [
        'markup: lost shortcode {{< figure src="a.jpg" caption="" >}}',
        'markup: added shortcode {{< figure src="b.jpg" caption="" >}}',
    ]
