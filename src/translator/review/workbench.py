"""The editors' workbench: a small ASGI app over one site (`translator review --serve`).

Handlers parse the request, call `catalog` (reading) or `editing` (the one
write path) and render a Jinja template; no translation or merge logic here.
Every page is read from the files at request time. The guard in
`review.security` stands in front of every route.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import uvicorn
from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from translator.errors import (
    EditRefusedError,
    StaleCopyError,
    TranslatorError,
    UnsafePathError,
)
from translator.hugo.config import SiteConfig
from translator.hugo.lost_memory import check_memory_kept
from translator.pipeline import Context
from translator.review import catalog, editing
from translator.review.human_view import human_view
from translator.review.security import CSRF_FIELD, Guard, Secrets
from translator.review.static_page import LANGUAGE_NAMES
from translator.store.files import atomic_write
from translator.store.memory import Memory, site_lock

__all__ = ("HOST", "Workbench", "bind", "export", "make_app", "serve")

HOST = "127.0.0.1"
"""The only address the workbench binds to."""
_SAFE_KEY = re.compile(r"[^\x00\\]+")


@dataclass
class Workbench:
    """What the app keeps between requests: the site, its secrets, what to say next.

    The undo steps are in the memory, not here: undo works after a restart.
    """

    config: SiteConfig
    """The site."""
    keys: Secrets = field(default_factory=Secrets)
    """The start token, the session cookie and the CSRF token of this run."""
    flash: str = ""
    """What the last action did, shown once on the next page."""

    memories: dict[int, tuple[Memory, tuple[int, int]]] = field(default_factory=dict)
    """One open memory per thread (SQLite connections stay in their thread), with the
    file's identity (device, inode) when it was opened."""

    @contextlib.contextmanager
    def context(self, *, write: bool = False) -> Iterator[Context]:
        """The memory for one request; writes hold the site's lock, as `translator run` does."""
        with contextlib.ExitStack() as stack:
            if write:
                stack.enter_context(
                    site_lock(self.config.state_dir, command="translator review --serve")
                )
            yield Context(self.config, self.memory())

    def memory(self) -> Memory:
        """This thread's connection, opened (and checked) once per memory file.

        A check costs 0.1 s per 1,000 posts, so it is not made per request; but a
        file replaced under the server (`memory rebuild --force`, a git checkout or
        merge) is a new inode, and an old connection would write into the set-aside
        file: a changed identity reopens.
        """
        thread = threading.get_ident()
        path = self.config.state_dir / "memory.sqlite"
        opened = self.memories.get(thread)
        if opened is not None and opened[1] == _identity(path):
            return opened[0]
        if opened is not None:
            opened[0].close()
            del self.memories[thread]
        # As every command: a lost memory beside translator's copies stops here.
        check_memory_kept(self.config, path)
        memory = Memory.open(path)
        try:
            check_memory_kept(self.config, path, memory)
        except TranslatorError:
            memory.close()
            raise
        self.memories[thread] = (memory, _identity(path))
        return memory

    def close(self) -> None:
        """Close every connection."""
        for memory, _ in self.memories.values():
            memory.close()
        self.memories.clear()


def _identity(path: Path) -> tuple[int, int]:
    """(device, inode) of the memory file; (0, 0) when it is gone."""
    try:
        found = path.stat()
    except OSError:
        return (0, 0)
    return (found.st_dev, found.st_ino)


def make_app(bench: Workbench, *, port: int) -> Guard:
    """The ASGI app for `bench`, answering only to http://127.0.0.1:`port`."""
    templates = _templates()
    pages = _Pages(bench, templates)
    routes = [
        Route("/", pages.index),
        Route("/copy/{path:path}", pages.copy, methods=["GET"]),
        Route("/slot/{position:int}/{path:path}", pages.slot_action, methods=["POST"]),
        Route("/approve/{path:path}", pages.approve, methods=["POST"]),
        Route("/undo", pages.undo, methods=["POST"]),
        Mount("/static", StaticFiles(packages=[("translator.review", "static")]), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: pages.not_found})
    return Guard(app, keys=bench.keys, host=HOST, port=port)


