"""A random-weight Argos fr→en package with the shape of a real one, for benchmarks.

    .venv/bin/python scripts/synthetic_model.py OUT_DIR [--vocab-size 32000] [--seed 0]

Built at bench time (about 60 MB, never committed). See ``build_transformer_base``.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import io
import json
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import ctranslate2
import numpy as np
import sentencepiece as spm
from ctranslate2.specs import transformer_spec

SHARED = Path(__file__).resolve().parents[2] / "shared"
FRENCH_TEXT = (SHARED / "samples" / "fr", SHARED / "corpus" / "fr")
"""Folders of French Markdown the SentencePiece model is trained on."""

NUM_LAYERS, NUM_HEADS, D_MODEL, FFN_DIM = 6, 8, 512, 2048
BANNED_BIAS = -1e4
"""Output bias of tokens the random model must never emit, see ``_output_bias``."""


def build_transformer_base(out_dir: Path, *, vocab_size: int = 32000, seed: int = 0) -> Path:
    """Write a random-weight Transformer-base Argos package (fr→en) to ``out_dir``.

    Same shape as the OpenNMT-py models Argos ships: 6 encoder and 6 decoder
    pre-norm layers, d_model 512, 8 heads, FFN 2048, sinusoidal positions,
    shared embeddings tied to the output projection, int8 weights, a shared
    vocabulary of ``vocab_size`` entries. The SentencePiece model (unigram, as
    Argos uses) is trained on the French text in /work/shared; that text only
    supports 9,728 unigram pieces, so the CTranslate2 vocabulary is padded to
    ``vocab_size`` with ``<dummy_NNNNN>`` tokens the tokenizer never produces.
    Sentences are split by the fixture MiniSBD model of
    scripts/build_fixture_models.py (cheaper than a real one), so argostranslate
    runs it offline with default settings once ``out_dir`` is inside its
    packages folder (ARGOS_PACKAGES_DIR).

    Random weights never produce a meaningful end, so ``</s>`` is banned (output
    bias -1e4, as are ``<unk>``, ``<s>``, ``<blank>`` and the dummies): every
    sentence decodes to exactly ``max_decoding_length`` tokens, CTranslate2's
    default 256 unless the caller sets it (argostranslate 1.11 never does, so
    through it each sentence costs 256 decoding steps). Callers timing raw
    CTranslate2 must fix decoding lengths themselves, e.g. ``max_decoding_length``
    proportional to the source length, so runs compare. The output is gibberish
    made of real pieces, often one piece repeated. ``out_dir`` must not exist;
    it is returned. Takes about 2 s here (2 cores).
    """
    out_dir.mkdir(parents=True)
    sp_model = _train_sentencepiece(vocab_size - 1)  # room for <blank>
    vocabulary = _vocabulary(sp_model, vocab_size)
    spec = _spec(vocabulary, np.random.default_rng(seed))
    _Converter(spec).convert(str(out_dir / "model"), quantization="int8")
    (out_dir / "sentencepiece.model").write_bytes(sp_model)
    (out_dir / "minisbd").mkdir()
    (out_dir / "minisbd" / "fr.onnx").write_bytes(_fixture_builder().sbd_model("fr"))
    (out_dir / "metadata.json").write_text(json.dumps(_metadata(), indent=2) + "\n")
    (out_dir / "README.md").write_text("Random weights, for benchmarks only.\n")
    return out_dir


def _fixture_builder() -> ModuleType:
    """The sibling build_fixture_models.py, loaded by path (scripts/ is not a package)."""
    if "build_fixture_models" in sys.modules:
        return sys.modules["build_fixture_models"]
    path = Path(__file__).with_name("build_fixture_models.py")
    spec = importlib.util.spec_from_file_location("build_fixture_models", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered first: its dataclass looks its own module up while being defined.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _french_lines() -> list[str]:
    files = sorted(
        path for folder in FRENCH_TEXT for path in glob.glob(f"{folder}/**/*.md", recursive=True)
    )
    text = "\n".join(Path(path).read_text(encoding="utf-8") for path in files)
    return [line for line in text.splitlines() if line.strip()]


def _train_sentencepiece(vocab_size: int) -> bytes:
    """Unigram model with at most ``vocab_size`` pieces (fewer if the text is too small)."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_french_lines()),
        model_writer=model,
        model_type="unigram",
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # take what the text supports instead of failing
        character_coverage=1.0,
        num_threads=1,  # deterministic output
        minloglevel=2,
    )
    return model.getvalue()


