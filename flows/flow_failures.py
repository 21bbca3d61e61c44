"""What the flow retries, what it reports at once, and how it waits for the site's lock.

Retrying is for failures that go away by themselves: SQLite busy or locked by
another process, a network error while an engine downloads a model. Everything
else fails the same way every time — a corrupt memory, a file where a folder
should be, a post that does not parse, a missing model — and is reported at
once, in one line, with no retry and no traceback.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
import urllib.error
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from prefect import State, Task
from prefect.client.schemas.objects import TaskRun
from prefect.task_engine import TaskRunTimeoutError

from translator.errors import StateError, TranslatorError
from translator.store.memory import site_lock

__all__ = ("LockHeld", "hold_site_lock", "is_transient", "one_line", "retry_if_transient")

RETRIES = 3
RETRY_DELAYS: list[float] = [1, 4, 16]
"""Seconds before each retry: a busy database usually frees within a second."""


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and its causes, innermost last."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _transient_one(error: BaseException) -> bool:
    if isinstance(error, sqlite3.OperationalError):
        # "database is locked" / "database table is locked" / "database is busy"
        text = str(error).lower()
        return "locked" in text or "busy" in text
    if isinstance(error, TaskRunTimeoutError):
        return False  # a task that ran out of time would only run out of time again
    # A download that failed or timed out on the way (model index, package): the
    # network comes back.
    return isinstance(error, urllib.error.URLError | ConnectionError | TimeoutError)


def is_transient(error: BaseException) -> bool:
    """True when the same call may succeed later, by itself."""
    return any(_transient_one(e) for e in _chain(error))


def retry_if_transient(task: Task[..., Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Prefect's `retry_condition_fn`: retry a task only when its failure is transient."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, BaseException) and is_transient(error)


def one_line(error: BaseException) -> str:
    """The error as the CLI prints it: `<file>: <what> — <fix>`, on one line."""
    if isinstance(error, TranslatorError):
        text = str(error)
    elif isinstance(error, OSError) and error.strerror:
        text = f"{error.filename}: {error.strerror}" if error.filename else error.strerror
    else:
        text = f"{type(error).__name__}: {error}"
    return " ".join(text.split())


class LockHeld(Exception):  # noqa: N818 — a condition, not an error: the run is Skipped
    """Another run held the site's lock for the whole wait."""

    def __init__(self, held: StateError, waited: float) -> None:
        super().__init__(
            f"{held.message} ({held.path}); waited {waited:.0f} s "
            "— this run did nothing, the next scheduled one will catch up"
        )


def _lock_held(error: StateError) -> bool:
    """site_lock's "held by another run" (a BlockingIOError underneath), not other states."""
    return isinstance(error.__cause__, BlockingIOError)


@contextlib.contextmanager
def hold_site_lock(state_dir: Path, wait: float, log: Callable[[str], None]) -> Iterator[None]:
    """Hold the site's lock, trying again with back-off for up to `wait` seconds; else `LockHeld`."""
    start, delay = time.monotonic(), 1.0
    with contextlib.ExitStack() as stack:
        while True:
            try:
                stack.enter_context(site_lock(state_dir, command="translate-new-posts"))
                break
            except StateError as error:
                waited = time.monotonic() - start
                if not _lock_held(error):
                    raise
                if waited >= wait:
                    raise LockHeld(error, waited) from None
                log(f"the site's lock is held by another run; trying again in {delay:.0f} s")
                time.sleep(min(delay, wait - waited))
                delay = min(delay * 2, 30.0)
        yield
