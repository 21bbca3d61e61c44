"""Build the two tiny Argos fixture packages whose output is known exactly.

    .venv/bin/python scripts/build_fixture_models.py [--out tests/fixtures/argos]

* ``translate-fr_en-fixture.argosmodel``: each character of the fixture
  alphabet (see ``alphabet``) becomes its ``str.upper()`` when that is one
  character ("é" -> "É", "ß" stays); anything else is unchanged.
* ``translate-en_es-fixture.argosmodel``: ROT13 on ASCII letters, the rest unchanged.

Both run through the real argostranslate -> CTranslate2 -> SentencePiece path.
The SentencePiece model is character-level with byte fallback and identity
normalisation, so it round-trips any text: each alphabet character is one
piece, anything else its UTF-8 bytes. The CTranslate2 Transformer (int8) has
hand-set weights: decoder step ``t`` attends only to source position ``t``
(the source ends with ``</s>``, copied like the rest), and the copied value is
the binary code of the *mapped* piece, which the output projection turns into
a one-hot choice with a logit gap of 50. Exact for any compute type, greedy or
beam search, for sources up to 2047 pieces (the position table; CTranslate2
truncates sources at ``max_input_length``, 1024 by default, and outputs at
``max_decoding_length``, 256 by default). Each package also carries a
hand-written MiniSBD model in ``minisbd/`` so argostranslate splits sentences
offline under its default settings. Nothing is trained: the build is
deterministic (byte-identical archives) and takes about 2 s.
"""

from __future__ import annotations

import argparse
import codecs
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import ctranslate2
import numpy as np
import sentencepiece as spm
from ctranslate2.specs import attention_spec, common_spec, transformer_spec

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "argos"

# Layout of the model dimension: [token code | cos | sin | -cos | -sin].
TOKEN_BITS = 16
NUM_FREQUENCIES = 12  # periods 2, 4, ..., 4096: positions 0..2047 stay distinct
MAX_POSITIONS = 2048
D_MODEL = TOKEN_BITS + 4 * NUM_FREQUENCIES
FFN_DIM = 8
# Attention logit gap between the right source position and any other is at
# least 2 * ATTENTION_SHARPNESS; output logit gap at least 2 * OUTPUT_SHARPNESS.
ATTENTION_SHARPNESS = 30.0
OUTPUT_SHARPNESS = 25.0
LAYER_NORM_EPSILON = 1e-6

# Curly quotes, dashes, primes… on purpose, hence the noqa.
_TYPOGRAPHY = "’‘‚“”„«»‹›–—‐‑‒…•€£¥©®™°§¶†‡′″\u00a0\u2009\u202f\u2007"  # noqa: RUF001


@dataclass(frozen=True, slots=True)
class FixturePair:
    """One fixture package to build."""

    from_code: str
    from_name: str
    to_code: str
    to_name: str
    mapping: Callable[[str], str]
    """Maps one input character to its output character."""
    description: str


def upper_char(char: str) -> str:
    """``char.upper()`` when it is one character, else ``char`` (e.g. "ß")."""
    upper = char.upper()
    return upper if len(upper) == 1 else char


def rot13_char(char: str) -> str:
    """ROT13 for ASCII letters, identity for everything else."""
    return codecs.encode(char, "rot13") if char.isascii() else char


PAIRS = (
    FixturePair("fr", "French", "en", "English", upper_char, "Fixture: uppercases letters."),
    FixturePair("en", "English", "es", "Spanish", rot13_char, "Fixture: ROT13 on ASCII letters."),
)


def _has_case(char: str) -> bool:
    return char.upper() != char or char.lower() != char


def alphabet() -> list[str]:
    """Characters that get their own piece.

    Printable ASCII, Latin-1, typography, and every cased character below
    U+0800 (Latin Extended, IPA, Greek, Cyrillic, Armenian) or in U+1E00-U+1FFF
    (Vietnamese, polytonic Greek); closed under ``upper_char`` so each uppercase
    result is a piece too. Anything else becomes byte pieces and is copied unchanged.
    """
    codes = [*range(0x20, 0x7F), *range(0xA0, 0x100)]
    cased = [*range(0x100, 0x800), *range(0x1E00, 0x2000)]
    chars = {chr(code) for code in codes} | set(_TYPOGRAPHY)
    chars |= {chr(code) for code in cased if _has_case(chr(code))}
    chars |= {upper_char(char) for char in chars}
    return sorted(chars)


