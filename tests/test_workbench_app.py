"""The workbench app driven in process (Starlette's TestClient): security, index, copy view."""

from __future__ import annotations

import re
import warnings
from dataclasses import replace
from pathlib import Path

import pytest
from markupsafe import escape
from sites import Site
from workbench_sites import (
    EDITOR,
    FIRST,
    REVIEWED,
    conflict_site,
    copy_of,
    outdated_site,
    translated_site,
)

from translator.engines.pseudo import pseudo_localize
from translator.errors import TranslatorError
from translator.hugo.config import load_config
from translator.pipeline import sha256
from translator.review.workbench import Workbench, bind, make_app
from translator.store.memory import Memory

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette 1.x announces a move from httpx to httpx2.
    from starlette.testclient import TestClient

PORT = 8770
BASE = f"http://127.0.0.1:{PORT}"
COPY = "content/en/post.md"


class Bench:
    """A workbench over a site, with a logged-in client."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.bench = Workbench(load_config(site.root))
        self.app = make_app(self.bench, port=PORT)
        self.client = TestClient(self.app, base_url=BASE)
        login = self.client.get(f"/?token={self.bench.keys.token}", follow_redirects=False)
        assert login.status_code == 303

    @property
    def csrf(self) -> str:
        return self.bench.keys.csrf

    def form(self, **values: str) -> dict[str, str]:
        return {"csrf_token": self.csrf, "hash": sha256(self.site.read(COPY)), **values}

    def post(self, url: str, **values: str) -> object:
        return self.client.post(url, data=self.form(**values), follow_redirects=False)


@pytest.fixture(scope="module")
def translated(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return translated_site(tmp_path_factory.mktemp("translated") / "site")


@pytest.fixture(scope="module")
def in_conflict(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return conflict_site(tmp_path_factory.mktemp("conflict") / "site")


@pytest.fixture(scope="module")
def was_published(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return outdated_site(tmp_path_factory.mktemp("outdated") / "site")


@pytest.fixture
def outdated(was_published: Site, tmp_path: Path) -> Bench:
    return Bench(copy_of(was_published, tmp_path / "site"))


@pytest.fixture
def bench(translated: Site, tmp_path: Path) -> Bench:
    return Bench(copy_of(translated, tmp_path / "site"))


@pytest.fixture
def conflict(in_conflict: Site, tmp_path: Path) -> Bench:
    return Bench(copy_of(in_conflict, tmp_path / "site"))


def stranger(bench: Bench, **headers: str) -> TestClient:
    """A client without the session cookie."""
    return TestClient(bench.app, base_url=BASE, headers=headers)


# -- who may talk to it ----------------------------------------------------------------------
def test_login__the_token_url_sets_an_httponly_strict_cookie_and_drops_the_token(
    bench: Bench,
) -> None:
    client = stranger(bench)
    response = client.get(
        f"/?token={bench.bench.keys.token}&status=machine", follow_redirects=False
    )
    cookie = response.headers["set-cookie"]
    assert response.headers["location"] == "/?status=machine"
    assert f"translator_session_{PORT}={bench.bench.keys.session}" in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_login__a_wrong_token_is_403(bench: Bench) -> None:
    assert stranger(bench).get("/?token=guess").status_code == 403


def test_get_without_the_session_is_403(bench: Bench) -> None:
    assert stranger(bench).get("/").status_code == 403


def test_static_assets_need_the_session_too(bench: Bench) -> None:
    assert stranger(bench).get("/static/workbench.css").status_code == 403
    assert bench.client.get("/static/workbench.css").status_code == 200
    assert "--accent:" in bench.client.get("/static/theme.css").text


def test_post_without_the_session_is_403(bench: Bench) -> None:
    response = stranger(bench).post(f"/approve/{COPY}", data=bench.form())
    assert response.status_code == 403 and "draft: true" in bench.site.read(COPY)


def test_post_without_the_csrf_token_is_403(bench: Bench) -> None:
    data = {"hash": sha256(bench.site.read(COPY))}
    response = bench.client.post(f"/approve/{COPY}", data=data)
    assert response.status_code == 403 and "draft: true" in bench.site.read(COPY)


def test_post_with_a_wrong_csrf_token_is_403(bench: Bench) -> None:
    data = bench.form(csrf_token="x" * 43)
    assert bench.client.post(f"/approve/{COPY}", data=data).status_code == 403


def test_post_with_another_host_header_is_403(bench: Bench) -> None:
    response = bench.client.post(
        f"/approve/{COPY}", data=bench.form(), headers={"host": f"evil.example:{PORT}"}
    )
    assert response.status_code == 403 and "draft: true" in bench.site.read(COPY)


def test_get_with_localhost_instead_of_the_bound_address_is_403(bench: Bench) -> None:
    assert bench.client.get("/", headers={"host": f"localhost:{PORT}"}).status_code == 403


def test_post_from_another_origin_is_403(bench: Bench) -> None:
    response = bench.client.post(
        f"/approve/{COPY}", data=bench.form(), headers={"origin": "http://evil.example"}
    )
    assert response.status_code == 403


def test_responses_forbid_framing_and_remote_resources(bench: Bench) -> None:
    headers = bench.client.get("/").headers
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize(
    "url",
    [
        "/copy/../../etc/passwd",
        "/copy/%2e%2e/%2e%2e/etc/passwd",
        "/copy//etc/passwd",
        "/copy/content/en/../../../etc/hosts.md",
        "/copy/hugo.toml",
        "/?folder=../..",
        "/?folder=/etc",
        "/static/../workbench.py",
    ],
)
def test_a_path_outside_the_site_is_refused(bench: Bench, url: str) -> None:
    response = bench.client.get(url)
    assert response.status_code in (400, 404) and "root:" not in response.text


def test_a_copy_that_is_a_link_outside_the_site_is_refused(bench: Bench, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: SECRET\n---\n\nSECRET\n")
    (bench.site.root / COPY).unlink()
    (bench.site.root / COPY).symlink_to(secret)
    response = bench.client.get(f"/copy/{COPY}")
    assert response.status_code == 400 and "SECRET" not in response.text
    assert "SECRET" not in bench.client.get("/?text=secret").text


def test_a_post_to_a_path_outside_the_site_is_refused(bench: Bench) -> None:
    response = bench.post("/approve/content/en/../../../x.md")
    assert response.status_code in (400, 404)  # type: ignore[attr-defined]


# -- the index -------------------------------------------------------------------------------
def test_index__lists_the_copy_with_its_status(bench: Bench) -> None:
    page = bench.client.get("/").text
    assert (
        f'href="/copy/{COPY}"' in page and '<span class="badge st-machine">machine</span>' in page
    )


def test_index__counts_beside_each_filter(conflict: Bench) -> None:
    page = conflict.client.get("/").text
    assert '<option value="conflict">conflict (1)</option>' in page
    assert '<option value="en">English (1)</option>' in page


def test_index__filter_by_status(conflict: Bench) -> None:
    assert COPY in conflict.client.get("/?status=conflict").text
    assert f'href="/copy/{COPY}"' not in conflict.client.get("/?status=reviewed").text


def test_index__search_in_either_language(conflict: Bench) -> None:
    assert f'href="/copy/{COPY}"' in conflict.client.get("/?text=troisième paragraphe, REVU").text
    assert f'href="/copy/{COPY}"' in conflict.client.get("/?text=my own third").text
    assert "No copy matches." in conflict.client.get("/?text=nowhere").text


def test_index__a_copy_deleted_on_disk_shows_as_missing(bench: Bench) -> None:
    (bench.site.root / COPY).unlink()
    page = bench.client.get("/").text
    assert '<span class="badge st-missing">missing</span>' in page
    assert f'href="/copy/{COPY}"' not in page


def test_index__pages(translated: Site, tmp_path: Path) -> None:
    site = copy_of(translated, tmp_path / "site")
    for n in range(60):
        site.write(f"content/fr/p{n:02}.md", f"---\ntitle: Billet {n}\n---\n\nTexte {n}.\n")
    site.run_json()
    bench = Bench(site)
    first, second = bench.client.get("/").text, bench.client.get("/?page=2").text
    assert "Page 1 of 2" in first and 'rel="next" href="/?page=2"' in first
    assert len(re.findall(r'class="copy-link"', first)) == 50
    assert len(re.findall(r'class="copy-link"', second)) == 11


def _listed(page: str) -> list[str]:
    return re.findall(r'class="copy-link" href="/copy/([^"]+)"', page)


def test_index__sorted_by_the_posts_date_not_the_files_time(
    translated: Site, tmp_path: Path
) -> None:
    site = copy_of(translated, tmp_path / "site")
    # Written newest post first: the files' times say the opposite of the posts' dates.
    site.write("content/fr/new.md", "---\ntitle: Neuf\ndate: 2025-06-01\n---\n\nNeuf.\n")
    site.write("content/fr/old.md", "---\ntitle: Vieux\ndate: 2019-03-02\n---\n\nVieux.\n")
    site.run_json()
    order = _listed(Bench(site).client.get("/?sort=date").text)
    assert order == ["content/en/new.md", COPY, "content/en/old.md"]  # post.md: 2024-01-10


def test_index__a_post_without_date_sorts_by_lastmod(translated: Site, tmp_path: Path) -> None:
    site = copy_of(translated, tmp_path / "site")
    site.write("content/fr/mod.md", "---\ntitle: Revu\nlastmod: 2023-01-01\n---\n\nRevu.\n")
    site.run_json()
    page = Bench(site).client.get("/?sort=date").text
    assert _listed(page) == [COPY, "content/en/mod.md"]
    assert '<time datetime="2023-01-01">2023-01-01</time>' in page


def test_index__the_statuses_are_translator_status(conflict: Bench) -> None:
    conflict.site.write("content/fr/zz.md", "---\ntitle: Un autre\n---\n\nUn autre billet.\n")
    rows = conflict.site.translator("status", "--json").json()
    page = conflict.client.get("/").text
    for state in {r["state"] for r in rows}:
        count = sum(r["state"] == state for r in rows)
        assert f'<option value="{state}">{state} ({count})</option>' in page


# -- the copy view ---------------------------------------------------------------------------
def test_copy__side_by_side_with_line_numbers_in_both_files(bench: Bench) -> None:
    page = bench.client.get(f"/copy/{COPY}").text
    assert '<span class="lines">French line 7 · English line 14</span>' in page


def test_copy__conflict_shows_the_editors_text_and_the_suggestion(conflict: Bench) -> None:
    page = conflict.client.get(f"/copy/{COPY}").text
    assert EDITOR in page and "New machine suggestion" in page and 'value="accept"' in page


def test_copy__reads_the_file_not_the_memory(bench: Bench) -> None:
    text = bench.site.read(COPY)
    line = next(line for line in text.splitlines() if line.startswith("⟦Ţŕöîšîèɱé"))
    bench.site.write(COPY, text.replace(line, "Fixed by hand on disk."))
    page = bench.client.get(f"/copy/{COPY}").text
    assert "Fixed by hand on disk." in page and "st-edited" in page


def test_copy__retired_editor_text_is_listed_to_paste_back(conflict: Bench) -> None:
    # The French paragraph the editor had rewritten is deleted: the editor's text leaves
    # the copy, stays in the memory, and the copy view lists it.
    source = conflict.site.read("content/fr/post.md")
    third = next(line for line in source.splitlines() if line.startswith("Troisième"))
    conflict.site.write("content/fr/post.md", source.replace(f"\n{third}\n", "\n"))
    assert conflict.site.translator("run", "--engine", "pseudo").code == 0
    assert EDITOR not in conflict.site.read(COPY)
    page = conflict.client.get(f"/copy/{COPY}").text
    assert "Retired texts (1)" in page
    assert f'<span lang="en">{EDITOR}</span>' in page


def test_copy__a_deleted_copy_is_404(bench: Bench) -> None:
    (bench.site.root / COPY).unlink()
    assert bench.client.get(f"/copy/{COPY}").status_code == 404


def test_copy__markdown_rendered_raw_html_escaped(bench: Bench) -> None:
    text = bench.site.read(COPY)
    line = next(line for line in text.splitlines() if line.startswith("⟦Ţŕöîšîèɱé"))
    bench.site.write(COPY, text.replace(line, "Some **bold** and <script>alert(1)</script>."))
    page = bench.client.get(f"/copy/{COPY}").text
    assert "<strong>bold</strong>" in page and "<script>alert" not in page


# -- actions ---------------------------------------------------------------------------------
def test_save__writes_the_slot_and_redirects_to_it(bench: Bench) -> None:
    response = bench.post(f"/slot/1/{COPY}", text=FIRST, action="save")
    assert response.headers["location"] == f"/copy/{COPY}#slot-1"  # type: ignore[attr-defined]
    assert FIRST in bench.site.read(COPY)


def test_save__refused_with_the_reason_and_the_text_kept(bench: Bench) -> None:
    response = bench.post(f"/slot/1/{COPY}", text="No link, my precious words", action="save")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "lost link https://exemple.fr" in response.text  # type: ignore[attr-defined]
    assert ">No link, my precious words</textarea>" in response.text  # type: ignore[attr-defined]


def test_save__stale_file_is_409_and_nothing_is_lost(bench: Bench) -> None:
    form = bench.form(text=FIRST, action="save")
    bench.site.write(COPY, bench.site.read(COPY).replace("⟦Ţŕöîšîèɱé", "⟦Changed"))
    response = bench.client.post(f"/slot/1/{COPY}", data=form)
    assert response.status_code == 409 and "reload the page" in response.text
    assert f">{escape(FIRST)}</textarea>" in response.text
    assert FIRST not in bench.site.read(COPY)


def test_save__stale_and_broken_file_still_shows_the_unsaved_text(bench: Bench) -> None:
    form = bench.form(text=FIRST, action="save")
    # An added paragraph is merged now; front matter that no longer parses is still broken.
    broken = bench.site.read(COPY).replace("---\n", "---\nbroken: [unclosed\n", 1)
    bench.site.write(COPY, broken)
    response = bench.client.post(f"/slot/1/{COPY}", data=form)
    assert response.status_code == 409
    assert f'readonly rows="4" lang="en">{escape(FIRST)}</textarea>' in response.text


def test_memory_replaced_under_the_server__actions_go_to_the_new_file(bench: Bench) -> None:
    assert bench.client.get("/").status_code == 200  # the server's connection is open
    rebuilt = bench.site.translator("memory", "rebuild", "--force")
    assert rebuilt.code == 0, rebuilt.stderr
    bench.post(f"/slot/1/{COPY}", text=FIRST, action="review")
    with Memory.open(bench.site.root / ".translator" / "memory.sqlite") as memory:
        record = memory.post_for_target(COPY)
    assert record is not None
    assert (record.slots[1].state, record.slots[1].written) == ("reviewed", FIRST)


def test_undo__the_last_action(bench: Bench) -> None:
    before = bench.site.read(COPY)
    bench.post(f"/slot/1/{COPY}", text=FIRST, action="save")
    assert "Undo" in bench.client.get(f"/copy/{COPY}").text
    bench.client.post("/undo", data={"csrf_token": bench.csrf}, follow_redirects=False)
    assert bench.site.read(COPY) == before


def test_undo__works_after_a_restart(bench: Bench) -> None:
    before = bench.site.read(COPY)
    bench.post(f"/slot/1/{COPY}", text=FIRST, action="save")
    restarted = Bench(bench.site)  # a new server process: nothing shared but the site
    assert 'Undo <span class="what">edited line 7</span>' in restarted.client.get("/").text
    response = restarted.client.post("/undo", data={"csrf_token": restarted.csrf})
    assert response.status_code == 200 and bench.site.read(COPY) == before


def test_undo__refused_when_the_file_changed_on_disk_since(bench: Bench) -> None:
    bench.post(f"/slot/1/{COPY}", text=FIRST, action="save")
    by_hand = bench.site.read(COPY).replace("by an editor", "by hand")
    bench.site.write(COPY, by_hand)
    restarted = Bench(bench.site)
    response = restarted.client.post("/undo", data={"csrf_token": restarted.csrf})
    assert response.status_code == 409
    assert "cannot undo “edited line 7”: the copy changed on disk since" in response.text
    assert bench.site.read(COPY) == by_hand


def test_undo__a_refused_step_is_dropped(bench: Bench) -> None:
    bench.post(f"/slot/1/{COPY}", text=FIRST, action="save")
    bench.site.write(COPY, bench.site.read(COPY).replace("by an editor", "by hand"))
    bench.client.post("/undo", data={"csrf_token": bench.csrf})
    assert 'id="undo"' not in bench.client.get("/").text


def test_undo__an_undone_action_is_not_undone_twice(bench: Bench) -> None:
    bench.post(f"/slot/1/{COPY}", text=FIRST, action="save")
    bench.client.post("/undo", data={"csrf_token": bench.csrf})
    response = bench.client.post("/undo", data={"csrf_token": bench.csrf})
    assert "Nothing to undo." in response.text


def test_approve(bench: Bench) -> None:
    response = bench.post(f"/approve/{COPY}", force="1")  # pseudo text: past the guard
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert "status: reviewed" in bench.site.read(COPY)


def test_approve__goes_on_with_the_next_copy_waiting(translated: Site, tmp_path: Path) -> None:
    site = copy_of(translated, tmp_path / "site")
    site.write("content/fr/zz.md", "---\ntitle: Un autre\n---\n\nUn autre billet.\n")
    site.run_json()
    bench = Bench(site)
    response = bench.post(f"/approve/{COPY}", force="1")  # pseudo text: past the guard
    assert response.headers["location"] == "/copy/content/en/zz.md"  # type: ignore[attr-defined]


def test_a_whole_site_from_machine_to_reviewed_through_the_app(
    translated: Site, tmp_path: Path
) -> None:
    site = copy_of(translated, tmp_path / "site")
    for n in range(3):
        site.write(f"content/fr/b{n}.md", f"---\ntitle: Billet {n}\n---\n\nTexte {n}.\n")
    site.run_json()
    bench = Bench(site)
    url = bench.client.get("/?status=machine").text
    key: str | None = re.findall(r'class="copy-link" href="/copy/([^"]+)"', url)[0]
    approved = 0
    while key:
        page = bench.client.get(f"/copy/{key}").text
        hash_ = re.search(r'name="hash" value="([0-9a-f]+)"', page)
        assert hash_ is not None
        response = bench.client.post(
            f"/approve/{key}",
            data={"csrf_token": bench.csrf, "hash": hash_.group(1), "force": "1"},
            follow_redirects=False,
        )  # fmt: skip
        approved += 1
        following = response.headers["location"].removeprefix("/copy/")
        key = None if following == key else following
    assert approved == 4
    assert '<option value="reviewed">reviewed (4)</option>' in bench.client.get("/").text
    assert {c["state"] for c in site.translator("status", "--json").json()} == {"reviewed"}


# -- outdated copies: the French changed after approval ---------------------------------------
SUGGESTION = pseudo_localize("Autre chose.")
"""The machine's translation of the new French, waiting as a suggestion."""
OUTDATED_SLOT = 4