def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("translator.review", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Raw HTML in a post is shown as text: a copy never runs script in the workbench.
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    env.filters["markdown"] = lambda text: Markup(md.render(text))
    env.filters["flag"] = catalog.split_flag
    env.globals["language_name"] = lambda code: LANGUAGE_NAMES.get(code, code)
    env.globals["with_params"] = _with_params
    env.globals["when"] = _when
    return env


def _with_params(params: dict[str, str], **changes: object) -> str:
    """The index URL with some parameters changed (a new filter goes back to page 1)."""
    merged = {k: v for k, v in params.items() if k != "page"}
    merged.update({k: str(v) for k, v in changes.items()})
    return "/?" + urlencode({k: v for k, v in merged.items() if v})


def _when(date: str) -> str:
    """An ISO 8601 date as the index shows it: `2026-11-29`, or `2026-11-29 01:30`."""
    day, _, time = date.partition("T")
    return f"{day} {time[:5]}" if time[:5] not in ("", "00:00") else day


class _Pages:
    """The route handlers."""

    def __init__(self, bench: Workbench, templates: Environment) -> None:
        self.bench = bench
        self.templates = templates

    def render(self, request: Request, name: str, status: int = 200, **values: Any) -> Response:
        """A page from its template, with what every page shows (flash, undo, CSRF token)."""
        flash, self.bench.flash = self.bench.flash, ""
        with self.bench.context() as context:
            last = context.memory.last_undo()
        undo = last[1] if last else None
        html = self.templates.get_template(name).render(
            csrf_field=CSRF_FIELD,
            csrf=self.bench.keys.csrf,
            site=self.bench.config.root,
            flash=flash,
            undo=undo,
            static=False,
            root="/",
            copy_href=lambda key: f"/copy/{quote(key)}",
            source_language=self.bench.config.source_language,
            **values,
        )
        return HTMLResponse(html, status_code=status)

    async def index(self, request: Request) -> Response:
        """The list of copies, filtered, counted and cut into pages."""
        params = dict(request.query_params)
        if not _safe_folder(params.get("folder", "")):
            return self.refuse(request, "the folder is outside the site")
        query = catalog.query_from(params)
        with self.bench.context() as context:
            rows = catalog.copy_rows(context)
        listing = catalog.select(self.bench.config.root, rows, query)
        return self.render(
            request, "index.html", query=query, listing=listing, statuses=catalog.STATUSES,
            params=params,
        )  # fmt: skip

    async def copy(self, request: Request) -> Response:
        """One copy, slot by slot."""
        key = request.path_params["path"]
        if not _safe_key(key):
            return self.refuse(request, "the path is outside the site")
        return self.copy_page(request, key)

    def copy_page(
        self, request: Request, key: str, *, error: str = "", kept: tuple[int, str] | None = None,
        status: int = 200,
    ) -> Response:  # fmt: skip
        """A copy's page, with an error and the editor's unsaved text when an action failed."""
        try:
            with self.bench.context() as context:
                view = catalog.copy_view(context, key)
                previous, following = catalog.neighbours(context, key)
        except UnsafePathError as unsafe:
            return self.refuse(request, unsafe.message)
        if view is None:
            return self.human_page(request, key, error=error, status=status)
        return self.render(
            request, "copy.html", status, view=view, error=error, kept=kept,
            previous=previous, following=following,
        )  # fmt: skip

    def human_page(
        self, request: Request, key: str, *, error: str = "", status: int = 200
    ) -> Response:
        """A human copy beside its source, read only; 404 when the page is not one either."""
        try:
            with self.bench.context() as context:
                view = human_view(context, key)
        except UnsafePathError as unsafe:
            return self.refuse(request, unsafe.message)
        except TranslatorError as unreadable:  # a page that cannot be read: say why
            return self.render(request, "gone.html", 404, path=key, why=str(unreadable))
        if view is None:
            return self.render(request, "gone.html", 404, path=key)
        return self.render(request, "human.html", status, view=view, error=error)

    async def slot_action(self, request: Request) -> Response:
        """Save a slot's text, accept its suggestion, or save and mark it reviewed."""
        key, position = request.path_params["path"], request.path_params["position"]
        form: dict[str, str] = request.state.form
        action = form.get("action", "save")
        text = form.get("text", "")
        expected = form.get("hash", "")

        def act(context: Context) -> editing.Change:
            if action == "accept":
                return editing.accept_suggestion(context, key, position, expected_hash=expected)
            if action == "review":
                return editing.mark_reviewed(
                    context, key, position, text=text, expected_hash=expected
                )
            if action == "keep":  # an outdated slot: the reviewed text stands for the new French
                return editing.mark_reviewed(context, key, position, expected_hash=expected)
            return editing.edit_slot(context, key, position, text, expected_hash=expected)

        kept = (position, text) if action in ("save", "review") else None
        return self.act(request, key, act, anchor=f"slot-{position}", kept=kept)

    async def approve(self, request: Request) -> Response:
        """Approve a copy, as `translator approve`."""
        key = request.path_params["path"]
        expected = request.state.form.get("hash", "")
        force = request.state.form.get("force") == "1"  # past the approval guard, recorded
        # After an approval the editor goes on with the next copy waiting, if any.
        return self.act(
            request, key,
            lambda c: editing.approve_copy(c, key, expected_hash=expected, force=force),
            then=lambda context: catalog.neighbours(context, key)[1],
        )  # fmt: skip

    async def undo(self, request: Request) -> Response:
        """Take the last action back (kept in the memory: this works after a restart too)."""
        with self.bench.context() as context:
            last = context.memory.last_undo()
        if last is None:
            self.bench.flash = "Nothing to undo."
            return RedirectResponse("/", status_code=303)
        number, change = last

        def take_back(context: Context) -> editing.Change:
            try:
                return editing.undo(context, change)
            except StaleCopyError:
                # The copy moved on: this step and the older ones for it can never apply.
                context.memory.forget_undo(change.target_path)
                raise

        return self.act(request, change.target_path, take_back, undone=number)

    def act(
        self, request: Request, key: str, action: Callable[[Context], editing.Change], *,
        anchor: str = "", kept: tuple[int, str] | None = None, undone: int | None = None,
        then: Callable[[Context], str | None] = lambda context: None,
    ) -> Response:  # fmt: skip
        """Run one editing action under the site's lock; show why when it is refused.

        `then` names the copy to show next (default: the same one); `undone` is the
        number of the undo step this action takes back (else the action becomes one).
        """
        if not _safe_key(key):
            return self.refuse(request, "the path is outside the site")
        try:
            with self.bench.context(write=True) as context:
                change = action(context)
                if undone is None:
                    context.memory.push_undo(change)
                else:
                    context.memory.drop_undo(undone)
                following = then(context)
        except StaleCopyError as error:
            return self.copy_page(request, key, error=str(error), kept=kept, status=409)
        except (EditRefusedError, TranslatorError) as error:
            return self.copy_page(request, key, error=str(error), kept=kept, status=422)
        self.bench.flash = f"{change.what.capitalize()}."
        if following:
            self.bench.flash = f"{change.what.capitalize()}: {key}. Next copy waiting for review."
        target = f"/copy/{quote(following or key)}" + (f"#{anchor}" if anchor else "")
        return RedirectResponse(target, status_code=303)

    def refuse(self, request: Request, why: str) -> Response:
        """400: a path outside the site."""
        return self.render(request, "refused.html", 400, why=why)

    async def not_found(self, request: Request, exc: Exception) -> Response:
        """404 for any other address."""
        return self.render(request, "gone.html", 404, path=request.url.path)


def _safe_key(key: str) -> bool:
    """A copy path relative to the site: no `..`, no absolute path, no backslash, Markdown."""
    parts = key.split("/")
    return (
        bool(_SAFE_KEY.fullmatch(key))
        and not key.startswith("/")
        and all(part not in ("", ".", "..") for part in parts)
        and key.endswith((".md", ".markdown"))
    )


def _safe_folder(folder: str) -> bool:
    return not folder or (
        bool(_SAFE_KEY.fullmatch(folder))
        and not folder.startswith("/")
        and ".." not in folder.split("/")
    )


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (`port` 0: a free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as error:
        sock.close()
        raise TranslatorError(
            f"cannot listen on {HOST}:{port}: {error.strerror}",
            hint="choose another port with --port N (0 picks a free one)",
        ) from error
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def serve(
    config: SiteConfig,
    *,
    port: int,
    open_browser: bool,
    say: Callable[[str], None],
    language: str | None = None,
) -> None:
    """Run the workbench in the foreground until Ctrl-C; `language` filters the first page."""
    bench = Workbench(config)
    bench.memory()  # a damaged or lost memory is reported now, not on the first page
    sock = bind(port)
    port = sock.getsockname()[1]
    url = f"http://{HOST}:{port}/?token={bench.keys.token}"
    url += f"&{urlencode({'language': language})}" if language else ""
    say(f"Editors' workbench for {config.root}\nOpen this URL (it logs you in):\n    {url}\n"
        "Stop with Ctrl-C.")  # fmt: skip
    sys.stderr.flush()
    if open_browser:
        webbrowser.open(url)
    server = uvicorn.Server(
        uvicorn.Config(make_app(bench, port=port), log_level="warning", lifespan="off")
    )
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn shuts down, then hands Ctrl-C back: stopping is the normal end here
    finally:
        bench.close()
    say("Workbench stopped.")


def export(config: SiteConfig, folder: Path, *, language: str | None = None) -> Path:
    """The workbench as static pages: `index.html` and `copies/<copy>.html`, no forms, no script."""
    bench = Workbench(config)
    env = _templates()
    query = catalog.Query(language=language or "")
    try:
        with bench.context() as context:
            rows = catalog.copy_rows(context)
            listing = catalog.select(config.root, rows, query, per_page=max(1, len(rows)))
            pages = {
                row.target: _static_copy(env, context, row.target, bench)
                for row in listing.rows
                if row.target and row.status not in ("missing", "human", "error")
            }
    finally:
        bench.close()
    common = {"static": True, "site": config.root, "source_language": config.source_language}
    index = env.get_template("index.html").render(
        **common, root="", listing=listing, query=query, params={},
        copy_href=lambda key: f"copies/{_slug(key)}",
    )  # fmt: skip
    atomic_write(folder / "index.html", index)
    for key, html in pages.items():
        if html is not None:
            atomic_write(folder / "copies" / _slug(key), html)
    for name in ("theme.css", "workbench.css"):  # workbench.css @imports theme.css
        atomic_write(folder / "static" / name, (_STATIC / name).read_text(encoding="utf-8"))
    return folder / "index.html"


def _static_copy(env: Environment, context: Context, key: str, bench: Workbench) -> str | None:
    view = catalog.copy_view(context, key)
    if view is None:
        return None
    previous, following = catalog.neighbours(context, key)
    return env.get_template("copy.html").render(
        static=True, site=bench.config.root, source_language=bench.config.source_language,
        root="../", view=view, error="", kept=None, previous=previous, following=following,
        copy_href=_slug,
    )  # fmt: skip


def _slug(key: str) -> str:
    """`content/en/a/post.md` -> `content-en-a-post-md.html`, one name per copy.

    Only a key of letters, digits, `_` and `/` with one `.md` reads back from its
    slug; any other (`a-b.md` beside `a/b.md`, `post.en.md`, `é`) gets a hash of
    the key, so two copies never share a page.
    """
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-")
    if not _PLAIN_KEY.fullmatch(key):
        slug += "-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    return slug + ".html"


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_/]+\.md")


_STATIC = Path(__file__).parent / "static"
