"""How a run's units are cut into chunks for the flow's workers (`pipeline.chunk_units`)."""

from __future__ import annotations

from pathlib import Path

from sites import make_site

from translator import pipeline
from translator.hugo.config import load_config


def chunks(tmp_path: Path, units: list[str], size: int, chars: int) -> list[tuple[str, ...]]:
    config = load_config(make_site(tmp_path).root)
    plan = pipeline.UnitPlan({}, {"en": tuple(units)}, {"en": ""}, "pseudo")
    return [c.units for c in pipeline.chunk_units(config, plan, size, chars=chars)]


def test_longest_units_come_first_and_every_unit_once(tmp_path: Path) -> None:
    units = ["un", "trois mots ici", "quatre", "le plus long de tous les textes"]
    cut = chunks(tmp_path, units, 2, 1_000)
    assert cut == [("le plus long de tous les textes", "trois mots ici"), ("quatre", "un")]


def test_a_chunk_holds_at_most_chars_characters(tmp_path: Path) -> None:
    """Like weight, not like count: a few long paragraphs, or many titles."""
    units = ["p" * 40, "q" * 40, "r" * 40] + [f"titre {n}" for n in range(10)]
    cut = chunks(tmp_path, units, 128, 80)
    assert [len(part) for part in cut] == [2, 6, 5]
    assert all(sum(map(len, part)) <= 80 for part in cut)


def test_a_unit_longer_than_chars_is_a_chunk_alone(tmp_path: Path) -> None:
    cut = chunks(tmp_path, ["x" * 500, "court"], 128, 100)
    assert cut == [("x" * 500,), ("court",)]
