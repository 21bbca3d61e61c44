"""Every failure `translator` reports to a user, one class per kind.

The CLI catches `TranslatorError` in one place and prints `str(error)`, so each
message must read well on one line: the file, what is wrong, how to fix it.
"""

from __future__ import annotations

from pathlib import Path


class TranslatorError(Exception):
    """Base class of every error meant for the user (never a bug)."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        """What went wrong, without the location."""
        self.path = str(path) if path is not None else None
        """The file concerned, when there is one."""
        self.line = line
        """1-based line in that file, when known."""
        self.hint = hint
        """How to fix it, when we know."""

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        fix = f" — {self.hint}" if self.hint else ""
        return f"{where}{self.message}{fix}"

    def at(self, path: str | Path) -> TranslatorError:
        """Return the same error, now naming `path` (for errors raised by pure code)."""
        self.path = str(path)
        return self


class InputError(TranslatorError):
    """A source file cannot be read as text: binary, not UTF-8, unreadable."""


class FrontMatterError(TranslatorError):
    """A front matter block is present but does not parse (YAML, TOML or JSON)."""


class ReassemblyError(TranslatorError):
    """Putting segments back would change bytes outside the segments; nothing is written."""


class EngineError(TranslatorError):
    """An engine is unknown, cannot be loaded, or failed on a batch."""


class ModelNotInstalledError(EngineError):
    """No Argos package (nor a pivot through English) serves a language pair."""


class ConfigError(TranslatorError):
    """translator.toml or the Hugo config is invalid or points outside the site."""


class StateError(TranslatorError):
    """The memory database is corrupt, foreign, newer than us, or locked."""


class UnsafePathError(TranslatorError):
    """A write would land outside the target content directory (symlink, `..`)."""


class StructureChangedError(TranslatorError):
    """An editor changed a target copy's structure so its segments no longer align."""


class SpecialFileError(InputError):
    """A path named like a post is a FIFO, socket, device or folder: skipped, never opened."""


class TooLargeError(InputError):
    """A post is larger than the configured limit; refused before it is read."""


class NestingError(InputError):
    """Front matter or inline markup nests deeper than the documented limit (100 levels)."""


class BlockedPathError(TranslatorError):
    """A file stands where a folder is needed (or a folder where the copy goes)."""


class MemoryPermissionError(StateError):
    """The memory database or its folder cannot be read or written: permissions."""


class MemoryDamagedError(StateError):
    """The memory file is not an SQLite database, or fails SQLite's integrity check."""


class MemoryLostError(StateError):
    """The memory is missing or empty while copies carry translator's `translation:` block."""


class InternalError(TranslatorError):
    """An exception no check anticipated: a bug in translator, isolated to one post or command."""


class StaleCopyError(TranslatorError):
    """A copy changed on disk since an editor loaded it; the editor's action is refused."""


class EditRefusedError(TranslatorError):
    """An editor's text for a slot would change the copy's structure (a lost link, a new block)."""


class InterchangeError(TranslatorError):
    """An XLIFF, PO or TMX file, or a memory to merge, that translator cannot read."""


class HumanCopyError(TranslatorError):
    """A command meant for translator's copies was given a human copy (a page it did not write)."""


class ApprovalRefusedError(TranslatorError):
    """`approve` found conflicts, pseudo/identity text or unacknowledged QA flags in a copy."""

    def __init__(self, message: str, *, path: str | Path | None, reasons: tuple[str, ...]) -> None:
        super().__init__(
            message, path=path, hint="fix them, or approve anyway with --force (recorded)"
        )
        self.reasons = reasons
        """One `line N: what` per problem."""


class SlotCountError(StructureChangedError):
    """A memory record holds more or fewer slots than its copy has: it no longer fits the file."""


class MergeRefusedError(StructureChangedError):
    """The three-way merge of a copy's blocks is not safe; the copy is left untouched."""


class SchedulerError(TranslatorError):
    """`translator serve` cannot serve the flow: no Prefect, no flows/ folder, no server."""