def train_sentencepiece() -> bytes:
    """Train a character SentencePiece model that round-trips any text exactly.

    ``identity`` normalisation and ``remove_extra_whitespaces=False`` keep every
    character; byte fallback turns characters outside the alphabet into
    ``<0xNN>`` pieces instead of ``<unk>``.
    """
    chars = alphabet()
    # Short lines: SentencePiece skips sentences over max_sentence_length bytes.
    lines = ["".join(chars[i : i + 100]) for i in range(0, len(chars), 100)]
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        model_type="char",
        vocab_size=4096,
        hard_vocab_limit=False,
        character_coverage=1.0,
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        add_dummy_prefix=True,
        byte_fallback=True,
        num_threads=1,
        minloglevel=2,
    )
    return model.getvalue()


def piece_list(model_proto: bytes) -> list[str]:
    """Pieces in id order: this is also the CTranslate2 vocabulary."""
    processor = spm.SentencePieceProcessor(model_proto=model_proto)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def mapped_ids(pieces: Sequence[str], mapping: Callable[[str], str]) -> np.ndarray:
    """For each piece id, the id of the piece the model must output for it.

    Special and byte pieces map to themselves; a single-character piece maps to
    the piece of its mapped character.
    """
    index = {piece: i for i, piece in enumerate(pieces)}
    result = np.arange(len(pieces))
    for i, piece in enumerate(pieces):
        if len(piece) == 1 and piece != "▁":
            result[i] = index[mapping(piece)]
    return result


def token_codes(size: int) -> np.ndarray:
    """±1 binary code of each id, shape (size, TOKEN_BITS)."""
    bits = (np.arange(size)[:, None] >> np.arange(TOKEN_BITS)[None, :]) & 1
    return (2 * bits - 1).astype(np.float32)


def position_encodings() -> np.ndarray:
    """Learned position table, shape (MAX_POSITIONS, D_MODEL).

    Frequencies pi/2**k make sum_k cos(w_k * (t - s)) equal NUM_FREQUENCIES at
    s == t and at most NUM_FREQUENCIES - 2 elsewhere (the lowest set bit of
    t - s gives a -1 term). The negated copies keep each row's mean at zero so
    layer norm only rescales. Token dimensions stay zero.
    """
    frequencies = np.pi / 2.0 ** np.arange(NUM_FREQUENCIES)
    angles = np.arange(MAX_POSITIONS)[:, None] * frequencies[None, :]
    cos, sin = np.cos(angles), np.sin(angles)
    table = np.zeros((MAX_POSITIONS, D_MODEL))
    table[:, TOKEN_BITS:] = np.concatenate([cos, sin, -cos, -sin], axis=1)
    return table.astype(np.float32)


def _selector(rows: slice) -> np.ndarray:
    """A D_MODEL x D_MODEL matrix that keeps the dimensions in ``rows``."""
    matrix = np.zeros((D_MODEL, D_MODEL), dtype=np.float32)
    index = np.arange(D_MODEL)[rows]
    matrix[index, index] = 1.0
    return matrix


TOKEN_DIMS = slice(0, TOKEN_BITS)
# cos and sin parts only: the negated copies would just double the score.
POSITION_DIMS = slice(TOKEN_BITS, TOKEN_BITS + 2 * NUM_FREQUENCIES)


def _layer_norm(spec: common_spec.LayerNormSpec) -> None:
    """Unit gamma, zero beta: with zero-mean rows layer norm only rescales."""
    spec.gamma = np.ones(D_MODEL, dtype=np.float32)
    spec.beta = np.zeros(D_MODEL, dtype=np.float32)


def _pass_through_self_attention(spec: attention_spec.MultiHeadAttentionSpec) -> None:
    """Self-attention whose output projection is zero: the residual passes unchanged."""
    _layer_norm(spec.layer_norm)
    spec.linear[0].weight = np.zeros((3 * D_MODEL, D_MODEL), dtype=np.float32)
    spec.linear[1].weight = np.zeros((D_MODEL, D_MODEL), dtype=np.float32)


