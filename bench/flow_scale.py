"""Wall time of one site's first run: `translator run` vs the flow on threads vs the flow on Dask.

    .venv/bin/python bench/flow_scale.py [--engine synthetic|burn] [--posts 200]
        [--paragraphs 8] [--rounds 2] [--ms-per-unit 16] [--per-run-cluster]

A site of --posts posts (--paragraphs distinct paragraphs each, drawn from
/work/shared/corpus/fr) is translated from scratch by:

  engine      the engine alone on the run's distinct units, in this process,
              its model loaded (and warmed on one sentence) before the clock:
              the engine's own time, nothing else (the floor);
  engine-process  the engine alone in a fresh process: interpreter start-up,
              imports, the model's load, then the same units (engine threads = 2).
              The same work as the CLI's engine does: the CLI's overhead is
              the difference;
  cli         `translator run` in a subprocess (engine threads = 2): start-up,
              reading the site and the memory, the model's load, the units,
              writing the copies. It reports, on its stderr, the time of its
              engine calls and, for argos, of the model's load within them.
              Both subprocesses get this process's environment as it was before
              the Prefect server and the Dask cluster started: distributed sets
              MALLOC_TRIM_THRESHOLD_=65536 and OMP_NUM_THREADS=1 in its parent's
              environment (for the workers it spawns), and inherited by the CLI
              that malloc setting alone doubled its CPU time on CTranslate2
              (sys time 1.3 → 18.6 s, 17× the page faults, 50 posts) — the
              whole of the 4.1× once reported here. PYTHONDONTWRITEBYTECODE
              is dropped from it: a user's install has its bytecode cached;
  flow-threads  the flow, `task_runner="threads"` (engine threads = 2);
  flow-dask   the flow, `task_runner=<address>` of a LocalCluster started once
              here: 2 worker processes × 1 thread, started in an empty
              temporary folder (they never see the site). With argos (the
              synthetic model) the flow sends CTranslate2 batches to them
              (engines/spread.py); with burn, whole chunks (engine threads = 1);
  flow-dask-per-run  the flow, `task_runner="dask"`: a LocalCluster per run
              (its start and the model loads are in the time).

All on the same 2 cores. The engine (--engine):

  synthetic (the default, the reported figures): the real `argos` engine —
      argostranslate's package, pysbd, SentencePiece, CTranslate2 — on the
      random-weight Transformer-base package bench/argos_throughput.py builds
      (scripts/synthetic_model.py, cached in bench/.cache/), installed in a
      temporary Argos home every process inherits (ARGOS_PACKAGES_DIR).
      Random weights never stop a sentence, so every process decodes each
      batch to 1.1 × its longest input instead (a real model's output length,
      not the engine's 2 × + 10 ceiling): `ctranslate2.Translator` is wrapped
      in every process, as the engines are registered below. Beam 2, int8.
  burn: deterministic, CPU-bound, its cost proportional to the unit's length (SHA-256 rounds over a 64 KiB buffer,
which release the GIL, so threads of one process use both cores as
CTranslate2's do), a 0.5 s "model load" per process, and pseudo-localised
output. It (and the synthetic wrapper) is registered in each process that builds
engines: this process, the CLI subprocess (`-c` preamble) and every Dask
worker (`preload` of this file). Each path runs once to warm up, then --rounds times on fresh copies of
the site; the best round counts (other work on a shared machine only ever
slows a round down). The per-task overhead of Prefect + Dask is measured by
sending 1-unit chunks of a zero-cost engine (`burn0`) one at a time through
the same cluster. Needs a Prefect API: PREFECT_API_URL, or a server started
here on a free loopback port. The last line:

    dask_vs_cli=<flow-dask / cli> cli_vs_engine=<cli / engine-process>

cli_vs_engine compares like with like: two fresh processes doing the same
translation, so the ratio is the CLI's overhead (site, memory, copies,
its own start-up). The lines above it give the rest: the warm engine's time,
each process's phases (imports, model load, units: wall and CPU) and the
CPU ratios, which a loaded machine inflates less than wall time.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "fr"
ENGINE_NAMES = {"burn": "burn", "synthetic": "argos"}
"""--engine → the `[engine] name` of the bench's sites."""
BUFFER = b"\x5a" * 65536
ROUNDS_ENV = "FLOW_SCALE_ROUNDS_PER_CHAR"
SYNTHETIC_ENV = "FLOW_SCALE_SYNTHETIC"
"""Set (to 1) in this process's environment, so every process it starts wraps CTranslate2."""
OUTPUT_RATIO = 1.1
"""Target pieces decoded per source piece with the synthetic model (a real model's ratio)."""
PER_MS_ENV = "FLOW_SCALE_ROUNDS_PER_MS"
LOAD_SECONDS = 0.5


