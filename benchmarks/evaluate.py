"""Cost of the language-pair evaluation: encoding vs everything after it, first and cached.

Runs the full benchmark (default XQuAD-R: 11 languages, 121 pairs + 11 multilingual) with a model
(default: the packaged all-MiniLM-L6-v2), exact (the default), three times in one process:
1. with an empty embedding cache (a temporary folder): encode / search / score seconds, the ratio
   (search + score) / encode (target <= 0.15) and first evaluation / encode (target <= 1.2);
2. again, embeddings now cached: evaluation / encode (target <= 0.5);
3. with ``depth=100`` from the cache: how far that approximation is from the exact values.
Encoding speed is also given as the achieved fraction of this CPU's fp32 matmul throughput:
2 x non-embedding parameters x real (unpadded, truncated) tokens / encode time, against torch.mm
on 2048 x 2048 matrices measured in the same run.
Also writes the exact report (--output).

Usage: python benchmarks/evaluate.py [--benchmark xquad-r] [--data-dir ../shared/data] [--model M] [--output DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from hybrid_batch_st.evaluation import evaluate
from hybrid_batch_st.tasks.lareqa import load_benchmark
from hybrid_batch_st.models import DEFAULT_MODEL, load_model, query_passage_prompts
from hybrid_batch_st.evaluation.report import write_report


def matmul_flops(size: int = 2048, repeats: int = 10) -> float:
    """fp32 FLOP/s of torch.mm on ``size`` x ``size`` matrices on this machine (best of ``repeats``)."""
    import torch

    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best


def encode_flops(model, texts_by_prompt: dict) -> float:
    """2 x non-embedding parameters x real tokens: the FLOPs encoding these texts needs (attention aside)."""
    params = sum(p.numel() for name, p in model.named_parameters() if "embeddings" not in name)
    tokens = 0
    for prompt, texts in texts_by_prompt.items():
        for start in range(0, len(texts), 1024):
            features = model.preprocess([(prompt or "") + t for t in texts[start : start + 1024]])
            tokens += int(features["attention_mask"].sum())
    return 2.0 * params * tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmark", default="xquad-r")
    default_data = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--data-dir", default=str(default_data) if default_data.is_dir() else None)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--measures", default="AP")
    parser.add_argument("--output", default="runs/bench-evaluate")
    args = parser.parse_args()

    data = load_benchmark(args.benchmark, data_dir=args.data_dir)
    model = load_model(args.model)
    query_prompt, passage_prompt = query_passage_prompts(model)
    questions = [q.text for d in data.values() for q in d.questions]
    sentences = [s for d in data.values() for s in d.sentences]
    n_q, n_s = len(questions), len(sentences)
    with tempfile.TemporaryDirectory(prefix="hbst-bench-cache-") as cache:
        runs = {}
        for name, depth in (("first", 0), ("cached", 0), ("depth 100", 100)):
            start = time.perf_counter()
            result = evaluate(model, data, args.measures, depth=depth, benchmark=args.benchmark,
                              model_name=args.model, cache=cache, show_progress_bar=name == "first")
            runs[name] = (time.perf_counter() - start, result)
    first_s, exact = runs["first"]
    write_report(exact, args.output)
    t = exact.timing
    print(f"{args.benchmark}: {len(data)} languages, {n_q} questions, {n_s} sentences, {len(exact.pairs)} pairs, "
          f"model {args.model}")
    print(f"first evaluation {first_s:.1f} s: encode {t['encode_s']:.1f} s ({(n_q + n_s) / t['encode_s']:.0f} texts/s), "
          f"search {t['search_s']:.2f} s, score {t['score_s']:.2f} s")
    print(f"(search + score) / encode = {(t['search_s'] + t['score_s']) / t['encode_s']:.3f}  (target <= 0.15)")
    print(f"first evaluation / encode = {first_s / t['encode_s']:.3f}  (target <= 1.2)")
    cached_s, cached = runs["cached"]
    print(f"cached evaluation {cached_s:.1f} s; / encode = {cached_s / t['encode_s']:.3f}  (target <= 0.5); "
          f"same values: {cached.macro == exact.macro}")
    peak = matmul_flops()
    achieved = encode_flops(model, {query_prompt: questions, passage_prompt: sentences}) / t["encode_s"]
    print(f"encoding at {achieved / 1e9:.1f} GFLOP/s = {achieved / peak:.2f} of torch.mm's {peak / 1e9:.1f} GFLOP/s "
          "(2 x non-embedding parameters x real tokens / encode time)")
    cut = runs["depth 100"][1]
    gap = max(abs(cut.macro[s][m] - exact.macro[s][m]) for s in exact.macro for m in exact.measures)
    print(f"depth=100 approximation: largest macro difference from exact {gap:.4f}")
    for setting, values in exact.macro.items():
        print(f"  {setting:<14} " + "  ".join(f"{m} {v:.4f}" for m, v in values.items()))
    print(f"  rank distance {exact.language_bias['rank_distance']:.1f}")


if __name__ == "__main__":
    main()
