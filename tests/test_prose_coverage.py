"""Prose nothing translates is flagged: undeclared keys, arguments and raw shortcode bodies."""

from __future__ import annotations

from pathlib import Path

from sites import make_site

from translator.engines.pseudo import pseudo_localize
from translator.markdown import _markdown
from translator.markdown.document import DEFAULT_TRANSLATABLE_KEYS
from translator.markdown.page import read_page
from translator.markdown.prose_coverage import uncovered_prose
from translator.markdown.shortcodes import DEFAULT_SHORTCODES, ShortcodeRule
from translator.store.memory import Memory


def flags(text: str, rules: dict[str, ShortcodeRule] | None = None) -> list[str]:
    rules = rules or dict(DEFAULT_SHORTCODES)
    page = read_page(_markdown.make_parser(), text, shortcodes=rules)
    return uncovered_prose(
        page.document,
        page.segments,
        keys=DEFAULT_TRANSLATABLE_KEYS,
        rules=rules,
        translated=[f.key for f in page.fields],
        kept_blocks=page.kept_blocks,
    )


def test_front_matter_key_not_declared() -> None:
    assert flags("---\nhero_title: Le pain du jour\n---\n") == [
        (
            "prose: front matter hero_title reads like prose and is not translated — "
            'add "hero_title" to translatable_keys'
        )
    ]


def test_declared_value_of_several_paragraphs_is_kept_and_flagged() -> None:
    assert flags("---\ndescription: |\n  Un premier paragraphe.\n\n  Un second.\n---\n") == [
        "prose: front matter description could not be cut (several paragraphs?) and is kept"
    ]


def test_front_matter_paths_tags_and_short_values_are_quiet() -> None:
    text = "---\nimage: /img/le-pain-du-jour.jpg\ntags: [le pain du jour]\nauthor: Jean\n---\n"
    assert flags(text) == []


def test_prose_nested_under_a_data_key_is_flagged() -> None:
    # A CV a theme renders from `categories` (clementhaeck.com): not taxonomy terms.
    text = (
        "---\ncategories:\n  - name: Expérience\n    items:\n"
        "      - description: Sous la supervision de Marina, je développe des méthodes.\n---\n"
    )
    assert flags(text) == [
        (
            "prose: front matter categories[0].items[0].description reads like prose and is "
            'not translated — add "categories.items.description" to translatable_keys'
        )
    ]


def test_taxonomy_terms_that_read_as_prose_are_quiet() -> None:
    assert flags("---\ncategories: [Le pain du jour]\nauthor: Jean de la Fontaine\n---\n") == []


def test_shortcode_argument_not_declared() -> None:
    assert flags('{{< notice tip title="Une astuce utile" icon="fa-user-secret" >}}\n') == [
        (
            "prose: shortcode notice argument title reads like prose and is not translated — "
            "add it to [shortcodes.notice] params"
        )
    ]


def test_declared_argument_inside_a_paragraph_is_translated_and_quiet() -> None:
    assert flags('Voir {{< figure src="a.jpg" caption="Le pain du jour" >}} ici.\n') == []


def test_declared_argument_inside_a_paragraph_that_cannot_be_cut() -> None:
    # A link title inside an argument inside a paragraph would be a unit of a unit.
    text = 'Voir {{< figure caption="Le [pain](/p (Titre)) du jour" >}} ici.\n'
    assert flags(text) == [
        (
            "prose: shortcode figure argument caption is not translated inside a paragraph "
            "(a line break or a link title in it) — put the call on a line of its own"
        )
    ]


def test_raw_shortcode_body() -> None:
    text = "{{< blocks/cover >}}\n<p>Essai gratuit de quatorze jours</p>\n{{< /blocks/cover >}}\n"
    assert flags(text) == [
        (
            "prose: the body of blocks/cover is kept as it is — if its template renders it as "
            'Markdown, set inner = "markdown" under [shortcodes."blocks/cover"]'
        )
    ]


def test_declared_raw_body_and_arguments_are_quiet() -> None:
    text = '{{< cover title="Un titre de page" >}}\n<p>Essai gratuit de quatorze jours</p>\n{{< /cover >}}\n'
    rules = {**DEFAULT_SHORTCODES, "cover": ShortcodeRule(("title",), markdown_inner=True)}
    assert flags(text, rules) == []


