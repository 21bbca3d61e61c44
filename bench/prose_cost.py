"""Cost of translating a post with `translator run`, against its size and one parse of it.

    PYTHONPATH=src python bench/prose_cost.py [--rounds 3] [--sizes 500000,2000000,8000000]

Generated posts of 0.5, 2 and 8 MB are the corpus pages' bodies
(/work/shared/corpus/fr, or the sample posts in content/fr) repeated, with
front matter, shortcodes and raw HTML. For each, in the same process, the
least CPU time (time.process_time) of `--rounds` runs of:

- parse: one markdown-it parse of the same text, the unit of the ratios;
- parse-gc: the same under the garbage collector setting of a run
  (`pipeline.collecting_less`), which speeds up the parse too;
- run: `translator run --engine identity` on a fresh site holding the post,
  in-process (`pipeline.run`, what the command calls): detection, reading and
  cutting, translation, putting back with the structure check, the QA check
  of every slot, the copy's front matter, the memory and the file. Only the
  command line's own start-up is left out (see bench/startup.py);
- pseudo: the same with the pseudo engine (every segment changes, so the
  structure check and QA parse both sides);
- qa-paragraph: the QA check of one paragraph as long as the post.

Printed: the times, each over the parse time, each step's growth over the
input's growth (1.00 is linear), the same for the 87 corpus pages in one
process, then PASS or FAIL for the issue's targets (run ≤ 3× one parse, growth
≤ 1.1). Not a test: single rounds on a loaded machine vary by ±30 %.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from translator import pipeline
from translator.hugo.config import load_config
from translator.markdown import _markdown
from translator.markdown.glossary import Glossary
from translator.markdown.page import read_page
from translator.markdown.qa import check_slot
from translator.store.memory import Memory, site_lock

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


HUGO = """\
defaultContentLanguage = "fr"
[languages.fr]
contentDir = "content/fr"
[languages.en]
contentDir = "content/en"
"""
MAX_RATIO = 3.0
"""The issue's target: the whole run at most this many times one parse."""
MAX_GROWTH = 1.1
"""The issue's target: time grows at most this much faster than the input."""


def translator_run(posts: Mapping[str, str], engine: str) -> Callable[[], float]:
    """`translator run --engine ENGINE` on a fresh site holding `posts`, timed without
    writing the site (that is set-up, not the command)."""

    def step() -> float:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            (root / "hugo.toml").write_text(HUGO, encoding="utf-8")
            (root / "content" / "fr").mkdir(parents=True)
            for name, text in posts.items():
                (root / "content" / "fr" / name).write_text(text, encoding="utf-8")
            config = load_config(root).with_overrides(engine=engine)
            state = config.state_dir / "memory.sqlite"
            with site_lock(config.state_dir), Memory.open(state) as memory:
                start = time.process_time()
                summary = pipeline.run(pipeline.Context(config, memory))
                spent = time.process_time() - start
            if summary.errors or summary.translated_posts != len(posts):
                raise SystemExit(f"the run failed: {summary.errors}")
            return spent

    return step


def best_run(rounds: int, step: Callable[[], float]) -> float:
    """The least CPU time a step reports of `rounds` runs."""
    return min(step() for _ in range(rounds))


def parse_collecting_less(md: object, text: str) -> object:
    """One parse under the garbage collector setting `translator run` uses: what the parse
    itself gains from it, to tell it from what the run gains."""
    with pipeline.collecting_less():
        return md.parse(text)  # type: ignore[attr-defined]


def paragraph(size: int) -> str:
    sentence = "Une phrase de test avec des mots, un [lien](https://exemple.fr/) et `du code`. "
    return sentence * (size // len(sentence))


def measure(md: object, text: str, rounds: int) -> dict[str, float]:
    glossary = Glossary()
    para = paragraph(len(text))
    return {
        "parse": best(rounds, lambda: md.parse(text)),  # type: ignore[attr-defined]
        "parse-gc": best(rounds, lambda: parse_collecting_less(md, text)),
        "run": best_run(rounds, translator_run({"post.md": text}, "identity")),
        "pseudo": best_run(rounds, translator_run({"post.md": text}, "pseudo")),
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
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    options = parser.parse_args()
    rounds, sizes = options.rounds, [int(s) for s in options.sizes.split(",")]
    md = _markdown.make_parser()
    parts = bodies()
    # Once untimed: what a run imports and builds the first time is start-up
    # (bench/startup.py), not cost against the size of a post.
    translator_run({"post.md": post(10_000, parts)}, "pseudo")()
    translator_run({"post.md": post(10_000, parts)}, "identity")()
    rows = []
    for size in sizes:
        rows.append((size, measure(md, post(size, parts), rounds)))
        print(f"measured {size}: {rows[-1][1]}", flush=True)
    steps = list(rows[0][1])
    print(f"\n{'size':>10} " + " ".join(f"{s:>14}" for s in steps))
    for size, times in rows:
        print(f"{size:>10} " + " ".join(f"{times[s]:>13.3f}s" for s in steps))
    print("\ntime over one parse of the same text")
    for size, times in rows:
        print(f"{size:>10} " + " ".join(f"{times[s] / times['parse']:>13.2f}x" for s in steps))
    print("\ngrowth of time over growth of input (1.00 = linear)")
    growths = []
    for (size0, t0), (size1, t1) in itertools.pairwise(rows):
        label = f"{size0 // 1000}K→{size1 // 1000}K"
        growth = {s: (t1[s] / t0[s]) / (size1 / size0) for s in steps}
        growths.append((label, growth))
        print(f"{label:>10} " + " ".join(f"{growth[s]:>14.2f}" for s in steps))
    ratio = corpus(md, rounds)
    verdicts(rows, growths, ratio)


def corpus(md: object, rounds: int) -> float:
    folder = CORPUS if CORPUS.is_dir() else ROOT / "content" / "fr"
    posts = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}
    parse = best(rounds, lambda: [md.parse(t) for t in posts.values()])  # type: ignore[attr-defined]
    run = best_run(rounds, translator_run(posts, "identity"))
    pseudo = best_run(rounds, translator_run(posts, "pseudo"))
    print(f"\n{len(posts)} corpus pages in one process: parse {parse:.3f}s, "
          f"run {run:.3f}s ({run / parse:.2f}x), pseudo {pseudo:.3f}s ({pseudo / parse:.2f}x)")  # fmt: skip
    return run / parse


def verdicts(
    rows: Sequence[tuple[int, Mapping[str, float]]],
    growths: Sequence[tuple[str, Mapping[str, float]]],
    corpus_ratio: float,
) -> None:
    print("\ntargets (identity run, the whole pipeline with QA)")
    for size, times in rows:
        ratio = times["run"] / times["parse"]
        print(
            f"  {_verdict(ratio <= MAX_RATIO)} {size // 1000}K: {ratio:.2f}x one parse (≤ {MAX_RATIO}x)"
        )
    print(
        f"  {_verdict(corpus_ratio <= MAX_RATIO)} corpus: {corpus_ratio:.2f}x one parse (≤ {MAX_RATIO}x)"
    )
    for label, growth in growths:
        print(
            f"  {_verdict(growth['run'] <= MAX_GROWTH)} growth {label}: {growth['run']:.2f} (≤ {MAX_GROWTH})"
        )


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


if __name__ == "__main__":
    main()
