"""The `translator` command: a thin Typer shell over the library.

Each command parses its options, calls library functions and maps
`TranslatorError` to a one-line message and an exit code, in one place.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from translator._lazy import Lazy
from translator.cli.models import models_app
from translator.errors import ApprovalRefusedError, ConfigError, TooLargeError, TranslatorError
from translator.store.files import MAX_POST_BYTES, atomic_write, decode_post, read_post
from translator.store.incidents import internal_error

if TYPE_CHECKING:
    import webbrowser

    from rich.progress import Progress, TaskID
    from rich.table import Column, Table

    from translator import human_copies, pipeline
    from translator.engines import check_engine_name, make_engine
    from translator.hugo.config import SiteConfig, find_site_root, load_config, write_init
    from translator.hugo.lost_memory import check_memory_kept
    from translator.markdown import _markdown
    from translator.markdown.page import Page, RenderedPage, read_page, translate_pages
    from translator.pipeline import Context
    from translator.review import status as review
    from translator.review.static_page import review_page_for_site, write_review_page
    from translator.review.status import copy_statuses
    from translator.store.memory import Memory, site_lock
else:
    # Imported when a command runs: `--help` needs none of them (see _lazy.py).
    Progress, Table = Lazy("rich.progress", "Progress"), Lazy("rich.table", "Table")
    Column = Lazy("rich.table", "Column")
    _markdown, pipeline = Lazy("translator.markdown._markdown"), Lazy("translator.pipeline")
    review, Context = Lazy("translator.review.status"), Lazy("translator.pipeline", "Context")
    human_copies = Lazy("translator.human_copies")
    find_site_root = Lazy("translator.hugo.config", "find_site_root")
    load_config = Lazy("translator.hugo.config", "load_config")
    write_init = Lazy("translator.hugo.config", "write_init")
    make_engine = Lazy("translator.engines", "make_engine")
    check_engine_name = Lazy("translator.engines", "check_engine_name")
    check_memory_kept = Lazy("translator.hugo.lost_memory", "check_memory_kept")
    Memory, site_lock = (
        Lazy("translator.store.memory", "Memory"),
        Lazy("translator.store.memory", "site_lock"),
    )
    read_page = Lazy("translator.markdown.page", "read_page")
    translate_pages = Lazy("translator.markdown.page", "translate_pages")
    copy_statuses = Lazy("translator.review.status", "copy_statuses")
    review_page_for_site = Lazy("translator.review.static_page", "review_page_for_site")
    write_review_page = Lazy("translator.review.static_page", "write_review_page")
    webbrowser = Lazy("webbrowser")

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_CANNOT_RUN = 3
EXIT_INTERNAL = 4

EXIT_CODES_HELP = (
    "Exit codes: 0 all done; 1 some files failed (the others were written); "
    "2 bad usage; 3 nothing could run (engine, model, config, state or lock); "
    "4 an internal error (a bug: traceback in .translator/internal-errors.log)."
)

app = typer.Typer(
    name="translator",
    help="Translate a Hugo site's posts offline, keeping every byte of Markdown structure. "
    + EXIT_CODES_HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(models_app, name="models")


@app.callback()
def _options(
    environment: Annotated[
        str | None,
        typer.Option(
            "--environment",
            "-e",
            help="Hugo environment: whose config/<env>/ is read over config/_default/, as "
            "`hugo --environment` does. Default: $HUGO_ENVIRONMENT, else $HUGO_ENV, else production.",
        ),
    ] = None,
) -> None:
    # Set as Hugo itself passes it on: every command and the libraries it calls read it.
    if environment:
        os.environ["HUGO_ENVIRONMENT"] = environment


stderr = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

F = TypeVar("F", bound=Callable[..., Any])

_ARGOS = "Argos engine (overrides translator.toml)"
BeamSize = Annotated[
    int | None, typer.Option(help="Beam size; 1 is greedy.", rich_help_panel=_ARGOS, min=1)
]
Threads = Annotated[
    int | None,
    typer.Option(help="CTranslate2 threads; 0 = all cores.", rich_help_panel=_ARGOS, min=0),
]
ComputeType = Annotated[
    str | None,
    typer.Option(
        help="CTranslate2 compute type: default (the model's own), auto, int8, float32… "
        "Which ones run depends on the CPU (int16 on some x86-64 only).",
        rich_help_panel=_ARGOS,
    ),
]
BatchSize = Annotated[
    int | None, typer.Option(help="Sentences per CTranslate2 batch.", rich_help_panel=_ARGOS, min=1)
]


def _engine_settings(**given: object) -> dict[str, Any]:
    return {key: value for key, value in given.items() if value is not None}


def reports_errors(command: F) -> F:
    """Turn `TranslatorError` into `Error: <file>: <what> — <fix>` and exit code 3.

    Any other exception is a bug: one line on the terminal, the traceback in
    the site's `.translator/internal-errors.log`, and exit code 4.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except TranslatorError as error:
            fail_line(error)
            raise typer.Exit(EXIT_CANNOT_RUN) from None
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as error:  # noqa: BLE001 — a bug: reported in one line, logged in full
            where = f"translator {command.__name__.removesuffix('_command')}"
            bug = internal_error(error, state_dir=_state_dir_here(), where=where, isolated=False)
            stderr.print(f"[red]Error:[/red] {escape(str(bug))}", markup=True, soft_wrap=True)
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper  # type: ignore[return-value]


