"""Names imported on first use, so `translator --help` starts without the whole pipeline.

`python -X importtime -m translator --help` showed most of the start-up in
modules a command needs only once it runs (markdown-it, the pipeline,
PyYAML, the review page, urllib for the model index). The CLI binds those
names to `Lazy` proxies; the first call or attribute access imports them.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ("Lazy",)


class Lazy:
    """A module, or a name in a module, imported when first called or looked into."""

    __slots__ = ("_found", "_module", "_name")

    def __init__(self, module: str, name: str | None = None) -> None:
        self._module = module
        self._name = name
        self._found: Any = None

    def _target(self) -> Any:
        # Kept once found: a run calls some of these for every slot of every page.
        if self._found is None:
            module = importlib.import_module(self._module)
            self._found = module if self._name is None else getattr(module, self._name)
        return self._found

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._target()(*args, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._target(), attribute)