# -- the engine ----------------------------------------------------------------------
class BurnEngine:
    """Pseudo-localises after burning CPU in proportion to the text's length."""

    def __init__(self, name: str, threads: int, rounds_per_char: float) -> None:
        self.name = name
        self.threads = max(1, threads)
        self.rounds_per_char = rounds_per_char
        self.loaded = not rounds_per_char

    def translate(self, texts: Sequence[str], *, source: str, target: str) -> list[str]:
        """Pseudo-localised texts, each after its share of CPU work."""
        if not self.loaded:  # the model's load: at first use, once per process, as Argos
            _burn(int(LOAD_SECONDS * 1000 * float(os.environ.get(PER_MS_ENV, "0"))))
            self.loaded = True
        if self.threads == 1:
            return [self._one(text) for text in texts]
        with ThreadPoolExecutor(self.threads) as pool:
            return list(pool.map(self._one, texts))

    def model_version(self, *, source: str, target: str) -> str:
        """Fixed: the output never changes."""
        return f"{self.name}-1"

    def _one(self, text: str) -> str:
        from translator.engines.pseudo import pseudo_localize

        _burn(int(len(text) * self.rounds_per_char))
        return pseudo_localize(text)


def _burn(rounds: int) -> None:
    for _ in range(rounds):
        hashlib.sha256(BUFFER).digest()


class RealLength:
    """A ctranslate2.Translator that decodes what a real model would: 1.1 × each input.

    CTranslate2 takes one decoding length per batch, so the batch decodes 1.1 ×
    its longest input (batches are sorted by length: close to each sentence's
    own) and each hypothesis is cut to 1.1 × its own input. The output then
    depends on the sentence alone, never on the batch it was in: the CLI, the
    flow's chunks and the engine alone write the same copies.
    """

    batches = 0
    """Batches translated in this process (all instances)."""

    def __init__(self, translator: Any) -> None:
        self.translator = translator

    def translate_batch(self, source: Sequence[Sequence[str]], **options: Any) -> Any:
        """The real call, with the decoding length fixed; results cut per input."""
        RealLength.batches += 1
        longest = _real_length(max(len(s) for s in source))
        options.update(min_decoding_length=longest, max_decoding_length=longest)
        results = self.translator.translate_batch(source, **options)
        return [
            Cut(result, _real_length(len(s))) for s, result in zip(source, results, strict=True)
        ]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.translator, name)


def _real_length(source_pieces: int) -> int:
    return max(1, round(OUTPUT_RATIO * source_pieces))


class Cut:
    """A (possibly asynchronous) CTranslate2 result whose hypotheses keep `length` pieces."""

    def __init__(self, result: Any, length: int) -> None:
        self.pending = result
        self.length = length

    def result(self) -> Cut:
        """Itself, once the asynchronous result is in (the engine's only use)."""
        if hasattr(self.pending, "result"):
            self.pending = self.pending.result()
        return self

    @property
    def hypotheses(self) -> list[list[str]]:
        return [h[: self.length] for h in self.result().pending.hypotheses]


def install_synthetic() -> None:
    """Wrap every ctranslate2.Translator built from now on in this process (see RealLength)."""
    import logging

    import ctranslate2

    real = ctranslate2.Translator
    if getattr(real, "wrapped_by_flow_scale", False):
        return

    def build(*args: Any, **kwargs: Any) -> RealLength:
        return RealLength(real(*args, **kwargs))

    build.wrapped_by_flow_scale = True  # type: ignore[attr-defined]
    ctranslate2.Translator = build
    # Every sentence reaches the fixed length on purpose: not worth a warning.
    logging.getLogger("translator.engines.argos").setLevel(logging.ERROR)