def _pass_through_ffn(spec: transformer_spec.FeedForwardSpec) -> None:
    """Feed-forward block that adds zero to the residual."""
    _layer_norm(spec.layer_norm)
    spec.linear_0.weight = np.zeros((FFN_DIM, D_MODEL), dtype=np.float32)
    spec.linear_1.weight = np.zeros((D_MODEL, FFN_DIM), dtype=np.float32)


def _copy_attention(spec: attention_spec.MultiHeadAttentionSpec) -> None:
    """Cross-attention that reads the token code at the source position equal to the step.

    Queries and keys keep only the position dimensions, values and output keep
    only the token dimensions. The decoder state at step t is its position row
    alone (zero mean, variance 2K/D), so layer norm multiplies it by
    1/sqrt(2K/D + eps); ``queries_scale`` undoes that and sets the sharpness.
    """
    _layer_norm(spec.layer_norm)
    variance = 2 * NUM_FREQUENCIES / D_MODEL + LAYER_NORM_EPSILON
    spec.queries_scale = np.float32(ATTENTION_SHARPNESS * np.sqrt(variance))
    spec.linear[0].weight = _selector(POSITION_DIMS)
    spec.linear[1].weight = np.concatenate([_selector(POSITION_DIMS), _selector(TOKEN_DIMS)])
    spec.linear[2].weight = _selector(TOKEN_DIMS)


def _encoder(
    pieces: Sequence[str], mapping: Callable[[str], str]
) -> transformer_spec.TransformerEncoderSpec:
    """Encoder whose output at s is [code(mapped piece at s) | position s].

    The mapping is applied here, in the embedding table, so the decoder only copies.
    """
    encoder = transformer_spec.TransformerEncoderSpec(1, 1, pre_norm=True, no_final_norm=True)
    embeddings = np.zeros((len(pieces), D_MODEL), dtype=np.float32)
    embeddings[:, TOKEN_DIMS] = token_codes(len(pieces))[mapped_ids(pieces, mapping)]
    encoder.embeddings[0].weight = embeddings
    encoder.scale_embeddings = False
    encoder.position_encodings.encodings = position_encodings()
    _pass_through_self_attention(encoder.layer[0].self_attention)
    _pass_through_ffn(encoder.layer[0].ffn)
    return encoder


def _decoder(size: int) -> transformer_spec.TransformerDecoderSpec:
    """Decoder that ignores its input tokens and emits the copied code's token."""
    decoder = transformer_spec.TransformerDecoderSpec(1, 1, pre_norm=True, no_final_norm=True)
    # Zero token embeddings: the state at step t is the position row only.
    decoder.embeddings.weight = np.zeros((size, D_MODEL), dtype=np.float32)
    decoder.scale_embeddings = False
    decoder.position_encodings.encodings = position_encodings()
    layer = decoder.layer[0]
    _pass_through_self_attention(layer.self_attention)
    _copy_attention(layer.attention)
    _pass_through_ffn(layer.ffn)
    projection = np.zeros((size, D_MODEL), dtype=np.float32)
    projection[:, TOKEN_DIMS] = OUTPUT_SHARPNESS * token_codes(size)
    decoder.projection.weight = projection
    return decoder


def build_spec(
    pieces: Sequence[str], mapping: Callable[[str], str]
) -> transformer_spec.TransformerSpec:
    """The full hand-set model; the source gets ``</s>`` appended so it is copied too."""
    spec = transformer_spec.TransformerSpec(_encoder(pieces, mapping), _decoder(len(pieces)))
    spec.config.add_source_eos = True
    spec.config.layer_norm_epsilon = LAYER_NORM_EPSILON
    spec.register_source_vocabulary(list(pieces))
    spec.register_target_vocabulary(list(pieces))
    return spec


class _SpecConverter(ctranslate2.converters.Converter):  # type: ignore[misc]
    """Saves an already built specification with CTranslate2's own writer."""

    def __init__(self, spec: transformer_spec.TransformerSpec) -> None:
        self._spec = spec

    def _load(self) -> transformer_spec.TransformerSpec:
        return self._spec


