"""Where chunks of units are translated: threads here, a Dask cluster for the run, or one running.

On a cluster, a chunk goes one of two ways. With the `argos` engine the chunk
is translated here, and only its CTranslate2 batches go to the workers
(`translator.engines.spread`): the batches are cut over the whole chunk as
`translator run` cuts them, and each worker takes the next batch, so the
run's longest sentences are shared by every worker instead of making one
chunk that one worker decodes while the others wait. Any other engine gets
the chunk whole (`translator.pipeline.translate_chunk` on a worker).

Either way a task is a plain Dask call, not a Prefect task: on a worker a
Prefect task run rebuilds Prefect's settings and an API client every time
(measured here: 0.5–1.2 s per task, `bench/flow_scale.py` prints it), a plain
Dask future costs milliseconds. So a worker needs `translator` and the
engine's model installed, and nothing else: no site, no memory, no Prefect
API, no copy of flows/. The flow records each chunk as a `commit` task when it
comes back.
"""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from translator import pipeline
from translator.errors import ConfigError

__all__ = ("InFlight", "Returned", "chunk_runner", "runner_choice", "spreads_batches")

THREADS = 2
"""Chunks in flight on the `threads` runner: one translating while another is committed."""
WORKER_CONFIG: dict[str, Any] = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
"""Dask config for the workers a run starts. distributed sets MALLOC_TRIM_THRESHOLD_=65536
in a worker's environment, to hand freed memory back to the system; it also turns off
glibc's adaptive mmap threshold, so CTranslate2's every large buffer is mapped and
unmapped again: about twice the CPU per translated unit, the Dask path 3× the CLI's
time (bench/flow_scale.py). None unsets it (distributed's own convention)."""


class ChunkFuture(Protocol):
    """What concurrent.futures and distributed futures have in common, as used here."""

    def result(self, timeout: float | None = None) -> Any: ...

    def add_done_callback(self, fn: Callable[[Any], object]) -> None: ...


Submit = Callable[[pipeline.Chunk], ChunkFuture]


def spreads_batches(choice: str, engine: str) -> bool:
    """Whether a chunk's batches, not the chunk, go to the runner's workers."""
    return choice != "threads" and engine == "argos"


def runner_choice(choice: str) -> str:
    """`threads`, `dask`, or a scheduler address; `ConfigError` for anything else."""
    if choice in ("threads", "dask") or "://" in choice:
        return choice
    raise ConfigError(
        f"unknown task runner {choice!r}",
        hint="use threads, dask (a local cluster) or a scheduler address such as tcp://host:8786",
    )


@contextlib.contextmanager
def chunk_runner(choice: str) -> Iterator[Submit]:
    """A function that sends a chunk to be translated, for the run's duration."""
    if choice == "threads":
        with ThreadPoolExecutor(THREADS, thread_name_prefix="translate") as pool:
            yield lambda chunk: pool.submit(pipeline.translate_chunk, chunk)
        return
    # Imported here: a site that never uses Dask never needs it installed.
    from distributed import Client

    from translator.engines.argos import ArgosEngine, usable_cores
    from translator.engines.spread import SpreadBatches

    with contextlib.ExitStack() as stack:
        address = choice
        if choice == "dask":
            cluster = local_cluster(n_workers=usable_cores())
            address = stack.enter_context(cluster).scheduler_address
        # With an address: connect only; the cluster (and its loaded models) outlives the run.
        client = stack.enter_context(Client(address))  # type: ignore[no-untyped-call]
        here = stack.enter_context(ThreadPoolExecutor(THREADS, thread_name_prefix="translate"))
        spread = SpreadBatches(
            lambda call, *args: client.submit(call, *args, pure=False),
            workers=max(1, sum(client.nthreads().values())),
        )
        engines: dict[tuple[tuple[str, Any], ...], ArgosEngine] = {}

        def submit(chunk: pipeline.Chunk) -> ChunkFuture:
            if not spreads_batches(choice, chunk.engine):
                whole: ChunkFuture = client.submit(pipeline.translate_chunk, chunk, pure=False)
                return whole
            engine = engines.get(chunk.settings)
            if engine is None:
                engine = engines[chunk.settings] = ArgosEngine.from_settings(
                    dict(chunk.settings), spread=spread
                )
            return here.submit(
                engine.translate, list(chunk.units), source=chunk.source, target=chunk.target
            )

        yield submit


def local_cluster(**options: Any) -> Any:
    """A LocalCluster of 1-thread worker processes on loopback, spawned with `WORKER_CONFIG`
    (`options` go to LocalCluster: n_workers, local_directory…)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(WORKER_CONFIG):  # read as the workers' nannies are made
        return LocalCluster(  # type: ignore[no-untyped-call]
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            **options,
        )


@dataclass(frozen=True, slots=True)
class Returned:
    """A chunk back from its runner."""

    chunk: pipeline.Chunk
    """The chunk sent."""
    attempt: int
    """0 for the first try."""
    outputs: list[str] | None
    """Its translations, or None when it failed."""
    error: Exception | None
    """Why it failed."""


class InFlight:
    """Chunks sent and not yet returned; they come back in the order they finish."""

    def __init__(self, submit: Submit) -> None:
        self._submit = submit
        self._returned: queue.Queue[ChunkFuture] = queue.Queue()
        self._pending: dict[ChunkFuture, tuple[pipeline.Chunk, int]] = {}

    def send(self, chunk: pipeline.Chunk, attempt: int = 0) -> None:
        """Send a chunk to be translated."""
        future = self._submit(chunk)
        self._pending[future] = (chunk, attempt)
        future.add_done_callback(self._returned.put)

    def __len__(self) -> int:
        return len(self._pending)

    def next(self, stall: float) -> Returned:
        """The next chunk to finish; `queue.Empty` when none finishes for `stall` seconds."""
        # The chunk's timeout: an engine call that hangs cannot be interrupted in its
        # worker's thread, but the run stops waiting for it and reports it.
        future = self._returned.get(timeout=stall)
        chunk, attempt = self._pending.pop(future)
        try:
            return Returned(chunk, attempt, list(future.result()), None)
        except Exception as error:  # noqa: BLE001 — whatever the worker raised, sorted by the flow
            return Returned(chunk, attempt, None, error)

    def abandon(self) -> list[pipeline.Chunk]:
        """The chunks still out; the run stops waiting for them."""
        chunks = [chunk for chunk, _ in self._pending.values()]
        self._pending.clear()
        return chunks
