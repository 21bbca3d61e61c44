"""`translator models`: install from a file or the index, list, remove; clear errors offline.

Each test gets an empty Argos packages folder of its own (argostranslate's
settings pointed at it, inside the session's `argos_home`) and no network;
an "Argos index" is either a closed port on this machine or a small HTTP
server on 127.0.0.1 that offers the fixture packages.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import typer
from conftest import ARGOS_FIXTURES, HANG
from typer.testing import CliRunner, Result

from translator.cli.models import models_app
from translator.engines import models
from translator.engines.argos import ArgosEngine
from translator.errors import EngineError

pytestmark = pytest.mark.usefixtures("no_network")

FR_EN = ARGOS_FIXTURES / "translate-fr_en-fixture.argosmodel"
EN_ES = ARGOS_FIXTURES / "translate-en_es-fixture.argosmodel"


@pytest.fixture
def packages(argos_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty packages folder for this test; the index on a closed port."""
    from argostranslate import settings, translate

    folder = tmp_path / "packages"
    folder.mkdir()
    monkeypatch.setattr(settings, "package_data_dir", folder)
    monkeypatch.setattr(settings, "package_dirs", [folder])
    monkeypatch.setattr(settings, "remote_package_index", f"http://127.0.0.1:{closed_port()}/")
    translate.get_installed_languages.cache_clear()
    yield folder
    translate.get_installed_languages.cache_clear()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def index(packages: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An Argos index on 127.0.0.1 offering fr→en and en→es; its URL."""
    from argostranslate import settings

    served = tmp_path / "served"
    served.mkdir()
    with ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(served))) as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        entries = [entry(archive, url) for archive in (FR_EN, EN_ES)]
        (served / "index.json").write_text(json.dumps(entries))
        for archive in (FR_EN, EN_ES):
            (served / archive.name).write_bytes(archive.read_bytes())
        monkeypatch.setattr(settings, "remote_package_index", url + "index.json")
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield url
        server.shutdown()


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def entry(archive: Path, url: str) -> dict[str, Any]:
    source, target = archive.name.split("-")[1].split("_")
    return {
        "type": "translate",
        "from_code": source,
        "to_code": target,
        "package_version": "1.0",
        "links": [url + archive.name],
    }


def cli(*args: str) -> Result:
    app = typer.Typer()
    app.add_typer(models_app, name="models")
    return CliRunner().invoke(app, ["models", *args])


def installed(result: Result) -> list[tuple[str, str, str]]:
    listed = json.loads(result.stdout)
    return [(p["source"], p["target"], p["version"]) for p in listed["installed"]]


def test_install__from_a_file(packages: Path) -> None:
    done = cli("install", str(FR_EN))
    assert done.exit_code == 0, done.output
    assert f"installed fr→en 1.0 in {packages / 'translate-fr_en-fixture'}" in done.output


def test_list__json_shows_an_installed_package(packages: Path) -> None:
    models.install_file(FR_EN)
    listed = cli("list", "--json", "--no-index")
    assert listed.exit_code == 0
    assert json.loads(listed.stdout)["installed"] == [
        {
            "source": "fr",
            "target": "en",
            "version": "1.0",
            "path": str(packages / "translate-fr_en-fixture"),
        }
    ]


def test_list__index_unreachable_is_a_note_not_an_error(packages: Path) -> None:
    models.install_file(FR_EN)
    listed = cli("list", "--json")
    assert listed.exit_code == 0
    assert json.loads(listed.stdout)["index_error"].startswith(
        "cannot reach the Argos package index ("
    )
    assert installed(listed) == [("fr", "en", "1.0")]


def test_list__table(packages: Path) -> None:
    models.install_file(FR_EN)
    listed = cli("list", "--no-index")
    assert listed.exit_code == 0
    assert "fr   │ en │ 1.0" in listed.stdout


def test_remove(packages: Path) -> None:
    models.install_file(FR_EN)
    removed = cli("remove", "fr", "en")
    assert removed.exit_code == 0, removed.output
    assert installed(cli("list", "--json", "--no-index")) == []
    assert not (packages / "translate-fr_en-fixture").exists()


def test_remove__not_installed_is_one_line(packages: Path) -> None:
    removed = cli("remove", "fr", "de")
    assert removed.exit_code == 3
    assert removed.output == (
        "Error: no installed package for fr→de (installed: none) — see `translator models list`\n"
    )


def test_install__pair_with_index_unreachable_is_one_line_and_fails_fast(packages: Path) -> None:
    start = time.monotonic()
    done = cli("install", "fr", "de")
    assert time.monotonic() - start < HANG  # a guard against hanging, not a speed test
    assert done.exit_code == 3
    assert isinstance(done.exception, SystemExit)  # no traceback
    (line,) = done.output.splitlines()
    assert line.startswith("Error: cannot reach the Argos package index (")
    assert line.endswith("— install from a file: translator models install PATH.argosmodel")


def test_install__not_a_package(packages: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.argosmodel"
    bogus.write_bytes(b"not a zip")
    done = cli("install", str(bogus))
    assert done.exit_code == 3
    assert "not an Argos package" in done.output
    assert len(done.output.splitlines()) == 1


def test_install__missing_file(packages: Path, tmp_path: Path) -> None:
    done = cli("install", str(tmp_path / "nothing.argosmodel"))
    assert done.exit_code == 3
    assert (
        done.output == f"Error: {tmp_path / 'nothing.argosmodel'}: no such file — check the path\n"
    )


def test_install__wrong_number_of_arguments_is_a_usage_error(packages: Path) -> None:
    assert cli("install", "fr", "en", "es").exit_code == 2


def test_available_packages__a_silent_index_times_out(
    packages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argostranslate import settings

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/index.json"
        monkeypatch.setattr(settings, "remote_package_index", url)
        start = time.monotonic()
        with pytest.raises(EngineError, match="cannot reach the Argos package index"):
            models.available_packages(timeout=0.5)
        assert time.monotonic() - start < HANG  # the 0.5 s timeout works: no hang


def test_install__pair_from_the_index(index: str) -> None:
    done = cli("install", "fr", "en")
    assert done.exit_code == 0, done.output
    assert installed(cli("list", "--json")) == [("fr", "en", "1.0")]


def test_install_pair__reports_download_progress(index: str) -> None:
    seen: list[tuple[int, int]] = []
    models.install_pair("fr", "en", progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (FR_EN.stat().st_size, FR_EN.stat().st_size)


def test_install_pair__through_english_installs_both(index: str) -> None:
    done = models.install_pair("fr", "es")
    assert [(p.source, p.target) for p in done] == [("fr", "en"), ("en", "es")]


def test_list__shows_what_the_index_offers(index: str) -> None:
    listed = json.loads(cli("list", "--json").stdout)
    assert [(p["source"], p["target"]) for p in listed["available"]] == [("fr", "en"), ("en", "es")]
    assert listed["index_error"] is None


def test_engine__auto_install_from_the_index(index: str) -> None:
    engine = ArgosEngine.from_settings({"threads": 1, "auto_install": True})
    assert engine.translate(["Un <g1>mot</g1>."], source="fr", target="en") == ["UN <g1>MOT</g1>."]
