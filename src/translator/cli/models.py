"""`translator models …`: the Argos packages this machine has, and getting more.

Mounted by the main CLI with `app.add_typer(models_app, name="models")`.
Errors print one line, `Error: <what> — <how to fix>`, and exit with 3.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from translator._lazy import Lazy
from translator.errors import TranslatorError

if TYPE_CHECKING:
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn
    from rich.table import Table

    from translator.engines import models
else:
    # urllib, the package index and Rich's tables load when a models command runs.
    models = Lazy("translator.engines.models")
    DownloadColumn = Lazy("rich.progress", "DownloadColumn")
    Progress = Lazy("rich.progress", "Progress")
    TransferSpeedColumn = Lazy("rich.progress", "TransferSpeedColumn")
    Table = Lazy("rich.table", "Table")

__all__ = ("models_app",)

EXIT_CANNOT_RUN = 3

models_app = typer.Typer(
    help="Argos packages: list, install (from the Argos index or a file), remove.",
    no_args_is_help=True,
)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


@contextmanager
def _errors() -> Iterator[None]:
    """Print a `TranslatorError` as one line and exit with 3."""
    try:
        yield
    except TranslatorError as error:
        # escape(): a message may hold brackets that Rich would read as markup.
        _stderr().print(f"[red]Error:[/red] {escape(str(error))}")
        raise typer.Exit(EXIT_CANNOT_RUN) from None


@models_app.command("list")
def list_packages(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    index: Annotated[
        bool, typer.Option(help="Also ask the Argos index what can be installed.")
    ] = True,
) -> None:
    """Installed packages, and those the Argos index offers when it answers."""
    with _errors():
        installed = models.installed_pairs()
        offered: list[models.AvailablePackage] = []
        unreachable = None
        if index:
            try:
                offered = models.available_packages()
            except TranslatorError as error:  # offline is normal: say so, list the rest
                unreachable = str(error)
    if as_json:
        typer.echo(json.dumps(_as_json(installed, offered, unreachable), ensure_ascii=False))
        return
    _print_table(installed, offered)
    if unreachable:
        _stderr().print(f"[yellow]note:[/yellow] {escape(unreachable)}")


def _as_json(
    installed: list[models.InstalledPackage],
    offered: list[models.AvailablePackage],
    unreachable: str | None,
) -> dict[str, Any]:
    return {
        "installed": [{**dataclasses.asdict(p), "path": str(p.path)} for p in installed],
        "available": [dataclasses.asdict(p) for p in offered],
        "index_error": unreachable,
    }


def _print_table(
    installed: list[models.InstalledPackage], offered: list[models.AvailablePackage]
) -> None:
    table = Table("from", "to", "version", "where")
    for package in installed:
        table.add_row(package.source, package.target, package.version, escape(str(package.path)))
    have = {(p.source, p.target) for p in installed}
    for offer in offered:
        if (offer.source, offer.target) not in have:
            table.add_row(offer.source, offer.target, offer.version, "[dim]available[/dim]")
    Console(emoji=False).print(table)


@models_app.command()
def install(
    what: Annotated[
        list[str],
        typer.Argument(help="A pair (`fr en`, from the Argos index) or a `PATH.argosmodel` file."),
    ],
) -> None:
    """Install a package from a .argosmodel file, or a pair from the Argos index."""
    if len(what) not in (1, 2):
        raise typer.BadParameter("give a pair (`fr en`) or one PATH.argosmodel", param_hint="WHAT")
    with _errors():
        if len(what) == 1:
            done = [models.install_file(Path(what[0]))]
        else:
            with _download_bar(f"{what[0]}→{what[1]}") as progress:
                done = models.install_pair(what[0], what[1], progress=progress)
    for package in done:
        _stderr().print(
            f"installed {package.source}→{package.target} {package.version} "
            f"in {escape(str(package.path))}"
        )


@contextmanager
def _download_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback that shows a Rich bar once a download starts (not before)."""
    columns = (*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn())
    bar = Progress(*columns, console=_stderr(), transient=True)
    task = bar.add_task(label, total=None, start=False)

    def update(done: int, total: int) -> None:
        if not bar.live.is_started:
            bar.start()
            bar.start_task(task)
        bar.update(task, completed=done, total=total or None)

    try:
        yield update
    finally:
        if bar.live.is_started:
            bar.stop()


@models_app.command()
def remove(
    source: Annotated[str, typer.Argument(help="Language the package translates from.")],
    target: Annotated[str, typer.Argument(help="Language it translates into.")],
) -> None:
    """Uninstall a package."""
    with _errors():
        removed = models.remove(source, target)
    _stderr().print(f"removed {removed.source}→{removed.target} {removed.version}")
