"""Random lives of a copy: sequences of editor, source, engine, glossary and memory operations.

After every run: nothing an editor wrote or approved (once recorded) has
vanished from both the copy and the memory; an approved copy holds no pseudo
or identity text unless its approval was forced; a published copy never
receives unreviewed machine text (default policy); the copy parses, and its
blocks are the source's blocks (of the same kinds) plus the editor's own; a
merge refused as unsafe left the copy untouched.

`make test` runs a few hundred sequences; `make soak` runs 2,000
(TRANSLATOR_SOAK=1). The number run is printed at the end of each test.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translator import pipeline
from translator.engines import make_engine
from translator.errors import TranslatorError
from translator.hugo.config import load_config
from translator.markdown import _markdown
from translator.markdown.document import read_values
from translator.markdown.page import read_page
from translator.review import status as review
from translator.store.blockmerge import read_blocks
from translator.store.memory import Memory, PostRecord

SOURCE, COPY = "content/fr/post.md", "content/en/post.md"
HUGO = '[languages.fr]\ncontentDir = "content/fr"\n[languages.en]\ncontentDir = "content/en"\n'
WORDS = ["chat", "maison", "Instagram", "jardin", "soleil", "livre", "rivière"]
FENCE = "```\nx = 1\n```"

_ENGINES: dict[str, Any] = {}
RUN = {"sequences": 0, "runs": 0, "refused": 0}
SOAK_EXAMPLES = int(os.environ.get("TRANSLATOR_SOAK_EXAMPLES", "2000"))
"""Sequences of the soak test (`make soak`); may be split over shards with different seeds."""


def french_block(n: int, word: str) -> str:
    return f"## Section {word}" if n % 4 == 3 else f"Le {word} numéro {n} est ici."


@dataclass
class World:
    """The site, the French blocks, and what the test knows about the editor's work."""

    root: Path
    french: list[str]
    history: list[list[str]] = field(default_factory=list)
    engine: str = "pseudo"
    terms: tuple[str, ...] = ()
    editor_texts: set[str] = field(default_factory=set)
    counter: int = 0

    def write_french(self) -> None:
        text = "---\ntitle: Un titre\n---\n\n" + "\n\n".join(self.french) + "\n"
        (self.root / SOURCE).write_text(text, encoding="utf-8")

    def copy(self) -> Path:
        return self.root / COPY


operation = st.one_of(
    st.tuples(st.just("fr_add"), st.integers(0, 9), st.sampled_from(WORDS)),
    st.tuples(st.just("fr_edit"), st.integers(0, 9), st.sampled_from(WORDS)),
    st.tuples(st.just("fr_delete"), st.integers(0, 9)),
    st.tuples(st.just("fr_revert")),
    st.tuples(st.just("ed_edit"), st.integers(0, 9)),
    st.tuples(st.just("ed_add"), st.integers(0, 9)),
    st.tuples(st.just("ed_delete"), st.integers(0, 9)),
    st.tuples(st.just("ed_swap"), st.integers(0, 9)),
    st.tuples(st.just("engine"), st.sampled_from(["pseudo", "argos"])),
    st.tuples(st.just("glossary"), st.sampled_from(WORDS)),
    st.tuples(st.just("approve"), st.booleans()),
    st.tuples(st.just("move_away")),
    st.tuples(st.just("forget_record")),
)


def _engine(name: str) -> Any:
    if name not in _ENGINES:
        settings_ = {"threads": 1, "auto_install": False} if name == "argos" else {}
        _ENGINES[name] = make_engine(name, settings_)
    return _ENGINES[name]


@contextmanager
def _context(world: World) -> Iterator[pipeline.Context]:
    config = load_config(world.root).with_overrides(engine=world.engine)
    with Memory.open(world.root / ".translator/memory.sqlite") as memory:
        yield pipeline.Context(config, memory, engine_factory=lambda: _engine(world.engine))


def _body_blocks(text: str) -> tuple[str, list[str]]:
    head, _, body = text.partition("\n---\n")
    return head + "\n---\n", [b for b in body.strip("\n").split("\n\n") if b]


def _editor(world: World, op: tuple[Any, ...]) -> None:
    path = world.copy()
    if not path.exists():
        return
    head, blocks = _body_blocks(path.read_text(encoding="utf-8"))
    if not blocks:
        return
    n = op[1] % len(blocks)
    world.counter += 1
    if op[0] == "ed_edit" and not blocks[n].startswith("```"):
        prefix = "## " if blocks[n].startswith("## ") else ""
        blocks[n] = f"{prefix}Editor wrote {world.counter}."
    elif op[0] == "ed_add":
        blocks.insert(n + 1, f"Editor's own block {world.counter}.")
    elif op[0] == "ed_delete":
        del blocks[n]
    elif op[0] == "ed_swap" and n + 1 < len(blocks):
        blocks[n], blocks[n + 1] = blocks[n + 1], blocks[n]
    path.write_text(head + "\n" + "\n\n".join(blocks) + "\n", encoding="utf-8")


def _french(world: World, op: tuple[Any, ...]) -> None:
    world.history.append(list(world.french))
    if op[0] == "fr_revert" and len(world.history) > 1:
        world.french = world.history[-2]
    elif op[0] == "fr_add":
        world.french.insert(op[1] % (len(world.french) + 1), french_block(op[1], op[2]))
    elif op[0] == "fr_edit" and world.french:
        n = op[1] % len(world.french)
        if not world.french[n].startswith("```"):
            world.french[n] = french_block(n, op[2])
    elif op[0] == "fr_delete" and len(world.french) > 1:
        del world.french[op[1] % len(world.french)]
    world.write_french()


