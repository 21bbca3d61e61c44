"""Cost of cutting, translating, checking and putting back a post, against its size.

    PYTHONPATH=src python bench/prose_cost.py [--rounds 3]

Generated posts of 0.5, 2 and 8 MB are the corpus pages' bodies
(/work/shared/corpus/fr, or the sample posts in content/fr) repeated, with
front matter, shortcodes and raw HTML. For each, in the same process, the
least CPU time (time.process_time) of `--rounds` runs of:

- parse: one markdown-it parse of the same text (the unit of the ratios);
- identity: read_page + render_page (structure check included) with the
  identity engine + compose: the round trip of invariant 1;
- identity+qa: the same plus the QA check of every slot, as `translator run`
  does before writing (the pipeline but the files and the memory);
- pseudo+qa: the same with the pseudo engine (every segment changes);
- qa-paragraph: the QA check of one paragraph of the same size.

Printed: a table of times, of each time over the parse time, and of each
step's growth over the input's growth (1.0 is linear). Then the same for
the 87 corpus pages in one process. Not a test.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from translator.engines.pseudo import IdentityEngine, PseudoEngine
from translator.markdown import _markdown
from translator.markdown.glossary import Glossary
from translator.markdown.page import compose_page, read_page, render_page, slot_labels
from translator.markdown.qa import check_slot

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path("/work/shared/corpus/fr")
SIZES = (500_000, 2_000_000, 8_000_000)
HEAD = """---
title: Un billet « très » long
description: >-
  Une description avec un [lien](https://exemple.fr/) et du code `x` repliée
  sur deux lignes.
cover:
  alt: La mie, bien alvéolée
---
"""
EXTRA = """
{{< figure src="pain.jpg" caption="La mie, *bien* alvéolée" alt="Une mie" >}}

<figure><img src="x.jpg" alt="Un chat"><figcaption>Un <b>chat</b> et <code>du code</code></figcaption></figure>

"""


def bodies() -> list[str]:
    folder = CORPUS if CORPUS.is_dir() else ROOT / "content" / "fr"
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))]
    md = _markdown.make_parser()
    return [text[read_page(md, text).document.body_start :] for text in texts]


def post(size: int, parts: Sequence[str]) -> str:
    chunks, total, n = [HEAD], len(HEAD), 0
    while total < size:
        chunk = parts[n % len(parts)] + EXTRA
        chunks.append(chunk)
        total += len(chunk)
        n += 1
    return "".join(chunks)


def best(rounds: int, step: Callable[[], object]) -> float:
    """The least CPU time of `rounds` runs: CPU time, not wall time, so that other
    processes on a shared machine do not skew the ratios."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        step()
        times.append(time.process_time() - start)
    return min(times)


def pipeline(
    md: object, text: str, engine: IdentityEngine | PseudoEngine, *, qa: bool = True
) -> str:
    page = read_page(md, text)  # type: ignore[arg-type]
    units = engine.translate(page.units, source="fr", target="en")
    rendered = render_page(md, page, units)  # type: ignore[arg-type]
    glossary = Glossary()
    for _label, report in zip(slot_labels(page), rendered.reports if qa else (), strict=False):
        check_slot(
            report.source,
            report.result,
            source_language="fr",
            target_language="en",
            glossary=glossary,
            notes=report.notes,
            md=md,  # type: ignore[arg-type]
        )
    return compose_page(page, [r.result for r in rendered.reports])


def paragraph(size: int) -> str:
    sentence = "Une phrase de test avec des mots, un [lien](https://exemple.fr/) et `du code`. "
    return sentence * (size // len(sentence))


def measure(md: object, text: str, rounds: int) -> dict[str, float]:
    glossary = Glossary()
    para = paragraph(len(text))
    return {
        "parse": best(rounds, lambda: md.parse(text)),  # type: ignore[attr-defined]
        "identity": best(rounds, lambda: pipeline(md, text, IdentityEngine(), qa=False)),
        "identity+qa": best(rounds, lambda: pipeline(md, text, IdentityEngine())),
        "pseudo+qa": best(rounds, lambda: pipeline(md, text, PseudoEngine())),
        "qa-paragraph": best(
            rounds,
            lambda: check_slot(
                para, para, source_language="fr", target_language="en", glossary=glossary
            ),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    md = _markdown.make_parser()
    parts = bodies()
    rows = []
    for size in SIZES:
        rows.append((size, measure(md, post(size, parts), rounds)))
        print(f"measured {size}: {rows[-1][1]}", flush=True)
    steps = list(rows[0][1])
    print(f"{'size':>10} " + " ".join(f"{s:>14}" for s in steps))
    for size, times in rows:
        print(f"{size:>10} " + " ".join(f"{times[s]:>13.3f}s" for s in steps))
    print("\ntime over one parse of the same text")
    for size, times in rows:
        print(f"{size:>10} " + " ".join(f"{times[s] / times['parse']:>13.2f}x" for s in steps))
    print("\ngrowth of time over growth of input (1.00 = linear)")
    for (size0, t0), (size1, t1) in itertools.pairwise(rows):
        label = f"{size0 // 1000}K→{size1 // 1000}K"
        print(
            f"{label:>10} " + " ".join(f"{(t1[s] / t0[s]) / (size1 / size0):>14.2f}" for s in steps)
        )
    corpus(md, rounds)


def corpus(md: object, rounds: int) -> None:
    folder = CORPUS if CORPUS.is_dir() else ROOT / "content" / "fr"
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))]
    parse = best(rounds, lambda: [md.parse(t) for t in texts])  # type: ignore[attr-defined]
    identity = best(rounds, lambda: [pipeline(md, t, IdentityEngine(), qa=False) for t in texts])
    checked = best(rounds, lambda: [pipeline(md, t, IdentityEngine()) for t in texts])
    pseudo = best(rounds, lambda: [pipeline(md, t, PseudoEngine()) for t in texts])
    print(f"\n{len(texts)} corpus pages in one process: parse {parse:.3f}s, "
          f"identity {identity:.3f}s ({identity / parse:.2f}x), "
          f"identity+qa {checked:.3f}s ({checked / parse:.2f}x), "
          f"pseudo+qa {pseudo:.3f}s ({pseudo / parse:.2f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
