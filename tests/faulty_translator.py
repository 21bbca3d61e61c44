"""The real `translator` command with one deliberate bug, to test that bugs stay isolated.

A bug cannot be found on purpose in correct code, so this script injects
one (an exception no check anticipates) and then runs the unchanged CLI:
`TRANSLATOR_FAULT=prepare:bug.md` raises while reading that post,
`TRANSLATOR_FAULT=status` raises inside `translator status`.
"""

from __future__ import annotations

import os
from typing import Any

from translator import pipeline
from translator.cli import app as cli


class InjectedBugError(Exception):
    """The deliberate bug."""


def _install(fault: str) -> None:
    if fault.startswith("prepare:"):
        name = fault.partition(":")[2]
        real = pipeline.prepare

        def prepare(context: pipeline.Context, item: pipeline.WorkItem) -> Any:
            if item.post.source.name == name:
                raise InjectedBugError(f"deliberate bug while reading {name}")
            return real(context, item)

        pipeline.prepare = prepare  # type: ignore[assignment]
    elif fault == "status":

        def copy_statuses(*args: object) -> Any:
            raise InjectedBugError("deliberate bug in status")

        cli.copy_statuses = copy_statuses  # type: ignore[assignment]


if __name__ == "__main__":
    _install(os.environ.get("TRANSLATOR_FAULT", ""))
    cli.main()