def _other(world: World, op: tuple[Any, ...]) -> None:
    if op[0] == "engine":
        world.engine = op[1]
    elif op[0] == "glossary":
        terms = set(world.terms) ^ {op[1]}
        world.terms = tuple(sorted(terms))
        listed = ", ".join(f'"{t}"' for t in world.terms)
        (world.root / "translator.toml").write_text(f"[glossary]\ndo_not_translate = [{listed}]\n")
    elif op[0] == "approve" and world.copy().exists():
        # Refused by the guard, or a copy it cannot read: either way nothing is approved.
        with _context(world) as context, contextlib.suppress(TranslatorError):
            review.approve(context, [world.copy()], force=op[1])
    elif op[0] == "move_away" and world.copy().exists():
        world.copy().rename(world.root / f"moved-{world.counter}.md")
        world.counter += 1
    elif op[0] == "forget_record":
        with sqlite3.connect(world.root / ".translator/memory.sqlite") as db:
            db.execute("DELETE FROM posts")
        if world.copy().exists():  # a copy without a record is refused: move it too
            world.copy().rename(world.root / f"moved-{world.counter}.md")
            world.counter += 1


def _run(world: World) -> None:
    copy = world.copy()
    before = copy.read_text(encoding="utf-8") if copy.exists() else None
    with _context(world) as context:
        was = context.memory.post(SOURCE, "en")
        summary = pipeline.run(context)
        record = context.memory.post(SOURCE, "en")
        memory_texts = _memory_texts(context.memory)
    RUN["runs"] += 1
    after = copy.read_text(encoding="utf-8") if copy.exists() else None
    if summary.errors:
        RUN["refused"] += 1
        assert after == before, "a refused merge changed the copy"
        return
    assert after is not None and record is not None
    _check_editor_texts(world, after, memory_texts, record)
    _check_no_unreal_in_approved(record)
    _check_published(before, was, record)
    _check_structure(world, record)


def _memory_texts(memory: Memory) -> str:
    db = memory._db
    rows = db.execute(
        "SELECT written_text FROM kept UNION ALL SELECT written_text FROM retired UNION ALL"
        " SELECT written_text FROM slots UNION ALL SELECT written_text FROM posts"
    )
    return "\n".join(r[0] for r in rows)


def _check_editor_texts(world: World, copy: str, memory: str, record: PostRecord) -> None:
    for slot in record.slots:
        if (
            slot.state in ("edited", "reviewed", "conflict", "outdated")
            and "Editor" in slot.written
        ):
            world.editor_texts.add(slot.written)
    for text in world.editor_texts:
        assert text in copy or text in memory, f"lost: {text!r}"


def _check_no_unreal_in_approved(record: PostRecord) -> None:
    if record.status == "reviewed" and not record.approval.startswith("forced"):
        assert not any(s.unreal for s in record.slots)


def _check_published(before: str | None, was: PostRecord | None, record: PostRecord) -> None:
    if before is None or read_values(before).get("draft") is not False:
        return
    for slot in record.slots:
        if slot.state == "machine":
            assert slot.written in before, f"unreviewed text went live: {slot.written!r}"


def _check_structure(world: World, record: PostRecord) -> None:
    """What translator last wrote (the copy, unless an editor changed it since) parses and
    has the source's blocks plus the editor's."""
    copy = record.written_text
    md = _markdown.make_parser()
    page = read_page(md, copy)
    blocks = read_blocks(md, copy, page.document.body_start).blocks
    source_text = (world.root / SOURCE).read_text(encoding="utf-8")
    source_page = read_page(md, source_text)
    source = read_blocks(md, source_text, source_page.document.body_start).blocks
    origin = record.blocks if record.blocks is not None else tuple(range(len(blocks)))
    assert len(origin) == len(blocks)
    for block, m in zip(blocks, origin, strict=True):
        assert m < 0 or block.kind == source[m].kind
    if record.blocks is None:
        assert [b.kind for b in blocks] == [b.kind for b in source]


def _life(operations: list[tuple[tuple[Any, ...], bool]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "content/fr").mkdir(parents=True)
        (root / "hugo.toml").write_text(HUGO)
        world = World(root, [french_block(n, WORDS[n]) for n in range(3)] + [FENCE])
        world.write_french()
        _run(world)
        for op, run_after in operations:
            if op[0].startswith("fr_"):
                _french(world, op)
            elif op[0].startswith("ed_"):
                _editor(world, op)
            else:
                _other(world, op)
            if run_after:  # or not: the editor's and the source's changes then meet in one run
                _run(world)
        _run(world)
    RUN["sequences"] += 1


def _report(capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(f"\nlifecycle property: {RUN['sequences']} sequences, {RUN['runs']} runs,"
              f" {RUN['refused']} refused merges")  # fmt: skip


@pytest.mark.usefixtures("argos_home")
@settings(
    max_examples=int(os.environ.get("LIFECYCLE_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(st.lists(st.tuples(operation, st.booleans()), min_size=1, max_size=8))
def test_lifecycle__random_operation_sequences(
    operations: list[tuple[tuple[Any, ...], bool]],
) -> None:
    _life(operations)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("TRANSLATOR_SOAK"), reason="make soak (TRANSLATOR_SOAK=1)")
@pytest.mark.usefixtures("argos_home")
@settings(max_examples=SOAK_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(operation, st.booleans()), min_size=1, max_size=10))
def test_lifecycle__soak(operations: list[tuple[tuple[Any, ...], bool]]) -> None:
    _life(operations)


def test_lifecycle__sequences_were_run(capsys: pytest.CaptureFixture[str]) -> None:
    """Last in the file: how many sequences the tests above ran (printed, and checked)."""
    _report(capsys)
    wanted = SOAK_EXAMPLES if os.environ.get("TRANSLATOR_SOAK") else 200
    assert RUN["sequences"] >= wanted
