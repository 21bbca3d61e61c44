"""Where a site's posts are and where their translations go, safely.

Two layouts, as Hugo has them:
- `directories`: a contentDir per language; content/fr/a/b.md -> content/en/a/b.md.
- `suffix`: languages side by side; a/b.fr.md (or a/b.md, in the default
  language) -> a/b.en.md.

Page bundles (`post/index.md` with images) translate their index file only;
the bundle's other files are neither copied nor touched (see README).
Nothing is ever written outside the target content directory: a source that
is a symlink leading elsewhere, or a target path that is a symlink, is
refused with `UnsafePathError`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from translator.config import SiteConfig
from translator.errors import ConfigError, UnsafePathError

__all__ = ("Post", "find_orphans", "find_posts", "target_for")

MARKDOWN_SUFFIXES = (".md", ".markdown")
_LANGUAGE_SUFFIX = re.compile(r"\.([a-z]{2,3}(?:-[a-z0-9]{2,8})*)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Post:
    """A source post and where its copy in one target language goes."""

    source: Path
    """Absolute path of the source file."""
    source_key: str
    """Source path relative to the site root, with `/`: the key in the memory."""
    target_language: str
    """The target language code."""
    target: Path
    """Absolute path of the copy."""
    target_key: str
    """Copy path relative to the site root, with `/`."""


def find_posts(config: SiteConfig, paths: Sequence[Path] = ()) -> Iterator[Path]:
    """Source posts under the source content dir, or the given files and directories."""
    source_dir = config.content_dirs[config.source_language]
    # Normalised before any check: `sub/../sub/post.md` names the same post as `sub/post.md`.
    roots = [Path(os.path.normpath(Path(p).absolute())) for p in paths] or [source_dir]
    for root in roots:
        if root.is_dir():
            candidates: Iterable[Path] = sorted(_markdown_files(root))
        else:
            candidates = [root]
        for path in candidates:
            if _is_source(config, path):
                yield path


def _markdown_files(directory: Path) -> Iterator[Path]:
    for folder, subfolders, files in os.walk(directory):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in files:
            if name.endswith(MARKDOWN_SUFFIXES) and not name.startswith("."):
                yield Path(folder) / name


def _language_of(config: SiteConfig, path: Path) -> str | None:
    """The language a file name declares (`post.fr.md` -> fr), if any."""
    match = _LANGUAGE_SUFFIX.search(Path(path.stem).name)
    if match and match.group(1).lower() in _known_languages(config):
        return match.group(1).lower()
    return None


def _known_languages(config: SiteConfig) -> set[str]:
    return {config.source_language, *config.targets, *config.content_dirs}


def _is_source(config: SiteConfig, path: Path) -> bool:
    if config.layout == "directories":
        return True
    return _language_of(config, path) in (None, config.source_language)


def target_for(config: SiteConfig, source: Path, language: str) -> Post:
    """Where the copy of `source` in `language` goes; `UnsafePathError` if that is unsafe."""
    source = source.absolute()
    source_dir = config.content_dirs[config.source_language].absolute()
    target_dir = config.content_dirs[language].absolute()
    relative = _inside(source, source_dir, what="source post")
    if config.layout == "directories":
        target = target_dir / relative
    else:
        stem = Path(source.stem)
        if _language_of(config, source) is not None:
            stem = stem.with_suffix("")
        target = source.with_name(f"{stem.name}.{language}{source.suffix}")
    _check_target(target, target_dir)
    return Post(source, _key(config, source), language, target, _key(config, target))


def _inside(path: Path, directory: Path, *, what: str) -> Path:
    """`path` relative to `directory`, refusing a symlink that resolves outside it."""
    try:
        relative = path.relative_to(directory)
    except ValueError as error:
        raise UnsafePathError(f"{what} is outside {directory}", path=path) from error
    if not path.resolve().is_relative_to(directory.resolve()):
        raise UnsafePathError(
            f"{what} is a symlink leading outside {directory}",
            path=path,
            hint="translate the file itself, not a link to it",
        )
    return relative


def _check_target(target: Path, target_dir: Path) -> None:
    if ".." in target.parts:
        raise UnsafePathError("target path contains '..'", path=target)
    if target.is_symlink():
        raise UnsafePathError(
            "target is a symlink; translator writes only regular files",
            path=target,
            hint="replace the link with a file or remove it",
        )
    parent = target.parent
    while not parent.exists() and parent != target_dir:
        parent = parent.parent
    if not parent.resolve().is_relative_to(target_dir.resolve()):
        raise UnsafePathError(f"target would land outside {target_dir}", path=target)


def _key(config: SiteConfig, path: Path) -> str:
    try:
        return path.absolute().relative_to(config.root.absolute()).as_posix()
    except ValueError as error:
        raise ConfigError("path is outside the site", path=path) from error


def find_orphans(config: SiteConfig, recorded: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Recorded (source, target language) pairs whose source file is gone: never deleted."""
    return [(s, lang) for s, lang in recorded if not (config.root / s).exists()]
