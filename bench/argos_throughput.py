"""Decoded tokens per second: naive argostranslate, the argos engine, raw CTranslate2.

    .venv/bin/python bench/argos_throughput.py [--segments 1000] [--beam 2]
        [--naive-segments 150] [--threads N] [--decode D] [--rounds 3]

One synthetic model with the shape of a real Argos fr→en package (Transformer
base, int8, 32k vocabulary, random weights: scripts/synthetic_model.py, built
once into bench/.cache/) is installed in a temporary Argos home, and the same
segments (units of content/fr/*.md and /work/shared/corpus/fr/*.md, read with
translator.markdown.page.read_page) are translated three ways:

  (1) naive: argostranslate's Translation.translate once per segment (tags
      stripped), as a caller of argostranslate would; it makes one
      translate_batch call per line, in batches of 32 *tokens* (the better
      of two thread layouts: all threads in each call, or one);
  (2) the argos engine over all segments at once (tag layer, pysbd, dedup,
      sorted batches, parallel workers: everything a run does);
  (3) the ceiling: one raw CTranslate2 translate_batch over the distinct
      sentences the engine sent, sorted, batches of 32 (the better of the
      two thread layouts).

Random weights never emit </s>, so every call on every path is made to decode
exactly D target tokens per sentence (min_decoding_length = max_decoding_length
= D, one hypothesis, same beam), and the tokens actually decoded are counted:
tokens/s compare across paths. The naive path runs on the first
--naive-segments segments only (it is slow); tokens/s is a rate, so it is
extrapolated as is. Models are loaded outside every timing. The paths run in
turn, --rounds times, and each keeps its best round: on a shared machine
other work only ever slows a round down. Not a test.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CACHE = REPO / "bench" / ".cache"
PACKAGE = CACHE / "translate-fr_en-synthetic"
BATCH = 32


class FixedLength:
    """A ctranslate2.Translator that decodes `decode` tokens per sentence and counts them."""

    def __init__(self, translator: Any, beam: int, decode: int) -> None:
        self.translator = translator
        self.beam = beam
        self.decode = decode
        self.tokens = 0
        self.sources: list[list[str]] = []

    def translate_batch(self, source: Sequence[Sequence[str]], **options: Any) -> Any:
        options.update(
            beam_size=self.beam,
            num_hypotheses=1,
            min_decoding_length=self.decode,
            max_decoding_length=self.decode,
        )
        self.sources.extend(list(s) for s in source)
        results = self.translator.translate_batch(source, **options)
        if options.get("asynchronous"):
            return [Counted(self, r) for r in results]
        self.tokens += sum(len(r.hypotheses[0]) for r in results)
        return results

    def reset(self) -> None:
        self.tokens, self.sources = 0, []


class Counted:
    """An asynchronous result whose tokens are counted when it is read."""

    def __init__(self, owner: FixedLength, pending: Any) -> None:
        self.owner = owner
        self.pending = pending

    def result(self) -> Any:
        result = self.pending.result()
        self.owner.tokens += len(result.hypotheses[0])
        return result


def argos_home(beam: int) -> None:
    """A temporary Argos home holding the synthetic package; set before argostranslate loads."""
    if not (PACKAGE / "metadata.json").exists():
        sys.path.insert(0, str(REPO / "scripts"))
        from synthetic_model import build_transformer_base

        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"building {PACKAGE} (once)…", flush=True)
        build_transformer_base(PACKAGE)
    home = Path(tempfile.mkdtemp(prefix="argos-bench-"))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "ARGOS_PACKAGES_DIR"):
        os.environ[name] = str(home / name.lower())
    (home / "argos_packages_dir").mkdir()
    (home / "argos_packages_dir" / PACKAGE.name).symlink_to(PACKAGE)
    os.environ.update(ARGOS_BEAM_SIZE=str(beam), ARGOS_COMPUTE_TYPE="default")


def fixed_length_translators(beam: int, decode: int) -> tuple[list[FixedLength], Any]:
    """Make every ctranslate2.Translator built from now on a FixedLength; and the real class."""
    import ctranslate2

    real = ctranslate2.Translator
    built: list[FixedLength] = []

    def build(*args: Any, **kwargs: Any) -> FixedLength:
        built.append(FixedLength(real(*args, **kwargs), beam, decode))
        return built[-1]

    ctranslate2.Translator = build
    return built, real


def segments(count: int) -> list[str]:
    """The first `count` units of the sample site and the shared corpus."""
    from translator.markdown import _markdown
    from translator.markdown.page import read_page

    md = _markdown.make_parser()
    files = sorted((REPO / "content" / "fr").glob("*.md"))
    files += sorted((SHARED / "corpus" / "fr").glob("*.md"))
    units: list[str] = []
    for path in files:
        units.extend(read_page(md, path.read_text(encoding="utf-8")).units)
    return units[:count]


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^<>]*>", "", text)).strip()


def mean_sentence_length(units: Sequence[str]) -> int:
    """Mean SentencePiece length of the segments' sentences: a realistic output length."""
    import pysbd
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(str(PACKAGE / "sentencepiece.model"))
    split = pysbd.Segmenter(language="fr", clean=False)
    sentences = [s.strip() for unit in units for s in split.segment(plain(unit)) if s.strip()]
    return round(statistics.mean(len(t) for t in processor.encode(sentences, out_type=str)))


Run = Callable[[], tuple[float, int]]
"""Runs one path once: (seconds, target tokens decoded)."""


