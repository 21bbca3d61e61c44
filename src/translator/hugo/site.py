"""The site as Hugo sees it: every content file, its language, its pair, and where copies go.

Built once per run (`scan_site`) from the file tree and the config; everything
else asks it. Hugo's rules, from its source (gohugoio/hugo):

- Content roots: each language's own `contentDir` is mounted with that
  language; a language without one shares the site's `contentDir`, mounted
  without a language (modules/config.go, `ApplyProjectConfigDefaults`).
- A page's language: a file-name suffix naming a declared language
  (`post.fr.md`) wins over the mount's language; otherwise the mount's
  language; otherwise `defaultContentLanguage` (hugofs/component_fs.go,
  `applyMeta`; common/paths/pathparser.go, `parseIdentifier`). A suffix
  naming a disabled language disables the file.
- Content formats are the media types Hugo reads as pages (media/config.go,
  `DefaultContentTypes`): Markdown (`md`, `mdown`, `markdown`), HTML, AsciiDoc,
  Pandoc, reStructuredText, Org. Every other file is a resource, never a page.
- Translations: pages with the same `translationKey` in front matter; without
  one, pages with the same path — the file's path in its content root,
  lowercased, without extension and language suffix, `index`/`_index` standing
  for their folder (hugolib/page.go, `TranslationKey` returns `Path()`).

Nothing is ever written outside the target language's content: a source that
is a symlink leading elsewhere, or a target path that is a symlink, is refused
with `UnsafePathError`.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from translator.errors import (
    BlockedPathError,
    ConfigError,
    InputError,
    SpecialFileError,
    TranslatorError,
    UnsafePathError,
)
from translator.hugo.config import SiteConfig
from translator.markdown.document import read_values
from translator.store.files import read_post_bytes
from translator.store.incidents import display

__all__ = (
    "ADAPTER_REASON",
    "CONTENT_ADAPTER",
    "MARKDOWN_SUFFIXES",
    "PAGE_FORMATS",
    "Post",
    "SiteMap",
    "SitePage",
    "find_orphans",
    "scan_site",
)

MARKDOWN_SUFFIXES = (".md", ".mdown", ".markdown")
"""The page files translator translates."""
PAGE_FORMATS: Mapping[str, str] = MappingProxyType(
    {"md": "markdown", "mdown": "markdown", "markdown": "markdown", "html": "html",
     "htm": "html", "adoc": "asciidoc", "asciidoc": "asciidoc", "ad": "asciidoc",
     "pandoc": "pandoc", "pdc": "pandoc", "rst": "rst", "org": "org"}
)  # fmt: skip
"""File extension -> the page format Hugo reads it as. Only `markdown` is translated."""
CONTENT_ADAPTER = "content adapter"
"""The kind of a `_content.gotmpl` file: a template that generates pages when Hugo builds."""
ADAPTER_REASON = "a content adapter (_content.gotmpl): the pages it generates are not translated"


@dataclass(frozen=True, slots=True)
class SitePage:
    """One content file Hugo reads as a page."""

    path: Path
    """Absolute path."""
    key: str
    """Path relative to the site root, with `/`."""
    language: str
    """Its language, decided as Hugo decides it."""
    rule: str
    """Which Hugo rule decided the language, for messages."""
    hugo_path: str
    """Hugo's path of the page: `/blog/post` for blog/post.fr.md or blog/post/index.md."""
    translation_key: str
    """`translationKey` from front matter, or ''."""
    kind: str
    """`markdown`, `html`, `asciidoc`, `pandoc`, `rst`, `org` or `content adapter`."""
    root: Path
    """The content root it was found in."""
    digest: str
    """SHA-256 of its bytes."""
    problem: TranslatorError | None = None
    """Why it could not be read (special file, too large, link outside, bad name), if so."""

    @property
    def pair_key(self) -> tuple[str, str]:
        """What its translations share with it: the translationKey, else the path."""
        return ("key", self.translation_key) if self.translation_key else ("path", self.hugo_path)


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
    counterpart: bool = False
    """The target is an existing page paired with the source (translationKey or path)."""


@dataclass(frozen=True, slots=True)
class SiteMap:
    """Every page of the site, once per run."""

    config: SiteConfig
    """The site's config."""
    pages: tuple[SitePage, ...]
    """Every page, in path order."""
    resources: frozenset[Path]
    """Files in content roots that are not pages (images, data…)."""
    by_path: Mapping[Path, SitePage] = field(default_factory=dict)
    """Absolute path -> page."""
    by_pair: Mapping[tuple[str, tuple[str, str]], tuple[SitePage, ...]] = field(
        default_factory=dict
    )
    """(language, pair key) -> the pages Hugo takes as that language's translation."""

    def in_language(self, language: str) -> list[SitePage]:
        """Pages in one language."""
        return [page for page in self.pages if page.language == language]

    def page_at(self, path: Path) -> SitePage | None:
        """The page at an absolute path, if it is one."""
        return self.by_path.get(path)

    def paired(self, page: SitePage, language: str) -> tuple[SitePage, ...]:
        """The pages of `language` that Hugo pairs with `page`."""
        return self.by_pair.get((language, page.pair_key), ())