def write_model(model_dir: Path, pieces: Sequence[str], mapping: Callable[[str], str]) -> None:
    """Write the CTranslate2 model, int8 like the real Argos packages."""
    _SpecConverter(build_spec(pieces, mapping)).convert(str(model_dir), quantization="int8")


# --- Sentence splitter -------------------------------------------------------
# argostranslate 1.11 splits sentences with MiniSBD, which downloads its ONNX
# model unless the package ships one in ``minisbd/``. We ship a hand-written
# ONNX graph (protobuf wire format, so no ``onnx`` dependency): it labels a
# character "sentence end" when it is . ! ? or … followed by a space or the end
# of the text, "token end" when any other non-space character is, else nothing.
# With it argostranslate runs offline under its default settings.

SBD_UNITS = ("<PAD>", "<UNK>", " ", ".", "!", "?", "…")
_SBD_SPACE, _SBD_FIRST_STOP = 2, 3
_ONNX_FLOAT, _ONNX_INT64 = 1, 7


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes | str | int) -> bytes:
    """One protobuf field: varint for ints, length-delimited for bytes and str."""
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    data = payload.encode() if isinstance(payload, str) else payload
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _tensor(name: str, array: np.ndarray) -> bytes:
    """TensorProto: dims=1, data_type=2, name=8, raw_data=9 (little endian)."""
    data_type = _ONNX_FLOAT if array.dtype == np.float32 else _ONNX_INT64
    dims = b"".join(_field(1, dim) for dim in array.shape)
    return dims + _field(2, data_type) + _field(8, name) + _field(9, array.tobytes())


def _value_info(name: str, elem_type: int, dims: Sequence[str | int]) -> bytes:
    """ValueInfoProto with a TypeProto.Tensor; str dims are symbolic."""
    shape = b"".join(_field(1, _field(2 if isinstance(d, str) else 1, d)) for d in dims)
    tensor_type = _field(1, elem_type) + _field(2, shape)
    return _field(1, name) + _field(2, _field(1, tensor_type))


def _node(op_type: str, inputs: Sequence[str], output: str) -> bytes:
    """NodeProto: input=1, output=2, name=3, op_type=4 (no attributes needed)."""
    fields = [_field(1, name) for name in inputs]
    return b"".join(fields) + _field(2, output) + _field(3, output) + _field(4, op_type)


def _sbd_tables() -> tuple[np.ndarray, np.ndarray]:
    """Logits = current[unit] + following[next unit]; labels 0 none, 1 token, 2 sentence."""
    current = np.zeros((len(SBD_UNITS), 5), dtype=np.float32)
    current[:, 1] = 1.0  # any other character ends a token if a space follows
    current[_SBD_SPACE] = [1.0, 0.0, 0.0, 0.0, 0.0]
    current[_SBD_FIRST_STOP:] = [0.0, 0.0, 1.0, 0.0, 0.0]
    following = np.zeros((len(SBD_UNITS), 5), dtype=np.float32)
    following[:, 0] = 10.0  # followed by a non-space: no boundary
    following[[0, _SBD_SPACE]] = [0.0, 10.0, 10.0, 0.0, 0.0]  # space or end of text
    return current, following


def _sbd_graph() -> bytes:
    """GraphProto: Slice + Pad build the next-unit ids, two Gathers and an Add score them."""
    current, following = _sbd_tables()
    initializers = [
        _tensor("current", current),
        _tensor("following", following),
        _tensor("one", np.array([1], dtype=np.int64)),
        _tensor("end", np.array([2**62], dtype=np.int64)),
        _tensor("pads", np.array([0, 0, 0, 1], dtype=np.int64)),
    ]
    nodes = [
        _node("Slice", ["units", "one", "end", "one"], "rest"),
        _node("Pad", ["rest", "pads"], "next"),
        _node("Gather", ["current", "units"], "own"),
        _node("Gather", ["following", "next"], "after"),
        _node("Add", ["own", "after"], "logits"),
    ]
    inputs = [
        _value_info("units", _ONNX_INT64, ["batch", "time"]),
        _value_info("features", _ONNX_FLOAT, ["batch", "time", 1]),
    ]
    graph = b"".join(_field(1, node) for node in nodes) + _field(2, "fixture_sbd")
    graph += b"".join(_field(5, tensor) for tensor in initializers)
    graph += b"".join(_field(11, value) for value in inputs)
    return graph + _field(12, _value_info("logits", _ONNX_FLOAT, ["batch", "time", 5]))


