"""Engines with no model: identity (returns its input) and pseudo-localisation.

Pseudo-localisation is what i18n teams use to test layouts before real
translations exist: every letter becomes an accented look-alike, the text is
padded by about a third (translations run longer than English) and wrapped
in brackets that make truncation visible. Tags are kept exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_TAG = re.compile(r"(<[^<>]*>)")
_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)


class IdentityEngine:
    """Returns every text unchanged: the reassembly round trip must be byte-exact."""

    name = "identity"

    def translate(self, texts: Sequence[str], *, source: str, target: str) -> list[str]:
        """The texts themselves."""
        return list(texts)

    def model_version(self, *, source: str, target: str) -> str:
        """Identity has no model."""
        return "identity"


class PseudoEngine:
    """Deterministic pseudo-localisation that keeps tags."""

    name = "pseudo"

    def translate(self, texts: Sequence[str], *, source: str, target: str) -> list[str]:
        """`⟦Ĥéļļö <g1>ŵöŕļð</g1> ···⟧` for `Hello <g1>world</g1>`."""
        return [pseudo_localize(text) for text in texts]

    def model_version(self, *, source: str, target: str) -> str:
        """Bumped when the transformation changes."""
        return "pseudo-1"


def pseudo_localize(text: str) -> str:
    """Accent every letter outside tags, pad by a third, bracket."""
    parts = _TAG.split(text)
    accented = "".join(p if i % 2 else p.translate(_ACCENTED) for i, p in enumerate(parts))
    words = len(_TAG.sub("", text))
    padding = "·" * max(1, words // 3) if words else ""
    return f"⟦{accented} {padding}⟧" if padding else f"⟦{accented}⟧"
