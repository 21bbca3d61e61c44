"""The workbench end to end: the real server, driven by Playwright in Debian's Chromium.

An editor filters to conflicts, edits a slot, accepts a suggestion, marks the machine's
slots reviewed and approves the copy with the keyboard; the English file on disk changes exactly there, and a
following `translator run` keeps the editor's text and status. Screenshots of
the index and of the copy view are saved as test artifacts (in
$TRANSLATOR_TEST_ARTIFACTS when set, else in the test's temporary folder).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import HANG
from sites import Site
from test_review_page import CHROMIUM, CHROMIUM_ARGS
from workbench_sites import EDITOR, FIRST, REVIEWED, conflict_site, outdated_site

from translator.engines.pseudo import pseudo_localize

COPY = "content/en/post.md"
MORE = ("Un billet sur les chats.", "Un billet sur les chiens.", "Un billet sur les oiseaux.")


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A conflict in one copy, and three other copies the machine translated."""
    site = conflict_site(tmp_path / "site")
    for n, text in enumerate(MORE):
        site.write(f"content/fr/blog/billet-{n}.md", f"---\ntitle: {text}\n---\n\n{text}\n")
    assert site.translator("run", "--engine", "pseudo").code == 0
    return site


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TRANSLATOR_TEST_ARTIFACTS") or tmp_path / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def server(started: tuple[subprocess.Popen[str], str]) -> str:
    """The start URL of a running workbench."""
    return started[1]


