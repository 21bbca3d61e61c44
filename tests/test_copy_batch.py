"""Copies committed together (`pipeline.copy_batch`): one memory commit per batch, each
file still old or new, the memory still matching the files, one post's failure its own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sites import POST, Site, make_site

from translator import pipeline
from translator.errors import TranslatorError
from translator.hugo.config import load_config
from translator.store.memory import Memory


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = make_site(tmp_path)
    for name in ("a", "b", "c"):  # with post.md: one batch
        site.write(f"content/fr/{name}.md", POST)
    return site


def _records(site: Site) -> list[str]:
    with sqlite3.connect(site.root / ".translator/memory.sqlite") as db:
        return sorted(row[0] for row in db.execute("SELECT target_path FROM posts"))


def _copies(site: Site) -> list[str]:
    return sorted(p.name for p in (site.root / "content/en").glob("*.md"))


def test_copy_batch__interrupted_before_its_end_leaves_files_and_memory_as_they_were(
    site: Site,
) -> None:
    config = load_config(site.root).with_overrides(engine="pseudo")
    with Memory.open(config.state_dir / "memory.sqlite") as memory:
        context = pipeline.Context(config, memory)
        items = pipeline.detect(config, memory).items
        prepared = [pipeline.prepare(context, item) for item in items]
        translations = pipeline.translate_units(context, pipeline.units_needed(prepared))
        with pytest.raises(KeyboardInterrupt), pipeline.copy_batch(context) as commit:
            for item in prepared[:2]:
                pipeline.write(context, item, translations, commit=commit)
            raise KeyboardInterrupt  # Ctrl-C after two copies were staged and recorded
    assert not (site.root / "content/en").exists() or _copies(site) == []
    assert not list(site.root.glob("content/en/.*"))  # no staged file left behind
    assert _records(site) == []


def test_copy_batch__a_copy_failing_in_the_middle_fails_alone(site: Site) -> None:
    site.write("content/en/blocker", "in the way\n")  # a file where a folder would be needed
    blocked = site.root / "content/en/blocker/b.md"
    config = load_config(site.root).with_overrides(engine="pseudo")
    with Memory.open(config.state_dir / "memory.sqlite") as memory:
        context = pipeline.Context(config, memory)
        items = [
            i for i in pipeline.detect(config, memory).items if i.post.source_key[-4:-3] in "ac"
        ]
        prepared = [pipeline.prepare(context, item) for item in items]
        translations = pipeline.translate_units(context, pipeline.units_needed(prepared))
        with pipeline.copy_batch(context) as commit:
            pipeline.write(context, prepared[0], translations, commit=commit)
            with pytest.raises(TranslatorError):  # the copy of a.md sent where it cannot go
                pipeline.write(
                    context,
                    prepared[0],
                    translations,
                    commit=lambda ctx, _, record, retired: commit(ctx, blocked, record, retired),
                )
            pipeline.write(context, prepared[1], translations, commit=commit)
    assert _copies(site) == ["a.md", "c.md"]
    assert _records(site) == ["content/en/a.md", "content/en/c.md"]
    assert not list(site.root.glob("content/en/.*"))


def test_run__a_batch_that_cannot_commit_fails_its_posts_and_the_next_batch_goes_on(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    renames = pipeline.commit_all_staged
    calls: list[int] = []

    def disk_full_once(staged: list[tuple[Path, Path]]) -> None:
        calls.append(len(staged))
        if len(calls) == 1:
            for file, _ in staged:
                file.unlink()
            raise OSError(28, "No space left on device")
        renames(staged)

    monkeypatch.setattr(pipeline, "WRITE_BATCH", 2)
    monkeypatch.setattr(pipeline, "commit_all_staged", disk_full_once)
    config = load_config(site.root).with_overrides(engine="pseudo")
    with Memory.open(config.state_dir / "memory.sqlite") as memory:
        summary = pipeline.run(pipeline.Context(config, memory))
    failed = sorted(r.target for r in summary.results if r.action == "failed")
    written = sorted(r.target for r in summary.results if r.action == "written")
    assert calls == [2, 2] and len(failed) == 2 and len(written) == 2
    assert all("No space left on device" in e["reason"] for e in summary.errors)
    assert _copies(site) == sorted(Path(key).name for key in written)
    monkeypatch.undo()  # the disk has room again: the next run writes the two others
    assert site.run_json()["errors"] == []
    assert _copies(site) == ["a.md", "b.md", "c.md", "post.md"]
