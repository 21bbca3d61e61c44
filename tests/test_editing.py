"""Editors' actions on a copy (the workbench's write path), on real translated sites."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sites import POST, Site, make_site
from workbench_sites import EDITOR, FIRST, conflict_site, copy_of, translated_site

from translator.errors import EditRefusedError, StaleCopyError
from translator.hugo.config import load_config
from translator.pipeline import Context, sha256
from translator.review import editing
from translator.store.memory import Memory

COPY = "content/en/post.md"


@contextlib.contextmanager
def context_of(site: Site) -> Iterator[Context]:
    config = load_config(site.root)
    with Memory.open(config.state_dir / "memory.sqlite") as memory:
        yield Context(config, memory)


def slot_of(site: Site, label: str) -> int:
    with context_of(site) as context:
        record = context.memory.post_for_target(COPY)
        assert record is not None
        return next(n for n, s in enumerate(record.slots) if s.label == label)


def edit(site: Site, label: str, text: str) -> editing.Change:
    position = slot_of(site, label)
    with context_of(site) as context:
        return editing.edit_slot(
            context, COPY, position, text, expected_hash=sha256(site.read(COPY))
        )


def first_paragraph(text: str) -> str:
    return next(line for line in text.splitlines() if "exemple.fr" in line)


@pytest.fixture(scope="module")
def translated(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return translated_site(tmp_path_factory.mktemp("translated") / "site")


@pytest.fixture(scope="module")
def in_conflict(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return conflict_site(tmp_path_factory.mktemp("conflict") / "site")


@pytest.fixture
def site(translated: Site, tmp_path: Path) -> Site:
    return copy_of(translated, tmp_path / "site")


def test_edit_slot__changes_that_slot_only(site: Site) -> None:
    before = site.read(COPY)
    edit(site, "line 7", FIRST)
    assert site.read(COPY) == before.replace(first_paragraph(before), FIRST)


def test_edit_slot__the_other_slots_keep_their_engine_and_model(site: Site) -> None:
    with context_of(site) as context:
        before = context.memory.post_for_target(COPY)
    edit(site, "line 7", FIRST)
    with context_of(site) as context:
        after = context.memory.post_for_target(COPY)
    assert before is not None and after is not None
    untouched = [
        (b.label, b.engine, b.model, b.glossary) for b in before.slots if b.label != "line 7"
    ]
    assert untouched and all(engine for _, engine, _, _ in untouched)
    assert [
        (a.label, a.engine, a.model, a.glossary) for a in after.slots if a.label != "line 7"
    ] == (untouched)


def test_edit_slot__a_run_keeps_the_editors_text(site: Site) -> None:
    edit(site, "line 7", FIRST)
    summary = site.run_json()
    assert FIRST in site.read(COPY)
    assert summary["copies"] == [] or summary["copies"][0]["action"] == "unchanged"


def test_edit_slot__a_run_after_a_source_change_keeps_it_as_a_conflict(site: Site) -> None:
    edit(site, "line 7", FIRST)
    site.write(
        "content/fr/post.md", site.read("content/fr/post.md").replace("Premier", "Un premier")
    )
    summary = site.run_json()
    assert FIRST in site.read(COPY) and summary["conflicts"] == 1


def test_edit_slot__recorded_as_an_editors_text(site: Site) -> None:
    position = slot_of(site, "line 7")
    edit(site, "line 7", FIRST)
    with context_of(site) as context:
        record = context.memory.post_for_target(COPY)
    assert record is not None and record.written_hash == sha256(site.read(COPY))
    assert (record.slots[position].state, record.slots[position].written) == ("edited", FIRST)


def test_edit_slot__tags_may_move(site: Site) -> None:
    moved = 'With a [link](https://exemple.fr "Titre du lien") first, then words.'
    edit(site, "line 7", moved)
    assert moved in site.read(COPY)


def test_edit_slot__a_lost_link_is_refused_with_the_reason(site: Site) -> None:
    before = site.read(COPY)
    with pytest.raises(EditRefusedError, match=r"lost link https://exemple\.fr"):
        edit(site, "line 7", "No link any more.")
    assert site.read(COPY) == before


def test_edit_slot__a_new_block_is_refused(site: Site) -> None:
    with pytest.raises(EditRefusedError, match="adds or removes a block"):
        edit(site, "line 13", "One.\n\nTwo.")


def test_edit_slot__a_text_without_words_is_refused(site: Site) -> None:
    with pytest.raises(EditRefusedError, match="no words"):
        edit(site, "line 13", "...")


def test_edit_slot__a_heading_mark_is_refused(site: Site) -> None:
    with pytest.raises(EditRefusedError):
        edit(site, "line 13", "# A heading now")


def test_edit_slot__refused_when_the_file_changed_since_loading(site: Site) -> None:
    position = slot_of(site, "line 7")
    loaded = sha256(site.read(COPY))
    site.write(COPY, site.read(COPY) + "\n")
    changed = site.read(COPY)
    with context_of(site) as context, pytest.raises(StaleCopyError, match="reload"):
        editing.edit_slot(context, COPY, position, FIRST, expected_hash=loaded)
    assert site.read(COPY) == changed


def test_edit_slot__textarea_line_endings_follow_the_file(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    site.write("content/fr/post.md", POST.replace("\n", "\r\n"))
    site.run_json()
    edit(site, "line 13", "Two\r\nlines.")
    assert "\r\n\r\nTwo\r\nlines.\r\n" in site.read(COPY)


def test_edit_slot__textarea_line_endings_in_an_lf_file(site: Site) -> None:
    edit(site, "line 13", "Two\r\nlines.")
    assert "\n\nTwo\nlines.\n" in site.read(COPY)


def test_edit_slot__a_front_matter_value(site: Site) -> None:
    edit(site, "title", 'A title: "quoted"')
    site.run_json()
    assert 'title: "A title: \\"quoted\\""' in site.read(COPY)


def test_accept_suggestion__takes_the_machines_text(in_conflict: Site, tmp_path: Path) -> None:
    site = copy_of(in_conflict, tmp_path / "site")
    position = slot_of(site, "line 13")
    with context_of(site) as context:
        record = context.memory.post_for_target(COPY)
        assert record is not None
        suggestion = record.slots[position].suggestion
        editing.accept_suggestion(context, COPY, position, expected_hash=sha256(site.read(COPY)))
    assert suggestion and suggestion in site.read(COPY) and EDITOR not in site.read(COPY)
    assert "status: machine" in site.read(COPY)


def test_accept_suggestion__refused_without_one(site: Site) -> None:
    position = slot_of(site, "line 7")
    with context_of(site) as context, pytest.raises(EditRefusedError, match="no machine"):
        editing.accept_suggestion(context, COPY, position, expected_hash=sha256(site.read(COPY)))


def test_mark_reviewed__survives_a_run(site: Site) -> None:
    position = slot_of(site, "line 7")
    with context_of(site) as context:
        editing.mark_reviewed(context, COPY, position, expected_hash=sha256(site.read(COPY)))
    site.run_json()
    with context_of(site) as context:
        record = context.memory.post_for_target(COPY)
    assert record is not None and record.slots[position].state == "reviewed"
    assert record.status == "machine"  # only an approval makes the copy reviewed


def test_approve_copy__as_translator_approve(site: Site) -> None:
    with context_of(site) as context:
        editing.approve_copy(context, COPY, expected_hash=sha256(site.read(COPY)), force=True)
    text = site.read(COPY)
    assert "status: reviewed" in text and "draft: false" in text


def test_undo__puts_back_the_file_and_the_record(site: Site) -> None:
    before = site.read(COPY)
    with context_of(site) as context:
        record_before = context.memory.post_for_target(COPY)
    change = edit(site, "line 7", FIRST)
    with context_of(site) as context:
        editing.undo(context, change)
        record_after = context.memory.post_for_target(COPY)
    assert site.read(COPY) == before and record_after == record_before


def test_undo__refused_when_the_file_moved_on(site: Site) -> None:
    change = edit(site, "line 7", FIRST)
    site.write(COPY, site.read(COPY) + "\n")
    with context_of(site) as context, pytest.raises(StaleCopyError):
        editing.undo(context, change)


def test_undo__an_approval(site: Site) -> None:
    before = site.read(COPY)
    with context_of(site) as context:
        change = editing.approve_copy(context, COPY, expected_hash=sha256(before), force=True)
        editing.undo(context, change)
        record = context.memory.post_for_target(COPY)
    assert site.read(COPY) == before and record is not None and record.status == "machine"


def test_edit_slot__a_stray_newline_at_the_end_is_dropped(site: Site) -> None:
    before = site.read(COPY)
    edit(site, "line 13", "Third.\r\n\r\n")
    third = next(line for line in before.splitlines() if line.startswith("⟦Ţŕöîšîèɱé"))
    assert site.read(COPY) == before.replace(third, "Third.")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.text(alphabet="abcdefghijklmnop éèàç'ABC,.", min_size=1).filter(
        lambda t: any(c.isalpha() for c in t)
    )
)
def test_edit_slot__property_only_that_slot_changes(translated: Site, words: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = copy_of(translated, Path(folder) / "site")
        before = site.read(COPY)
        third = next(line for line in before.splitlines() if line.startswith("⟦Ţŕöîšîèɱé"))
        edit(site, "line 13", words)
        assert site.read(COPY) == before.replace(third, words.strip())


QUOTED = POST + "\n> Une citation avec du **gras**\n> sur deux lignes.\n"


def quote_slot(tmp_path: Path) -> tuple[Site, str]:
    """A translated site whose post ends with a hard-wrapped paragraph in a blockquote."""
    site = make_site(tmp_path / "site")
    site.write("content/fr/post.md", QUOTED)
    site.run_json()
    with context_of(site) as context:
        record = context.memory.post_for_target(COPY)
        assert record is not None
        return site, next(s.label for s in record.slots if "citation" in s.source)


def test_edit_slot__a_rewrapped_blockquote_paragraph_is_accepted(tmp_path: Path) -> None:
    site, label = quote_slot(tmp_path)
    # The emphasis moves to the continuation line: parsed alone, `> ` there is a quote.
    edit(site, label, "A quote\n> with **bold** on two lines.")
    assert "\n> A quote\n> with **bold** on two lines.\n" in site.read(COPY)


def test_edit_slot__a_nested_quote_in_a_blockquote_is_refused(tmp_path: Path) -> None:
    site, label = quote_slot(tmp_path)
    with pytest.raises(EditRefusedError, match="adds or removes a block"):
        edit(site, label, "A quote with **bold**\n> > nested.")
