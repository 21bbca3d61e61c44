"""The Prefect flow over temporary sites, against prefect_test_harness's temporary API.

The harness starts a local API server (a few seconds), once per session. Each
failure test checks the run's final state, its one-line message, that the
report artifact was published, and that nothing was retried that could not
succeed.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
)
from prefect.states import State
from prefect.testing.utilities import prefect_test_harness
from sites import POST, Site, declare, make_site

from translator import pipeline
from translator.engines import make_engine, models
from translator.engines.pseudo import pseudo_localize
from translator.errors import EngineError
from translator.markdown.document import read_values
from translator.store.memory import site_lock

# The flow is imported as Prefect's loader imports it: `translate_posts` from flows/.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "flows"))
translate_posts = importlib.import_module("translate_posts")

COPY = "content/en/post.md"


@pytest.fixture(scope="session", autouse=True)
def harness() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        with prefect_test_harness(server_startup_timeout=120):
            yield


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path)


@pytest.fixture
def no_retry_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries as configured, without the seconds between them."""
    for name in ("plan", "commit"):
        fast = getattr(translate_posts, name).with_options(retry_delay_seconds=0)
        monkeypatch.setattr(translate_posts, name, fast)


def run(site: Site | Path, **parameters: Any) -> State[Any]:
    parameters.setdefault("engine", "pseudo")
    root = site.root if isinstance(site, Site) else site
    state: State[Any] = translate_posts.translate_new_posts(
        site=str(root), return_state=True, **parameters
    )
    return state


def artifact(state: State[Any], key: str = "translation-report") -> Any:
    """The artifact `key` the flow run created."""
    with get_client(sync_client=True) as client:
        (found,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[key]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id]),
            )
        )
    return found.data


