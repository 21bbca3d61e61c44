"""Where a slot's machine text came from, and when it must be translated again. Pure.

Each written slot records the engine, the model version and a hash of the
glossary entries that touched its source. A machine slot (never edited, not
reviewed) whose provenance differs from what the run's engine, model and
glossary would give is translated again. Identity and pseudo output is never
a translation: a real engine always replaces it, and a pseudo or identity run
never replaces a real engine's text.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from translator.markdown.glossary import Glossary
from translator.store.memory import UNREAL_ENGINES, SlotRecord

__all__ = (
    "Provenance",
    "Retranslate",
    "engine_counts",
    "engine_mix",
    "glossary_version",
    "is_stale",
    "keeps_real_text",
)

Retranslate = Literal["", "machine", "all-unreviewed"]
"""`--retranslate`: none (stale slots only), every machine slot, or every unreviewed slot."""


@dataclass(frozen=True, slots=True)
class Provenance:
    """What a run would translate a slot with."""

    engine: str
    """Engine name."""
    model: str
    """Its model version for the language pair ('' when it cannot be told)."""

    @property
    def real(self) -> bool:
        """A real translation engine, not identity or pseudo."""
        return self.engine not in UNREAL_ENGINES


def glossary_version(glossary: Glossary, language: str, source: str, *, code: str = "") -> str:
    """A short hash of the glossary entries whose term occurs in `source`; '' when none do.

    `language` is the site's key, `code` the engine's (see `Glossary.fixed_for`).
    """
    entries: list[list[str]] = [["keep", t] for t in glossary.do_not_translate if t in source]
    fixed = glossary.fixed_for(language, code)
    entries += [["fixed", t, fixed[t]] for t in sorted(fixed) if t in source]
    if not entries:
        return ""
    blob = json.dumps(sorted(entries), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:12]


def keeps_real_text(slot: SlotRecord, now: Provenance) -> bool:
    """A pseudo or identity run leaves a real engine's machine text as it is."""
    return not now.real and bool(slot.engine) and slot.engine not in UNREAL_ENGINES


def is_stale(slot: SlotRecord, now: Provenance, glossary: str) -> bool:
    """True for a machine slot the run's engine, model or glossary would translate otherwise."""
    if slot.state != "machine" or keeps_real_text(slot, now):
        return False
    if now.real and slot.engine in UNREAL_ENGINES:
        return True
    if slot.engine and slot.engine != now.engine:
        return True
    if slot.engine and now.model and slot.model and slot.model != now.model:
        return True
    # A slot from a v1 memory has no hash: it counts as translated with no glossary, so a
    # glossary that touches its source (already, or after a change) translates it again.
    return (slot.glossary or "") != glossary


def engine_mix(slots: Sequence[SlotRecord]) -> str:
    """`machine (pseudo 3/12)`-style detail: machine slots per engine, unreal ones named."""
    machine = [s.engine for s in slots if s.state != "edited" and s.written == s.machine]
    return engine_counts(machine, len(slots))


def engine_counts(engines: Sequence[str], total: int) -> str:
    """`pseudo 3/12` from the engine of each slot holding machine text, out of `total` slots."""
    counts = Counter(engine or "?" for engine in engines)
    return ", ".join(f"{engine} {count}/{total}" for engine, count in sorted(counts.items()))
