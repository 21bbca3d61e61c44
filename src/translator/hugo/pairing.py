"""Which source page goes with which page of each target language, and every collision.

`plan_site` decides, before anything is written, for each source post and
target language: the existing page Hugo pairs it with (same `translationKey`,
else same path), or where a new copy goes. What cannot be decided safely is
an error naming the files and the Hugo rule involved, and nothing is written
for it: two sources for one target, two pages claiming one source, a target
path taken by another page or file, a target Hugo would read in another
language, a path that is not a page.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from translator.errors import BlockedPathError, TranslatorError
from translator.hugo.site import (
    CONTENT_ADAPTER,
    Post,
    SiteMap,
    SitePage,
    check_source,
    check_target,
    default_target,
    is_excluded,
    make_post,
)

__all__ = ("Plan", "plan_site")


@dataclass(frozen=True, slots=True)
class Plan:
    """What a run works on, decided from the site map alone."""

    posts: tuple[Post, ...]
    """(source, target) pairs; `counterpart` when the target is an existing page."""
    sources: int
    """Markdown source posts considered."""
    digests: Mapping[str, str]
    """Source key -> SHA-256 of its bytes."""
    errors: tuple[tuple[str, str], ...] = ()
    """(path, reason) of collisions and paths that cannot be translated."""
    excluded: tuple[str, ...] = ()
    """Sources matched by translator.toml's `exclude`."""
    skipped: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """Source pages in formats translator does not translate, by format."""
    failures: tuple[tuple[str, Exception], ...] = ()
    """(path, what went wrong) for sources that could not be read or paired: each its own."""
    adapters: tuple[str, ...] = ()
    """Content adapters (`_content.gotmpl`) among the sources: skipped, reported once each."""


def plan_site(site: SiteMap, paths: Sequence[Path] = ()) -> Plan:
    """Pair every selected source post with its page in each target language."""
    config = site.config
    sources, errors = _selected(site, paths)
    colliding = dict(_collisions(site))
    posts: list[Post] = []
    excluded: list[str] = []
    skipped: Counter[str] = Counter()
    considered: dict[str, str] = {}
    failures: list[tuple[str, Exception]] = []
    adapters = [page.key for page in sources if page.kind == CONTENT_ADAPTER]
    blocked: dict[str, list[str]] = {}
    for page in sources:
        if page.kind == CONTENT_ADAPTER:
            continue
        if page.problem is not None:
            failures.append((page.key, page.problem))
        elif page.kind != "markdown":
            skipped[page.kind] += 1
        elif page.key in colliding:
            errors.append((page.key, colliding[page.key]))
        elif is_excluded(config, page):
            excluded.append(page.key)
        else:
            considered[page.key] = page.digest
            for language in config.targets:
                try:
                    posts.append(_pair(site, page, language))
                except BlockedPathError as error:
                    blocked.setdefault(str(error.path), []).append(page.key)
                except TranslatorError as error:
                    errors.append((error.path or page.key, _reason(error)))
                except Exception as error:  # noqa: BLE001 — one post's failure is that post's
                    failures.append((page.key, error))
    errors += [(path, _blocked(path, keys)) for path, keys in blocked.items()]
    return Plan(
        tuple(posts),
        len(considered),
        MappingProxyType(considered),
        tuple(errors),
        tuple(excluded),
        MappingProxyType(dict(sorted(skipped.items()))),
        tuple(failures),
        tuple(adapters),
    )


def _blocked(path: str, sources: Sequence[str]) -> str:
    """One error for a file standing where the copies of several posts need a folder."""
    shown = ", ".join(sources[:3]) + (", …" if len(sources) > 3 else "")
    return (
        f"a file, where a folder is needed for the copies of {len(sources)} "
        f"post{'s' if len(sources) > 1 else ''} ({shown}); "
        "nothing was written for them — move or rename that file"
    )


def _reason(error: TranslatorError) -> str:
    return error.message + (f" — {error.hint}" if error.hint else "")


