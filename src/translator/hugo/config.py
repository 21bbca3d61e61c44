"""The site's configuration: Hugo's own config, plus translator.toml for what Hugo does not know.

Hugo gives the languages, each language's contentDir and the default content
language (https://gohugo.io/configuration/languages/). translator.toml
(written by `translator init`, every key optional) adds the source and target
languages, the engine and its settings, the translatable front matter keys,
the glossary, the review policy, the schedule of the Prefect flow and a Dask
scheduler address. Reading it is the only I/O here; everything it finds wrong
is a one-line `ConfigError` naming the file.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml

from translator.errors import ConfigError, UnsafePathError
from translator.hugo.languages import (
    HugoLanguages,
    Language,
    engine_code,
    resolve_languages,
)
from translator.markdown.document import DEFAULT_TRANSLATABLE_KEYS
from translator.markdown.glossary import Glossary
from translator.markdown.shortcodes import DEFAULT_SHORTCODES, ShortcodeRule
from translator.store.files import MAX_POST_BYTES, atomic_write

__all__ = (
    "COMPUTE_TYPES",
    "DEFAULT_SCHEDULE",
    "HUGO_CONFIG_NAMES",
    "INIT_TEMPLATE",
    "EngineSettings",
    "ReviewPolicy",
    "SiteConfig",
    "find_site_root",
    "hugo_environment",
    "load_config",
    "write_init",
)

DEFAULT_SCHEDULE = "*/15 * * * *"
_EXTENSIONS = ("toml", "yaml", "yml", "json")
# Hugo's own order of precedence: hugo.* first, then the older config.* names.
HUGO_CONFIG_NAMES = tuple(f"{stem}.{ext}" for stem in ("hugo", "config") for ext in _EXTENSIONS)
COMPUTE_TYPES = frozenset(
    {"default", "auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16",
     "float16", "bfloat16", "float32"}
)  # fmt: skip
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*")
_SUFFIX_LAYOUT: Literal["suffix"] = "suffix"
_DIRECTORIES_LAYOUT: Literal["directories"] = "directories"


@dataclass(frozen=True, slots=True)
class ReviewPolicy:
    """How machine copies are published."""

    draft_until_approved: bool = True
    """Machine copies get `draft: true`."""
    publish_on_approve: bool = True
    """`translator approve` sets `draft: false`."""
    on_source_change: str = "suggest"
    """A published copy whose source changed: `suggest` (the page keeps its reviewed text, the
    machine's is a suggestion, the copy is `outdated`), `publish` (machine text goes live) or
    `draft` (machine text written, the copy back to `draft: true`)."""


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
    """CTranslate2 compute type: default (the model's own), int8, float32, int8_float32, auto…"""
    batch_size: int = 32
    """Sentences per CTranslate2 batch."""
    auto_install: bool = True
    """Install a missing Argos package from the index when it can be reached."""

    def as_mapping(self) -> Mapping[str, Any]:
        """The settings an engine factory receives (everything but the name)."""
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
    """Address of an existing Dask scheduler for the flow; None = the default runner."""
    state_dir: Path = Path()
    """Where the memory database and the lock live; left empty, `root / ".translator"`."""
    hugo_config: Path | None = None
    """The Hugo config file read, if any."""
    max_post_bytes: int = MAX_POST_BYTES
    """Posts larger than this are refused before they are read (`[limits]`)."""
    shortcodes: Mapping[str, ShortcodeRule] = field(default_factory=lambda: DEFAULT_SHORTCODES)
    """Per shortcode name, its prose arguments and whether its body is Markdown."""
    languages: Mapping[str, Language] = field(default_factory=lambda: MappingProxyType({}))
    """Every language the site declares (enabled or not) and any `--to` adds, Hugo's order."""
    default_language: str = ""
    """Hugo's `defaultContentLanguage` as Hugo resolves it: the language of unsuffixed pages."""
    default_rule: str = ""
    """Why it is the default language, for messages."""
    content_dir: Path = Path()
    """The site's own contentDir (Hugo's `contentDir`): languages without their own share it."""
    exclude: tuple[str, ...] = ()
    """Globs of source paths (relative to the site root) never translated."""
    allow_unbuilt_targets: bool = False
    """`--to` may name a language Hugo does not build (disabled or not declared)."""

    def __post_init__(self) -> None:
        # The state dir follows the root unless a caller (a test) puts it elsewhere.
        if self.state_dir == Path():
            object.__setattr__(self, "state_dir", self.root / ".translator")
        if self.content_dir == Path():
            shared = self.content_dirs.get(self.source_language, self.root / "content")
            object.__setattr__(self, "content_dir", shared)

    def engine_code(self, language: str) -> str:
        """What the MT engine calls a site language: `fr` for `fr-fr`."""
        known = self.languages.get(language)
        return known.code if known else engine_code(language)

    def mounted(self, language: str) -> bool:
        """The language has its own contentDir, which Hugo mounts with that language.

        A language whose contentDir is the site's own shares it (modules/config.go,
        `ApplyProjectConfigDefaults`: `dropLang = dir == dirsBase.ContentDir`).
        """
        own = self.content_dirs.get(language)
        return own is not None and own != self.content_dir

    def with_overrides(
        self, *, targets: Sequence[str] | None = None, engine: str | None = None
    ) -> SiteConfig:
        """The config with command-line or flow parameters applied."""
        config = self
        if targets:
            wanted = _unique(_language(t.strip(), None, "--to") for t in targets if t.strip())
            _check_targets(self.source_language, wanted, None)
            for language in wanted:
                self._check_buildable(language)
            dirs = dict(self.content_dirs)
            languages = dict(self.languages)
            for language in wanted:
                dirs.setdefault(language, self._default_dir(language))
                languages.setdefault(
                    language, Language(language, None, 0, "", engine_code(language))
                )
            config = replace(
                config,
                targets=wanted,
                content_dirs=MappingProxyType(dirs),
                languages=MappingProxyType(languages),
            )
        if engine:
            config = replace(config, engine=replace(config.engine, name=engine))
        return config

    def _check_buildable(self, language: str) -> None:
        """`--to` may name a language Hugo does not build only if translator.toml allows it."""
        declared = self.languages.get(language)
        if (declared is None or not declared.enabled) and self.languages:
            if self.allow_unbuilt_targets:
                return
            why = (
                f"is disabled by {declared.disabled_by}"
                if declared is not None
                else "is not a language of this site"
            )
            raise ConfigError(
                f"--to {language}: {language} {why}, so Hugo will not build its pages",
                path=self.hugo_config,
                hint="enable it in the Hugo config, or set allow_unbuilt_targets = true in "
                "translator.toml to write copies Hugo will not build",
            )

    def _default_dir(self, language: str) -> Path:
        if not self.mounted(self.source_language):
            return self.content_dir
        return _inside_root(self.root, f"content/{language}", None)


def find_site_root(start: Path) -> Path:
    """The nearest folder at or above `start` with a Hugo config or a translator.toml."""
    start = start.absolute()
    for folder in [start, *start.parents] if start.is_dir() else start.parents:
        if _hugo_config_file(folder) or (folder / "translator.toml").is_file():
            return folder
    raise ConfigError(
        "no Hugo site here or above (no hugo.toml, config.toml, config/_default/ "
        "or translator.toml)",
        path=start,
        hint="run inside a Hugo site, or create a translator.toml with `translator init`",
    )


def _hugo_config_file(folder: Path) -> Path | None:
    """The site's main Hugo config file: a root file wins over config/_default/."""
    for directory in (folder, folder / "config" / "_default"):
        for name in HUGO_CONFIG_NAMES:
            if (directory / name).is_file():
                return directory / name
    return None


def load_config(
    root: Path, *, source: str | None = None, environment: str | None = None
) -> SiteConfig:
    """Read the site's Hugo config and translator.toml; `ConfigError` for anything invalid.

    `source` (`--from`) overrides translator.toml's source language; `environment`
    (`--environment`) names the Hugo environment whose config/<env>/ is read (see
    `hugo_environment`).
    """
    root = root.absolute()
    hugo_file = _hugo_config_file(root)
    hugo = _read_hugo(root, hugo_environment(environment))
    own_file = root / "translator.toml"
    own = _read_own(own_file) if own_file.is_file() else {}
    return _build(root, hugo, hugo_file, own, own_file, source)


def hugo_environment(given: str | None = None) -> str:
    """The Hugo environment, chosen as `hugo` (the build command) chooses it.

    commands/hugobuilder.go, `loadConfig`: the `--environment` flag, else
    `HUGO_ENVIRONMENT`, else `HUGO_ENV`, else `production` (`hugo server`
    defaults to `development`, but translator writes what `hugo` builds).
    """
    for value in (given, os.environ.get("HUGO_ENVIRONMENT"), os.environ.get("HUGO_ENV")):
        if value:
            if value in (".", "..") or "/" in value or "\\" in value:
                raise ConfigError(
                    f"{value!r} is not a Hugo environment name",
                    hint="use a name such as production, staging or development",
                )
            return value
    return "production"


def _read_hugo(root: Path, environment: str = "production") -> dict[str, Any]:
    """Hugo's settings, keys lowercased, merged as Hugo merges them.

    The first root file (hugo.*, then config.*), then every file of
    config/_default/ and config/<environment>/ (production unless told) merged over it
    (config/allconfig/load.go `loadConfigMain`; config/configLoader.go
    `LoadConfigFromDir`: `languages.toml` holds the key `languages`,
    `languages.fr.toml` the table `languages.fr`, `params.fr.toml` its params).
    """
    settings: dict[str, Any] = {}
    for name in HUGO_CONFIG_NAMES:
        if (root / name).is_file():
            settings = _lower_keys(_read_any(root / name))
            break
    for directory in (root / "config" / "_default", root / "config" / environment):
        for path in sorted(directory.rglob("*")) if directory.is_dir() else ():
            if _read_by_translator(path):
                _merge(settings, _dir_file_settings(path))
    return settings


_DIR_FILES_READ = frozenset({"hugo", "config", "languages", "module"})
"""Files of a config directory that can hold languages, contentDir or mounts. The others
(params, menus, markup…) are never read: a YAML quirk in a theme's params file that Hugo
accepts must not stop a run."""


def _read_by_translator(path: Path) -> bool:
    name = path.stem.lower().partition(".")[0]
    return path.is_file() and path.suffix[1:] in _EXTENSIONS and name in _DIR_FILES_READ


def _dir_file_settings(path: Path) -> dict[str, Any]:
    """One file of a config directory, placed under the key its name gives."""
    data = _lower_keys(_read_any(path))
    stem = path.stem.lower()
    if stem in ("hugo", "config"):
        return dict(data)
    name, _, language = stem.partition(".")
    # TOML cannot hold a headless array: `cascade.toml` may wrap it in `cascade = …`.
    value: Any = data[name] if len(data) == 1 and name in data else data
    if not language:
        return {name: value}
    inner = {name: value} if name in ("params", "menus", "menu") else value
    return {"languages": {language: inner}}


def _merge(into: dict[str, Any], new: Mapping[str, Any]) -> None:
    """Deep merge, `new` winning, as Hugo's `hmaps.SetParams` does."""
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _lower_keys(data: Any) -> Any:
    """Hugo's config keys are case-insensitive."""
    if isinstance(data, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in data.items()}
    return data


class _HugoYamlLoader(yaml.SafeLoader):
    """YAML 1.2 booleans only, as Hugo reads YAML: the language key `no` stays Norwegian."""


_HugoYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_HugoYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _read_any(path: Path) -> dict[str, Any]:
    """A TOML, YAML or JSON file as a mapping; `ConfigError` with the line when it does not parse."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read: {error}", path=path) from error
    try:
        data = _parse(path, text)
    except tomllib.TOMLDecodeError as error:
        where = re.search(r"\s*\(at line (\d+), column \d+\)", str(error))
        message = str(error)[: where.start()] if where else str(error)
        line = int(where.group(1)) if where else None
        raise ConfigError(f"does not parse: {message}", path=path, line=line) from error
    except json.JSONDecodeError as error:
        raise ConfigError(f"does not parse: {error.msg}", path=path, line=error.lineno) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(f"does not parse: {problem}", path=path, line=line) from error
    if not isinstance(data, dict):
        raise ConfigError("is not a mapping of settings", path=path)
    return data


def _parse(path: Path, text: str) -> Any:
    if path.suffix == ".toml":
        return tomllib.loads(text)
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=_HugoYamlLoader) or {}


# translator.toml's schema: a type per key, a nested mapping per table.
_SCHEMA: Mapping[str, Any] = MappingProxyType(
    {
        "source": str,
        "targets": list,
        "exclude": list,
        "allow_unbuilt_targets": bool,
        "languages": dict,
        "translatable_keys": list,
        "schedule": str,
        "engine": {"name": str, "beam_size": int, "threads": int, "compute_type": str,
                   "batch_size": int, "auto_install": bool},
        "glossary": {"do_not_translate": list, "fixed": dict},
        "review": {"draft_until_approved": bool, "publish_on_approve": bool,
                   "on_source_change": str},
        "dask": {"address": str},
        "limits": {"max_post_bytes": int},
        "shortcodes": dict,
    }
)  # fmt: skip
_KIND = MappingProxyType(
    {str: "a string", int: "an integer", bool: "true or false", list: "a list", dict: "a table"}
)


def _read_own(path: Path) -> dict[str, Any]:
    """translator.toml, checked key by key against the schema."""
    data = _read_any(path)
    text = path.read_text(encoding="utf-8")
    _check_keys(data, _SCHEMA, path, text, "")
    _check_lists(data, path, text)
    _check_engine(data.get("engine", {}), path, text)
    if data.get("limits", {}).get("max_post_bytes", 1) < 1:
        raise ConfigError(
            "limits.max_post_bytes must be at least 1",
            path=path,
            line=_line_of(text, "max_post_bytes"),
        )
    _check_shortcodes(data.get("shortcodes", {}), path, text)
    _check_review(data.get("review", {}), path, text)
    return data


def _check_shortcodes(table: Mapping[str, Any], path: Path, text: str) -> None:
    """Each [shortcodes.NAME]: params, a list of names and positions; inner, markdown or raw."""
    for name, rule in table.items():
        _expect(rule, dict, f"shortcodes.{name}", path, text, key=name)
        for key in rule:
            if key not in ("params", "inner"):
                raise ConfigError(
                    f"unknown setting shortcodes.{name}.{key}",
                    path=path,
                    line=_line_of(text, key),
                    hint="known: params, inner",
                )
        for param in rule.get("params", []):
            if isinstance(param, bool) or not isinstance(param, str | int):
                raise ConfigError(
                    f"shortcodes.{name}.params: {param!r} is neither a name nor a position",
                    path=path,
                    line=_line_of(text, "params"),
                )
        if rule.get("inner", "raw") not in ("raw", "markdown"):
            raise ConfigError(
                f'shortcodes.{name}.inner must be "markdown" or "raw"',
                path=path,
                line=_line_of(text, "inner"),
            )


def _shortcodes(table: Mapping[str, Any]) -> Mapping[str, ShortcodeRule]:
    """Hugo's built-ins, with the site's own rules added or replacing them by name."""
    rules = dict(DEFAULT_SHORTCODES)
    for name, rule in table.items():
        params = tuple(rule.get("params", ()))
        rules[name] = ShortcodeRule(params, rule.get("inner", "raw") == "markdown")
    return MappingProxyType(rules)


def _check_keys(
    data: Mapping[str, Any], schema: Mapping[str, Any], path: Path, text: str, prefix: str
) -> None:
    for key, value in data.items():
        if key not in schema:
            close = difflib.get_close_matches(key, list(schema), n=1)
            hint = f"did you mean {prefix}{close[0]}?" if close else f"known: {', '.join(schema)}"
            raise ConfigError(
                f"unknown setting {prefix}{key}", path=path, line=_line_of(text, key), hint=hint
            )
        expected = schema[key]
        if isinstance(expected, dict):
            _expect(value, dict, f"{prefix}{key}", path, text)
            _check_keys(value, expected, path, text, f"{prefix}{key}.")
        else:
            _expect(value, expected, f"{prefix}{key}", path, text)


def _expect(
    value: Any, kind: type, name: str, path: Path, text: str, *, key: str | None = None
) -> None:
    # bool is an int to Python, never to a user.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(
            f"{name} must be {_KIND[kind]}, not {value!r}",
            path=path,
            line=_line_of(text, key or name.rpartition(".")[2]),
        )


def _check_lists(data: Mapping[str, Any], path: Path, text: str) -> None:
    """Lists hold strings; glossary.fixed maps languages to tables of strings."""
    glossary = data.get("glossary", {})
    _check_languages(data.get("languages", {}), path, text)
    lists = {"targets": data.get("targets", []),
             "exclude": data.get("exclude", []),
             "translatable_keys": data.get("translatable_keys", []),
             "glossary.do_not_translate": glossary.get("do_not_translate", [])}  # fmt: skip
    for name, items in lists.items():
        for item in items:
            _expect(item, str, f"each of {name}", path, text, key=name.rpartition(".")[2])
    for language, terms in glossary.get("fixed", {}).items():
        _language(language, path, "glossary.fixed")
        _expect(terms, dict, f"glossary.fixed.{language}", path, text)
        for term, translation in terms.items():
            _expect(translation, str, f"glossary.fixed.{language}.{term}", path, text)


def _check_languages(languages: Mapping[str, Any], path: Path, text: str) -> None:
    """`[languages.fr-fr] engine_code = "fr"`: the engine's code for a Hugo language."""
    for key, settings in languages.items():
        _expect(settings, dict, f"languages.{key}", path, text)
        for name, value in settings.items():
            if name != "engine_code":
                raise ConfigError(
                    f"unknown setting languages.{key}.{name}",
                    path=path,
                    line=_line_of(text, name),
                    hint="known: engine_code",
                )
            _expect(value, str, f"languages.{key}.engine_code", path, text)


REVIEW_POLICIES = ("suggest", "publish", "draft")


def _check_review(review: Mapping[str, Any], path: Path, text: str) -> None:
    if review.get("on_source_change", "suggest") not in REVIEW_POLICIES:
        raise ConfigError(
            f"review.on_source_change {review['on_source_change']!r} is not a policy",
            path=path,
            line=_line_of(text, "on_source_change"),
            hint=f"use one of {', '.join(REVIEW_POLICIES)}",
        )


def _check_engine(engine: Mapping[str, Any], path: Path, text: str) -> None:
    minimum = {"beam_size": 1, "batch_size": 1, "threads": 0}
    for key, least in minimum.items():
        if engine.get(key, least) < least:
            raise ConfigError(
                f"engine.{key} must be at least {least}", path=path, line=_line_of(text, key)
            )
    if engine.get("compute_type", "default") not in COMPUTE_TYPES:
        raise ConfigError(
            f"engine.compute_type {engine['compute_type']!r} is not a CTranslate2 compute type",
            path=path,
            line=_line_of(text, "compute_type"),
            hint=f"use one of {', '.join(sorted(COMPUTE_TYPES))}",
        )


def _line_of(text: str, key: str) -> int | None:
    """The first line setting `key` or opening a table named `key` (tomllib gives no positions)."""
    name = re.escape(key)
    pattern = rf"^\s*(?:(?:{name}|\"{name}\"|'{name}')\s*=|\[+[^\]\n]*\b{name}\s*\]+)"
    found = re.search(pattern, text, flags=re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _build(
    root: Path,
    hugo: Mapping[str, Any],
    hugo_file: Path | None,
    own: Mapping[str, Any],
    own_file: Path,
    source_override: str | None = None,
) -> SiteConfig:
    source = _language(
        source_override or own.get("source") or "fr",
        own_file if "source" in own and not source_override else None,
        "--from" if source_override else None,
    )
    own_targets = _unique(_language(t, own_file) for t in own.get("targets") or ())
    if hugo_file is None:
        hugo = _declared_by_translator(root, source, own_targets)
    codes = {k.lower(): v["engine_code"] for k, v in own.get("languages", {}).items()}
    try:
        resolved = resolve_languages(hugo, codes)
    except ConfigError as error:
        raise (error.at(hugo_file) if hugo_file else error) from None
    shared = _inside_root(root, resolved.content_dir, hugo_file)
    dirs = {key: _inside_root(root, lang.content_dir, hugo_file) if lang.content_dir else shared
            for key, lang in resolved.languages.items()}  # fmt: skip
    # `fr` names the site's `fr-fr` (or `fr-FR`) when that is its only French: the
    # engine code is what users know, the Hugo key what the site is built from.
    source = _site_key(source, resolved)
    own_targets = tuple(_site_key(target, resolved) for target in own_targets)
    _check_source(source, resolved, hugo_file)
    targets = _targets(source, own_targets, resolved, hugo_file, own_file)
    return SiteConfig(
        root=root,
        source_language=source,
        targets=targets,
        layout=_SUFFIX_LAYOUT if dirs[source] == shared else _DIRECTORIES_LAYOUT,
        content_dirs=MappingProxyType(dirs),
        translatable_keys=tuple(own.get("translatable_keys") or DEFAULT_TRANSLATABLE_KEYS),
        engine=EngineSettings(**own.get("engine", {})),
        glossary=_glossary(own.get("glossary", {})),
        review=ReviewPolicy(**own.get("review", {})),
        schedule=own.get("schedule", DEFAULT_SCHEDULE),
        dask_address=own.get("dask", {}).get("address"),
        state_dir=root / ".translator",
        hugo_config=hugo_file,
        max_post_bytes=own.get("limits", {}).get("max_post_bytes", MAX_POST_BYTES),
        shortcodes=_shortcodes(own.get("shortcodes", {})),
        languages=resolved.languages,
        default_language=resolved.default,
        default_rule=resolved.default_rule,
        content_dir=shared,
        exclude=tuple(own.get("exclude", ())),
        allow_unbuilt_targets=bool(own.get("allow_unbuilt_targets", False)),
    )


def _declared_by_translator(root: Path, source: str, targets: Sequence[str]) -> dict[str, Any]:
    """Without a Hugo config, translator.toml's languages are the site's (else fr and en).

    An existing content/<source>/ means a contentDir per language.
    """
    everyone = _unique([source, *(targets or (["en"] if source != "en" else []))])
    per_language = (root / "content" / source).is_dir()
    return {
        "languages": {
            lang: {"contentdir": f"content/{lang}"} if per_language else {} for lang in everyone
        }
    }


def _site_key(language: str, resolved: HugoLanguages) -> str:
    """The Hugo key for `language`: itself if declared, else the one enabled language whose
    engine code it is (`fr` → `fr-fr`); unchanged when none or several match."""
    if language in resolved.languages:
        return language
    matches = [key for key in resolved.enabled() if resolved.languages[key].code == language]
    return matches[0] if len(matches) == 1 else language


def _check_source(source: str, resolved: HugoLanguages, hugo_file: Path | None) -> None:
    """The source must be a language Hugo builds: translator never guesses it."""
    language = resolved.languages.get(source)
    if language is not None and language.enabled:
        return
    declared = ", ".join(resolved.enabled()) or "none"
    why = (
        f"is disabled by {language.disabled_by}"
        if language is not None
        else f"is not a language of this site (it declares {declared})"
    )
    raise ConfigError(
        f"the source language {source} {why}",
        path=hugo_file,
        hint=f'set source = "…" in translator.toml (or --from) to one of {declared}, '
        f"or declare [languages.{source}] in the Hugo config",
    )


def _targets(
    source: str,
    own_targets: Sequence[str],
    resolved: HugoLanguages,
    hugo_file: Path | None,
    own_file: Path,
) -> tuple[str, ...]:
    """translator.toml's targets, each one built by Hugo; else Hugo's other enabled languages."""
    _check_targets(source, own_targets, own_file, allow_empty=True)
    for target in own_targets:
        language = resolved.languages.get(target)
        if language is None or not language.enabled:
            why = (
                f"disabled by {language.disabled_by}" if language else "not a language of the site"
            )
            raise ConfigError(
                f"target {target} is {why}, so Hugo will not build its pages",
                path=own_file,
                line=None,
                hint="remove it from targets, or enable it in the Hugo config",
            )
    targets = tuple(own_targets) or tuple(k for k in resolved.enabled() if k != source)
    if not targets:
        off = [f"{k} (disabled by {v.disabled_by})" for k, v in resolved.languages.items()
               if not v.enabled]  # fmt: skip
        detail = f"; {', '.join(off)}" if off else ""
        raise ConfigError(
            f"no target language: Hugo builds only {source}{detail}",
            path=hugo_file or own_file,
            hint="declare and enable another language in the Hugo config",
        )
    return targets


def _glossary(data: Mapping[str, Any]) -> Glossary:
    fixed = {lang.lower(): MappingProxyType(dict(terms)) for lang, terms in
             data.get("fixed", {}).items()}  # fmt: skip
    return Glossary(tuple(data.get("do_not_translate", ())), MappingProxyType(fixed))


def _language(code: Any, where: Path | None, setting: str | None = None) -> str:
    """A lowercased language code like en, pt-br or zh-hant; `ConfigError` otherwise."""
    if not isinstance(code, str) or not _LANGUAGE_CODE.fullmatch(code.lower()):
        named = f"{setting}: " if setting else ""
        raise ConfigError(
            f"{named}{code!r} is not a language code", path=where, hint="use codes like en, pt-br"
        )
    return code.lower()


def _unique(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def _check_targets(
    source: str, targets: Sequence[str], where: Path | None, *, allow_empty: bool = False
) -> None:
    if source in targets:
        raise ConfigError(
            f"target {source} is the source language",
            path=where,
            hint=f"remove {source} from targets, or change source",
        )
    if not targets and not allow_empty:
        raise ConfigError(
            "no target language", path=where, hint='set targets = ["…"] in translator.toml'
        )


def _inside_root(root: Path, configured: str, where: Path | None) -> Path:
    """A configured folder, refused unless it resolves (symlinks followed) inside the site root."""
    path = (root / configured).absolute()
    if ".." in Path(configured).parts or not path.resolve().is_relative_to(root.resolve()):
        raise UnsafePathError(
            f"content dir {configured!r} is outside the site",
            path=where or root,
            hint="point contentDir at a folder inside the site, without `..` or outside symlinks",
        )
    return path


INIT_TEMPLATE = """\
# translator.toml — what translator needs to know beyond Hugo's own config.
# Every setting is optional; each value shown commented out is the default.

# The language posts are written in: a language key of the Hugo config.
# Never taken from defaultContentLanguage, which only says what unsuffixed files are.
# source = "fr"

# Languages to translate into (default: the other languages Hugo builds).
# targets = ["en"]

# Source posts never translated: globs of paths relative to the site root
# (`*` also matches `/`).
# exclude = ["content/fr/drafts/*", "content/fr/legal.md"]

# `--to` may name a language Hugo does not build (disabled or not declared).
# allow_unbuilt_targets = false

# The engine's code for a Hugo language (default: its locale or languageCode, else
# its key: fr-fr -> fr). Needed only when neither says it (a key such as francais).
# [languages.francais]
# engine_code = "fr"

# Front matter keys whose string values are translated.
# Dotted paths for nested keys (cover.alt), * for any key (params.*.caption); a key
# holding a list translates each string in it (keywords).
# translatable_keys = ["title", "description", "summary", "subtitle", "linkTitle",
#                      "cover.alt", "cover.caption"]

# When the scheduled Prefect deployment runs (cron).
# schedule = "*/15 * * * *"

[engine]
# argos (offline neural MT), pseudo (pseudo-localisation, for layout checks) or identity.
# name = "argos"
# Beam size of CTranslate2's search; 1 is greedy and fastest.
# beam_size = 2
# CTranslate2 threads per translation; 0 lets CTranslate2 choose (all cores).
# threads = 0
# CTranslate2 compute type: default (the model's own), auto, int8, int8_float32, float32…
# compute_type = "default"
# Sentences per CTranslate2 batch.
# batch_size = 32
# Install a missing Argos package from the Argos index when it can be reached.
# auto_install = true

[glossary]
# Names kept verbatim through machine translation.
# do_not_translate = ["Instagram", "TikTok", "Hugo"]

# Translations the site always uses, one table per target language.
# [glossary.fixed.en]
# "gestion de communauté" = "community management"

[review]
# Machine copies are written with draft: true until an editor approves them.
# draft_until_approved = true
# `translator approve` sets draft: false.
# publish_on_approve = true
# When the source of a published copy changes: "suggest" keeps the reviewed text on the
# page and stores the machine translation as a suggestion (the copy is `outdated`);
# "publish" puts the machine translation live; "draft" writes it and sets draft: true.
# on_source_change = "suggest"

[limits]
# Posts larger than this many bytes are refused before they are read.
# max_post_bytes = 10000000

[shortcodes]
# Shortcode arguments that are prose, by name or position, and shortcodes whose
# body is Markdown (`.Inner | markdownify`). Built in: figure (caption, title, alt,
# attr) and details (summary; its body is Markdown).
# notice = { params = ["title", 1], inner = "markdown" }

[dask]
# Address of an existing Dask scheduler for the flow's tasks (default: none, a local runner).
# address = "tcp://127.0.0.1:8786"
"""


def write_init(root: Path, *, force: bool = False) -> Path:
    """Write a commented translator.toml; `ConfigError` if one exists and not `force`."""
    path = root.absolute() / "translator.toml"
    if path.exists() and not force:
        raise ConfigError("already exists", path=path, hint="use --force to overwrite it")
    atomic_write(path, INIT_TEMPLATE)
    return path
