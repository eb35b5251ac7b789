"""The main job: train X-X, X-Y and hybrid models (or any ``recipes``), compare them with the base model,
export, search.

``hybrid-batch-st demo`` with no arguments uses the embedded default: the packaged
all-MiniLM-L6-v2, the bundled XQuAD-R sample in en/de/es (36 training articles,
12 held out), a short fine-tuning per batch type (:data:`~hybrid_batch_st.training.config.DEMO_DEFAULTS`).
Every model, the base model included, is evaluated at the same input length (``max_seq_length``).
It evaluates all four models on the held-out articles, prints one table (mono / cross / multi AP
and rank distance) and the significance of their differences, writes a report with heatmap per
model, exports the hybrid model to a Pyserini index over the held-out sentences and runs one query
through Pyserini's ``FaissSearcher``.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import time
from pathlib import Path

from ..atomic import atomic_path, check_overwrite
from ..evaluation.results import EvaluationResult
from ..experiments.targets import gaps_to_best
from ..names import BASE, COMPARISONS, LABELS
from ..tasks.task import RetrievalTask
from ..training.config import DEMO_DEFAULTS, DEMO_RECIPES, TrainConfig

__all__ = ["run_demo"]

#: Seconds the base model took to encode the demo's held-out texts where the README's timings were measured.
README_ENCODE_S = 16.4


def _checks(results: dict[str, EvaluationResult], measure: str = "AP") -> list[str]:
    """The claims the demo is meant to show, each stated with its numbers (no assertion): hybrid against
    the better of X-X and X-Y per setting (:func:`~hybrid_batch_st.experiments.targets.gaps_to_best`), and
    its rank distance against X-X's."""
    hy = results["hybrid"]
    values = {k: {s: v[measure] for s, v in r.macro.items()} for k, r in results.items()}
    lines = []
    for gap in gaps_to_best(values["hybrid"], values):
        best = values[gap.reference][gap.setting]
        lines.append(f"{gap.setting}: hybrid {values['hybrid'][gap.setting]:.4f} vs best of X-X, X-Y {best:.4f} "
                     f"({LABELS[gap.reference]}; diff {gap.difference:+.4f}; within {gap.slack}: "
                     f"{'ok' if gap.met else 'NOT met'})")
    if "monolingual" in results:
        d_h, d_x = hy.language_bias["rank_distance"], results["monolingual"].language_bias["rank_distance"]
        lines.append(f"rank distance: hybrid {d_h:.1f} vs X-X {d_x:.1f} "
                     f"({'lower: ok' if d_h < d_x else 'NOT lower'})")
    return lines


def _example_search(query: str | None, model_dir: Path, held: RetrievalTask, out: Path) -> list[str]:
    """Export the model over every held-out sentence and search it with Pyserini (the first held-out
    question unless ``query``), marking the question's answer sentences."""
    from ..pyserini import build_index, get_searcher, write_corpus

    text = {doc: sentence for pool in held.pools.values() for doc, sentence in pool.texts.items()}
    corpus = write_corpus(out / "pyserini" / "corpus.jsonl", text.items())
    index = build_index(model_dir, corpus, out / "pyserini" / "index", overwrite=True)
    searcher = get_searcher(index)
    query_set = next(iter(held.queries))
    question_id, question = next(iter(held.queries[query_set].texts.items()))
    relevant = {doc for doc, grade in held.qrels[query_set][question_id].items() if grade > 0}
    lines = [f"Pyserini FaissSearcher over {searcher.num_docs} held-out sentences "
             f"({type(searcher.query_encoder).__name__}); query: {query or question!r}"]
    for rank, hit in enumerate(searcher.search(query or question, k=5), 1):
        mark = " *" if query is None and hit.docid in relevant else ""
        lines.append(f"  {rank}. {hit.docid:<8} {hit.score:.4f}{mark}  {text[hit.docid][:90]}")
    if query is None:
        lines.append("  (* = an answer sentence of this question, in any language)")
    lines.append(f"index: {index}  (try: hybrid-batch-st search --index {index} --topics TOPICS.tsv --output run.trec)")
    return lines


def _evaluate_all(config: TrainConfig, out: Path, recipes,
                  seconds: dict[str, float]) -> tuple[dict[str, EvaluationResult], object]:
    """The base model's evaluation, then each recipe's training + evaluation (each from a copy of the base
    model, loaded once); adds the seconds of each phase to ``seconds``."""
    from ..data.sources import training_data_of
    from ..models import cap_max_seq_length, load_model
    from ..training.run import make_evaluator, train

    _, held = training_data_of(config)
    evaluator = make_evaluator(config, held)
    if evaluator is None:
        raise ValueError(f"eval={config.eval!r}: the demo needs evaluation data")
    print(f"[demo] evaluating the base model {config.model} ...", flush=True)
    start = time.perf_counter()
    base = cap_max_seq_length(load_model(config.model), config.max_seq_length)  # the fine-tuned models' length
    evaluator.model_name = f"{Path(str(config.model)).name} (base)"
    evaluator(base, output_path=str(out / BASE))
    results = {BASE: evaluator.last_result}
    seconds["base model"] = time.perf_counter() - start
    texts = sum(len(d.questions) + len(d.sentences) for d in held.values()) if isinstance(held, dict) else None
    print(_calibration(evaluator.last_result.timing["encode_s"], texts), flush=True)
    for name in recipes:
        print(f"[demo] fine-tuning: {LABELS[name]} ({config.steps} steps) ...", flush=True)
        start = time.perf_counter()
        recipe = dataclasses.replace(config, recipe=name, output=str(out / name))
        results[name] = train(recipe, model=copy.deepcopy(base), overwrite=True).evaluation
        seconds[LABELS[name]] = time.perf_counter() - start
    return results, evaluator


