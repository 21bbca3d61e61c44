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
