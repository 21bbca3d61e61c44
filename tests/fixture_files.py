"""Read fixture files in markdown-it-py's format, keeping every byte.

Each case is a title line, a line `.`, the input, a line `.`, the expected
output, a line `.`. Unlike markdown-it-py's reader, nothing is stripped:
trailing spaces and final newlines are part of the case.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def read_fixture_file(path: Path) -> list[pytest.param]:  # type: ignore[valid-type]
    """Each case as pytest.param(line, title, input, expected), with id `file:line`."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cases = []
    n = 0
    while n < len(lines):
        if n + 1 < len(lines) and lines[n + 1].rstrip("\r\n") == "." and lines[n].strip():
            title_line = n
            parts: list[str] = []
            n += 2
            for _ in range(2):
                start = n
                while lines[n].rstrip("\r\n") != ".":
                    n += 1
                parts.append("".join(lines[start:n]))
                n += 1
            cases.append(
                pytest.param(
                    title_line + 1,
                    lines[title_line].strip(),
                    parts[0],
                    parts[1],
                    id=f"{path.name}:{title_line + 1}",
                )
            )
        else:
            n += 1
    return cases
