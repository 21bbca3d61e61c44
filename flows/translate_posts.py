"""The scheduled Prefect flow: plan → translate chunks on workers → commit → report, over one site.

Only the expensive step leaves this process. The flow process holds the
site's lock, reads the site and the memory (`plan`), translates the units the
memory lacks in chunks — on Dask, the argos engine sends each chunk's
CTranslate2 batches to the workers, other engines the whole chunk (plain Dask
calls: no site, no memory, the model loaded once per worker process; see
chunk_runners.py) — and commits each chunk as it comes back (`commit`:
stores its translations in the memory and writes every copy whose units are
now all known). A run killed half-way keeps what it committed. Every
outcome — Completed, Failed, Skipped — publishes the `translation-report`
artifact, errors first.

    python flows/translate_posts.py run --site /abs/site [--task-runner dask]   # once
    python flows/translate_posts.py serve --site /abs/site   # on prefect.yaml's schedule

Task runners: `threads` (this process), `dask` (a LocalCluster for the run:
one single-thread worker per CPU), or the address of a running Dask scheduler
(`tcp://host:8786`: no cluster is created); default: translator.toml's
`[dask] address`, else threads.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import queue
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from chunk_runners import InFlight, chunk_runner, runner_choice, spreads_batches
from flow_failures import (
    RETRIES,
    RETRY_DELAYS,
    LockHeld,
    hold_site_lock,
    is_transient,
    one_line,
    retry_if_transient,
)
from prefect import State, flow, get_run_logger, serve, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.runtime import flow_run
from prefect.schedules import Cron, Schedule
from prefect.states import Completed, Failed
from run_ledger import RunLedger
from translation_report import Outcome, report_markdown, table_rows

from translator import pipeline
from translator.errors import ConfigError, TranslatorError
from translator.hugo.config import DEFAULT_SCHEDULE, SiteConfig, find_site_root, load_config
from translator.hugo.lost_memory import check_memory_kept
from translator.review import status as review
from translator.store.incidents import internal_error
from translator.store.memory import Memory

__all__ = ("RunLedger", "main", "site_root", "translate_new_posts")

T = TypeVar("T")

REPORT_KEY = "translation-report"
COPIES_KEY = "translation-copies"
FLOW_NAME = "translate-new-posts"
PROJECT = Path(__file__).resolve().parents[1]
WAITING = ("machine", "conflict")
"""Copy states an editor still has to look at."""

CHUNK_UNITS = 128
"""Units per chunk a worker translates whole (engines other than argos). Measured
(bench/flow_scale.py --engine burn, 2 cores): a chunk costs ~25 ms besides translation
(a Dask round trip ~15 ms, its `commit` task ~10 ms), 1.2 % of a 128-unit chunk at
16 ms a unit; 200 posts still make enough chunks that every worker gets several."""
SPREAD_CHUNK_UNITS = 1024
"""Units per chunk when only its batches go to the workers (argos on Dask): one chunk
keeps every worker busy, and a larger one sorts its sentences into batches of closer
lengths, as `translator run` does over a whole run; a chunk still commits what it
translated every few minutes."""
LOCK_WAIT = 60.0
"""Seconds a run waits for another run's lock (with back-off) before it is Skipped."""
PLAN_TIMEOUT, COMMIT_TIMEOUT, CHUNK_TIMEOUT, REPORT_TIMEOUT = 900, 900, 3600, 120
"""Seconds each task may run: a hung read, write or engine call fails its task, not the day."""


def site_root(site: str) -> Path:
    """The site's root folder, absolute; `ConfigError` unless `site` is exactly that root."""
    path = Path(site).expanduser()
    path = path if path.is_absolute() else Path.cwd() / path
    if not path.is_dir():
        raise ConfigError(
            "no such site folder",
            path=path,
            hint="pass the absolute path of the Hugo site's root folder as `site`",
        )
    # Never a folder above: a typo must not translate whatever site holds the cwd.
    root = find_site_root(path)
    if root != path.absolute():
        raise ConfigError(
            f"not the root of a Hugo site (the site around it is {root})",
            path=path,
            hint="pass the folder that holds hugo.toml or translator.toml",
        )
    return root


def _expected(call: Callable[[], T]) -> T | State[Any]:
    """Run `call`; a permanent error ends the task Failed with its one line, no traceback."""
    try:
        return call()
    except (OSError, sqlite3.Error, TranslatorError) as error:
        if is_transient(error):
            raise  # Prefect retries it (retry_if_transient)
        return Failed(message=one_line(error))


