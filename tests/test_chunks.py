"""How a run's units are cut into chunks for the flow's workers (`pipeline.chunk_units`)."""

from __future__ import annotations

from pathlib import Path

from sites import make_site

from translator import pipeline
from translator.hugo.config import load_config


def chunks(tmp_path: Path, units: list[str], size: int) -> list[tuple[str, ...]]:
    config = load_config(make_site(tmp_path).root)
    plan = pipeline.UnitPlan({}, {"en": tuple(units)}, {"en": ""}, "pseudo")
    return [c.units for c in pipeline.chunk_units(config, plan, size)]


def test_longest_units_come_first_in_chunks_of_size(tmp_path: Path) -> None:
    """A batch decodes as long as its longest sentence: chunks hold units of like length."""
    units = ["un", "trois mots ici", "quatre", "le plus long de tous les textes", "cinq"]
    assert chunks(tmp_path, units, 2) == [
        ("le plus long de tous les textes", "trois mots ici"),
        ("quatre", "cinq"),
        ("un",),
    ]


def test_a_chunk_with_a_full_batch_ends_at_chunk_chars(tmp_path: Path) -> None:
    """Long paragraphs make several chunks of a batch each; short titles fill bigger ones."""
    site = make_site(tmp_path)
    site.write("translator.toml", "[engine]\nbatch_size = 2\n")
    long = [f"{n} " + "paragraphe " * 300 for n in range(4)]  # 3,302 characters each
    titles = [f"Titre {n}" for n in range(6)]
    plan = pipeline.UnitPlan({}, {"en": (*titles, *long)}, {"en": ""}, "pseudo")
    cut = [c.units for c in pipeline.chunk_units(load_config(site.root), plan, 128)]
    assert cut == [tuple(long[:2]), tuple(long[2:]), tuple(titles)]


def test_never_less_than_a_batch_before_the_last_chunk(tmp_path: Path) -> None:
    units = [f"{n} " + "mot " * 2_000 for n in range(5)]  # each over CHUNK_CHARS alone
    cut = chunks(tmp_path, units, 128)
    assert [len(part) for part in cut] == [5]  # the default batch is 32 sentences
