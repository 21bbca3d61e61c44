"""Argos Translate packages on CTranslate2, batched over a whole run.

argostranslate itself translates one line at a time with one CTranslate2
call per line. This engine takes every text of a run at once: it splits them
into sentences with pysbd (rule-based, offline: argostranslate's own
splitters may download a model at first use), deduplicates the sentences,
tokenizes them with the package's SentencePiece model, sorts them by length
and translates them in CTranslate2 batches, then maps the results back.
`naive=True` keeps argostranslate's own `translate()` path reachable, as the
baseline the gain is measured against (bench/argos_throughput.py).

Tags: NMT models drop, move and mangle markup (argos #806, LibreTranslate
#144). What this engine does, argostranslate's own tag injection made safe:
- `<xN/>` placeholders (code, URLs, shortcodes) stay in the model input:
  models copy such short tokens, and the caller reads them back leniently.
- `<gN>…</gN>` pairs (emphasis, links) are removed from the sentence, whose
  translation is then better; the text inside each pair is translated on its
  own, in the same batch, and the pair is put back around that translation
  where it is found in the sentence's translation (case-insensitively, the
  occurrence nearest the run's place in the source).
- When a run's translation is not found, the text falls back to translating
  each run between tags on its own and joining them in source order: every
  tag survives, word order may suffer. Whatever still goes wrong is repaired
  or flagged by the reassembly (translator.reassemble).
Pivots go through English when no direct package is installed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translator.errors import EngineError, ModelNotInstalledError

__all__ = ("ArgosEngine",)

PIVOT = "en"
_TAG = re.compile(r"<(/?)g(\d+)>")
_ANY_TAG = re.compile(r"<[^<>]*>")


@dataclass(frozen=True, slots=True)
class _Package:
    """An installed Argos package, as far as this engine needs it."""

    source: str
    target: str
    version: str
    path: Path
    target_prefix: str


@dataclass
class _Loaded:
    """A package's models, loaded once per engine."""

    translator: Any
    tokenizer: Any


