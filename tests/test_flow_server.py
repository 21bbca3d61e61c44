"""The deployment as a team runs it: a real Prefect server, `serve`, and the CLI.

Everything listens on 127.0.0.1 and lives in tmp_path (PREFECT_HOME, the
server's SQLite database, the site). The test talks to the server only
through subprocesses with their own environment, so it does not depend on
(or disturb) the in-process test harness of tests/test_flow.py.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from sites import Site, make_site

from translator.engines.pseudo import pseudo_localize

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FLOW = ROOT / "flows" / "translate_posts.py"
DEPLOYMENT = "translate-new-posts/scheduled"
STARTUP_TIMEOUT = 120.0
RUN_TIMEOUT = 180
# Yearly: the server's scheduler is off anyway, but a real schedule must be read and kept.
SCHEDULE = "0 3 1 1 *"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A process in its own session, so stopping it stops its children too."""
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
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


def _healthy(api: str) -> bool:
    """GET /health on the local server (127.0.0.1 only)."""
    address = urllib.parse.urlsplit(f"{api}/health")
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=2)
    try:
        connection.request("GET", address.path)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def wait_until_healthy(api: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"prefect server exited:\n{log.read_text()[-3000:]}")
        if _healthy(api):
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
        # The runner looks for runs to start every second instead of every ten.
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    env.pop("PREFECT_API_URL", None)
    log = tmp_path / "server.log"
    server = start(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
         "--port", str(port), "--no-ui", "--no-scheduler", "--analytics-off"],
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
        found = prefect(env, "deployment", "inspect", DEPLOYMENT)
        if found.returncode == 0:
            return found.stdout
        time.sleep(1)
    pytest.fail(f"deployment never appeared:\n{log.read_text()[-3000:]}")


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = make_site(tmp_path / "site")
    site.write("translator.toml", f'schedule = "{SCHEDULE}"\n[engine]\nname = "pseudo"\n')
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
        run = prefect(prefect_env, "deployment", "run", DEPLOYMENT, "--watch",
                      "--watch-timeout", str(RUN_TIMEOUT), timeout=RUN_TIMEOUT + 30)  # fmt: skip
        artifacts = prefect(prefect_env, "artifact", "inspect", "translation-report")
    finally:
        stop(serving)
    assert SCHEDULE in deployment
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}\n{log.read_text()[-3000:]}"
    assert "Completed" in run.stdout
    assert pseudo_localize("Troisième paragraphe.") in site.read("content/en/post.md")
    assert artifacts.returncode == 0, artifacts.stderr
    assert "content/en/post.md" in artifacts.stdout


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
    assert "failed posts (1): content/fr/broken.md" in done.stderr
    assert (site.root / "content/en/post.md").exists()
