"""The site's configuration: Hugo's own config, plus translator.toml for what Hugo does not know.

Hugo gives the languages, each language's contentDir and the default content
language. translator.toml (written by `translator init`, every key optional)
adds the source and target languages, the engine and its settings, the
translatable front matter keys, the glossary, the review policy, the
schedule of the Prefect flow and a Dask scheduler address.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml

from translator.document import DEFAULT_TRANSLATABLE_KEYS
from translator.errors import ConfigError, UnsafePathError
from translator.files import atomic_write

__all__ = (
    "DEFAULT_SCHEDULE",
    "INIT_TEMPLATE",
    "EngineSettings",
    "Glossary",
    "ReviewPolicy",
    "SiteConfig",
    "find_site_root",
    "load_config",
    "write_init",
)

DEFAULT_SCHEDULE = "*/15 * * * *"
HUGO_CONFIG_NAMES = tuple(
    f"{stem}.{ext}" for stem in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json")
)
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")


@dataclass(frozen=True, slots=True)
class Glossary:
    """Terms the engine must not translate, and translations the site always uses."""

    do_not_translate: tuple[str, ...] = ()
    """Brand and product names kept verbatim (Instagram, TikTok, Hugo…)."""
    fixed: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Target language -> {source term: required translation}."""


@dataclass(frozen=True, slots=True)
class ReviewPolicy:
    """How machine copies are published."""

    draft_until_approved: bool = True
    """Machine copies get `draft: true`."""
    publish_on_approve: bool = True
    """`translator approve` sets `draft: false`."""


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Which engine translates, and how."""

    name: str = "argos"
    """argos, pseudo or identity."""
    beam_size: int = 2
    """Beam size of CTranslate2's search (1 = greedy)."""
    threads: int = 0
    """CTranslate2 threads per translation; 0 = its default (all cores)."""
    compute_type: str = "default"
    """CTranslate2 compute type: default (the model's own), int8, float32, int8_float32, auto."""
    batch_size: int = 32
    """Sentences per CTranslate2 batch."""
    auto_install: bool = True
    """Install a missing Argos package from the index when it can be reached."""

    def as_mapping(self) -> Mapping[str, Any]:
        """The settings an engine factory receives."""
        return MappingProxyType(
            {
                "beam_size": self.beam_size,
                "threads": self.threads,
                "compute_type": self.compute_type,
                "batch_size": self.batch_size,
                "auto_install": self.auto_install,
            }
        )


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Everything a run needs to know about a site."""

    root: Path
    """Absolute site root."""
    source_language: str
    """The language posts are written in."""
    targets: tuple[str, ...]
    """Languages to translate into; never the source."""
    layout: Literal["directories", "suffix"]
    """A contentDir per language, or post.fr.md beside post.en.md."""
    content_dirs: Mapping[str, Path]
    """Absolute content dir per language (the same one for all in the suffix layout)."""
    translatable_keys: tuple[str, ...] = DEFAULT_TRANSLATABLE_KEYS
    """Front matter keys whose string values are translated."""
    engine: EngineSettings = field(default_factory=EngineSettings)
    """The engine and its settings."""
    glossary: Glossary = field(default_factory=Glossary)
    """Do-not-translate terms and fixed translations."""
    review: ReviewPolicy = field(default_factory=ReviewPolicy)
    """Draft and publication policy."""
    schedule: str = DEFAULT_SCHEDULE
    """Cron schedule of the Prefect deployment."""
    dask_address: str | None = None
    """Address of an existing Dask scheduler for the flow; None = a local runner."""
    hugo_config: Path | None = None
    """The Hugo config file read, if any."""

    @property
    def state_dir(self) -> Path:
        """Where the memory database and the lock live."""
        return self.root / ".translator"

    def with_overrides(
        self, *, targets: Sequence[str] | None = None, engine: str | None = None
    ) -> SiteConfig:
        """The config with command-line or flow parameters applied."""
        config = self
        if targets:
            wanted = tuple(_language(t.strip(), "--to") for t in targets if t.strip())
            _check_targets(self.source_language, wanted, None)
            dirs = dict(self.content_dirs)
            for language in wanted:
                dirs.setdefault(language, self._default_dir(language))
            config = replace(config, targets=wanted, content_dirs=MappingProxyType(dirs))
        if engine:
            config = replace(config, engine=replace(config.engine, name=engine))
        return config

    def _default_dir(self, language: str) -> Path:
        if self.layout == "suffix":
            return self.content_dirs[self.source_language]
        return _inside_root(self.root, f"content/{language}", None)


def find_site_root(start: Path) -> Path:
    """The nearest folder at or above `start` with a Hugo config or a translator.toml."""
    start = start.absolute()
    for folder in [start, *start.parents] if start.is_dir() else start.parents:
        if _hugo_config_file(folder) or (folder / "translator.toml").is_file():
            return folder
    raise ConfigError(
        "no Hugo site here or above (no hugo.toml, config.toml or translator.toml)",
        path=start,
        hint="run inside a Hugo site, or create one with `translator init`",
    )


def _hugo_config_file(folder: Path) -> Path | None:
    for directory in (folder, folder / "config" / "_default"):
        for name in HUGO_CONFIG_NAMES:
            if (directory / name).is_file():
                return directory / name
    return None


def load_config(root: Path) -> SiteConfig:
    """Read the site's Hugo config and translator.toml; `ConfigError` for anything invalid."""
    root = root.absolute()
    hugo_file = _hugo_config_file(root)
    hugo = _lower_keys(_read_any(hugo_file)) if hugo_file else {}
    if hugo_file is not None and hugo_file.parent.name == "_default":
        languages_file = next(
            (hugo_file.parent / f"languages.{e}" for e in ("toml", "yaml", "yml", "json")
             if (hugo_file.parent / f"languages.{e}").is_file()), None
        )  # fmt: skip
        if languages_file is not None:
            hugo["languages"] = _lower_keys(_read_any(languages_file))
    own_file = root / "translator.toml"
    own = _read_own(own_file) if own_file.is_file() else {}
    return _build(root, hugo, hugo_file, own, own_file)


