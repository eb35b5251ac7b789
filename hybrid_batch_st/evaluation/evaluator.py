"""``MultilingualRetrievalEvaluator``: the language-pair evaluation as a sentence-transformers evaluator."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from sentence_transformers.sentence_transformer.evaluation import SentenceEvaluator

from ..names import DEFAULT_MEASURES, SETTINGS
from ..tasks.squad_r import SquadRLanguage
from ..tasks.shapes import as_task
from ..tasks.task import RetrievalTask
from .language_pairs import evaluate
from .measures import parse_measures
from .results import EvaluationResult

__all__ = ["MultilingualRetrievalEvaluator"]

logger = logging.getLogger(__name__)


class MultilingualRetrievalEvaluator(SentenceEvaluator):
    """Scores a model on every (query language, pool language) pair with ir-measures.

    Pass it as ``evaluator=`` to ``SentenceTransformerTrainer`` or call it on a model.
    Returned metrics (prefixed with ``name``): ``<setting>_<measure>`` macro averages for
    the monolingual, cross-lingual and multilingual settings, ``mean_<measure>`` over the
    three, and ``rank_distance``. The primary metric is ``mean_<first measure>``.

    Args:
        data: a :class:`~hybrid_batch_st.tasks.task.RetrievalTask` or ``{lang: SquadRLanguage}``, e.g. from
            :func:`hybrid_batch_st.data.sources.load_eval_data`.
        measures: ir-measures measure strings; ``AP`` by default.
        name: metric prefix (e.g. ``"xquad-r"``).
        depth: 0 (default) for exact measures of the full ranking; N cuts each ranking at N (approximate).
        batch_size: texts encoded at once.
        query_prompt: text prepended to queries (default: the model's ``query`` prompt; ``""`` for none).
        passage_prompt: text prepended to documents (default: the model's document prompt).
        show_progress_bar: show encoding progress.
        write_report: when the trainer passes an ``output_path``, also write results.json/md and a heatmap there.
        model_name: label for reports (default: the model card's base model, if any).
        cache: read and store embeddings in the embedding cache (see
            :mod:`hybrid_batch_st.evaluation.embedding_cache`). Off by default: inside the trainer every
            evaluation step sees new weights, so its entries could never be read again.

    Example:
        ```python
        from hybrid_batch_st import MultilingualRetrievalEvaluator

        evaluator = MultilingualRetrievalEvaluator.from_benchmark("xquad-r", languages=["en", "de", "ar"],
                                                                  measures=["AP", "nDCG@10"])
        trainer = SentenceTransformerTrainer(..., evaluator=evaluator)  # logs eval_xquad-r_multilingual_AP, ...
        metrics = evaluator(model)                                      # or on its own
        ```
    """

    def __init__(
        self,
        data: RetrievalTask | Mapping[str, SquadRLanguage],
        measures: Iterable[str] | str = DEFAULT_MEASURES,
        name: str = "",
        depth: int = 0,
        batch_size: int | None = None,
        query_prompt: str | None = None,
        passage_prompt: str | None = None,
        show_progress_bar: bool = False,
        write_report: bool = False,
        model_name: str | None = None,
        cache: bool = False,
    ):
        super().__init__()
        self.data = as_task(data, name)
        self.measures = parse_measures(measures)
        self.name = name
        self.depth = depth
        self.batch_size = batch_size
        self.query_prompt, self.passage_prompt = query_prompt, passage_prompt
        self.show_progress_bar = show_progress_bar
        self.write_report = write_report
        self.model_name = model_name
        self.cache = cache
        self.primary_metric = f"mean_{self.measures[0]}"
        self.last_result: EvaluationResult | None = None

    @classmethod
    def from_benchmark(
        cls, benchmark: str, languages: Sequence[str] | None = None, data_dir: str | Path | None = None,
        split: str | None = None, **kwargs
    ) -> "MultilingualRetrievalEvaluator":
        """An evaluator on any ``--benchmark`` name (``"xquad-r"``, ``"sample"``: its held-out articles,
        ``"tatoeba"``, ``"flores200"``, ``"parallel:PATH"``, ``"beir:DIR"``, ...) or a SQuAD-R folder.

        Args:
            benchmark: the benchmark, as ``--benchmark`` names it.
            languages: the languages to keep (any code form); None keeps all (or the benchmark's default set).
            data_dir: the folder holding the benchmarks' folders; None reads the download cache.
            split: the split of benchmarks that have several (FLORES-200, xSID, BEIR folders); None: the default.
            **kwargs: the constructor's other arguments; ``name`` defaults to the last path component of
                ``benchmark``.

        Returns:
            The evaluator, its data loaded (by :func:`hybrid_batch_st.data.sources.load_eval_data`).

        Example:
            >>> evaluator = MultilingualRetrievalEvaluator.from_benchmark(
            ...     "sample", languages=["en", "de"], measures=["AP", "nDCG@10"])  # doctest: +SKIP
            >>> evaluator(model)["sample_mean_AP"]  # doctest: +SKIP
        """
        from ..data.sources import load_eval_data

        kwargs.setdefault("name", Path(benchmark).name)
        return cls(load_eval_data(benchmark, languages, data_dir, split=split), **kwargs)

    def __call__(self, model, output_path: str | None = None, epoch: int = -1, steps: int = -1) -> dict[str, float]:
        result = evaluate(
            model,
            self.data,
            self.measures,
            depth=self.depth,
            batch_size=self.batch_size,
            query_prompt=self.query_prompt,
            passage_prompt=self.passage_prompt,
            show_progress_bar=self.show_progress_bar,
            benchmark=self.name,
            model_name=self.model_name or _model_label(model),
            cache=self.cache,
        )
        self.last_result = result
        metrics: dict[str, float] = {}
        for setting in SETTINGS:
            for measure in self.measures:
                if setting in result.macro:
                    metrics[f"{setting}_{measure}"] = result.macro[setting][measure]
        for measure in self.measures:
            metrics[f"mean_{measure}"] = sum(result.macro[s][measure] for s in result.macro) / len(result.macro)
        if result.language_bias["rank_distance"] is not None:
            metrics["rank_distance"] = result.language_bias["rank_distance"]
        if output_path and self.write_report:
            from .report import write_report

            suffix = f"_epoch{epoch}_steps{steps}" if epoch != -1 or steps != -1 else ""
            write_report(result, Path(output_path) / f"eval_{self.name or 'pairs'}{suffix}")
        metrics = self.prefix_name_to_metrics(metrics, self.name)
        self.store_metrics_in_model_card_data(model, metrics, epoch, steps)
        logger.info("%s: %s", self.name or "language-pair evaluation", metrics)
        return metrics

    def get_config_dict(self) -> dict:
        """What sentence-transformers records of this evaluator in the model card.

        Returns:
            ``{"languages": ..., "measures": ..., "depth": ...}``.
        """
        return {"languages": self.data.languages, "measures": self.measures, "depth": self.depth}


def _model_label(model) -> str:
    card = getattr(model, "model_card_data", None)
    return str(getattr(card, "base_model", None) or getattr(card, "model_name", None) or "")
