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

from hybrid_batch_st import MultilingualRetrievalEvaluator
from hybrid_batch_st.atomic import atomic_path
from hybrid_batch_st.cli.parser import add_config_flags, config_overrides
from hybrid_batch_st.compare import recipe_significance
from hybrid_batch_st.config import TrainConfig
from hybrid_batch_st.demo import MODES
from hybrid_batch_st.models import load_model
from hybrid_batch_st.sources import load_training_data
from hybrid_batch_st.tables import macro_table
from hybrid_batch_st.training import train

#: where this script departs from TrainConfig's defaults
DEFAULTS = {"train": "xquad-r", "eval": "", "output": "runs/reproduce"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_config_flags(parser, DEFAULTS, exclude=("mode", "eval", "measures"))
    parser.add_argument("--eval", default="heldout,mlqa-r",
                        help="comma-separated: heldout, xquad-r, mlqa-r, sample (default: heldout,mlqa-r)")
    parser.add_argument("--reuse-models", action="store_true",
                        help="evaluate models already trained in <output>/<mode>/model instead of training again")
    args = parser.parse_args()

    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(f"device: {device}", flush=True)
    out = Path(base_config.output)
    if args.config:
        base_config = TrainConfig.from_file(args.config, DEFAULTS, **config_overrides(args))
    else:
        base_config = TrainConfig.from_dict(config_overrides(args), source="flags", defaults=DEFAULTS)
    languages = base_config.languages
    _, held_out = load_training_data(base_config.train, languages, base_config.data_dir, base_config.train_articles)
    evaluators = []
    for name in args.eval.split(","):
        if name == "heldout":
            if held_out is None:
                raise SystemExit(f"--train {base_config.train} has no held-out part; drop 'heldout' from --eval")
            evaluators.append(MultilingualRetrievalEvaluator(
                held_out, name="heldout", write_report=True, show_progress_bar=True))
        else:
            evaluators.append(MultilingualRetrievalEvaluator.from_benchmark(
                name, languages, base_config.data_dir, write_report=True, show_progress_bar=True))

    timings: dict[str, float] = {}
    results: dict[str, dict] = {}
    evaluations: dict[str, dict] = {}  # evaluator name -> {label: EvaluationResult}, for significance

    def evaluate_all(label: str, model, folder: Path) -> None:
        if base_config.max_seq_length:
            model.max_seq_length = min(model.max_seq_length or base_config.max_seq_length, base_config.max_seq_length)
        results[label] = {}
        for evaluator in evaluators:
            start = time.perf_counter()
            evaluator(model, output_path=str(folder))
            r = evaluator.last_result
            evaluations.setdefault(evaluator.name, {})[label] = r
            results[label][evaluator.name] = r.summary()
            timings[f"eval {label} {evaluator.name}"] = time.perf_counter() - start
            print(f"[{label}] {evaluator.name}: {results[label][evaluator.name]}", flush=True)

    print("evaluating the base model ...", flush=True)
    evaluate_all("base", load_model(base_config.model, device=device), out / "base")
    for label, mode in MODES:
        saved = out / mode / "model"
        if args.reuse_models and (saved / "modules.json").is_file():
            print(f"reusing {saved}", flush=True)
            model = load_model(str(saved), device=device)
        else:
            print(f"training with {mode} batches ...", flush=True)
            start = time.perf_counter()
            model = train(dataclasses.replace(base_config, mode=mode, output=str(out / mode)), overwrite=True).model
            timings[f"train {label}"] = time.perf_counter() - start
        evaluate_all(label, model, out / mode)

    labels = ["base"] + [lbl for lbl, _ in MODES]
    table = "\n\n".join(
        f"### {name}\n\n" + macro_table([(label, by_label[label]) for label in labels], ["AP"])
        + "\n\nSignificance:\n\n" + recipe_significance(by_label)
        for name, by_label in evaluations.items())
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