@task(
    name="plan",
    retries=RETRIES,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_if_transient,
    timeout_seconds=PLAN_TIMEOUT,
    cache_policy=NO_CACHE,
)
def plan(ledger: RunLedger) -> State[Any] | None:
    """Find the copies to write, read their posts, look their units up in the memory."""

    def work() -> None:
        ledger.plan()
        missing = sum(len(units) for units in ledger.units.missing.values())
        get_run_logger().info(
            "%d posts: %d copies to write (%d unreadable), %d unchanged; "
            "units: %d from memory, %d to translate",
            ledger.detection.posts,
            len(ledger.prepared),
            len(ledger.results) + len(ledger.detection.errors),
            ledger.detection.unchanged,
            sum(len(found) for found in ledger.units.known.values()),
            missing,
        )

    return _expected(work)


@task(
    name="commit",
    task_run_name="commit {label}",
    retries=RETRIES,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_if_transient,
    timeout_seconds=COMMIT_TIMEOUT,
    cache_policy=NO_CACHE,
)
def commit(
    ledger: RunLedger, chunk: pipeline.Chunk | None, outputs: list[str] | None, label: str
) -> int:
    """Store a chunk's translations in the memory, then write the copies now complete."""
    if chunk is not None and outputs is not None:
        ledger.store(chunk, outputs)
    written = ledger.write_ready()
    get_run_logger().info("%s: %d copies written, %d done so far", label, written, len(ledger.done))
    return written


@task(name="report", timeout_seconds=REPORT_TIMEOUT, cache_policy=NO_CACHE)
def report(outcome: Outcome) -> None:
    """Publish the run's report (every outcome) and its table of copies."""
    create_markdown_artifact(
        key=REPORT_KEY,
        markdown=report_markdown(outcome),
        description=f"{outcome.state}: {outcome.site}",
    )
    if outcome.summary is not None and outcome.summary.results:
        create_table_artifact(
            key=COPIES_KEY, table=table_rows(outcome.summary), description=outcome.site
        )


def run_name() -> str:
    """`blog 2026-11-29 01:30Z`: the site folder and the start time, in the runs list."""
    site = str(flow_run.parameters.get("site", ""))
    return f"{Path(site).name or site or '?'} {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%MZ}"


@flow(name=FLOW_NAME, flow_run_name=run_name)
def translate_new_posts(
    site: str,
    targets: list[str] | None = None,
    engine: str | None = None,
    task_runner: str | None = None,
    chunk_units: int | None = None,
    lock_wait: float = LOCK_WAIT,
) -> dict[str, Any] | State[Any]:
    """Translate the site's new and changed posts.

    `site`: the absolute path of the Hugo site's root. `task_runner`: `threads`,
    `dask` (a LocalCluster) or a Dask scheduler's address; None = translator.toml's
    `[dask] address`, else threads. `chunk_units`: units per chunk; None = 128, or
    1024 when only the chunk's batches go to Dask workers (the argos engine). Failed
    when a post failed, Skipped when another run held the site's lock for `lock_wait`
    seconds.
    """
    logger = get_run_logger()
    try:
        root = site_root(site)
        config = load_config(root).with_overrides(targets=targets, engine=engine)
        choice = runner_choice(task_runner or config.dask_address or "threads")
    except TranslatorError as error:
        return _end(Outcome("Failed", one_line(error), site))
    if not Path(site).is_absolute():
        logger.warning("site %r is a relative path: resolved to %s", site, root)
    logger.info(
        "site %s → %s, engine %s, %s", root, ", ".join(config.targets), config.engine.name, choice
    )
    _tag_run(config.targets)
    try:
        # The run carries the language tags (`_tag_run`), its tasks none: Prefect asks its
        # API for a tag's concurrency slots at every tagged task run, ~0.24 s each here.
        with hold_site_lock(config.state_dir, lock_wait, logger.info):
            outcome = _locked_run(config, choice, chunk_units)
    except LockHeld as held:
        outcome = Outcome("Skipped", str(held), str(root))
    except (OSError, sqlite3.Error, TranslatorError) as error:
        outcome = Outcome("Failed", one_line(error), str(root))
    except Exception as error:  # noqa: BLE001 — a bug: traceback to .translator/, one line here
        bug = internal_error(error, state_dir=config.state_dir, where=FLOW_NAME, isolated=False)
        logger.error("the run stopped on an unexpected error: %s", bug)
        outcome = Outcome("Failed", one_line(bug), str(root))
    return _end(outcome)


