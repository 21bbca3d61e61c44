"""One glossary lookup for the renderer, the QA check and the provenance hash, and the
glossary provenance of slots from a v1 memory: through the real command.

A site whose English is `[languages.en-us]` may key its fixed translations by
the Hugo key (`en-us`) or by the engine's code (`en`): both must be applied,
checked and hashed alike (`Glossary.fixed_for`).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sites import Site, hugo_site, make_site

from translator.markdown.glossary import Glossary
from translator.store.memory import _SCHEMA, APPLICATION_ID

EN_US = """\
defaultContentLanguage = "fr"
[languages.fr]
contentDir = "content/fr"
weight = 1
[languages.en-us]
contentDir = "content/en-us"
weight = 2
"""
POST = "---\ntitle: Un titre\n---\n\nUn paragraphe court.\n\nLe Paragraphe.\n"
COPY = "content/en-us/post.md"


def _en_us_site(root: Path, key: str, translation: str) -> Site:
    own = f'targets = ["en-us"]\n[glossary.fixed.{key}]\n"paragraphe" = "{translation}"\n'
    return hugo_site(root, EN_US, {"content/fr/post.md": POST, "translator.toml": own})


def _notes(site: Site) -> list[str]:
    with sqlite3.connect(site.root / ".translator/memory.sqlite") as db:
        rows = db.execute("SELECT notes FROM slots ORDER BY position").fetchall()
    return [note for (notes,) in rows for note in json.loads(notes)]


def test_fixed_for__site_key_first() -> None:
    glossary = Glossary(fixed={"en-us": {"a": "us"}, "en": {"a": "en"}})
    assert glossary.fixed_for("en-us", "en") == {"a": "us"}


def test_fixed_for__engine_code_when_the_key_has_none() -> None:
    glossary = Glossary(fixed={"en": {"a": "en"}})
    assert glossary.fixed_for("en-us", "en") == {"a": "en"}


def test_fixed_for__nothing_for_another_language() -> None:
    glossary = Glossary(fixed={"en": {"a": "en"}})
    assert glossary.fixed_for("es", "es") == {}


def test_en_us_site__glossary_keyed_by_code_is_applied(tmp_path: Path) -> None:
    site = _en_us_site(tmp_path, "en", "paragraph")
    site.run_json()
    assert "⟦Ûñ paragraph " in site.read(COPY)


def test_en_us_site__change_of_a_glossary_keyed_by_code_retranslates(tmp_path: Path) -> None:
    site = _en_us_site(tmp_path, "en", "paragraph")
    site.run_json()
    site.write("translator.toml", site.read("translator.toml").replace('"paragraph"', '"passage"'))
    summary = site.run_json()
    assert summary["translated_posts"] == 1
    assert "⟦Ûñ passage " in site.read(COPY)


def test_en_us_site__qa_checks_a_glossary_keyed_by_site_key(tmp_path: Path) -> None:
    # `Le Paragraphe` (capital P) is not the glossary's term as written, so the engine
    # translates it; the case-blind QA check must see that the fixed translation is missing.
    site = _en_us_site(tmp_path, "en-us", "paragraph")
    site.run_json()
    assert "glossary: 'paragraphe' must be translated 'paragraph'" in _notes(site)


def test_en_us_site__qa_checks_a_glossary_keyed_by_code(tmp_path: Path) -> None:
    site = _en_us_site(tmp_path, "en", "paragraph")
    site.run_json()
    assert "glossary: 'paragraphe' must be translated 'paragraph'" in _notes(site)


# -- a memory from schema 1: its slots carry no glossary hash ------------------------------------

V1_POSTS = "source_path, target_lang, target_path, source_hash, written_hash, written_text, status,"
V1_POSTS += " engine, model, updated"
V1_SLOTS = "source_path, target_lang, position, label, source_text, machine_text, written_text,"
V1_SLOTS += " state, suggestion, approved_source, notes"


def _downgrade_to_v1(site: Site) -> None:
    """Rewrite the site's memory as translator's schema 1 wrote it (no provenance columns)."""
    path = site.root / ".translator/memory.sqlite"
    old = path.with_name("v2.sqlite")
    path.rename(old)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("PRAGMA user_version = 1")
        db.executescript(_SCHEMA)
        db.execute("ATTACH DATABASE ? AS v2", (str(old),))
        db.execute("INSERT INTO units SELECT * FROM v2.units")
        db.execute(f"INSERT INTO posts SELECT {V1_POSTS} FROM v2.posts")
        db.execute(f"INSERT INTO slots SELECT {V1_SLOTS} FROM v2.slots")
    old.unlink()


def test_v1_memory__glossary_change_after_upgrade_retranslates(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    site.write("translator.toml", '[glossary.fixed.en]\n"paragraphe" = "paragraph"\n')
    site.run_json()
    _downgrade_to_v1(site)
    site.write("translator.toml", '[glossary.fixed.en]\n"paragraphe" = "passage"\n')
    summary = site.run_json()
    copy = site.read("content/en/post.md")
    assert summary["translated_posts"] == 1
    assert "passage" in copy
    assert "paragraph." not in copy


def test_v1_memory__unchanged_glossary_rewrites_nothing_twice(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    site.write("translator.toml", '[glossary.fixed.en]\n"paragraphe" = "paragraph"\n')
    site.run_json()
    _downgrade_to_v1(site)
    site.run_json()  # once: the slots the glossary touches get their hash
    assert site.run_json()["translated_posts"] == 0


def test_v1_memory__editor_text_survives_the_upgrade_rerun(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    site.write("translator.toml", '[glossary.fixed.en]\n"paragraphe" = "paragraph"\n')
    site.run_json()
    copy = site.read("content/en/post.md")
    first = next(line for line in copy.splitlines() if "paragraph" in line)
    site.write("content/en/post.md", copy.replace(first, "First paragraph, by an editor."))
    site.run_json()  # the edit is recorded
    _downgrade_to_v1(site)
    site.write("translator.toml", '[glossary.fixed.en]\n"paragraphe" = "passage"\n')
    site.run_json()
    assert "First paragraph, by an editor." in site.read("content/en/post.md")
