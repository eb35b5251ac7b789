"""The paper's comparison: X-X vs X-Y vs hybrid batches, for one base model, training set and benchmarks.

Trains three models (monolingual, cross-lingual and hybrid batches; same steps, seed and data),
evaluates them and the base model on every evaluation set, and writes one comparison table
(`<output>/comparison-<eval sets>.md`, `.json`; per-model reports with heatmaps beside them). Uses a GPU when
torch sees one. The run reported in the README:

    python benchmarks/reproduce.py --model ../shared/models/me5-small-xr --train xquad-r \\
        --data-dir ../shared/data --eval heldout,mlqa-r --steps 40 --freeze-embeddings

`--train xquad-r` trains on its first --train-articles articles (36 of 48) and `heldout` evaluates
on the other 12; `mlqa-r` is all of MLQA-R. e5-style prompts ("query: " / "passage: ") are taken from
the model and used in training and evaluation. With --reuse-models, models already trained in
<output>/<mode>/model are evaluated again (e.g. on another benchmark) instead of retrained.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import torch

from hybrid_batch_st.demo import MODES
from hybrid_batch_st.evaluation import SETTINGS
from hybrid_batch_st.evaluator import MultilingualRetrievalEvaluator
from hybrid_batch_st.io import atomic_path
from hybrid_batch_st.models import load_model
from hybrid_batch_st.training import TrainConfig, load_training_data, train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="base model id or folder")
    parser.add_argument("--train", default="xquad-r", help="xquad-r, mlqa-r, sample, a .jsonl or a SQuAD-R folder")
    parser.add_argument("--train-articles", type=int, default=36)
    parser.add_argument("--languages", help="comma-separated training/evaluation languages (default: all)")
    parser.add_argument("--data-dir")
    parser.add_argument("--eval", default="heldout,mlqa-r", help="comma-separated: heldout, xquad-r, mlqa-r, sample")
    parser.add_argument("--alpha", default="0.5")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=2e-5)
    parser.add_argument("--max-seq-length", type=int, default=128)
    parser.add_argument("--freeze-embeddings", action="store_true", help="freeze the word-embedding table")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reuse-models", action="store_true",
                        help="evaluate models already trained in <output>/<mode>/model instead of training again")
    parser.add_argument("--output", default="runs/reproduce")
    args = parser.parse_args()

    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(f"device: {device}", flush=True)
    out = Path(args.output)
    languages = args.languages.split(",") if args.languages else None
    base_config = TrainConfig(
        model=args.model, train=args.train, train_articles=args.train_articles, languages=languages,
        data_dir=args.data_dir, alpha=args.alpha if args.alpha == "size" else float(args.alpha), steps=args.steps,
        batch_size=args.batch_size, learning_rate=args.learning_rate, max_seq_length=args.max_seq_length,
        freeze_embeddings=args.freeze_embeddings, seed=args.seed, eval=None,
    )
    _, held_out = load_training_data(base_config)
    evaluators = []
    for name in args.eval.split(","):
        if name == "heldout":
            if held_out is None:
                raise SystemExit(f"--train {args.train} has no held-out part; drop 'heldout' from --eval")
            evaluators.append(MultilingualRetrievalEvaluator(
                held_out, name="heldout", write_report=True, show_progress_bar=True))
        else:
            evaluators.append(MultilingualRetrievalEvaluator.from_benchmark(
                name, languages, args.data_dir, write_report=True, show_progress_bar=True))

    timings: dict[str, float] = {}
    results: dict[str, dict] = {}

    def evaluate_all(label: str, model, folder: Path) -> None:
        model.max_seq_length = min(model.max_seq_length or args.max_seq_length, args.max_seq_length)
        results[label] = {}
        for evaluator in evaluators:
            start = time.perf_counter()
            evaluator(model, output_path=str(folder))
            r = evaluator.last_result
            results[label][evaluator.name] = {s: r.macro[s]["AP"] for s in SETTINGS} | {
                "rank_distance": r.language_bias["rank_distance"]}
            timings[f"eval {label} {evaluator.name}"] = time.perf_counter() - start
            print(f"[{label}] {evaluator.name}: {results[label][evaluator.name]}", flush=True)

    print("evaluating the base model ...", flush=True)
    evaluate_all("base", load_model(args.model, device=device), out / "base")
    for label, mode in MODES:
        saved = out / mode / "model"
        if args.reuse_models and (saved / "modules.json").is_file():
            print(f"reusing {saved}", flush=True)
            model = load_model(str(saved), device=device)
        else:
            print(f"training with {mode} batches ...", flush=True)
            start = time.perf_counter()
            model = train(dataclasses.replace(base_config, mode=mode, output=str(out / mode))).model
            timings[f"train {label}"] = time.perf_counter() - start
        evaluate_all(label, model, out / mode)

    header = "| model | " + " | ".join(
        f"{e.name} {s[:5]} AP" for e in evaluators for s in SETTINGS) + " | " + " | ".join(
        f"{e.name} rank dist." for e in evaluators) + " |"
    lines = [header, "|" + " --- |" * (1 + 4 * len(evaluators))]
    for label in ["base"] + [lbl for lbl, _ in MODES]:
        cells = [f"{results[label][e.name][s]:.4f}" for e in evaluators for s in SETTINGS]
        cells += [f"{results[label][e.name]['rank_distance']:.1f}" for e in evaluators]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print("\n" + table)
    summary = {"args": vars(args), "device": device, "results": results, "timings_s": timings}
    stem = "comparison-" + "-".join(e.name for e in evaluators)
    with atomic_path(out / f"{stem}.md") as tmp:
        tmp.write_text(table + "\n", encoding="utf-8")
    with atomic_path(out / f"{stem}.json") as tmp:
        tmp.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {out}/{stem}.md, {stem}.json")


if __name__ == "__main__":
    main()
