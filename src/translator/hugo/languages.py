"""A site's languages exactly as Hugo resolves them, from its merged config. Pure.

Hugo's rules, as its source has them (gohugoio/hugo):
- Keys are case-insensitive: Hugo lowercases every config key, so
  `[languages.fr-FR]` is the language `fr-fr` (config/defaultConfigProvider.go,
  `Set` through `hmaps.ToParamsAndPrepare`).
- No `languages` table: the site has one language, `defaultContentLanguage`
  or `en` (config/allconfig/allconfig.go, `fromLoadConfigResult`).
- `disableLanguages = ["en"]` and `[languages.en] disabled = true` both
  disable a language; a disabled default language is an error
  (langs/config.go, `LanguagesInternal.init`).
- `defaultContentLanguage` unset: `en` when `en` is an enabled language,
  else the first enabled language sorted by weight (0 last), then key
  (langs/config.go, `init`, Hugo ≥ 0.153; before that it was `en`
  unconditionally, `defaultConfigLanguageFallback`). Set but not declared:
  Hugo stops ("not found in languages configuration").
- `defaultContentLanguageInSubdir` only moves URLs; it never changes which
  language a content file is in.

The engine code of a language is what an MT engine knows it by: Hugo keys
and locales such as `fr-fr`, `fr-FR`, `fr_CA` are `fr`; `[languages.X]
engine_code` in translator.toml overrides it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from translator.errors import ConfigError

__all__ = ("HugoLanguages", "Language", "engine_code", "resolve_languages")

_KEY = re.compile(r"[^\s./\\]+")
_PRIMARY = re.compile(r"([a-z]{2,3})(?:[-_].*)?")
# Argos Translate's codes for the scripts and regions it has its own models for.
_SPECIAL = MappingProxyType({"zh-hant": "zt", "zh-tw": "zt", "zh-hk": "zt", "zh_hant": "zt"})


@dataclass(frozen=True, slots=True)
class Language:
    """One language declared in the Hugo config."""

    key: str
    """Hugo's key, lowercased: `fr`, `fr-fr`, `en_us`."""
    content_dir: str | None
    """Its own `contentDir` as configured, or None: it shares the site's contentDir."""
    weight: int
    """Hugo's sort weight (0 sorts last)."""
    disabled_by: str
    """The setting that disables it (`disableLanguages`, `languages.en.disabled`), or ''."""
    code: str
    """The engine's code for it: `fr` for `fr-fr`."""

    @property
    def enabled(self) -> bool:
        """Hugo builds it."""
        return not self.disabled_by


@dataclass(frozen=True, slots=True)
class HugoLanguages:
    """Every language of a site and the rules that decide a page's language."""

    languages: Mapping[str, Language]
    """Every declared language, enabled or not, in Hugo's order (weight, then key)."""
    default: str
    """`defaultContentLanguage` as Hugo resolves it."""
    default_rule: str
    """Why it is the default, for messages: `defaultContentLanguage = "fr"` or the fallback."""
    declared: bool
    """The config has a `languages` table (else Hugo made one language up)."""
    content_dir: str
    """The site's own `contentDir` (default `content`)."""
    in_subdir: bool
    """`defaultContentLanguageInSubdir`: URLs only, read for completeness."""

    def enabled(self) -> list[str]:
        """Keys of the languages Hugo builds, in Hugo's order."""
        return [key for key, language in self.languages.items() if language.enabled]


def resolve_languages(
    settings: Mapping[str, Any], codes: Mapping[str, str] = MappingProxyType({})
) -> HugoLanguages:
    """Hugo's languages from its merged, lowercased settings; `codes` are engine-code overrides.

    Raises `ConfigError` without a path: the caller names the config file.
    """
    table = settings.get("languages")
    declared = bool(table)
    configured = settings.get("defaultcontentlanguage")
    if configured is not None and not isinstance(configured, str):
        raise ConfigError("defaultContentLanguage must be a string")
    configured = (configured or "").lower()
    if not table:
        table = {configured or "en": {}}
    if not isinstance(table, Mapping):
        raise ConfigError("languages must be a table of languages")
    listed = settings.get("disablelanguages") or []
    if not isinstance(listed, list):
        raise ConfigError("disableLanguages must be a list of languages")
    off = {str(key).lower() for key in listed}
    languages = [_language(str(k).lower(), v, off, codes) for k, v in table.items()]
    mounted = _content_mounts(settings)
    languages = [
        replace(lang, content_dir=mounted[lang.key])
        if lang.content_dir is None and lang.key in mounted
        else lang
        for lang in languages
    ]
    languages.sort(key=lambda lang: (lang.weight == 0, lang.weight, lang.key))
    default, rule = _default(languages, configured)
    content_dir = settings.get("contentdir", "content")
    if not isinstance(content_dir, str):
        raise ConfigError("contentDir must be a string")
    return HugoLanguages(
        languages=MappingProxyType({lang.key: lang for lang in languages}),
        default=default,
        default_rule=rule,
        declared=declared,
        content_dir=content_dir,
        in_subdir=bool(settings.get("defaultcontentlanguageinsubdir")),
    )