def install_engines() -> None:
    """Add `burn` and `burn0` (no cost) to translator's engine table in this process,
    and wrap CTranslate2 when the synthetic model is the engine."""
    from translator import engines

    if os.environ.get(SYNTHETIC_ENV):
        install_synthetic()

    def burn(settings: Mapping[str, Any]) -> Any:
        rounds = float(os.environ.get(ROUNDS_ENV, "0"))
        return BurnEngine("burn", int(settings.get("threads") or 1), rounds)

    def burn0(settings: Mapping[str, Any]) -> Any:
        return BurnEngine("burn0", 1, 0.0)

    engines.ENGINES = types.MappingProxyType({**engines.ENGINES, "burn": burn, "burn0": burn0})


def dask_setup(worker: Any) -> None:
    """Dask's preload hook: every worker process of the bench's clusters knows `burn`."""
    install_engines()


def calibrate(ms_per_unit: float, mean_chars: float) -> None:
    """Set the engine's cost: SHA-256 rounds per character so a mean unit costs
    `ms_per_unit` on one core (the best of 5 timings: load only slows one down)."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        _burn(500)
        best = min(best, time.perf_counter() - start)
    per_ms = 500 / (best * 1000)
    os.environ[PER_MS_ENV] = str(per_ms)
    os.environ[ROUNDS_ENV] = str(ms_per_unit * per_ms / mean_chars)


# -- the site ------------------------------------------------------------------------
def paragraphs() -> list[str]:
    """Distinct prose paragraphs of the shared corpus (no code, lists, tables or HTML)."""
    found: dict[str, None] = {}
    for path in sorted(CORPUS.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        body = text.split("---", 2)[2] if text.startswith("---") else text
        for block in re.split(r"\n\s*\n", body):
            block = block.strip()
            if 40 <= len(block) <= 500 and not re.search(
                r"```|\{\{|^\s*[|<#>*-]|^\d+\.", block, re.MULTILINE
            ):
                found[block] = None
    return list(found)


def build_site(
    root: Path, posts: int, engine_threads: int, *, engine: str = "burn", per_post: int = 8
) -> None:
    """A Hugo site of `posts` French posts, each with its own `per_post` paragraphs."""
    pool = paragraphs()
    random.Random(0).shuffle(pool)
    (root / "content" / "fr").mkdir(parents=True)
    (root / "hugo.toml").write_text(
        'defaultContentLanguage = "fr"\n[languages.fr]\ncontentDir = "content/fr"\nweight = 1\n'
        '[languages.en]\ncontentDir = "content/en"\nweight = 2\n',
        encoding="utf-8",
    )
    (root / "translator.toml").write_text(
        f'[engine]\nname = "{ENGINE_NAMES[engine]}"\nthreads = {engine_threads}\n'
        + ("auto_install = false\n" if engine == "synthetic" else ""),
        encoding="utf-8",
    )
    for n in range(posts):
        body = "\n\n".join(pool[(n * per_post + k) % len(pool)] for k in range(per_post))
        (root / "content" / "fr" / f"post-{n:04}.md").write_text(
            f'---\ntitle: "Billet {n}"\ndate: 2024-01-10\n---\n\n{body}\n', encoding="utf-8"
        )


def site_units(root: Path) -> list[str]:
    """The distinct units a first run sends to the engine."""
    from translator import pipeline
    from translator.hugo.config import load_config
    from translator.store.memory import Memory

    config = load_config(root)
    with Memory.open(Path(tempfile.mkdtemp()) / "memory.sqlite") as memory:
        context = pipeline.Context(config, memory)
        detection = pipeline.detect(config, memory)
        prepared = [pipeline.prepare(context, item) for item in detection.items]
    return [u for units in pipeline.units_needed(prepared).values() for u in units]


# -- the paths -----------------------------------------------------------------------
def time_engine(units: Sequence[str], name: str, cpu: dict[str, float]) -> float:
    """The engine alone, 2 threads, model loaded outside the timing (CPU seconds into `cpu`)."""
    from translator.engines import make_engine

    engine = make_engine(ENGINE_NAMES[name], {"threads": 2, "auto_install": False})
    engine.translate(["Bonjour."], source="fr", target="en")  # the model's load, untimed
    start, used, batches = time.perf_counter(), time.process_time(), RealLength.batches
    engine.translate(units, source="fr", target="en")
    _least(cpu, "engine", time.process_time() - used)
    cpu["batches"] = RealLength.batches - batches  # 0 with burn
    return time.perf_counter() - start


def _least(cpu: dict[str, float], name: str, seconds: float) -> None:
    cpu[name] = min(cpu.get(name, float("inf")), seconds)


def _children_cpu() -> float:
    """CPU seconds of this process's ended children (the CLI's, once it has ended)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


