"""Argos Translate packages on CTranslate2, batched over a whole run.

argostranslate translates one line at a time, one CTranslate2 call per line
(FIELD-NOTES: "No real batching"). This engine takes every text of a call at
once and drives CTranslate2 itself:

1. Paired tags (below) are taken out; what remains are plain strings.
2. Each string is split into sentences with pysbd (rule-based and offline:
   argostranslate's own splitters may download a model at first use). The
   whitespace between sentences is kept and put back verbatim. A sentence
   longer than `MAX_SOURCE_TOKENS` pieces is cut between clauses (after
   `,` `;` `:`), else between words, so nothing is ever truncated.
3. Sentences are deduplicated across the whole batch, tokenized with the
   package's SentencePiece model as argostranslate does (`encode(out_type=str)`,
   the package's `target_prefix`, `length_penalty=0.2`, `replace_unknowns`),
   sorted by length and queued in chunks of `batch_size` to CTranslate2
   (`threads` workers in parallel, one per CPU by default), each
   chunk with `max_decoding_length = min(512, 2 × its longest input + 10)` and
   `max_input_length=0` (CTranslate2 would otherwise cut inputs at 1024
   pieces without a word). A real sentence ends long before that limit; a
   hypothesis that reaches it is degenerate and logged as a warning.
4. Translations are mapped back. A pair with no package goes through English
   (fr→en, then en→es), the English strings split again by the second hop.

Tag strategy. NMT models drop, move and mangle markup (argos #806,
LibreTranslate #144), and a sentence reads better to a model without it.
argostranslate's own `tags.py` translates the sentence without tags, then
puts each tag around the separately translated text of its run, found
verbatim in the sentence's translation. This engine does that, made safe:

- `<gN>…</gN>` pairs (emphasis, links, images) are removed from the sentence;
  the text of each pair (its run, placeholders included) is translated as an
  extra string of the same batch, then looked for in the sentence's
  translation: case-insensitively, at word edges when possible, inside its
  parent pair, clear of its siblings, nearest the place the run had in the
  source. The pair goes around it, so nesting is always valid.
- `<xN/>` placeholders (inline code, URLs, shortcodes, hard breaks) stay in
  the model's input: models copy such short tokens (the fixture writes
  `<X2/>`), and they are written back `<x2/>`.
- If a run's translation is not found, or a placeholder is lost or doubled,
  that text falls back to translating each stretch between two tags on its
  own and joining them with every tag in source order: no tag is ever
  dropped, though word order may suffer. Whatever a model still gets wrong
  is repaired or flagged by `translator.markdown.reassemble.render_segment`.

`naive=True` runs the same tag layer over argostranslate's own `Translation`
objects, one text at a time (configured by its `ARGOS_*` environment
variables; its tokenizer also turns `_` into a space): the baseline that
bench/argos_throughput.py measures this engine against.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Protocol

from translator.errors import EngineError, ModelNotInstalledError

__all__ = (
    "ArgosEngine",
    "ArgosSettings",
    "LoadedModel",
    "Package",
    "Spread",
    "StringTranslator",
    "check_compute_type",
    "installed_packages",
    "load_translator",
    "runnable_compute_types",
    "translate_tagged",
    "usable_cores",
)

PIVOT = "en"
"""The language a pair with no package of its own goes through."""
MAX_SOURCE_TOKENS = 200
"""Longer sentences are cut between clauses before translation."""
MAX_DECODING_TOKENS = 512
"""Upper bound of CTranslate2's max_decoding_length."""
LENGTH_PENALTY = 0.2
"""argostranslate's value, so beam search ranks hypotheses as it does."""

_LOG = logging.getLogger(__name__)
_TAG = re.compile(r"<(/?)([gx])(\d+)(/?)>")
_PLACEHOLDER = re.compile(r"<x\d+/>")
_PAIRS = re.compile(r"</?g\d+>")
_CLAUSE_END = (",", ";", ":")

Progress = Callable[[int, int], None]
StringTranslator = Callable[[Sequence[str]], list[str]]
"""Translates distinct one-line strings (placeholders kept), one result per string, in order."""
Splitter = Callable[[str], list[str]]
"""Cuts a text into sentences, each with the whitespace after it."""


