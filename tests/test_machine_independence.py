"""The same site gives the same copies on any machine of the supported kind.

What differs between machines and must not change a copy: the time zone, the
locale, the number of CPUs, and the clock crossing midnight during a run.
(Compute types, the other machine-dependent input, are covered where the
engine is: tests/test_argos_engine.py and tests/test_fixture_models.py take
them from what this CPU runs.)
"""

from __future__ import annotations

import locale
import os
import re
from pathlib import Path

import pytest
from sites import Site, make_site

from translator import pipeline
from translator.engines.argos import ArgosEngine, ArgosSettings
from translator.hugo.config import load_config
from translator.markdown.document import read_values
from translator.store.memory import Memory

COPY = "content/en/post.md"
TEXTS = ["Bonjour. <g1>Ça va</g1> ?", "Deux phrases. Trois mots ici."]
EXPECTED = ["BONJOUR. <g1>ÇA VA</g1> ?", "DEUX PHRASES. TROIS MOTS ICI."]

ENVIRONMENTS = {
    "UTC, C.UTF-8": {"TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
    # UTC+14: the first time zone into a new day; LANG=C: no UTF-8 locale at all.
    "Kiritimati, C": {"TZ": "Pacific/Kiritimati", "LANG": "C", "LC_ALL": "C"},
    "Honolulu, POSIX": {"TZ": "Pacific/Honolulu", "LANG": "POSIX", "LC_ALL": "POSIX"},
    # Decimal commas and French collation, where the machine has the locale.
    "Paris, fr_FR.UTF-8": {"TZ": "Europe/Paris", "LANG": "fr_FR.UTF-8", "LC_ALL": "fr_FR.UTF-8"},
}


def has_locale(name: str) -> bool:
    """Whether this machine has the locale (C, C.UTF-8 and POSIX always exist)."""
    try:
        saved = locale.setlocale(locale.LC_ALL)
        locale.setlocale(locale.LC_ALL, name)
    except locale.Error:
        return False
    locale.setlocale(locale.LC_ALL, saved)
    return True


def run_in(site: Site, environment: dict[str, str]) -> str:
    """`translator run --engine pseudo` under the given environment; the copy's text."""
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        result = site.translator("run", "--engine", "pseudo")
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return site.read(COPY)


def without_date(copy: str) -> str:
    """The copy with its run date blanked: the date is local, the rest must be equal."""
    return re.sub(r'(?m)^(\s+date: )"\d{4}-\d\d-\d\d"$', r"\1DATE", copy)


@pytest.mark.parametrize("name", list(ENVIRONMENTS)[1:])
def test_run__same_copy_in_any_time_zone_and_locale(tmp_path: Path, name: str) -> None:
    zone = Path("/usr/share/zoneinfo") / ENVIRONMENTS[name]["TZ"]
    if not zone.exists():  # glibc would silently use UTC: the test would prove nothing
        pytest.skip(f"{zone} is missing: install Debian's tzdata (scripts/install-test-deps.sh)")
    if not has_locale(ENVIRONMENTS[name]["LC_ALL"]):
        pytest.skip(f"this machine has no {ENVIRONMENTS[name]['LC_ALL']} locale")
    reference = run_in(make_site(tmp_path / "reference"), ENVIRONMENTS["UTC, C.UTF-8"])
    other = run_in(make_site(tmp_path / "other"), ENVIRONMENTS[name])
    assert without_date(other) == without_date(reference)
    assert without_date(other) != other  # the date line was there to blank


def test_run__accented_file_names_under_the_c_locale(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    site.write("content/fr/été à Noël.md", site.read("content/fr/post.md"))
    run_in(site, ENVIRONMENTS["Kiritimati, C"])
    assert read_values(site.read("content/en/été à Noël.md"))["translation"]["status"] == "machine"


def test_run__one_date_for_the_whole_run(tmp_path: Path) -> None:
    # The date is taken once when the run starts: a run that crosses midnight
    # stamps every copy with the same date.
    site = make_site(tmp_path)
    site.write("content/fr/second.md", site.read("content/fr/post.md"))
    config = load_config(site.root).with_overrides(engine="pseudo")
    with Memory.open(config.state_dir / "memory.sqlite") as memory:
        context = pipeline.Context(config, memory, today="1999-12-31")
        pipeline.run(context)
    for copy in (COPY, "content/en/second.md"):
        assert read_values(site.read(copy))["translation"]["date"] == "1999-12-31"


@pytest.mark.parametrize("cpus", [1, 16])
def test_argos_engine__any_number_of_cpus(
    argos_home: Path, monkeypatch: pytest.MonkeyPatch, cpus: int
) -> None:
    # threads = 0 means one CTranslate2 worker per CPU this process may use.
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)))
    engine = ArgosEngine(ArgosSettings(threads=0, batch_size=1, auto_install=False))
    assert engine.translate(TEXTS, source="fr", target="en") == EXPECTED