CLI_PREAMBLE = (
    "import sys; sys.path.insert(0, {bench!r}); import flow_scale; flow_scale.install_engines(); "
    "flow_scale.clock_engine_calls(); "
    "from translator.cli.app import main; sys.argv = ['translator', 'run']; main()"
)
ENGINE_PREAMBLE = (
    "import sys; sys.path.insert(0, {bench!r}); import flow_scale; "
    "flow_scale.engine_process({units!r}, {engine!r})"
)
CLOCK_MARK = "flow-scale-clock "
"""Starts the stderr line on which a subprocess reports its phases (JSON)."""


class Clock:
    """CPU and wall seconds spent in named phases of this process."""

    def __init__(self) -> None:
        self.spent: dict[str, list[float]] = {}

    def add(self, name: str, cpu: float, wall: float) -> None:
        total = self.spent.setdefault(name, [0.0, 0.0])
        total[0] += cpu
        total[1] += wall

    def timed(self, name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                self.add(name, time.process_time() - cpu, time.perf_counter() - wall)

        return run

    def report(self) -> None:
        """The phases on one stderr line, for the bench to read."""
        print(CLOCK_MARK + json.dumps(self.spent), file=sys.stderr, flush=True)


def clock_engine_calls() -> None:
    """In the CLI's process: time `translate_units` (the engine's calls, the model's load
    included), the argos model's load, reading the posts and writing the copies,
    reported on stderr at exit."""
    import atexit

    from translator import pipeline
    from translator.engines import argos

    clock = Clock()
    pipeline.translate_units = clock.timed("engine", pipeline.translate_units)
    # The rest of its work, outside the engine: reading the posts, writing the copies.
    pipeline._prepare_all = clock.timed("read", pipeline._prepare_all)
    pipeline._write_one = clock.timed("write", pipeline._write_one)
    argos._load_model = clock.timed("load", argos._load_model)  # timed, not changed
    atexit.register(clock.report)


def engine_process(units_file: str, name: str) -> None:
    """The engine alone in a fresh process, as the CLI runs it: imports, model load, units."""
    clock = Clock()
    cpu, wall = time.process_time(), time.perf_counter()
    install_engines()
    from translator.engines import make_engine

    engine = make_engine(ENGINE_NAMES[name], {"threads": 2, "auto_install": False})
    clock.add("imports", time.process_time() - cpu, time.perf_counter() - wall)
    units = json.loads(Path(units_file).read_text(encoding="utf-8"))
    clock.timed("load", engine.translate)(["Bonjour."], source="fr", target="en")
    clock.timed("engine", engine.translate)(units, source="fr", target="en")
    clock.report()


def phases(stderr: str) -> dict[str, list[float]]:
    """The phases a subprocess reported (see Clock.report)."""
    for line in reversed(stderr.splitlines()):
        if line.startswith(CLOCK_MARK):
            found: dict[str, list[float]] = json.loads(line[len(CLOCK_MARK) :])
            return found
    return {}


def time_process(
    command: list[str], cwd: Path, env: Mapping[str, str], name: str, cpu: dict[str, float],
    seen: dict[str, dict[str, list[float]]],
) -> float:  # fmt: skip
    """A subprocess's wall seconds; its CPU seconds into `cpu`, its phases into `seen`."""
    start, used = time.perf_counter(), _children_cpu()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed, used = time.perf_counter() - start, _children_cpu() - used
    _least(cpu, name, used)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-2000:]}")
    if elapsed < seen.get(name, {}).get("process", [0.0, float("inf")])[1]:
        seen[name] = {**phases(done.stderr), "process": [used, elapsed]}  # the fastest run's
    return elapsed