def _approve_and_run(bench: Bench) -> dict[str, str]:
    """Approve through the app (past the guard: pseudo text), then `translator run`."""
    response = bench.post(f"/approve/{COPY}", force="1")
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    approved = bench.site.read(COPY)
    assert bench.site.translator("run", "--engine", "pseudo").code == 0
    assert bench.site.read(COPY) == approved  # the run keeps the editor's result byte for byte
    (row,) = [r for r in bench.site.translator("status", "--json").json() if r["target"] == COPY]
    return {"state": row["state"], "text": approved}


def test_outdated__the_index_filters_them(outdated: Bench) -> None:
    page = outdated.client.get("/?status=outdated").text
    assert f'href="/copy/{COPY}"' in page and '<option value="outdated" selected>' in page


def test_outdated__the_copy_shows_the_french_diff_and_the_suggestion(outdated: Bench) -> None:
    page = outdated.client.get(f"/copy/{COPY}").text
    assert 'id="outdated-note"' in page
    assert "<del>Troisième</del><ins>Autre</ins>" in page
    assert "Machine suggestion for the new French" in page and SUGGESTION in page
    assert "reviewed text for the older French, live on the site" in page


def test_outdated__each_way_out_is_offered(outdated: Bench) -> None:
    page = outdated.client.get(f"/copy/{COPY}").text
    slot = page[page.index(f'id="slot-{OUTDATED_SLOT}"') :]
    assert 'value="accept"' in slot and 'value="keep"' in slot and 'value="review"' in slot