def _read_any(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text) or {}
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, yaml.YAMLError) as error:
        line = re.search(r"line (\d+)", str(error))
        raise ConfigError(
            f"does not parse: {str(error).splitlines()[0]}",
            path=path,
            line=int(line.group(1)) if line else None,
        ) from None
    if not isinstance(data, dict):
        raise ConfigError("is not a mapping of settings", path=path)
    return data


def _lower_keys(data: Any) -> Any:
    """Hugo's config keys are case-insensitive."""
    if isinstance(data, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in data.items()}
    return data


_OWN_KEYS: Mapping[str, type | tuple[type, ...]] = MappingProxyType(
    {
        "source": str,
        "targets": list,
        "translatable_keys": list,
        "schedule": str,
        "engine": dict,
        "glossary": dict,
        "review": dict,
        "dask": dict,
    }
)
_ENGINE_KEYS: Mapping[str, type] = MappingProxyType(
    {"name": str, "beam_size": int, "threads": int, "compute_type": str, "batch_size": int,
     "auto_install": bool}
)  # fmt: skip
_REVIEW_KEYS: Mapping[str, type] = MappingProxyType(
    {"draft_until_approved": bool, "publish_on_approve": bool}
)


def _read_own(path: Path) -> dict[str, Any]:
    data = _read_any(path)
    _check_keys(data, _OWN_KEYS, path, "")
    _check_keys(data.get("engine", {}), _ENGINE_KEYS, path, "engine.")
    _check_keys(data.get("review", {}), _REVIEW_KEYS, path, "review.")
    _check_keys(
        data.get("glossary", {}), {"do_not_translate": list, "fixed": dict}, path, "glossary."
    )
    _check_keys(data.get("dask", {}), {"address": str}, path, "dask.")
    return data


def _check_keys(data: Mapping[str, Any], known: Mapping[str, Any], path: Path, prefix: str) -> None:
    for key, value in data.items():
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f"did you mean {prefix}{close[0]}?" if close else f"known: {', '.join(known)}"
            raise ConfigError(f"unknown setting {prefix}{key}", path=path, hint=hint)
        expected = known[key]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            kind = getattr(expected, "__name__", str(expected))
            raise ConfigError(f"{prefix}{key} must be a {kind}", path=path)


