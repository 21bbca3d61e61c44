"""`translator export` and `translator import`: which file, which format, which units."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from translator.errors import InterchangeError, TranslatorError
from translator.interchange.apply import ImportSummary, Incoming, apply_units
from translator.interchange.po import read_po, write_po
from translator.interchange.units import EXCHANGE_STATES, ExchangeUnit, collect_units
from translator.interchange.xliff import read_xliff, write_xliff
from translator.pipeline import Context

__all__ = ("Format", "export_files", "import_files")

Format = Literal["xliff", "po"]
_SUFFIX = {"xliff": ".xlf", "po": ".po"}


def export_files(
    context: Context,
    paths: Sequence[Path],
    *,
    output: Path,
    fmt: Format,
    language: str | None = None,
    states: Sequence[str] = (),
) -> tuple[list[Path], int, list[TranslatorError]]:
    """Write the chosen slots: one file, or one per language into a folder. Returns what was written."""
    unknown = set(states) - set(EXCHANGE_STATES)
    if unknown:
        raise InterchangeError(
            f"unknown status {', '.join(sorted(unknown))}",
            hint=f"choose among {', '.join(EXCHANGE_STATES)}",
        )
    units, errors = collect_units(context, paths, language=language, states=states)
    by_language: dict[str, list[ExchangeUnit]] = {}
    for unit in units:
        by_language.setdefault(unit.language, []).append(unit)
    targets = {
        lang: by_language.get(lang, []) for lang in ([language] if language else by_language)
    }
    if output.is_dir() or output.suffix == "":
        output.mkdir(parents=True, exist_ok=True)
        files = {lang: output / f"translator-{lang}{_SUFFIX[fmt]}" for lang in targets}
    elif len(targets) > 1:
        raise InterchangeError(
            "the copies are in several languages", path=output, hint="give --lang, or a folder"
        )
    else:
        files = dict.fromkeys(targets, output)
    write = write_xliff if fmt == "xliff" else write_po
    source = context.config.source_language
    for lang, path in files.items():
        write(targets[lang], path, source=source, target=lang)
    return list(files.values()), len(units), errors


def import_files(context: Context, files: Sequence[Path]) -> ImportSummary:
    """Read every file (XLIFF or PO, by content) and apply its units to the copies."""
    units: list[Incoming] = []
    for path in files:
        units.extend(read_any(path))
    return apply_units(context, units)


def read_any(path: Path) -> list[Incoming]:
    """The units of an XLIFF or PO file, told apart by their first bytes."""
    try:
        head = path.read_bytes()[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as error:
        raise InterchangeError(f"cannot read ({error.strerror})", path=path) from error
    return read_xliff(path) if head.startswith(b"<") else read_po(path)
