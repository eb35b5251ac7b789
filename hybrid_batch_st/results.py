"""What an evaluation produces: :class:`EvaluationResult` (macro values, every pair, language bias),
the measure parser and the document-id spelling shared by runs, qrels and exported corpora."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Iterable

__all__ = ["SETTINGS", "MULTILINGUAL_POOL", "PairResult", "EvaluationResult", "parse_measures", "doc_id"]

SETTINGS = ("monolingual", "cross-lingual", "multilingual")
MULTILINGUAL_POOL = "all"


def doc_id(lang: str, sentence: int) -> str:
    """The id of a candidate sentence in runs, qrels and exported corpora: ``<lang>-<sentence index>``."""
    return f"{lang}-{sentence}"


def parse_measures(measures: Iterable[str] | str) -> list[str]:
    """Validate ir-measures measure strings (``"AP"``, ``"nDCG@10"``, ...); returns their canonical names."""
    import ir_measures

    if isinstance(measures, str):
        measures = [m.strip() for m in measures.split(",") if m.strip()]
    out = []
    for text in measures:
        try:
            out.append(str(ir_measures.parse_measure(text)))
        except (NameError, ValueError, SyntaxError, TypeError) as exc:
            raise ValueError(
                f"unknown ir-measures measure {text!r} ({exc}); examples: AP, nDCG@10, R@100, RR@10, P@5"
            ) from None
    if not out:
        raise ValueError("no measures given; examples: AP, nDCG@10, R@100")
    return list(dict.fromkeys(out))


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
    """Macro values per setting, every pair, language bias and timing of one evaluation."""

    benchmark: str
    model: str
    languages: list[str]
    measures: list[str]
    depth: int
    pairs: list[PairResult]
    macro: dict[str, dict[str, float]]
    language_bias: dict[str, Any]
    timing: dict[str, float]
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
