"""The scheduled Prefect flow: detect → prepare → translate → write → report, over one site.

Each task calls one `translator.pipeline` step; the flows only wire them.
Tasks may run in other processes (Dask workers), so they receive the site's
path and overrides, never a `SiteConfig` (it does not pickle) nor a database
connection: each task opens the memory itself. The flow holds the site's lock
for the whole run.

    python flows/translate_posts.py run [--site PATH]     # once
    python flows/translate_posts.py serve [--site PATH]   # on translator.toml's schedule

With Dask, the workers import this file as the module `translate_posts` (a
task's helpers are pickled by reference, so the engine cache is the worker's):
Prefect puts `flows/` on `sys.path` when it loads the entrypoint, and a local
cluster's workers inherit it. A remote cluster (translator.toml's
`[dask] address`) needs `flows/` and `translator` importable on its workers and
the site at the same path.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sqlite3
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from prefect import State, Task, flow, get_run_logger, serve, task, unmapped
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.futures import PrefectFuture
from prefect.states import Failed
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from translator import pipeline, review
from translator.config import SiteConfig, find_site_root, load_config
from translator.engines import Engine, make_engine
from translator.errors import StateError, TranslatorError
from translator.memory import Memory, site_lock
from translator.site import Post

__all__ = ("SiteRef", "main", "report_markdown", "translate_new_posts", "translate_steps")

T = TypeVar("T")
RunnerChoice = Literal["auto", "threads", "dask-local"]

REPORT_KEY = "translation-report"
COPIES_KEY = "translation-copies"
WAITING = ("machine", "conflict")
"""Copy states an editor still has to look at."""

# sqlite's "database is locked" (another process writing) and I/O hiccups pass;
# a post that does not parse fails the same way every time.
TRANSIENT = (StateError, sqlite3.OperationalError, OSError)
RETRIES = 3
BACKOFF = exponential_backoff(backoff_factor=1)


def _transient(task: Task[..., Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry a task only when its failure may go away by itself."""
    return isinstance(state.result(raise_on_failure=False), TRANSIENT)


@dataclass(frozen=True, slots=True)
class SiteRef:
    """What a task needs to rebuild the run's context in its own process."""

    root: str
    """Absolute site root."""
    targets: tuple[str, ...] | None = None
    """Target languages; None = the site's config."""
    engine: str | None = None
    """Engine name; None = the site's config."""
    today: str = field(default_factory=lambda: dt.date.today().isoformat())
    """The run's date, stamped on every copy: fixed when the run starts, so tasks that
    run after midnight (or on a worker in another time zone) stamp the same date."""

    def config(self) -> SiteConfig:
        """The site's config with the run's overrides."""
        config = load_config(Path(self.root))
        return config.with_overrides(targets=self.targets, engine=self.engine)