class Spread(Protocol):
    """Where CTranslate2 batches run when not in this process (`translator.engines.spread`)."""

    @property
    def workers(self) -> int:
        """Batches that run at once (a batch's share of a call is set by it)."""
        ...

    def translator(self, package: Package, compute_type: str) -> Any:
        """Something with ctranslate2.Translator's asynchronous `translate_batch`."""
        ...


@dataclass(frozen=True, slots=True)
class ArgosSettings:
    """How the engine drives CTranslate2 (the engine table of translator.toml)."""

    beam_size: int = 2
    """Beam size of the search (1 = greedy)."""
    threads: int = 0
    """CTranslate2 workers translating batches in parallel, one thread each; 0 = one per CPU."""
    compute_type: str = "default"
    """CTranslate2 compute type; "default" is the type the model was converted to."""
    batch_size: int = 32
    """Sentences per CTranslate2 batch."""
    auto_install: bool = True
    """Install a missing pair from the Argos index (fails fast, clearly, offline)."""
    naive: bool = False
    """Translate with argostranslate's own objects, one text at a time (the baseline)."""

    def __post_init__(self) -> None:
        for name in ("beam_size", "batch_size"):
            if getattr(self, name) < 1:
                raise EngineError(
                    f"{name} must be at least 1", hint="fix the engine table of translator.toml"
                )
        if self.threads < 0:
            raise EngineError(
                "threads must be 0 or more", hint="fix the engine table of translator.toml"
            )


@dataclass(frozen=True, slots=True)
class Package:
    """An installed Argos package, as far as this engine needs it."""

    source: str
    """Language it translates from."""
    target: str
    """Language it translates into."""
    version: str
    """The package's version, for the memory."""
    path: Path
    """Its folder."""
    target_prefix: str
    """Token that starts every output (multilingual packages), or ""."""


class _Tokenizer(Protocol):
    def encode(self, texts: Sequence[str]) -> list[list[str]]: ...

    def decode(self, pieces: Sequence[str]) -> str: ...


@dataclass(frozen=True, slots=True)
class _SentencePiece:
    """SentencePiece as argostranslate uses it, minus its turning `_` into spaces."""

    processor: Any
    """A sentencepiece.SentencePieceProcessor."""

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        pieces: list[list[str]] = self.processor.encode(list(texts), out_type=str)
        return pieces

    def decode(self, pieces: Sequence[str]) -> str:
        return str(self.processor.decode_pieces(list(pieces))).replace("▁", " ")


@dataclass(frozen=True, slots=True)
class _ArgosTokenizer:
    """argostranslate's own tokenizer, for packages with a BPE model instead."""

    tokenizer: Any
    """An argostranslate.tokenizer.Tokenizer."""

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        return [self.tokenizer.encode(text) for text in texts]

    def decode(self, pieces: Sequence[str]) -> str:
        return str(self.tokenizer.decode(list(pieces)))


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """One package's CTranslate2 translator and tokenizer, loaded once per engine."""

    package: Package
    """The package they come from."""
    translator: Any
    """The ctranslate2.Translator (or a `Spread`'s stand-in for one)."""
    tokenizer: _Tokenizer
    """Its SentencePiece (or BPE) tokenizer."""
    workers: int
    """Batches that run at once (see `_batches`)."""


