"""The fixture Argos packages behave exactly as documented, offline.

tests/fixtures/argos/ holds two packages built by scripts/build_fixture_models.py:
fr→en uppercases every character of its alphabet (``str.upper()`` when that is
one character), en→es applies ROT13 to ASCII letters. Everything else passes
through unchanged. These tests pin that behaviour through argostranslate's own
pipeline and through raw CTranslate2 + SentencePiece, and record the
argostranslate 1.11 quirks that an engine built on it must undo.
"""

from __future__ import annotations

import codecs
import random
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from translator.hugo.config import COMPUTE_TYPES

ctranslate2 = pytest.importorskip("ctranslate2")
spm = pytest.importorskip("sentencepiece")

pytestmark = pytest.mark.usefixtures("no_network")

FRENCH = (
    "L’élève « Zoé » a mangé 3,5 crêpes à 10\u202fh\u00a030 — c’est déjà ça ! "
    "Où est l’œuvre de Ÿvonne, d’Ægir et de Noël ? <b>Très</b> bien… 50\u00a0€, 20 °C. "
)
"""French with accents, ligatures, typographic spaces and punctuation, and tags."""


def upper_char(char: str) -> str:
    """The fr→en fixture's rule for one character of its alphabet."""
    upper = char.upper()
    return upper if len(upper) == 1 else char


def rot13_char(char: str) -> str:
    """The en→es fixture's rule for one character."""
    return codecs.encode(char, "rot13") if char.isascii() else char


ARGOS_FIXTURES = Path(__file__).parent / "fixtures" / "argos"

RULES: dict[str, Callable[[str], str]] = {"fr_en": upper_char, "en_es": rot13_char}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both packages unzipped, without argostranslate."""
    folder = tmp_path_factory.mktemp("packages")
    for archive in ARGOS_FIXTURES.glob("*.argosmodel"):
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(folder)
    return folder


def expected(text: str, pair: str, alphabet: set[str]) -> str:
    """What the fixture returns: the rule inside its alphabet, identity outside."""
    rule = RULES[pair]
    return "".join(rule(char) if char in alphabet else char for char in text)


def translate_raw(package: Path, text: str, **options: Any) -> tuple[str, set[str]]:
    """Translate with CTranslate2 and SentencePiece directly; also return the alphabet."""
    processor = spm.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
    alphabet = {processor.id_to_piece(i) for i in range(processor.get_piece_size())}
    # One thread: on a small machine OpenMP spinning makes this tiny model 20x slower.
    load = {"intra_threads": 1, **options.pop("load", {})}
    translator = ctranslate2.Translator(str(package / "model"), **load)
    tokens = processor.encode(text, out_type=str)
    limits = {"max_input_length": 0, "max_decoding_length": len(tokens) + 1}
    result = translator.translate_batch([tokens], **limits, **options)
    return processor.decode_pieces(result[0].hypotheses[0]), alphabet


def random_text(length: int) -> str:
    """Printable text mixing the alphabet with characters outside it (☃, 日, 😀, tab)."""
    pool = [chr(code) for code in range(0x20, 0x250)] + ["☃", "日", "😀", "\t", "Ω", "ω", "ẞ"]
    rng = random.Random(20240601)
    return "".join(rng.choice(pool) for _ in range(length))


TEXTS_400 = {"french": (FRENCH * 3)[:400], "random": random_text(400)}


@pytest.mark.parametrize("text", TEXTS_400.values(), ids=TEXTS_400.keys())
@pytest.mark.parametrize("pair", ["fr_en", "en_es"])
@pytest.mark.parametrize("beam_size", [1, 2, 3, 4])
def test_raw_ctranslate2__exact_on_400_chars(
    packages: Path, pair: str, text: str, beam_size: int
) -> None:
    package = packages / f"translate-{pair}-fixture"
    output, alphabet = translate_raw(package, text, beam_size=beam_size, length_penalty=0.2)
    assert output == expected(text, pair, alphabet)


@pytest.mark.parametrize("compute_type", sorted(COMPUTE_TYPES))
def test_raw_ctranslate2__exact_for_compute_type(packages: Path, compute_type: str) -> None:
    # Which types exist depends on the CPU (int16: some x86-64 only): the rest are
    # skipped with the reason, so `pytest -rs` lists what this machine did not check.
    runnable = ctranslate2.get_supported_compute_types("cpu") | {"default", "auto"}
    if compute_type not in runnable:
        pytest.skip(f"this CPU cannot run {compute_type} (it runs {sorted(runnable)})")
    package = packages / "translate-fr_en-fixture"
    text = TEXTS_400["random"]
    load = {"compute_type": compute_type}
    output, alphabet = translate_raw(package, text, beam_size=4, load=load)
    assert output == expected(text, "fr_en", alphabet)


def test_raw_ctranslate2__exact_on_1000_chars(packages: Path) -> None:
    text = random_text(1000)
    output, alphabet = translate_raw(packages / "translate-fr_en-fixture", text)
    assert output == expected(text, "fr_en", alphabet)


def test_argos__fr_en_uppercases(argos_home: Path) -> None:
    from argostranslate.translate import translate

    assert translate("Bonjour le monde. Ça va ?", "fr", "en") == "BONJOUR LE MONDE. ÇA VA ?"


def test_argos__en_es_rot13(argos_home: Path) -> None:
    from argostranslate.translate import translate

    assert translate("Hello, World! 42.", "en", "es") == "Uryyb, Jbeyq! 42."


def test_argos__fr_es_pivots_through_english(argos_home: Path) -> None:
    from argostranslate.translate import CompositeTranslation, get_translation_from_codes

    translation = get_translation_from_codes("fr", "es")
    assert isinstance(translation, CompositeTranslation)
    assert translation.translate("Bonjour") == "OBAWBHE"


def test_argos__keeps_lines(argos_home: Path) -> None:
    from argostranslate.translate import translate

    assert translate("Ligne un\nLigne deux\n\nfin", "fr", "en") == "LIGNE UN\nLIGNE DEUX\n\nFIN"


def test_argos_quirk__underscore_becomes_space(argos_home: Path) -> None:
    # argostranslate's SentencePieceTokenizer.decode replaces "_" with " ".
    from argostranslate.translate import translate

    assert translate("nom_de_fichier", "fr", "en") == "NOM DE FICHIER"


def test_argos_quirk__edge_and_double_spaces_lost(argos_home: Path) -> None:
    # Sentences are re-joined by SentencePiece's one leading space each.
    from argostranslate.translate import translate

    assert translate("  Un.  Deux. ", "fr", "en") == "UN. DEUX."


def test_argos_quirk__sentence_cut_at_255_chars(argos_home: Path) -> None:
    # argostranslate keeps CTranslate2's max_decoding_length=256 pieces (one is "▁").
    from argostranslate.translate import translate

    assert translate("a" * 300, "fr", "en") == "A" * 255