# One engine per worker process and settings: an Argos model takes seconds to load,
# a task milliseconds to run. The lock makes concurrent threads wait for one load.
_ENGINES: dict[tuple[str, tuple[tuple[str, Any], ...]], Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _engine(config: SiteConfig) -> Engine:
    key = (config.engine.name, tuple(sorted(config.engine.as_mapping().items())))
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = make_engine(key[0], dict(key[1]))
        return _ENGINES[key]


@contextlib.contextmanager
def _context(site: SiteRef) -> Iterator[pipeline.Context]:
    """The pipeline's context in this process: the memory opened here, the cached engine."""
    config = site.config()
    with Memory.open(config.state_dir / "memory.sqlite") as memory:
        yield pipeline.Context(
            config, memory, engine_factory=lambda: _engine(config), today=site.today
        )


@task(
    name="detect",
    retries=RETRIES,
    retry_delay_seconds=BACKOFF,
    retry_condition_fn=_transient,
    cache_policy=NO_CACHE,
)
def detect_posts(site: SiteRef) -> pipeline.Detection:
    """Hash the source posts and find the copies to write."""
    with _context(site) as context:
        detection = pipeline.detect(context.config, context.memory)
    get_run_logger().info(
        "%d posts: %d copies to write, %d unchanged, %d unreadable, %d orphans",
        detection.posts,
        len(detection.items),
        detection.unchanged,
        len(detection.errors),
        len(detection.orphans),
    )
    return detection


@task(
    name="prepare",
    task_run_name="prepare {item.post.source_key} ({item.post.target_language})",
    retries=RETRIES,
    retry_delay_seconds=BACKOFF,
    retry_condition_fn=_transient,
    cache_policy=NO_CACHE,
)
def prepare_post(site: SiteRef, item: pipeline.WorkItem) -> pipeline.Prepared:
    """Read one source post and its copy."""
    with _context(site) as context:
        return pipeline.prepare(context, item)


@task(
    name="translate",
    task_run_name="translate {language}",
    retries=RETRIES,
    retry_delay_seconds=BACKOFF,
    retry_condition_fn=_transient,
    cache_policy=NO_CACHE,
)
def translate_language(site: SiteRef, language: str, units: list[str]) -> pipeline.Translations:
    """Translate the distinct units of one language the memory lacks, in one engine batch."""
    with _context(site) as context:
        translations = pipeline.translate_units(context, {language: units})
    get_run_logger().info(
        "%s: %d units, %d from memory, %d translated by %s",
        language,
        len(units),
        translations.from_memory,
        translations.translated,
        translations.engine,
    )
    return translations


@task(
    name="write",
    task_run_name="write {prepared.item.post.target_key}",
    retries=RETRIES,
    retry_delay_seconds=BACKOFF,
    retry_condition_fn=_transient,
    cache_policy=NO_CACHE,
)
def write_post(
    site: SiteRef, prepared: pipeline.Prepared, translations: pipeline.Translations
) -> pipeline.PostResult:
    """Merge and write one copy."""
    with _context(site) as context:
        result = pipeline.write(context, prepared, translations)
    get_run_logger().info("%s %s (%s)", result.action, result.target, result.status)
    return result


@task(name="report", cache_policy=NO_CACHE)
def report_run(site: SiteRef, summary: pipeline.RunSummary) -> None:
    """Publish the run as artifacts: what was written, what failed, what waits for review."""
    with _context(site) as context:
        statuses = review.copy_statuses(context.config, context.memory)
    waiting = [s for s in statuses if s.state in WAITING]
    create_markdown_artifact(
        key=REPORT_KEY, markdown=report_markdown(summary, waiting), description=site.root
    )
    copies = summary.as_json()["copies"]
    if copies:
        create_table_artifact(key=COPIES_KEY, table=copies, description=site.root)
    get_run_logger().info(
        "translated %d copies; %d segments translated, %d from memory; %d errors",
        summary.translated_posts,
        summary.segments_translated,
        summary.segments_from_memory,
        len(summary.errors),
    )


def report_markdown(summary: pipeline.RunSummary, waiting: Sequence[review.CopyStatus]) -> str:
    """The run's report, in Markdown."""
    per_language: dict[str, int] = {}
    for result in summary.results:
        if result.action == "written":
            per_language[result.language] = per_language.get(result.language, 0) + 1
    written = ", ".join(f"{lang}: {n}" for lang, n in sorted(per_language.items())) or "none"
    lines = [
        "# Translation run",
        "",
        "| | |",
        "|---|---|",
        f"| Source posts | {summary.posts} |",
        f"| Copies written | {summary.translated_posts} ({written}) |",
        f"| Segments translated | {summary.segments_translated} |",
        f"| Segments from memory | {summary.segments_from_memory} |",
        f"| Editor edits kept | {summary.edits_kept} |",
        f"| Conflicts | {summary.conflicts} |",
        f"| Errors | {len(summary.errors)} |",
    ]
    lines += _section(
        "Written",
        [f"`{r.target}` ({r.status})" for r in summary.results if r.action == "written"],
    )
    lines += _section("Errors", [f"`{e['path']}`: {e['reason']}" for e in summary.errors])
    lines += _section("Orphans", [f"`{o['source']}` ({o['language']})" for o in summary.orphans])
    lines += _section(
        "Waiting for review",
        [f"`{s.target}` ({s.language}): {s.state}, {s.detail}" for s in waiting],
    )
    return "\n".join(lines) + "\n"


def _section(title: str, items: Sequence[str]) -> list[str]:
    return ["", f"## {title}", "", *(f"- {item}" for item in items)] if items else []


def _collect(
    futures: Sequence[PrefectFuture[T]], posts: Sequence[Post]
) -> tuple[list[T], list[pipeline.PostResult]]:
    """Values of the tasks that succeeded, and a failed result naming the post for each other."""
    values: list[T] = []
    failures: list[pipeline.PostResult] = []
    for future, post in zip(futures, posts, strict=True):
        value = future.result(raise_on_failure=False)
        if isinstance(value, BaseException):
            failures.append(pipeline.failed(post, value))
        else:
            values.append(value)
    return values, failures


@flow(name="translate-steps")
def translate_steps(site: SiteRef) -> pipeline.RunSummary:
    """Wire the steps; runs on the task runner `translate_new_posts` picks."""
    detection = detect_posts(site)
    items = detection.items
    prepared, failures = _collect(prepare_post.map(unmapped(site), items), [i.post for i in items])
    futures = {
        language: translate_language.submit(site, language, units)
        for language, units in pipeline.units_needed(prepared).items()
    }
    # An engine that cannot load stops the run here, with its own error.
    translations = [future.result() for future in futures.values()]
    posts = [p.item.post for p in prepared]
    # Each write gets its language's future: Dask ships those units once per worker.
    writes = write_post.map(
        unmapped(site), prepared, [futures[post.target_language] for post in posts]
    )
    results, write_failures = _collect(writes, posts)
    return pipeline.summarize(
        detection,
        [*failures, *results, *write_failures],
        pipeline.merge_translations(translations) if translations else None,
    )


def _task_runner(config: SiteConfig, choice: RunnerChoice) -> TaskRunner[Any]:
    """Threads in this process, or Dask: the site's scheduler, or a local cluster for tests."""
    if choice == "dask-local" or (choice == "auto" and config.dask_address):
        # Imported here: a site without Dask never needs prefect-dask installed.
        from prefect_dask.task_runners import DaskTaskRunner

        if choice == "auto":
            return DaskTaskRunner(address=config.dask_address)
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            # Loopback only, and the scheduler's HTTP server on a free port, not 8787.
            cluster_kwargs={
                "n_workers": 2,
                "threads_per_worker": 1,
                "processes": True,
                "host": "127.0.0.1",
                "dashboard_address": "127.0.0.1:0",
            },
        )
    return ThreadPoolTaskRunner()