def _state_dir_here() -> Path | None:
    """The `.translator/` folder of the site around the working directory, if any."""
    try:
        return load_config(find_site_root(Path.cwd())).state_dir
    except Exception:  # noqa: BLE001 — no site, or one that does not load: the log goes elsewhere
        return None


def fail_line(error: TranslatorError) -> None:
    """Report one failed file and go on."""
    # escape(): messages quote paths and settings such as `[engine]`, not Rich markup.
    stderr.print(f"[red]Error:[/red] {escape(str(error))}", markup=True, soft_wrap=True)


@app.command()
@reports_errors
def translate(
    files: Annotated[list[str], typer.Argument(help="Markdown files to translate; - reads stdin.")],
    source: Annotated[str, typer.Option("--from", help="Language of the files.")] = "fr",
    target: Annotated[str, typer.Option("--to", help="Language to translate into.")] = "en",
    engine: Annotated[
        str, typer.Option(help="argos (offline MT), pseudo (pseudo-localisation) or identity.")
    ] = "argos",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the one translation here.")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option(help="Write each translation here, under its file name.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON report on stdout instead.")
    ] = False,
    beam_size: BeamSize = None,
    threads: Threads = None,
    compute_type: ComputeType = None,
    batch_size: BatchSize = None,
) -> None:
    """Translate files statelessly: one file to stdout or -o, many into --out-dir.

    No memory, no site: every segment goes to the engine, in one batch for
    all the files. Segments whose tags the engine mangled are repaired or
    kept in the source language, and listed on stderr as needing review.
    """
    if len(files) > 1 and out_dir is None:
        raise typer.BadParameter("several files need --out-dir DIR", param_hint="FILES")
    if output is not None and out_dir is not None:
        raise typer.BadParameter("use -o or --out-dir, not both", param_hint="--output")
    md = _markdown.make_parser()
    pages, failed = _read_pages(md, files)
    if not pages:
        raise typer.Exit(EXIT_SOME_FAILED)
    settings = _engine_settings(
        beam_size=beam_size, threads=threads, compute_type=compute_type, batch_size=batch_size
    )
    translator_engine = make_engine(engine, settings)
    rendered = translate_pages(
        md, list(pages.values()), translator_engine, source=source, target=target
    )
    for name, result in zip(pages, rendered, strict=True):
        _write_translation(name, result, output=output, out_dir=out_dir, quiet=as_json)
        for report in result.needs_review:
            stderr.print(escape(f"{name}: {report.where}: needs review: {'; '.join(report.notes)}"))
    if as_json:
        summary = {
            "files": len(files),
            "translated": len(rendered),
            "needs_review": sum(len(r.needs_review) for r in rendered),
            "errors": failed,
        }
        typer.echo(json.dumps(summary))
    raise typer.Exit(EXIT_SOME_FAILED if failed else EXIT_OK)


def _read_pages(md: Any, files: list[str]) -> tuple[dict[str, Page], list[dict[str, str]]]:
    pages: dict[str, Page] = {}
    failed: list[dict[str, str]] = []
    for name in files:
        try:
            text = _read_stdin() if name == "-" else read_post(Path(name))
            pages[name] = read_page(md, text)
        except TranslatorError as error:
            fail_line(error.at(name) if error.path is None else error)
            failed.append({"path": name, "reason": error.message})
        except Exception as error:  # noqa: BLE001 — a bug, isolated to this file
            bug = internal_error(error, state_dir=_state_dir_here(), where=name)
            fail_line(bug)
            failed.append({"path": name, "reason": bug.message})
    return pages, failed


