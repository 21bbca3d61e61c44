"""Hugo's language rules (languages.py) and the config forms they are read from."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator.errors import ConfigError
from translator.hugo.config import load_config
from translator.hugo.languages import engine_code, resolve_languages

FR_EN = {"fr": {"weight": 1}, "en": {"weight": 2}}


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


# defaultContentLanguage (langs/config.go, LanguagesInternal.init).


def test_default_language__unset_is_en_when_en_is_declared() -> None:
    assert resolve_languages({"languages": FR_EN}).default == "en"


def test_default_language__unset_without_en_is_the_first_by_weight() -> None:
    languages = {"de": {"weight": 2}, "fr": {"weight": 1}}
    assert resolve_languages({"languages": languages}).default == "fr"


def test_default_language__weight_zero_sorts_last() -> None:
    languages = {"de": {}, "fr": {"weight": 5}}
    assert resolve_languages({"languages": languages}).default == "fr"


def test_default_language__set_is_kept() -> None:
    settings = {"languages": FR_EN, "defaultcontentlanguage": "FR"}
    assert resolve_languages(settings).default == "fr"


def test_default_language__no_languages_table_is_one_language() -> None:
    resolved = resolve_languages({})
    assert (resolved.default, list(resolved.languages), resolved.declared) == ("en", ["en"], False)


def test_default_language__not_declared_is_an_error() -> None:
    with pytest.raises(ConfigError, match="is not in the languages table"):
        resolve_languages({"languages": FR_EN, "defaultcontentlanguage": "de"})


def test_default_language__disabled_is_an_error() -> None:
    settings = {"languages": FR_EN, "defaultcontentlanguage": "en", "disablelanguages": ["en"]}
    with pytest.raises(ConfigError, match="is disabled by disableLanguages"):
        resolve_languages(settings)


def test_default_language__unset_skips_a_disabled_en() -> None:
    settings = {"languages": FR_EN, "disablelanguages": ["en"]}
    assert resolve_languages(settings).default == "fr"


# Disabled languages.


def test_disabled__by_disable_languages() -> None:
    resolved = resolve_languages({"languages": FR_EN, "disablelanguages": ["EN"]})
    assert resolved.languages["en"].disabled_by == "disableLanguages"


def test_disabled__by_the_language_flag() -> None:
    languages = {"fr": {}, "en": {"disabled": True}}
    resolved = resolve_languages({"languages": languages})
    assert (resolved.languages["en"].disabled_by, resolved.enabled()) == (
        "languages.en.disabled",
        ["fr"],
    )


# Engine codes.


@pytest.mark.parametrize(
    ("key", "locale", "code"),
    [
        ("fr-fr", "", "fr"),
        ("fr_ca", "", "fr"),
        ("en-us", "", "en"),
        ("pt-br", "", "pt"),
        ("zh-hant", "", "zt"),
        ("francais", "fr-FR", "fr"),
        ("uk", "en-GB", "en"),
        ("uk", "", "uk"),
        ("fr", "fr_FR", "fr"),
        ("english", "", "english"),
    ],
)
def test_engine_code(key: str, locale: str, code: str) -> None:
    assert engine_code(key, locale) == code


def test_engine_code__from_hugo_language_code() -> None:
    languages = {"francais": {"languagecode": "fr-FR"}, "en": {}}
    assert resolve_languages({"languages": languages}).languages["francais"].code == "fr"


def test_engine_code__override_wins() -> None:
    resolved = resolve_languages({"languages": FR_EN}, {"en": "es"})
    assert resolved.languages["en"].code == "es"


# Every config form (config/configLoader.go, LoadConfigFromDir).


def test_config_dir__languages_toml(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "config/_default/hugo.toml": "",
            "config/_default/languages.toml": "[fr]\nweight = 1\n[en]\nweight = 2\n",
        },
    )
    assert load_config(root).targets == ("en",)


def test_config_dir__per_language_file(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "config/_default/languages.toml": "[fr]\nweight = 1\n[en]\nweight = 2\n[de]\n",
            "config/_default/languages.de.toml": "disabled = true\n",
        },
    )
    assert load_config(root).targets == ("en",)


def test_config_dir__production_merges_over_default(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "hugo.toml": "[languages.fr]\n[languages.en]\n[languages.de]\n",
            "config/production/hugo.toml": 'disableLanguages = ["de"]\n',
        },
    )
    assert load_config(root).targets == ("en",)


def test_config_dir__params_per_language_file_is_not_a_language(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "hugo.toml": "[languages.fr]\n[languages.en]\n",
            "config/_default/params.en.toml": 'subtitle = "x"\n',
        },
    )
    assert load_config(root).targets == ("en",)


def test_config__content_dir_per_language_and_shared(tmp_path: Path) -> None:
    hugo = '[languages.fr]\n[languages.en]\ncontentDir = "content/en"\n'
    config = load_config(write(tmp_path, {"hugo.toml": hugo}))
    assert (config.mounted("fr"), config.mounted("en")) == (False, True)


def test_config__invalid_default_language_names_the_file(tmp_path: Path) -> None:
    root = write(tmp_path, {"hugo.toml": 'defaultContentLanguage = "de"\n[languages.fr]\n'})
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert caught.value.path == str(tmp_path / "hugo.toml")


def test_engine_code__a_key_named_like_another_language_follows_its_locale() -> None:
    # ideasonstage.com: [languages.uk] locale = "en-GB" is British English, not Ukrainian.
    # (The config reader lowercases keys: languageCode arrives as languagecode.)
    languages = {"fr": {}, "uk": {"locale": "en-GB"}, "castellano": {"languagecode": "es-ES"}}
    resolved = resolve_languages({"languages": languages})
    assert {key: lang.code for key, lang in resolved.languages.items()} == {
        "fr": "fr",
        "uk": "en",
        "castellano": "es",
    }
