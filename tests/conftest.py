"""Shared fixtures: a throwaway, offline Argos Translate home."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ARGOS_FIXTURES = Path(__file__).parent / "fixtures" / "argos"
"""Fixture packages built by scripts/build_fixture_models.py."""

HANG = 60
"""Seconds after which a call that should fail at once is taken to hang. Tests time
nothing else: speed depends on the CPU and belongs in bench/."""

_ARGOS_DIRS = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "ARGOS_PACKAGES_DIR")


@contextmanager
def block_network() -> Iterator[None]:
    """Make connect() to anything but this machine raise, so a download attempt fails."""
    real_connect = socket.socket.connect

    def refuse(sock: socket.socket, address: Any) -> None:
        local = sock.family == socket.AF_UNIX or address[0] in ("127.0.0.1", "::1", "localhost")
        if not local:
            raise OSError(f"network access in a test: {address!r}")
        real_connect(sock, address)

    socket.socket.connect = refuse  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]


@pytest.fixture
def no_network() -> Iterator[None]:
    """Fail any test step that tries to open a network connection."""
    with block_network():
        yield


@pytest.fixture(scope="session")
def argos_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An Argos data home in a temporary folder with both fixture packages installed.

    argostranslate reads its settings (folders included) when first imported,
    so the environment is set before the import here, and the fixture fails if
    something imported argostranslate earlier. Other ARGOS_* settings are
    removed so a developer's own configuration cannot leak in.
    """
    if "argostranslate.settings" in sys.modules:
        pytest.fail("argostranslate was imported before argos_home; its folders are fixed")
    home = tmp_path_factory.mktemp("argos_home")
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("ARGOS_")] + ["SNAP"]:
            patch.delenv(name, raising=False)
        for name in _ARGOS_DIRS:
            patch.setenv(name, str(home / name.lower()))
        # argostranslate's default (0: all cores) makes the tiny fixtures 20x slower.
        patch.setenv("ARGOS_INTRA_THREADS", "1")
        with block_network():
            package = pytest.importorskip("argostranslate.package")
            for archive in sorted(ARGOS_FIXTURES.glob("*.argosmodel")):
                package.install_from_path(archive)
        yield home