def counting(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[object]:
    """Count the calls of `owner.name`, which still runs."""
    calls: list[object] = []
    real = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def with_posts(site: Site, count: int) -> Site:
    for n in range(count):
        site.write(f"content/fr/p{n}.md", POST.replace("Troisième", f"Numéro {n},"))
    return site


# -- what a run does -----------------------------------------------------------------
def test_flow__writes_copies_and_reports(site: Site) -> None:
    state = run(site)
    copy = site.read(COPY)
    report = artifact(state)
    assert state.is_completed()
    assert state.result()["translated_posts"] == 1
    assert read_values(copy)["draft"] is True
    assert pseudo_localize("Troisième paragraphe.") in copy
    assert report.startswith(f"# Translation run: Completed\n\n`{site.root}` — 1 copies written")
    assert "| en | 1 (machine 1) | 0 | 0 |" in report
    assert "## Waiting for review (1)\n\n- `content/en/post.md` (en): machine, 5 of 5" in report


def test_flow__table_artifact_puts_action_and_status_first(site: Site) -> None:
    state = run(site)
    (row,) = json.loads(artifact(state, "translation-copies"))
    assert list(row)[:3] == ["action", "status", "copy"]
    assert (row["copy"], row["action"], row["status"]) == (COPY, "written", "machine")


def test_flow__rerun_translates_nothing(site: Site) -> None:
    run(site)
    before = site.read(COPY)
    state = run(site)
    summary = state.result()
    assert state.is_completed()
    assert (summary["translated_posts"], summary["segments_translated"]) == (0, 0)
    assert site.read(COPY) == before


def test_flow__chunks_are_committed_as_they_return(site: Site) -> None:
    with_posts(site, 5)
    state = run(site, chunk_units=2)
    assert state.is_completed()
    assert len(list((site.root / "content/en").glob("*.md"))) == 6


def test_flow__a_run_that_fails_half_way_keeps_what_it_committed(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A run killed mid-way is the same to the memory: chunks committed before stay.
    with_posts(site, 5)
    real = pipeline.translate_chunk

    def last_fails(chunk: pipeline.Chunk) -> list[str]:
        if any("Numéro 4" in unit for unit in chunk.units):
            raise EngineError("the engine crashed")
        return real(chunk)

    monkeypatch.setattr(pipeline, "translate_chunk", last_fails)
    first = run(site, chunk_units=3)
    written = len(list((site.root / "content/en").glob("*.md")))
    monkeypatch.setattr(pipeline, "translate_chunk", real)
    second = run(site, chunk_units=3)
    assert first.is_failed()
    assert 0 < written < 6
    assert second.result()["segments_from_memory"] > 0
    assert len(list((site.root / "content/en").glob("*.md"))) == 6


def test_flow__engine_is_built_once_per_process(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []

    def build(name: str, settings: Any) -> Any:
        built.append(name)
        return make_engine(name, settings)

    monkeypatch.setattr(pipeline, "_PROCESS_ENGINES", {})
    monkeypatch.setattr(pipeline, "make_engine", build)
    with_posts(site, 2)
    declare(site, "es")
    state = run(site, targets=["en", "es"], chunk_units=2)
    assert state.is_completed()
    assert built == ["pseudo"]
    assert (site.root / "content/es/p1.md").exists()


def test_flow__run_is_named_after_the_site_and_tagged_with_languages(site: Site) -> None:
    declare(site, "es")
    state = run(site, targets=["en", "es"])
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(state.state_details.flow_run_id)
    assert flow_run.name.startswith(f"{site.root.name} 20")
    assert {"lang:en", "lang:es"} <= set(flow_run.tags)


def test_flow__orphans_are_reported_never_deleted(site: Site) -> None:
    run(site)
    (site.root / "content/fr/post.md").unlink()
    state = run(site)
    assert state.is_completed()
    assert (site.root / COPY).exists()
    assert "## Orphans (1)\n\n- `content/fr/post.md` (en)" in artifact(state)


# -- the site parameter ----------------------------------------------------------------
def test_flow__a_relative_site_that_does_not_exist_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: a typo resolved to the site around the working directory and Completed.
    make_site(tmp_path)
    monkeypatch.chdir(tmp_path)
    state = translate_posts.translate_new_posts(site="sitte", engine="pseudo", return_state=True)
    assert state.is_failed()
    assert f"{tmp_path / 'sitte'}: no such site folder" in str(state.message)
    assert not (tmp_path / COPY).exists()
    assert "# Translation run: Failed" in artifact(state)


def test_flow__a_folder_inside_the_site_is_not_the_site(site: Site) -> None:
    state = run(site.root / "content")
    assert state.is_failed()
    assert f"not the root of a Hugo site (the site around it is {site.root})" in str(state.message)


# -- failures: permanent ones at once, transient ones retried ---------------------------
def test_flow__a_broken_post_fails_the_run_not_the_others(site: Site) -> None:
    site.write("content/fr/broken.md", "---\ntitle: [unclosed\n---\nTexte.\n")
    state = run(site)
    report = artifact(state)
    assert state.is_failed()
    assert "1 failed, first: content/fr/broken.md: invalid YAML" in str(state.message)
    assert (site.root / COPY).exists()
    assert report.index("## Errors (1)") < report.index("## Waiting for review")
    assert "- `content/fr/broken.md`: invalid YAML" in report


def test_flow__a_corrupt_memory_fails_at_once(site: Site) -> None:
    site.write(".translator/memory.sqlite", "this is not a database, just text " * 200)
    state = run(site)
    assert state.is_failed()
    assert "memory.sqlite: not a translator memory database" in str(state.message)
    assert "memory.sqlite: not a translator memory database" in artifact(state)
    assert not (site.root / COPY).exists()


def test_flow__a_file_where_the_copies_folder_should_be_is_not_retried(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_posts(site, 2)
    site.write("content/en", "a file, not a folder\n")
    plans = counting(monkeypatch, translate_posts.RunLedger, "plan")
    state = run(site)
    assert state.is_failed()
    assert len(plans) == 1  # no retry
    assert "1 failed, first: content/en: a file, where a folder is needed for the copies of 3 " in (
        str(state.message)
    )
    assert "## Errors (1)" in artifact(state)


def test_flow__a_locked_database_is_retried(
    site: Site, monkeypatch: pytest.MonkeyPatch, no_retry_wait: None
) -> None:
    monkeypatch.setattr(pipeline, "prepare", fail_once(pipeline.prepare))
    state = run(site)
    assert state.is_completed()
    assert (site.root / COPY).exists()


def fail_once(step: Callable[..., Any]) -> Callable[..., Any]:
    calls: list[object] = []

    def flaky(*args: Any) -> Any:
        calls.append(args)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return step(*args)

    return flaky


@pytest.mark.usefixtures("argos_home", "no_network", "no_retry_wait")
def test_flow__a_model_download_cut_by_the_network_is_retried_then_fails(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("translator.engines.argos")
    site.write("translator.toml", "[engine]\nthreads = 1\n")
    downloads = counting(monkeypatch, models, "install_pair")
    declare(site, "de")
    state = run(site, engine="argos", targets=["de"])
    assert state.is_failed()
    assert len(downloads) == 4  # the first try and three retries
    assert "cannot reach the Argos package index" in str(state.message)
    assert "# Translation run: Failed" in artifact(state)


def test_flow__an_unknown_engine_fails_in_one_line_without_traceback(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        state = run(site, engine="nope")
    assert state.is_failed()
    assert str(state.message).startswith("unknown engine 'nope' — choose one of")
    assert "Finished in state Failed(\"unknown engine 'nope'" in caplog.text  # logs are seen
    assert "Traceback" not in caplog.text
    assert "unknown engine 'nope'" in artifact(state)


def test_flow__an_engine_failure_on_a_worker_fails_its_copies(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(chunk: pipeline.Chunk) -> list[str]:
        raise EngineError("model file is damaged", path="/models/fr_en")

    monkeypatch.setattr(pipeline, "translate_chunk", broken)
    state = run(site)
    report = artifact(state)
    assert state.is_failed()
    assert "not translated: /models/fr_en: model file is damaged" in str(state.message)
    assert "## Errors (1)\n\n- `content/fr/post.md`: not translated:" in report
    assert not (site.root / COPY).exists()


def test_flow__a_bug_on_a_worker_logs_its_traceback_under_the_site(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def buggy(chunk: pipeline.Chunk) -> list[str]:
        raise ZeroDivisionError("deliberate bug in a chunk")

    monkeypatch.setattr(pipeline, "translate_chunk", buggy)
    with caplog.at_level(logging.INFO):
        state = run(site)
    assert state.is_failed()
    assert "internal error (a bug in translator): ZeroDivisionError" in str(state.message)
    assert "Traceback" not in caplog.text
    log = (site.root / ".translator/internal-errors.log").read_text()
    assert 'raise ZeroDivisionError("deliberate bug in a chunk")' in log


def test_flow__a_bug_in_the_run_logs_its_traceback_under_the_site(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def buggy(*args: object) -> list[object]:
        raise ZeroDivisionError("deliberate bug in the report")

    monkeypatch.setattr(translate_posts.review, "copy_statuses", buggy)
    with caplog.at_level(logging.INFO):
        state = run(site)
    assert state.is_failed()
    assert "internal error (a bug in translator): ZeroDivisionError" in str(state.message)
    assert "Traceback" not in caplog.text
    log = (site.root / ".translator/internal-errors.log").read_text()
    assert 'raise ZeroDivisionError("deliberate bug in the report")' in log


def test_flow__a_lost_memory_beside_copies_fails_naming_it(site: Site) -> None:
    assert run(site).is_completed()
    (site.root / ".translator/memory.sqlite").unlink()
    state = run(site)
    assert state.is_failed()
    assert "memory.sqlite: the translation memory is missing" in str(state.message)
    assert not (site.root / ".translator/memory.sqlite").exists()


# -- the site's lock -----------------------------------------------------------------
def test_flow__a_lock_held_throughout_skips_the_run_with_a_reason(site: Site) -> None:
    with site_lock(site.root / ".translator"):
        state = run(site, lock_wait=0)
    assert state.is_completed()
    assert state.name == "Skipped"
    assert "another translator run holds the site's lock" in str(state.message)
    assert "# Translation run: Skipped" in artifact(state)
    assert not (site.root / COPY).exists()


def test_flow__a_lock_released_while_waiting_lets_the_run_go_on(site: Site) -> None:
    held = threading.Event()

    def hold() -> None:
        with site_lock(site.root / ".translator"):
            held.set()
            time.sleep(1.5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    state = run(site, lock_wait=30)
    holder.join()
    assert state.is_completed()
    assert state.name == "Completed"
    assert (site.root / COPY).exists()


# -- Dask ----------------------------------------------------------------------------
def _copies(site: Site) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (site.root / "content/en").glob("*.md")}


@pytest.mark.slow
def test_flow__dask_local_cluster_gives_byte_identical_copies(tmp_path: Path) -> None:
    threads = with_posts(make_site(tmp_path / "threads"), 6)
    dask = with_posts(make_site(tmp_path / "dask"), 6)
    assert run(threads, task_runner="threads", chunk_units=4).is_completed()
    assert run(dask, task_runner="dask", chunk_units=4).is_completed()
    assert len(_copies(threads)) == 7
    assert _copies(dask) == _copies(threads)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def bare_dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scheduler and two workers started in an empty folder, with only `translator`
    importable: no site, no flows/, no Prefect API in their environment."""
    folder = tmp_path_factory.mktemp("workers")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PYTHONPATH"] = str(ROOT / "src")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                 "--port", str(port), "--dashboard-address", "127.0.0.1:0"]  # fmt: skip
    worker = [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
              "--nworkers", "2", "--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0"]  # fmt: skip
    processes = [
        subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
        for command in (scheduler, worker)
    ]  # fmt: skip
    try:
        from distributed import Client

        with Client(address, timeout=120) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


@pytest.mark.slow
def test_flow__dask_workers_without_the_site_give_byte_identical_copies(
    tmp_path: Path, bare_dask_cluster: str
) -> None:
    threads = with_posts(make_site(tmp_path / "threads"), 6)
    dask = with_posts(make_site(tmp_path / "dask"), 6)
    assert run(threads, task_runner="threads", chunk_units=4).is_completed()
    assert run(dask, task_runner=bare_dask_cluster, chunk_units=4).is_completed()
    assert len(_copies(threads)) == 7
    assert _copies(dask) == _copies(threads)


@pytest.mark.slow
def test_flow__argos_batches_decode_on_dask_workers_without_the_site(
    tmp_path: Path, argos_home: Path, bare_dask_cluster: str
) -> None:
    """With argos, only CTranslate2 batches go to the workers (started, after the Argos
    home was set, in an empty folder): the copies are the threads runner's, byte for
    byte, and the models were loaded in the workers."""
    from distributed import Client

    from translator.engines import spread

    threads = with_posts(make_site(tmp_path / "threads"), 6)
    dask = with_posts(make_site(tmp_path / "dask"), 6)
    for root in (threads, dask):
        root.write("translator.toml", "[engine]\nthreads = 1\nauto_install = false\n")
    assert run(threads, engine="argos", task_runner="threads").is_completed()
    state = run(dask, engine="argos", task_runner=bare_dask_cluster, chunk_units=4)
    assert state.is_completed()
    assert len(_copies(threads)) == 7
    assert _copies(dask) == _copies(threads)
    assert "DEUXIÈME PARAGRAPHE AVEC DU `code`." in _copies(dask)["post.md"].decode()
    with Client(bare_dask_cluster) as client:
        loaded = client.run(lambda: sorted(f"{k.source}-{k.target}" for k in spread._TRANSLATORS))
    assert {name for names in loaded.values() for name in names} == {"fr-en"}


@pytest.mark.usefixtures("argos_home", "no_network")
def test_flow__argos_fixture_model(site: Site) -> None:
    pytest.importorskip("translator.engines.argos")
    site.write("translator.toml", "[engine]\nthreads = 1\n")
    state = run(site, engine="argos")
    copy = site.read(COPY)
    assert state.is_completed()
    assert state.result()["segments_translated"] == 6
    assert "DEUXIÈME PARAGRAPHE AVEC DU `code`." in copy
    assert "model: fr_en-1.0" in copy