def _locked_run(config: SiteConfig, choice: str, size: int | None) -> Outcome:
    """Plan, translate and commit, report what waits for review; the lock is held."""
    root = str(config.root)
    path = config.state_dir / "memory.sqlite"
    check_memory_kept(config, path)  # a lost memory is named, never silently started afresh
    with Memory.open(path) as memory:
        check_memory_kept(config, path, memory)
        settings = tuple(sorted(config.engine.as_mapping().items()))
        context = pipeline.Context(
            config,
            memory,
            engine_factory=lambda: pipeline.process_engine(config.engine.name, settings),
        )
        ledger = RunLedger(context)
        planned = plan(ledger, return_state=True)
        if planned.is_failed():
            return Outcome("Failed", planned.message or "planning failed", root)
        _translate_and_commit(ledger, choice, size)
        summary = ledger.summary()
        statuses = review.copy_statuses(config, memory)
    waiting = tuple(s for s in statuses if s.state in WAITING)
    if summary.errors:
        first = summary.errors[0]
        message = f"{len(summary.errors)} failed, first: {first['path']}: {first['reason']}"
        return Outcome("Failed", message, root, summary, waiting)
    done = f"{summary.translated_posts} copies written, {summary.segments_translated} segments translated"
    return Outcome("Completed", done, root, summary, waiting)


def _translate_and_commit(ledger: RunLedger, choice: str, size: int | None) -> None:
    """Commit what needs no engine, then each chunk as it comes back from its worker."""
    commit(ledger, None, None, "from memory")
    spreads = spreads_batches(choice, ledger.units.engine)
    size = max(1, size or (SPREAD_CHUNK_UNITS if spreads else CHUNK_UNITS))
    chunks = pipeline.chunk_units(ledger.context.config, ledger.units, size)
    if not chunks:
        return
    if not spreads:  # whole chunks on workers: balance their end, one engine thread each
        chunks = _finer_tail(chunks)
    if not spreads and choice != "threads":
        chunks = [_one_thread(chunk) for chunk in chunks]
    labels = {c: f"{c.target} {n}/{len(chunks)}" for n, c in enumerate(chunks, 1)}
    how = "batches spread over the workers" if spreads else "whole chunks"
    get_run_logger().info("%d chunks of up to %d units on %s (%s)", len(chunks), size, choice, how)
    with chunk_runner(choice) as submit:
        flight = InFlight(submit)
        for chunk in chunks:
            flight.send(chunk)
        while flight:
            try:
                back = flight.next(CHUNK_TIMEOUT)
            except queue.Empty:
                for chunk in flight.abandon():
                    ledger.fail_chunk(chunk, f"no chunk came back in {CHUNK_TIMEOUT} s")
                break
            if back.outputs is not None:
                commit(ledger, back.chunk, back.outputs, labels[back.chunk])
            elif back.error is not None and _retry(back.error, back.attempt, labels[back.chunk]):
                flight.send(back.chunk, back.attempt + 1)
            else:
                ledger.fail_chunk(
                    back.chunk, *_chunk_failure(ledger, back.error, labels[back.chunk])
                )


def _retry(error: Exception, attempt: int, label: str) -> bool:
    """Wait and say so when a chunk's failure is transient and tries remain."""
    logger = get_run_logger()
    if is_transient(error) and attempt < RETRIES:
        logger.warning(
            "%s: %s; trying again in %d s", label, one_line(error), RETRY_DELAYS[attempt]
        )
        time.sleep(RETRY_DELAYS[attempt])
        return True
    if isinstance(error, OSError | sqlite3.Error | TranslatorError):
        logger.error("%s: %s", label, one_line(error))
    return False


def _chunk_failure(ledger: RunLedger, error: Exception | None, label: str) -> tuple[str, bool]:
    """Why a chunk failed for good, and whether it was a bug (its traceback goes to the
    site's .translator/internal-errors.log, as `translator run` puts it)."""
    if error is None:
        return "no result", False
    if isinstance(error, OSError | sqlite3.Error | TranslatorError):
        return one_line(error), False
    state_dir = ledger.context.config.state_dir
    bug = internal_error(error, state_dir=state_dir, where=f"chunk {label}")
    get_run_logger().error("%s: %s", label, bug)
    return one_line(bug), True