def test_outdated__accept_the_suggestion_then_approve(outdated: Bench) -> None:
    response = outdated.post(f"/slot/{OUTDATED_SLOT}/{COPY}", action="accept")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert SUGGESTION in outdated.site.read(COPY) and REVIEWED not in outdated.site.read(COPY)
    after = _approve_and_run(outdated)
    assert after["state"] == "reviewed" and SUGGESTION in after["text"]


def test_outdated__keep_the_reviewed_text_then_approve(outdated: Bench) -> None:
    before = outdated.site.read(COPY)
    response = outdated.post(f"/slot/{OUTDATED_SLOT}/{COPY}", action="keep")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert outdated.site.read(COPY) == before.replace("status: outdated", "status: machine")
    assert "Kept the reviewed text for line 13." in outdated.client.get(f"/copy/{COPY}").text
    after = _approve_and_run(outdated)
    assert after["state"] == "reviewed" and REVIEWED in after["text"]


def test_outdated__edit_then_approve(outdated: Bench) -> None:
    response = outdated.post(f"/slot/{OUTDATED_SLOT}/{COPY}", text="Something else.", action="save")
    assert response.status_code == 303  # type: ignore[attr-defined]
    after = _approve_and_run(outdated)
    assert after["state"] == "reviewed" and "\nSomething else.\n" in after["text"]


