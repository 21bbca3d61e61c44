"""Mistakes a newcomer makes on the command line get a clear error, not a silent nothing."""

from __future__ import annotations

from pathlib import Path

from sites import Site, make_site


def translated(root: Path) -> Site:
    site = make_site(root)
    site.run_json()
    return site


def test_export__lang_not_a_target_is_refused(tmp_path: Path) -> None:
    site = translated(tmp_path)
    result = site.translator("export", "--lang", "de", "-o", "x.xlf")
    expected = (
        f"Error: {site.root / 'hugo.toml'}: --lang de: not a target language of this site "
        "— use one of en"
    )
    assert (result.code, result.stderr.strip()) == (3, expected)
    assert not (site.root / "x.xlf").exists()


def test_export__lang_is_case_blind_like_hugo_keys(tmp_path: Path) -> None:
    site = translated(tmp_path)
    result = site.translator("export", "--lang", "EN", "-o", "x.xlf")
    assert result.code == 0, result.stderr
    assert "6 units exported" in result.stderr


def test_review__lang_not_a_target_is_refused(tmp_path: Path) -> None:
    site = translated(tmp_path)
    result = site.translator("review", "--lang", "fr", "-o", "r.html")
    assert result.code == 3
    assert "--lang fr: not a target language of this site" in result.stderr
    assert not (site.root / "r.html").exists()


def test_export__unknown_format_names_the_value(tmp_path: Path) -> None:
    site = translated(tmp_path)
    result = site.translator("export", "--format", "xlif", "-o", "x.xlf")
    assert result.code == 2
    assert "'xlif' is not one of xliff, xliff12, po" in result.stderr


def test_run__dry_run_says_how_many_it_would_translate(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    result = site.translator("run", "--dry-run", "--engine", "pseudo")
    assert result.code == 0, result.stderr
    assert "1 posts: would translate 1, skipped 0;" in result.stderr
    assert not (site.root / "content/en/post.md").exists()


def test_run__dry_run_on_a_new_site_creates_no_memory(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert site.translator("run", "--dry-run", "--engine", "pseudo").code == 0
    assert not (site.root / ".translator").exists()


def test_status__piped_table_keeps_whole_paths_one_row_a_line(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    deep = "content/fr/" + "/".join(["un-dossier-au-nom-assez-long"] * 8) + "/post.md"
    site.write(deep, site.read("content/fr/post.md"))
    site.run_json()
    result = site.translator("status")
    copy = deep.replace("content/fr/", "content/en/")
    rows = [line for line in result.stdout.splitlines() if copy in line]
    assert len(rows) == 1 and deep in rows[0], result.stdout


def test_status__a_path_with_colons_is_printed_as_it_is(tmp_path: Path) -> None:
    """Rich would print `:fire:` as an emoji: a file name is never an emoji code."""
    site = make_site(tmp_path)
    site.write("content/fr/le-:fire:-billet.md", site.read("content/fr/post.md"))
    site.run_json()
    result = site.translator("status")
    assert "content/en/le-:fire:-billet.md" in result.stdout, result.stdout


def test_approve__unknown_path_hint_fits_a_suffix_site(tmp_path: Path) -> None:
    site = make_site(tmp_path, layout="suffix")
    site.run_json()
    result = site.translator("approve", "content/autre.en.md")
    assert result.code == 3
    assert result.stderr.strip() == (
        "Error: content/autre.en.md: no copy written by translator for this path — give a copy "
        "translator wrote, or its source; `translator status` lists them"
    )


def test_run__engine_typo_is_refused_before_anything_is_read_or_created(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    result = site.translator("run", "--engine", "psuedo")
    assert (result.code, result.stderr.strip()) == (
        3,
        "Error: unknown engine 'psuedo' — choose one of: argos, identity, pseudo",
    )
    assert not (site.root / ".translator").exists()