def scan_site(config: SiteConfig) -> SiteMap:
    """Walk every content root and decide each file's language as Hugo does."""
    pages: list[SitePage] = []
    resources: set[Path] = set()
    for root, language in _content_roots(config):
        skip = {d for d in config.content_dirs.values() if d != root}
        for path in _files(root, skip):
            kind = _kind(path)
            if kind is None:
                resources.add(path)
            else:
                pages.append(_page(config, path, root, language, kind))
    pages.sort(key=lambda p: p.key)
    by_pair: dict[tuple[str, tuple[str, str]], tuple[SitePage, ...]] = {}
    for page in pages:
        key = (page.language, page.pair_key)
        by_pair[key] = (*by_pair.get(key, ()), page)
    return SiteMap(
        config,
        tuple(pages),
        frozenset(resources),
        MappingProxyType({p.path: p for p in pages}),
        MappingProxyType(by_pair),
    )


def _kind(path: Path) -> str | None:
    """The page format of a content file, `content adapter`, or None for a resource.

    A content adapter is a `_content.gotmpl` file (common/paths/pathparser.go,
    `IsContentData`: the `gotmpl` extension on a file named `_content`); it
    makes pages only when Hugo builds, so there is no text to translate.
    """
    if path.suffix == ".gotmpl" and path.stem.partition(".")[0] == "_content":
        return CONTENT_ADAPTER
    return PAGE_FORMATS.get(path.suffix[1:].lower())


def _content_roots(config: SiteConfig) -> list[tuple[Path, str | None]]:
    """(folder, its language) for each mounted contentDir, then the shared one if used."""
    roots: list[tuple[Path, str | None]] = [
        (config.content_dirs[k], k) for k in config.content_dirs if config.mounted(k)
    ]
    if any(not config.mounted(k) for k in config.content_dirs):
        roots.append((config.content_dir, None))
    return list(dict.fromkeys(roots))


def _files(directory: Path, skip: set[Path]) -> Iterator[Path]:
    """Every file to look at; a folder named like a page (`x.md/`) too, to be reported, not walked."""
    for folder, subfolders, files in os.walk(directory):
        here = Path(folder)
        subfolders[:] = sorted(
            d for d in subfolders if not d.startswith(".") and here / d not in skip
        )
        named_like_pages = [d for d in subfolders if Path(d).suffix[1:].lower() in PAGE_FORMATS]
        subfolders[:] = [d for d in subfolders if d not in named_like_pages]
        for name in sorted([*files, *named_like_pages]):
            if not name.startswith(".") and not name.endswith("~"):
                yield here / name


def _page(config: SiteConfig, path: Path, root: Path, mount: str | None, kind: str) -> SitePage:
    suffix = _suffix_language(config, path)
    if suffix is not None:
        language, rule = suffix, f"its file name ends in .{suffix}.{path.suffix[1:]}"
    elif mount is not None:
        language, rule = mount, f"it is in {_rel(config, root)}, the contentDir of {mount}"
    else:
        language, rule = (
            config.default_language,
            f"it has no language suffix and {config.default_rule}",
        )
    data, problem = _read(config, path, root)
    return SitePage(
        path=path,
        key=_key(config, path),
        language=language,
        rule=rule,
        hugo_path=_hugo_path(_relative(path, root), suffix),
        translation_key=_translation_key(data),
        kind=kind,
        root=root,
        digest=hashlib.sha256(data).hexdigest(),
        problem=problem,
    )


def _read(config: SiteConfig, path: Path, root: Path) -> tuple[bytes, TranslatorError | None]:
    """A page's bytes, checked before it is opened (never a FIFO); the problem if not readable."""
    if display(path) != str(path):
        return b"", InputError(
            "the file name is not valid UTF-8", path=display(path), hint="rename the file"
        )
    if path.is_dir() and not path.is_symlink():
        return b"", SpecialFileError(
            "a folder named like a post: skipped, the files in it are not translated",
            path=path,
            hint="rename the folder without its .md ending to have its posts translated",
        )
    try:
        return read_post_bytes(path, limit=config.max_post_bytes, inside=root), None
    except TranslatorError as error:
        return b"", error


def _suffix_language(config: SiteConfig, path: Path) -> str | None:
    """`post.fr.md` -> fr when fr is a declared language (enabled or not), as Hugo reads it."""
    _, dot, suffix = path.stem.rpartition(".")
    return suffix.lower() if dot and suffix.lower() in config.languages else None


