"""The review page: what it shows, and that a real headless Chromium renders it offline."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

import pytest
from sites import POST, Site, make_site

from translator.hugo.config import load_config
from translator.markdown.glossary import Glossary
from translator.markdown.qa import check_slot
from translator.review.static_page import (
    render_review_page,
    review_page_for_site,
    write_review_page,
)
from translator.store.memory import Memory, PostRecord, SlotRecord

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ROOT = Path("/site")
TITLE = SlotRecord("title", "Un titre", "A title", "A title", "machine")


def record(*slots: SlotRecord, status: str = "machine", target: str = "en") -> PostRecord:
    return PostRecord(
        "content/fr/a.md", target, f"content/{target}/a.md", "s", "w", "", status,  # type: ignore[arg-type]
        "argos", "fr_en-1.9", "2026-11-25T08:00:00+00:00", (TITLE, *slots),
    )  # fmt: skip


def page_of(*records: PostRecord, language: str | None = None) -> str:
    return render_review_page(records, site_root=ROOT, language=language)


def test_page__escapes_everything() -> None:
    slot = SlotRecord("line <3>", "<script>x</script>", "m", "<b>&", "machine", notes=("a: <i>",))
    page = page_of(record(slot))
    assert "<script>x" not in page and "<b>&" not in page and "<i>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "&lt;b&gt;&amp;" in page
    assert "line &lt;3&gt;" in page


def test_page__carries_the_theme_it_shares_with_the_workbench() -> None:
    # One file of colours for both (static/theme.css), inlined: the page stands alone.
    page = page_of(record(SlotRecord("line 3", "Bonjour", "m", "Hello", "machine")))
    assert "--accent: #0a57a3" in page and "prefers-color-scheme: dark" in page


def test_page__has_no_script_and_no_remote_address() -> None:
    page = page_of(record(SlotRecord("line 3", "Voir https://x.fr", "m", "m", "machine")))
    addresses = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert "<script" not in page
    assert addresses and all(a.startswith(("#", "file:")) for a in addresses)


def test_page__title_status_and_file_to_edit() -> None:
    page = page_of(record())
    assert '<h2 id="copy-1-content-en-a-md-h" lang="en">A title</h2>' in page
    assert '<span class="badge st-machine">machine</span>' in page
    assert '<a class="path" href="file:///site/content/en/a.md">content/en/a.md</a>' in page


def test_page__source_and_target_side_by_side_with_lang() -> None:
    page = page_of(record(SlotRecord("line 3", "Un chat.", "A cat.", "A cat.", "machine")))
    assert re.search(
        r'<div class="pair">.*<p class="text" lang="fr">Un chat\.</p>.*'
        r'<p class="text" lang="en">A cat\.</p>',
        page,
    )


def test_page__conflict_shows_editor_text_and_suggestion() -> None:
    slot = SlotRecord("line 3", "Nouveau.", "New.", "Edited by hand.", "conflict", "New!")
    page = page_of(record(slot, status="conflict"))
    assert "editor&#x27;s text, in the file" in page
    assert '<p class="text" lang="en">Edited by hand.</p>' in page
    assert "New machine suggestion" in page and '<p class="text" lang="en">New!</p>' in page


def test_page__shows_what_changed_since_approval() -> None:
    slot = SlotRecord(
        "line 3", "Un gros chat.", "A big cat.", "A big cat.", "machine", None, "Un petit chat."
    )
    assert "Un <del>petit</del><ins>gros</ins> chat." in page_of(record(slot))


def test_page__flags_are_visible_badges_with_their_code() -> None:
    slot = SlotRecord("line 3", "a", "b", "b", "machine", notes=("numbers: lost 12",))
    page = page_of(record(slot))
    assert '<span class="badge flag-code">numbers</span><span>lost 12</span>' in page
    assert '<section class="slot flagged"' in page


def test_page__summary_counts_statuses_and_flags() -> None:
    flagged = SlotRecord("line 3", "a", "b", "b", "machine", notes=("numbers: x", "length: y"))
    conflict = SlotRecord("line 5", "c", "d", "e", "conflict", "d")
    page = page_of(record(flagged), replace(record(conflict, status="conflict"), target_path="b"))
    assert "<div><dt>Copies</dt><dd>2</dd></div><div><dt>conflict</dt><dd>1</dd></div>" in page
    assert "<div><dt>QA flags</dt><dd>2</dd></div>" in page
    assert '<li><span class="badge flag-code">length</span> 1</li>' in page


def test_page__table_of_contents_links_every_copy() -> None:
    page = page_of(record(), replace(record(), target_path="content/en/b.md"))
    anchors = re.findall(r'<li><a href="#(copy-[^"]+)">', page)
    assert anchors == ["copy-1-content-en-a-md", "copy-2-content-en-b-md"]
    assert all(f'<article class="copy" id="{a}"' in page for a in anchors)


def test_page__reviewed_copies_are_left_out() -> None:
    done = replace(TITLE, state="reviewed")
    page = page_of(replace(record(), status="reviewed", slots=(done,)))
    assert "Nothing waits for review." in page and "content/en/a.md" not in page


def test_page__language_filter() -> None:
    page = page_of(record(), record(target="de"), language="de")
    assert "content/de/a.md" in page and "content/en/a.md" not in page


def test_page__outdated_when_the_source_changed() -> None:
    page = render_review_page(
        [record()], site_root=ROOT, language=None, source_texts={"content/fr/a.md": "new"}
    )
    assert '<span class="badge st-outdated">outdated</span>' in page


def test_page__not_outdated_when_the_source_is_the_same() -> None:
    same = replace(record(), source_hash=hashlib.sha256(b"text").hexdigest())
    page = render_review_page(
        [same], site_root=ROOT, language=None, source_texts={"content/fr/a.md": "text"}
    )
    assert '<span class="badge st-outdated">' not in page


def test_write_review_page(tmp_path: Path) -> None:
    written = write_review_page(tmp_path / "review.html", page_of(record()))
    assert written.read_text(encoding="utf-8").startswith("<!doctype html>")


# -- a real site, a real browser -------------------------------------------------------------
BAD = "Apples apples apples apples: 13 pears in the basket."


@pytest.fixture
def flagged_site(tmp_path: Path) -> Site:
    """A site translated by the real command, one slot then given a bad translation."""
    site = make_site(tmp_path / "site")
    site.write(
        "content/fr/post.md",
        POST.replace("Troisième paragraphe.", "Il y a 12 pommes et 3 poires dans le panier."),
    )
    assert site.translator("run", "--engine", "pseudo").code == 0
    config = load_config(site.root)
    with Memory.open(config.state_dir / "memory.sqlite") as memory:
        (post,) = memory.posts()
        slots = tuple(_bad_last(slot, config.glossary) for slot in post.slots)
        memory.save_post(replace(post, slots=slots))
    return site


def _bad_last(slot: SlotRecord, glossary: Glossary) -> SlotRecord:
    if "pommes" not in slot.source:
        return slot
    notes = check_slot(
        slot.source, BAD, source_language="fr", target_language="en", glossary=glossary
    )
    return replace(slot, machine=BAD, written=BAD, notes=notes)


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium")
def test_review_page_in_headless_chromium(flagged_site: Site, tmp_path: Path) -> None:
    # A dev dependency: missing, it is an error, not a skip. It drives Debian's chromium only.
    from playwright.sync_api import sync_playwright

    config = load_config(flagged_site.root)
    with Memory.open(config.state_dir / "memory.sqlite") as memory:
        html_file = write_review_page(
            tmp_path / "review.html", review_page_for_site(config, memory)
        )
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda request: requests.append(request.url))
        page.goto(html_file.as_uri())
        french = page.locator('.pair p.text[lang="fr"]', has_text="12 pommes")
        english = page.locator('.pair p.text[lang="en"]', has_text="Apples apples")
        flag = page.locator(".flags .flag-code", has_text="numbers")
        seen = [french.is_visible(), english.is_visible(), flag.is_visible()]
        box = flag.bounding_box()
        page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
        browser.close()
    assert seen == [True, True, True]
    assert box is not None and box["width"] > 0 and box["height"] > 0
    assert (tmp_path / "review.png").stat().st_size > 10_000
    assert requests == [html_file.as_uri()]