def _read_stdin() -> str:
    """Standard input, up to the size limit of a post (`/dev/zero` never ends)."""
    data = sys.stdin.buffer.read(MAX_POST_BYTES + 1)
    if len(data) > MAX_POST_BYTES:
        raise TooLargeError(f"over the limit of {MAX_POST_BYTES:,} bytes", path="<stdin>")
    return decode_post(data, path="<stdin>")


def _write_translation(
    name: str, result: RenderedPage, *, output: Path | None, out_dir: Path | None, quiet: bool
) -> None:
    if out_dir is not None:
        target = out_dir / ("stdin.md" if name == "-" else Path(name).name)
        atomic_write(target, result.text)
    elif output is not None:
        atomic_write(output, result.text)
    elif not quiet:
        sys.stdout.buffer.write(result.text.encode("utf-8"))
        sys.stdout.flush()


def _site(path: Path | None, *, source: str | None = None) -> SiteConfig:
    return load_config(find_site_root(path or Path.cwd()), source=source)


def _target_language(config: SiteConfig, lang: str | None) -> str | None:
    """`--lang` of review and export, as Hugo keys it; a language with no copies is refused.

    A typo (`--lang de` on an en/fr site, `--lang EN`) would otherwise select nothing
    and exit 0.
    """
    if lang is None:
        return None
    key = lang.strip().lower()
    known = [
        k
        for k in dict.fromkeys([*config.targets, *config.languages])
        if k != config.source_language
    ]
    if key in known or config.allow_unbuilt_targets:
        return key
    raise ConfigError(
        f"--lang {lang}: not a target language of this site",
        path=config.hugo_config,
        hint=f"use one of {', '.join(known) or '(none)'}",
    )


FromOption = Annotated[
    str | None,
    typer.Option(
        "--from", help="Source language (a Hugo language key); default: translator.toml's, else fr."
    ),
]


@contextlib.contextmanager
def _context(config: SiteConfig, *, command: str, lock: bool = True) -> Iterator[Context]:
    """The memory, and the site's lock for commands that write (readers open it read-only).

    A lost memory beside copies translator wrote stops the command, before
    anything is created (see `lost_memory`).
    """
    path = config.state_dir / "memory.sqlite"
    with contextlib.ExitStack() as stack:
        if lock:
            stack.enter_context(site_lock(config.state_dir, command=f"translator {command}"))
        check_memory_kept(config, path)
        memory = stack.enter_context(Memory.open(path, readonly=not lock))
        check_memory_kept(config, path, memory)
        yield Context(config, memory)


@app.command()
@reports_errors
def run(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Source posts or folders; default: the whole source content dir."),
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Target languages, comma-separated (en,es).")
    ] = None,
    source: FromOption = None,
    engine: Annotated[str | None, typer.Option(help="argos, pseudo or identity.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be translated; write nothing.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as one JSON object on stdout.")
    ] = False,
    retranslate: Annotated[
        str | None,
        typer.Option(
            help="Translate again, bypassing the memory: `machine` (every machine slot) or "
            "`all-unreviewed` (editors' unreviewed texts too; they stay in the memory, retired)."
        ),
    ] = None,
    beam_size: BeamSize = None,
    threads: Threads = None,
    compute_type: ComputeType = None,
    batch_size: BatchSize = None,
) -> None:
    """Translate new and changed posts of the site; keep editors' changes.

    Unchanged posts are skipped after hashing, without loading a model. Only
    segments the translation memory lacks go to the engine, in one batch.
    Machine text from another engine, model or glossary, and any pseudo or
    identity text under a real engine, is translated again.
    """
    if retranslate not in (None, "machine", "all-unreviewed"):
        raise typer.BadParameter("use machine or all-unreviewed", param_hint="--retranslate")
    config = _site(paths[0] if paths else None, source=source)
    config = config.with_overrides(targets=to.split(",") if to else None, engine=engine)
    settings = _engine_settings(
        beam_size=beam_size, threads=threads, compute_type=compute_type, batch_size=batch_size
    )
    config = dataclasses.replace(config, engine=dataclasses.replace(config.engine, **settings))
    check_engine_name(config.engine.name)
    # A dry run only reads: no lock, and no memory created on a first run.
    with (
        _context(config, command="run", lock=not dry_run) as context,
        _progress(quiet=as_json) as progress,
    ):
        engine_settings = {
            **config.engine.as_mapping(),
            "download_progress": lambda done, total: progress("download model", done, total),
        }
        context.engine_factory = lambda: make_engine(config.engine.name, engine_settings)
        context.retranslate = retranslate or ""  # type: ignore[assignment]
        summary = pipeline.run(context, paths or (), dry_run=dry_run, progress=progress)
    if as_json:
        typer.echo(json.dumps(summary.as_json(), ensure_ascii=False))
    else:
        _print_summary(summary)
    raise typer.Exit(_run_exit_code(summary))


