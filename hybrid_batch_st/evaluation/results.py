"""What an evaluation produces: :class:`EvaluationResult` (macro values, every pair, language bias)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["PairResult", "EvaluationResult"]


@dataclass
class PairResult:
    """One (query language, pool language) pair; ``pool_lang`` is ``"all"`` for the multilingual pool."""

    query_lang: str
    pool_lang: str
    setting: str
    scores: dict[str, float]
    n_queries: int
    #: ``{measure: {query id: value}}``, written to ``per_query.tsv.gz`` beside results.json
    per_query: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query_lang": self.query_lang,
            "pool_lang": self.pool_lang,
            "setting": self.setting,
            **self.scores,
            "n_queries": self.n_queries,
        }


@dataclass
class EvaluationResult:
    """Macro values per setting, every pair, language bias and timing of one evaluation.

    Attributes:
        benchmark: the benchmark's name, as given to :func:`~hybrid_batch_st.evaluation.evaluate`.
        model: the model's label.
        languages: every language of the task.
        measures: the measure strings, canonical (``RR@10`` for ``MRR@10``).
        depth: 0 for exact measures; N where each ranking was cut at N.
        pairs: one :class:`PairResult` per (query set, pool) and setting.
        macro: ``{setting: {measure: mean over the setting's pairs}}``.
        language_bias: ``rank_distance`` (mean max - min rank of a query's relevant documents in the
            multilingual ranking) and ``same_language_top1`` (per query language).
        timing: seconds spent encoding, searching and scoring.

    Example:
        ```python
        result = evaluate(model, load_eval_data("xquad-r"), ["AP"])
        result.macro["cross-lingual"]["AP"], result.language_bias["rank_distance"]
        write_report(result, "runs/eval")   # results.json (result.to_dict()), results.md, heatmap.png
        ```
    """

    benchmark: str
    model: str
    languages: list[str]
    measures: list[str]
    depth: int
    pairs: list[PairResult]
    macro: dict[str, dict[str, float]]
    language_bias: dict[str, Any]
    timing: dict[str, float]
    #: what shaped the embeddings besides the weights: max_seq_length, truncate_dim, normalize, prompts
    encoding: dict[str, Any] = field(default_factory=dict)
    #: ``{group: {setting: {measure: macro value}}}`` for language groups (see :mod:`.groups`)
    groups: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("pairs", "extra")}
        out["pairs"] = [p.to_dict() for p in self.pairs]  # per-query values go to a side file
        out.update(self.extra)
        return out

    def score(self, query_lang: str, pool_lang: str, measure: str | None = None) -> float:
        measure = measure or self.measures[0]
        for p in self.pairs:
            if p.query_lang == query_lang and p.pool_lang == pool_lang:
                return p.scores[measure]
        raise KeyError(f"no pair ({query_lang}, {pool_lang}) in this result")

    def summary(self, measure: str | None = None) -> dict[str, float | None]:
        """``{setting: macro value, ..., "rank_distance": ...}`` for one measure (the first by default)."""
        measure = measure or self.measures[0]
        return {s: v[measure] for s, v in self.macro.items()} | {"rank_distance": self.language_bias["rank_distance"]}