def sbd_model(lang_code: str) -> bytes:
    """ModelProto (IR 8, opset 17) with the metadata MiniSBD reads: config, vocab."""
    vocab = {
        "lang": lang_code,
        "idx": 0,
        "cutoff": 0,
        "lower": False,
        "_unit2id": {unit: i for i, unit in enumerate(SBD_UNITS)},
        "_id2unit": list(SBD_UNITS),
    }
    # One feature column, ignored by the graph, because ONNX Runtime handles an
    # empty trailing dimension less predictably than a tiny unused input.
    config = {"feat_funcs": ["space_before"], "max_seqlen": 1000, "batch_size": 1}
    metadata = {"lang_code": lang_code, "config": json.dumps(config), "vocab": json.dumps(vocab)}
    model = _field(1, 8) + _field(2, "build_fixture_models") + _field(7, _sbd_graph())
    model += _field(8, _field(1, "") + _field(2, 17))
    for key, value in metadata.items():
        model += _field(14, _field(1, key) + _field(2, value))
    return model


# --- Packaging ---------------------------------------------------------------

# Fixed zip timestamp so a rebuild gives identical bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def package_name(pair: FixturePair) -> str:
    """Folder and file stem, e.g. ``translate-fr_en-fixture``."""
    return f"translate-{pair.from_code}_{pair.to_code}-fixture"


def metadata(pair: FixturePair) -> dict[str, object]:
    """The metadata.json fields argostranslate 1.11 reads (see IPackage)."""
    return {
        "package_version": "1.0",
        "argos_version": "1.9",
        "type": "translate",
        "from_code": pair.from_code,
        "from_name": pair.from_name,
        "to_code": pair.to_code,
        "to_name": pair.to_name,
        "links": [],
        "description": pair.description,
    }


def write_package_dir(pair: FixturePair, sp_model: bytes, package_dir: Path) -> None:
    """Lay out one installed-package folder."""
    package_dir.mkdir(parents=True)
    text = json.dumps(metadata(pair), indent=2, ensure_ascii=False) + "\n"
    (package_dir / "metadata.json").write_text(text, encoding="utf-8")
    readme = (
        f"# {package_name(pair)}\n\n{pair.description} Built by scripts/build_fixture_models.py.\n"
    )
    (package_dir / "README.md").write_text(readme, encoding="utf-8")
    (package_dir / "sentencepiece.model").write_bytes(sp_model)
    write_model(package_dir / "model", piece_list(sp_model), pair.mapping)
    (package_dir / "minisbd").mkdir()
    (package_dir / "minisbd" / f"{pair.from_code}.onnx").write_bytes(sbd_model(pair.from_code))


def _files(folder: Path) -> Iterator[Path]:
    return (path for path in sorted(folder.rglob("*")) if path.is_file())


def zip_package(package_dir: Path, archive: Path) -> None:
    """Zip as Argos does: one top-level folder holding the package."""
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in _files(package_dir):
            name = f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}"
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(info, path.read_bytes(), compresslevel=9)


def build(out_dir: Path) -> list[Path]:
    """Build every fixture package into ``out_dir``; returns the archive paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sp_model = train_sentencepiece()
    archives = []
    with tempfile.TemporaryDirectory() as tmp:
        for pair in PAIRS:
            package_dir = Path(tmp) / package_name(pair)
            write_package_dir(pair, sp_model, package_dir)
            archive = out_dir / f"{package_name(pair)}.argosmodel"
            zip_package(package_dir, archive)
            shutil.rmtree(package_dir)
            archives.append(archive)
    return archives


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    for archive in build(args.out):
        print(f"{archive} ({archive.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
