"""Decoded tokens per second: naive argostranslate vs the argos engine vs raw CTranslate2.

    .venv/bin/python bench/argos_throughput.py [--segments 1000] [--naive-segments 150] [--beam 4]

On one synthetic model with the shape of a real Argos fr→en package
(Transformer base, int8, 32k vocabulary, random weights: scripts/synthetic_model.py,
cached in bench/.cache/) and the same segments (units of the sample post and the
shared corpus), measured in one run:
  (1) naive: argostranslate's Translation.translate once per segment (tags stripped);
  (2) the argos engine over all segments at once;
  (3) one raw CTranslate2 translate_batch over all sentences, sorted, batches of 32.
Random weights never emit </s>, so every path decodes exactly DECODE tokens per
sentence (min = max decoding length) at the same beam size, one hypothesis:
tokens/s compare. The naive path runs on a subset (it is slow); its rate is
per token, so the subset does not bias it. Not a test.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CACHE = REPO / "bench" / ".cache"
DECODE = 24
"""Target tokens decoded per sentence, on every path."""


class FixedLength:
    """Wraps a ctranslate2.Translator: same beam, one hypothesis, DECODE tokens; counts them."""

    def __init__(self, translator: Any, beam: int) -> None:
        self.translator = translator
        self.beam = beam
        self.tokens = 0

    def translate_batch(self, source: Sequence[Sequence[str]], **options: Any) -> Any:
        options.update(
            beam_size=self.beam,
            num_hypotheses=1,
            min_decoding_length=DECODE,
            max_decoding_length=DECODE,
            return_scores=True,
        )
        options.pop("length_penalty", None)
        results = self.translator.translate_batch(source, **options)
        self.tokens += sum(len(r.hypotheses[0]) for r in results)
        return results


def model_package() -> Path:
    package = CACHE / "translate-fr_en-synthetic"
    if not (package / "metadata.json").exists():
        sys.path.insert(0, str(REPO / "scripts"))
        from synthetic_model import build_transformer_base

        shutil.rmtree(package, ignore_errors=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        build_transformer_base(package)
    return package


def segments(count: int) -> list[str]:
    from translator import _markdown
    from translator.page import read_page

    md = _markdown.make_parser()
    files = sorted((REPO / "content" / "fr").glob("*.md")) + sorted(
        (SHARED / "corpus" / "fr").glob("*.md")
    )
    units: list[str] = []
    for path in files:
        units.extend(read_page(md, path.read_text(encoding="utf-8")).units)
    return units[:count]


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^<>]*>", "", text)).strip()


def naive(units: Sequence[str], beam: int) -> tuple[float, int]:
    import ctranslate2
    from argostranslate import translate as argos

    counters: list[FixedLength] = []
    real = ctranslate2.Translator

    def counted(*args: Any, **kwargs: Any) -> FixedLength:
        counters.append(FixedLength(real(*args, **kwargs), beam))
        return counters[-1]

    argos.ctranslate2.Translator = counted  # argostranslate builds its Translator lazily
    translation = argos.get_translation_from_codes("fr", "en")
    translation.translate("Bonjour.")  # load the model outside the timing
    loaded = sum(c.tokens for c in counters)
    start = time.perf_counter()
    for unit in units:
        translation.translate(plain(unit))
    elapsed = time.perf_counter() - start
    argos.ctranslate2.Translator = real
    return elapsed, sum(c.tokens for c in counters) - loaded


def engine_run(units: Sequence[str], beam: int) -> tuple[float, int, list[list[str]]]:
    from translator.engines.argos import ArgosEngine

    engine = ArgosEngine(beam_size=beam, batch_size=32, auto_install=False)
    (package,) = engine.route("fr", "en")
    loaded = engine._load(package)
    wrapped = FixedLength(loaded.translator, beam)
    loaded.translator = wrapped
    sentences: list[list[str]] = []
    real_sentences = engine._sentences

    def spy(package: Any, batch: Sequence[str]) -> dict[str, str]:
        sentences.extend(loaded.tokenizer.encode(s, out_type=str) for s in batch)
        return real_sentences(package, batch)

    engine._sentences = spy  # type: ignore[method-assign]
    start = time.perf_counter()
    engine.translate(list(units), source="fr", target="en")
    return time.perf_counter() - start, wrapped.tokens, sentences


def ceiling(model: Path, sentences: list[list[str]], beam: int) -> tuple[float, int]:
    import ctranslate2

    translator = FixedLength(ctranslate2.Translator(str(model), device="cpu"), beam)
    ordered = sorted(sentences, key=len)
    start = time.perf_counter()
    translator.translate_batch(ordered, max_batch_size=32)
    return time.perf_counter() - start, translator.tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=1000)
    parser.add_argument("--naive-segments", type=int, default=150)
    parser.add_argument("--beam", type=int, default=4)
    args = parser.parse_args()
    package = model_package()
    home = Path(tempfile.mkdtemp(prefix="argos-bench-"))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "ARGOS_PACKAGES_DIR"):
        os.environ[name] = str(home / name.lower())
    shutil.copytree(package, home / "argos_packages_dir" / package.name)
    units = segments(args.segments)
    print(
        f"{len(units)} segments, beam {args.beam}, {DECODE} tokens decoded per sentence, "
        f"{os.cpu_count()} cores"
    )
    seconds, tokens, sentences = engine_run(units, args.beam)
    engine_rate = tokens / seconds
    print(
        f"(2) argos engine, whole run:  {tokens:>7} tokens in {seconds:7.1f} s = {engine_rate:7.1f} tok/s  ({len(sentences)} distinct sentences)"
    )
    seconds, tokens = ceiling(package / "model", sentences, args.beam)
    ceiling_rate = tokens / seconds
    print(
        f"(3) raw CTranslate2 ceiling:  {tokens:>7} tokens in {seconds:7.1f} s = {ceiling_rate:7.1f} tok/s"
    )
    seconds, tokens = naive(units[: args.naive_segments], args.beam)
    naive_rate = tokens / seconds
    print(
        f"(1) naive argostranslate:     {tokens:>7} tokens in {seconds:7.1f} s = {naive_rate:7.1f} tok/s  (first {args.naive_segments} segments)"
    )
    print(
        f"speedup_vs_naive={engine_rate / naive_rate:.2f} fraction_of_ceiling={engine_rate / ceiling_rate:.2f}"
    )


if __name__ == "__main__":
    main()