def _run_exit_code(summary: pipeline.RunSummary) -> int:
    if summary.internal_errors:
        return EXIT_INTERNAL
    return EXIT_SOME_FAILED if summary.errors else EXIT_OK


@contextlib.contextmanager
def _progress(*, quiet: bool) -> Iterator[pipeline.Progress]:
    """A Rich progress bar on a terminal; a plain line per step otherwise."""
    if not stderr.is_terminal:
        shown: dict[str, int] = {}

        def plain(stage: str, done: int, total: int) -> None:
            tenth = 10 * done // total if total else 0
            if not quiet and shown.get(stage) != tenth:
                shown[stage] = tenth
                stderr.print(f"{stage}: {done}/{total}")

        yield plain
        return
    with Progress(transient=True, console=stderr) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        yield update


def _print_summary(summary: pipeline.RunSummary) -> None:
    for result in pipeline.iter_results(summary):
        mark = {"written": "[green]wrote[/]", "failed": "[red]failed[/]"}.get(
            result.action, result.action
        )
        why = f" — {result.reason}" if result.reason else ""
        stderr.print(f"{mark} {escape(f'{result.target} ({result.status}){why}')}", markup=True)
    for skipped in summary.skipped:
        stderr.print(f"[yellow]skipped[/] {escape(skipped['path'] + ' — ' + skipped['reason'])}")
    for orphan in summary.orphans:
        stderr.print(f"[yellow]orphan[/] {escape(orphan['source'])} ({orphan['language']})")
    for error in summary.errors:
        where = f"{error['path']}:{error['line']}" if error.get("line") else error["path"]
        stderr.print(f"[red]Error:[/] {escape(where + ': ' + error['reason'])}")
    if summary.skipped_formats:
        kinds = ", ".join(f"{n} {kind}" for kind, n in summary.skipped_formats.items())
        stderr.print(f"skipped pages in formats translator does not translate: {kinds}")
    if summary.excluded:
        stderr.print(f"excluded by translator.toml: {len(summary.excluded)} posts")
    if summary.human_copies:
        stderr.print(
            f"{summary.human_copies} human copies left alone (`translator adopt` registers them)"
        )
    verb, done = "translated", summary.translated_posts
    if summary.dry_run:
        verb, done = "would translate", summary.planned_posts
    stderr.print(
        f"{summary.posts} posts: {verb} {done}, skipped "
        f"{summary.skipped_posts - (done if summary.dry_run else 0)}; segments: {summary.segments_translated} translated, "
        f"{summary.segments_from_memory} from memory; {summary.edits_kept} edits kept, "
        f"{summary.conflicts} conflicts, {summary.restored} restored from memory, "
        f"{len(summary.errors)} errors"
    )


@app.command()
@reports_errors
def status(
    path: Annotated[Path | None, typer.Argument(help="Anywhere inside the site.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON list on stdout.")] = False,
    to: Annotated[
        str | None, typer.Option("--to", help="Target languages, comma-separated (en,es).")
    ] = None,
    source: FromOption = None,
) -> None:
    """Every page of every target language and its state (machine, human, missing, error…).

    Exits 1 when a copy needs attention before the site goes live — a conflict,
    an error, or a published copy that is outdated — so CI can gate on it.
    """
    config = _site(path, source=source).with_overrides(targets=to.split(",") if to else None)
    with _context(config, command="status", lock=False) as context:
        rows = copy_statuses(config, context.memory)
    if as_json:
        typer.echo(json.dumps([_status_json(r) for r in rows], ensure_ascii=False))
    else:
        _print_status(rows)
    raise typer.Exit(EXIT_SOME_FAILED if any(r.blocking for r in rows) else EXIT_OK)