def _hugo_path(relative: Path, suffix: str | None) -> str:
    """Hugo's page path: lowercased, spaces as hyphens, no extension nor language, bundles by folder."""
    name = relative.stem
    if suffix is not None:
        name = name.rpartition(".")[0]
    parts = [*relative.parent.parts, name]
    if name in ("index", "_index"):
        parts.pop()
    return "/" + "/".join(parts).lower().replace(" ", "-")


def _translation_key(data: bytes) -> str:
    """The front matter's translationKey (any case), read only when the bytes mention it."""
    if b"translationkey" not in data.lower():
        return ""
    try:
        values = read_values(data.decode("utf-8"))
    except (UnicodeDecodeError, TranslatorError):
        return ""  # the page's own error is reported when it is read as a source
    found = next((v for k, v in values.items() if str(k).lower() == "translationkey"), "")
    return str(found) if found else ""


def _relative(path: Path, root: Path) -> Path:
    """`path` below `root` (the walk put it there), without Path.relative_to's cost."""
    prefix = f"{root}{os.sep}"
    text = str(path)
    return Path(text[len(prefix) :]) if text.startswith(prefix) else path.relative_to(root)


def _key(config: SiteConfig, path: Path) -> str:
    # String slicing, not Path.relative_to: this runs for every page of every run.
    root, text = f"{config.root.absolute()}{os.sep}", str(path.absolute())
    if text.startswith(root):
        return display(text[len(root) :].replace(os.sep, "/"))
    raise ConfigError("path is outside the site", path=path)


def _rel(config: SiteConfig, path: Path) -> str:
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return str(path)


def is_excluded(config: SiteConfig, page: SitePage) -> bool:
    """translator.toml's `exclude` globs match the source's site-relative path."""
    return any(fnmatch.fnmatchcase(page.key, glob) for glob in config.exclude)


def default_target(config: SiteConfig, page: SitePage, language: str) -> Path:
    """Where a new copy of `page` in `language` goes so that Hugo pairs it with the page."""
    relative = page.path.relative_to(page.root)
    stem = Path(relative.stem)
    if _suffix_language(config, page.path) is not None:
        stem = stem.with_suffix("")
    if config.mounted(language):
        return config.content_dirs[language] / relative.with_name(f"{stem.name}{page.path.suffix}")
    name = f"{stem.name}.{language}{page.path.suffix}"
    return config.content_dir / relative.with_name(name)


def check_source(config: SiteConfig, page: SitePage) -> None:
    """Refuse a source that is a symlink leading outside its content root.

    Only a file can be a link here: the walk never follows linked folders.
    """
    if page.path.is_symlink() and not page.path.resolve().is_relative_to(page.root.resolve()):
        raise UnsafePathError(
            f"source post is a symlink leading outside {page.root}",
            path=page.path,
            hint="translate the file itself, not a link to it",
        )


def check_target(config: SiteConfig, target: Path, language: str) -> None:
    """Refuse a target outside the language's content, `..`, or a symlink."""
    target_dir = config.content_dirs[language]
    if ".." in target.parts:
        raise UnsafePathError("target path contains '..'", path=target)
    if target.is_symlink():
        raise UnsafePathError(
            "target is a symlink; translator writes only regular files",
            path=target,
            hint="replace the link with a file or remove it",
        )
    _check_folders(config, target)
    parent = target.parent
    while not parent.exists() and parent != target_dir:
        parent = parent.parent
    if not parent.resolve().is_relative_to(target_dir.resolve()):
        raise UnsafePathError(f"target would land outside {target_dir}", path=target)


def _check_folders(config: SiteConfig, target: Path) -> None:
    """`BlockedPathError` naming a file (site-relative) that stands where a folder of `target` goes.

    One `lstat` per folder below the site's root (the workbench index checks every
    copy of a large site on each page).
    """
    try:
        relative = target.relative_to(config.root)
    except ValueError:
        return
    folder = config.root
    for part in relative.parts[:-1]:
        folder = folder / part
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            return  # below a missing folder nothing stands
        if stat.S_ISLNK(mode):
            return  # a link is check_target's to refuse
        if not stat.S_ISDIR(mode):
            raise BlockedPathError("is a file, where a folder is needed", path=_key(config, folder))


def make_post(
    config: SiteConfig, page: SitePage, language: str, target: Path, paired: bool
) -> Post:
    """The (source, target) pair as the pipeline handles it."""
    return Post(page.path, page.key, language, target, _key(config, target), paired)


def find_orphans(config: SiteConfig, recorded: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Recorded (source, target language) pairs whose source file is gone: never deleted."""
    return [(s, lang) for s, lang in recorded if not (config.root / s).exists()]
