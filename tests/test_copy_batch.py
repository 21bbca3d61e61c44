"""Copies committed together (`pipeline.copy_batch`): one memory commit per batch, each
file still old or new, the memory still matching the files, one post's failure its own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sites import POST, Site, make_site

from translator import pipeline
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


def test_run__one_copy_failing_in_the_middle_of_a_batch_fails_alone(site: Site) -> None:
    site.write("content/fr/b/x.md", POST)
    site.write("content/en/b", "in the way\n")  # a file where x.md's folder goes
    result = site.translator("run", "--engine", "pseudo")
    assert result.code == 1
    assert "content/en/b is a file, where a folder is needed for x.md" in result.stderr
    assert result.stderr.index("wrote content/en/a.md") < result.stderr.index("failed content/en/b")
    assert _copies(site) == ["a.md", "b.md", "c.md", "post.md"]
    assert _records(site) == [f"content/en/{name}.md" for name in ("a", "b", "c", "post")]