def time_cli(
    root: Path, env: Mapping[str, str], cpu: dict[str, float], seen: dict[str, Any]
) -> float:
    """`translator run` in a subprocess, in the site (its CPU seconds into `cpu`).

    `env` is this process's environment from before the Dask cluster started:
    distributed sets MALLOC_TRIM_THRESHOLD_=65536 (and OMP_NUM_THREADS=1) in its
    parent's environment for the workers it spawns; inherited, that setting alone
    doubles the CLI's CPU time with CTranslate2 (17× the page faults), which no
    user's shell has."""
    command = [sys.executable, "-c", CLI_PREAMBLE.format(bench=str(REPO / "bench"))]
    return time_process(command, root, env, "cli", cpu, seen)


def time_engine_process(
    units_file: Path, name: str, env: Mapping[str, str], cpu: dict[str, float],
    seen: dict[str, Any],
) -> float:  # fmt: skip
    """The engine alone in a fresh process (`engine_process`), same environment as the CLI."""
    code = ENGINE_PREAMBLE.format(bench=str(REPO / "bench"), units=str(units_file), engine=name)
    return time_process(
        [sys.executable, "-c", code], units_file.parent, env, "engine-process", cpu, seen
    )


def time_flow(flow_module: Any, root: Path, runner: str) -> float:
    """The flow, called in this process (as `translate_posts.py run` does)."""
    start = time.perf_counter()
    state = flow_module.translate_new_posts(site=str(root), task_runner=runner, return_state=True)
    elapsed = time.perf_counter() - start
    if not state.is_completed():
        raise SystemExit(f"flow on {runner} ended {state.name}: {state.message}")
    return elapsed


def same_copies(first: Path, second: Path) -> bool:
    """Byte-identical copies (the stamp's date aside, identical on one day)."""
    a = {p.name: p.read_bytes() for p in (first / "content" / "en").glob("*.md")}
    b = {p.name: p.read_bytes() for p in (second / "content" / "en").glob("*.md")}
    return bool(a) and a == b


