"""The glossary: terms kept verbatim and translations a site always uses.

Core data, not configuration: the QA checks and the provenance hash read it;
hugo/config.py only fills it from translator.toml.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ("Glossary",)

_NONE: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Glossary:
    """Terms the engine must not translate, and translations the site always uses."""

    do_not_translate: tuple[str, ...] = ()
    """Brand and product names kept verbatim (Instagram, TikTok, Hugo…)."""
    fixed: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    """Target language -> {source term: required translation}."""

    def fixed_for(self, language: str, code: str = "") -> Mapping[str, str]:
        """The fixed translations for a site language: the table under its Hugo key (`en-us`),
        else under its engine code (`en`).

        The one lookup: the renderer, the QA check and the provenance hash all ask
        here, so a table keyed `en` on an `en-us` site is applied, checked and hashed alike.
        """
        return self.fixed.get(language) or (self.fixed.get(code) if code else None) or _NONE