class ArgosEngine:
    """Translates tagged texts with installed Argos packages, whole batches at a time."""

    name = "argos"

    def __init__(
        self,
        settings: ArgosSettings | None = None,
        *,
        download_progress: Progress | None = None,
        spread: Spread | None = None,
    ) -> None:
        """`spread`: run the batches there (a Dask cluster's workers) instead of in this
        process; everything else (tags, sentences, tokens, batching) stays here."""
        self.settings = settings or ArgosSettings()
        self.spread = spread
        if not self.settings.naive:
            # Before anything is installed or loaded: the CPU decides, whatever the model.
            check_compute_type(self.settings.compute_type)
        self.download_progress = download_progress
        self._models: dict[Path, LoadedModel] = {}
        self._splitters: dict[str, Splitter] = {}

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, Any], *, spread: Spread | None = None
    ) -> ArgosEngine:
        """An engine from the `[engine]` settings (unknown keys ignored)."""
        known = {f.name for f in fields(ArgosSettings)}
        chosen = ArgosSettings(**{k: v for k, v in settings.items() if k in known})
        return cls(chosen, download_progress=settings.get("download_progress"), spread=spread)

    def model_version(self, *, source: str, target: str) -> str:
        """`fr_en-1.9`, or `fr_en-1.9+en_es-1.0` through English; reads metadata only."""
        return "+".join(f"{p.source}_{p.target}-{p.version}" for p in self.route(source, target))

    def translate(self, texts: Sequence[str], *, source: str, target: str) -> list[str]:
        """One translation per text, in order, every tag kept."""
        route = self.route(source, target)
        if not texts:
            return []
        if self.settings.naive:
            strings = _argos_strings(source, target)
            return [translate_tagged([text], strings)[0] for text in texts]
        hops = [self._hop(package) for package in route]
        return translate_tagged(texts, _chain(hops))

    def route(self, source: str, target: str) -> list[Package]:
        """The packages from `source` to `target`, installed first if allowed and missing."""
        found = _route(source, target, installed_packages())
        if found is None and self.settings.auto_install:
            self._install(source, target)
            found = _route(source, target, installed_packages())
        if found is None:
            raise _not_installed(source, target)
        return found

    def models(self, source: str, target: str) -> tuple[LoadedModel, ...]:
        """The loaded models of the route, loading those not loaded yet."""
        return tuple(self._load(package) for package in self.route(source, target))

    def _install(self, source: str, target: str) -> None:
        from translator.engines import models

        try:
            models.install_pair(source, target, progress=self.download_progress)
        except EngineError as error:
            raise _not_installed(source, target, because=error.message) from error

    def _load(self, package: Package) -> LoadedModel:
        loaded = self._models.get(package.path)
        if loaded is None and self.spread is not None:
            translator = self.spread.translator(package, self.settings.compute_type)
            loaded = LoadedModel(package, translator, _tokenizer(package), self.spread.workers)
            self._models[package.path] = loaded
        elif loaded is None:
            loaded = self._models[package.path] = _load_model(package, self.settings)
        return loaded

    def _hop(self, package: Package) -> StringTranslator:
        model = self._load(package)
        split = self._splitter(package.source)
        return lambda strings: _translate_strings(strings, model, split, self.settings)

    def _splitter(self, language: str) -> Splitter:
        split = self._splitters.get(language)
        if split is None:
            split = self._splitters[language] = _pysbd_splitter(language)
        return split


# -- packages ----------------------------------------------------------------------------


def installed_packages() -> list[Package]:
    """Translation packages in argostranslate's package folders (its env vars respected)."""
    from argostranslate import package as argos_package

    return [
        Package(
            p.from_code,
            p.to_code,
            str(p.package_version),
            Path(p.package_path),
            str(getattr(p, "target_prefix", "") or ""),
        )
        for p in argos_package.get_installed_packages()
        if getattr(p, "type", "translate") == "translate"
    ]


def _route(source: str, target: str, packages: Sequence[Package]) -> list[Package] | None:
    pairs = {(p.source, p.target): p for p in reversed(packages)}  # the first one wins
    if (source, target) in pairs:
        return [pairs[(source, target)]]
    legs = [pairs.get((source, PIVOT)), pairs.get((PIVOT, target))]
    return [leg for leg in legs if leg is not None] if all(legs) else None


def _not_installed(source: str, target: str, *, because: str = "") -> ModelNotInstalledError:
    pairs = sorted({f"{p.source}→{p.target}" for p in installed_packages()})
    why = f" ({because})" if because else ""
    return ModelNotInstalledError(
        f"no Argos package for {source}→{target}, directly or through English{why}; "
        f"installed pairs: {', '.join(pairs) or 'none'}",
        hint="install one with `translator models install FILE.argosmodel` "
        f"(or `translator models install {source} {target}` when online), "
        "or translate with `--engine pseudo`",
    )


def runnable_compute_types() -> frozenset[str]:
    """The compute types CTranslate2 can run on this machine's CPU, with `default` and `auto`.

    Machine-dependent: int16 exists on some x86-64 CPUs only (an AMD EPYC with
    AVX-512 offers int8, int8_float32 and float32), float16 and bfloat16 on
    few. `default` (the model's own type) and `auto` let CTranslate2 fall back
    to a type the CPU runs.
    """
    import ctranslate2

    return frozenset({"default", "auto", *ctranslate2.get_supported_compute_types("cpu")})


