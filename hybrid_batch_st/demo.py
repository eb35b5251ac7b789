"""The main job: train X-X, X-Y and hybrid models, compare them with the base model, export, search.

``hybrid-batch-st demo`` with no arguments uses the embedded default: the packaged
all-MiniLM-L6-v2, the bundled XQuAD-R sample in en/de/es (36 training articles,
12 held out), a short fine-tuning per batch type. It evaluates all four models
on the held-out articles, prints one table (mono / cross / multi AP and rank
distance), writes a report with heatmap per model, exports the hybrid model to
a Pyserini index over the held-out sentences and runs one query through
Pyserini's ``FaissSearcher``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from .evaluation import SETTINGS, EvaluationResult
from .io import atomic_path
from .models import DEFAULT_MODEL, load_model
from .training import TrainConfig, load_training_data, make_evaluator, train

__all__ = ["DemoConfig", "run_demo", "comparison_table", "MODES"]

logger = logging.getLogger(__name__)

#: (row label, sampler mode) of the three fine-tuned models.
MODES = (("X-X (monolingual)", "monolingual"), ("X-Y (cross-lingual)", "cross-lingual"), ("hybrid", "hybrid"))


@dataclass
class DemoConfig:
    model: str = DEFAULT_MODEL
    languages: list[str] | None = None
    train: str = "sample"
    eval: str = "heldout"
    alpha: float | str = 0.5
    steps: int = 30
    batch_size: int = 32
    learning_rate: float = 5e-5
    max_seq_length: int = 128
    seed: int = 0
    data_dir: str | None = None
    output: str = "runs/demo"
    query: str | None = None


def comparison_table(rows: list[tuple[str, EvaluationResult]], measure: str = "AP") -> str:
    """Markdown: one row per model, mono / cross / multi ``measure`` and mean rank distance."""
    lines = [f"| model | mono {measure} | cross {measure} | multi {measure} | rank distance |",
             "| --- | --- | --- | --- | --- |"]
    for label, r in rows:
        cells = [f"{r.macro[s][measure]:.4f}" if s in r.macro else "-" for s in SETTINGS]
        dist = r.language_bias.get("rank_distance")
        lines.append(f"| {label} | " + " | ".join(cells) + (f" | {dist:.1f} |" if dist is not None else " | - |"))
    return "\n".join(lines)


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


#: (A, B) pairs whose differences the demo tests: hybrid against each single-type recipe, each against the base
COMPARISONS = [("X-X (monolingual)", "hybrid"), ("X-Y (cross-lingual)", "hybrid"), ("base", "X-X (monolingual)"),
               ("base", "X-Y (cross-lingual)"), ("base", "hybrid")]


def _significance(results: dict[str, EvaluationResult], measure: str = "AP") -> str:
    from .compare import compare, per_query_of, setting_summary

    done = [(a, b, compare(per_query_of(results[a], a), per_query_of(results[b], b), [measure]))
            for a, b in COMPARISONS]
    return setting_summary(done, measure)


def _example_search(cfg: DemoConfig, model_dir: Path, held: dict, out: Path) -> list[str]:
    from .evaluation import doc_id
    from .pyserini import build_index, get_searcher, write_corpus

    text = {doc_id(lang, i): s for lang, d in held.items() for i, s in enumerate(d.sentences)}
    corpus = write_corpus(out / "pyserini" / "corpus.jsonl", text.items())
    index = build_index(model_dir, corpus, out / "pyserini" / "index", overwrite=True)
    searcher = get_searcher(index)
    first_lang = next(iter(held))
    question = held[first_lang].questions[0]
    query = cfg.query or question.text
    relevant = {doc_id(lang, q.sentence) for lang, d in held.items() for q in d.questions if q.id == question.id}
    lines = [f"Pyserini FaissSearcher over {searcher.num_docs} held-out sentences "
             f"({type(searcher.query_encoder).__name__}); query: {query!r}"]
    for rank, hit in enumerate(searcher.search(query, k=5), 1):
        mark = " *" if cfg.query is None and hit.docid in relevant else ""
        lines.append(f"  {rank}. {hit.docid:<8} {hit.score:.4f}{mark}  {text[hit.docid][:90]}")
    if cfg.query is None:
        lines.append("  (* = an answer sentence of this question, in any language)")
    lines.append(f"index: {index}  (try: hybrid-batch-st search --index {index} --topics TOPICS.tsv --output run.trec)")
    return lines


def run_demo(cfg: DemoConfig) -> dict:
    """Run the whole comparison; returns the summary written to ``<output>/summary.json``."""
    from .evaluator import MultilingualRetrievalEvaluator

    start = time.perf_counter()
    out = Path(cfg.output)
    base_train = TrainConfig(
        model=cfg.model, train=cfg.train, languages=cfg.languages, data_dir=cfg.data_dir, alpha=cfg.alpha,
        steps=cfg.steps, batch_size=cfg.batch_size, learning_rate=cfg.learning_rate,
        max_seq_length=cfg.max_seq_length, seed=cfg.seed, eval=cfg.eval,
    )
    base_train.validate()
    _, held = load_training_data(base_train)
    evaluator: MultilingualRetrievalEvaluator | None = make_evaluator(base_train, held)
    if evaluator is None:
        raise ValueError(f"--eval {cfg.eval!r}: the demo needs evaluation data")

    results: dict[str, EvaluationResult] = {}
    print(f"[demo] evaluating the base model {cfg.model} ...", flush=True)
    base = load_model(cfg.model)
    base.max_seq_length = min(base.max_seq_length or cfg.max_seq_length, cfg.max_seq_length)
    evaluator.model_name = f"{Path(str(cfg.model)).name} (base)"
    evaluator(base, output_path=str(out / "base"))
    results["base"] = evaluator.last_result
    for label, mode in MODES:
        print(f"[demo] fine-tuning with {mode} batches ({cfg.steps} steps) ...", flush=True)
        results[label] = train(dataclasses.replace(base_train, mode=mode, output=str(out / mode))).evaluation

    rows = [("base (" + Path(str(cfg.model)).name + ")", results["base"])] + [(lbl, results[lbl]) for lbl, _ in MODES]
    table = comparison_table(rows, evaluator.measures[0])
    checks = _checks(results, evaluator.measures[0])
    significance = _significance(results, evaluator.measures[0])
    print("\n" + table + "\n")
    print("\n".join(checks) + "\n")
    print(significance)
    search_lines = _example_search(cfg, out / "hybrid" / "model", evaluator.data, out)
    print("\n".join(search_lines))
    elapsed = time.perf_counter() - start
    summary = {
        "config": dataclasses.asdict(cfg),
        "table": table,
        "checks": checks,
        "significance": significance,
        "results": {label: r.macro | {"rank_distance": r.language_bias["rank_distance"]} for label, r in rows},
        "example_search": search_lines,
        "seconds": elapsed,
    }
    with atomic_path(out / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    with atomic_path(out / "summary.md") as tmp:
        tmp.write_text(table + "\n\n" + "\n".join(f"- {c}" for c in checks) + "\n\n" + significance,
                       encoding="utf-8")
    print(f"\n[demo] done in {elapsed / 60:.1f} min; reports and heatmaps under {out}/*/eval_*/, "
          f"summary in {out}/summary.md")
    return summary

