"""What the plugin costs on a GPU, as ratios measured in one run on whatever CUDA device is found.

1. Training step time with ``HybridBatchSampler`` against the stock batch sampler (sentence-transformers'
   ``BatchSamplers.BATCH_SAMPLER``: random batches) on the same pair dataset, model and loss, bf16 mixed
   precision, alternating rounds of ``--steps`` steps so that drift (clocks, other load) hits both.
   Target: the sampler costs at most 2 % of a step.
2. ``evaluate`` on XQuAD-R (every language pair, exact) against plain encoding of the same texts at
   the same batch size, and its (search + score) / encode; also with the ranks counted by numpy on the
   CPU (the former path) for comparison. Targets: evaluate at most 1.3x plain encoding, (search +
   score) / encode at most 0.15.

Without a CUDA device it says so and exits 0.

    python benchmarks/gpu.py --model ../shared/models/me5-small-xr --data-dir ../shared/data
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="all-MiniLM-L6-v2", help="model id or folder (default: the packaged MiniLM)")
    parser.add_argument("--data-dir", default=None, help="folder holding xquad-r/ and mlqa-r/ (default: the cache)")
    parser.add_argument("--train", default="mlqa-r", help="training pairs for the step timing (default: mlqa-r)")
    parser.add_argument("--batch-size", type=int, default=256, help="training and encoding batch (default: 256)")
    parser.add_argument("--steps", type=int, default=100, help="timed steps per round (default: 100)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per sampler (default: 2)")
    parser.add_argument("--languages", default=None, help="XQuAD-R languages to evaluate (default: all 11)")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    return parser


def _step_seconds(model_path: str, pairs, sampler, batch_size: int, steps: int, seed: int) -> float:
    """Mean wall seconds per training step after 10 warm-up steps (data loading included)."""
    import torch
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from transformers import TrainerCallback

    from hybrid_batch_st.models import cap_max_seq_length, load_model

    class Clock(TrainerCallback):
        def __init__(self):
            self.ends: list[float] = []

        def on_step_end(self, args, state, control, **kwargs):
            torch.cuda.synchronize()
            self.ends.append(time.perf_counter())

    model = cap_max_seq_length(load_model(model_path, device="cuda"), 128)
    clock = Clock()
    args = SentenceTransformerTrainingArguments(
        output_dir="/tmp/hbst-gpu-bench", per_device_train_batch_size=batch_size, max_steps=steps + 10,
        learning_rate=2e-5, bf16=True, batch_sampler=sampler, save_strategy="no", report_to="none",
        logging_steps=10_000, seed=seed, disable_tqdm=True)
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=pairs.to_dataset(),
                                         loss=MultipleNegativesRankingLoss(model), callbacks=[clock])
    trainer.train()
    timed = clock.ends[10:]
    return (timed[-1] - clock.ends[9]) / len(timed)


def _sampler_overhead(args, pairs) -> dict:
    from sentence_transformers.base.sampler import BatchSamplers

    from hybrid_batch_st import HybridBatchSampler

    samplers = {"stock": BatchSamplers.BATCH_SAMPLER, "hybrid": HybridBatchSampler.configure(mode="hybrid", alpha=0.5)}
    times: dict[str, list[float]] = {name: [] for name in samplers}
    for r in range(args.rounds):
        for name in (samplers if r % 2 == 0 else reversed(list(samplers))):
            seconds = _step_seconds(args.model, pairs, samplers[name], args.batch_size, args.steps, seed=r)
            times[name].append(seconds)
            print(f"round {r}: {name} {seconds * 1000:.1f} ms/step", flush=True)
    stock, hybrid = statistics.mean(times["stock"]), statistics.mean(times["hybrid"])
    return {"stock_ms": stock * 1000, "hybrid_ms": hybrid * 1000, "hybrid_over_stock": hybrid / stock,
            "rounds": times}


def _evaluation(args) -> dict:
    import torch

    from hybrid_batch_st.data.sources import load_eval_data
    from hybrid_batch_st.evaluation import evaluate
    from hybrid_batch_st.evaluation.language_pairs import as_task
    from hybrid_batch_st.models import cap_max_seq_length, encode_documents, encode_queries, load_model

    model = cap_max_seq_length(load_model(args.model, device="cuda"), 128)
    task = as_task(load_eval_data("xquad-r", args.languages.split(",") if args.languages else None,
                                    args.data_dir), "xquad-r")
    queries = [t for s in task.queries.values() for t in s.texts.values()]
    documents = [t for s in task.pools.values() for t in s.texts.values()]
    out: dict[str, list] = {"plain_s": [], "evaluate_s": [], "timing": [], "numpy_timing": []}
    encode_queries(model, queries[:512], batch_size=args.batch_size)  # warm-up: kernels, allocator
    for _ in range(2):
        torch.cuda.synchronize()
        start = time.perf_counter()
        encode_queries(model, queries, batch_size=args.batch_size)
        encode_documents(model, documents, batch_size=args.batch_size)
        out["plain_s"].append(time.perf_counter() - start)
        start = time.perf_counter()
        result = evaluate(model, task, ["AP"], batch_size=args.batch_size, cache=False, show_progress_bar=False)
        out["evaluate_s"].append(time.perf_counter() - start)
        out["timing"].append(result.timing)
    numpy_result = evaluate(model, task, ["AP"], batch_size=args.batch_size, cache=False, show_progress_bar=False,
                            rank_device=None)
    out["numpy_timing"].append(numpy_result.timing)
    same = all(abs(a.scores["AP"] - b.scores["AP"]) < 1e-9 for a, b in zip(result.pairs, numpy_result.pairs))
    timing = {k: statistics.mean(t[k] for t in out["timing"]) for k in ("encode_s", "search_s", "score_s")}
    numpy_timing = out["numpy_timing"][0]
    return {"texts": len(queries) + len(documents), **out,
            "evaluate_over_plain": statistics.mean(out["evaluate_s"]) / statistics.mean(out["plain_s"]),
            "search_score_over_encode": (timing["search_s"] + timing["score_s"]) / timing["encode_s"],
            "numpy_search_score_over_encode": (numpy_timing["search_s"] + numpy_timing["score_s"])
            / numpy_timing["encode_s"],
            "same_AP_as_numpy_ranks": same}


def main() -> int:
    args = _parser().parse_args()
    import torch

    if not torch.cuda.is_available():
        print("no CUDA device: nothing measured (this benchmark needs a GPU)")
        return 0
    from hybrid_batch_st.data.sources import load_training_data

    device = torch.cuda.get_device_name()
    print(f"device: {device}; torch {torch.__version__}; model {args.model}; batch {args.batch_size}", flush=True)
    pairs = load_training_data(args.train, None, args.data_dir, 0)[0].without_single_language_ids()
    figures = {"device": device, "model": args.model, "batch_size": args.batch_size, "steps": args.steps,
               "sampler": _sampler_overhead(args, pairs), "evaluation": _evaluation(args)}
    s, e = figures["sampler"], figures["evaluation"]
    print(f"\nsampler: hybrid {s['hybrid_ms']:.1f} ms/step, stock {s['stock_ms']:.1f} ms/step: "
          f"{s['hybrid_over_stock']:.3f}x (target <= 1.02)")
    print(f"evaluate / plain encoding of the same {e['texts']:,} texts: {e['evaluate_over_plain']:.2f}x (target <= 1.3)")
    print(f"(search + score) / encode: {e['search_score_over_encode']:.3f} on the GPU (target <= 0.15), "
          f"{e['numpy_search_score_over_encode']:.3f} with numpy ranks; same AP: {e['same_AP_as_numpy_ranks']}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(figures, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