def _finer_tail(chunks: list[pipeline.Chunk]) -> list[pipeline.Chunk]:
    """The last two chunks cut in quarters: at the end of a run the workers then finish
    together, instead of all but one waiting for a whole chunk."""
    head, tail = chunks[:-2], chunks[-2:]
    step = max(1, max((len(c.units) for c in tail), default=1) // 4)
    return head + [
        dataclasses.replace(c, units=c.units[i : i + step])
        for c in tail
        for i in range(0, len(c.units), step)
    ]


def _one_thread(chunk: pipeline.Chunk) -> pipeline.Chunk:
    """Engine `threads = 0` (one per CPU) means one per Dask worker: the worker is the unit."""
    settings = tuple((k, 1 if k == "threads" and v == 0 else v) for k, v in chunk.settings)
    return dataclasses.replace(chunk, settings=settings)


def _end(outcome: Outcome) -> dict[str, Any] | State[Any]:
    """Publish the report, then end the run in the state the outcome names."""
    report(outcome)
    if outcome.state == "Skipped":
        return Completed(name="Skipped", message=outcome.message)
    if outcome.state == "Failed":
        return Failed(message=outcome.message)
    summary = outcome.summary.as_json() if outcome.summary else {}
    summary.pop("copies", None)  # in the table artifact; the result stays small
    return summary


def _language_tags(targets: Sequence[str]) -> list[str]:
    return [f"lang:{language}" for language in targets]


def _tag_run(targets: Sequence[str]) -> None:
    """Add the target languages to the run's tags, to filter runs by language."""
    wanted = sorted({*flow_run.tags, *_language_tags(targets)})
    with get_client(sync_client=True) as client:
        client.update_flow_run(flow_run.id, tags=wanted)


def deployment_schedule(project: Path = PROJECT) -> Schedule:
    """The one schedule, prefect.yaml's `definitions.schedules.translator` (cron and time zone)."""
    definitions = yaml.safe_load((project / "prefect.yaml").read_text(encoding="utf-8"))
    schedule = definitions["definitions"]["schedules"]["translator"]
    return Cron(schedule["cron"], timezone=schedule["timezone"])


def main(argv: Sequence[str] | None = None) -> int:
    """`run` the flow once, or `serve` it on prefect.yaml's schedule; the exit code."""
    parser = argparse.ArgumentParser(prog="translate_posts.py", description=main.__doc__)
    parser.add_argument("command", choices=("run", "serve"))
    parser.add_argument("--site", required=True, help="the Hugo site's root folder")
    parser.add_argument("--name", help="deployment name (serve; default served-<site folder>)")
    parser.add_argument("--engine", help="override translator.toml's engine (run)")
    parser.add_argument("--to", help="target languages, comma-separated (run)")
    parser.add_argument("--task-runner", help="threads, dask, or tcp://scheduler:8786")
    args = parser.parse_args(argv)
    try:
        root = site_root(args.site)
        if args.command == "serve":
            serve_site(root, name=args.name)
            return 0
    except TranslatorError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 3
    state = translate_new_posts(
        site=str(root),
        targets=args.to.split(",") if args.to else None,
        engine=args.engine,
        task_runner=args.task_runner,
        return_state=True,
    )
    if not state.is_completed():
        print(f"{state.name}: {state.message}", file=sys.stderr)
    return 0 if state.is_completed() else 1


def serve_site(root: Path, *, name: str | None = None) -> None:
    """Serve the deployment (default name served-<site folder>) until stopped, on
    prefect.yaml's schedule; `translator serve` and `make serve` come here."""
    name = name or f"served-{root.name}"
    # `serve(to_deployment())` rather than `flow.serve()`: the runner starts each run
    # from the entrypoint (this file), as a work pool's worker does.
    schedule = deployment_schedule()
    deployment = translate_new_posts.to_deployment(
        name=name,
        schedules=[schedule],
        parameters={"site": str(root)},
        tags=["translator", f"site:{root.name}"],
        description=f"Translate new and changed posts of {root}; keep editors' work; report.",
    )
    if load_config(root).schedule != DEFAULT_SCHEDULE:
        print(
            "Note: translator.toml's `schedule` is not used; the schedule is prefect.yaml's "
            "definitions.schedules.translator",
            file=sys.stderr,
        )
    api = os.environ.get("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    cli = Path(sys.executable).parent / "prefect"
    print(
        f"Serving {FLOW_NAME}/{name} for {root}, schedule {schedule.cron} ({schedule.timezone}).\n"
        "To start a run now, in another shell:\n"
        f"  export PREFECT_API_URL={api}\n"
        f"  {cli if cli.exists() else 'prefect'} deployment run '{FLOW_NAME}/{name}' --watch",
        flush=True,
    )
    # One run at a time: a run holds the site's lock. (`to_deployment` is typed as
    # possibly a coroutine for async callers; called from sync code it is not.)
    serve(deployment, limit=1, print_starting_message=False)  # type: ignore[arg-type]


def _run_as_module(argv: Sequence[str]) -> int:
    """Run `main` from this file imported as `translate_posts`, not as `__main__`."""
    import translate_posts

    return translate_posts.main(argv)


if __name__ == "__main__":
    sys.exit(_run_as_module(sys.argv[1:]))
