"""Hugo's rules translator follows on a site as it is, through the real command (issue 10):
environments, content adapters, and `approve` on a human copy.

Each site is built in the test. Hugo's own source is the reference for each rule
(cited in translator.hugo.config and translator.hugo.site).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sites import HUMAN_EN, POST, Site, hugo_site

HUGO = """\
defaultContentLanguage = "fr"
[languages.fr]
contentDir = "content/fr"
weight = 1
[languages.en]
contentDir = "content/en"
weight = 2
"""
STAGING = '[languages.es]\ncontentDir = "content/es"\nweight = 3\n'
"""config/staging/ declares one more language: its copies show which environment was read."""


@pytest.fixture
def environments(tmp_path: Path) -> Site:
    """config/_default/ with fr and en; config/staging/ adds es."""
    return hugo_site(
        tmp_path,
        HUGO,
        {"config/staging/hugo.toml": STAGING, "content/fr/post.md": POST},
    )


def _languages_written(site: Site, *args: str, env: dict[str, str] | None = None) -> list[str]:
    result = site.translator(*args, "run", "--json", "--engine", "pseudo", env=env)
    assert result.code == 0, result.stderr
    return sorted(copy["language"] for copy in result.json()["copies"])


# -- environments: config/<env>/ as `hugo` reads it ----------------------------------------------


def test_environment__production_by_default(environments: Site) -> None:
    assert _languages_written(environments, env={"HUGO_ENVIRONMENT": "", "HUGO_ENV": ""}) == ["en"]


def test_environment__flag_reads_its_config_dir(environments: Site) -> None:
    assert _languages_written(environments, "--environment", "staging") == ["en", "es"]


def test_environment__short_flag(environments: Site) -> None:
    assert _languages_written(environments, "-e", "staging") == ["en", "es"]


def test_environment__hugo_environment_variable(environments: Site) -> None:
    assert _languages_written(environments, env={"HUGO_ENVIRONMENT": "staging"}) == ["en", "es"]


def test_environment__hugo_env_variable(environments: Site) -> None:
    written = _languages_written(environments, env={"HUGO_ENVIRONMENT": "", "HUGO_ENV": "staging"})
    assert written == ["en", "es"]


def test_environment__hugo_environment_wins_over_hugo_env(environments: Site) -> None:
    env = {"HUGO_ENVIRONMENT": "production", "HUGO_ENV": "staging"}
    assert _languages_written(environments, env=env) == ["en"]


def test_environment__flag_wins_over_the_variable(environments: Site) -> None:
    env = {"HUGO_ENVIRONMENT": "staging"}
    assert _languages_written(environments, "-e", "production", env=env) == ["en"]


def test_environment__status_reads_the_same_config(environments: Site) -> None:
    environments.translator("-e", "staging", "run", "--engine", "pseudo")
    rows = environments.translator("-e", "staging", "status", "--json").json()
    assert sorted(r["language"] for r in rows if r["state"] == "machine") == ["en", "es"]


def test_environment__a_path_is_not_an_environment(environments: Site) -> None:
    result = environments.translator("-e", "../elsewhere", "run", "--engine", "pseudo")
    assert result.code == 3
    assert "'../elsewhere' is not a Hugo environment name" in result.stderr


# -- content adapters: reported once, never translated -------------------------------------------

ADAPTER = '{{ $.AddPage (dict "path" "genere" "title" "Une page générée") }}\n'
ADAPTER_REASON = "a content adapter (_content.gotmpl): the pages it generates are not translated"


@pytest.fixture
def adapters(tmp_path: Path) -> Site:
    return hugo_site(
        tmp_path,
        HUGO,
        {"content/fr/post.md": POST, "content/fr/livres/_content.gotmpl": ADAPTER},
    )


def test_content_adapter__reported_once_as_skipped(adapters: Site) -> None:
    summary = adapters.run_json()
    assert summary["skipped"] == [
        {"path": "content/fr/livres/_content.gotmpl", "reason": ADAPTER_REASON}
    ]


def test_content_adapter__reported_once_with_two_targets(adapters: Site) -> None:
    adapters.write("hugo.toml", HUGO + STAGING)
    summary = adapters.run_json()
    assert [s["path"] for s in summary["skipped"]] == ["content/fr/livres/_content.gotmpl"]


def test_content_adapter__never_copied(adapters: Site) -> None:
    adapters.run_json()
    assert not (adapters.root / "content/en/livres").exists()


def test_content_adapter__the_run_still_succeeds(adapters: Site) -> None:
    result = adapters.translator("run", "--engine", "pseudo")
    assert result.code == 0, result.stderr
    assert f"skipped content/fr/livres/_content.gotmpl — {ADAPTER_REASON}" in result.stderr


def test_content_adapter__status_lists_it_as_skipped(adapters: Site) -> None:
    rows = adapters.translator("status", "--json").json()
    row = next(r for r in rows if r["source"] == "content/fr/livres/_content.gotmpl")
    assert (row["state"], row["detail"]) == (
        "skipped",
        "content adapter: the pages it generates are not translated",
    )


def test_content_adapter__of_the_target_language_is_not_unpaired(adapters: Site) -> None:
    adapters.write("content/en/books/_content.gotmpl", ADAPTER)
    rows = adapters.translator("status", "--json").json()
    assert [r for r in rows if r["target"] == "content/en/books/_content.gotmpl"] == []


# -- approve on a human copy ---------------------------------------------------------------------


@pytest.fixture
def human(tmp_path: Path) -> Site:
    return hugo_site(tmp_path, HUGO, {"content/fr/post.md": POST, "content/en/post.md": HUMAN_EN})


def test_approve_human_copy__says_it_is_a_human_copy(human: Site) -> None:
    result = human.translator("approve", "content/en/post.md")
    assert result.code == 3
    assert "content/en/post.md is a human copy: translator did not write it" in result.stderr
    assert "approving it is the site's own business" in result.stderr


def test_approve_human_copy__says_how_to_take_it_over(human: Site) -> None:
    result = human.translator("approve", "content/en/post.md")
    assert "`translator adopt content/en/post.md`" in result.stderr
    assert "move the file away and run `translator run`" in result.stderr


def test_approve_human_copy__by_its_source(human: Site) -> None:
    result = human.translator("approve", "content/fr/post.md")
    assert "content/en/post.md is a human copy" in result.stderr


def test_approve_human_copy__leaves_it_byte_identical(human: Site) -> None:
    human.translator("approve", "content/en/post.md")
    assert human.read("content/en/post.md") == HUMAN_EN


def test_approve__a_page_nobody_translated_still_says_no_copy(human: Site) -> None:
    human.write("content/fr/autre.md", POST)
    result = human.translator("approve", "content/fr/autre.md")
    assert "no copy written by translator for this path" in result.stderr
