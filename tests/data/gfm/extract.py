"""Write gfm.json, the GFM spec's examples, from cmark-gfm's test/spec.txt.

    git --git-dir=<cmark-gfm>/.git show 85d895289c5ab67f988ca659493a64abb5fec7b4:test/spec.txt \
        | python tests/data/gfm/extract.py

Reads the spec the way cmark-gfm's own runner does (test/spec_tests.py,
`get_tests`): same example numbers, same sections, `→` read as a tab. Unlike
that runner it keeps the examples marked `disabled` (the two task list ones,
which cmark-gfm's runner does not render): for us every example is input.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

FENCE = "`" * 32
HEADER = re.compile("#+ ")


def examples(spec: str) -> list[dict[str, object]]:
    """Every example of the spec, in order, as commonmark.json writes them (plus `extension`)."""
    found: list[dict[str, object]] = []
    state, section, info = "text", "", ""
    start = 0
    markdown: list[str] = []
    html: list[str] = []
    for number, line in enumerate(spec.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped.startswith(FENCE + " example"):
            state, info, start = "markdown", stripped[len(FENCE + " example") :].strip(), number
        elif stripped == FENCE and state != "text":
            found.append(
                {
                    "markdown": "".join(markdown).replace("→", "\t"),
                    "html": "".join(html).replace("→", "\t"),
                    "example": len(found) + 1,
                    "start_line": start,
                    "end_line": number,
                    "section": section,
                    # `table`, `strikethrough`, `autolink`, `tagfilter`, `disabled`, or None.
                    "extension": info or None,
                }
            )
            state, markdown, html = "text", [], []
        elif stripped == "." and state == "markdown":
            state = "html"
        elif state == "markdown":
            markdown.append(line)
        elif state == "html":
            html.append(line)
        elif HEADER.match(line):
            section = HEADER.sub("", line).strip()
    return found


def main() -> None:
    """Read spec.txt on stdin (or from the path given), write gfm.json beside this script."""
    source = Path(sys.argv[1]).read_bytes() if len(sys.argv) > 1 else sys.stdin.buffer.read()
    out = Path(__file__).with_name("gfm.json")
    text = json.dumps(examples(source.decode("utf-8")), ensure_ascii=False, indent=2)
    out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
