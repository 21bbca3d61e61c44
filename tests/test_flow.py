"""The Prefect flow over temporary sites, against prefect_test_harness's temporary API.

The harness starts a local API server (a few seconds), once per session.
"""

from __future__ import annotations

import importlib
import json
import sqlite3
import sys
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
from sites import POST, Site, make_site

from translator import pipeline
from translator.document import read_values
from translator.engines import make_engine
from translator.engines.pseudo import pseudo_localize
from translator.memory import site_lock

# The flow is imported as Prefect's loader and Dask's workers import it: `translate_posts`
# from the flows folder (spawned workers inherit this sys.path).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "flows"))
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


def run(site: Site, **parameters: Any) -> State[Any]:
    parameters.setdefault("engine", "pseudo")
    state: State[Any] = translate_posts.translate_new_posts(
        site=str(site.root), return_state=True, **parameters
    )
    return state


def artifact(state: State[Any], key: str) -> Any:
    """The artifact `key` the flow run created."""
    with get_client(sync_client=True) as client:
        (found,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[key]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id]),
            )
        )
    return found.data


def test_flow__writes_copies_and_reports(site: Site) -> None:
    state = run(site)
    copy = site.read(COPY)
    report = artifact(state, "translation-report")
    assert state.is_completed()
    assert state.result()["translated_posts"] == 1
    assert read_values(copy)["draft"] is True
    assert pseudo_localize("Troisième paragraphe.") in copy
    assert "| Copies written | 1 (en: 1) |" in report
    assert "## Waiting for review\n\n- `content/en/post.md` (en): machine, 5 of 5" in report


def test_flow__table_artifact_lists_the_copies(site: Site) -> None:
    state = run(site)
    (row,) = json.loads(artifact(state, "translation-copies"))
    assert (row["target"], row["action"], row["status"]) == (COPY, "written", "machine")


def test_flow__every_task_stamps_the_run_date(site: Site) -> None:
    # The date is fixed when the run starts: a write task that runs after midnight,
    # or on a Dask worker in another time zone, stamps the same date as the others.
    ref = translate_posts.SiteRef(str(site.root), engine="pseudo", today="1999-12-31")
    translate_posts.translate_steps(ref)
    assert read_values(site.read(COPY))["translation"]["date"] == "1999-12-31"


def test_flow__rerun_translates_nothing(site: Site) -> None:
    run(site)
    before = site.read(COPY)
    state = run(site)
    summary = state.result()
    assert state.is_completed()
    assert (summary["translated_posts"], summary["segments_translated"]) == (0, 0)
    assert site.read(COPY) == before
    assert "| Segments translated | 0 |" in artifact(state, "translation-report")


def test_flow__a_broken_post_fails_the_run_not_the_others(site: Site) -> None:
    site.write("content/fr/broken.md", "---\ntitle: [unclosed\n---\nTexte.\n")
    state = run(site)
    assert state.is_failed()
    assert "content/fr/broken.md: invalid YAML" in str(state.message)
    assert (site.root / COPY).exists()
    assert "## Errors\n\n- `content/fr/broken.md`: invalid YAML" in artifact(
        state, "translation-report"
    )


def test_flow__orphans_are_reported_never_deleted(site: Site) -> None:
    run(site)
    (site.root / "content/fr/post.md").unlink()
    state = run(site)
    assert state.is_completed()
    assert (site.root / COPY).exists()
    assert "## Orphans\n\n- `content/fr/post.md` (en)" in artifact(state, "translation-report")


def test_flow__a_locked_database_is_retried(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
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


def test_flow__a_second_run_at_once_is_refused(site: Site) -> None:
    with site_lock(site.root / ".translator"):
        state = run(site)
    assert state.is_failed()
    assert "another translator run" in str(state.message)
    assert not (site.root / COPY).exists()


def test_flow__engine_is_built_once_per_process(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []

    def counting(name: str, settings: Any) -> Any:
        built.append(name)
        return make_engine(name, settings)

    monkeypatch.setattr(translate_posts, "_ENGINES", {})
    monkeypatch.setattr(translate_posts, "make_engine", counting)
    site.write("content/fr/second.md", POST.replace("Premier", "Autre"))
    state = run(site, targets=["en", "es"])
    assert state.is_completed()
    assert built == ["pseudo"]
    assert (site.root / "content/es/second.md").exists()


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


def _site_with_posts(root: Path) -> Site:
    site = make_site(root)
    for n in range(6):
        site.write(f"content/fr/p{n}.md", POST.replace("Troisième", f"Numéro {n},"))
    return site


def test_flow__dask_local_cluster_gives_byte_identical_copies(tmp_path: Path) -> None:
    threads = _site_with_posts(tmp_path / "threads")
    dask = _site_with_posts(tmp_path / "dask")
    assert run(threads, task_runner="threads").is_completed()
    assert run(dask, task_runner="dask-local").is_completed()
    expected = {p.name: p.read_bytes() for p in (threads.root / "content/en").glob("*.md")}
    written = {p.name: p.read_bytes() for p in (dask.root / "content/en").glob("*.md")}
    assert len(expected) == 7
    assert written == expected
