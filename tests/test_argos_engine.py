"""The argos engine, through the real argostranslate -> CTranslate2 -> SentencePiece path.

The fixture packages (tests/fixtures/argos) uppercase every letter (fr→en)
and apply ROT13 (en→es), so every output below is known exactly. The tag
layer is also driven by test doubles of the sentence translator that mangle
tags the way real models do, and the result goes through
`translator.markdown.reassemble.render_segment` as in a real run.
"""

from __future__ import annotations

import codecs
import re
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from bodies import translate_body
from conftest import HANG
from hypothesis import given, settings
from hypothesis import strategies as st
from sites import make_site

from translator.engines.argos import (
    MAX_SOURCE_TOKENS,
    ArgosEngine,
    runnable_compute_types,
    translate_tagged,
)
from translator.errors import EngineError, ModelNotInstalledError
from translator.hugo.config import COMPUTE_TYPES

pytestmark = pytest.mark.usefixtures("no_network")

Make = Callable[..., ArgosEngine]


@pytest.fixture
def make(argos_home: Path) -> Make:
    """An engine over the fixture packages; one CTranslate2 thread (tiny model)."""

    def engine(**chosen: Any) -> ArgosEngine:
        return ArgosEngine.from_settings({"threads": 1, "auto_install": False, **chosen})

    return engine