@flow(name="translate-new-posts")
def translate_new_posts(
    site: str = ".",
    targets: list[str] | None = None,
    engine: str | None = None,
    task_runner: RunnerChoice = "auto",
) -> dict[str, Any] | State[Any]:
    """Translate the site's new and changed posts; Failed when any post failed."""
    ref = SiteRef(str(find_site_root(Path(site))), tuple(targets) if targets else None, engine)
    config = ref.config()
    with site_lock(config.state_dir):
        steps = translate_steps.with_options(task_runner=_task_runner(config, task_runner))
        summary = steps(ref)
        report_run(ref, summary)
    if summary.errors:
        # The artifact is out; the run's state tells the scheduler something needs a look.
        named = "; ".join(f"{e['path']}: {e['reason']}" for e in summary.errors)
        return Failed(message=f"failed posts ({len(summary.errors)}): {named}")
    return summary.as_json()


def main(argv: Sequence[str] | None = None) -> int:
    """`run` the flow once, or `serve` it on the site's schedule; the exit code."""
    parser = argparse.ArgumentParser(prog="translate_posts.py", description=main.__doc__)
    parser.add_argument("command", choices=("run", "serve"))
    parser.add_argument("--site", default=".", help="anywhere inside the Hugo site")
    parser.add_argument("--name", default="scheduled", help="deployment name (serve)")
    parser.add_argument("--engine", help="override translator.toml's engine (run)")
    parser.add_argument("--to", help="target languages, comma-separated (run)")
    parser.add_argument("--task-runner", default="auto", choices=("auto", "threads", "dask-local"))
    args = parser.parse_args(argv)
    try:
        root = find_site_root(Path(args.site))
        if args.command == "serve":
            _serve(root, args.name)
            return 0
        state = translate_new_posts(
            site=str(root),
            targets=args.to.split(",") if args.to else None,
            engine=args.engine,
            task_runner=args.task_runner,
            return_state=True,
        )
    except TranslatorError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 3
    return 1 if state.is_failed() else 0


def _serve(root: Path, name: str) -> None:
    """Serve the deployment until stopped, on translator.toml's schedule."""
    # `serve(to_deployment())` rather than `flow.serve()`: the runner then starts
    # each run from the entrypoint (this file, imported as `translate_posts`),
    # as a work pool would, instead of a by-value pickle of the flow that loses
    # the module's names (its annotations no longer resolve) and its engine cache.
    deployment = translate_new_posts.to_deployment(
        name=name,
        cron=load_config(root).schedule,
        # Runs start in the runner's folder: give them the absolute site root.
        parameters={"site": str(root)},
    )
    # One run at a time: a run holds the site's lock. (`to_deployment` is typed as
    # possibly a coroutine for async callers; called from sync code it is not.)
    serve(deployment, limit=1)  # type: ignore[arg-type]


def _run_as_module(argv: Sequence[str]) -> int:
    """Run `main` from this file imported as `translate_posts`, not as `__main__`."""
    # Dask pickles tasks by reference: under `__main__` a worker could not import
    # them, and the engine cache would be copied into every task.
    import translate_posts

    return translate_posts.main(argv)


if __name__ == "__main__":
    sys.exit(_run_as_module(sys.argv[1:]))
