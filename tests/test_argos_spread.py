"""The argos engine with its CTranslate2 batches run elsewhere (`translator.engines.spread`).

Here "elsewhere" is a thread pool of this process, through the same calls a Dask
client makes (`submit(function, *arguments)`, a future back); the flow's Dask
tests (tests/test_flow.py) run it on real workers. The fixture packages
uppercase (fr→en) and apply ROT13 (en→es), so outputs are known exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from translator.engines import spread
from translator.engines.argos import ArgosEngine
from translator.engines.spread import ModelKey, RemoteTranslator, SpreadBatches, decode_batch
from translator.errors import EngineError

pytestmark = pytest.mark.usefixtures("no_network")

TEXTS = [
    "Bonjour le monde.",
    "Une phrase. Puis une autre, plus longue que la première, avec <g1>du gras</g1> dedans.",
    "Un <x1/> espace réservé et un <g2>lien <g3>imbriqué</g3></g2> ici.",
    "Bonjour le monde.",
    *[f"Phrase numéro {n} d'une longue liste." for n in range(40)],
]


class Counted:
    """A future that counts how often its result is asked for."""

    def __init__(self, future: Future[Any], pool: Pool) -> None:
        self.future, self.pool = future, pool

    def result(self, timeout: float | None = None) -> Any:
        self.pool.fetched += 1
        return self.future.result(timeout)


class Pool:
    """`submit(function, *arguments)` on two threads, each call and result fetch counted."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.fetched = 0
        self.pool = ThreadPoolExecutor(2)

    def submit(self, call: Any, *arguments: Any) -> Counted:
        self.calls.append(call.__name__)
        return Counted(self.pool.submit(call, *arguments), self)


@pytest.fixture
def pool(argos_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pool]:
    monkeypatch.setattr(spread, "_TRANSLATORS", {})  # this test's "workers" start empty
    made = Pool()
    yield made
    made.pool.shutdown()


def engine(**settings: Any) -> ArgosEngine:
    return ArgosEngine.from_settings({"threads": 1, "auto_install": False, **settings})


@pytest.mark.parametrize("target", ["en", "es"])
def test_spread__gives_what_the_engine_gives_in_its_own_process(pool: Pool, target: str) -> None:
    here = engine(batch_size=4).translate(TEXTS, source="fr", target=target)
    spread_engine = ArgosEngine.from_settings(
        {"auto_install": False, "batch_size": 4}, spread=SpreadBatches(pool.submit, workers=2)
    )
    assert spread_engine.translate(TEXTS, source="fr", target=target) == here
    # Every batch went through `submit`: more than one (batch_size 4), and only decoding;
    # each batch's result was fetched once, not once per sentence.
    assert len(pool.calls) > 4
    assert set(pool.calls) == {"decode_batch"}
    assert pool.fetched == len(pool.calls)


def test_spread__outputs_are_the_fixture_models(pool: Pool) -> None:
    spread_engine = ArgosEngine.from_settings(
        {"auto_install": False}, spread=SpreadBatches(pool.submit, workers=2)
    )
    english = spread_engine.translate(["Bonjour le monde."], source="fr", target="en")
    spanish = spread_engine.translate(["Bonjour le monde."], source="fr", target="es")
    assert english == ["BONJOUR LE MONDE."]
    assert spanish == ["OBAWBHE YR ZBAQR."]  # through English: uppercased, then ROT13


def test_spread__the_calling_process_loads_no_model(pool: Pool) -> None:
    spread_engine = ArgosEngine.from_settings(
        {"auto_install": False}, spread=SpreadBatches(pool.submit, workers=2)
    )
    spread_engine.translate(TEXTS, source="fr", target="es")
    models = spread_engine.models("fr", "es")
    assert [type(m.translator) for m in models] == [RemoteTranslator, RemoteTranslator]
    assert [m.workers for m in models] == [2, 2]


def test_spread__a_worker_loads_each_model_once(
    pool: Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []

    def load(package: Any, compute_type: str, workers: int) -> Any:
        loads.append(f"{package.source}-{package.target}")
        return real_load(package, compute_type, workers)

    real_load = spread.load_translator
    monkeypatch.setattr(spread, "load_translator", load)
    spread_engine = ArgosEngine.from_settings(
        {"auto_install": False, "batch_size": 2}, spread=SpreadBatches(pool.submit, workers=2)
    )
    spread_engine.translate(TEXTS, source="fr", target="es")
    spread_engine.translate(TEXTS[::-1], source="fr", target="es")
    assert len(pool.calls) > 20
    assert sorted(loads) == ["en-es", "fr-en"]


def test_spread__a_worker_without_the_package_names_it_and_the_fix(argos_home: Path) -> None:
    key = ModelKey("fr", "en", "9.9", "default")
    with pytest.raises(EngineError) as raised:
        decode_batch(key, [["▁Bonjour"]], {})
    assert "fr→en 9.9 is not installed on worker" in raised.value.message
    assert "translator models install" in (raised.value.hint or "")