def _build(
    root: Path,
    hugo: Mapping[str, Any],
    hugo_file: Path | None,
    own: Mapping[str, Any],
    own_file: Path,
) -> SiteConfig:
    where = own_file if own else hugo_file
    languages: Mapping[str, Any] = hugo.get("languages") or {}
    source = _language(own.get("source") or hugo.get("defaultcontentlanguage") or "fr", where)
    hugo_targets = [lang for lang in languages if lang != source]
    targets = tuple(_language(t, where) for t in own.get("targets") or hugo_targets or ["en"])
    _check_targets(source, targets, where)
    layout, dirs = _content_dirs(root, hugo, source, targets)
    engine = EngineSettings(**own.get("engine", {}))
    glossary_data = own.get("glossary", {})
    glossary = Glossary(
        tuple(glossary_data.get("do_not_translate", ())),
        MappingProxyType(
            {k: MappingProxyType(v) for k, v in glossary_data.get("fixed", {}).items()}
        ),
    )
    return SiteConfig(
        root=root,
        source_language=source,
        targets=targets,
        layout=layout,
        content_dirs=MappingProxyType(dirs),
        translatable_keys=tuple(own.get("translatable_keys") or DEFAULT_TRANSLATABLE_KEYS),
        engine=engine,
        glossary=glossary,
        review=ReviewPolicy(**own.get("review", {})),
        schedule=own.get("schedule", DEFAULT_SCHEDULE),
        dask_address=own.get("dask", {}).get("address"),
        hugo_config=hugo_file,
    )


def _language(code: Any, where: Path | str | None) -> str:
    if not isinstance(code, str) or not _LANGUAGE_CODE.fullmatch(code.lower()):
        raise ConfigError(f"{code!r} is not a language code like en, pt-br", path=where)
    return code.lower()


def _check_targets(source: str, targets: Sequence[str], where: Path | None) -> None:
    if source in targets:
        raise ConfigError(f"target {source} is the source language", path=where)
    if not targets:
        raise ConfigError("no target language", path=where, hint="set targets = ['en']")


def _content_dirs(
    root: Path, hugo: Mapping[str, Any], source: str, targets: Sequence[str]
) -> tuple[Literal["directories", "suffix"], dict[str, Path]]:
    languages: Mapping[str, Any] = hugo.get("languages") or {}
    declared = {
        lang: settings["contentdir"]
        for lang, settings in languages.items()
        if isinstance(settings, dict) and settings.get("contentdir")
    }
    everyone = [source, *targets]
    if declared or (not languages and (root / "content" / source).is_dir()):
        dirs = {lang: _inside_root(root, declared.get(lang, f"content/{lang}"), None)
                for lang in everyone}  # fmt: skip
        return "directories", dirs
    shared = _inside_root(root, hugo.get("contentdir", "content"), None)
    return "suffix", dict.fromkeys(everyone, shared)


def _inside_root(root: Path, configured: str, where: Path | None) -> Path:
    """A configured folder, refused unless it resolves inside the site root."""
    path = (root / configured).absolute()
    if ".." in Path(configured).parts or not path.resolve().is_relative_to(root.resolve()):
        raise UnsafePathError(f"content dir {configured!r} is outside the site", path=where or root)
    return path


INIT_TEMPLATE = """\
# translator.toml — what translator needs to know beyond Hugo's own config.
# Every setting is optional; the values shown are the defaults.

# The language posts are written in (default: Hugo's defaultContentLanguage, else "fr").
# source = "fr"

# Languages to translate into (default: Hugo's other languages, else ["en"]).
# targets = ["en"]

# Front matter keys whose string values are translated.
# translatable_keys = ["title", "description", "summary", "subtitle", "linkTitle"]

# When the Prefect deployment runs (cron).
# schedule = "*/15 * * * *"

[engine]
# argos (offline neural MT), pseudo (pseudo-localisation, for layout tests) or identity.
# name = "argos"
# Beam size of the search; 1 is greedy and fastest.
# beam_size = 2
# CTranslate2 threads per translation; 0 lets CTranslate2 choose (all cores).
# threads = 0
# default (the model's own type), int8, int8_float32, float32.
# compute_type = "default"
# Sentences per CTranslate2 batch.
# batch_size = 32
# Install a missing Argos package from the Argos index when it can be reached.
# auto_install = true

[glossary]
# Names kept verbatim through machine translation.
# do_not_translate = ["Instagram", "TikTok", "Snapchat", "Hugo"]

# Translations the site always uses, per target language.
# [glossary.fixed.en]
# "gestion de communauté" = "community management"

[review]
# Machine copies are written with draft: true until an editor approves them.
# draft_until_approved = true
# `translator approve` sets draft: false.
# publish_on_approve = true

[dask]
# Run the flow's translation tasks on an existing Dask cluster.
# address = "tcp://127.0.0.1:8786"
"""


def write_init(root: Path, *, force: bool = False) -> Path:
    """Write a commented translator.toml; `ConfigError` if one exists and not `force`."""
    path = root.absolute() / "translator.toml"
    if path.exists() and not force:
        raise ConfigError("already exists", path=path, hint="use --force to overwrite it")
    atomic_write(path, INIT_TEMPLATE)
    return path
