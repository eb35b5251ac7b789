"""What an evaluation produces: :class:`EvaluationResult` (macro values, every pair, language bias)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["PairResult", "EvaluationResult"]


@dataclass
class PairResult:
    """One (query language, pool language) pair; ``pool_lang`` is ``"all"`` for the multilingual pool.

    Attributes:
        query_lang: the query set's name.
        pool_lang: the pool's name, or ``"all"``.
        setting: ``"monolingual"``, ``"cross-lingual"`` or ``"multilingual"``.
        scores: ``{measure: mean over the pair's queries}``.
        n_queries: the queries scored (those with a relevant document in the pool).
    """

    query_lang: str
    pool_lang: str
    setting: str
    scores: dict[str, float]
    n_queries: int
    #: ``{measure: {query id: value}}``, written to ``per_query.tsv.gz`` beside results.json
    per_query: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The pair as a row of results.json (its per-query values go to ``per_query.tsv.gz``).

        Returns:
            ``{"query_lang", "pool_lang", "setting", <each measure>, "n_queries"}``.
        """
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
        """The content of results.json.

        Returns:
            Every field but ``pairs`` and ``extra``, the pairs as :meth:`PairResult.to_dict` rows (without
            per-query values), and the keys of ``extra`` merged in at the top level.
        """
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("pairs", "extra")}
        out["pairs"] = [p.to_dict() for p in self.pairs]  # per-query values go to a side file
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvaluationResult:
        """The result whose :meth:`to_dict` gave ``data`` (a results.json read back), without per-query values.

        Args:
            data: The content of a results.json; keys that are no field of this class go to ``extra``.

        Returns:
            The result; each pair's scores are the values of the result's ``measures``.

        Example:
            >>> import json
            >>> result = EvaluationResult.from_dict(json.load(open("runs/eval/results.json")))  # doctest: +SKIP
        """
        names = {f.name for f in fields(cls)}
        measures = list(data["measures"])
        pairs = [PairResult(p["query_lang"], p["pool_lang"], p["setting"], {m: p[m] for m in measures if m in p},
                            p.get("n_queries", 0)) for p in data.get("pairs", [])]
        kept = {k: v for k, v in data.items() if k in names and k not in ("pairs", "extra")}
        return cls(**kept, pairs=pairs, extra={k: v for k, v in data.items() if k not in names})

    def score(self, query_lang: str, pool_lang: str, measure: str | None = None) -> float:
        """One pair's value of one measure.

        Args:
            query_lang: the query set's name.
            pool_lang: the pool's name, or ``"all"`` for the multilingual pool.
            measure: a canonical measure name; default the first measure.

        Returns:
            The pair's mean over its queries.

        Raises:
            KeyError: the result holds no such pair, or not that measure.

        Example:
            >>> result.score("de", "en", "AP")  # doctest: +SKIP
            0.6123
        """
        measure = measure or self.measures[0]
        for p in self.pairs:
            if p.query_lang == query_lang and p.pool_lang == pool_lang:
                return p.scores[measure]
        raise KeyError(f"no pair ({query_lang}, {pool_lang}) in this result")

    def summary(self, measure: str | None = None) -> dict[str, float | None]:
        """``{setting: macro value, ..., "rank_distance": ...}`` for one measure (the first by default).

        Args:
            measure: a canonical measure name; default the first measure.

        Returns:
            The macro value per evaluated setting, and the mean rank distance (None without a multilingual
            pool).

        Example:
            >>> result.summary()  # doctest: +SKIP
            {'monolingual': 0.71, 'cross-lingual': 0.55, 'multilingual': 0.48, 'rank_distance': 12.3}
        """
        measure = measure or self.measures[0]
        return {s: v[measure] for s, v in self.macro.items()} | {"rank_distance": self.language_bias["rank_distance"]}