def _selected(site: SiteMap, paths: Sequence[Path]) -> tuple[list[SitePage], list[tuple[str, str]]]:
    """Source-language pages under the given paths (all of them by default), and bad paths."""
    source = site.config.source_language
    if not paths:
        return site.in_language(source), []
    chosen: dict[Path, SitePage] = {}
    errors: list[tuple[str, str]] = []
    # Normalised first: `sub/../sub/post.md` names the same post as `sub/post.md`.
    for given in (Path(os.path.normpath(Path(p).absolute())) for p in paths):
        if given.is_dir():
            chosen.update(
                (p.path, p) for p in site.in_language(source) if p.path.is_relative_to(given)
            )
            continue
        page = site.page_at(given)
        if page is not None and page.language == source:
            chosen[page.path] = page
        else:
            errors.append((str(given), _not_a_source(site, given, page)))
    return sorted(chosen.values(), key=lambda p: p.key), errors


def _not_a_source(site: SiteMap, given: Path, page: SitePage | None) -> str:
    source = site.config.source_language
    if page is not None:
        return f"not a {source} source: it is a {page.language} page, as {page.rule}"
    if given in site.resources:
        return "not a page: Hugo reads it as a resource, and translator writes only pages"
    if not given.exists():
        return "no such file"
    return "not in any content directory of the site"


def _collisions(site: SiteMap) -> Iterator[tuple[str, str]]:
    """Two source pages that Hugo takes as one (same path, or same translationKey)."""
    source = site.config.source_language
    groups: dict[tuple[str, str], list[SitePage]] = {}
    for page in site.in_language(source):
        groups.setdefault(("path", page.hugo_path), []).append(page)
        if page.translation_key:
            groups.setdefault(("key", page.translation_key), []).append(page)
    for (kind, value), pages in groups.items():
        for page in pages if len(pages) > 1 else ():
            other = next(p for p in pages if p is not page)
            shared = f"the Hugo path {value}" if kind == "path" else f"translationKey {value!r}"
            yield (
                page.key,
                (
                    f"two {source} sources for one target: {page.key} and {other.key} share "
                    f"{shared} ({page.key}: {source} as {page.rule}; {other.key}: {source} as "
                    f"{other.rule}); nothing was written for them — rename one, give it a "
                    f"language suffix, or set distinct translationKeys"
                ),
            )


def _pair(site: SiteMap, page: SitePage, language: str) -> Post:
    """The existing page paired with `page` in `language`, or where a new copy goes."""
    config = site.config
    check_source(config, page)
    found = site.paired(page, language)
    if len(found) > 1:
        raise TranslatorError(
            f"{found[0].key} and {found[1].key} are both {language} pages paired with it "
            f"(same {_pair_rule(page)}); nothing was written",
            path=page.key,
            hint="keep one of them",
        )
    if found:
        check_target(config, found[0].path, language)
        return make_post(config, page, language, found[0].path, True)
    target = default_target(config, page, language)
    check_target(config, target, language)
    _check_free(site, page, language, target)
    return make_post(config, page, language, target, False)


def _pair_rule(page: SitePage) -> str:
    return f"translationKey {page.translation_key!r}" if page.translation_key else "Hugo path"


def _check_free(site: SiteMap, page: SitePage, language: str, target: Path) -> None:
    """A new copy's path must be free, and Hugo must read it as `language`."""
    other = site.page_at(target)
    if other is not None:
        raise TranslatorError(
            f"its {language} copy would go to {other.key}, which is a {other.language} page "
            f"Hugo does not pair with it ({_pair_rule(page)} differs); nothing was written",
            path=page.key,
            hint="give both pages the same translationKey, or rename one",
        )
    if target.exists() or target in site.resources:
        raise TranslatorError(
            f"its {language} copy would go to {target}, which exists and is not a page",
            path=page.key,
            hint="move that file away",
        )