def check_compute_type(compute_type: str) -> None:
    """Refuse, before any model is loaded, a compute type this CPU cannot run."""
    runnable = runnable_compute_types()
    if compute_type not in runnable:
        raise EngineError(
            f"compute type {compute_type!r} cannot run on this machine's CPU "
            f"(it runs: {', '.join(sorted(runnable))})",
            hint="pass one of them with --compute-type, or set `compute_type` in the "
            "[engine] table of translator.toml (`default` always works)",
        )


def _load_model(package: Package, settings: ArgosSettings) -> LoadedModel:
    workers = _workers(settings)
    return LoadedModel(
        package,
        load_translator(package, settings.compute_type, workers),
        _tokenizer(package),
        workers,
    )


def load_translator(package: Package, compute_type: str, workers: int) -> Any:
    """The package's ctranslate2.Translator: `workers` batches at once, one thread each."""
    import ctranslate2

    try:
        return ctranslate2.Translator(
            str(package.path / "model"),
            device="cpu",
            compute_type=compute_type,
            inter_threads=workers,
            intra_threads=1,
        )
    except ValueError as error:
        raise EngineError(
            f"CTranslate2 refused compute type {compute_type!r} ({error})",
            path=package.path,
            hint='set `compute_type = "default"` in the [engine] table of translator.toml '
            "or pass --compute-type default",
        ) from error
    except RuntimeError as error:
        raise EngineError(
            f"cannot load the model ({error})",
            path=package.path,
            hint="reinstall the package with `translator models install`",
        ) from error


def _workers(settings: ArgosSettings) -> int:
    """Parallel CTranslate2 workers: `threads`, or one per CPU this process may use.

    A run is many batches, and batches side by side beat threads inside one:
    on 2 cores, 2 workers of 1 thread decode ~2,000 tokens/s against ~950 for
    CTranslate2's default (1 worker, several threads) on Transformer base
    (bench/argos_throughput.py). Workers share the model's weights.
    """
    return settings.threads or usable_cores()


def usable_cores() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _tokenizer(package: Package) -> _Tokenizer:
    sentencepiece_model = package.path / "sentencepiece.model"
    if sentencepiece_model.exists():
        import sentencepiece

        return _SentencePiece(sentencepiece.SentencePieceProcessor(str(sentencepiece_model)))
    from argostranslate import package as argos_package

    tokenizer = getattr(argos_package.Package(package.path), "tokenizer", None)
    if tokenizer is None:
        raise EngineError(
            "the package has no tokenizer model",
            path=package.path,
            hint="reinstall the package with `translator models install`",
        )
    return _ArgosTokenizer(tokenizer)


def _argos_strings(source: str, target: str) -> StringTranslator:
    from argostranslate import translate as argos

    translation = argos.get_translation_from_codes(source, target)
    return lambda strings: [translation.translate(s) for s in strings]


# -- plain strings through the models ------------------------------------------------------


def _chain(hops: Sequence[StringTranslator]) -> StringTranslator:
    def translate(strings: Sequence[str]) -> list[str]:
        result = list(strings)
        for hop in hops:
            result = hop(result)
        return result

    return translate


def _translate_strings(
    strings: Sequence[str], model: LoadedModel, split: Splitter, settings: ArgosSettings
) -> list[str]:
    """Strings cut into sentences, distinct sentences translated in batches, put back."""

    def count(text: str) -> int:
        return len(model.tokenizer.encode([text])[0])

    layouts = [_layout(text, split, count) for text in strings]
    wanted = list(dict.fromkeys(u for layout in layouts for u, _ in layout if _has_words(u)))
    done = dict(zip(wanted, _translate_sentences(wanted, model, settings), strict=True))
    return ["".join(done.get(u, u) + space for u, space in layout).strip() for layout in layouts]


def _pysbd_splitter(language: str) -> Splitter:
    import pysbd

    try:
        segmenter = pysbd.Segmenter(language=language, clean=False, char_span=True)
    except ValueError:  # a language pysbd has no rules for: its generic (English) ones
        segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return lambda text: [span.sent for span in segmenter.segment(text)]


def _layout(text: str, split: Splitter, count: Callable[[str], int]) -> list[tuple[str, str]]:
    """(sentence, whitespace after it) pairs that add up to `text`, none too long."""
    spans = split(text)
    if "".join(spans) != text:  # never seen on the corpus, but no character may be lost
        spans = [text]
    layout: list[tuple[str, str]] = []
    for span in spans:
        sentence = span.rstrip()
        space = span[len(sentence) :]
        # A piece covers at least one UTF-8 byte, bar the leading "▁": most need no count.
        if len(sentence.encode()) < MAX_SOURCE_TOKENS or count(sentence) <= MAX_SOURCE_TOKENS:
            layout.append((sentence, space))
        else:
            *pieces, (last, _) = _cut_long(sentence, count)
            layout.extend([*pieces, (last, space)])
    return layout