class Recorder:
    """Wraps ctranslate2.Translator: counts the models loaded and keeps every batch."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.loaded: list[Any] = []
        self.batches: list[list[list[str]]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        translator = self.real(*args, **kwargs)
        self.loaded.append(translator)
        recorder = self

        class Recorded:
            def translate_batch(self, source: list[list[str]], **options: Any) -> Any:
                recorder.batches.append(source)
                return translator.translate_batch(source, **options)

        return Recorded()

    def sentences(self) -> list[str]:
        """Every sentence sent to a model, as text."""
        return ["".join(t).replace("▁", " ").strip() for batch in self.batches for t in batch]


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    ctranslate2 = pytest.importorskip("ctranslate2")
    recorder = Recorder(ctranslate2.Translator)
    monkeypatch.setattr(ctranslate2, "Translator", recorder)
    return recorder


def rot13(text: str) -> str:
    return codecs.encode(text, "rot13")


# -- exact outputs ---------------------------------------------------------------------------

CASES = {
    "pair and placeholder": (
        "Un <g1>petit</g1> texte avec <x2/>.",
        "UN <g1>PETIT</g1> TEXTE AVEC <x2/>.",
    ),
    "sentences keep their spacing": (
        "Première phrase.  Deuxième ?\tTroisième ! Fin",
        "PREMIÈRE PHRASE.  DEUXIÈME ?\tTROISIÈME ! FIN",
    ),
    "nested pairs": (
        "Voir <g1>la <g2>page</g2> du guide</g1> et <x3/>.",
        "VOIR <g1>LA <g2>PAGE</g2> DU GUIDE</g1> ET <x3/>.",
    ),
    "link around code": ("Lancez <g1><x2/></g1> maintenant.", "LANCEZ <g1><x2/></g1> MAINTENANT."),
    "same words in two pairs": (
        "<g1>le</g1> bleu et <g2>le</g2> vert",
        "<g1>LE</g1> BLEU ET <g2>LE</g2> VERT",
    ),
    "pair inside a word is not moved": ("un <g1>mot</g1>s motte", "UN <g1>MOT</g1>S MOTTE"),
    "pair across sentences": (
        "Début <g1>fin. Suite</g1> après.",
        "DÉBUT <g1>FIN. SUITE</g1> APRÈS.",
    ),
    "placeholder inside a pair": (
        "Tapez <g1>la commande <x2/></g1> puis <x3/>.",
        "TAPEZ <g1>LA COMMANDE <x2/></g1> PUIS <x3/>.",
    ),
    "no words": ("<x1/> — <x2/>", "<x1/> — <x2/>"),
    "underscores stay": (
        "nom_de_fichier et <g1>autre_nom</g1>",
        "NOM_DE_FICHIER ET <g1>AUTRE_NOM</g1>",
    ),
}


@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES.keys())
def test_translate__exact(make: Make, text: str, expected: str) -> None:
    assert make().translate([text], source="fr", target="en") == [expected]


def test_translate__empty_batch(make: Make) -> None:
    assert make().translate([], source="fr", target="en") == []


def test_translate__pivot_through_english(make: Make) -> None:
    result = make().translate(["Bonjour <g1>le</g1> monde."], source="fr", target="es")
    assert result == ["OBAWBHE <g1>YR</g1> ZBAQR."]


def test_translate__pivot_keeps_a_placeholder_the_model_mangles(make: Make) -> None:
    # ROT13 turns <X2/> into <K2/>: the text is translated run by run, every tag kept.
    result = make().translate(["Un <g1>petit</g1> texte avec <x2/>."], source="fr", target="es")
    assert result == ["HA <g1>CRGVG</g1> GRKGR NIRP <x2/>."]


def test_model_version__direct(make: Make) -> None:
    assert make().model_version(source="fr", target="en") == "fr_en-1.0"


def test_model_version__pivot_names_both_packages(make: Make) -> None:
    assert make().model_version(source="fr", target="es") == "fr_en-1.0+en_es-1.0"


def test_model_version__loads_no_model(make: Make, recorder: Recorder) -> None:
    make().model_version(source="fr", target="es")
    assert recorder.loaded == []


# -- batching ------------------------------------------------------------------------------------


def test_translate__sentences_deduplicated_across_texts(make: Make, recorder: Recorder) -> None:
    texts = ["Bonjour. Au revoir.", "Au revoir. Bonjour.", "Bonjour. Au revoir."]
    result = make().translate(texts, source="fr", target="en")
    assert result == [text.upper() for text in texts]
    assert sorted(recorder.sentences()) == ["Au revoir.", "Bonjour."]


def test_translate__a_batch_of_200_texts(make: Make, recorder: Recorder) -> None:
    texts = [f"Phrase numéro {n % 50} avec <g1>mot {n % 5}</g1>. Encore une." for n in range(200)]
    result = make(batch_size=16).translate(texts, source="fr", target="en")
    assert result == [t.upper().replace("<G1>", "<g1>").replace("</G1>", "</g1>") for t in texts]
    assert len(recorder.sentences()) == 50 + 1 + 5  # distinct sentences and runs
    assert max(len(batch) for batch in recorder.batches) == 16


def test_translate__longest_batches_queued_first(make: Make, recorder: Recorder) -> None:
    # Queued last, the batch of long sentences would run alone while other workers idle.
    texts = [" ".join(["mot"] * n) + "." for n in (3, 20, 1, 12, 6, 30, 2, 9)]
    result = make(batch_size=2, threads=2).translate(texts, source="fr", target="en")
    assert result == [text.upper() for text in texts]
    longest = [max(len(tokens) for tokens in batch) for batch in recorder.batches]
    assert len(longest) >= 4
    assert longest == sorted(longest, reverse=True)


def test_translate__long_sentences_spread_over_the_workers(make: Make, recorder: Recorder) -> None:
    # Together in one batch, they would be one worker's work while the other idles.
    long = [f"Phrase longue {n} " + "avec des mots " * 12 + "." for n in range(4)]
    texts = [f"Court {n}." for n in range(20)] + long
    result = make(threads=2).translate(texts, source="fr", target="en")
    assert result == [text.upper() for text in texts]
    shortest_long = sorted(len(tokens) for batch in recorder.batches for tokens in batch)[-4]
    held = [sum(len(tokens) >= shortest_long for tokens in batch) for batch in recorder.batches]
    assert sorted(held, reverse=True)[:2] == [1, 1]


def test_translate__one_worker_fills_its_batches(make: Make, recorder: Recorder) -> None:
    texts = [f"Court {n}." for n in range(20)] + ["Une phrase " + "bien longue " * 12 + "."]
    make(threads=1, batch_size=8).translate(texts, source="fr", target="en")
    assert sorted(len(batch) for batch in recorder.batches) == [5, 8, 8]


def test_translate__long_sentence_is_cut_not_truncated(make: Make, recorder: Recorder) -> None:
    text = "Une phrase sans fin " + "et encore, " * 150 + "puis la fin"
    assert make().translate([text], source="fr", target="en") == [text.upper()]
    assert max(len(t) for batch in recorder.batches for t in batch) <= MAX_SOURCE_TOKENS


def test_translate__long_word_run_is_cut_between_words(make: Make) -> None:
    text = " ".join(f"mot{n}" for n in range(400))
    assert make().translate([text], source="fr", target="en") == [text.upper()]


def test_translate__threads_0_is_one_worker_per_cpu(make: Make) -> None:
    assert make(threads=0).translate(TEXTS, source="fr", target="en") == EXPECTED


def test_translate__parallel_workers(make: Make) -> None:
    texts = [f"Texte {n}. <g1>Deux</g1> phrases." for n in range(40)]
    expected = [f"TEXTE {n}. <g1>DEUX</g1> PHRASES." for n in range(40)]
    assert make(threads=2, batch_size=4).translate(texts, source="fr", target="en") == expected


# -- settings ----------------------------------------------------------------------------------

TEXTS = [CASES["pair and placeholder"][0], CASES["nested pairs"][0], "Bonjour. Ça va ?"]
EXPECTED = [CASES["pair and placeholder"][1], CASES["nested pairs"][1], "BONJOUR. ÇA VA ?"]


@pytest.mark.parametrize("compute_type", sorted(COMPUTE_TYPES))
def test_translate__compute_type(make: Make, compute_type: str) -> None:
    runnable = runnable_compute_types()
    if compute_type not in runnable:
        pytest.skip(f"this CPU cannot run {compute_type} (it runs {sorted(runnable)})")
    assert make(compute_type=compute_type).translate(TEXTS, source="fr", target="en") == EXPECTED


def unrunnable_compute_type() -> str:
    """A compute type CTranslate2 knows but this CPU cannot run (every CPU lacks one)."""
    missing = sorted(COMPUTE_TYPES - runnable_compute_types())
    if not missing:
        pytest.skip("this CPU runs every CTranslate2 compute type")
    return missing[0]


def test_translate__compute_type_this_cpu_cannot_run(make: Make) -> None:
    compute_type = unrunnable_compute_type()
    with pytest.raises(EngineError, match=rf"compute type '{compute_type}' cannot run on this"):
        make(compute_type=compute_type).translate(TEXTS, source="fr", target="en")


def test_translate__compute_type_refused_before_a_model_loads(
    make: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    compute_type = unrunnable_compute_type()
    ctranslate2 = pytest.importorskip("ctranslate2")
    attempts: list[object] = []
    real = ctranslate2.Translator

    def attempt(*args: Any, **kwargs: Any) -> Any:
        attempts.append(kwargs.get("compute_type"))
        return real(*args, **kwargs)

    monkeypatch.setattr(ctranslate2, "Translator", attempt)
    with pytest.raises(EngineError):
        make(compute_type=compute_type).translate(TEXTS, source="fr", target="en")
    assert attempts == []


def test_cli_run__compute_type_this_cpu_cannot_run(argos_home: Path, tmp_path: Path) -> None:
    compute_type = unrunnable_compute_type()
    site = make_site(tmp_path)
    result = site.translator("run", "--engine", "argos", "--compute-type", compute_type)
    assert result.code == 3
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert "Traceback" not in result.stderr
    assert line.startswith(f"Error: compute type '{compute_type}' cannot run on this machine")
    assert "--compute-type" in line
    assert not (site.root / "content/en/post.md").exists()


def test_cli_run__compute_type_from_translator_toml(argos_home: Path, tmp_path: Path) -> None:
    compute_type = unrunnable_compute_type()
    site = make_site(tmp_path)
    site.write("translator.toml", f'[engine]\nname = "argos"\ncompute_type = "{compute_type}"\n')
    result = site.translator("run")
    assert result.code == 3
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert "Traceback" not in result.stderr
    assert f"compute type '{compute_type}' cannot run" in line
    assert "set `compute_type` in the [engine] table of translator.toml" in line


@pytest.mark.parametrize("beam_size", [1, 4])
def test_translate__beam_size(make: Make, beam_size: int) -> None:
    assert make(beam_size=beam_size).translate(TEXTS, source="fr", target="en") == EXPECTED


def test_translate__naive_path_gives_the_same(make: Make) -> None:
    assert make(naive=True).translate(TEXTS, source="fr", target="en") == EXPECTED


def test_settings__bad_value_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match="beam_size must be at least 1"):
        ArgosEngine.from_settings({"beam_size": 0})


def test_settings__unknown_keys_ignored_and_progress_kept() -> None:
    def progress(done: int, total: int) -> None: ...

    engine = ArgosEngine.from_settings(
        {"beam_size": 3, "name": "argos", "download_progress": progress}
    )
    assert (engine.settings.beam_size, engine.download_progress) == (3, progress)


# -- models loaded once; missing pairs ------------------------------------------------------------


def test_translate__models_loaded_once(make: Make, recorder: Recorder) -> None:
    engine = make()
    engine.translate(TEXTS, source="fr", target="en")
    (first,) = engine.models("fr", "en")
    engine.translate(TEXTS, source="fr", target="en")
    (second,) = engine.models("fr", "en")
    assert second.translator is first.translator
    assert len(recorder.loaded) == 1


def test_translate__missing_pair_lists_installed_pairs(make: Make, recorder: Recorder) -> None:
    with pytest.raises(ModelNotInstalledError) as error:
        make().translate(["Bonjour."], source="fr", target="de")
    assert "no Argos package for fr→de" in str(error.value)
    assert "installed pairs: en→es, fr→en" in str(error.value)
    assert recorder.loaded == []


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_translate__missing_pair_auto_install_offline_says_what_to_do(
    make: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argostranslate import settings as argos_settings

    index = f"http://127.0.0.1:{closed_port()}/index.json"
    monkeypatch.setattr(argos_settings, "remote_package_index", index)
    start = time.monotonic()
    with pytest.raises(ModelNotInstalledError) as error:
        make(auto_install=True).translate(["Bonjour."], source="fr", target="de")
    message = str(error.value)
    assert time.monotonic() - start < HANG  # a guard against hanging, not a speed test
    assert "cannot reach the Argos package index" in message
    assert "`translator models install FILE.argosmodel`" in message
    assert "`--engine pseudo`" in message
    assert "\n" not in message


# -- the tag layer against a sentence translator that mangles tags ---------------------------------


def upper(strings: Sequence[str]) -> list[str]:
    """What the fr→en fixture does, as a plain function."""
    return [s.upper() for s in strings]


def mangling(mangle: Callable[[str], str]) -> Callable[[Sequence[str]], list[str]]:
    return lambda strings: [mangle(s.upper()) for s in strings]


MANGLES: dict[str, Callable[[str], str]] = {
    "drops placeholders": lambda s: re.sub(r"<X\d+/>", "", s),
    "duplicates placeholders": lambda s: re.sub(r"(<X\d+/>)", r"\1 \1", s),
    "spaces inside placeholders": lambda s: re.sub(r"<X(\d+)/>", r"< x \1 / >", s),
    "moves placeholders first": lambda s: (
        " ".join(re.findall(r"<X\d+/>", s)) + " " + re.sub(r"<X\d+/>", "", s)
    ),
    "swaps two words": lambda s: re.sub(r"(\w+) (\w+)", r"\2 \1", s, count=1),
    "reverses word order": lambda s: " ".join(reversed(s.split(" "))),
    "rephrases short strings": lambda s: s if len(s) > 25 else s[::-1],
    "breaks placeholders": lambda s: s.replace("<", "&lt;").replace(">", "&gt;"),
    "invents tags": lambda s: f"<g9>{s}</g9> <x99/>",
    "returns nothing": lambda s: "",
}

MARKDOWN = (
    "Lancez `make test` puis lisez [le guide](https://exemple.fr/guide) et **surtout** "
    "la section *Notes* avant `make run`.\n"
)
MARKUP = ("`make test`", "](https://exemple.fr/guide)", "`make run`")


class TagLayer:
    """The engine's tag layer over a test double of the sentence translator."""

    name = "tag-layer"

    def __init__(self, strings: Callable[[Sequence[str]], list[str]]) -> None:
        self.strings = strings

    def translate(self, texts: Sequence[str], *, source: str, target: str) -> list[str]:
        return translate_tagged(texts, self.strings)

    def model_version(self, *, source: str, target: str) -> str:
        return "test"


