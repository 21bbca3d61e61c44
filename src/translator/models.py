"""Argos packages: list, install (from the Argos index or a file), remove.

Everything goes through argostranslate's own package directory, so its
environment variables (ARGOS_PACKAGES_DIR, XDG_DATA_HOME…) and users'
existing installs are respected. The index is fetched here with a timeout:
an unreachable index is a one-line error within seconds, never a hang.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translator.errors import EngineError

__all__ = (
    "AvailablePackage",
    "InstalledPackage",
    "available_packages",
    "install_file",
    "install_pair",
    "installed_packages",
    "remove_pair",
)

INDEX_TIMEOUT = 5.0
Progress = Callable[[int, int], None]
OFFLINE_HINT = "install from a file: translator models install PATH.argosmodel"


@dataclass(frozen=True, slots=True)
class InstalledPackage:
    """An Argos package on this machine."""

    source: str
    """Language it translates from."""
    target: str
    """Language it translates into."""
    version: str
    """The package's version."""
    path: Path
    """Where it is installed."""


@dataclass(frozen=True, slots=True)
class AvailablePackage:
    """An Argos package the index offers."""

    source: str
    """Language it translates from."""
    target: str
    """Language it translates into."""
    version: str
    """The package's version."""
    url: str
    """Where to download it."""


def installed_packages() -> list[InstalledPackage]:
    """Packages in argostranslate's package directory, sorted by pair."""
    from argostranslate import package

    found = [
        InstalledPackage(p.from_code, p.to_code, str(p.package_version), Path(p.package_path))
        for p in package.get_installed_packages()
    ]
    return sorted(found, key=lambda p: (p.source, p.target))


def available_packages(timeout: float = INDEX_TIMEOUT) -> list[AvailablePackage]:
    """The Argos index's packages; `EngineError` within `timeout` seconds when unreachable."""
    from argostranslate import settings

    url = str(settings.remote_package_index)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            entries: list[dict[str, Any]] = json.loads(response.read())
    except (OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise EngineError(
            f"cannot reach the Argos package index ({reason})", hint=OFFLINE_HINT
        ) from None
    return [
        AvailablePackage(e["from_code"], e["to_code"], str(e.get("package_version", "")), url)
        for e in entries
        for url in e.get("links", [])[:1]
    ]


def install_file(path: Path) -> InstalledPackage:
    """Install a `.argosmodel` file; `EngineError` if it is not a valid package."""
    from argostranslate import package

    if not path.is_file():
        raise EngineError("no such file", path=path)
    try:
        package.install_from_path(path)
    except Exception as error:  # noqa: BLE001 — argostranslate raises bare Exception here
        raise EngineError(f"not an Argos package: {error}", path=path) from None
    return _find_installed(path)


def _find_installed(path: Path) -> InstalledPackage:
    newest = max(installed_packages(), key=lambda p: p.path.stat().st_mtime, default=None)
    if newest is None:
        raise EngineError("installed nothing", path=path)
    return newest


def install_pair(
    source: str, target: str, *, progress: Progress | None = None, timeout: float = INDEX_TIMEOUT
) -> InstalledPackage:
    """Download the pair's package from the Argos index and install it."""
    offered = [p for p in available_packages(timeout) if (p.source, p.target) == (source, target)]
    if not offered:
        raise EngineError(f"the Argos index has no package for {source}→{target}")
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / f"translate-{source}_{target}.argosmodel"
        _download(offered[0].url, archive, progress, timeout)
        return install_file(archive)


def _download(url: str, destination: Path, progress: Progress | None, timeout: float) -> None:
    try:
        with (
            urllib.request.urlopen(url, timeout=timeout) as response,
            destination.open("wb") as out,
        ):
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while chunk := response.read(1 << 16):
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
    except OSError as error:
        raise EngineError(f"download failed ({error})", hint=OFFLINE_HINT) from None


def remove_pair(source: str, target: str) -> InstalledPackage:
    """Uninstall the pair's package."""
    from argostranslate import package

    for installed in package.get_installed_packages():
        if (installed.from_code, installed.to_code) == (source, target):
            removed = InstalledPackage(
                source, target, str(installed.package_version), Path(installed.package_path)
            )
            shutil.rmtree(installed.package_path)
            return removed
    raise EngineError(f"no installed package for {source}→{target}")