def interleaved(paths: Mapping[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Each path once to warm up, then `rounds` rounds of every path in turn; the best of each.

    In turn, not one path after the other: a shared machine's load then weighs on every
    path alike."""
    best = dict.fromkeys(paths, float("inf"))
    for n in range(rounds + 1):
        for name, run in paths.items():
            seconds = run()
            print(f"  round {n} {name}: {seconds:.2f} s", file=sys.stderr, flush=True)
            if n:
                best[name] = min(best[name], seconds)
    return best


# -- per-task overhead ---------------------------------------------------------------
def dask_round_trip(address: str, samples: int) -> float:
    """Mean seconds to send a 1-unit chunk of a zero-cost engine to a worker and back."""
    from distributed import Client

    from translator import pipeline

    chunk = pipeline.Chunk("burn0", (), "fr", "en", ("Bonjour.",))
    with Client(address) as client:
        client.submit(pipeline.translate_chunk, chunk, pure=False).result()
        start = time.perf_counter()
        for _ in range(samples):
            client.submit(pipeline.translate_chunk, chunk, pure=False).result()
        return (time.perf_counter() - start) / samples


def commit_cost(flow_module: Any, root: Path, samples: int) -> float:
    """Mean seconds of Prefect's own work for one `commit` task that writes nothing."""
    from prefect import flow

    from translator import pipeline
    from translator.hugo.config import load_config
    from translator.store.memory import Memory

    @flow(name="bench-commit-cost")
    def cost() -> float:
        config = load_config(root)
        with Memory.open(Path(tempfile.mkdtemp()) / "memory.sqlite") as memory:
            ledger = flow_module.RunLedger(pipeline.Context(config, memory))
            flow_module.commit(ledger, None, None, "warm")
            start = time.perf_counter()
            for n in range(samples):
                flow_module.commit(ledger, None, None, str(n))
            return (time.perf_counter() - start) / samples

    result: float = cost()
    return result


# -- Prefect API and Dask cluster ----------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextlib.contextmanager
def prefect_api(home: Path) -> Iterator[None]:
    """PREFECT_API_URL as set, or a server of our own on a free loopback port."""
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    port = _free_port()
    os.environ.update(
        PREFECT_HOME=str(home), PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
         "--port", str(port), "--no-ui", "--analytics-off"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_healthy(port)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_healthy(port: int) -> None:
    import http.client

    for _ in range(240):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/api/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.5)
    raise SystemExit("prefect server did not start")


@contextlib.contextmanager
def local_cluster(workdir: Path) -> Iterator[str]:
    """2 worker processes × 1 thread on loopback, in an empty folder, `burn` preloaded."""
    from chunk_runners import local_cluster as make_cluster

    # The flow's own cluster settings (chunk_runners.WORKER_CONFIG), in an empty folder.
    cluster = make_cluster(
        n_workers=2, local_directory=str(workdir), preload=[str(Path(__file__).resolve())]
    )
    with cluster:
        yield str(cluster.scheduler_address)


# -- main ----------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=sorted(ENGINE_NAMES), default="synthetic")
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--paragraphs", type=int, default=8, help="paragraphs per post")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--ms-per-unit", type=float, default=16.0, help="burn's cost, 1 core")
    parser.add_argument("--per-run-cluster", action="store_true", help="also flow-dask-per-run")
    args = parser.parse_args()
    sys.path[:0] = [str(REPO / "flows"), str(REPO / "src"), str(REPO / "bench")]
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(REPO / "src"), os.environ.get("PYTHONPATH", "")]
    )
    if args.engine == "synthetic":
        from argos_throughput import argos_home

        argos_home(beam=2)  # builds the package once, into bench/.cache/
        os.environ[SYNTHETIC_ENV] = "1"
    install_engines()
    work = Path(tempfile.mkdtemp(prefix="flow-scale-"))
    counter = iter(range(10**6))

    def site(threads: int) -> Callable[[], Path]:
        def make() -> Path:
            root = work / f"site-{next(counter)}"
            build_site(root, args.posts, threads, engine=args.engine, per_post=args.paragraphs)
            return root

        return make

    units = site_units(site(2)())
    mean = sum(len(u) for u in units) / len(units)
    calibrate(args.ms_per_unit, mean)
    try:
        run_all(args, work, site, units)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_all(
    args: argparse.Namespace,
    work: Path,
    site: Callable[[int], Callable[[], Path]],
    units: list[str],
) -> None:
    print(f"{args.engine}: {args.posts} posts, {len(units)} distinct units:", file=sys.stderr)
    last: dict[str, Path] = {}
    cpu: dict[str, float] = {}
    seen: dict[str, Any] = {}
    clean = dict(os.environ)  # before Prefect's and Dask's settings: a user's shell
    # A user's install has its bytecode cached; with this set (as in some CI shells) every
    # subprocess compiled translator's sources again, 0.1-0.2 s the CLI paid more than the
    # engine alone (it imports more of them). The warm-up round writes the cache.
    clean.pop("PYTHONDONTWRITEBYTECODE", None)
    units_file = work / "units.json"
    units_file.write_text(json.dumps(list(units)), encoding="utf-8")

    def on_fresh_site(name: str, threads: int, run: Callable[[Path], float]) -> Callable[[], float]:
        def timed() -> float:
            last[name] = site(threads)()
            return run(last[name])

        return timed

    with prefect_api(work / "prefect-home"):
        import dask
        import translate_posts as flows

        (work / "dask-workers").mkdir()
        with local_cluster(work / "dask-workers") as address:
            paths = {
                "engine": lambda: time_engine(units, args.engine, cpu),
                "engine-process": lambda: time_engine_process(
                    units_file, args.engine, clean, cpu, seen
                ),
                "cli": on_fresh_site("cli", 2, lambda r: time_cli(r, clean, cpu, seen)),
                "flow-threads": on_fresh_site(
                    "flow-threads", 2, lambda r: time_flow(flows, r, "threads")
                ),
                "flow-dask": on_fresh_site("flow-dask", 1, lambda r: time_flow(flows, r, address)),
            }
            if args.per_run_cluster:
                dask.config.set({"distributed.worker.preload": [str(Path(__file__).resolve())]})
                paths["flow-dask-per-run"] = on_fresh_site(
                    "flow-dask-per-run", 1, lambda r: time_flow(flows, r, "dask")
                )
            best = interleaved(paths, args.rounds)
            overhead = dask_round_trip(address, 20), commit_cost(flows, last["flow-dask"], 10)
    report(args, units, best, overhead, cpu)
    overhead_report(best, cpu, seen)
    print(f"copies identical (cli vs flow-dask): {same_copies(last['cli'], last['flow-dask'])}")
    print(
        f"dask_vs_cli={best['flow-dask'] / best['cli']:.3f} "
        f"cli_vs_engine={best['cli'] / best['engine-process']:.3f}"
    )


