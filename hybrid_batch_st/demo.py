"""The main job: train X-X, X-Y and hybrid models, compare them with the base model, export, search.

``hybrid-batch-st demo`` with no arguments uses the embedded default: the packaged
all-MiniLM-L6-v2, the bundled XQuAD-R sample in en/de/es (36 training articles,
12 held out), a short fine-tuning per batch type (:data:`~hybrid_batch_st.config.DEMO_DEFAULTS`).
It evaluates all four models on the held-out articles, prints one table (mono / cross / multi AP
and rank distance) and the significance of their differences, writes a report with heatmap per
model, exports the hybrid model to a Pyserini index over the held-out sentences and runs one query
through Pyserini's ``FaissSearcher``.
"""

from __future__ import annotations

import dataclasses
import json
import time
import warnings
from pathlib import Path

from .atomic import atomic_path, check_overwrite
from .config import DEMO_DEFAULTS, TrainConfig
from .results import SETTINGS, EvaluationResult, doc_id

__all__ = ["run_demo", "MODES", "DemoConfig"]

#: (row label, sampler mode) of the three fine-tuned models.
MODES = (("X-X (monolingual)", "monolingual"), ("X-Y (cross-lingual)", "cross-lingual"), ("hybrid", "hybrid"))


def DemoConfig(**options) -> TrainConfig:  # noqa: N802 - the former class name
    """Deprecated (0.2.0): the demo takes a :class:`TrainConfig` over ``DEMO_DEFAULTS`` and ``query=``."""
    warnings.warn("DemoConfig is deprecated: pass TrainConfig.from_dict(options, defaults=DEMO_DEFAULTS) and "
                  "query= to run_demo", DeprecationWarning, stacklevel=2)
    query = options.pop("query", None)
    config = TrainConfig.from_dict(options, defaults=DEMO_DEFAULTS)
    config.query = query  # read by run_demo
    return config


def _checks(results: dict[str, EvaluationResult], measure: str = "AP") -> list[str]:
    """The claims the demo is meant to show, each stated with its numbers (no assertion)."""
    xx, xy, hy = (results[label] for label, _ in MODES)
    lines = []
    for setting in SETTINGS:
        best = max(xx.macro[setting][measure], xy.macro[setting][measure])
        gap = hy.macro[setting][measure] - best
        verdict = "ok" if gap >= -0.01 else "NOT met"
        lines.append(f"{setting}: hybrid {hy.macro[setting][measure]:.4f} vs best of X-X/X-Y {best:.4f} "
                     f"(diff {gap:+.4f}; within 0.01: {verdict})")
    d_h, d_x = hy.language_bias["rank_distance"], xx.language_bias["rank_distance"]
    lines.append(f"rank distance: hybrid {d_h:.1f} vs X-X {d_x:.1f} "
                 f"({'lower: ok' if d_h < d_x else 'NOT lower'})")
    return lines


def _example_search(query: str | None, model_dir: Path, held: dict, out: Path) -> list[str]:
    from .formats import write_corpus
    from .pyserini import build_index, get_searcher

    text = {doc_id(lang, i): s for lang, d in held.items() for i, s in enumerate(d.sentences)}
    corpus = write_corpus(out / "pyserini" / "corpus.jsonl", text.items())
    index = build_index(model_dir, corpus, out / "pyserini" / "index", overwrite=True)
    searcher = get_searcher(index)
    question = next(iter(held.values())).questions[0]
    relevant = {doc_id(lang, q.sentence) for lang, d in held.items() for q in d.questions if q.id == question.id}
    lines = [f"Pyserini FaissSearcher over {searcher.num_docs} held-out sentences "
             f"({type(searcher.query_encoder).__name__}); query: {query or question.text!r}"]
    for rank, hit in enumerate(searcher.search(query or question.text, k=5), 1):
        mark = " *" if query is None and hit.docid in relevant else ""
        lines.append(f"  {rank}. {hit.docid:<8} {hit.score:.4f}{mark}  {text[hit.docid][:90]}")
    if query is None:
        lines.append("  (* = an answer sentence of this question, in any language)")
    lines.append(f"index: {index}  (try: hybrid-batch-st search --index {index} --topics TOPICS.tsv --output run.trec)")
    return lines


def _evaluate_all(config: TrainConfig, out: Path) -> tuple[dict[str, EvaluationResult], object]:
    """The base model's evaluation, then each recipe's training + evaluation."""
    from .models import load_model
    from .sources import training_data_of
    from .training import make_evaluator, train

    _, held = training_data_of(config)
    evaluator = make_evaluator(config, held)
    if evaluator is None:
        raise ValueError(f"eval={config.eval!r}: the demo needs evaluation data")
    print(f"[demo] evaluating the base model {config.model} ...", flush=True)
    base = load_model(config.model)
    if config.max_seq_length:
        base.max_seq_length = min(base.max_seq_length or config.max_seq_length, config.max_seq_length)
    evaluator.model_name = f"{Path(str(config.model)).name} (base)"
    evaluator(base, output_path=str(out / "base"))
    results = {"base": evaluator.last_result}
    for label, mode in MODES:
        print(f"[demo] fine-tuning with {mode} batches ({config.steps} steps) ...", flush=True)
        recipe = dataclasses.replace(config, mode=mode, output=str(out / mode))
        results[label] = train(recipe, overwrite=True).evaluation
    return results, evaluator


def run_demo(config: TrainConfig | None = None, query: str | None = None, overwrite: bool = False) -> dict:
    """Run the whole comparison; returns the summary written to ``<output>/summary.json``.

    ``config`` defaults to ``TrainConfig`` over :data:`~hybrid_batch_st.config.DEMO_DEFAULTS` (its
    ``mode`` is ignored: all three are trained). An existing output folder is refused unless ``overwrite``.
    """
    from .compare import recipe_significance
    from .tables import macro_table

    config = config or TrainConfig.from_dict({}, defaults=DEMO_DEFAULTS)
    query = query or getattr(config, "query", None)
    config.validate()
    start, out = time.perf_counter(), Path(config.output)
    check_overwrite(out, overwrite)
    results, evaluator = _evaluate_all(config, out)
    measure = evaluator.measures[0]
    rows = [("base (" + Path(str(config.model)).name + ")", results["base"])] + [(lbl, results[lbl]) for lbl, _ in MODES]
    table, checks = macro_table(rows, [measure]), _checks(results, measure)
    significance = recipe_significance(results, measure)
    print("\n" + table + "\n\n" + "\n".join(checks) + "\n\n" + significance)
    search_lines = _example_search(query, out / "hybrid" / "model", evaluator.data, out)
    print("\n".join(search_lines))
    elapsed = time.perf_counter() - start
    summary = {
        "config": config.to_dict(), "table": table, "checks": checks, "significance": significance,
        "results": {label: r.summary(measure) for label, r in rows},
        "example_search": search_lines, "seconds": elapsed,
    }
    with atomic_path(out / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    with atomic_path(out / "summary.md") as tmp:
        tmp.write_text(table + "\n\n" + "\n".join(f"- {c}" for c in checks) + "\n\n" + significance, encoding="utf-8")
    print(f"\n[demo] done in {elapsed / 60:.1f} min; reports and heatmaps under {out}/*/eval_*/, "
          f"summary in {out}/summary.md")
    return summary