def _stdout() -> Console:
    """stdout; into a pipe or a file, as wide as the rows, so each row is one greppable line."""
    console = Console(emoji=False)
    return console if console.is_terminal else Console(width=_PIPE_WIDTH, emoji=False)


_PIPE_WIDTH = 10_000


def _table(*headers: str) -> Table:
    """A table whose cells wrap instead of ending in `…`: a cut path names no file."""
    return Table(*(Column(header, overflow="fold") for header in headers))


def _status_json(row: review.CopyStatus) -> dict[str, Any]:
    return {**dataclasses.asdict(row), "retired": list(row.retired), "blocking": row.blocking}


def _print_status(rows: list[review.CopyStatus]) -> None:
    table = _table("source", "lang", "state", "copy", "detail")
    for row in rows:
        state = row.state + (f" ({row.engines})" if row.engines else "")
        state += (" (edited)" if row.edited else "") + (" (published)" if row.published else "")
        detail = row.detail + (f", {len(row.retired)} retired" if row.retired else "")
        cells = (row.source, row.language, state, row.target, detail)
        table.add_row(*(escape(cell) for cell in cells))
    _stdout().print(table)


@app.command()
@reports_errors
def approve(
    paths: Annotated[
        list[Path], typer.Argument(help="Copies (content/en/post.md, post.en.md) or their sources.")
    ],
    force: Annotated[
        bool,
        typer.Option(help="Approve despite conflicts, pseudo text or QA flags (recorded)."),
    ] = False,
    segment: Annotated[
        list[int] | None,
        typer.Option(help="Approve only the segment at this line of the copy (repeatable)."),
    ] = None,
) -> None:
    """Mark copies reviewed as they are now; publish them if the review policy says so.

    Refused, with each reason and its line, for a copy with a conflict, an
    outdated slot, pseudo or identity text, or QA flags on machine text, or
    whose source changed since the last run; --force approves anyway and the
    copy records that it was forced.
    """
    config = _site(paths[0])
    with _context(config, command="approve") as context:
        try:
            done = review.approve(context, paths, force=force, lines=segment or ())
        except ApprovalRefusedError as error:
            where = escape(str(error.path))
            stderr.print(f"[red]Error:[/red] {where}: not approved:", markup=True)
            for reason in error.reasons:
                stderr.print(f"  {error.path}:{reason}", markup=False)
            stderr.print(f"  — {error.hint}", markup=False)
            raise typer.Exit(EXIT_SOME_FAILED) from None
    for approval in done:
        if approval.forced:
            why = "; ".join(approval.forced)
            stderr.print(f"approved {approval.target} (forced past: {why})", markup=False)
        else:
            stderr.print(f"approved {approval.target} ({approval.slots} segments)", markup=False)


@app.command()
@reports_errors
def adopt(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Human copies or their sources, or folders; default: every one."),
    ] = None,
    source: FromOption = None,
) -> None:
    """Register translations translator did not write (human copies) in the memory.

    Where a copy has its source's block structure, each segment pair becomes
    human-reviewed text, reused for the same source text elsewhere in the
    site; otherwise the copy is recorded as human without segments. Copies
    are never changed.
    """
    config = _site(paths[0] if paths else None, source=source)
    with _context(config, command="adopt") as context:
        done, failed = human_copies.adopt(context, paths or ())
    for item in done:
        what = (
            f"{item.segments} segments"
            if item.segments is not None
            else f"structure differs ({item.reason}): recorded without segments"
        )
        stderr.print(escape(f"adopted {item.target} ({item.language}): {what}"))
    for error in failed:
        fail_line(error)
    raise typer.Exit(EXIT_SOME_FAILED if failed else EXIT_OK)


retired_app = typer.Typer(
    help="Editors' texts kept in the memory after their source paragraph was deleted.",
    no_args_is_help=True,
)
app.add_typer(retired_app, name="retired")


