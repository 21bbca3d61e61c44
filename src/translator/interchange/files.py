"""`translator export` and `translator import`: which file, which format, which units."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from lxml import etree

from translator.errors import InterchangeError, TranslatorError
from translator.interchange.apply import ImportSummary, Incoming, apply_units
from translator.interchange.po import read_po, write_po
from translator.interchange.units import EXCHANGE_STATES, ExchangeUnit, collect_units
from translator.interchange.xliff import read_xliff, write_xliff
from translator.interchange.xliff2 import XLIFF2, read_xliff2, write_xliff2
from translator.pipeline import Context

__all__ = ("Format", "export_files", "import_files")

Format = Literal["xliff", "xliff12", "po"]
FORMATS: tuple[Format, ...] = ("xliff", "xliff12", "po")
_SUFFIX = {"xliff": ".xlf", "xliff12": ".xlf", "po": ".po"}
_WRITERS = {"xliff": write_xliff2, "xliff12": write_xliff, "po": write_po}


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
    write = _WRITERS[fmt]
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
    """The units of an XLIFF 2.0, XLIFF 1.2 or PO file, told apart by their content."""
    try:
        head = path.read_bytes()[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as error:
        raise InterchangeError(f"cannot read ({error.strerror})", path=path) from error
    if not head.startswith(b"<"):
        return read_po(path)
    return read_xliff2(path) if _is_xliff2(path) else read_xliff(path)


def _is_xliff2(path: Path) -> bool:
    # The 2.x namespace, or a 2.x version on a root in no namespace (2.1 keeps 2.0's).
    try:
        for _, root in etree.iterparse(str(path), events=("start",)):
            version = str(root.get("version", ""))
            return etree.QName(root).namespace == XLIFF2 or version.startswith("2.")
    except etree.XMLSyntaxError as error:
        raise InterchangeError(f"not an XML file ({error})", path=path) from error
    return False
