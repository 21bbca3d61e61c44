"""Real Hugo sites as they are (issue 10): each case is the real CLI on a small site built here.

Languages are resolved as Hugo resolves them, pages are paired as Hugo pairs
them, human translations are left alone or adopted, nothing is overwritten.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sites import HUMAN_EN, HUMAN_EN_OTHER_SHAPE, POST, Site, hugo_site

from translator.engines.pseudo import pseudo_localize
from translator.markdown.document import read_values

SUFFIX_NO_DEFAULT = "[languages.fr]\nweight = 1\n[languages.en]\nweight = 2\n"
SUFFIX_FRENCH_DEFAULT = 'defaultContentLanguage = "fr"\n' + SUFFIX_NO_DEFAULT
DIRECTORIES = (
    '[languages.fr]\ncontentDir = "content/fr"\nweight = 1\n'
    '[languages.en]\ncontentDir = "content/en"\nweight = 2\n'
)
ENGLISH_FIRST = 'defaultContentLanguage = "en"\n' + DIRECTORIES.replace("weight = 1", "weight = 3")


def run(site: Site, *args: str) -> tuple[int, dict[str, object], str]:
    result = site.translator("run", "--json", "--engine", "pseudo", *args)
    return result.code, result.json() if result.stdout else {}, result.stderr


def statuses(site: Site, *args: str) -> dict[tuple[str, str, str], str]:
    result = site.translator("status", "--json", *args)
    # 1: some copy needs attention (an error, a conflict); the rows say which.
    blocking = any(row["blocking"] for row in result.json())
    assert result.code == (1 if blocking else 0), result.stderr
    return {(r["source"], r["language"], r["target"]): r["state"] for r in result.json()}


# 1. Two sources, one target: never a silent overwrite.


def test_no_default_language__unsuffixed_index_is_the_english_page(tmp_path: Path) -> None:
    # Hugo: defaultContentLanguage unset -> en (langs/config.go); index.md is English.
    site = hugo_site(
        tmp_path,
        SUFFIX_NO_DEFAULT,
        {"content/post/index.fr.md": POST, "content/post/index.md": HUMAN_EN},
    )
    code, summary, _ = run(site)
    assert (code, summary["human_copies"], summary["translated_posts"]) == (0, 1, 0)
    assert site.read("content/post/index.md") == HUMAN_EN
    assert not (tmp_path / "content/post/index.en.md").exists()


def test_index_and_fr_index_on_french_default_site__collision_is_an_error(tmp_path: Path) -> None:
    site = hugo_site(
        tmp_path,
        SUFFIX_FRENCH_DEFAULT,
        {
            "content/section/_index.md": POST,
            "content/section/_index.fr.md": POST.replace("Premier", "Autre premier"),
            "content/post.fr.md": POST,
        },
    )
    code, summary, _ = run(site)
    reasons = {e["path"]: e["reason"] for e in summary["errors"]}  # type: ignore[attr-defined]
    assert code == 1
    assert set(reasons) == {"content/section/_index.md", "content/section/_index.fr.md"}
    assert "two fr sources for one target" in reasons["content/section/_index.md"]
    assert 'defaultContentLanguage = "fr"' in reasons["content/section/_index.md"]
    assert "ends in .fr.md" in reasons["content/section/_index.md"]
    assert not (tmp_path / "content/section/_index.en.md").exists()
    assert (tmp_path / "content/post.en.md").exists()


def test_collision__status_reports_the_error_not_an_edited_copy(tmp_path: Path) -> None:
    site = hugo_site(
        tmp_path,
        SUFFIX_FRENCH_DEFAULT,
        {"content/section/_index.md": POST, "content/section/_index.fr.md": POST},
    )
    run(site)
    states = statuses(site)
    assert states[("content/section/_index.md", "", "")] == "error"
    assert states[("content/section/_index.fr.md", "", "")] == "error"


# 2. Existing human translations: left alone, not an error, adoptable, excludable.


@pytest.fixture
def human(tmp_path: Path) -> Site:
    return hugo_site(
        tmp_path,
        SUFFIX_FRENCH_DEFAULT,
        {"content/post.fr.md": POST, "content/post.en.md": HUMAN_EN},
    )


def test_human_copy__run_exits_0_and_never_touches_it(human: Site) -> None:
    code, summary, _ = run(human)
    copies = summary["copies"]
    assert code == 0
    assert copies == [
        {
            "source": "content/post.fr.md",
            "target": "content/post.en.md",
            "language": "en",
            "action": "skipped",
            "status": "human",
            "reason": "a translation translator did not write: left alone",
            "restored": 0,
        }
    ]
    assert human.read("content/post.en.md") == HUMAN_EN


def test_human_copy__second_run_exits_0_too(human: Site) -> None:
    run(human)
    code, _, _ = run(human)
    assert code == 0


def test_human_copy__status_says_human(human: Site) -> None:
    states = statuses(human)
    assert states[("content/post.fr.md", "en", "content/post.en.md")] == "human"


def test_human_copy__not_on_the_review_page(human: Site) -> None:
    run(human)
    result = human.translator("review", "-o", "review.html")
    assert result.code == 0, result.stderr
    assert "content/post.en.md" not in human.read("review.html")


def test_exclude__globs_keep_posts_out_of_translation(human: Site) -> None:
    human.write("content/drafts/brouillon.fr.md", POST)
    human.write("translator.toml", 'exclude = ["content/drafts/*"]\n')
    code, summary, _ = run(human)
    assert (code, summary["excluded"]) == (0, ["content/drafts/brouillon.fr.md"])
    assert not (human.root / "content/drafts/brouillon.en.md").exists()


def test_exclude__status_lists_excluded_posts(human: Site) -> None:
    human.write("content/drafts/brouillon.fr.md", POST)
    human.write("translator.toml", 'exclude = ["content/drafts/*"]\n')
    states = statuses(human)
    assert states[("content/drafts/brouillon.fr.md", "en", "")] == "excluded"


# Adopting human copies.


def test_adopt__matching_structure_enters_each_segment(human: Site) -> None:
    result = human.translator("adopt")
    assert result.code == 0, result.stderr
    assert "adopted content/post.en.md (en): 5 segments" in result.stderr


def test_adopt__status_says_adopted(human: Site) -> None:
    human.translator("adopt")
    result = human.translator("status", "--json")
    (row,) = [r for r in result.json() if r["target"] == "content/post.en.md"]
    assert (row["state"], row["detail"]) == ("human", "adopted: 5 segments in the memory")


def test_adopt__other_structure_is_recorded_without_segments(tmp_path: Path) -> None:
    site = hugo_site(
        tmp_path,
        SUFFIX_FRENCH_DEFAULT,
        {"content/post.fr.md": POST, "content/post.en.md": HUMAN_EN_OTHER_SHAPE},
    )
    result = site.translator("adopt")
    assert result.code == 0, result.stderr
    assert "structure differs" in result.stderr
    assert "recorded without segments" in result.stderr


def test_adopt__human_text_reused_for_the_same_french_elsewhere(human: Site) -> None:
    human.translator("adopt")
    human.write("content/autre.fr.md", "---\ntitle: Autre\n---\n\nTroisième paragraphe.\n")
    code, _, _ = run(human)
    copy = human.read("content/autre.en.md")
    assert code == 0
    assert "\nThird paragraph.\n" in copy
    assert pseudo_localize("Autre") in copy


def test_adopt__human_text_kept_when_translator_takes_the_copy_over(human: Site) -> None:
    human.translator("adopt")
    (human.root / "content/post.en.md").unlink()
    code, _, _ = run(human)
    copy = human.read("content/post.en.md")
    assert code == 0
    assert "First paragraph with a [link](https://example.com" in copy
    assert read_values(copy)["translation"]["status"] == "reviewed"


def test_adopt__leaves_the_copy_byte_identical(human: Site) -> None:
    human.translator("adopt")
    assert human.read("content/post.en.md") == HUMAN_EN


def test_adopt__path_without_human_copy_is_an_error(human: Site) -> None:
    human.write("content/seul.fr.md", POST)
    result = human.translator("adopt", "content/seul.fr.md")
    assert result.code == 1
    assert "no human copy here" in result.stderr


# 3. translationKey pairs pages under other names.


def test_translation_key__pairs_pages_under_other_slugs(tmp_path: Path) -> None:
    french = POST.replace("draft: false", "translationKey: projets\ndraft: false")
    english = HUMAN_EN.replace("draft: false", "translationKey: projets\ndraft: false")
    site = hugo_site(
        tmp_path,
        DIRECTORIES,
        {
            "content/fr/blog/choisir-nos-projets.md": french,
            "content/en/blog/picking-our-projects.md": english,
        },
    )
    code, summary, _ = run(site)
    assert (code, summary["human_copies"], summary["translated_posts"]) == (0, 1, 0)
    assert not (tmp_path / "content/en/blog/choisir-nos-projets.md").exists()


def test_translation_key__status_names_the_paired_page(tmp_path: Path) -> None:
    french = POST.replace("draft: false", "translationKey: projets\ndraft: false")
    english = HUMAN_EN.replace("draft: false", "translationKey: projets\ndraft: false")
    site = hugo_site(
        tmp_path,
        DIRECTORIES,
        {
            "content/fr/blog/choisir-nos-projets.md": french,
            "content/en/blog/picking-our-projects.md": english,
        },
    )
    states = statuses(site)
    key = (
        "content/fr/blog/choisir-nos-projets.md",
        "en",
        "content/en/blog/picking-our-projects.md",
    )
    assert states[key] == "human"


def test_translation_key__two_sources_with_one_key_collide(tmp_path: Path) -> None:
    french = POST.replace("draft: false", "translationKey: projets\ndraft: false")
    site = hugo_site(tmp_path, DIRECTORIES, {"content/fr/a.md": french, "content/fr/b.md": french})
    code, summary, _ = run(site)
    (first, _second) = summary["errors"]  # type: ignore[misc]
    assert code == 1
    assert "translationKey 'projets'" in first["reason"]
    assert not (tmp_path / "content/en").exists()


def test_path_pairing__bundle_and_single_page_are_one_page(tmp_path: Path) -> None:
    # Hugo's path of post/index.md and post.en.md is /post for both.
    site = hugo_site(
        tmp_path,
        SUFFIX_FRENCH_DEFAULT,
        {"content/post/index.fr.md": POST, "content/post.en.md": HUMAN_EN},
    )
    code, summary, _ = run(site)
    assert (code, summary["human_copies"]) == (0, 1)
    assert not (tmp_path / "content/post/index.en.md").exists()


# 4. Languages read, never guessed.


def test_no_default_language__unsuffixed_page_is_not_a_french_source(tmp_path: Path) -> None:
    site = hugo_site(tmp_path, SUFFIX_NO_DEFAULT, {"content/about.md": HUMAN_EN})
    code, summary, _ = run(site)
    assert (code, summary["posts"]) == (0, 0)
    assert not (tmp_path / "content/about.en.md").exists()


def test_no_default_language__status_lists_the_english_page(tmp_path: Path) -> None:
    site = hugo_site(tmp_path, SUFFIX_NO_DEFAULT, {"content/about.md": HUMAN_EN})
    assert statuses(site)[("", "en", "content/about.md")] == "unpaired"


def test_english_first_site__translates_french_into_english(tmp_path: Path) -> None:
    site = hugo_site(
        tmp_path,
        ENGLISH_FIRST,
        {
            "content/en/old.md": HUMAN_EN,
            "content/fr/old.md": POST,
            "content/fr/new.md": POST,
        },
    )
    code, summary, _ = run(site)
    assert (code, summary["translated_posts"], summary["human_copies"]) == (0, 1, 1)
    assert (tmp_path / "content/en/new.md").exists()
    assert sorted(p.name for p in (tmp_path / "content/fr").iterdir()) == ["new.md", "old.md"]


def test_site_not_declaring_the_source__says_what_to_set(tmp_path: Path) -> None:
    site = hugo_site(tmp_path, "[languages.en]\n[languages.de]\n", {"content/post.md": HUMAN_EN})
    result = site.translator("run", "--engine", "pseudo")
    assert result.code == 3
    assert "the source language fr is not a language of this site (it declares de, en)" in (
        result.stderr
    )
    assert 'set source = "…" in translator.toml' in result.stderr
    assert "or declare [languages.fr] in the Hugo config" in result.stderr


def test_from_option__names_the_source(tmp_path: Path) -> None:
    site = hugo_site(tmp_path, "[languages.en]\n[languages.de]\n", {"content/post.md": HUMAN_EN})
    code, summary, _ = run(site, "--from", "en")
    assert (code, summary["translated_posts"]) == (0, 1)
    assert (tmp_path / "content/post.de.md").exists()


# 5. Hugo language keys are not engine codes.


def test_region_keys__argos_gets_plain_codes(tmp_path: Path, argos_home: Path) -> None:
    hugo = (
        '[languages.fr-fr]\ncontentDir = "content/fr"\n[languages.en-us]\ncontentDir = '
        '"content/en"\n'
    )
    site = hugo_site(tmp_path, hugo, {"content/fr/post.md": "Bonjour le monde.\n"})
    site.write("translator.toml", 'source = "fr-FR"\n[engine]\nauto_install = false\n')
    result = site.translator("run", "--json")
    assert result.code == 0, result.stderr
    assert "BONJOUR LE MONDE." in site.read("content/en/post.md")


def test_region_keys__fr_names_the_sites_only_french_without_settings(tmp_path: Path) -> None:
    # Phala's wiki as published: [Languages.fr-fr], unsuffixed pages in en-us, no translator.toml.
    hugo = (
        'defaultContentLanguage = "en-us"\n[Languages.en-us]\nweight = 1\n'
        "[Languages.fr-fr]\nweight = 2\n"
    )
    site = hugo_site(
        tmp_path,
        hugo,
        {"content/guide.fr-fr.md": POST, "content/other.fr-fr.md": POST,
         "content/other.md": HUMAN_EN},
    )  # fmt: skip
    code, summary, stderr = run(site)
    assert code == 0, stderr
    assert (summary["translated_posts"], summary["human_copies"]) == (1, 1)
    assert pseudo_localize("Troisième paragraphe.") in site.read("content/guide.en-us.md")
    assert site.read("content/other.md") == HUMAN_EN


def test_config_dir__a_params_file_hugo_accepts_is_never_read(tmp_path: Path) -> None:
    # A tab before a comment: Go's YAML reads it, PyYAML does not; translator needs no params.
    site = hugo_site(tmp_path, DIRECTORIES, {"content/fr/post.md": POST})
    site.write("config/_default/params.en.yaml", 'label: "Participants:"\t# a comment\n')
    code, summary, stderr = run(site)
    assert (code, summary["translated_posts"]) == (0, 1), stderr


def test_module_mounts_with_lang__are_the_languages_content_folders(tmp_path: Path) -> None:
    # regisphilibert.com: no contentDir, languages come from module mounts (hugolib/filesystems).
    hugo = (
        'defaultContentLanguage = "en"\n[languages.en]\nweight = 1\n[languages.fr]\nweight = 2\n'
        '[[module.mounts]]\nsource = "content/en"\ntarget = "content"\nlang = "en"\n'
        '[[module.mounts]]\nsource = "content/fr"\ntarget = "content"\nlang = "fr"\n'
        '[[module.mounts]]\nsource = "uploads"\ntarget = "content/uploads"\nlang = "en"\n'
    )
    site = hugo_site(
        tmp_path,
        hugo,
        {"content/fr/note.md": POST, "content/fr/about.md": POST,
         "content/en/about.md": HUMAN_EN},
    )  # fmt: skip
    code, summary, stderr = run(site)
    assert code == 0, stderr
    assert (summary["translated_posts"], summary["human_copies"]) == (1, 1)
    assert pseudo_localize("Troisième paragraphe.") in site.read("content/en/note.md")
    assert site.read("content/en/about.md") == HUMAN_EN


def test_region_keys__missing_model_hint_names_installable_codes(
    tmp_path: Path, argos_home: Path
) -> None:
    hugo = '[languages.fr-fr]\ncontentDir = "content/fr"\n[languages.de-de]\ncontentDir = "content/de"\n'
    site = hugo_site(tmp_path, hugo, {"content/fr/post.md": "Bonjour.\n"})
    site.write("translator.toml", 'source = "fr-fr"\n[engine]\nauto_install = false\n')
    result = site.translator("run")
    assert result.code == 3
    assert "translator models install fr de" in result.stderr
    assert "fr-fr" not in result.stderr.split("—", 1)[1]


def test_engine_code_override__for_keys_that_are_not_codes(
    tmp_path: Path, argos_home: Path
) -> None:
    hugo = (
        '[languages.fr]\ncontentDir = "content/fr"\n[languages.english]\ncontentDir = '
        '"content/en"\n'
    )
    own = "[engine]\nauto_install = false\n"
    site = hugo_site(tmp_path, hugo, {"content/fr/post.md": "Salut.\n"})
    site.write("translator.toml", own + '[languages.english]\nengine_code = "en"\n')
    result = site.translator("run", "--json")
    assert result.code == 0, result.stderr
    assert "SALUT." in site.read("content/en/post.md")


# 6. Languages Hugo will not build get no copies.


def test_disable_languages__refused_naming_the_setting(tmp_path: Path) -> None:
    site = hugo_site(
        tmp_path,
        'disableLanguages = ["en"]\n' + DIRECTORIES,
        {"content/fr/post.md": POST},
    )
    result = site.translator("run", "--engine", "pseudo")
    assert result.code == 3
    assert "no target language: Hugo builds only fr; en (disabled by disableLanguages)" in (
        result.stderr
    )
    assert not (tmp_path / "content/en").exists()


def test_language_disabled_flag__refused_naming_the_setting(tmp_path: Path) -> None:
    hugo = DIRECTORIES.replace("weight = 2", "weight = 2\ndisabled = true")
    site = hugo_site(tmp_path, hugo, {"content/fr/post.md": POST})
    result = site.translator("run", "--engine", "pseudo")
    assert result.code == 3
    assert "en (disabled by languages.en.disabled)" in result.stderr


def test_commented_out_language__no_target(tmp_path: Path) -> None:
    hugo = '[languages.fr]\ncontentDir = "content/fr"\n# [languages.en]\n'
    site = hugo_site(tmp_path, hugo, {"content/fr/post.md": POST})
    result = site.translator("run", "--engine", "pseudo")
    assert result.code == 3
    assert "no target language: Hugo builds only fr" in result.stderr


def test_to_disabled_language__refused_naming_the_setting(tmp_path: Path) -> None:
    hugo = (
        'disableLanguages = ["de"]\n' + DIRECTORIES + '[languages.de]\ncontentDir = "content/de"\n'
    )
    site = hugo_site(tmp_path, hugo, {"content/fr/post.md": POST})
    result = site.translator("run", "--engine", "pseudo", "--to", "de")
    assert result.code == 3
    assert "--to de: de is disabled by disableLanguages" in result.stderr
    assert not (tmp_path / "content/de").exists()


def test_to_undeclared_language__refused(tmp_path: Path) -> None:
    site = hugo_site(tmp_path, DIRECTORIES, {"content/fr/post.md": POST})
    result = site.translator("run", "--engine", "pseudo", "--to", "de")
    assert result.code == 3
    assert "--to de: de is not a language of this site" in result.stderr
    assert "allow_unbuilt_targets" in result.stderr


def test_to_undeclared_language_when_allowed__status_lists_it(tmp_path: Path) -> None:
    site = hugo_site(tmp_path, DIRECTORIES, {"content/fr/post.md": POST})
    site.write("translator.toml", "allow_unbuilt_targets = true\n")
    code, _, _ = run(site, "--to", "de")
    assert code == 0
    assert statuses(site, "--to", "de")[("content/fr/post.md", "de", "content/de/post.md")] == (
        "machine"
    )


# 7. Page formats and non-page files.


def test_other_page_formats__counted_by_kind_once(tmp_path: Path) -> None:
    site = hugo_site(
        tmp_path,
        DIRECTORIES,
        {
            "content/fr/post.md": POST,
            "content/fr/a.html": "<p>Bonjour</p>\n",
            "content/fr/b.html": "<p>Salut</p>\n",
            "content/fr/c.org": "* Titre\n",
            "content/fr/d.adoc": "= Titre\n",
        },
    )
    code, summary, _ = run(site)
    assert code == 0
    assert summary["skipped_formats"] == {"asciidoc": 1, "html": 2, "org": 1}
    assert not (tmp_path / "content/en/a.html").exists()


def test_other_page_formats__reported_on_one_line(tmp_path: Path) -> None:
    site = hugo_site(
        tmp_path, DIRECTORIES, {"content/fr/a.html": "<p>x</p>\n", "content/fr/b.rst": "x\n"}
    )
    result = site.translator("run", "--engine", "pseudo")
    lines = [line for line in result.stderr.splitlines() if "formats" in line]
    assert lines == ["skipped pages in formats translator does not translate: 1 html, 1 rst"]


def test_explicit_non_page_file__refused_and_never_written(tmp_path: Path) -> None:
    site = hugo_site(tmp_path, DIRECTORIES, {"content/fr/post/index.md": POST})
    (tmp_path / "content/fr/post/photo.jpg").write_bytes(b"\xff\xd8\xff")
    code, summary, _ = run(site, "content/fr/post/photo.jpg")
    (error,) = summary["errors"]  # type: ignore[misc]
    assert code == 1
    assert "not a page: Hugo reads it as a resource" in error["reason"]
    assert not (tmp_path / "content/en/post/photo.jpg").exists()


def test_explicit_page_of_another_language__refused(tmp_path: Path) -> None:
    site = hugo_site(tmp_path, SUFFIX_FRENCH_DEFAULT, {"content/post.en.md": HUMAN_EN})
    code, summary, _ = run(site, "content/post.en.md")
    (error,) = summary["errors"]  # type: ignore[misc]
    assert code == 1
    assert "not a fr source: it is a en page, as its file name ends in .en.md" in error["reason"]


# Status lists every page of every declared language.


def test_status__every_page_of_every_language(tmp_path: Path) -> None:
    site = hugo_site(
        tmp_path,
        DIRECTORIES,
        {
            "content/fr/machine.md": POST,
            "content/fr/human.md": POST,
            "content/en/human.md": HUMAN_EN,
            "content/en/english-only.md": HUMAN_EN,
        },
    )
    run(site)
    site.write("content/fr/new.md", POST)
    assert statuses(site) == {
        ("content/fr/human.md", "en", "content/en/human.md"): "human",
        ("content/fr/machine.md", "en", "content/en/machine.md"): "machine",
        ("content/fr/new.md", "en", "content/en/new.md"): "missing",
        ("", "en", "content/en/english-only.md"): "unpaired",
    }


def test_status__pages_of_a_language_that_is_not_a_target(tmp_path: Path) -> None:
    hugo = DIRECTORIES + '[languages.de]\ncontentDir = "content/de"\n'
    site = hugo_site(tmp_path, hugo, {"content/fr/a.md": POST, "content/de/a.md": "Hallo.\n"})
    site.write("translator.toml", 'targets = ["en"]\n')
    assert statuses(site)[("", "de", "content/de/a.md")] == "not a target"


def test_pair_moved_to_another_page__error_and_nothing_written(tmp_path: Path) -> None:
    site = hugo_site(tmp_path, DIRECTORIES, {"content/fr/post.md": POST})
    run(site)
    site.write(
        "content/fr/post.md", POST.replace("draft: false", "translationKey: k\ndraft: false")
    )
    other = HUMAN_EN.replace("draft: false", "translationKey: k\ndraft: false")
    site.write("content/en/other.md", other)
    code, summary, _ = run(site)
    (error,) = summary["errors"]  # type: ignore[misc]
    assert code == 1
    assert "but Hugo now pairs it with content/en/other.md" in error["reason"]
    assert site.read("content/en/other.md") == other
