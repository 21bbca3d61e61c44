"""`translator models …`: the Argos packages this machine has, and getting more."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import DownloadColumn, Progress, TransferSpeedColumn
from rich.table import Table

from translator import models
from translator.errors import TranslatorError

models_app = typer.Typer(
    help="Argos packages: list, install (from the Argos index or a file), remove.",
    no_args_is_help=True,
)
_stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(error: TranslatorError) -> typer.Exit:
    _stderr.print(f"[red]Error:[/red] {error}", markup=True)
    return typer.Exit(3)


@models_app.command("list")
def list_models(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    available: Annotated[
        bool, typer.Option(help="Also ask the Argos index what can be installed.")
    ] = True,
) -> None:
    """Installed packages, and those the Argos index offers when it can be reached."""
    installed = models.installed_packages()
    offered: list[models.AvailablePackage] = []
    unreachable = ""
    if available:
        try:
            offered = models.available_packages()
        except TranslatorError as error:
            unreachable = str(error)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "installed": [
                        {**dataclasses.asdict(p), "path": str(p.path)} for p in installed
                    ],
                    "available": [dataclasses.asdict(p) for p in offered],
                    "index_error": unreachable or None,
                }
            )
        )
        return
    table = Table("from", "to", "version", "where")
    for package in installed:
        table.add_row(package.source, package.target, package.version, str(package.path))
    for offer in offered:
        table.add_row(offer.source, offer.target, offer.version, "[dim]available[/dim]")
    Console().print(table)
    if unreachable:
        _stderr.print(f"[yellow]note:[/yellow] {unreachable}", markup=True)


@models_app.command()
def install(
    what: Annotated[
        list[str], typer.Argument(help="A pair (`fr en`) or a file (`PATH.argosmodel`).")
    ],
) -> None:
    """Install a package from the Argos index, or from a .argosmodel file."""
    try:
        if len(what) == 1:
            found = models.install_file(Path(what[0]))
        elif len(what) == 2:
            found = _install_pair(*what)
        else:
            raise typer.BadParameter("give `fr en` or one PATH.argosmodel", param_hint="WHAT")
    except TranslatorError as error:
        raise _fail(error) from None
    _stderr.print(f"installed {found.source}→{found.target} {found.version} in {found.path}")


def _install_pair(source: str, target: str) -> models.InstalledPackage:
    columns = (*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, console=_stderr, transient=True) as bar:
        task = bar.add_task(f"{source}→{target}", total=None)
        return models.install_pair(
            source,
            target,
            progress=lambda done, total: bar.update(task, completed=done, total=total or None),
        )


@models_app.command()
def remove(
    source: Annotated[str, typer.Argument(help="Language the package translates from.")],
    target: Annotated[str, typer.Argument(help="Language it translates into.")],
) -> None:
    """Uninstall a package."""
    try:
        removed = models.remove_pair(source, target)
    except TranslatorError as error:
        raise _fail(error) from None
    _stderr.print(f"removed {removed.source}→{removed.target} {removed.version}")
