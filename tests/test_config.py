"""Site configuration: Hugo's config plus translator.toml, the defaults, and one-line errors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import MappingProxyType

import pytest

from translator.errors import ConfigError, UnsafePathError
from translator.hugo.config import (
    DEFAULT_SCHEDULE,
    INIT_TEMPLATE,
    EngineSettings,
    Glossary,
    ReviewPolicy,
    SiteConfig,
    find_site_root,
    load_config,
    write_init,
)
from translator.markdown.document import DEFAULT_TRANSLATABLE_KEYS
from translator.markdown.shortcodes import DEFAULT_SHORTCODES, ShortcodeRule

DIRECTORIES_TOML = """\
defaultContentLanguage = "fr"
[languages.fr]
contentDir = "content/fr"
weight = 1
[languages.en]
contentDir = "content/en"
weight = 2
"""


def make_site(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> text) under `root` and return `root`."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def with_own(root: Path, own: str) -> Path:
    """A directories-layout site whose translator.toml is `own`."""
    return make_site(root, {"hugo.toml": DIRECTORIES_TOML, "translator.toml": own})


def config_error(root: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    return caught.value


# Hugo's config: languages, contentDir, defaultContentLanguage.


def test_load_config__directories_layout_from_hugo_toml(tmp_path: Path) -> None:
    config = load_config(make_site(tmp_path, {"hugo.toml": DIRECTORIES_TOML}))
    assert (config.source_language, config.targets, config.layout) == ("fr", ("en",), "directories")
    assert dict(config.content_dirs) == {
        "fr": tmp_path / "content/fr",
        "en": tmp_path / "content/en",
    }


def test_load_config__names_the_hugo_file_read(tmp_path: Path) -> None:
    config = load_config(make_site(tmp_path, {"hugo.toml": DIRECTORIES_TOML}))
    assert config.hugo_config == tmp_path / "hugo.toml"


def test_load_config__hugo_yaml_keys_are_case_insensitive(tmp_path: Path) -> None:
    text = (
        "DefaultContentLanguage: fr\nLanguages:\n  fr:\n    ContentDir: content/fr\n"
        "  es:\n    contentdir: content/es\n"
    )
    config = load_config(make_site(tmp_path, {"hugo.yaml": text}))
    assert (config.targets, config.content_dirs["es"]) == (("es",), tmp_path / "content/es")


def test_load_config__hugo_yml(tmp_path: Path) -> None:
    text = "languages:\n  fr:\n    contentDir: content/fr\n  de:\n    contentDir: content/de\n"
    assert load_config(make_site(tmp_path, {"hugo.yml": text})).targets == ("de",)


def test_load_config__hugo_json(tmp_path: Path) -> None:
    text = '{"languages": {"fr": {"contentDir": "content/fr"}, "it": {"contentDir": "content/it"}}}'
    assert load_config(make_site(tmp_path, {"hugo.json": text})).targets == ("it",)


def test_load_config__legacy_config_toml(tmp_path: Path) -> None:
    config = load_config(make_site(tmp_path, {"config.toml": DIRECTORIES_TOML}))
    assert config.hugo_config == tmp_path / "config.toml"


def test_load_config__yaml_language_no_stays_norwegian(tmp_path: Path) -> None:
    text = "languages:\n  fr:\n    contentDir: content/fr\n  no:\n    contentDir: content/no\n"
    assert load_config(make_site(tmp_path, {"hugo.yaml": text})).targets == ("no",)


def test_load_config__config_default_languages_toml(tmp_path: Path) -> None:
    languages = '[fr]\ncontentDir = "content/fr"\n[en]\ncontentDir = "content/en"\n'
    root = make_site(
        tmp_path,
        {
            "config/_default/hugo.toml": 'defaultContentLanguage = "fr"\n',
            "config/_default/languages.toml": languages,
        },
    )
    config = load_config(root)
    assert (config.layout, config.targets) == ("directories", ("en",))


def test_load_config__config_default_languages_yaml(tmp_path: Path) -> None:
    languages = "fr:\n  contentDir: content/fr\nes:\n  contentDir: content/es\n"
    root = make_site(
        tmp_path,
        {"config/_default/config.toml": "", "config/_default/languages.yaml": languages},
    )
    assert load_config(root).content_dirs["es"] == tmp_path / "content/es"


def test_load_config__config_dir_merges_over_root_file(tmp_path: Path) -> None:
    # Hugo merges config/_default/ over the root file (config/allconfig/load.go).
    root = make_site(
        tmp_path,
        {
            "config/_default/hugo.toml": DIRECTORIES_TOML,
            "hugo.toml": 'defaultContentLanguage = "en"',
        },
    )
    config = load_config(root)
    assert (config.default_language, config.targets, config.hugo_config) == (
        "fr",
        ("en",),
        tmp_path / "hugo.toml",
    )


def test_load_config__default_content_language_is_never_the_source(tmp_path: Path) -> None:
    text = DIRECTORIES_TOML.replace(
        'defaultContentLanguage = "fr"', 'defaultContentLanguage = "en"'
    )
    config = load_config(make_site(tmp_path, {"hugo.toml": text}))
    assert (config.source_language, config.targets, config.default_language) == (
        "fr",
        ("en",),
        "en",
    )


def test_load_config__disabled_language_is_not_a_target(tmp_path: Path) -> None:
    text = DIRECTORIES_TOML + '[languages.de]\ncontentDir = "content/de"\ndisabled = true\n'
    assert load_config(make_site(tmp_path, {"hugo.toml": text})).targets == ("en",)


def test_load_config__disable_languages_is_not_a_target(tmp_path: Path) -> None:
    text = 'disableLanguages = ["de"]\n' + DIRECTORIES_TOML
    text += '[languages.de]\ncontentDir = "content/de"\n'
    assert load_config(make_site(tmp_path, {"hugo.toml": text})).targets == ("en",)


def test_load_config__suffix_layout(tmp_path: Path) -> None:
    text = "[languages.fr]\nweight = 1\n[languages.en]\nweight = 2\n"
    config = load_config(make_site(tmp_path, {"hugo.toml": text}))
    assert config.layout == "suffix"
    assert dict(config.content_dirs) == {"fr": tmp_path / "content", "en": tmp_path / "content"}


def test_load_config__suffix_layout_under_top_level_content_dir(tmp_path: Path) -> None:
    text = 'contentDir = "posts"\n[languages.fr]\nweight = 1\n[languages.en]\nweight = 2\n'
    config = load_config(make_site(tmp_path, {"hugo.toml": text}))
    assert config.content_dirs["fr"] == tmp_path / "posts"


def test_load_config__no_hugo_config_but_content_fr(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"translator.toml": "", "content/fr/post.md": "# Bonjour\n"})
    config = load_config(root)
    assert (config.layout, config.content_dirs["en"]) == ("directories", tmp_path / "content/en")


def test_load_config__no_hugo_config_nor_content_fr(tmp_path: Path) -> None:
    config = load_config(make_site(tmp_path, {"translator.toml": ""}))
    assert (config.layout, config.content_dirs["fr"]) == ("suffix", tmp_path / "content")


def test_load_config__hugo_without_languages_does_not_declare_the_source(
    tmp_path: Path,
) -> None:
    # Hugo's one language is then defaultContentLanguage, or en (config/allconfig/allconfig.go).
    error = config_error(make_site(tmp_path, {"hugo.toml": 'title = "Blog"\n'}))
    assert error.message == "the source language fr is not a language of this site (it declares en)"
    assert 'set source = "…" in translator.toml' in str(error)


def test_load_config__state_dir(tmp_path: Path) -> None:
    config = load_config(make_site(tmp_path, {"hugo.toml": DIRECTORIES_TOML}))
    assert config.state_dir == tmp_path / ".translator"


def test_load_config__relative_root_becomes_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_site(tmp_path, {"hugo.toml": DIRECTORIES_TOML})
    monkeypatch.chdir(tmp_path)
    assert load_config(Path()).root == tmp_path


# translator.toml: overrides and additions.


def test_load_config__translator_toml_overrides_targets(tmp_path: Path) -> None:
    hugo = DIRECTORIES_TOML + '[languages.pt-BR]\ncontentDir = "content/pt"\n'
    root = make_site(tmp_path, {"hugo.toml": hugo, "translator.toml": 'targets = ["pt-BR"]\n'})
    assert load_config(root).targets == ("pt-br",)


def test_load_config__undeclared_target_is_refused(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, 'targets = ["en", "es"]\n'))
    assert (
        error.message == "target es is not a language of the site, so Hugo will not build its pages"
    )


def test_load_config__translator_toml_overrides_source(tmp_path: Path) -> None:
    config = load_config(with_own(tmp_path, 'source = "en"\ntargets = ["fr"]\n'))
    assert (config.source_language, config.targets) == ("en", ("fr",))


def test_load_config__translator_toml_engine(tmp_path: Path) -> None:
    own = '[engine]\nname = "pseudo"\nbeam_size = 4\nthreads = 2\ncompute_type = "int8"\n'
    own += "batch_size = 8\nauto_install = false\n"
    assert load_config(with_own(tmp_path, own)).engine == EngineSettings(
        name="pseudo",
        beam_size=4,
        threads=2,
        compute_type="int8",
        batch_size=8,
        auto_install=False,
    )


def test_load_config__translator_toml_glossary(tmp_path: Path) -> None:
    own = '[glossary]\ndo_not_translate = ["Instagram", "TikTok"]\n'
    own += '[glossary.fixed.en]\n"community manager" = "community manager"\n'
    glossary = load_config(with_own(tmp_path, own)).glossary
    assert glossary.do_not_translate == ("Instagram", "TikTok")
    assert dict(glossary.fixed["en"]) == {"community manager": "community manager"}


def test_load_config__glossary_is_read_only(tmp_path: Path) -> None:
    own = '[glossary.fixed.en]\n"gestion" = "management"\n'
    glossary = load_config(with_own(tmp_path, own)).glossary
    with pytest.raises(TypeError):
        glossary.fixed["en"]["gestion"] = "x"  # type: ignore[index]


def test_load_config__translator_toml_review(tmp_path: Path) -> None:
    own = "[review]\ndraft_until_approved = false\npublish_on_approve = false\n"
    assert load_config(with_own(tmp_path, own)).review == ReviewPolicy(False, False)


def test_load_config__translator_toml_schedule(tmp_path: Path) -> None:
    assert load_config(with_own(tmp_path, 'schedule = "0 * * * *"\n')).schedule == "0 * * * *"


def test_load_config__translator_toml_dask(tmp_path: Path) -> None:
    own = '[dask]\naddress = "tcp://127.0.0.1:8786"\n'
    assert load_config(with_own(tmp_path, own)).dask_address == "tcp://127.0.0.1:8786"


def test_load_config__translator_toml_translatable_keys(tmp_path: Path) -> None:
    own = 'translatable_keys = ["title", "teaser"]\n'
    assert load_config(with_own(tmp_path, own)).translatable_keys == ("title", "teaser")


# The init template.


def test_init_template__parses_with_tomllib() -> None:
    assert set(tomllib.loads(INIT_TEMPLATE)) == {
        "engine",
        "glossary",
        "review",
        "limits",
        "shortcodes",
        "dask",
    }


def test_init_template__gives_the_defaults(tmp_path: Path) -> None:
    config = load_config(make_site(tmp_path, {"translator.toml": INIT_TEMPLATE}))
    expected = SiteConfig(
        root=tmp_path,
        source_language="fr",
        targets=("en",),
        layout="suffix",
        content_dirs=MappingProxyType({"fr": tmp_path / "content", "en": tmp_path / "content"}),
    )
    assert (config.source_language, config.targets, config.layout, config.content_dirs) == (
        expected.source_language,
        expected.targets,
        expected.layout,
        expected.content_dirs,
    )
    assert (config.engine, config.glossary, config.review) == (
        expected.engine,
        expected.glossary,
        expected.review,
    )


def test_init_template__defaults_spelled_out() -> None:
    config_defaults = (DEFAULT_SCHEDULE, DEFAULT_TRANSLATABLE_KEYS, EngineSettings())
    assert config_defaults == (
        "*/15 * * * *",
        ("title", "description", "summary", "subtitle", "linkTitle", "cover.alt", "cover.caption"),
        EngineSettings("argos", 2, 0, "default", 32, True),
    )


def test_write_init__writes_the_template(tmp_path: Path) -> None:
    path = write_init(tmp_path)
    assert (path, path.read_text(encoding="utf-8")) == (tmp_path / "translator.toml", INIT_TEMPLATE)


def test_write_init__refuses_to_overwrite(tmp_path: Path) -> None:
    make_site(tmp_path, {"translator.toml": 'targets = ["es"]\n'})
    with pytest.raises(ConfigError, match="already exists"):
        write_init(tmp_path)


def test_write_init__force_overwrites(tmp_path: Path) -> None:
    make_site(tmp_path, {"translator.toml": 'targets = ["es"]\n'})
    assert write_init(tmp_path, force=True).read_text(encoding="utf-8") == INIT_TEMPLATE


# Overrides from the CLI and the flow.


def test_with_overrides__targets(tmp_path: Path) -> None:
    hugo = DIRECTORIES_TOML + '[languages.es]\ncontentDir = "content/es"\n'
    config = load_config(make_site(tmp_path, {"hugo.toml": hugo}))
    overridden = config.with_overrides(targets=["es", " en "])
    assert (overridden.targets, overridden.content_dirs["es"]) == (
        ("es", "en"),
        tmp_path / "content/es",
    )


def test_with_overrides__engine(tmp_path: Path) -> None:
    config = load_config(make_site(tmp_path, {"hugo.toml": DIRECTORIES_TOML}))
    assert config.with_overrides(engine="pseudo").engine == EngineSettings(name="pseudo")


def test_with_overrides__nothing_changes_nothing(tmp_path: Path) -> None:
    config = load_config(make_site(tmp_path, {"hugo.toml": DIRECTORIES_TOML}))
    assert config.with_overrides() == config


def test_with_overrides__target_equal_to_source(tmp_path: Path) -> None:
    config = load_config(make_site(tmp_path, {"hugo.toml": DIRECTORIES_TOML}))
    with pytest.raises(ConfigError, match="is the source language"):
        config.with_overrides(targets=["fr"])


def test_engine_settings__as_mapping() -> None:
    assert dict(EngineSettings().as_mapping()) == {
        "beam_size": 2,
        "threads": 0,
        "compute_type": "default",
        "batch_size": 32,
        "auto_install": True,
    }


def test_glossary__defaults_are_empty() -> None:
    assert (Glossary().do_not_translate, dict(Glossary().fixed)) == ((), {})


# Validation: each a one-line ConfigError naming the file.


def test_load_config__unparseable_toml_names_file_and_line(tmp_path: Path) -> None:
    error = config_error(make_site(tmp_path, {"hugo.toml": 'title = "x"\nbroken = = 1\n'}))
    assert (error.path, error.line) == (str(tmp_path / "hugo.toml"), 2)


def test_load_config__unparseable_yaml_names_file_and_line(tmp_path: Path) -> None:
    error = config_error(make_site(tmp_path, {"hugo.yaml": "title: x\nlanguages: [fr\nen: 1\n"}))
    assert (error.path, error.line) == (str(tmp_path / "hugo.yaml"), 3)


def test_load_config__unparseable_json_names_file_and_line(tmp_path: Path) -> None:
    error = config_error(make_site(tmp_path, {"hugo.json": '{\n"title": \n}'}))
    assert (error.path, error.line) == (str(tmp_path / "hugo.json"), 3)


def test_load_config__unparseable_translator_toml(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, "targets = [\n"))
    assert error.path == str(tmp_path / "translator.toml")


def test_load_config__error_is_one_line(tmp_path: Path) -> None:
    error = config_error(make_site(tmp_path, {"hugo.yaml": "a: [1\nb: 2\n"}))
    assert "\n" not in str(error)


def test_load_config__hugo_config_not_a_mapping(tmp_path: Path) -> None:
    error = config_error(make_site(tmp_path, {"hugo.yaml": "- fr\n- en\n"}))
    assert str(error) == f"{tmp_path / 'hugo.yaml'}: is not a mapping of settings"


def test_load_config__unknown_key_suggests_the_closest(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, 'target = ["en"]\n'))
    assert str(error) == (
        f"{tmp_path / 'translator.toml'}:1: unknown setting target — did you mean targets?"
    )


def test_load_config__unknown_engine_key_suggests_the_closest(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, "[engine]\nbeam = 3\n"))
    assert (error.message, error.line, error.hint) == (
        "unknown setting engine.beam",
        2,
        "did you mean engine.beam_size?",
    )


def test_load_config__unknown_table(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, "[models]\npath = 'x'\n"))
    assert (error.message, error.line) == ("unknown setting models", 1)


def test_load_config__wrong_type(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, '[engine]\nbeam_size = "4"\n'))
    assert (error.path, error.line, error.message) == (
        str(tmp_path / "translator.toml"),
        2,
        "engine.beam_size must be an integer, not '4'",
    )


def test_load_config__bool_is_not_an_integer(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, "[engine]\nthreads = true\n"))
    assert error.message == "engine.threads must be an integer, not True"


def test_load_config__table_expected(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, 'engine = "argos"\n'))
    assert error.message == "engine must be a table, not 'argos'"


def test_load_config__list_of_strings_expected(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, "translatable_keys = ['title', 3]\n"))
    assert (error.message, error.line) == ("each of translatable_keys must be a string, not 3", 1)


def test_load_config__fixed_translation_must_be_a_string(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, "[glossary.fixed.en]\ngestion = 1\n"))
    assert error.message == "glossary.fixed.en.gestion must be a string, not 1"


def test_load_config__fixed_language_code_checked(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, '[glossary.fixed.English]\n"a" = "b"\n'))
    assert "is not a language code" in error.message


def test_load_config__target_equal_to_source(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, 'targets = ["en", "fr"]\n'))
    assert (error.path, error.message) == (
        str(tmp_path / "translator.toml"),
        "target fr is the source language",
    )


def test_load_config__empty_targets_fall_back_to_hugo(tmp_path: Path) -> None:
    assert load_config(with_own(tmp_path, "targets = []\n")).targets == ("en",)


def test_load_config__one_language_site_has_no_target(tmp_path: Path) -> None:
    hugo = "[languages.fr]\nweight = 1\n"
    error = config_error(make_site(tmp_path, {"hugo.toml": hugo}))
    assert (error.path, error.message) == (
        str(tmp_path / "hugo.toml"),
        "no target language: Hugo builds only fr",
    )


def test_load_config__bad_target_language_code(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, 'targets = ["English!"]\n'))
    assert (error.path, error.message) == (
        str(tmp_path / "translator.toml"),
        "'English!' is not a language code",
    )


def test_load_config__bad_source_language_code(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, 'source = "french"\n'))
    assert error.message == "'french' is not a language code"


def test_load_config__hugo_key_with_region_maps_to_its_engine_code(tmp_path: Path) -> None:
    text = DIRECTORIES_TOML + '[languages.en_US]\ncontentDir = "content/en_us"\n'
    config = load_config(make_site(tmp_path, {"hugo.toml": text}))
    assert (config.targets, config.engine_code("en_us")) == (("en", "en_us"), "en")


def test_load_config__hugo_languages_not_a_table(tmp_path: Path) -> None:
    error = config_error(make_site(tmp_path, {"hugo.toml": 'languages = ["fr", "en"]\n'}))
    assert (error.path, error.message) == (
        str(tmp_path / "hugo.toml"),
        "languages must be a table of languages",
    )


def test_load_config__hugo_content_dir_not_a_string(tmp_path: Path) -> None:
    error = config_error(make_site(tmp_path, {"hugo.toml": "[languages.fr]\ncontentDir = 1\n"}))
    assert error.message == "languages.fr.contentDir must be a string"


def test_load_config__compute_type_unknown(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, '[engine]\ncompute_type = "int4"\n'))
    assert (error.line, error.message) == (
        2,
        "engine.compute_type 'int4' is not a CTranslate2 compute type",
    )


def test_load_config__beam_size_below_one(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, "[engine]\nbeam_size = 0\n"))
    assert error.message == "engine.beam_size must be at least 1"


# Safety: content dirs stay inside the site.


def test_load_config__dotdot_content_dir_refused(tmp_path: Path) -> None:
    text = (
        '[languages.fr]\ncontentDir = "../elsewhere"\n[languages.en]\ncontentDir = "content/en"\n'
    )
    with pytest.raises(UnsafePathError, match="outside the site"):
        load_config(make_site(tmp_path, {"hugo.toml": text}))


def test_load_config__dotdot_inside_content_dir_refused(tmp_path: Path) -> None:
    text = '[languages.fr]\ncontentDir = "content/../content/fr"\n'
    with pytest.raises(UnsafePathError):
        load_config(make_site(tmp_path, {"hugo.toml": text}))


def test_load_config__absolute_content_dir_outside_refused(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    text = f'[languages.fr]\ncontentDir = "content/fr"\n[languages.en]\ncontentDir = "{outside}"\n'
    with pytest.raises(UnsafePathError):
        load_config(make_site(tmp_path, {"hugo.toml": text}))


def test_load_config__suffix_content_dir_outside_refused(tmp_path: Path) -> None:
    text = 'contentDir = "../posts"\n[languages.fr]\nweight = 1\n[languages.en]\nweight = 2\n'
    with pytest.raises(UnsafePathError):
        load_config(make_site(tmp_path, {"hugo.toml": text}))


def test_load_config__symlinked_content_dir_outside_refused(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = make_site(tmp_path, {"hugo.toml": DIRECTORIES_TOML, "content/fr/post.md": "x\n"})
    (root / "content/en").symlink_to(tmp_path_factory.mktemp("elsewhere"))
    with pytest.raises(UnsafePathError) as caught:
        load_config(root)
    assert caught.value.path == str(tmp_path / "hugo.toml")


def test_load_config__symlinked_content_dir_inside_accepted(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"hugo.toml": DIRECTORIES_TOML, "english/post.md": "x\n"})
    (root / "content").mkdir()
    (root / "content/en").symlink_to(root / "english")
    assert load_config(root).content_dirs["en"] == tmp_path / "content/en"


# Finding the site root.


def test_find_site_root__from_a_nested_post(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"hugo.toml": "", "content/fr/a/b/post.md": "x\n"})
    assert find_site_root(root / "content/fr/a/b/post.md") == root


def test_find_site_root__from_a_nested_folder(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"hugo.yaml": "", "content/fr/a/post.md": "x\n"})
    assert find_site_root(root / "content/fr/a") == root


def test_find_site_root__config_default_directory(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"config/_default/hugo.json": "{}", "content/fr/post.md": "x\n"})
    assert find_site_root(root / "content/fr/post.md") == root


def test_find_site_root__translator_toml_only(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"translator.toml": "", "content/fr/post.md": "x\n"})
    assert find_site_root(root / "content/fr") == root


def test_find_site_root__config_dir_without_hugo_file_is_not_a_site(tmp_path: Path) -> None:
    make_site(tmp_path, {"site/config/_default/params.toml": ""})
    with pytest.raises(ConfigError):
        find_site_root(tmp_path / "site")


def test_find_site_root__none_found(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        find_site_root(tmp_path)
    assert "translator init" in (caught.value.hint or "")


# [shortcodes]: prose arguments and Markdown bodies of a site's own shortcodes.


def test_load_config__shortcodes_added_to_hugo_builtins(tmp_path: Path) -> None:
    own = '[shortcodes.notice]\nparams = ["title", 1]\ninner = "markdown"\n'
    rules = load_config(with_own(tmp_path, own)).shortcodes
    assert (rules["notice"], rules["figure"]) == (
        ShortcodeRule(("title", 1), markdown_inner=True),
        DEFAULT_SHORTCODES["figure"],
    )


def test_load_config__shortcode_name_with_a_slash(tmp_path: Path) -> None:
    own = '[shortcodes."blocks/feature"]\nparams = ["title"]\n'
    assert load_config(with_own(tmp_path, own)).shortcodes["blocks/feature"].params == ("title",)


def test_load_config__shortcode_param_neither_name_nor_position(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, "[shortcodes.notice]\nparams = [true]\n"))
    assert (error.message, error.line) == (
        "shortcodes.notice.params: True is neither a name nor a position",
        2,
    )


def test_load_config__shortcode_inner_is_markdown_or_raw(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, '[shortcodes.notice]\ninner = "html"\n'))
    assert (error.message, error.line) == ('shortcodes.notice.inner must be "markdown" or "raw"', 2)


def test_load_config__unknown_shortcode_setting(tmp_path: Path) -> None:
    error = config_error(with_own(tmp_path, "[shortcodes.notice]\nparam = ['title']\n"))
    assert (error.message, error.line) == ("unknown setting shortcodes.notice.param", 2)