@retired_app.command("list")
@reports_errors
def retired_list(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Copies, sources or folders; default: the whole site."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON list on stdout.")] = False,
) -> None:
    """List retired texts: number, copy, the source they translated, when, and the text."""
    from translator.review.retired import list_retired

    config = _site(paths[0] if paths else None)
    with _context(config, command="retired list", lock=False) as context:
        entries = list_retired(context, paths or ())
    if as_json:
        rows = [{**dataclasses.asdict(e.text), "copy": e.copy} for e in entries]
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = _table("id", "copy", "was at", "source (deleted)", "retired", "text")
    for entry in entries:
        found = entry.text
        cells = (str(found.ident), entry.copy or f"{found.source_path} ({found.target})",
                 found.label, found.source, found.retired, found.text)  # fmt: skip
        table.add_row(*(escape(cell) for cell in cells))
    _stdout().print(table)
    count = f"{len(entries)} retired text" + ("" if len(entries) == 1 else "s")
    stderr.print(f"{count}; `translator retired restore ID --at LINE` puts one back")


@retired_app.command("restore")
@reports_errors
def retired_restore(
    ident: Annotated[int, typer.Argument(help="The number `translator retired list` shows.")],
    at: Annotated[
        int,
        typer.Option(
            "--at",
            help="A line of the copy: the slot there (paragraph, title…) gets the text.",
            min=1,
        ),
    ],
    site: Annotated[Path | None, typer.Option(help="Anywhere inside the site.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Put a retired text back into its copy, in the slot at --at LINE, as an editor's text.

    The slot's text is replaced (the words only: its markup must match); the
    next run keeps it as any editor's edit, and it leaves the retired list.
    """
    from translator.review.retired import restore_retired

    config = _site(site)
    with _context(config, command="retired restore") as context:
        done = restore_retired(context, ident, at)
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(done), ensure_ascii=False))
    else:
        stderr.print(escape(f"restored retired text {done.ident} into {done.copy} ({done.label})"))


@app.command("review")
@reports_errors
def review_command(
    path: Annotated[Path | None, typer.Argument(help="Anywhere inside the site.")] = None,
    lang: Annotated[str | None, typer.Option(help="Only copies in this language.")] = None,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="A .html file: one page of the copies waiting; a folder: an index page and "
            "one page per copy.",
        ),
    ] = Path("review.html"),
    open_page: Annotated[bool, typer.Option("--open", help="Open the page in a browser.")] = False,
    serve: Annotated[
        bool,
        typer.Option("--serve", help="Run the editors' workbench on 127.0.0.1 (Ctrl-C stops it)."),
    ] = False,
    port: Annotated[
        int, typer.Option(help="Port of the workbench; 0 picks a free one.", min=0, max=65535)
    ] = 8770,
) -> None:
    """Review copies: the editors' workbench in the browser (--serve), or a static page.

    --serve: a local web app where editors filter the copies, edit slots,
    accept machine suggestions, mark slots reviewed and approve copies; it
    writes the files in place. Bound to 127.0.0.1, logged in by the URL it
    prints. Without --serve: one static HTML page of the copies waiting for
    review (QA flags, conflicts, what changed in the source), or with -o DIR
    an index page and one page per copy; no server, no JavaScript, no network.
    """
    config = _site(path)
    lang = _target_language(config, lang)
    if serve:
        # Imported here: the web stack loads only for the workbench.
        from translator.review.workbench import serve as serve_workbench

        serve_workbench(config, port=port, open_browser=open_page, say=stderr.print, language=lang)
        return
    if output.suffix != ".html":
        from translator.review.workbench import export

        written = export(config, output, language=lang)
        stderr.print(
            f"wrote {escape(str(written))} and one page per copy in {escape(str(output / 'copies'))}"
        )
        if open_page:
            webbrowser.open(written.absolute().as_uri())
        return
    with _context(config, command="review", lock=False) as context:
        page = review_page_for_site(config, context.memory, language=lang)
    written = write_review_page(output, page)
    stderr.print(f"wrote {escape(str(written))}")
    if open_page:
        webbrowser.open(written.absolute().as_uri())


@app.command("serve")
@reports_errors
def serve_command(
    site: Annotated[
        Path | None, typer.Argument(help="The Hugo site (anywhere inside it); default: here.")
    ] = None,
) -> None:
    """Serve the scheduled Prefect flow for SITE until Ctrl-C (prefect.yaml's schedule).

    Uses the Prefect server at PREFECT_API_URL, else one on 127.0.0.1:4200
    (started in the background if none answers). Prints the PREFECT_API_URL
    to export in another shell and the `prefect deployment run` command that
    starts a run now. Needs a checkout of translator's repository (flows/).
    """
    from translator.cli.flow_serve import serve_site

    serve_site(_site(site).root, say=stderr.print)


@app.command()
@reports_errors
def init(
    path: Annotated[Path, typer.Argument(help="The site's root.")] = Path("."),
    force: Annotated[bool, typer.Option(help="Overwrite an existing translator.toml.")] = False,
    git: Annotated[
        bool, typer.Option("--git", help="Set up the git merge driver for the memory instead.")
    ] = False,
) -> None:
    """Write a commented translator.toml with every setting and its default (--git: see below).

    --git appends the memory's merge driver line to .gitattributes and prints
    the one `git config` command to run (git never takes drivers from a repository).
    """
    if git:
        from translator.interchange.memory_merge import git_init

        stderr.print(f"wrote {git_init(path)}; now run, once per clone:")
        typer.echo(git_config_command_text())
        return
    stderr.print(f"wrote {write_init(path, force=force)}")


def git_config_command_text() -> str:
    """The `git config` command `init --git` prints."""
    from translator.interchange.memory_merge import git_config_command

    return git_config_command()


@app.command("export")
@reports_errors
def export_command(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Copies, sources or folders; default: every copy.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="xliff (XLIFF 2.0), xliff12 (XLIFF 1.2) or po.")
    ] = "xliff",
    lang: Annotated[str | None, typer.Option(help="Only copies in this language.")] = None,
    status_filter: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="Only slots in these states: machine,edited,conflict,reviewed,outdated.",
        ),
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="A file, or a folder for one file per language.")
    ] = Path("translations"),
) -> None:
    """Write the copies' slots as an XLIFF or PO file for translators (any CAT tool)."""
    from translator.interchange.files import FORMATS, export_files

    if fmt not in FORMATS:
        raise typer.BadParameter(
            f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="--format"
        )
    config = _site(paths[0] if paths else None)
    lang = _target_language(config, lang)
    states = status_filter.split(",") if status_filter else []
    with _context(config, command="export", lock=False) as context:
        written, count, errors = export_files(
            context,
            paths or (),
            output=output,
            fmt=next(f for f in FORMATS if f == fmt),
            language=lang,
            states=states,
        )
    for error in errors:
        fail_line(error)
    for path in written:
        stderr.print(f"wrote {path}")
    stderr.print(f"{count} units exported")
    raise typer.Exit(EXIT_SOME_FAILED if errors else EXIT_OK)


@app.command("import")
@reports_errors
def import_command(
    files: Annotated[list[Path], typer.Argument(help="Translated XLIFF or PO files.")],
    site: Annotated[Path | None, typer.Option(help="Anywhere inside the site.")] = None,
) -> None:
    """Apply a translated XLIFF or PO file to the copies, exactly as an editor's edits.

    A unit whose French changed since the export, or whose inline codes are
    missing, duplicated or crossed, is reported and not applied (exit 1).
    """
    from translator.interchange.files import import_files

    config = _site(site)
    with _context(config, command="import") as context:
        summary = import_files(context, files)
    for outcome in summary.outcomes:
        if outcome.result in ("refused", "skipped"):
            stderr.print(f"{outcome.result} {outcome.ident}: {outcome.reason}")
    stderr.print(
        f"{len(summary.outcomes)} units: {summary.count('applied')} applied, "
        f"{summary.count('unchanged')} unchanged, {summary.count('skipped')} skipped, "
        f"{summary.count('refused')} refused"
    )
    raise typer.Exit(EXIT_SOME_FAILED if summary.refused else EXIT_OK)


memory_app = typer.Typer(
    help="The translation memory as TMX, its git merge driver, and its rebuild from the copies.",
    no_args_is_help=True,
)
app.add_typer(memory_app, name="memory")


@memory_app.command("export")
@reports_errors
def memory_export(
    output: Annotated[Path, typer.Option("--output", "-o", help="The TMX file to write.")],
    site: Annotated[Path | None, typer.Option(help="Anywhere inside the site.")] = None,
) -> None:
    """Write the memory's machine units and editors' texts as TMX 1.4b."""
    from translator.interchange.tmx import human_units_of, write_tmx
    from translator.interchange.units import collect_units

    config = _site(site)
    with _context(config, command="memory export", lock=False) as context:
        units, errors = collect_units(context)
        human = [
            *context.memory.human_units(),
            *human_units_of(units, source=config.source_language),
        ]
        machine = context.memory.machine_units()
        markup = {u.source: u.codes for u in units}
        write_tmx(output, machine, human, source=config.source_language, markup=markup)
    for error in errors:
        fail_line(error)
    stderr.print(f"wrote {output}: {len(machine)} machine units, {len(human)} human units")


@memory_app.command("import")
@reports_errors
def memory_import(
    files: Annotated[list[Path], typer.Argument(help="TMX files.")],
    site: Annotated[Path | None, typer.Option(help="Anywhere inside the site.")] = None,
) -> None:
    """Add a TMX file's units to the memory; units it already has are kept."""
    from translator.interchange.tmx import read_tmx

    config = _site(site)
    with _context(config, command="memory import") as context:
        for path in files:
            machine, human = read_tmx(path)
            added = context.memory.add_units(machine, human)
            stderr.print(f"{path}: {len(machine) + len(human)} units, {added} new")


@memory_app.command("merge")
@reports_errors
def memory_merge(
    base: Annotated[Path, typer.Argument(help="The common ancestor's memory (git's %O).")],
    ours: Annotated[Path, typer.Argument(help="Our memory, replaced by the merge (git's %A).")],
    theirs: Annotated[Path, typer.Argument(help="Their memory (git's %B).")],
) -> None:
    """git merge driver for .translator/memory.sqlite: merge two memories row by row."""
    from translator.interchange.memory_merge import merge_memories

    report = merge_memories(base, ours, theirs)
    stderr.print(
        f"translator memory: {report.units_added} units and "
        f"{len(report.records_taken)} copies' records taken from the other branch"
    )
    for copy in report.records_merged:
        stderr.print(f"changed on both branches, merged slot by slot: {escape(copy)}")
    for copy in report.conflicts:
        stderr.print(f"changed on both branches, run again: translator run {escape(copy)}")


@memory_app.command("rebuild")
@reports_errors
def memory_rebuild(
    site: Annotated[Path | None, typer.Option(help="Anywhere inside the site.")] = None,
    source: FromOption = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace a healthy memory (kept beside it as a backup)."),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as one JSON object on stdout.")
    ] = False,
) -> None:
    """Rebuild a lost or damaged .translator/memory.sqlite from the copies and their sources.

    Copies carrying translator's `translation:` block are paired with their
    source slot by slot; the engine's text comes back as machine text, any
    other words as an editor's. A damaged memory is kept beside it as a backup;
    a healthy one is replaced only with --force. Exit 1 when some copies could
    not be paired (they are listed, and left alone).
    """
    from translator.memory_rebuild import rebuild
    from translator.store import memory_backup

    config = _site(site, source=source)
    path = config.state_dir / "memory.sqlite"
    built = path.with_name(f"{path.name}.rebuilding")
    with site_lock(config.state_dir, command="translator memory rebuild"):
        backup = memory_backup.set_aside(path, force=force)
        if backup is not None:
            stderr.print(escape(f"the old memory is kept as {_shown(backup)}"))
        memory_backup.clear(built)  # what a rebuild that was stopped left behind
        with Memory.open(built) as memory:
            report = rebuild(Context(config, memory))
        memory_backup.replace_memory(built, path)
    if as_json:
        shown = {"memory": _shown(path), "backup": _shown(backup) if backup else None}
        typer.echo(json.dumps({**shown, **report.as_json()}, ensure_ascii=False))
    for item in report.unpaired:
        stderr.print(f"[red]Error:[/red] {escape(item.target)}: not rebuilt: {escape(item.reason)}")
    stderr.print(
        f"rebuilt {_shown(path)}: {len(report.copies)} copies, {report.slots} slots "
        f"({report.human} an editor's or reviewed), {report.units} units translated again; "
        f"{len(report.unpaired)} copies not rebuilt",
        markup=False,
    )
    raise typer.Exit(EXIT_SOME_FAILED if report.unpaired else EXIT_OK)


def _shown(path: Path) -> str:
    """`path` relative to the working directory when it is below it."""
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def main() -> None:
    """Entry point of the `translator` console script."""
    app()


__all__ = ("app", "main")
