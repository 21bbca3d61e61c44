"""`translator models`: install from a file, list, remove; a clear error when the index is unreachable.

Each test runs the real command in its own Argos home (argostranslate reads its
folders from the environment when imported), with no network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ARGOS_FIXTURES

FR_EN = ARGOS_FIXTURES / "translate-fr_en-fixture.argosmodel"


def models(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARGOS_")}
    env.update(
        {
            name: str(home / name.lower())
            for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "ARGOS_PACKAGES_DIR")
        }
    )
    # An index address on this machine where nothing listens: offline, fast.
    env["ARGOS_PACKAGE_INDEX"] = "http://127.0.0.1:9/"
    return subprocess.run(
        [sys.executable, "-m", "translator", "models", *args],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path


def test_install__from_a_file_then_list(home: Path) -> None:
    installed = models(home, "install", str(FR_EN))
    listed = json.loads(models(home, "list", "--json").stdout)
    assert installed.returncode == 0, installed.stderr
    assert [(p["source"], p["target"]) for p in listed["installed"]] == [("fr", "en")]


def test_remove(home: Path) -> None:
    models(home, "install", str(FR_EN))
    removed = models(home, "remove", "fr", "en")
    listed = json.loads(models(home, "list", "--json").stdout)
    assert removed.returncode == 0
    assert listed["installed"] == []


def test_install__pair_with_index_unreachable_is_one_line_within_10s(home: Path) -> None:
    start = time.monotonic()
    done = models(home, "install", "fr", "de")
    assert time.monotonic() - start < 10
    assert done.returncode == 3
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("Error: cannot reach the Argos package index")
    assert "translator models install PATH.argosmodel" in line


def test_install__not_a_package(home: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.argosmodel"
    bogus.write_bytes(b"not a zip")
    done = models(home, "install", str(bogus))
    assert done.returncode == 3
    assert "not an Argos package" in done.stderr and "Traceback" not in done.stderr


def test_list__says_when_the_index_is_unreachable(home: Path) -> None:
    listed = json.loads(models(home, "list", "--json").stdout)
    assert "cannot reach the Argos package index" in listed["index_error"]