@pytest.fixture
def started(site: Site) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`translator review --serve --port 0` in the site, and the start URL it prints."""
    with _serving(site) as running:
        yield running


@contextlib.contextmanager
def _serving(site: Site) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A workbench server process over `site` while the block runs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "translator", "review", "--serve", "--port", "0"],
        cwd=site.root,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )
    assert process.stderr is not None
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.extend(_start_url(process.stderr)))
    reader.start()
    reader.join(HANG)
    try:
        assert found, "the server printed no URL"
        yield process, found[0]
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(HANG)


def _start_url(stream: object) -> Iterator[str]:
    for line in stream:  # type: ignore[attr-defined]
        match = re.search(r"http://127\.0\.0\.1:\d+/\?token=\S+", line)
        if match:
            yield match.group(0)
            return


UNNAMED = """() => [...document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea')]
  .filter((el) => !(el.getAttribute('aria-label')
    || (el.labels && el.labels.length && el.labels[0].textContent.trim())
    || el.textContent.trim()))
  .map((el) => el.outerHTML)"""
"""Every control without a name a screen reader could read."""


def _paragraph(text: str, marker: str) -> str:
    return next(line for line in text.splitlines() if marker in line)


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium")
def test_workbench_in_headless_chromium(site: Site, server: str, artifacts: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    before = site.read(COPY)
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda request: requests.append(request.url))
        page.goto(server)
        expect(page.locator("table.copies a.copy-link")).to_have_count(4)
        page.screenshot(path=str(artifacts / "workbench-index.png"), full_page=True)
        unnamed = page.evaluate(UNNAMED)

        # Filter to conflicts: one copy left.
        page.get_by_label("Status", exact=True).select_option("conflict")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("table.copies a.copy-link")).to_have_count(1)
        page.locator("a.copy-link").click()
        expect(page.get_by_text("New machine suggestion", exact=True)).to_be_visible()
        page.screenshot(path=str(artifacts / "workbench-copy.png"), full_page=True)
        unnamed += page.evaluate(UNNAMED)

        # Edit the first paragraph, save with Ctrl+Enter.
        page.get_by_label("English text of line 7").fill(FIRST)
        page.get_by_label("English text of line 7").press("Control+Enter")
        expect(page.locator(".flash")).to_have_text("Edited line 7.")
        after_edit = site.read(COPY)
        page.wait_for_load_state("load")  # keys are bound by a deferred script

        # The conflict slot is three slots further: j j j, then accept with a.
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("a")
        expect(page.locator(".flash")).to_have_text("Accepted the suggestion for line 13.")
        # The flash is parsed before the deferred script binds the keys: wait for it.
        page.wait_for_load_state("load")
        page.keyboard.press("?")
        expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
        page.keyboard.press("Escape")
        # The other slots hold pseudo text, which the approval guard refuses as unreviewed:
        # the editor reads each one and marks it reviewed with r (k k k k: back to the title).
        for moves, label in [("kkkk", "title"), ("jj", "line 9"), ("j", "line 11")]:
            for key in moves:
                page.keyboard.press(key)
            page.keyboard.press("r")
            expect(page.locator(".flash")).to_have_text(f"Reviewed {label}.")
            page.wait_for_load_state("load")
        page.keyboard.press("Shift+A")
        expect(page.locator(".flash")).to_contain_text("Approved the copy: content/en/post.md.")
        expect(page.locator("h1")).not_to_have_text(re.compile("Ûñ ţîţŕé"))  # the next copy
        browser.close()

    assert unnamed == []
    assert after_edit == before.replace(_paragraph(before, "exemple.fr"), FIRST)
    final = site.read(COPY)
    assert FIRST in final and EDITOR not in final
    assert "status: reviewed" in final and "draft: false" in final
    assert all(url.startswith(server.split("/?")[0]) for url in requests)

    summary = site.run_json()
    assert site.read(COPY) == final
    assert [c["status"] for c in summary["copies"] if c["target"] == COPY] in ([], ["reviewed"])
    assert (artifacts / "workbench-index.png").stat().st_size > 10_000
    assert (artifacts / "workbench-copy.png").stat().st_size > 10_000


@pytest.fixture
def outdated(tmp_path: Path) -> Site:
    """A reviewed, published copy whose French changed since: one slot `outdated`."""
    return outdated_site(tmp_path / "site")


SUGGESTION = pseudo_localize("Autre chose.")


def _resolve_outdated(page: Any, server: str) -> None:
    """Filter to outdated copies, accept the suggestion with `a`, approve with Shift+A."""
    from playwright.sync_api import expect

    page.goto(server)
    page.get_by_label("Status", exact=True).select_option("outdated")
    page.get_by_role("button", name="Filter").click()
    page.locator("a.copy-link").click()
    expect(page.get_by_text("Machine suggestion for the new French", exact=True)).to_be_visible()
    page.wait_for_load_state("load")
    for _ in range(5):  # the outdated slot is the fifth: title, description… line 13
        page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator(".flash")).to_have_text("Accepted the suggestion for line 13.")
    page.wait_for_load_state("load")
    page.keyboard.press("Shift+A")
    expect(page.locator(".flash")).to_contain_text("Approved the copy")


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium")
def test_outdated_copy_resolved_in_headless_chromium(outdated: Site) -> None:
    from playwright.sync_api import sync_playwright

    with _serving(outdated) as (_, server), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        _resolve_outdated(browser.new_page(), server)
        browser.close()
    final = outdated.read(COPY)
    assert SUGGESTION in final and REVIEWED not in final and "status: reviewed" in final
    assert outdated.translator("run", "--engine", "pseudo").code == 0
    assert outdated.read(COPY) == final
    (row,) = [r for r in outdated.translator("status", "--json").json() if r["target"] == COPY]
    assert row["state"] == "reviewed"


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium")
def test_undo_after_the_server_restarted_in_headless_chromium(outdated: Site) -> None:
    from playwright.sync_api import expect, sync_playwright

    before = outdated.read(COPY)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        with _serving(outdated) as (_, server):
            _resolve_outdated(browser.new_page(), server)
        approved = outdated.read(COPY)
        with _serving(outdated) as (_, server):  # a new process, a new token
            page = browser.new_page()
            page.goto(server)
            expect(page.locator("#undo")).to_contain_text("approved the copy")
            page.keyboard.press("u")
            expect(page.locator(".flash")).to_have_text("Undid: approved the copy.")
            page.wait_for_load_state("load")
            page.keyboard.press("u")
            expect(page.locator(".flash")).to_have_text(
                "Undid: accepted the suggestion for line 13."
            )
        browser.close()
    assert "status: reviewed" in approved and outdated.read(COPY) == before


@pytest.mark.slow
def test_ctrl_c_stops_the_server(started: tuple[subprocess.Popen[str], str]) -> None:
    process, url = started
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with browser.open(url, timeout=HANG) as response:  # the real socket: log in, get the index
        assert response.status == 200 and "Copies" in response.read().decode()
    process.send_signal(signal.SIGINT)
    assert process.wait(HANG) == 0
    assert process.stderr is not None and "Workbench stopped." in process.stderr.read()