def naive_paths(units: Sequence[str], threads: int, built: list[FixedLength]) -> dict[str, Run]:
    """argostranslate with all threads inside each call, and with one: the faster is its best."""
    from argostranslate import settings
    from argostranslate import translate as argos

    translation = argos.get_translation_from_codes("fr", "en")
    package_translation = translation.underlying  # CachedTranslation(PackageTranslation)
    texts = [plain(unit) for unit in units]
    layouts: dict[int, tuple[Any, FixedLength]] = {}
    for intra in dict.fromkeys((threads, 1)):
        # argostranslate builds its Translator lazily from its settings: one per layout.
        settings.inter_threads, settings.intra_threads = 1, intra
        package_translation.translator = None
        before = len(built)
        translation.translate(f"Bonjour {intra}.")  # not "Bonjour." twice: that one is cached
        (counter,) = built[before:]
        layouts[intra] = (package_translation.translator, counter)

    def layout(intra: int) -> Run:
        translator, counter = layouts[intra]

        def run() -> tuple[float, int]:
            package_translation.translator = translator
            counter.reset()
            start = time.perf_counter()
            for text in texts:
                translation.translate(text)
            return time.perf_counter() - start, counter.tokens

        return run

    return {f"intra {intra}": layout(intra) for intra in layouts}


def engine_path(
    units: Sequence[str], beam: int, threads: int, built: list[FixedLength]
) -> tuple[Run, FixedLength]:
    from translator.engines.argos import ArgosEngine

    engine = ArgosEngine.from_settings(
        {"beam_size": beam, "threads": threads, "batch_size": BATCH, "auto_install": False}
    )
    engine.translate(["Bonjour."], source="fr", target="en")  # loads the model, warms pysbd
    (translator,) = [t for t in built if t is engine.models("fr", "en")[0].translator]

    def run() -> tuple[float, int]:
        translator.reset()
        start = time.perf_counter()
        engine.translate(list(units), source="fr", target="en")
        return time.perf_counter() - start, translator.tokens

    return run, translator


def ceiling_path(
    sentences: list[list[str]], beam: int, threads: int, decode: int, real: Any
) -> dict[str, Run]:
    ordered = sorted(sentences, key=len)

    def layout(inter: int, intra: int) -> Run:
        translator = FixedLength(
            real(str(PACKAGE / "model"), inter_threads=inter, intra_threads=intra), beam, decode
        )

        def run() -> tuple[float, int]:
            translator.reset()
            start = time.perf_counter()
            translator.translate_batch(ordered, max_batch_size=BATCH, max_input_length=0)
            return time.perf_counter() - start, translator.tokens

        return run

    return {
        f"inter {threads} × intra 1": layout(threads, 1),
        f"intra {threads}": layout(1, threads),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=1000, help="segments for (2) and (3)")
    parser.add_argument("--naive-segments", type=int, default=150, help="segments for (1)")
    parser.add_argument("--beam", type=int, default=2, help="beam size on every path")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--decode", type=int, default=0, help="tokens per sentence (0: mean)")
    parser.add_argument("--rounds", type=int, default=3, help="each path keeps its best round")
    args = parser.parse_args()
    # Every sentence reaches the decoding limit here, on purpose: not worth a warning.
    logging.getLogger("translator.engines.argos").setLevel(logging.ERROR)
    argos_home(args.beam)
    units = segments(args.segments)
    decode = args.decode or mean_sentence_length(units)
    built, real = fixed_length_translators(args.beam, decode)
    engine, translator = engine_path(units, args.beam, args.threads, built)
    engine()  # once, to learn the sentences the engine sends
    paths = {
        "(2) argos engine, whole run": engine,
        **{
            f"(3) raw CTranslate2, {name}": run
            for name, run in ceiling_path(
                translator.sources, args.beam, args.threads, decode, real
            ).items()
        },
        **{
            f"(1) naive argostranslate, {name}": run
            for name, run in naive_paths(units[: args.naive_segments], args.threads, built).items()
        },
    }
    print(
        f"{len(units)} segments ({args.naive_segments} for the naive path), beam {args.beam}, "
        f"{decode} tokens decoded per sentence, {args.threads} threads, batches of {BATCH}, "
        f"{len(translator.sources)} distinct sentences and runs; best of {args.rounds} rounds"
    )
    report(measure(paths, args.rounds))


def measure(paths: dict[str, Run], rounds: int) -> dict[str, tuple[float, int]]:
    best: dict[str, tuple[float, int]] = {}
    for number in range(1, rounds + 1):
        for name, run in paths.items():
            seconds, tokens = run()
            print(f"  round {number}: {name:<42}{tokens / seconds:8.1f} tokens/s", flush=True)
            if name not in best or tokens / seconds > best[name][1] / best[name][0]:
                best[name] = (seconds, tokens)
    return best


def report(best: dict[str, tuple[float, int]]) -> None:
    rates = {name: tokens / seconds for name, (seconds, tokens) in best.items()}
    for name, (seconds, tokens) in best.items():
        print(f"{name:<42}{tokens:>8} tokens in {seconds:6.1f} s = {rates[name]:7.1f} tokens/s")
    naive = max(rate for name, rate in rates.items() if name.startswith("(1)"))
    engine = rates["(2) argos engine, whole run"]
    ceiling = max(rate for name, rate in rates.items() if name.startswith("(3)"))
    print("(the naive rate is measured on its subset and applies to the whole run as a rate)")
    print(f"speedup_vs_naive={engine / naive:.2f} fraction_of_ceiling={engine / ceiling:.2f}")


if __name__ == "__main__":
    main()
