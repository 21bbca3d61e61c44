"""`translator serve`: the Prefect flow of flows/translate_posts.py, served for one site.

Thin on purpose: it finds the flow module of the checkout translator runs
from, makes sure a Prefect API answers (PREFECT_API_URL, else a local server
on 127.0.0.1:4200 started in the background, as `make serve` does), and hands
over to the flow module's own serve path, which prints the URL to export and
the exact `prefect deployment run` command. Prefect is imported only here, and
only after PREFECT_API_URL is set: its settings are read when it loads.
"""

from __future__ import annotations

import http.client
import importlib
import importlib.util
import os
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from translator.errors import SchedulerError

__all__ = ("DEFAULT_API", "api_healthy", "flow_module_path", "serve_site")

DEFAULT_API = "http://127.0.0.1:4200/api"
"""The local server `translator serve` uses (and starts) when PREFECT_API_URL is unset."""
STARTUP_SECONDS = 60.0
FLOWS = Path(__file__).resolve().parents[3] / "flows"
"""flows/ of the source checkout (src/translator/cli/ → the repository's root)."""


def serve_site(root: Path, *, say: Callable[[str], None]) -> None:
    """Serve the flow for the site at `root` until stopped (Ctrl-C)."""
    module = flow_module_path()
    if importlib.util.find_spec("prefect") is None:
        raise SchedulerError(
            "Prefect is not installed", hint="install translator with its extras: make install"
        )
    api = os.environ.get("PREFECT_API_URL") or _local_server(say)
    os.environ["PREFECT_API_URL"] = api
    sys.path.insert(0, str(module.parent))  # the flow imports its siblings by name
    flows = importlib.import_module(module.stem)  # Prefect loads now, with the API set
    flows.serve_site(root)


def flow_module_path() -> Path:
    """flows/translate_posts.py beside the sources, or `SchedulerError`."""
    module = FLOWS / "translate_posts.py"
    if not module.is_file():
        raise SchedulerError(
            "the Prefect flow is not here",
            path=module,
            hint="run translator from a checkout of its repository (flows/ is not packaged)",
        )
    return module


def _local_server(say: Callable[[str], None]) -> str:
    """DEFAULT_API, starting `prefect server start --background` there if nothing answers."""
    if not api_healthy(DEFAULT_API):
        say(f"no PREFECT_API_URL: starting a Prefect server at {DEFAULT_API} (prefect server stop)")
        url = urllib.parse.urlsplit(DEFAULT_API)
        subprocess.run(
            [sys.executable, "-m", "prefect", "server", "start", "--host", url.hostname or "",
             "--port", str(url.port), "--background"],
            env={**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"},
            check=False, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    deadline = time.monotonic() + STARTUP_SECONDS
    while not api_healthy(DEFAULT_API):
        if time.monotonic() > deadline:
            raise SchedulerError(
                f"no Prefect server answers at {DEFAULT_API}",
                hint="start one (prefect server start) or export PREFECT_API_URL",
            )
        time.sleep(1)
    return DEFAULT_API


def api_healthy(api: str) -> bool:
    """GET <api>/health answers 200 (the tests wait for their own server with it too)."""
    address = urllib.parse.urlsplit(f"{api}/health")
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=2)
    try:
        connection.request("GET", address.path)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()
