"""Cost of the language-pair evaluation: encoding vs everything after it (search + scoring).

Runs the full benchmark (default XQuAD-R: 11 languages, 121 pairs + 11 multilingual) with a model
(default: the packaged all-MiniLM-L6-v2) and prints encode / search / score seconds and the ratio
(search + score) / encode; the target is at most 0.15. Also writes the report (--output).

Usage: python benchmarks/evaluate.py [--benchmark xquad-r] [--data-dir ../shared/data] [--model M] [--output DIR]
"""

from __future__ import annotations

import argparse
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

    start = time.perf_counter()
    data = load_benchmark(args.benchmark, data_dir=args.data_dir)
    load_s = time.perf_counter() - start
    model = load_model(args.model)
    result = evaluate(model, data, args.measures, benchmark=args.benchmark, model_name=args.model)
    write_report(result, args.output)
    t = result.timing
    n_q = sum(len(d.questions) for d in data.values())
    n_s = sum(len(d.sentences) for d in data.values())
    print(f"{args.benchmark}: {len(data)} languages, {n_q} questions, {n_s} sentences, {len(result.pairs)} pairs")
    print(f"load {load_s:.1f} s | encode {t['encode_s']:.1f} s | search {t['search_s']:.2f} s | score {t['score_s']:.2f} s")
    print(f"(search + score) / encode = {(t['search_s'] + t['score_s']) / t['encode_s']:.3f}  (target <= 0.15)")
    for setting, values in result.macro.items():
        print(f"  {setting:<14} " + "  ".join(f"{m} {v:.4f}" for m, v in values.items()))
    print(f"  rank distance {result.language_bias['rank_distance']:.1f}")


if __name__ == "__main__":
    main()
