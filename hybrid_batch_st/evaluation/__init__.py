"""Scoring a model on every language pair of a multilingual retrieval benchmark.

- :mod:`.language_pairs`: :func:`evaluate` (mono-, cross- and multilingual settings, language bias);
- :mod:`.ranking`: exact ranks of the relevant items and the measures computed from them;
- :mod:`.measures`: measure strings, checked and canonicalised by ir-measures;
- :mod:`.results`: :class:`EvaluationResult` and :class:`PairResult`;
- :mod:`.embedding_cache`: embeddings stored per model, settings and text;
- :mod:`.evaluator`: :class:`MultilingualRetrievalEvaluator`, for the trainer and on its own;
- :mod:`.report`, :mod:`.tables`: results.json, Markdown tables and heatmaps;
- :mod:`.per_query`: the per-query values, written and read (``per_query.tsv.gz``);
- :mod:`.significance`: paired tests between two evaluations (units: parallel questions);
- :mod:`.seeds`: tests between recipes with the training run as the unit (Welch's t on per-run means).

Run records, targets and the results page built on these: :mod:`hybrid_batch_st.experiments`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .evaluator import MultilingualRetrievalEvaluator
    from .language_pairs import encode_texts, evaluate
    from .measures import parse_measures
    from .report import write_report
    from .results import EvaluationResult, PairResult
    from .seeds import compare_over_seeds
    from .per_query import load_per_query
    from .significance import compare

_LAZY = {"evaluate": ".language_pairs", "encode_texts": ".language_pairs", "EvaluationResult": ".results",
         "PairResult": ".results", "parse_measures": ".measures", "MultilingualRetrievalEvaluator": ".evaluator",
         "write_report": ".report", "compare": ".significance", "load_per_query": ".per_query",
         "compare_over_seeds": ".seeds"}
__all__ = list(_LAZY)
__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
