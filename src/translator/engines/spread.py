"""CTranslate2 batches run elsewhere: on the workers of a Dask cluster, say.

The argos engine does everything but decoding in the calling process: tags,
sentences, SentencePiece, deduplication, batches sorted by length over the
whole call (as `translator run` makes them). Only the batches leave it, as
`decode_batch` calls, and any worker takes the next one: a run's long
sentences are spread over every worker, batch by batch. Cut into chunks of
units instead, each chunk sorted on its own, the synthetic Transformer of
bench/flow_scale.py paid 21 % more decoding for the same units and the
chunk of the longest units ran alone at the end.

A worker needs `translator` and the Argos package installed (found by its
languages and version among the worker's own packages), no site and no
memory; it loads each model once per process.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from translator.engines.argos import Package, installed_packages, load_translator, usable_cores
from translator.errors import EngineError

__all__ = ("BatchFuture", "ModelKey", "RemoteTranslator", "SpreadBatches", "decode_batch")


class BatchFuture(Protocol):
    """What a Dask (or concurrent.futures) future has, as used here."""

    def result(self, timeout: float | None = None) -> Any: ...


Submit = Callable[..., BatchFuture]
"""`submit(function, *arguments)`: runs the call somewhere, a future of its result."""


@dataclass(frozen=True, slots=True)
class ModelKey:
    """A package as a worker finds it among its own (its folder may be elsewhere there)."""

    source: str
    target: str
    version: str
    compute_type: str


@dataclass(frozen=True, slots=True)
class SpreadBatches:
    """An `argos.Spread` over `submit`: `workers` batches decode at once."""

    submit: Submit
    workers: int

    def translator(self, package: Package, compute_type: str) -> RemoteTranslator:
        key = ModelKey(package.source, package.target, package.version, compute_type)
        return RemoteTranslator(self.submit, key)


@dataclass(frozen=True, slots=True)
class RemoteTranslator:
    """A stand-in for ctranslate2.Translator whose batches are `decode_batch` calls."""

    submit: Submit
    key: ModelKey

    def translate_batch(self, source: Sequence[Sequence[str]], **options: Any) -> list[_Sentence]:
        """One pending result per sentence, as CTranslate2's `asynchronous=True` gives."""
        options.pop("asynchronous", None)
        batch = _Batch(self.submit(decode_batch, self.key, [list(s) for s in source], options))
        return [_Sentence(batch, n) for n in range(len(source))]


class _Batch:
    """A batch's future, its result fetched once: each fetch of a Dask future's result
    asks the cluster again (4.6 ms each on a LocalCluster here), 32 times a batch."""

    def __init__(self, future: BatchFuture) -> None:
        self._future = future
        self._hypotheses: list[list[list[str]]] | None = None

    def hypotheses(self) -> list[list[list[str]]]:
        if self._hypotheses is None:
            self._hypotheses = self._future.result()
        return self._hypotheses


@dataclass(frozen=True, slots=True)
class _Sentence:
    batch: _Batch
    index: int

    def result(self) -> _Sentence:
        return self

    @property
    def hypotheses(self) -> list[list[str]]:
        return self.batch.hypotheses()[self.index]


_TRANSLATORS: dict[ModelKey, Any] = {}
_TRANSLATORS_LOCK = threading.Lock()


def decode_batch(
    key: ModelKey, batch: list[list[str]], options: dict[str, Any]
) -> list[list[list[str]]]:
    """Runs on a worker: the batch's hypotheses (pieces), with this process's model."""
    results = _translator(key).translate_batch(batch, **options)
    return [list(result.hypotheses) for result in results]


def _translator(key: ModelKey) -> Any:
    with _TRANSLATORS_LOCK:  # a worker's threads wait for one load
        if not _TRANSLATORS:
            _keep_large_buffers()
        if key not in _TRANSLATORS:
            # As many of the worker's threads as run at once share the one model.
            _TRANSLATORS[key] = load_translator(_package(key), key.compute_type, usable_cores())
        return _TRANSLATORS[key]


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
"""glibc's mallopt parameters (malloc.h)."""


def _keep_large_buffers() -> None:
    """Undo, for this worker, the malloc setting a Dask nanny starts workers with.

    distributed starts every worker with MALLOC_TRIM_THRESHOLD_=65536, which also
    turns off glibc's adaptive mmap threshold: CTranslate2 then maps and unmaps each
    large buffer again at every step. Measured on farzy.org with the fixture models,
    workers started by `dask worker`: 40.6 s for what took 10.9 s without it. glibc
    reads the variable at start-up; mallopt sets both thresholds to the ceiling the
    adaptive threshold reaches. Nothing happens where the variable is unset.
    """
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return
    libc.mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024)
    libc.mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024)


def _package(key: ModelKey) -> Package:
    wanted = (key.source, key.target, key.version)
    for package in installed_packages():
        if (package.source, package.target, package.version) == wanted:
            return package
    raise EngineError(
        f"the Argos package {key.source}→{key.target} {key.version} is not installed on "
        f"worker {os.uname().nodename}",
        hint="install the same package on every worker (`translator models install FILE`)",
    )
