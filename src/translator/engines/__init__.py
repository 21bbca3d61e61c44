"""Translation engines: one interface, one table of names.

An engine translates a batch of single-line texts whose inline markup travels
as tags (`<g1>…</g1>`, `<x2/>`); it returns one text per input, in order, and
keeps the tags (it may move them). Heavy engines are imported inside their
factory, never when this package is imported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Protocol

from translator.errors import EngineError

__all__ = ("ENGINES", "Engine", "make_engine")


class Engine(Protocol):
    """Anything that translates a batch of tagged texts for a language pair."""

    name: str
    """The name users pick it by (`--engine NAME`)."""

    def translate(self, texts: Sequence[str], *, source: str, target: str) -> list[str]:
        """One translation per text, in order, tags kept."""
        ...

    def model_version(self, *, source: str, target: str) -> str:
        """What produced the translations, for the memory (a package version, say)."""
        ...


def _identity(settings: Mapping[str, Any]) -> Engine:
    from translator.engines.pseudo import IdentityEngine

    return IdentityEngine()


def _pseudo(settings: Mapping[str, Any]) -> Engine:
    from translator.engines.pseudo import PseudoEngine

    return PseudoEngine()


def _argos(settings: Mapping[str, Any]) -> Engine:
    from translator.engines.argos import ArgosEngine

    return ArgosEngine.from_settings(settings)


ENGINES: Mapping[str, Callable[[Mapping[str, Any]], Engine]] = MappingProxyType(
    {"identity": _identity, "pseudo": _pseudo, "argos": _argos}
)


def check_engine_name(name: str) -> None:
    """Refuse an unknown engine name (a typo) before a run reads any post."""
    if name not in ENGINES:
        raise EngineError(
            f"unknown engine {name!r}", hint=f"choose one of: {', '.join(sorted(ENGINES))}"
        )


def make_engine(name: str, settings: Mapping[str, Any] | None = None) -> Engine:
    """The engine called `name`, built with its settings."""
    check_engine_name(name)
    return ENGINES[name](settings or {})
