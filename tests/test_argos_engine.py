"""The argos engine through the real argostranslate -> CTranslate2 -> SentencePiece path.

The fixture packages (tests/fixtures/argos) uppercase (fr→en) and apply ROT13
(en→es), so every output below is known exactly.
"""

from __future__ import annotations

import codecs
import re
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from bodies import translate_body
from sites import make_site

from translator.errors import ModelNotInstalledError

pytestmark = pytest.mark.usefixtures("argos_home", "no_network")


def engine(**settings: object):  # type: ignore[no-untyped-def]
    from translator.engines.argos import ArgosEngine

    return ArgosEngine(threads=1, **settings)  # type: ignore[arg-type]


def rot13(text: str) -> str:
    return codecs.encode(text, "rot13")


TEXTS = [
    "Un <g1>petit</g1> texte avec <x2/>. Deux phrases ici !",
    "Voir <g1>la <g2>page</g2> du guide</g1> et <x3/>.",
    "Bonjour le monde.",
]
UPPER = [
    "UN <g1>PETIT</g1> TEXTE AVEC <x2/>. DEUX PHRASES ICI !",
    "VOIR <g1>LA <g2>PAGE</g2> DU GUIDE</g1> ET <x3/>.",
    "BONJOUR LE MONDE.",
]


def test_translate__tags_land_around_their_words() -> None:
    assert engine().translate(TEXTS, source="fr", target="en") == UPPER


def test_translate__pivot_through_english() -> None:
    result = engine().translate(["Bonjour <g1>le</g1> monde."], source="fr", target="es")
    assert result == ["OBAWBHE <g1>YR</g1> ZBAQR."]


def test_translate__pivot_falls_back_run_wise_when_the_model_mangles_a_tag() -> None:
    # ROT13 turns <x2/> into <k2/>: the engine translates the runs between tags instead.
    result = engine().translate(["Un <g1>petit</g1> texte avec <x2/>."], source="fr", target="es")
    assert result == ["HA <g1>CRGVG</g1> GRKGR NIRP <x2/>."]


def test_translate__model_version_names_each_package() -> None:
    assert engine().model_version(source="fr", target="es") == "fr_en-1.0+en_es-1.0"


def test_translate__a_big_batch_with_duplicates() -> None:
    texts = [f"Phrase numéro {n % 50}. Encore une." for n in range(200)]
    result = engine().translate(texts, source="fr", target="en")
    assert result == [t.upper() for t in texts]


@pytest.mark.parametrize("compute_type", ["default", "int8", "int8_float32", "float32"])
def test_translate__compute_types(compute_type: str) -> None:
    assert engine(compute_type=compute_type).translate(TEXTS, source="fr", target="en") == UPPER


@pytest.mark.parametrize("beam_size", [1, 4])
def test_translate__beam_sizes(beam_size: int) -> None:
    assert engine(beam_size=beam_size).translate(TEXTS, source="fr", target="en") == UPPER


def test_translate__naive_path_gives_the_same() -> None:
    assert engine(naive=True).translate(TEXTS, source="fr", target="en") == UPPER


def test_translate__long_segment_is_not_truncated() -> None:
    text = "Une phrase très longue " + "et encore " * 60 + "fin."
    assert engine().translate([text], source="fr", target="en") == [text.upper()]


def test_translate__model_is_loaded_once() -> None:
    argos = engine()
    argos.translate(TEXTS, source="fr", target="en")
    first = dict(argos._loaded)
    argos.translate(TEXTS, source="fr", target="en")
    assert argos._loaded == first and all(argos._loaded[k] is first[k] for k in first)


def test_translate__missing_pair_lists_installed_pairs() -> None:
    with pytest.raises(ModelNotInstalledError) as error:
        engine(auto_install=False).translate(["x"], source="fr", target="de")
    assert "installed pairs: en→es, fr→en" in str(error.value)


def test_translate__missing_pair_offline_says_how_to_go_on_quickly() -> None:
    start = time.monotonic()
    with pytest.raises(ModelNotInstalledError) as error:
        engine(auto_install=True).translate(["x"], source="fr", target="de")
    assert time.monotonic() - start < 10
    assert "translator models install FILE.argosmodel" in str(error.value)
    assert "--engine pseudo" in str(error.value)


class Mangling:
    """A stand-in for the model only: uppercases, then mangles tags the way NMT does."""

    def __init__(self, mangle: str) -> None:
        self.mangle = mangle

    def __call__(self, package: object, sentences: Sequence[str]) -> dict[str, str]:
        return {s: self.apply(s.upper()) for s in sentences}

    def apply(self, text: str) -> str:
        if self.mangle == "drop":
            return re.sub(r"<X\d+/>", "", text)
        if self.mangle == "duplicate":
            return re.sub(r"(<X\d+/>)", r"\1 \1", text)
        if self.mangle == "spaces":
            return re.sub(r"<X(\d+)/>", r"< x \1 / >", text)
        if self.mangle == "swap":
            return re.sub(r"(\w+) (\w+)", r"\2 \1", text, count=1)
        return text


MARKDOWN = (
    "Lancez `make test` puis lisez [le guide](https://exemple.fr/guide) et **surtout** "
    "la section *Notes* avant `make run`.\n"
)


@pytest.mark.parametrize("mangle", ["drop", "duplicate", "spaces", "swap"])
def test_mangled_tags_are_never_lost_silently(mangle: str) -> None:
    argos = engine()
    argos._sentences = Mangling(mangle)  # type: ignore[method-assign]
    text, (rendered,) = translate_body(MARKDOWN, argos)
    kept = all(
        m in text
        for m in ("`make test`", "](https://exemple.fr/guide)", "**", "*NOTES*", "`make run`")
    )
    assert kept or rendered.needs_review
    assert kept or rendered.outcome == "kept_source"


def test_cli_translate__argos_engine(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    result = site.translator(
        "translate", "--engine", "argos", "--threads", "1", "content/fr/post.md"
    )
    assert result.code == 0, result.stderr
    assert 'title: "UN TITRE: SIMPLE"' in result.stdout
    assert 'PREMIER PARAGRAPHE AVEC UN [LIEN](https://exemple.fr "TITRE DU LIEN").' in result.stdout


def test_cli_run__argos_engine_and_rerun_from_memory(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    first = site.translator("run", "--json", "--engine", "argos", "--threads", "1").json()
    second = site.translator("run", "--json", "--engine", "argos").json()
    copy = site.read("content/en/post.md")
    assert (first["segments_translated"], second["segments_translated"]) == (6, 0)
    assert "DEUXIÈME PARAGRAPHE AVEC DU `code`." in copy
    assert "model: fr_en-1.0" in copy
