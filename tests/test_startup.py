"""Start-up stays light: which modules the commands that do little load (no timing thresholds).

`translator --help`, `status` on an unchanged site and a rerun that
translates nothing must not import the engine (CTranslate2, Argos), Prefect
or the web app; `status` and the rerun parse no Markdown, so markdown-it is
not imported either. Times are in bench/startup.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sites import Site, make_site

NEVER = ("prefect", "ctranslate2", "argostranslate", "sentencepiece", "starlette", "uvicorn")
"""Packages no command that translates nothing needs."""

_MARK = "MODULES:"
_SCRIPT = f"""
import json, runpy, sys
sys.argv = ["translator", *json.loads(sys.argv[1])]
try:
    runpy.run_module("translator", run_name="__main__")
except SystemExit:
    pass
print({_MARK!r} + json.dumps(sorted(sys.modules)))
"""


def loaded_by(site: Site, *args: str) -> set[str]:
    """Top-level packages and translator modules loaded once `translator ARGS` has run."""
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, json.dumps(args)],
        cwd=site.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith(_MARK))
    names: list[str] = json.loads(line.removeprefix(_MARK))
    return {n.split(".")[0] for n in names} | {n for n in names if n.startswith("translator.")}


@pytest.fixture
def translated(tmp_path: Path) -> Site:
    """A one-post site translated once: the next status or run has nothing to do."""
    site = make_site(tmp_path)
    site.run_json()
    return site


def test_import_cli__loads_no_engine_flow_web_app_nor_markdown(tmp_path: Path) -> None:
    code = "import json, sys, translator.cli.app; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    names: list[str] = json.loads(done.stdout)
    loaded = {name.split(".")[0] for name in names} | set(names)
    assert loaded.isdisjoint({*NEVER, "markdown_it", "yaml", "translator.pipeline"})


def test_help__loads_no_engine_flow_nor_web_app(tmp_path: Path) -> None:
    # markdown-it is loaded here, by Typer's Rich help (rich.markdown), not by translator.
    loaded = loaded_by(make_site(tmp_path), "--help")
    assert loaded.isdisjoint(NEVER)
    assert loaded.isdisjoint({"translator.pipeline", "translator.markdown._markdown"})


def test_status_unchanged__loads_no_engine_nor_markdown_it(translated: Site) -> None:
    loaded = loaded_by(translated, "status")
    assert loaded.isdisjoint({*NEVER, "markdown_it", "translator.markdown.page"})


def test_rerun_unchanged__loads_no_engine_nor_markdown_it(translated: Site) -> None:
    loaded = loaded_by(translated, "run", "--engine", "pseudo")
    assert loaded.isdisjoint({*NEVER, "markdown_it", "translator.markdown.page"})


def test_rerun_unchanged__translates_nothing(translated: Site) -> None:
    # What the two tests above rely on: the rerun has nothing to read.
    assert translated.run_json()["translated_posts"] == 0


def test_run_changed__loads_markdown_it(translated: Site) -> None:
    # The other side: a post to translate does load the parser (the checks above can fail).
    translated.write("content/fr/post.md", translated.read("content/fr/post.md") + "\nEncore.\n")
    assert "markdown_it" in loaded_by(translated, "run", "--engine", "pseudo")