class ArgosEngine:
    """Translates tagged texts with installed Argos packages."""

    name = "argos"

    def __init__(
        self,
        *,
        beam_size: int = 2,
        threads: int = 0,
        compute_type: str = "default",
        batch_size: int = 32,
        auto_install: bool = True,
        naive: bool = False,
        download_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.beam_size = beam_size
        self.threads = threads
        self.compute_type = compute_type
        self.batch_size = batch_size
        self.auto_install = auto_install
        self.naive = naive
        self.download_progress = download_progress
        self._loaded: dict[Path, _Loaded] = {}

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ArgosEngine:
        """An engine from config settings (unknown keys ignored)."""
        names = (
            "beam_size",
            "threads",
            "compute_type",
            "batch_size",
            "auto_install",
            "naive",
            "download_progress",
        )
        return cls(**{k: settings[k] for k in names if k in settings})

    # -- the engine interface ---------------------------------------------------------
    def model_version(self, *, source: str, target: str) -> str:
        """`fr_en-1.9`, or `fr_en-1.9+en_es-1.0` for a pivot: no model is loaded."""
        return "+".join(f"{p.source}_{p.target}-{p.version}" for p in self.route(source, target))

    def translate(self, texts: Sequence[str], *, source: str, target: str) -> list[str]:
        """One translation per text, tags kept; pivots through English when needed."""
        route = self.route(source, target)
        if self.naive:
            return [self._naive(text, source, target) for text in texts]
        result = list(texts)
        for package in route:
            result = self._hop(package, result)
        return result

    # -- packages ---------------------------------------------------------------------
    def route(self, source: str, target: str) -> list[_Package]:
        """The packages that take `source` to `target`; `ModelNotInstalledError` if none do."""
        packages = {(p.source, p.target): p for p in _installed()}
        if (source, target) not in packages and not (
            (source, PIVOT) in packages and (PIVOT, target) in packages
        ):
            self._install_missing(source, target, packages)
            packages = {(p.source, p.target): p for p in _installed()}
        if (source, target) in packages:
            return [packages[(source, target)]]
        return [packages[(source, PIVOT)], packages[(PIVOT, target)]]

    def _install_missing(
        self, source: str, target: str, packages: Mapping[tuple[str, str], _Package]
    ) -> None:
        installed = ", ".join(f"{s}→{t}" for s, t in sorted(packages)) or "none"
        hint = (
            f"installed pairs: {installed}; install one with `translator models install "
            f"{source} {target}` or `translator models install FILE.argosmodel`, "
            "or use `--engine pseudo`"
        )
        if not self.auto_install:
            raise ModelNotInstalledError(f"no Argos package for {source}→{target}", hint=hint)
        from translator import models

        try:
            models.install_pair(source, target, progress=self.download_progress)
        except EngineError as error:
            raise ModelNotInstalledError(
                f"no Argos package for {source}→{target} and {error.message}", hint=hint
            ) from None

    def _load(self, package: _Package) -> _Loaded:
        loaded = self._loaded.get(package.path)
        if loaded is None:
            import ctranslate2
            import sentencepiece

            try:
                translator = ctranslate2.Translator(
                    str(package.path / "model"),
                    device="cpu",
                    compute_type=self.compute_type,
                    inter_threads=1,
                    intra_threads=self.threads,
                )
            except (RuntimeError, ValueError) as error:
                raise EngineError(
                    f"cannot load the model: {error}", path=package.path / "model"
                ) from None
            tokenizer = sentencepiece.SentencePieceProcessor(
                model_file=str(package.path / "sentencepiece.model")
            )
            loaded = self._loaded[package.path] = _Loaded(translator, tokenizer)
        return loaded

    # -- one package over a batch ------------------------------------------------------
    def _hop(self, package: _Package, texts: Sequence[str]) -> list[str]:
        plans = [_plan(text) for text in texts]
        wanted = [s for plan in plans for s in plan.strings()]
        done = self._strings(package, wanted)
        results = [plan.inject(done) for plan in plans]
        retry = [n for n, r in enumerate(results) if r is None]
        if retry:
            pieces = [p for n in retry for p in plans[n].run_pieces()]
            done.update(self._strings(package, pieces))
            for n in retry:
                results[n] = plans[n].run_wise(done)
        return [r if r is not None else texts[n] for n, r in enumerate(results)]

    def _strings(self, package: _Package, strings: Sequence[str]) -> dict[str, str]:
        """Translate distinct strings: sentences split, deduplicated, sorted, batched."""
        splitter = _splitter(package.source)
        sentences_of = {s: _sentences(splitter, s) for s in dict.fromkeys(strings) if s.strip()}
        distinct = list(
            dict.fromkeys(
                sentence
                for parts in sentences_of.values()
                for sentence, _ in parts
                if sentence.strip()
            )
        )
        translated = self._sentences(package, distinct)
        out = {
            s: "".join(translated.get(sentence, sentence) + space for sentence, space in parts)
            for s, parts in sentences_of.items()
        }
        out.update({s: s for s in strings if not s.strip()})
        return out

    def _sentences(self, package: _Package, sentences: Sequence[str]) -> dict[str, str]:
        loaded = self._load(package)
        tokens = [loaded.tokenizer.encode(s, out_type=str) for s in sentences]
        order = sorted(range(len(sentences)), key=lambda n: len(tokens[n]))
        batch = [tokens[n] for n in order]
        prefix = [[package.target_prefix]] * len(batch) if package.target_prefix else None
        longest = max((len(t) for t in batch), default=0)
        results = loaded.translator.translate_batch(
            batch,
            target_prefix=prefix,
            beam_size=self.beam_size,
            max_batch_size=self.batch_size,
            max_input_length=0,
            max_decoding_length=min(1024, 2 * longest + 16),
            replace_unknowns=True,
        )
        translated: dict[str, str] = {}
        for n, result in zip(order, results, strict=True):
            translated[sentences[n]] = _detokenize(loaded.tokenizer, result.hypotheses[0], package)
        return translated

    def _naive(self, text: str, source: str, target: str) -> str:
        """argostranslate's own path, one call per text (the benchmark's baseline)."""
        from argostranslate import translate as argos

        translation = argos.get_translation_from_codes(source, target)
        plan = _plan(text)
        done = {s: translation.translate(s) for s in plan.strings()}
        injected = plan.inject(done)
        if injected is not None:
            return injected
        done.update({s: translation.translate(s) for s in plan.run_pieces()})
        return plan.run_wise(done)


def _installed() -> list[_Package]:
    from argostranslate import package as argos_package

    return [
        _Package(
            p.from_code,
            p.to_code,
            str(p.package_version),
            Path(p.package_path),
            getattr(p, "target_prefix", "") or "",
        )
        for p in argos_package.get_installed_packages()
    ]


def _detokenize(tokenizer: Any, pieces: Sequence[str], package: _Package) -> str:
    text: str = tokenizer.decode_pieces(list(pieces)).replace("▁", " ")
    if package.target_prefix and text.startswith(package.target_prefix):
        text = text[len(package.target_prefix) :]
    return text.strip()


def _splitter(language: str) -> Callable[[str], list[Any]]:
    import pysbd

    try:
        segmenter = pysbd.Segmenter(language=language, clean=False, char_span=True)
    except ValueError:
        segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return segmenter.segment  # type: ignore[no-any-return]


def _sentences(split: Callable[[str], list[Any]], text: str) -> list[tuple[str, str]]:
    """(sentence, whitespace after it) pairs that add up to `text`."""
    parts: list[tuple[str, str]] = []
    position = 0
    for span in split(text):
        start = text.find(span.sent.strip(), position) if span.sent.strip() else -1
        if start < 0:
            return [(text.strip(), "")]
        end = start + len(span.sent.strip())
        if parts and text[position:start].strip() == "":
            parts[-1] = (parts[-1][0], parts[-1][1] + text[position:start])
        elif position < start:
            return [(text.strip(), "")]
        parts.append((text[start:end], ""))
        position = end
    if parts:
        parts[-1] = (parts[-1][0], parts[-1][1] + text[position:])
    return parts or [(text, "")]


@dataclass(frozen=True, slots=True)
class _Run:
    """The text inside one `<gN>…</gN>` pair."""

    name: str
    text: str
    at: float


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one tagged text is translated: the sentence without pairs, and each pair's run."""

    text: str
    sentence: str
    runs: tuple[_Run, ...]
    placeholders: tuple[str, ...]

    def strings(self) -> Iterator[str]:
        """What must be translated for the sentence-and-injection strategy."""
        yield self.sentence
        for run in self.runs:
            yield run.text

    def inject(self, done: Mapping[str, str]) -> str | None:
        """Put each pair around its run's translation inside the sentence's; None if lost."""
        result = _canonical_placeholders(done[self.sentence], self.placeholders)
        if result is None:
            return None
        for run in self.runs:
            found = _find(result, done[run.text], run.at)
            if found is None:
                return None
            start, end = found
            result = f"{result[:start]}<{run.name}>{result[start:end]}</{run.name}>{result[end:]}"
        return result

    def run_pieces(self) -> list[str]:
        """The texts between tags, for the run-wise fallback."""
        return [p.strip() for p in _ANY_TAG.split(self.text) if p.strip()]

    def run_wise(self, done: Mapping[str, str]) -> str:
        """Every piece between tags translated alone, tags kept in source order."""
        out = []
        for piece in re.split(r"(<[^<>]*>)", self.text):
            if piece.startswith("<") or not piece.strip():
                out.append(piece)
            else:
                lead = piece[: len(piece) - len(piece.lstrip())]
                trail = piece[len(piece.rstrip()) :]
                out.append(lead + done[piece.strip()] + trail)
        return "".join(out)


def _plan(text: str) -> _Plan:
    sentence = re.sub(r"\s{2,}", " ", _TAG.sub("", text)).strip()
    runs: list[_Run] = []
    for match in _TAG.finditer(text):
        if match.group(1):
            continue
        name = f"g{match.group(2)}"
        close = text.find(f"</{name}>", match.end())
        if close < 0:
            continue
        inner = _ANY_TAG.sub("", text[match.end() : close]).strip()
        plain_before = len(_TAG.sub("", text[: match.start()]))
        if inner:
            runs.append(_Run(name, inner, plain_before / max(1, len(sentence))))
    # Innermost pairs last: an outer pair is injected first and the inner one inside it.
    placeholders = tuple(f"x{n}" for n in re.findall(r"<x(\d+)/>", text))
    return _Plan(text, sentence, tuple(runs), placeholders)


def _canonical_placeholders(translation: str, names: Sequence[str]) -> str | None:
    """The translation with each placeholder written `<xN/>` again; None if one is lost."""
    for name in names:
        loose = re.compile(rf"<\s*{name[0]}\s*{name[1:]}\s*/?\s*>", re.IGNORECASE)
        if len(loose.findall(translation)) != 1:
            return None
        translation = loose.sub(f"<{name}/>", translation)
    return translation


def _find(haystack: str, needle: str, at: float) -> tuple[int, int] | None:
    """The span of `needle` in `haystack` (ignoring case) nearest the relative position `at`."""
    if not needle:
        return None
    visible = _ANY_TAG.sub(lambda m: "\0" * len(m.group(0)), haystack).lower()
    starts = [m.start() for m in re.finditer(re.escape(needle.lower()), visible)]
    if not starts:
        return None
    best = min(starts, key=lambda s: abs(s / max(1, len(haystack)) - at))
    return best, best + len(needle)
