"""Cost of the language-pair evaluation: encoding vs everything after it, first and cached.

Runs the full benchmark (default XQuAD-R: 11 languages, 121 pairs + 11 multilingual) with a model
(default: the packaged all-MiniLM-L6-v2), exact (the default), three times in one process:
1. with an empty embedding cache (a temporary folder): encode / search / score seconds, the ratio
   (search + score) / encode (target <= 0.15) and first evaluation / encode (target <= 1.2);
2. again, embeddings now cached: evaluation / encode (target <= 0.5);
3. with ``depth=100`` from the cache: how far that approximation is from the exact values.
Also writes the exact report (--output).

Usage: python benchmarks/evaluate.py [--benchmark xquad-r] [--data-dir ../shared/data] [--model M] [--output DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from hybrid_batch_st.evaluation import evaluate
from hybrid_batch_st.lareqa import load_benchmark
from hybrid_batch_st.models import DEFAULT_MODEL, load_model
from hybrid_batch_st.report import write_report


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
    n_q = sum(len(d.questions) for d in data.values())
    n_s = sum(len(d.sentences) for d in data.values())
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
    cut = runs["depth 100"][1]
    gap = max(abs(cut.macro[s][m] - exact.macro[s][m]) for s in exact.macro for m in exact.measures)
    print(f"depth=100 approximation: largest macro difference from exact {gap:.4f}")
    for setting, values in exact.macro.items():
        print(f"  {setting:<14} " + "  ".join(f"{m} {v:.4f}" for m, v in values.items()))
    print(f"  rank distance {exact.language_bias['rank_distance']:.1f}")


if __name__ == "__main__":
    main()