def _cut_long(sentence: str, count: Callable[[str], int]) -> list[tuple[str, str]]:
    """Cut between words, after a clause where possible, into pieces of few enough tokens."""
    words = re.split(r"(\s+)", sentence)  # words at even indexes, whitespace at odd ones
    pieces: list[tuple[str, str]] = []
    first, total, clause = 0, 0, -1
    for n in range(0, len(words), 2):
        size = count(words[n])
        if total and total + size > MAX_SOURCE_TOKENS:
            last = clause if clause >= first else n - 2
            pieces.append(("".join(words[first : last + 1]), words[last + 1]))
            first, clause = last + 2, -1
            total = sum(count(words[k]) for k in range(first, n, 2))
        total += size
        if words[n].endswith(_CLAUSE_END):
            clause = n
    pieces.append(("".join(words[first:]), ""))
    return pieces


def _translate_sentences(
    sentences: Sequence[str], model: LoadedModel, settings: ArgosSettings
) -> list[str]:
    """Sorted by length, chunked (`_batches`), every chunk queued at once so parallel
    workers share them."""
    if not sentences:
        return []
    tokens = model.tokenizer.encode(sentences)
    jobs = _batches([len(t) for t in tokens], settings, model.workers)
    queued = [_submit(model, [tokens[n] for n in job], settings) for job in jobs]
    results = [""] * len(sentences)
    for job, (limit, pending) in zip(jobs, queued, strict=True):
        for n, result in zip(job, pending, strict=True):
            results[n] = _decode(model, _hypothesis(result), limit, sentences[n])
    return results