def test_run__site_shortcodes_translated_and_undeclared_prose_flagged(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    site.write(
        "translator.toml",
        '[shortcodes.notice]\nparams = ["title"]\ninner = "markdown"\n',
    )
    site.write(
        "content/fr/post.md",
        "---\ntitle: Un titre\nhero_title: Le pain du jour\n---\n"
        '{{< notice title="Une astuce" >}}\nUn conseil utile.\n{{< /notice >}}\n',
    )
    site.run_json()
    copy = site.read("content/en/post.md")
    assert f'title="{pseudo_localize("Une astuce")}"' in copy
    assert pseudo_localize("Un conseil utile.") in copy
    with Memory.open(tmp_path / ".translator" / "memory.sqlite") as memory:
        record = memory.post("content/fr/post.md", "en")
    assert record is not None
    assert any("front matter hero_title" in note for note in record.slots[0].notes)


def test_short_label_in_a_prose_named_key() -> None:
    assert flags("---\nimageAlt: Une miche\n---\n") == [
        (
            "prose: front matter imageAlt reads like prose and is not translated — "
            'add "imageAlt" to translatable_keys'
        )
    ]


def test_short_data_values_in_prose_named_keys_are_quiet() -> None:
    assert flags("---\nimage_alt: GitHub\nhero_title: URL\nimage_caption: photo.jpg\n---\n") == []


def test_quoted_positional_label_not_declared() -> None:
    assert flags('{{< notice tip "Astuce" >}}\nUn conseil.\n{{< /notice >}}\n')[0] == (
        "prose: shortcode notice argument 1 reads like prose and is not translated — "
        "add it to [shortcodes.notice] params"
    )


def test_bare_and_reference_positionals_are_quiet() -> None:
    assert flags('{{< notice tip >}}\n\n{{< relref "Page" >}}\n') == []


def test_short_label_in_a_prose_named_argument() -> None:
    assert flags('{{< pricing-plan cta="Essayer gratuitement" color="White" >}}\n') == [
        (
            "prose: shortcode pricing-plan argument cta reads like prose and is not "
            "translated — add it to [shortcodes.pricing-plan] params"
        )
    ]


def test_run__inline_shortcode_and_nested_html_translated_without_flags(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    site.write(
        "content/fr/post.md",
        "---\ntitle: Un titre\n---\n"
        'Voir {{< figure src="a.jpg" caption="La mie du pain" >}} ici.\n\n'
        '- <img alt="Une photo du four" src="x.png">\n',
    )
    site.run_json()
    copy = site.read("content/en/post.md")
    assert f'caption="{pseudo_localize("La mie du pain")}"' in copy
    assert f'- <img alt="{pseudo_localize("Une photo du four")}" src="x.png">' in copy
    with Memory.open(tmp_path / ".translator" / "memory.sqlite") as memory:
        record = memory.post("content/fr/post.md", "en")
    assert record is not None
    assert [note for slot in record.slots for note in slot.notes] == []


def test_declared_argument_over_two_lines_inside_a_paragraph() -> None:
    text = 'Une ligne\nsuivie {{< figure caption="Sur deux\nlignes" >}} fin.\n'
    assert flags(text) == [
        (
            "prose: shortcode figure argument caption is not translated inside a paragraph "
            "(a line break or a link title in it) — put the call on a line of its own"
        )
    ]


TAB_NESTED_HTML = "- Un élément de liste\n\n\t<p>Du texte en <b>HTML</b> dans la liste.</p>\n"


def test_html_nested_with_a_tab_is_kept_and_flagged() -> None:
    """markdown-it expands the tab into spaces: the block no longer maps back to its source."""
    assert flags("---\ntitle: Un titre\n---\n\n" + TAB_NESTED_HTML) == [
        (
            "prose: line 7 is kept as it is: raw HTML nested with a tab: indent it with spaces "
            "to have it translated"
        )
    ]


def test_html_nested_with_spaces_is_translated_and_quiet() -> None:
    assert flags(TAB_NESTED_HTML.replace("\t", "    ")) == []


def test_table_cells_padded_with_no_break_spaces_are_translated() -> None:
    """markdown-it trims a cell of any Unicode space: `|\xa0JA` is the cell `JA`."""
    text = "| Langue |\xa0Code |\n|---|---|\n| Anglais |\xa0Langue anglaise |\n"
    page = read_page(_markdown.make_parser(), text)
    assert [s.source for s in page.segments] == ["Langue", "Code", "Anglais", "Langue anglaise"]
    assert page.kept_blocks == []


def test_run__html_nested_with_a_tab_flagged_in_the_copy_record(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    site.write("content/fr/post.md", "---\ntitle: Un titre\n---\n" + TAB_NESTED_HTML)
    site.run_json()
    copy = site.read("content/en/post.md")
    assert "\t<p>Du texte en <b>HTML</b> dans la liste.</p>" in copy
    with Memory.open(tmp_path / ".translator" / "memory.sqlite") as memory:
        record = memory.post("content/fr/post.md", "en")
    assert record is not None
    notes = [note for slot in record.slots for note in slot.notes]
    assert any(note.startswith("prose: line 6 is kept as it is: raw HTML") for note in notes)
