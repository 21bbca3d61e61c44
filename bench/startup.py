"""Start-up of `translator --help`, `status` on an unchanged site and a rerun that translates nothing.

    PYTHONPATH=src python bench/startup.py [--rounds 5]

Builds a one-post site, translates it with the identity engine, then runs
each command `--rounds` times in a fresh interpreter and prints the least of:

- import: the import time `python -X importtime` reports for the command's
  modules (top-level cumulative times summed), less that of a bare
  interpreter (`python -c pass`), which no code of ours can change;
- wall: the wall time of the whole command, interpreter start-up included;
- cpu: its CPU time (user + system), which the machine's load skews less;

then the five packages whose imports cost most in the last round, and PASS or
FAIL against the issue's target (import under 0.3 s). The floor line imports
only what Typer needs to parse options and print help (Typer 0.29 converts
every option through pydantic; its Rich help imports markdown-it). Wall times on a shared
machine vary with its load: the least of several rounds is the fair one.
The first run (which builds the site) caches bytecode as a user's first run
does, even where the shell sets PYTHONDONTWRITEBYTECODE.
Not a test (tests/test_startup.py guards which modules load).
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
TARGET = 0.3
"""Seconds of import time the issue allows each command."""
HUGO = """\
defaultContentLanguage = "fr"
[languages.fr]
contentDir = "content/fr"
[languages.en]
contentDir = "content/en"
"""
POST = "---\ntitle: Un billet\n---\n\nUn paragraphe avec un [lien](https://exemple.fr/).\n"
COMMANDS = (("--help",), ("status",), ("run", "--engine", "identity"))
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


def python(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall time, CPU time and stderr of `python ARGS` with this checkout's sources first."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "NO_COLOR": "1", "COLUMNS": "120"}
    # A user's install has its bytecode cached (pip compiles it, or the first
    # run writes it); without this, a shell that sets the variable would have
    # every round compile translator's sources again (~0.1 s more).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, done.stderr


def import_seconds(report: str) -> tuple[float, collections.Counter[str]]:
    """Total import time (top-level cumulative) and self time per top-level package."""
    total, packages = 0, collections.Counter[str]()
    for line in report.splitlines():
        found = _LINE.match(line)
        if found is None:
            continue
        own, cumulative, indent, name = found.groups()
        packages[name.split(".")[0]] += int(own)
        total += int(cumulative) if not indent else 0
    return total / 1e6, packages


def measure(
    args: list[str], site: Path, rounds: int
) -> tuple[float, float, float, collections.Counter[str]]:
    imports, walls, cpus = [], [], []
    packages: collections.Counter[str] = collections.Counter()
    for _ in range(rounds):
        seconds, packages = import_seconds(python(["-X", "importtime", *args], site)[2])
        imports.append(seconds)
        wall, cpu, _ = python(args, site)
        walls.append(wall)
        cpus.append(cpu)
    return min(imports), min(walls), min(cpus), packages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        (site / "hugo.toml").write_text(HUGO, encoding="utf-8")
        (site / "content" / "fr").mkdir(parents=True)
        (site / "content" / "fr" / "billet.md").write_text(POST, encoding="utf-8")
        python(["-m", "translator", "run", "--engine", "identity"], site)
        bare_import, bare_wall, bare_cpu, _ = measure(["-c", "pass"], site, rounds)
        print(
            f"bare interpreter: import {bare_import:.3f}s, wall {bare_wall:.3f}s, cpu {bare_cpu:.3f}s"
        )
        print(f"{'command':<34} {'import':>7} {'wall':>7} {'cpu':>7}  verdict, costliest imports")
        floor = ["-c", "import typer._adapters, typer.rich_utils, rich.table"]
        seconds, wall, cpu, packages = measure(floor, site, rounds)
        label = "typer + pydantic + Rich alone"
        print(f"{label:<34} {seconds - bare_import:>6.3f}s {wall:>6.3f}s {cpu:>6.3f}s  the floor")
        for command in COMMANDS:
            seconds, wall, cpu, packages = measure(["-m", "translator", *command], site, rounds)
            seconds -= bare_import
            top = ", ".join(f"{name} {own / 1e6:.3f}" for name, own in packages.most_common(5))
            verdict = "PASS" if seconds < TARGET else "FAIL"
            label = "translator " + " ".join(command)
            print(
                f"{label:<34} {seconds:>6.3f}s {wall:>6.3f}s {cpu:>6.3f}s  {verdict} (< {TARGET}s); {top}"
            )


if __name__ == "__main__":
    main()