def test_outdated__a_new_french_paragraph_cannot_be_kept_as_it_is(outdated: Bench) -> None:
    french = outdated.site.read("content/fr/post.md")
    outdated.site.write("content/fr/post.md", french + "\nUn ajout.\n")
    assert outdated.site.translator("run", "--engine", "pseudo").code == 0
    page = outdated.client.get(f"/copy/{COPY}").text
    added = page[page.index('id="slot-5"') :]
    assert "a new paragraph: the page shows the French until it is translated" in added
    assert 'value="accept"' in added and 'value="keep"' not in added


def test_outdated__approve_refuses_while_a_slot_is_outdated(outdated: Bench) -> None:
    response = outdated.post(f"/approve/{COPY}")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "outdated" in response.text  # type: ignore[attr-defined]


# -- the static export -----------------------------------------------------------------------
def test_export__an_index_page_and_one_page_per_copy(translated: Site, tmp_path: Path) -> None:
    site = copy_of(translated, tmp_path / "site")
    site.write("content/fr/zz.md", "---\ntitle: Un autre\n---\n\nUn autre billet.\n")
    site.run_json()
    assert site.translator("review", "-o", "export").code == 0
    export = site.root / "export"
    pages = sorted(p.name for p in (export / "copies").iterdir())
    assert pages == ["content-en-post-md.html", "content-en-zz-md.html"]
    index = (export / "index.html").read_text()
    assert all(f'href="copies/{p}"' in index for p in pages)
    assert (export / "static" / "workbench.css").exists()
    # workbench.css @imports the theme shared with the single-page export.
    assert "--accent:" in (export / "static" / "theme.css").read_text()