def markup_kept(text: str) -> bool:
    emphasis = re.findall(r"(?<!\*)\*[^*]+\*(?!\*)", text)
    strong = re.findall(r"\*\*[^*]+\*\*", text)
    return all(text.count(m) == 1 for m in MARKUP) and (len(emphasis), len(strong)) == (1, 1)


@pytest.mark.parametrize("mangle", MANGLES.values(), ids=MANGLES.keys())
def test_tag_layer__markup_never_lost_silently(mangle: Callable[[str], str]) -> None:
    text, (rendered,) = translate_body(MARKDOWN, TagLayer(mangling(mangle)))
    assert markup_kept(text) or rendered.needs_review, (text, rendered)


# Mangling of placeholders only: the tag layer alone makes every tag come back whole.
SHIELDED = [k for k in MANGLES if k not in ("invents tags", "returns nothing")]


@pytest.mark.parametrize("mangle", [MANGLES[k] for k in SHIELDED], ids=SHIELDED)
def test_tag_layer__placeholder_mangling_needs_no_repair(mangle: Callable[[str], str]) -> None:
    text, (rendered,) = translate_body(MARKDOWN, TagLayer(mangling(mangle)))
    assert rendered.outcome == "translated", rendered.notes
    assert markup_kept(text)


def test_tag_layer__invented_tags_are_repaired_and_flagged() -> None:
    text, (rendered,) = translate_body(MARKDOWN, TagLayer(mangling(MANGLES["invents tags"])))
    assert rendered.outcome == "repaired"
    assert markup_kept(text)