def _language(key: str, settings: Any, off: set[str], codes: Mapping[str, str]) -> Language:
    if not _KEY.fullmatch(key):
        raise ConfigError(f"language name {key!r} is invalid")
    if not isinstance(settings, Mapping):
        raise ConfigError(f"languages.{key} must be a table")
    content_dir = settings.get("contentdir") or None
    if content_dir is not None and not isinstance(content_dir, str):
        raise ConfigError(f"languages.{key}.contentDir must be a string")
    weight = settings.get("weight", 0)
    if not isinstance(weight, int):
        raise ConfigError(f"languages.{key}.weight must be an integer")
    disabled_by = ""
    if settings.get("disabled"):
        disabled_by = f"languages.{key}.disabled"
    elif key in off:
        disabled_by = "disableLanguages"
    locale = settings.get("locale") or settings.get("languagecode") or ""
    code = codes.get(key) or engine_code(key, str(locale))
    return Language(key, content_dir, weight, disabled_by, code)


def _content_mounts(settings: Mapping[str, Any]) -> dict[str, str]:
    """Languages given their own content folder by a module mount, as contentDir does.

    Hugo (hugolib/filesystems, `modules.Mount.Lang`): a mount whose target is
    `content` and that sets `lang` puts the files of `source` in that language.
    Only a language with exactly one such mount is taken; mounts into a
    subfolder of content (`content/uploads`) are not a language's content.
    """
    module = settings.get("module")
    mounts = module.get("mounts") if isinstance(module, Mapping) else None
    found: dict[str, list[str]] = {}
    for mount in mounts if isinstance(mounts, list) else ():
        if not isinstance(mount, Mapping):
            continue
        source, target, lang = mount.get("source"), mount.get("target"), mount.get("lang")
        if isinstance(source, str) and isinstance(lang, str) and target in ("content", "content/"):
            found.setdefault(lang.lower(), []).append(source.strip("/"))
    return {lang: sources[0] for lang, sources in found.items() if len(sources) == 1}


def _default(languages: list[Language], configured: str) -> tuple[str, str]:
    """Hugo's `defaultContentLanguage` (langs/config.go, `LanguagesInternal.init`)."""
    by_key = {lang.key: lang for lang in languages}
    if configured:
        if configured not in by_key:
            raise ConfigError(
                f"defaultContentLanguage {configured!r} is not in the languages table"
            )
        if not by_key[configured].enabled:
            raise ConfigError(
                f"defaultContentLanguage {configured!r} is disabled by {by_key[configured].disabled_by}"
            )
        return configured, f'defaultContentLanguage = "{configured}"'
    enabled = [lang.key for lang in languages if lang.enabled]
    if not enabled:
        raise ConfigError("every language is disabled")
    chosen = "en" if "en" in enabled else enabled[0]
    why = "en is a language" if chosen == "en" else "the first language by weight"
    return chosen, f"defaultContentLanguage unset: {chosen}, as {why}"


def engine_code(key: str, locale: str = "") -> str:
    """The MT engine's code for a Hugo language: `fr-fr`, `fr-FR`, `fr_CA` -> `fr`.

    The language's `locale` or `languageCode` comes first: it is what Hugo puts
    in the page's `lang`, while a key is only a name (`uk` for a British English
    site is `en-GB`, not Ukrainian). Without one, the key itself when it is a
    language tag; failing both, the key as it is.
    """
    for candidate in (locale.lower(), key.lower()):
        if candidate in _SPECIAL:
            return _SPECIAL[candidate]
        match = _PRIMARY.fullmatch(candidate)
        if match:
            return match.group(1)
    return key.lower()
