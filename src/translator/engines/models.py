"""Argos packages: which are installed, which the Argos index offers, install, remove.

Everything goes through argostranslate's own package folders, so its
environment variables (ARGOS_PACKAGES_DIR, XDG_DATA_HOME…) and a user's
existing installs are respected. argostranslate is imported inside each
function: it creates folders and reads its settings when imported.

The index is fetched here rather than by argostranslate, which retries
without a timeout: here an unreachable index is a one-line `EngineError`
within `timeout` seconds, name resolution included.
"""

from __future__ import annotations

import json
import tempfile
import threading
import urllib.request
import zipfile
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
    "installed_pairs",
    "remove",
)

INDEX_TIMEOUT = 5.0
"""Seconds to wait for the Argos index before giving up."""
PIVOT = "en"
"""The language a pair with no package of its own goes through."""
OFFLINE_HINT = "install from a file: translator models install PATH.argosmodel"

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes in all or 0 when unknown) while downloading."""


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
    """Its folder."""


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
    """Where to download it (the first of its links)."""


def installed_pairs() -> list[InstalledPackage]:
    """Installed translation packages, sorted by pair."""
    from argostranslate import package

    found = [
        InstalledPackage(p.from_code, p.to_code, str(p.package_version), Path(p.package_path))
        for p in package.get_installed_packages()
        if getattr(p, "type", "translate") == "translate"
    ]
    return sorted(found, key=lambda p: (p.source, p.target, p.version))


def available_packages(timeout: float = INDEX_TIMEOUT) -> list[AvailablePackage]:
    """The packages the Argos index offers; `EngineError` within `timeout` s if unreachable."""
    from argostranslate import settings

    url = str(settings.remote_package_index)
    try:
        body = _fetch(url, timeout)
    except OSError as error:
        raise EngineError(
            f"cannot reach the Argos package index ({error})", hint=OFFLINE_HINT
        ) from error
    try:
        return [
            AvailablePackage(e["from_code"], e["to_code"], str(e.get("package_version", "")), link)
            for e in json.loads(body)
            if e.get("type", "translate") == "translate"
            for link in e.get("links", [])[:1]
        ]
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise EngineError(
            f"the Argos package index at {url} is not a list of packages ({error})",
            hint=OFFLINE_HINT,
        ) from error


def _fetch(url: str, timeout: float) -> bytes:
    """The body at `url`; OSError on any failure or once `timeout` seconds are gone."""
    outcome: list[bytes | Exception] = []

    def fetch() -> None:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                outcome.append(response.read())
        except Exception as error:  # noqa: BLE001 — handed over to the caller's thread
            outcome.append(error)

    # urlopen's timeout does not cover name resolution: a daemon thread bounds it all.
    worker = threading.Thread(target=fetch, name="argos-index", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise TimeoutError(f"no answer in {timeout:g} s from {url}")
    if isinstance(outcome[0], Exception):
        error = outcome[0]
        raise OSError(f"{getattr(error, 'reason', None) or error}") from error
    return outcome[0]


def install_file(path: Path) -> InstalledPackage:
    """Install a `.argosmodel` file, replacing an installed package of the same pair."""
    from argostranslate import package, settings

    folder, metadata = _read_archive(path)
    replaced = [
        p
        for p in package.get_installed_packages()
        if (p.from_code, p.to_code) == (metadata["from_code"], metadata["to_code"])
        and Path(p.package_path).name != folder
    ]
    try:
        package.install_from_path(path)
    except Exception as error:  # argostranslate raises a bare Exception
        raise EngineError(f"cannot install the package ({error})", path=path) from error
    for old in replaced:
        package.uninstall(old)
    return InstalledPackage(
        metadata["from_code"],
        metadata["to_code"],
        str(metadata.get("package_version", "")),
        Path(settings.package_data_dir) / folder,
    )


def _read_archive(path: Path) -> tuple[str, dict[str, Any]]:
    """The package folder an archive holds and its metadata; checked before installing.

    A folder without metadata.json in the packages folder would break every
    later `get_installed_packages()`, so a bad archive is refused here.
    """
    bad = EngineError(
        "not an Argos package (a zip with one folder holding metadata.json)",
        path=path,
        hint="download the .argosmodel file again",
    )
    if not path.is_file():
        raise EngineError("no such file", path=path, hint="check the path")
    if not zipfile.is_zipfile(path):
        raise bad
    with zipfile.ZipFile(path) as archive:
        folders = {name.split("/", 1)[0] for name in archive.namelist()}
        if len(folders) != 1 or f"{next(iter(folders))}/metadata.json" not in archive.namelist():
            raise bad
        (folder,) = folders
        try:
            metadata = json.loads(archive.read(f"{folder}/metadata.json"))
        except ValueError as error:
            raise bad from error
    if not isinstance(metadata, dict) or not {"from_code", "to_code"} <= metadata.keys():
        raise bad
    return folder, metadata


def install_pair(
    source: str,
    target: str,
    *,
    progress: Progress | None = None,
    timeout: float = INDEX_TIMEOUT,
) -> list[InstalledPackage]:
    """Download and install the pair's package, or the two through English if need be."""
    offered = {(p.source, p.target): p for p in reversed(available_packages(timeout))}
    if (source, target) in offered:
        wanted = [offered[(source, target)]]
    else:
        have = {(p.source, p.target) for p in installed_pairs()}
        legs = [(source, PIVOT), (PIVOT, target)]
        if not all(leg in offered or leg in have for leg in legs):
            raise EngineError(
                f"the Argos index has no package for {source}→{target}, nor through English",
                hint="see `translator models list` for the pairs it offers",
            )
        wanted = [offered[leg] for leg in legs if leg not in have]
    return [_download_and_install(p, progress, timeout) for p in wanted]


def _download_and_install(
    offer: AvailablePackage, progress: Progress | None, timeout: float
) -> InstalledPackage:
    with tempfile.TemporaryDirectory(prefix="translator-") as folder:
        archive = Path(folder) / f"translate-{offer.source}_{offer.target}.argosmodel"
        _download(offer.url, archive, progress, timeout)
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
        reason = getattr(error, "reason", None) or error
        raise EngineError(f"cannot download {url} ({reason})", hint=OFFLINE_HINT) from error


def remove(source: str, target: str) -> InstalledPackage:
    """Uninstall the pair's package."""
    from argostranslate import package

    for installed in package.get_installed_packages():
        if (installed.from_code, installed.to_code) == (source, target):
            removed = InstalledPackage(
                source, target, str(installed.package_version), Path(installed.package_path)
            )
            package.uninstall(installed)  # also clears argostranslate's language cache
            return removed
    pairs = ", ".join(f"{p.source}→{p.target}" for p in installed_pairs()) or "none"
    raise EngineError(
        f"no installed package for {source}→{target} (installed: {pairs})",
        hint="see `translator models list`",
    )