def test_export__copies_whose_names_differ_only_in_punctuation_get_two_pages(
    translated: Site, tmp_path: Path
) -> None:
    site = copy_of(translated, tmp_path / "site")
    site.write("content/fr/a-b.md", "---\ntitle: Un\n---\n\nLe premier billet.\n")
    site.write("content/fr/a/b.md", "---\ntitle: Deux\n---\n\nLe second billet.\n")
    site.run_json()
    assert site.translator("review", "-o", "export").code == 0
    pages = [p.read_text() for p in (site.root / "export" / "copies").iterdir()]
    assert len(pages) == 3
    assert sum("Le premier billet" in p for p in pages) == 1
    assert sum("Le second billet" in p for p in pages) == 1


def test_export__pages_have_no_form_and_no_script(translated: Site, tmp_path: Path) -> None:
    site = copy_of(translated, tmp_path / "site")
    assert site.translator("review", "-o", "export").code == 0
    page = (site.root / "export" / "copies" / "content-en-post-md.html").read_text()
    assert "<form" not in page and "<script" not in page
    assert 'href="../static/workbench.css"' in page and "French line 7" in page


def test_index__qa_flag_kinds_with_counts(translated: Site, tmp_path: Path) -> None:
    site = copy_of(translated, tmp_path / "site")
    config = load_config(site.root)
    with Memory.open(config.state_dir / "memory.sqlite") as memory:
        record = memory.post_for_target(COPY)
        assert record is not None
        flagged = replace(record.slots[1], notes=("numbers: lost 12", "length: too long"))
        memory.save_post(replace(record, slots=(record.slots[0], flagged, *record.slots[2:])))
    page = Bench(site).client.get("/?flag=numbers").text
    assert '<option value="numbers" selected>numbers (1)</option>' in page
    assert '<span class="badge flag-code">length</span>' in page and f"/copy/{COPY}" in page