def _calibration(encode_s: float, texts: int | None) -> str:
    """The line a user compares with the README's: how fast this machine encodes the held-out texts."""
    what = f"its {texts:,} held-out texts" if texts else "the held-out texts"
    return (f"[demo] calibration: the base model encoded {what} in {encode_s:.1f} s on this machine (README's "
            f"timings: {README_ENCODE_S} s there); scale the README's minutes by your figure / {README_ENCODE_S}")


def run_demo(config: TrainConfig | None = None, query: str | None = None, overwrite: bool = False,
             recipes=DEMO_RECIPES) -> dict:
    """Run the whole comparison; returns the summary written to ``<output>/summary.json``.

    Prints the table, the checks, the significance of the differences and the example search; writes a
    report per model under ``<output>/<recipe>/`` and ``summary.json`` / ``summary.md``.

    Args:
        config: the run's options; default ``TrainConfig`` over
            :data:`~hybrid_batch_st.training.config.DEMO_DEFAULTS` (its ``recipe`` is ignored: each of
            ``recipes`` is trained).
        query: the example query for Pyserini; None: the first held-out question.
        overwrite: replace an existing output folder; False refuses it.
        recipes: the recipes to train, hybrid among them; default X-X, X-Y and hybrid.

    Returns:
        The summary: ``config``, ``table``, ``checks``, ``significance``, ``results`` (per model, the
        first measure per setting and the rank distance), ``example_search``, ``seconds``, ``phase_seconds``
        and ``encode_seconds``.

    Raises:
        ValueError: ``recipes`` without hybrid, an invalid ``config``, or one without evaluation data.
        FileExistsError: the output folder exists and ``overwrite`` is False.

    Example:
        >>> from hybrid_batch_st.training.config import DEMO_DEFAULTS, TrainConfig
        >>> config = TrainConfig.from_dict({"languages": "en,de", "steps": 60, "output": "runs/demo60"},
        ...                                defaults=DEMO_DEFAULTS)  # doctest: +SKIP
        >>> run_demo(config)["checks"]  # doctest: +SKIP
    """
    from ..evaluation.significance import compare_results
    from ..evaluation.tables import macro_table, setting_summary

    config = config or TrainConfig.from_dict({}, defaults=DEMO_DEFAULTS)
    config.validate()
    recipes = list(dict.fromkeys(recipes))
    if "hybrid" not in recipes:
        raise ValueError(f"recipes {recipes}: the demo compares against hybrid batches; add hybrid")
    start, out = time.perf_counter(), Path(config.output)
    check_overwrite(out, overwrite)
    seconds: dict[str, float] = {}
    results, evaluator = _evaluate_all(config, out, recipes, seconds)
    measure = evaluator.measures[0]
    rows = [(f"base ({Path(str(config.model)).name})", results[BASE])] + [(LABELS[m], results[m]) for m in recipes]
    table, checks = macro_table(rows, [measure]), _checks(results, measure)
    done = compare_results(results, COMPARISONS, measure)
    significance = setting_summary([(LABELS[a], LABELS[b], found) for a, b, found in done], measure)
    print("\n" + table + "\n\n" + "\n".join(checks) + "\n\n" + significance)
    started = time.perf_counter()
    search_lines = _example_search(query, out / "hybrid" / "model", evaluator.data, out)
    print("\n".join(search_lines))
    seconds["Pyserini export and search"] = time.perf_counter() - started
    elapsed = time.perf_counter() - start
    summary = {
        "config": config.to_dict(), "table": table, "checks": checks, "significance": significance,
        "results": {label: r.summary(measure) for label, r in rows},
        "example_search": search_lines, "seconds": elapsed, "phase_seconds": seconds,
        "encode_seconds": results[BASE].timing["encode_s"],
    }
    with atomic_path(out / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    with atomic_path(out / "summary.md") as tmp:
        tmp.write_text(table + "\n\n" + "\n".join(f"- {c}" for c in checks) + "\n\n" + significance, encoding="utf-8")
    print(f"\n[demo] done in {elapsed / 60:.1f} min ({elapsed:.0f} s: " + ", ".join(
        f"{k} {v:.0f} s" for k, v in seconds.items()) + f"); reports and heatmaps under {out}/*/eval_*/, "
        f"summary in {out}/summary.md")
    return summary
