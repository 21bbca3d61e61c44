"""The thin Typer shell over the pipeline."""
