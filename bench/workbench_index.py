"""How fast the workbench's index answers over a site of many copies.

    python bench/workbench_index.py [--posts 1000] [--rounds 5] [--site DIR]

Generates a site of blog posts in yearly folders (about 15 slots each, like
a real 524-post blog's 7,590), translates it once with the pseudo engine,
then times whole HTTP requests through the real ASGI app in process (guard,
memory, reading every file, Jinja): the index, the index filtered, a text
search in both languages, and one copy view (best of `--rounds`), then one
editor's round trip: load a copy, save a slot, load it, approve. Not a test.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import warnings
from pathlib import Path

from translator.hugo.config import load_config
from translator.pipeline import Context, run
from translator.review.workbench import Workbench, make_app
from translator.store.memory import Memory, site_lock

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PARAGRAPH = (
    "Paragraphe {p} du billet {n} : la gestion de communauté demande du temps, "
    "des [outils](https://exemple.fr/{n}/{p}) et un peu de `code` pour mesurer."
)


def make_site(root: Path, posts: int) -> None:
    (root / "hugo.toml").write_text(
        'defaultContentLanguage = "fr"\n[languages.fr]\ncontentDir = "content/fr"\n'
        '[languages.en]\ncontentDir = "content/en"\n'
    )
    for n in range(posts):
        folder = root / "content" / "fr" / "blog" / str(2015 + n % 10)
        folder.mkdir(parents=True, exist_ok=True)
        body = "\n\n".join(PARAGRAPH.format(p=p, n=n) for p in range(12))
        text = f'---\ntitle: "Billet {n}"\ndescription: "Résumé du billet {n}"\n---\n\n'
        (folder / f"billet-{n:05}.md").write_text(f"{text}## Titre {n}\n\n{body}\n")


def translate(root: Path) -> int:
    config = load_config(root).with_overrides(engine="pseudo")
    with site_lock(config.state_dir), Memory.open(config.state_dir / "memory.sqlite") as memory:
        run(Context(config, memory))
        return sum(len(r.slots) for r in memory.posts())


def best(client: TestClient, url: str, rounds: int) -> tuple[float, float]:
    """Best wall time and best CPU time of the process (app and client: one process).

    On a shared machine the wall time counts the other processes too; CPU time
    is what this request costs.
    """
    walls, cpus = [], []
    for _ in range(rounds):
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        assert response.status_code == 200, response.text[:200]
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--site", type=Path, help="Keep the generated site here (reused if there).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = args.site or Path(folder)
        if not (root / "hugo.toml").exists():
            root.mkdir(parents=True, exist_ok=True)
            make_site(root, args.posts)
        slots = translate(root)
        bench = Workbench(load_config(root))
        client = TestClient(make_app(bench, port=8770), base_url="http://127.0.0.1:8770")
        client.get(f"/?token={bench.keys.token}")
        copy = f"/copy/content/en/blog/2015/billet-{0:05}.md"
        print(f"site: {args.posts} copies, {slots} slots")
        for name, url in [
            ("index", "/"),
            ("index, folder + status filter", "/?folder=blog/2016&status=machine"),
            ("index, sorted by open items, page 3", "/?sort=open&page=3"),
            ("index, text search", "/?text=billet 999 :"),
            ("copy view", copy),
        ]:
            wall, cpu = best(client, url, args.rounds)
            print(f"{name:40} {wall * 1000:7.0f} ms wall {cpu * 1000:7.0f} ms CPU")
        print(f"{'save a slot, then review it (2 POSTs)':40} {act(client, bench) * 1000:7.0f} ms")


def act(client: TestClient, bench: Workbench) -> float:
    """Edit the first slot of the next copy waiting and mark it reviewed, as an editor would.

    (Not approve: the guard refuses a copy whose other slots are still pseudo text.)
    """
    page = client.get("/?status=machine&sort=open").text
    key = re.findall(r'class="copy-link" href="/copy/([^"]+)"', page)[0]
    start = time.perf_counter()
    edited, reviewed = {"text": "Edited title"}, {"text": "Edited title", "action": "review"}
    for url, values in [(f"/slot/0/{key}", edited), (f"/slot/0/{key}", reviewed)]:
        view = client.get(f"/copy/{key}").text
        digest = re.search(r'name="hash" value="([0-9a-f]+)"', view)
        assert digest is not None
        form = {"csrf_token": bench.keys.csrf, "hash": digest.group(1), **values}
        response = client.post(url, data=form, follow_redirects=False)
        assert response.status_code == 303, response.text[:300]
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
