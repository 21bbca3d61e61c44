"""Site configuration: Hugo's config plus translator.toml, defaults and one-line errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from translator.config import INIT_TEMPLATE, find_site_root, load_config, write_init
from translator.errors import ConfigError, UnsafePathError

DIRECTORIES = (
    '[languages.fr]\ncontentDir = "content/fr"\n[languages.en]\ncontentDir = "content/en"\n'
)


def site(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_load_config__directories_from_hugo_toml(tmp_path: Path) -> None:
    config = load_config(
        site(tmp_path, {"hugo.toml": 'defaultContentLanguage = "fr"\n' + DIRECTORIES})
    )
    assert (config.source_language, config.targets, config.layout) == ("fr", ("en",), "directories")
    assert config.content_dirs["en"] == tmp_path / "content/en"


def test_load_config__hugo_yaml_keys_are_case_insensitive(tmp_path: Path) -> None:
    yaml_config = "DefaultContentLanguage: fr\nlanguages:\n  fr:\n    ContentDir: content/fr\n  es:\n    contentdir: content/es\n"
    config = load_config(site(tmp_path, {"hugo.yaml": yaml_config}))
    assert config.targets == ("es",)
    assert config.content_dirs["es"] == tmp_path / "content/es"


def test_load_config__config_default_directory(tmp_path: Path) -> None:
    root = site(
        tmp_path,
        {
            "config/_default/hugo.toml": 'title = "x"\n',
            "config/_default/languages.toml": DIRECTORIES.replace("languages.", ""),
        },
    )
    assert load_config(root).layout == "directories"


def test_load_config__suffix_layout(tmp_path: Path) -> None:
    config = load_config(
        site(tmp_path, {"hugo.toml": "[languages.fr]\nweight = 1\n[languages.en]\nweight = 2\n"})
    )
    assert config.layout == "suffix"
    assert config.content_dirs["fr"] == config.content_dirs["en"] == tmp_path / "content"


def test_load_config__defaults_without_hugo_config(tmp_path: Path) -> None:
    (tmp_path / "content/fr").mkdir(parents=True)
    config = load_config(site(tmp_path, {"translator.toml": ""}))
    assert (config.source_language, config.targets, config.layout) == ("fr", ("en",), "directories")
    assert config.engine.name == "argos" and config.review.draft_until_approved


def test_load_config__translator_toml_overrides(tmp_path: Path) -> None:
    own = 'targets = ["en", "es"]\n[engine]\nname = "pseudo"\nbeam_size = 4\n[review]\npublish_on_approve = false\n[glossary]\ndo_not_translate = ["Hugo"]\n[glossary.fixed.en]\n"gestion" = "management"\n'
    config = load_config(site(tmp_path, {"hugo.toml": DIRECTORIES, "translator.toml": own}))
    assert config.targets == ("en", "es")
    assert (config.engine.name, config.engine.beam_size) == ("pseudo", 4)
    assert config.review.publish_on_approve is False
    assert config.glossary.do_not_translate == ("Hugo",)
    assert config.glossary.fixed["en"]["gestion"] == "management"
    assert config.content_dirs["es"] == tmp_path / "content/es"


def test_init_template__parses_and_gives_the_defaults(tmp_path: Path) -> None:
    tomllib.loads(INIT_TEMPLATE)
    write_init(site(tmp_path, {"hugo.toml": DIRECTORIES}))
    config = load_config(tmp_path)
    assert config.engine == type(config.engine)()
    assert config.schedule == "*/15 * * * *"


def test_init__refuses_to_overwrite(tmp_path: Path) -> None:
    write_init(tmp_path)
    with pytest.raises(ConfigError, match="already exists"):
        write_init(tmp_path)


def test_load_config__unknown_key_suggests_the_closest(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(
            site(tmp_path, {"hugo.toml": DIRECTORIES, "translator.toml": "[engine]\nbeam = 3\n"})
        )
    assert "translator.toml: unknown setting engine.beam — did you mean engine.beam_size?" in str(
        error.value
    )


def test_load_config__wrong_type(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="beam_size must be a int"):
        load_config(
            site(
                tmp_path,
                {"hugo.toml": DIRECTORIES, "translator.toml": '[engine]\nbeam_size = "4"\n'},
            )
        )


def test_load_config__unparseable_names_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(site(tmp_path, {"hugo.toml": 'title = "x"\nbroken = = 1\n'}))
    assert error.value.path == str(tmp_path / "hugo.toml") and error.value.line == 2


def test_load_config__target_equal_to_source(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is the source language"):
        load_config(
            site(tmp_path, {"hugo.toml": DIRECTORIES, "translator.toml": 'targets = ["fr"]\n'})
        )


def test_load_config__bad_language_code(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a language code"):
        load_config(
            site(
                tmp_path, {"hugo.toml": DIRECTORIES, "translator.toml": 'targets = ["English!"]\n'}
            )
        )


def test_load_config__dotdot_content_dir(tmp_path: Path) -> None:
    with pytest.raises(UnsafePathError, match="outside the site"):
        load_config(
            site(
                tmp_path,
                {
                    "hugo.toml": '[languages.fr]\ncontentDir = "../x"\n[languages.en]\ncontentDir = "content/en"\n'
                },
            )
        )


def test_load_config__symlinked_content_dir_outside(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = site(tmp_path, {"hugo.toml": DIRECTORIES})
    (root / "content").mkdir()
    (root / "content/en").symlink_to(tmp_path_factory.mktemp("elsewhere"))
    with pytest.raises(UnsafePathError):
        load_config(root)


def test_find_site_root__from_a_nested_post(tmp_path: Path) -> None:
    root = site(tmp_path, {"hugo.toml": DIRECTORIES, "content/fr/a/b/post.md": "x"})
    assert find_site_root(root / "content/fr/a/b/post.md") == root


def test_find_site_root__none(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no Hugo site"):
        find_site_root(tmp_path)
