"""How fast a rerun over unchanged posts is, against reading and hashing the same files.

    python bench/rerun_speed.py [--posts 1000] [--posts 10000]

Generates a site, translates it once with the pseudo engine, then times
`translator run` in-process over the unchanged site. The baseline, measured
in the same run, is the floor: reading and SHA-256 hashing every source and
copy. Not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from pathlib import Path

from translator.hugo.config import load_config
from translator.pipeline import Context, run
from translator.store.memory import Memory, site_lock

POST = """---
title: "Billet numéro {n}"
date: 2024-01-10
---

Premier paragraphe du billet {n}, avec un [lien](https://exemple.fr/{n}).

## Une section

Deuxième paragraphe avec du `code` et **du gras**.
"""


def make_site(root: Path, posts: int) -> None:
    (root / "hugo.toml").write_text(
        '[languages.fr]\ncontentDir = "content/fr"\n[languages.en]\ncontentDir = "content/en"\n'
    )
    folder = root / "content" / "fr"
    folder.mkdir(parents=True)
    for n in range(posts):
        (folder / f"billet-{n:05}.md").write_text(POST.format(n=n))


def timed_run(root: Path) -> tuple[float, int]:
    config = load_config(root).with_overrides(engine="pseudo")
    with site_lock(config.state_dir), Memory.open(config.state_dir / "memory.sqlite") as memory:
        start = time.perf_counter()
        summary = run(Context(config, memory))
        return time.perf_counter() - start, summary.translated_posts


def hash_everything(root: Path) -> float:
    start = time.perf_counter()
    for path in sorted((root / "content").rglob("*.md")):
        hashlib.sha256(path.read_bytes()).hexdigest()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, action="append", help="site sizes (repeatable)")
    sizes = parser.parse_args().posts or [1000, 10000]
    for posts in sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            make_site(root, posts)
            first, written = timed_run(root)
            rerun, rewritten = timed_run(root)
            floor = hash_everything(root)
            per_hundred = rerun / posts * 100
            print(
                f"posts={posts} first_run={first:.2f}s (wrote {written}) "
                f"rerun={rerun:.3f}s (wrote {rewritten}) per_100_posts={per_hundred * 1000:.1f}ms "
                f"read_and_hash_floor={floor:.3f}s rerun_vs_floor={rerun / floor:.2f}x"
            )


if __name__ == "__main__":
    main()