def overhead_report(
    best: Mapping[str, float], cpu: Mapping[str, float], seen: Mapping[str, Any]
) -> None:
    """Where the CLI's time goes, next to the engine's own on the same units."""

    def phase(path: str, name: str) -> str:
        spent = seen.get(path, {}).get(name)
        return f"{spent[1]:.2f} s wall / {spent[0]:.2f} s CPU" if spent else "not reported"

    print(
        f"\nengine, warm (model loaded before the clock): {best['engine']:.2f} s wall, "
        f"{cpu['engine']:.2f} s CPU\n"
        f"engine, fresh process (fastest run, warm-up included): {phase('engine-process', 'process')}; imports "
        f"and engine {phase('engine-process', 'imports')}, model load "
        f"{phase('engine-process', 'load')}, units {phase('engine-process', 'engine')}\n"
        f"cli (fastest run): {phase('cli', 'process')}; engine calls "
        f"{phase('cli', 'engine')}, of which model load {phase('cli', 'load')}; reading "
        f"posts {phase('cli', 'read')}, writing copies {phase('cli', 'write')}\n"
        f"CPU (least of all rounds): cli / engine process "
        f"{cpu['cli'] / cpu['engine-process']:.3f}, cli / warm engine "
        f"{cpu['cli'] / cpu['engine']:.3f}; wall: cli / warm engine "
        f"{best['cli'] / best['engine']:.3f}"
    )


def report(
    args: argparse.Namespace,
    units: Sequence[str],
    best: Mapping[str, float],
    overhead: tuple[float, float],
    cpu: Mapping[str, float],
) -> None:
    """The table, and the per-task overhead of the flow on Dask."""
    import translate_posts as flows

    described = {
        "engine": f"engine alone ({args.engine}, 2 threads, model loaded)",
        "engine-process": "engine alone, fresh process (start-up, model load, units)",
        "cli": "cli: translator run (engine 2 threads)",
        "flow-threads": "flow, threads (engine 2 threads)",
        "flow-dask": "flow, Dask: standing LocalCluster 2×1",
        "flow-dask-per-run": "flow, Dask: LocalCluster per run 2×1",
    }
    cli = best["cli"]
    print(
        f"\n| path ({args.posts} posts × {args.paragraphs} paragraphs, {len(units)} units, "
        f"best of {args.rounds}) | wall s | vs cli |"
    )
    print("|---|---|---|")
    for name, seconds in best.items():
        print(f"| {described[name]} | {seconds:.2f} | {seconds / cli:.3f} |")
    trip, cost = overhead
    one_core = best["engine"] * 2  # the run's translation on one core, as measured
    if cpu.get("batches"):  # argos: a Dask task is one CTranslate2 batch
        chunk, tasks = flows.SPREAD_CHUNK_UNITS, int(cpu["batches"])
        what = "CTranslate2 batches"
    else:  # a Dask task is a whole chunk
        chunk, tasks = flows.CHUNK_UNITS, -(-len(units) // flows.CHUNK_UNITS)
        what = "whole chunks"
    chunks = -(-len(units) // chunk)
    spent = tasks * trip + chunks * cost
    print(
        f"\nper-task overhead: a Dask round trip {trip * 1000:.0f} ms (zero-cost engine) per "
        f"task, a `commit` task {cost * 1000:.0f} ms (Prefect, writing nothing) per chunk of "
        f"≤ {chunk} units; {tasks} tasks ({what}, {one_core / tasks * 1000:.0f} ms each on "
        f"one core) and {chunks} chunk(s): {spent:.2f} s, {100 * spent / one_core:.1f} % of "
        f"the translation's {one_core:.1f} s on one core"
    )


if __name__ == "__main__":
    main()