def _vocabulary(sp_model: bytes, size: int) -> list[str]:
    """SentencePiece pieces, ``<blank>`` as in OpenNMT-py vocabularies, then dummies."""
    processor = spm.SentencePieceProcessor(model_proto=sp_model)
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())] + ["<blank>"]
    return pieces + [f"<dummy_{i:05d}>" for i in range(size - len(pieces))]


def _random(rng: np.random.Generator, rows: int, columns: int) -> np.ndarray:
    """Weights with variance 1/fan_in so activations stay finite through 12 layers."""
    weights: np.ndarray = rng.standard_normal((rows, columns), dtype=np.float32)
    return weights / np.float32(np.sqrt(columns))


def _norm(spec: transformer_spec.common_spec.LayerNormSpec) -> None:
    spec.gamma = np.ones(D_MODEL, dtype=np.float32)
    spec.beta = np.zeros(D_MODEL, dtype=np.float32)


def _attention(
    spec: transformer_spec.attention_spec.MultiHeadAttentionSpec, rng: np.random.Generator
) -> None:
    """Random attention; self-attention fuses Q, K, V, cross-attention fuses K, V."""
    _norm(spec.layer_norm)
    blocks = (3, 1) if len(spec.linear) == 2 else (1, 2, 1)
    for linear, count in zip(spec.linear, blocks, strict=True):
        linear.weight = _random(rng, count * D_MODEL, D_MODEL)
        linear.bias = np.zeros(count * D_MODEL, dtype=np.float32)


def _ffn(spec: transformer_spec.FeedForwardSpec, rng: np.random.Generator) -> None:
    _norm(spec.layer_norm)
    spec.linear_0.weight = _random(rng, FFN_DIM, D_MODEL)
    spec.linear_0.bias = np.zeros(FFN_DIM, dtype=np.float32)
    spec.linear_1.weight = _random(rng, D_MODEL, FFN_DIM)
    spec.linear_1.bias = np.zeros(D_MODEL, dtype=np.float32)


def _spec(vocabulary: list[str], rng: np.random.Generator) -> transformer_spec.TransformerSpec:
    """Transformer base, pre-norm, sinusoidal positions (``encodings`` left unset)."""
    spec = transformer_spec.TransformerSpec.from_config((NUM_LAYERS, NUM_LAYERS), NUM_HEADS)
    # One array for both embeddings and the projection: CTranslate2 stores it once.
    embeddings = _random(rng, len(vocabulary), D_MODEL)
    spec.encoder.embeddings[0].weight = embeddings
    spec.decoder.embeddings.weight = embeddings
    spec.decoder.projection.weight = embeddings
    spec.decoder.projection.bias = _output_bias(vocabulary)
    for stack in (spec.encoder, spec.decoder):
        _norm(stack.layer_norm)
        for layer in stack.layer:
            _attention(layer.self_attention, rng)
            if hasattr(layer, "attention"):
                _attention(layer.attention, rng)
            _ffn(layer.ffn, rng)
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    return spec


def _output_bias(vocabulary: list[str]) -> np.ndarray:
    """Ban ``</s>`` (fixed decoding lengths) and every non-text token (readable output)."""
    bias = np.zeros(len(vocabulary), dtype=np.float32)
    banned = [
        i for i, token in enumerate(vocabulary) if token.startswith("<") and token.endswith(">")
    ]
    bias[banned] = BANNED_BIAS
    return bias


class _Converter(ctranslate2.converters.Converter):  # type: ignore[misc]
    """Saves an already built specification with CTranslate2's own writer."""

    def __init__(self, spec: transformer_spec.TransformerSpec) -> None:
        self._spec = spec

    def _load(self) -> transformer_spec.TransformerSpec:
        return self._spec


def _metadata() -> dict[str, object]:
    return {
        "package_version": "0.0",
        "argos_version": "1.9",
        "type": "translate",
        "from_code": "fr",
        "from_name": "French",
        "to_code": "en",
        "to_name": "English",
        "links": [],
        "description": "Random weights with the shape of Transformer base; for benchmarks.",
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Build into OUT_DIR (replacing it) and print the time taken and the size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--vocab-size", type=int, default=32000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    shutil.rmtree(args.out_dir, ignore_errors=True)
    start = time.perf_counter()
    build_transformer_base(args.out_dir, vocab_size=args.vocab_size, seed=args.seed)
    size = sum(path.stat().st_size for path in args.out_dir.rglob("*") if path.is_file())
    print(f"{args.out_dir}: {size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
