"""The deployment as a team runs it: a real Prefect server, `serve`, and the CLI.

Everything listens on 127.0.0.1 and lives in tmp_path (PREFECT_HOME, the
server's SQLite database, the site). The test talks to the server only
through subprocesses with their own environment, so it does not depend on
(or disturb) the in-process test harness of tests/test_flow.py.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sites import Site, make_site

from translator.cli.flow_serve import DEFAULT_API, api_healthy
from translator.engines.pseudo import pseudo_localize

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FLOW = ROOT / "flows" / "translate_posts.py"
SERVED = "translate-new-posts/served-site"
DEPLOYED = "translate-new-posts/scheduled"
BIN = str(Path(sys.executable).parent)
STARTUP_TIMEOUT = 120.0
RUN_TIMEOUT = 180
SCHEDULE = "*/15 * * * *"
"""prefect.yaml's schedule, which serve and deploy both use."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def start(
    command: list[str], env: dict[str, str], log: Path, *, cwd: Path = ROOT
) -> subprocess.Popen[bytes]:
    """A process in its own session, so stopping it stops its children too."""
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, SIGKILL it if it lingers."""
    for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue


def wait_until_healthy(api: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"prefect server exited:\n{log.read_text()[-3000:]}")
        if api_healthy(api):
            return
        time.sleep(0.5)
    pytest.fail(f"prefect server not healthy after {STARTUP_TIMEOUT}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def prefect_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A Prefect server on a free loopback port; yields the environment of its clients."""
    tmp_path = tmp_path_factory.mktemp("prefect")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_PROFILES_PATH": str(tmp_path / "prefect-home" / "profiles.toml"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        # The runner and the worker look for runs to start every second instead of
        # every ten; the scheduler makes runs every two seconds instead of every minute.
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
        # What a worker's flow runs import: translator from src/, `prefect` on PATH.
        "PYTHONPATH": str(ROOT / "src"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("PREFECT_API_URL", None)
    log = tmp_path / "server.log"
    server = start(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
         "--port", str(port), "--no-ui", "--analytics-off"],
        env,
        log,
    )  # fmt: skip
    try:
        wait_until_healthy(api, server, log)
        yield {**env, "PREFECT_API_URL": api}
    finally:
        stop(server)