def test_tag_layer__fixture_like_translation_needs_no_repair() -> None:
    text, (rendered,) = translate_body(MARKDOWN, TagLayer(upper))
    assert rendered.outcome == "translated"
    assert text == (
        "LANCEZ `make test` PUIS LISEZ [LE GUIDE](https://exemple.fr/guide) ET **SURTOUT** "
        "LA SECTION *NOTES* AVANT `make run`.\n"
    )


# Generated texts: words (some repeated), placeholders and nested pairs, numbered in order.
WORDS = st.sampled_from(["le", "la", "mot", "page", "voir", "bleu", "et", "fin.", "Deux"])


@st.composite
def tagged_texts(draw: st.DrawFn) -> str:
    counter = iter(range(1, 1000))

    def items(depth: int) -> Iterator[str]:
        for _ in range(draw(st.integers(1, 4))):
            kind = draw(st.sampled_from(["word", "word", "placeholder", "pair"][: 4 - (depth > 1)]))
            if kind == "word":
                yield draw(WORDS)
            elif kind == "placeholder":
                yield f"<x{next(counter)}/>"
            else:
                number = next(counter)
                inner = " ".join([draw(WORDS), *items(depth + 1)])
                yield f"<g{number}>{inner}</g{number}>"

    return " ".join(items(0))


