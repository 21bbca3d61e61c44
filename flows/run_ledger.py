"""The run's bookkeeping in the flow process: what is planned, what is known, what is written.

The flow process is the one writer: it reads the site and the memory, records
each chunk's translations as the chunk comes back, and writes every copy whose
units are all known. Workers never see any of this.
"""

from __future__ import annotations

from collections.abc import Sequence

from flow_failures import is_transient

from translator import pipeline
from translator.hugo.site import Post

__all__ = ("RunLedger",)


class RunLedger:
    """The run in the flow process: what is planned, known, written. The one writer.

    A plain class, not a dataclass: Prefect passes it to the flow-process tasks as
    is instead of walking through its fields.
    """

    def __init__(self, context: pipeline.Context) -> None:
        self.context = context
        self.detection = pipeline.Detection((), 0, 0, (), ())
        self.prepared: list[pipeline.Prepared] = []
        self.units = pipeline.UnitPlan({}, {}, {}, "")
        self.known: dict[str, dict[str, str]] = {}
        self.pending: list[set[str]] = []
        self.waiters: dict[tuple[str, str], list[int]] = {}
        self.done: set[int] = set()
        self.results: list[pipeline.PostResult] = []
        self.translated = 0

    def plan(self) -> None:
        """Detect, read every post, look their units up in the memory."""
        context = self.context
        stale = pipeline.stale_pairs(context)  # machine text another engine/model/glossary gave
        self.detection = pipeline.detect(context.config, context.memory, stale=stale)
        for item in self.detection.items:
            try:
                self.prepared.append(pipeline.prepare(context, item))
            except Exception as error:
                if is_transient(error):
                    raise  # the plan task is retried
                self.results.append(self._failed(item.post, error))
        self.units = pipeline.plan_units(context, pipeline.units_needed(self.prepared))
        self.known = {target: dict(found) for target, found in self.units.known.items()}
        for n, prepared in enumerate(self.prepared):
            language = prepared.item.post.target_language
            missing = set(prepared.page.units) - self.known.get(language, {}).keys()
            self.pending.append(missing)
            for unit in missing:
                self.waiters.setdefault((language, unit), []).append(n)

    def store(self, chunk: pipeline.Chunk, outputs: Sequence[str]) -> None:
        """Record a chunk's translations; the copies waiting for them get closer to ready."""
        pipeline.store_chunk(self.context, chunk, self.units.models[chunk.target], outputs)
        self.known[chunk.target].update(zip(chunk.units, outputs, strict=True))
        self.translated += len(chunk.units)
        for unit in chunk.units:
            for n in self.waiters.get((chunk.target, unit), ()):
                self.pending[n].discard(unit)

    def write_ready(self) -> int:
        """Write every copy whose units are all known; a permanent error fails that copy only.

        Copies commit in batches (`pipeline.copy_batch`); a transient error undoes its
        batch, and only what committed counts as done when the task is retried."""
        translations = self.translations()
        ready = [n for n in range(len(self.prepared)) if n not in self.done and not self.pending[n]]
        written = 0
        for start in range(0, len(ready), pipeline.WRITE_BATCH):
            outcomes: list[tuple[int, pipeline.PostResult]] = []
            with pipeline.copy_batch(self.context) as commit:
                for n in ready[start : start + pipeline.WRITE_BATCH]:
                    outcomes.append((n, self._write(self.prepared[n], translations, commit)))
            for n, result in outcomes:
                self.results.append(result)
                self.done.add(n)
                written += result.action == "written"
        return written

    def _write(
        self,
        prepared: pipeline.Prepared,
        translations: pipeline.Translations,
        commit: pipeline.CopyCommit,
    ) -> pipeline.PostResult:
        try:
            return pipeline.write(self.context, prepared, translations, commit=commit)
        except Exception as error:
            if is_transient(error):
                raise  # the commit task is retried; what is done stays done
            return self._failed(prepared.item.post, error)

    def fail_chunk(self, chunk: pipeline.Chunk, reason: str, internal: bool = False) -> None:
        """Every copy waiting for a chunk that failed for good fails, naming why
        (`internal`: the chunk failed on a bug in translator)."""
        for unit in chunk.units:
            for n in self.waiters.get((chunk.target, unit), ()):
                if n not in self.done:
                    post = self.prepared[n].item.post
                    self.results.append(_failed(post, f"not translated: {reason}", internal))
                    self.done.add(n)

    def _failed(self, post: Post, error: Exception) -> pipeline.PostResult:
        """A post's failure; a bug's traceback goes to the site's state folder, as the CLI's."""
        return pipeline.failed(post, error, state_dir=self.context.config.state_dir)

    def translations(self) -> pipeline.Translations:
        """What is known so far, in the shape `pipeline.write` reads."""
        from_memory = sum(len(found) for found in self.units.known.values())
        units = self.units
        return pipeline.Translations(
            self.known, from_memory, self.translated, units.engine, units.models
        )

    def summary(self) -> pipeline.RunSummary:
        """The run added up, as `translator run --json` reports it."""
        return pipeline.summarize(self.detection, self.results, self.translations())


def _failed(post: Post, reason: str, internal: bool = False) -> pipeline.PostResult:
    return pipeline.PostResult(
        post.source_key, post.target_key, post.target_language, "failed", "error",
        reason=reason, internal=internal,
    )  # fmt: skip