def prefect(
    env: dict[str, str], *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prefect", *args],
        cwd=ROOT,
        env={**env, "COLUMNS": "250", "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def wait_for_deployment(env: dict[str, str], serving: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if serving.poll() is not None:
            pytest.fail(f"serve exited:\n{log.read_text()[-3000:]}")
        found = prefect(env, "deployment", "inspect", SERVED)
        if found.returncode == 0:
            return found.stdout
        time.sleep(1)
    pytest.fail(f"deployment never appeared:\n{log.read_text()[-3000:]}")


def wait_for_text(log: Path, text: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline and text not in log.read_text():
        if process.poll() is not None:
            pytest.fail(f"process exited:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


def served_words(
    command: list[str],
    env: dict[str, str],
    log: Path,
    *,
    cwd: Path = ROOT,
    client: dict[str, str] | None = None,
) -> str:
    """What a serving process printed once its deployment is on the server; `client` is
    the environment that finds it there (default `env`)."""
    serving = start(command, env, log, cwd=cwd)
    try:
        # An earlier test may have served the same deployment on this server, so it can
        # be found before this process has even started: wait for its own words too.
        wait_for_text(log, f"prefect deployment run '{SERVED}'", serving)
        wait_for_deployment(client or env, serving, log)
    finally:
        stop(serving)
    return log.read_text()


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = make_site(tmp_path / "site")
    site.write("translator.toml", '[engine]\nname = "pseudo"\n')
    return site


def test_served_deployment__cli_run_translates_and_reports(
    prefect_env: dict[str, str], site: Site, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    serving = start(
        [sys.executable, str(FLOW), "serve", "--site", str(site.root)], prefect_env, log
    )
    try:
        deployment = wait_for_deployment(prefect_env, serving, log)
        run = prefect(prefect_env, "deployment", "run", SERVED, "--watch",
                      "--watch-timeout", str(RUN_TIMEOUT), timeout=RUN_TIMEOUT + 30)  # fmt: skip
        artifacts = prefect(prefect_env, "artifact", "inspect", "translation-report")
    finally:
        stop(serving)
    assert SCHEDULE in deployment
    assert "'timezone': 'UTC'" in deployment
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}\n{log.read_text()[-3000:]}"
    assert "Completed" in run.stdout
    assert pseudo_localize("Troisième paragraphe.") in site.read("content/en/post.md")
    assert artifacts.returncode == 0, artifacts.stderr
    assert "content/en/post.md" in artifacts.stdout


def test_serve__prints_the_api_url_and_the_run_command(
    prefect_env: dict[str, str], site: Site, tmp_path: Path
) -> None:
    command = [sys.executable, str(FLOW), "serve", "--site", str(site.root)]
    printed = served_words(command, prefect_env, tmp_path / "serve.log")
    assert f"export PREFECT_API_URL={prefect_env['PREFECT_API_URL']}" in printed
    assert f"prefect deployment run '{SERVED}' --watch" in printed


def test_translator_serve__prints_the_api_url_and_the_run_command(
    prefect_env: dict[str, str], site: Site, tmp_path: Path
) -> None:
    # No SITE: the site is the folder it runs in, as `translator run`'s.
    command = [sys.executable, "-m", "translator", "serve"]
    printed = served_words(command, prefect_env, tmp_path / "serve.log", cwd=site.root)
    assert f"export PREFECT_API_URL={prefect_env['PREFECT_API_URL']}" in printed
    assert f"prefect deployment run '{SERVED}' --watch" in printed


def test_translator_serve__a_run_started_as_printed_translates_the_site(
    prefect_env: dict[str, str], site: Site, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    serving = start(
        [sys.executable, "-m", "translator", "serve", str(site.root)],
        prefect_env,
        log,
        cwd=tmp_path,
    )
    try:
        wait_for_text(log, f"prefect deployment run '{SERVED}'", serving)
        wait_for_deployment(prefect_env, serving, log)
        run = prefect(prefect_env, "deployment", "run", SERVED, "--watch",
                      "--watch-timeout", str(RUN_TIMEOUT), timeout=RUN_TIMEOUT + 30)  # fmt: skip
    finally:
        stop(serving)
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}\n{log.read_text()[-3000:]}"
    assert "Completed" in run.stdout
    assert pseudo_localize("Troisième paragraphe.") in site.read("content/en/post.md")


def test_translator_serve__outside_a_site_says_so(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "translator", "serve", str(tmp_path)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 3
    assert done.stderr.startswith(f"Error: {tmp_path}: no Hugo site here or above")


def test_run_command__runs_the_flow_once_against_the_server(
    prefect_env: dict[str, str], site: Site
) -> None:
    site.write("content/fr/broken.md", "---\ntitle: [unclosed\n---\nTexte.\n")
    done = subprocess.run(
        [sys.executable, str(FLOW), "run", "--site", str(site.root)],
        cwd=site.root,
        env=prefect_env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Failed: 1 failed, first: content/fr/broken.md" in done.stderr
    assert (site.root / "content/en/post.md").exists()


@pytest.fixture(scope="module")
def work_pool(prefect_env: dict[str, str]) -> str:
    """The process work pool prefect.yaml names, created as the README says."""
    created = prefect(prefect_env, "work-pool", "create", "translator", "--type", "process")
    assert created.returncode == 0, created.stdout + created.stderr
    return "translator"


def deploy_env(env: dict[str, str], site: Site | None) -> dict[str, str]:
    """What an operator's shell has when running `prefect deploy` in the project folder."""
    deploying = {**env, "PWD": str(ROOT)}
    deploying.pop("TRANSLATOR_SITE", None)
    if site is not None:
        deploying["TRANSLATOR_SITE"] = str(site.root)
    return deploying


@pytest.mark.usefixtures("work_pool")
def test_deploy__refuses_a_missing_site(prefect_env: dict[str, str]) -> None:
    deployed = prefect(deploy_env(prefect_env, None), "deploy", "--name", "scheduled")
    assert deployed.returncode != 0
    assert "set TRANSLATOR_SITE to the absolute path" in deployed.stdout + deployed.stderr


def wait_for(path: Path, worker: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not path.exists():
        if worker.poll() is not None:
            pytest.fail(f"worker exited:\n{log.read_text()[-3000:]}")
        time.sleep(1)


@pytest.mark.usefixtures("work_pool")
def test_deploy__a_process_worker_runs_the_scheduled_deployment(
    prefect_env: dict[str, str], site: Site, tmp_path: Path
) -> None:
    env = deploy_env(prefect_env, site)
    deployed = prefect(env, "deploy", "--name", "scheduled", timeout=120)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    inspected = prefect(env, "deployment", "inspect", DEPLOYED)
    # Every minute, for the scheduler to make a run soon (same deployment, same pool).
    every_minute = prefect(env, "deploy", "--name", "scheduled", "--cron", "* * * * *",
                           "--timezone", "UTC", timeout=120)  # fmt: skip
    log = tmp_path / "worker.log"
    worker = start([sys.executable, "-m", "prefect", "worker", "start", "--pool", "translator"],
                   env, log)  # fmt: skip
    try:
        wait_for(site.root / "content/en/post.md", worker, log, 150)
        runs = prefect(env, "flow-run", "ls", "--flow-name", "translate-new-posts",
                       "--state", "COMPLETED")  # fmt: skip
    finally:
        stop(worker)
    assert SCHEDULE in inspected.stdout and "'timezone': 'UTC'" in inspected.stdout
    assert str(site.root) in inspected.stdout
    assert every_minute.returncode == 0, every_minute.stdout + every_minute.stderr
    # No run was started by hand: the copy is the scheduled run's work.
    assert (site.root / "content/en/post.md").exists(), log.read_text()[-3000:]
    assert "COMPLETED" in runs.stdout, runs.stdout


def test_make_serve__without_a_site_says_how_to_give_one() -> None:
    done = subprocess.run(
        [str(ROOT / "scripts" / "serve.sh")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "usage: make serve SITE=/path/to/hugo/site" in done.stderr


def port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_translator_serve__without_an_api_starts_its_local_server(
    site: Site, tmp_path: Path
) -> None:
    """No PREFECT_API_URL and nothing on 127.0.0.1:4200: `translator serve` starts a server
    there in the background, serves the site against it, and `prefect server stop` ends it."""
    if port_taken(4200):
        pytest.skip("something listens on 127.0.0.1:4200: translator serve would use it")
    home = tmp_path / "prefect-home"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_PROFILES_PATH": str(home / "profiles.toml"),
        "PYTHONPATH": str(ROOT / "src"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("PREFECT_API_URL", None)
    command = [sys.executable, "-m", "translator", "serve", str(site.root)]
    try:
        client = {**env, "PREFECT_API_URL": DEFAULT_API}
        printed = served_words(command, env, tmp_path / "serve.log", client=client)
    finally:
        prefect(env, "server", "stop")
    assert f"no PREFECT_API_URL: starting a Prefect server at {DEFAULT_API}" in printed
    assert f"export PREFECT_API_URL={DEFAULT_API}" in printed
    deadline = time.monotonic() + 30
    while api_healthy(DEFAULT_API) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not api_healthy(DEFAULT_API), "prefect server stop left the background server up"
