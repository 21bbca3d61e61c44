"""Translate a Markdown body (no front matter) segment by segment, for tests."""

from __future__ import annotations

from collections.abc import Sequence

from translator.engines import Engine
from translator.markdown import _markdown
from translator.markdown.reassemble import Rendered, render_segment, splice
from translator.markdown.segments import extract_segments


def translate_body(
    text: str, engine: Engine | None = None, translations: Sequence[str] | None = None
) -> tuple[str, list[Rendered]]:
    """Translate a body with `engine`, or with `translations` for its units in order.

    Units after the given translations come back unchanged.
    """
    md = _markdown.make_parser()
    segments, env = extract_segments(md, text)
    given = list(translations or [])
    results: list[Rendered] = []
    for segment in segments:
        units = list(segment.units)
        if engine is not None:
            out = engine.translate(units, source="fr", target="en")
        else:
            out = [given.pop(0) if given else unit for unit in units]
        results.append(render_segment(md, segment, out, env))
    spans = [(s.start, s.end, r.text) for s, r in zip(segments, results, strict=True)]
    return splice(text, spans), results
