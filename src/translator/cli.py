"""The `translator` command: a thin Typer shell over the library.

Each command parses its options, calls library functions and maps
`TranslatorError` to a one-line message and an exit code, in one place.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from translator import _markdown
from translator.engines import make_engine
from translator.errors import TranslatorError
from translator.files import atomic_write, decode_post, read_post
from translator.page import Page, RenderedPage, read_page, translate_pages

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_CANNOT_RUN = 3

EXIT_CODES_HELP = (
    "Exit codes: 0 all done; 1 some files failed (the others were written); "
    "2 bad usage; 3 nothing could run (engine, model, config, state or lock)."
)

app = typer.Typer(
    name="translator",
    help="Translate a Hugo site's posts offline, keeping every byte of Markdown structure. "
    + EXIT_CODES_HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
stderr = Console(stderr=True, highlight=False)

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(command: F) -> F:
    """Turn `TranslatorError` into `Error: <file>: <what> — <fix>` and exit code 3."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except TranslatorError as error:
            stderr.print(f"[red]Error:[/red] {error}", markup=True, soft_wrap=True)
            raise typer.Exit(EXIT_CANNOT_RUN) from None

    return wrapper  # type: ignore[return-value]


def fail_line(error: TranslatorError) -> None:
    """Report one failed file and go on."""
    stderr.print(f"[red]Error:[/red] {error}", markup=True, soft_wrap=True)


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
    translator_engine = make_engine(engine)
    rendered = translate_pages(
        md, list(pages.values()), translator_engine, source=source, target=target
    )
    for name, result in zip(pages, rendered, strict=True):
        _write_translation(name, result, output=output, out_dir=out_dir, quiet=as_json)
        for report in result.needs_review:
            stderr.print(f"{name}: {report.where}: needs review: {'; '.join(report.notes)}")
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
            text = (
                decode_post(sys.stdin.buffer.read(), path="<stdin>")
                if name == "-"
                else read_post(Path(name))
            )
            pages[name] = read_page(md, text)
        except TranslatorError as error:
            fail_line(error.at(name) if error.path is None else error)
            failed.append({"path": name, "reason": error.message})
    return pages, failed


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


def main() -> None:
    """Entry point of the `translator` console script."""
    app()


__all__ = ("app", "main")
