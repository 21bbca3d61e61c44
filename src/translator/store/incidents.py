"""Internal errors: an exception no check anticipated is a bug in translator.

It is isolated like any bad post (the run goes on), reported on one line,
and its traceback goes to a log file under the site's `.translator/`, not to
the terminal, so that a user sees what failed and a maintainer gets the rest.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import traceback
from pathlib import Path

from translator.errors import InternalError

__all__ = ("LOG_NAME", "display", "internal_error")

LOG_NAME = "internal-errors.log"
_SHORT = 200


def internal_error(
    error: BaseException, *, state_dir: Path | None, where: str, isolated: bool = True
) -> InternalError:
    """Log `error` with its traceback; the one-line `InternalError` that names the log.

    `isolated`: the error concerned one post, and the run went on without it.
    """
    log = _append(_entry(error, where), state_dir)
    place = f"the traceback is in {log}" if log else "no log could be written"
    text = " ".join(str(error).split())
    text = text if len(text) <= _SHORT else text[:_SHORT] + "…"
    return InternalError(
        f"internal error (a bug in translator): {type(error).__name__}: {text}",
        path=display(where),
        hint=f"{place}; please report it" + (". The rest of the run went on" if isolated else ""),
    )


def display(path: str | Path) -> str:
    """A path printable on any terminal: undecodable bytes of a file name become `\\x..`."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _entry(error: BaseException, where: str) -> str:
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    trace = "".join(traceback.format_exception(error))
    return f"--- {stamp} pid {os.getpid()} {display(where)}\n{trace}\n"


def _append(entry: str, state_dir: Path | None) -> Path | None:
    """Append to the site's log; else to one in the temporary folder; None if neither works."""
    folders = [state_dir] if state_dir is not None else []
    for folder in [*folders, Path(tempfile.gettempdir())]:
        path = folder / (LOG_NAME if folder == state_dir else f"translator-{LOG_NAME}")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
            descriptor = os.open(path, flags, 0o644)
            with os.fdopen(descriptor, "a", encoding="utf-8", errors="backslashreplace") as log:
                log.write(entry)
            return path
        except OSError:
            continue
    return None
