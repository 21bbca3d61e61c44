"""Retired texts listed and put back, and `approve --segment` on front matter lines, through
the real command (issue 11's gaps).

An editor rewrites a paragraph; the French then deletes that paragraph (and
adds another): the editor's text is kept in the memory, retired.
`translator retired list` shows it with its number; `translator retired
restore ID --at LINE` puts it into the slot at that line as the editor's text,
and the next run keeps it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sites import POST, Site, make_site

from translator.engines.pseudo import pseudo_localize
from translator.markdown.document import read_values

COPY = "content/en/post.md"
SOURCE = "content/fr/post.md"
THIRD = pseudo_localize("Troisième paragraphe.")
NEW = pseudo_localize("Un paragraphe tout neuf.")
BY_HAND = "Third paragraph, by hand."
CHANGED = POST.replace(
    "Premier paragraphe avec", "Un paragraphe tout neuf.\n\nPremier paragraphe modifié avec"
).replace("\nTroisième paragraphe.\n", "")


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A copy whose edited paragraph lost its French: one retired text, number 1."""
    site = make_site(tmp_path)
    site.run_json()
    site.write(COPY, site.read(COPY).replace(THIRD, BY_HAND))
    site.write(SOURCE, CHANGED)
    site.run_json()
    return site


def _line_of(site: Site, text: str) -> int:
    copy = site.read(COPY)
    return copy[: copy.index(text)].count("\n") + 1


def _restore(site: Site, *args: str) -> None:
    result = site.translator("retired", "restore", *args)
    assert result.code == 0, result.stderr


def test_retired_list__json_gives_id_copy_source_and_date(site: Site) -> None:
    (row,) = site.translator("retired", "list", "--json").json()
    assert {k: v for k, v in row.items() if k != "retired"} == {
        "ident": 1,
        "source_path": SOURCE,
        "target": "en",
        "label": "line 13",
        "source": "Troisième paragraphe.",
        "text": BY_HAND,
        "state": "edited",
        "copy": COPY,
    }


def test_retired_list__date_is_when_it_was_retired(site: Site) -> None:
    (row,) = site.translator("retired", "list", "--json").json()
    assert len(row["retired"]) == len("2026-01-01 00:00:00")


def test_retired_list__table_names_the_text_and_how_to_restore(site: Site) -> None:
    result = site.translator("retired", "list")
    assert result.code == 0
    assert BY_HAND in result.stdout
    assert "translator retired restore ID --at LINE" in result.stderr


def test_retired_list__filtered_by_copy(site: Site) -> None:
    assert len(site.translator("retired", "list", "--json", COPY).json()) == 1


def test_retired_list__filtered_by_another_post(site: Site) -> None:
    site.write("content/fr/autre.md", POST)
    assert site.translator("retired", "list", "--json", "content/fr/autre.md").json() == []


def test_status__retired_text_carries_its_id(site: Site) -> None:
    (row,) = site.translator("status", "--json").json()
    assert row["retired"][0]["id"] == "1"


def test_retired_restore__puts_the_text_in_the_slot_at_the_line(site: Site) -> None:
    _restore(site, "1", "--at", str(_line_of(site, NEW)))
    copy = site.read(COPY)
    assert f"\n{BY_HAND}\n" in copy
    assert NEW not in copy


def test_retired_restore__json_says_what_was_replaced(site: Site) -> None:
    line = _line_of(site, NEW)
    result = site.translator("retired", "restore", "1", "--at", str(line), "--json")
    assert result.json() == {"ident": 1, "copy": COPY, "label": f"line {line}", "replaced": NEW}


def test_retired_restore__leaves_the_retired_list(site: Site) -> None:
    _restore(site, "1", "--at", str(_line_of(site, NEW)))
    assert site.translator("retired", "list", "--json").json() == []


def test_retired_restore__next_run_keeps_it_as_an_edit(site: Site) -> None:
    _restore(site, "1", "--at", str(_line_of(site, NEW)))
    summary = site.run_json()
    assert summary["translated_posts"] == 0
    assert f"\n{BY_HAND}\n" in site.read(COPY)


def test_retired_restore__french_change_elsewhere_keeps_it(site: Site) -> None:
    _restore(site, "1", "--at", str(_line_of(site, NEW)))
    site.write(SOURCE, CHANGED.replace("## Une section", "## Une autre section"))
    site.run_json()
    assert f"\n{BY_HAND}\n" in site.read(COPY)


def test_retired_restore__into_the_title(site: Site) -> None:
    _restore(site, "1", "--at", "2")
    assert read_values(site.read(COPY))["title"] == BY_HAND


def test_retired_restore__unknown_number(site: Site) -> None:
    result = site.translator("retired", "restore", "7", "--at", "2")
    assert result.code == 3
    assert "no retired text number 7" in result.stderr


def test_retired_restore__line_without_a_segment(site: Site) -> None:
    result = site.translator("retired", "restore", "1", "--at", "3")
    assert result.code == 3
    assert "no translated segment at line 3" in result.stderr


def test_retired_restore__markup_mismatch_is_refused(site: Site) -> None:
    line = _line_of(site, "`code`")
    result = site.translator("retired", "restore", "1", "--at", str(line))
    assert result.code == 3
    assert "the text changes the markup" in result.stderr
    assert len(site.translator("retired", "list", "--json").json()) == 1


# -- approve --segment on a front matter line ----------------------------------------------------


@pytest.fixture
def fresh(tmp_path: Path) -> Site:
    site = make_site(tmp_path)
    site.run_json()
    return site


def test_approve_segment__title_line(fresh: Site) -> None:
    fresh.write(COPY, fresh.read(COPY).replace(read_values(fresh.read(COPY))["title"], "A title"))
    result = fresh.translator("approve", "--segment", "2", COPY)
    (row,) = fresh.translator("status", "--json").json()
    assert result.code == 0, result.stderr
    assert row["detail"] == "4 of 5 to review"


def test_approve_segment__title_line_with_pseudo_text_is_refused(fresh: Site) -> None:
    result = fresh.translator("approve", "--segment", "2", COPY)
    assert result.code == 1
    assert ":title: pseudo text, not a translation" in result.stderr


def test_approve_segment__front_matter_line_without_a_translated_value(fresh: Site) -> None:
    result = fresh.translator("approve", "--segment", "3", COPY)
    assert result.code == 3
    assert "no translated segment at line 3" in result.stderr