def test_index__a_copy_translator_did_not_write_is_human(translated: Site, tmp_path: Path) -> None:
    site = copy_of(translated, tmp_path / "site")
    site.write("content/fr/zz.md", "---\ntitle: Un autre\n---\n\nUn autre billet.\n")
    site.write("content/en/zz.md", "---\ntitle: Another\n---\n\nWritten by a person.\n")
    page = Bench(site).client.get("/?status=human").text
    assert "content/en/zz.md" in page and '<span class="badge st-human">human</span>' in page


HUMAN = "content/en/zz.md"


@pytest.fixture
def human(translated: Site, tmp_path: Path) -> Bench:
    """A French post with an English page a person wrote (same blocks as the French)."""
    site = copy_of(translated, tmp_path / "site")
    site.write("content/fr/zz.md", "---\ntitle: Un autre\n---\n\nUn autre billet.\n\nLa fin.\n")
    site.write(HUMAN, "---\ntitle: Another\n---\n\nWritten by a person.\n\nThe end.\n")
    return Bench(site)


def test_human__the_index_links_to_the_copy(human: Bench) -> None:
    assert f'class="copy-link" href="/copy/{HUMAN}"' in human.client.get("/?status=human").text


def test_human__shown_beside_its_source_slot_by_slot(human: Bench) -> None:
    page = human.client.get(f"/copy/{HUMAN}").text
    assert 'id="human-note"' in page and "A human translation" in page
    assert '<span class="lines">French line 7 · English line 7</span>' in page
    assert "<p>La fin.</p>" in page and "<p>The end.</p>" in page


