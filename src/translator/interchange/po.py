"""PO files for translators, read and written by translate-toolkit (`translate.storage.pypo`).

An entry is the Markdown of a slot, as po4a and mdpo make them: `msgid` the
French, `msgstr` the copy's English. Slots with the same French and the same
English are one entry listing every slot in its `#:` references
(`content/en/post.md:s3`: the copy and the slot's index); where one French
has several Englishes, each entry gets the first reference as its
`msgctxt`. Machine, conflict and outdated slots are `fuzzy`, as gettext marks
what a person must still check; a fuzzy entry is not applied on import (po4a
never uses one either). QA flags and labels are `#.` comments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from translate.storage import pypo

from translator.errors import InterchangeError
from translator.interchange.apply import Incoming
from translator.interchange.output import write_output
from translator.interchange.units import ExchangeUnit, exported_hash, parse_key

__all__ = ("read_po", "write_po")

_FUZZY = {"machine", "conflict", "outdated"}
_EXPORTED = "exported: "


@dataclass(slots=True)
class _Entry:
    """Slots that share their French, their English and their fuzziness."""

    source: str
    target: str
    fuzzy: bool
    references: list[str] = field(default_factory=list)
    notes: dict[str, None] = field(default_factory=dict)


def write_po(units: Sequence[ExchangeUnit], path: Path, *, source: str, target: str) -> None:
    """Write the slots (part 0 of each unit) as a PO file, identical ones merged."""
    entries: dict[tuple[str, str, bool], _Entry] = {}
    for unit in units:
        if unit.part:
            continue  # titles travel inside the slot's Markdown
        key = (unit.markdown_source, unit.markdown_target, unit.state in _FUZZY)
        entry = entries.setdefault(key, _Entry(*key))
        entry.references.append(f"{unit.copy}:s{unit.position}")
        entry.notes[f"{unit.copy} {unit.label}: {unit.state}"] = None
        entry.notes.update(dict.fromkeys(f"{unit.label}: {note}" for note in unit.notes))
    store = pypo.pofile()
    store.updateheader(
        add=True,
        Language=target,
        X_Source_Language=source,
        Project_Id_Version="translator",
        Content_Type="text/plain; charset=UTF-8",
    )
    clashes = Counter(entry.source for entry in entries.values())
    for entry in entries.values():
        store.addunit(_po_unit(entry, clashes[entry.source] > 1))
    write_output(path, bytes(store))


def _po_unit(entry: _Entry, needs_context: bool) -> pypo.pounit:
    node = pypo.pounit(entry.source)
    node.target = entry.target
    for reference in entry.references:
        node.addlocation(reference)
    for note in entry.notes:
        node.addnote(note, origin="developer")
    node.addnote(f"{_EXPORTED}{exported_hash(entry.target)}", origin="developer")
    if needs_context:
        node.setcontext(entry.references[0])
    node.markfuzzy(entry.fuzzy)
    return node


def _exported(node: pypo.pounit) -> str:
    notes = str(node.getnotes("developer")).splitlines()
    return next((n.removeprefix(_EXPORTED) for n in notes if n.startswith(_EXPORTED)), "")


def read_po(path: Path) -> list[Incoming]:
    """One incoming unit per slot reference of each translated entry."""
    try:
        store = pypo.pofile.parsefile(str(path))
    except (ValueError, OSError) as error:
        raise InterchangeError(f"not a PO file translator can read ({error})", path=path) from error
    found: list[Incoming] = []
    for node in store.units:
        if node.isheader() or node.isobsolete():
            continue
        for reference in node.getlocations():
            copy, _, key = reference.rpartition(":")
            where = parse_key(key)
            if not copy or where is None:
                raise InterchangeError(
                    f"reference {reference!r} was not written by translator", path=path
                )
            found.append(
                Incoming(
                    copy,
                    where[0],
                    0,
                    reference,
                    str(node.source),
                    str(node.target or ""),
                    "markdown",
                    fuzzy=node.isfuzzy(),
                    exported=_exported(node),
                )
            )
    return found
