"""The review page: what it shows, and that a real headless Chromium renders it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sites import POST, make_site

from translator.memory import PostRecord, SlotRecord
from translator.review_page import render_review_page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def record(*slots: SlotRecord, status: str = "machine") -> PostRecord:
    return PostRecord(
        "content/fr/a.md", "en", "content/en/a.md", "s", "w", "", status,  # type: ignore[arg-type]
        "argos", "fr_en-1.9", "2026-11-25", slots,
    )  # fmt: skip


def test_page__escapes_everything() -> None:
    page = render_review_page(
        [record(SlotRecord("line 3", "<script>x</script>", "m", "<b>", "machine"))]
    )
    assert (
        "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page and "&lt;b&gt;" in page
    )


def test_page__conflict_shows_editor_text_and_suggestion() -> None:
    slot = SlotRecord("line 3", "Nouveau.", "New.", "Edited by hand.", "conflict", "New.")
    page = render_review_page([record(slot, status="conflict")])
    assert (
        "Edited by hand." in page
        and "new machine suggestion" in page
        and '<p class="text" lang="en">New.</p>' in page
    )


def test_page__shows_what_changed_since_approval() -> None:
    slot = SlotRecord(
        "line 3",
        "Un gros chat.",
        "A big cat.",
        "A big cat.",
        "machine",
        approved_source="Un petit chat.",
    )
    assert "<del>petit</del><ins>gros</ins>" in render_review_page([record(slot)])


def test_page__flags_are_badges() -> None:
    slot = SlotRecord("line 3", "a", "b", "b", "machine", notes=("numbers: lost 12",))
    assert '<span class="badge flag">numbers: lost 12</span>' in render_review_page([record(slot)])


def test_page__file_to_edit_is_named() -> None:
    assert "Edit <code>content/en/a.md</code>" in render_review_page([record()])


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_review_in_headless_chromium(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    site = make_site(tmp_path / "site")
    site.write(
        "content/fr/post.md",
        POST.replace("Troisième paragraphe.", "Il y a 12 pommes et 3 poires dans le panier."),
    )
    assert site.translator("run", "--engine", "identity").code == 0
    assert site.translator("review", "-o", str(tmp_path / "review.html")).code == 0
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda request: requests.append(request.url))
        page.goto((tmp_path / "review.html").as_uri())
        french = page.locator('p.text[lang="fr"]').first
        english = page.locator('p.text[lang="en"]').first
        flag = page.locator(".badge.flag").first
        visible = [french.is_visible(), english.is_visible(), flag.is_visible()]
        box = flag.bounding_box()
        flag_text = flag.inner_text()
        page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
        browser.close()
    assert visible == [True, True, True]
    assert box is not None and box["width"] > 0 and box["height"] > 0
    assert flag_text.startswith("untranslated")
    assert (tmp_path / "review.png").stat().st_size > 10_000
    assert all(url.startswith("file:") for url in requests)