def test_human__read_only(human: Bench) -> None:
    page = human.client.get(f"/copy/{HUMAN}").text
    assert "/slot/" not in page and "/approve/" not in page and "<textarea" not in page


def test_human__another_structure_shows_both_pages_whole(human: Bench) -> None:
    human.site.write(HUMAN, "---\ntitle: Another\n---\n\nAll in one paragraph.\n")
    page = human.client.get(f"/copy/{HUMAN}").text
    assert "The two pages whole" in page and "not paired: " in page
    assert "<p>All in one paragraph.</p>" in page and "<p>Un autre billet.</p>" in page


def test_human__an_action_on_it_is_refused_and_the_file_kept(human: Bench) -> None:
    before = human.site.read(HUMAN)
    data = {"csrf_token": human.csrf, "hash": sha256(before), "text": "Mine", "action": "save"}
    response = human.client.post(f"/slot/1/{HUMAN}", data=data)
    assert response.status_code == 422 and human.site.read(HUMAN) == before


def test_copy__word_diff_of_the_french_since_the_last_approval(
    translated: Site, tmp_path: Path
) -> None:
    site = copy_of(translated, tmp_path / "site")
    assert site.translator("approve", "--force", COPY).code == 0
    french = site.read("content/fr/post.md")
    site.write("content/fr/post.md", french.replace("Troisième paragraphe.", "Troisième alinéa."))
    site.run_json()
    page = Bench(site).client.get(f"/copy/{COPY}").text
    assert "Changed since the last approval" in page
    assert "Troisième <del>paragraphe</del><ins>alinéa</ins>." in page


# -- the server ------------------------------------------------------------------------------
def test_bind__loopback_only() -> None:
    sock = bind(0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()


def test_bind__a_port_in_use_is_a_clear_error() -> None:
    sock = bind(0)
    try:
        with pytest.raises(TranslatorError, match="--port"):
            bind(sock.getsockname()[1])
    finally:
        sock.close()