def _batches(lengths: Sequence[int], settings: ArgosSettings, workers: int) -> list[list[int]]:
    """Sentence indexes in batches of like length, the longest batches first.

    A batch costs about its size times its longest sentence, and a batch of
    a run's longest sentences costs many times one of its short ones. So, with
    several workers, a batch holds at most a (2 × workers)th of the run's tokens
    (and `batch_size` sentences): a few posts' long sentences become several
    batches the workers share, not one that runs alone while the others idle,
    and queued first, the short batches fill in at the end. On 2 workers, a
    50-post site's first pass took 10.1 s of decoding, 8.7 s with the longest
    batch first, 4.8 s with both (each batch's CPU measured alone, then
    scheduled; bench/flow_scale.py's site). A large run's batches are only
    reordered: its share is larger than `batch_size` long sentences.
    """
    order = sorted(range(len(lengths)), key=lambda n: lengths[n])
    share = -(-sum(lengths) // (2 * workers)) if workers > 1 else None
    jobs: list[list[int]] = []
    job: list[int] = []
    for n in order:
        full = len(job) >= settings.batch_size
        if job and (full or (share is not None and (len(job) + 1) * lengths[n] > share)):
            jobs.append(job)
            job = []
        job.append(n)
    jobs.append(job)
    return jobs[::-1]


def _submit(
    model: LoadedModel, batch: Sequence[Sequence[str]], settings: ArgosSettings
) -> tuple[int, list[Any]]:
    prefix = model.package.target_prefix
    limit = min(MAX_DECODING_TOKENS, 2 * max(len(t) for t in batch) + 10) + bool(prefix)
    pending = model.translator.translate_batch(
        [list(t) for t in batch],
        target_prefix=[[prefix]] * len(batch) if prefix else None,
        asynchronous=True,
        beam_size=settings.beam_size,
        num_hypotheses=1,
        length_penalty=LENGTH_PENALTY,
        replace_unknowns=True,
        max_input_length=0,
        max_decoding_length=limit,
    )
    return limit, list(pending)


def _hypothesis(pending: Any) -> list[str]:
    try:
        hypothesis: list[str] = pending.result().hypotheses[0]
    except RuntimeError as error:
        raise EngineError(f"CTranslate2 failed on a batch ({error})") from error
    return hypothesis


def _decode(model: LoadedModel, pieces: list[str], limit: int, sentence: str) -> str:
    prefix = model.package.target_prefix
    if prefix and pieces[:1] == [prefix]:
        pieces = pieces[1:]
    if len(pieces) + bool(prefix) >= limit:
        _LOG.warning("a translation reached the decoding limit (%d): %.60r", limit, sentence)
    return model.tokenizer.decode(pieces).strip()


# -- the tag layer -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Run:
    """The words inside one `<gN>…</gN>` pair, placed in the sentence without pairs."""

    name: str
    """`g1`."""
    text: str
    """Its words, placeholders kept, nested pairs removed, no edge whitespace."""
    start: int
    """Where `text` starts in the plan's sentence."""
    parent: str | None
    """The pair it sits in, if any."""
    depth: int
    """How many pairs it sits in."""
    placeholders: tuple[str, ...]
    """The placeholders inside it, `x2`."""


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one tagged text is translated."""

    text: str
    """The text as given."""
    sentence: str
    """The text without its pairs (placeholders kept); "" when it cannot be planned."""
    runs: tuple[_Run, ...]
    """Its pairs, outer before inner, left to right."""
    placeholders: tuple[str, ...]
    """Its placeholders, `x2`."""

    def strings(self) -> Iterator[str]:
        """What the model must translate for the sentence-and-runs strategy."""
        if self.sentence:
            yield self.sentence
            yield from (run.text for run in self.runs)
        else:
            yield from self.pieces()

    def pieces(self) -> Iterator[str]:
        """The stretches between tags, for the run-wise fallback."""
        for part, is_tag in _stretches(self.text):
            if not is_tag and part.strip():
                yield part.strip()


def translate_tagged(texts: Sequence[str], translate: StringTranslator) -> list[str]:
    """Translate tagged texts with a translator of plain strings, putting every tag back."""
    plans = [_plan(text) for text in texts]
    done = _translate_new([s for plan in plans for s in plan.strings()], translate, {})
    results = [_inject(plan, done) if plan.sentence else None for plan in plans]
    failed = [plan for plan, result in zip(plans, results, strict=True) if result is None]
    done = _translate_new([s for plan in failed for s in plan.pieces()], translate, done)
    return [
        result if result is not None else _run_wise(plan, done)
        for plan, result in zip(plans, results, strict=True)
    ]


def _translate_new(
    strings: Sequence[str], translate: StringTranslator, done: Mapping[str, str]
) -> dict[str, str]:
    todo = [s for s in dict.fromkeys(strings) if s not in done and _has_words(s)]
    result = {**done, **{s: s for s in strings if not _has_words(s)}}
    if todo:
        translated = translate(todo)
        if len(translated) != len(todo):
            raise EngineError(f"got {len(translated)} translations for {len(todo)} sentences")
        result.update(zip(todo, translated, strict=True))
    return result


def _has_words(text: str) -> bool:
    return any(char.isalpha() for char in _PLACEHOLDER.sub("", text))


def _stretches(text: str) -> Iterator[tuple[str, bool]]:
    """Words and tags in order, each with whether it is a tag."""
    position = 0
    for match in _TAG.finditer(text):
        yield text[position : match.start()], False
        yield match.group(0), True
        position = match.end()
    yield text[position:], False


def _plan(text: str) -> _Plan:
    """Take the pairs out of `text`; a plan with no sentence if they do not nest."""
    unplanned = _Plan(text, "", (), ())
    opened: list[tuple[str, int]] = []
    spans: list[tuple[int, str, int, str | None, int]] = []  # start, name, end, parent, depth
    for match in _TAG.finditer(text):
        closing, kind, number, empty = match.groups()
        if kind == "x":
            if closing or not empty:
                return unplanned
        elif empty:
            return unplanned
        elif not closing:
            opened.append((kind + number, match.start()))
        elif opened and opened[-1][0] == kind + number:
            name, start = opened.pop()
            parent = opened[-1][0] if opened else None
            spans.append((start, name, match.end(), parent, len(opened)))
        else:
            return unplanned
    return unplanned if opened else _plan_runs(text, sorted(spans))


def _plan_runs(text: str, spans: Sequence[tuple[int, str, int, str | None, int]]) -> _Plan:
    sentence = _PAIRS.sub("", text)
    lead = len(sentence) - len(sentence.lstrip())
    runs: list[_Run] = []
    for start, name, end, parent, depth in spans:
        inner = _PAIRS.sub("", text[start:end])
        words = inner.strip()
        if not words:  # an empty pair has no words to go around: run-wise
            return _Plan(text, "", (), ())
        at = len(_PAIRS.sub("", text[:start])) + inner.index(words) - lead
        runs.append(_Run(name, words, max(0, at), parent, depth, _names(words)))
    return _Plan(text, sentence.strip(), tuple(runs), _names(sentence))


def _names(text: str) -> tuple[str, ...]:
    return tuple(match[1:-2] for match in _PLACEHOLDER.findall(text))


def _inject(plan: _Plan, done: Mapping[str, str]) -> str | None:
    """The sentence's translation with each pair around its run's; None if one is lost."""
    translation = _canonical(done[plan.sentence], plan.placeholders)
    if translation is None:
        return None
    parents = {run.name: run.parent for run in plan.runs}
    spans: dict[str, tuple[int, int]] = {}
    for run in plan.runs:
        needle = _canonical(done[run.text], run.placeholders)
        if needle is None or not needle.strip():
            return None
        region = spans[run.parent] if run.parent else (0, len(translation))
        ancestors = set(_ancestors(run.name, parents))
        taken = [span for name, span in spans.items() if name not in ancestors]
        expected = run.start * len(translation) / max(1, len(plan.sentence))
        span = _locate(translation, needle.strip(), region, taken, expected)
        if span is None:
            return None
        spans[run.name] = span
    return _insert_pairs(translation, spans, {run.name: run.depth for run in plan.runs})


def _ancestors(name: str, parents: Mapping[str, str | None]) -> Iterator[str]:
    parent = parents[name]
    while parent is not None:
        yield parent
        parent = parents[parent]


def _canonical(translation: str, names: Sequence[str]) -> str | None:
    """Each placeholder written `<xN/>` again; None if one is missing or doubled."""
    for name in names:
        loose = re.compile(rf"<\s*x\s*{name[1:]}\s*/?\s*>", re.IGNORECASE)
        translation, found = loose.subn(f"<{name}/>", translation)
        if found != 1:
            return None
    return translation


def _locate(
    text: str,
    needle: str,
    region: tuple[int, int],
    taken: Sequence[tuple[int, int]],
    expected: float,
) -> tuple[int, int] | None:
    """Where `needle` is in `text` (any case), in `region`, clear of `taken`, nearest `expected`."""
    haystack, wanted, size = _fold(text), _fold(needle), len(needle)
    placeholders = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    found: list[int] = []
    at = haystack.find(wanted, region[0])
    while at != -1 and at + size <= region[1]:
        cuts_placeholder = any(s < edge < e for s, e in placeholders for edge in (at, at + size))
        if not cuts_placeholder and not any(at < e and s < at + size for s, e in taken):
            found.append(at)
        at = haystack.find(wanted, at + 1)
    whole_words = [at for at in found if _at_word_edges(text, at, at + size)]
    best = min(whole_words or found, key=lambda at: abs(at - expected), default=None)
    return None if best is None else (best, best + size)


def _fold(text: str) -> str:
    """Lower case that keeps every index (a few characters lower to two)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _at_word_edges(text: str, start: int, end: int) -> bool:
    before = start == 0 or not (text[start - 1].isalnum() and text[start].isalnum())
    after = end == len(text) or not (text[end - 1].isalnum() and text[end].isalnum())
    return before and after


def _insert_pairs(text: str, spans: Mapping[str, tuple[int, int]], depth: Mapping[str, int]) -> str:
    # At one position: closing tags first, inner ones first; then opening tags, outer first.
    events = sorted(
        [(start, 1, depth[name], f"<{name}>") for name, (start, _) in spans.items()]
        + [(end, 0, -depth[name], f"</{name}>") for name, (_, end) in spans.items()]
    )
    out: list[str] = []
    position = 0
    for at, _, _, tag in events:
        out.extend([text[position:at], tag])
        position = at
    out.append(text[position:])
    return "".join(out)


def _run_wise(plan: _Plan, done: Mapping[str, str]) -> str:
    """Each stretch between tags translated alone; every tag kept, in source order."""
    out: list[str] = []
    for part, is_tag in _stretches(plan.text):
        words = part.strip()
        if is_tag or not words:
            out.append(part)
        else:
            out.append(part[: part.index(words)] + done[words] + part[len(part.rstrip()) :])
    return "".join(out)
