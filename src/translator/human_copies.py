"""Human copies: translations translator did not write, registered by `translator adopt`.

A page paired with a source (same translationKey, or same Hugo path) that
the memory has no record of is a human copy. A run never touches it.
`adopt` reads it beside its source: where the block structures match
(`adoption.pair_slots`), each slot pair enters the memory as human-reviewed
text — reused for the same source text anywhere else in the site, and kept
if translator later writes that copy itself; where they do not, the copy is
recorded as human without segments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from translator.errors import TranslatorError
from translator.hugo.adoption import pair_slots
from translator.hugo.pairing import plan_site
from translator.hugo.site import Post, scan_site
from translator.pipeline import Context, read_site_page, sha256
from translator.store.files import read_post
from translator.store.memory import HumanCopy

__all__ = ("Adopted", "adopt", "human_posts")


@dataclass(frozen=True, slots=True)
class Adopted:
    """What `adopt` did with one human copy."""

    source: str
    """Source path relative to the site."""
    target: str
    """The copy's path relative to the site."""
    language: str
    """The copy's language."""
    segments: int | None
    """Slot pairs entered in the memory; None when the structure differs."""
    reason: str = ""
    """Why nothing was paired."""


def human_posts(context: Context, paths: Sequence[Path] = ()) -> list[Post]:
    """Pairs whose target is a page translator did not write, under `paths` if given."""
    recorded = context.memory.post_hashes()
    plan = plan_site(scan_site(context.config))
    found = [
        p for p in plan.posts if p.counterpart and (p.source_key, p.target_language) not in recorded
    ]
    if not paths:
        return found
    wanted = [Path(p).absolute() for p in paths]
    return [p for p in found if any(_under(p.source, w) or _under(p.target, w) for w in wanted)]


def _under(path: Path, given: Path) -> bool:
    return path == given or path.is_relative_to(given)


def adopt(
    context: Context, paths: Sequence[Path] = ()
) -> tuple[list[Adopted], list[TranslatorError]]:
    """Register the human copies (all, or those under `paths`) in the memory."""
    done: list[Adopted] = []
    failed: list[TranslatorError] = []
    posts = human_posts(context, paths)
    if paths and not posts:
        failed.append(
            TranslatorError(
                "no human copy here: every paired page was written by translator, or has no pair",
                path=", ".join(map(str, paths)),
                hint="`translator status` lists human copies",
            )
        )
    for post in posts:
        try:
            done.append(_adopt_one(context, post))
        except (OSError, TranslatorError) as error:
            failed.append(
                error
                if isinstance(error, TranslatorError)
                else TranslatorError(str(error), path=post.target)
            )
    return done, failed


def _adopt_one(context: Context, post: Post) -> Adopted:
    source_text, copy_text = read_post(post.source), read_post(post.target)
    try:
        source = read_site_page(context, source_text)
    except TranslatorError as error:
        raise error.at(post.source) from None
    try:
        copy = read_site_page(context, copy_text)
    except TranslatorError as error:
        raise error.at(post.target) from None
    adoption = pair_slots(context.md, source, copy)
    record = HumanCopy(
        post.source_key,
        context.config.source_language,
        post.target_language,
        post.target_key,
        sha256(source_text),
        sha256(copy_text),
    )
    pairs = [(p.source, p.copy) for p in adoption.pairs] if adoption.matched else None
    context.memory.adopt(record, pairs)
    count = None if pairs is None else len(pairs)
    return Adopted(post.source_key, post.target_key, post.target_language, count, adoption.reason)