def tags(text: str) -> list[str]:
    return re.findall(r"<[^<>]*>", text)


def nests(found: Sequence[str]) -> bool:
    stack: list[str] = []
    for tag in found:
        if tag.startswith("</"):
            if not stack or stack.pop() != tag[2:-1]:
                return False
        elif not tag.endswith("/>"):
            stack.append(tag[1:-1])
    return not stack


@settings(max_examples=150, deadline=None)
@given(tagged_texts())
def test_tag_layer__identity_translation_gives_the_text_back(text: str) -> None:
    assert translate_tagged([text], list) == [text]


@settings(max_examples=150, deadline=None)
@given(tagged_texts())
def test_tag_layer__uppercasing_moves_no_tag(text: str) -> None:
    expected = re.sub(r"<(/?)([GX])", lambda m: f"<{m[1]}{m[2].lower()}", text.upper())
    assert translate_tagged([text], upper) == [expected]


@settings(max_examples=300, deadline=None)
@given(tagged_texts(), st.sampled_from(SHIELDED))
def test_tag_layer__every_tag_once_and_nested_whatever_the_model_does(text: str, how: str) -> None:
    (result,) = translate_tagged([text], mangling(MANGLES[how]))
    assert sorted(tags(result)) == sorted(tags(text))
    assert nests(tags(result))


# -- through the real command -------------------------------------------------------------------


def test_cli_translate__argos_engine(argos_home: Path, tmp_path: Path) -> None:
    site = make_site(tmp_path)
    result = site.translator(
        "translate", "--engine", "argos", "--threads", "1", "content/fr/post.md"
    )
    assert result.code == 0, result.stderr
    assert 'title: "UN TITRE: SIMPLE"' in result.stdout
    assert 'PREMIER PARAGRAPHE AVEC UN [LIEN](https://exemple.fr "TITRE DU LIEN").' in result.stdout
    assert "DEUXIÈME PARAGRAPHE AVEC DU `code`." in result.stdout
